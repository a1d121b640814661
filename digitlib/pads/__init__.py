"""The drawing pads: a UI-free session, the notebook and Tk views over it, and how boxes and
labels are drawn."""
