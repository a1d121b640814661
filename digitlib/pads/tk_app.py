"""A desktop drawing pad: draw digits with the mouse (or open a picture) and read them.

Run it with ``python -m digitlib app`` (``digits app``, ``make app``). ``DigitApp`` is a Tk view
of a ``digitlib.pads.session.PadSession``: it turns mouse events, keys and buttons into session
calls and draws the session's state (``show``) as ``digitlib.pads.display`` says it looks. The
session's jobs (loading the model, reading, **Why?**) run in a worker thread (``refresh``), so
the window stays responsive while the model thinks. The layout is fixed: nothing that changes
(a message, the model's status, the previews) resizes the window or moves the canvas.
"""

import json
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from digitlib import files
from digitlib.pads import display
from digitlib.pads.session import BRUSH_RANGE, DEFAULT_BRUSH, PadSession

try:  # Some Python builds come without Tk (pyenv without tk-dev, slim Docker images, ...).
    import tkinter as tk
    from tkinter import filedialog
    from tkinter import font as tkfont

    from PIL import ImageTk
except ImportError:
    tk = None

TITLE = "digits: draw and recognise"
POLL_MILLISECONDS = 30  # how often the main loop checks on the worker thread
MESSAGE_FONT = ("Helvetica", 14)
MESSAGE_LINES = 3  # the message area's fixed height: the longest messages wrap to three lines
CHART_WIDTH = 190  # the probability chart beside the canvas: a title, ten bars and their %
CHART_FONT = ("Helvetica", 9)
PREVIEW_PADDING = 4  # around each preview, so a selected one's border shows
WIDEST_PREVIEW_TEXT = "0? 100%"  # the longest text under a preview
WIDEST_LABEL_CAPTION = "Label of #99:"  # the caption's fixed width fits this
WHY_OFF_TEXT, WHY_ON_TEXT = display.CONTROLS["why"][0], "Why? ✓"  # the button off and on
IMAGE_TYPES = [("Images", "*.png *.jpg *.jpeg *.gif *.bmp *.tif *.tiff *.webp"),
               ("All files", "*")]


class DigitApp:
    """The Tk window: a canvas to draw on, buttons, the results line and 28x28 previews.

    ``model`` (default: the active model) and ``personal_folder`` (where Save puts your digits)
    are as ``PadSession`` takes them.
    """

    def __init__(self, root, model=None, *, live=False, state_file=None, brush=DEFAULT_BRUSH,
                 personal_folder=None):
        self.root = root
        self.session = PadSession(model, personal_folder=personal_folder, brush=brush,
                                  live=live)
        self.state_file = Path(state_file) if state_file else None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digits-predict")
        self._running = None  # (job, future) while the worker runs a session's job
        self._poll_id = None
        self._photos = []  # PhotoImages must stay referenced while shown
        self._shown_reading = self._shown_picture = None
        self._why_photo = None  # (explanation, PhotoImage) of the preview's heat map
        self.live = tk.BooleanVar(root, value=live)
        self.brush = tk.IntVar(root, value=int(brush))
        self.label = tk.StringVar(root, value="")
        self._build_widgets()
        root.report_callback_exception = self._callback_failed
        self.refresh()  # the worker loads the model

    def _build_widgets(self) -> None:
        """A fixed layout: every area that shows changing text has a fixed size."""
        root = self.root
        root.title(TITLE)
        root.resizable(False, False)
        root.protocol("WM_DELETE_WINDOW", self.close)
        message_font = tkfont.Font(root, font=MESSAGE_FONT)
        plain_font = tkfont.nametofont("TkDefaultFont", root)
        line = plain_font.metrics("linespace")

        toolbar = tk.Frame(root, padx=8, pady=6)
        toolbar.grid(row=0, column=0, columnspan=2, sticky="w")
        self.recognize_button = _button(toolbar, "recognize", self.recognize)
        self.undo_button = _button(toolbar, "undo", self.undo)
        self.clear_button = _button(toolbar, "clear", self.clear)
        self.open_button = _button(toolbar, "open", self.open_dialog)
        tk.Checkbutton(toolbar, text=_caption("live"), variable=self.live,
                       command=self._live_toggled).pack(side="left", padx=(6, 12))
        tk.Label(toolbar, text=_caption("brush")).pack(side="left")
        self.brush_scale = tk.Scale(
            toolbar, from_=BRUSH_RANGE[0], to=BRUSH_RANGE[1], orient="horizontal",
            showvalue=True, length=140, variable=self.brush,
            command=lambda value: self.session.set_brush(float(value)))
        self.brush_scale.pack(side="left")

        # No border or highlight inside the canvas: canvas coordinates are then exactly the
        # Drawing's coordinates, whatever the screen's resolution or scaling.
        frame = tk.Frame(root, borderwidth=1, relief="solid", padx=0, pady=0)
        frame.grid(row=1, column=0, padx=(8, 0), sticky="nw")
        width, height = self.session.drawing.width, self.session.drawing.height
        self.canvas = tk.Canvas(frame, width=width, height=height,
                                background=display.PAD_COLOUR, borderwidth=0,
                                highlightthickness=0, cursor="pencil")
        self.canvas.pack()
        self.canvas.bind("<ButtonPress-1>", self.on_press)
        self.canvas.bind("<B1-Motion>", self.on_drag)
        self.canvas.bind("<ButtonRelease-1>", self.on_release)
        self.canvas.bind("<Map>", lambda event: self.write_state())
        root.bind("<Configure>", lambda event: event.widget is root and self.write_state())
        self.chart = tk.Canvas(root, width=CHART_WIDTH, height=height, borderwidth=0,
                               highlightthickness=0)
        self.chart.grid(row=1, column=1, padx=8, sticky="nw")

        full_width = width + 2 + 8 + CHART_WIDTH  # the canvas with its border, and the chart
        message_area = _fixed_area(root, full_width,
                                   MESSAGE_LINES * message_font.metrics("linespace") + 12)
        message_area.grid(row=2, column=0, columnspan=2, padx=8, sticky="w")
        self.results = tk.Label(message_area, anchor="nw", justify="left", font=MESSAGE_FONT,
                                pady=6, wraplength=full_width)
        self.results.pack(fill="both", expand=True)
        self._preview_text_width = plain_font.measure(WIDEST_PREVIEW_TEXT)
        self.preview_row = _fixed_area(root, full_width,
                                       28 * display.PREVIEW_SCALE + line + 2 * PREVIEW_PADDING)
        self.preview_row.grid(row=3, column=0, columnspan=2, padx=8, pady=(0, 8), sticky="w")

        save_row = tk.Frame(root, padx=8)
        save_row.grid(row=4, column=0, columnspan=2, pady=(0, 4), sticky="w")
        self.label_caption = tk.Label(save_row, text=_caption("label"), anchor="e",
                                      width=len(WIDEST_LABEL_CAPTION))
        self.label_caption.pack(side="left")
        self.label_box = tk.Spinbox(save_row, from_=0, to=9, width=3, textvariable=self.label,
                                    justify="center")
        self.label_box.pack(side="left", padx=(4, 6))
        self.label.trace_add("write", lambda *_: self.session.set_label(self.label.get()))
        self.why_button = tk.Button(save_row, text=WHY_OFF_TEXT, width=len(WHY_ON_TEXT),
                                    command=lambda: self.explain_why(not self.session.why))
        self._why_off_background = self.why_button.cget("background")
        self.why_button.pack(side="left", padx=(0, 12))
        self.save_button = _button(save_row, "save", self.save)
        self.undo_save_button = _button(save_row, "undo_save", self.undo_save)
        model_area = _fixed_area(root, full_width, line + 4)
        model_area.grid(row=5, column=0, columnspan=2, padx=8, pady=(0, 8), sticky="w")
        self.model_label = tk.Label(model_area, text="", anchor="w",
                                    foreground=display.QUIET_COLOUR)
        self.model_label.pack(fill="both", expand=True)

        root.bind("<Return>", lambda event: self.recognize())
        root.bind("<Control-z>", lambda event: self.undo())
        root.bind("<Control-o>", lambda event: self.open_dialog())
        root.bind("<Escape>", lambda event: self.clear())

    # Events (unit tests call these directly) --------------------------------------------

    def on_press(self, event) -> None:
        x, y = self.canvas.canvasx(event.x), self.canvas.canvasy(event.y)
        had_picture = self.session.picture is not None
        self.session.pen_down(x, y)
        if had_picture:  # the picture goes, and the pad says so
            self._redraw_ink()
            self.show()
        else:
            self._draw_boxes()  # the boxes of a stale reading go (live mode keeps them)
        radius = self.session.drawing.brush / 2
        self.canvas.create_oval(x - radius, y - radius, x + radius, y + radius,
                                fill=display.INK_COLOUR, outline="", tags="ink")

    def on_drag(self, event) -> None:
        x, y = self.canvas.canvasx(event.x), self.canvas.canvasy(event.y)
        previous = self.session.pen_move(x, y)
        if previous is not None:
            self.canvas.create_line(*previous, x, y, width=self.session.drawing.brush,
                                    fill=display.INK_COLOUR, capstyle="round", tags="ink")

    def on_release(self, event=None) -> None:
        if self.session.pen_up():
            self.refresh()  # live mode reads it

    def _live_toggled(self) -> None:
        self.session.set_live(self.live.get())
        self.refresh()

    def explain_why(self, on: bool = True) -> None:
        """Turn **Why?** on or off; the heat map is worked out in the worker thread."""
        self.session.set_why(on)
        self.refresh()

    def recognize(self) -> None:
        """Read the pad in the worker thread (once the model is loaded)."""
        self.session.ask_reading()
        self.refresh()

    def undo(self) -> None:
        if self.session.undo():
            self._redraw_ink()
        self.refresh()

    def clear(self) -> None:
        self.session.clear()
        self._redraw_ink()
        self.refresh()

    def open_dialog(self) -> None:
        """Ask for an image file and read it (**Open image…**)."""
        path = filedialog.askopenfilename(parent=self.root, title="Open an image of digits",
                                          filetypes=IMAGE_TYPES)
        if path:
            self.open_image(path)

    def open_image(self, source, name=None) -> bool:
        """Put a picture (a path, bytes or a PIL image) on the pad and read it."""
        opened = self.session.load_image(source, name)
        if opened:
            self._redraw_ink()
            self.session.ask_reading()
        self.refresh()
        return opened

    def select(self, index: int) -> None:
        """Choose the digit that Save saves; its label starts as the model's reading."""
        self.session.select(index)
        self.refresh()  # explained, while Why? is on

    def save(self, label=None):
        """Save the selected digit with ``label`` (default: the Label box); its new id."""
        example_id = self.session.save(label)
        self.show()
        return example_id

    def undo_save(self):
        """Remove the last example saved to your dataset; its id (None if there is none)."""
        removed = self.session.undo_save()
        self.show()
        return removed

    def _callback_failed(self, kind, error, trace) -> None:
        """Tk's hook for an exception in a callback: say it in the window, not only on stderr."""
        traceback.print_exception(kind, error, trace, file=sys.stderr)
        self.session.failure(error)
        self.show()

    # The worker thread ------------------------------------------------------------------

    def refresh(self) -> None:
        """The worker's loop, run after every event and, while the worker works, every
        ``POLL_MILLISECONDS``: hand a finished job back to the session, give the worker the
        session's next job, and show the state."""
        if self._running is not None and self._running[1].done():
            (job, future), self._running = self._running, None
            error = future.exception()
            if error is None:
                self.session.job_done(job, future.result())
            elif not self.session.job_failed(job, error):  # a bug: its details in the terminal
                traceback.print_exception(error, file=sys.stderr)
        if self._running is None and (job := self.session.next_job()) is not None:
            self._running = job, self.executor.submit(job.run)
        if self._running is not None and self._poll_id is None:
            self._poll_id = self.root.after(POLL_MILLISECONDS, self._poll)
        self.show()

    def _poll(self) -> None:
        self._poll_id = None
        self.refresh()

    # Showing the session ----------------------------------------------------------------

    def show(self) -> None:
        """Set every widget from the session's state: the results line, the model, the boxes
        on the canvas, the previews, Why?, the chart and the label."""
        session = self.session
        self.results.configure(text=session.message.text,
                               foreground=display.MESSAGE_COLOURS[session.message.kind] or "black")
        self.model_label.configure(text=session.model_text)
        if self._shown_picture is not session.picture:
            self._show_picture()
        self._draw_boxes()
        self._show_previews()
        self.why_button.configure(
            text=WHY_ON_TEXT if session.why else WHY_OFF_TEXT,
            relief="sunken" if session.why else "raised",
            background=display.WHY_ON_COLOUR if session.why else self._why_off_background)
        self._draw_chart()
        self.label_caption.configure(text=display.label_caption(session.detections,
                                                                session.selected))
        label = "" if session.label is None else str(session.label)
        if self.label.get() != label:
            self.label.set(label)
        self.write_state()

    def _show_previews(self) -> None:
        """A preview per reading, the selected one framed and, while Why? explains it, showing
        its heat map."""
        session = self.session
        if self._shown_reading is not session.detections:
            self._shown_reading = session.detections
            for widget in self.preview_row.winfo_children():
                widget.destroy()
            # the largest scale at which every preview fits (the results line names every digit)
            scale = display.preview_scale(len(session.detections),
                                          int(self.preview_row.cget("width")),
                                          self._preview_text_width, 2 * PREVIEW_PADDING + 2)
            self._photos = [ImageTk.PhotoImage(display.preview_image(reading.image28, scale),
                                               master=self.root) for reading in session.detections]
            for number, reading in enumerate(session.detections):
                preview = tk.Label(self.preview_row, image=self._photos[number], compound="top",
                                   text=display.label_text(reading), padx=PREVIEW_PADDING,
                                   foreground=display.colour(reading), pady=PREVIEW_PADDING,
                                   cursor="hand2", borderwidth=1)
                preview.pack(side="left")
                preview.bind("<Button-1>", lambda event, n=number: self.select(n))
        why, shown = session.explanation, self._why_photo  # kept until no preview shows it
        if why is not None and (shown is None or shown[0] is not why):
            scale = self._photos[session.selected].width() // 28
            self._why_photo = (why, ImageTk.PhotoImage(display.why_preview(why, scale),
                                                       master=self.root))
        for number, preview in enumerate(self.preview_row.winfo_children()):
            chosen = number == session.selected and len(session.detections) > 1
            preview.configure(relief="solid" if chosen else "flat")
            explained = why is not None and number == session.selected
            photo = self._why_photo[1] if explained else self._photos[number]
            if preview.cget("image") != str(photo):
                preview.configure(image=photo)
        if why is None:
            self._why_photo = None  # no preview shows it now

    def _show_picture(self) -> None:
        self._shown_picture, placed = self.session.picture, self.session.picture_on_pad
        self.canvas.delete("picture")
        if placed is not None:
            self._picture_photo = ImageTk.PhotoImage(placed[0], master=self.root)
            self.canvas.create_image(*placed[1], image=self._picture_photo, anchor="nw",
                                     tags="picture")
            self.canvas.tag_lower("picture")

    def _draw_boxes(self) -> None:
        self.canvas.delete("overlay")
        shown = self.session.overlay(self._measure)
        if shown.heat is not None:
            self._why_box_photo = ImageTk.PhotoImage(shown.heat[1], master=self.root)
            self.canvas.create_image(*shown.heat[0], image=self._why_box_photo, anchor="nw",
                                     tags=("overlay", "why"))
        for item, label in zip(shown.boxes, shown.labels, strict=True):
            left, top, right, bottom = label.spot
            self.canvas.create_rectangle(*item.box, outline=item.colour, width=item.line_width,
                                         dash=item.dash, tags="overlay")
            self.canvas.create_rectangle(left, top, right - 1, bottom - 1, fill=item.colour,
                                         outline=item.colour, tags="overlay")
            self.canvas.create_text((left + right) / 2, (top + bottom) / 2, text=label.text,
                                    fill=display.LABEL_TEXT_COLOUR, font=_label_font(label.pixels),
                                    anchor="center", tags="overlay")

    def _measure(self, text: str, pixels: int) -> tuple[int, int]:
        """(width, height) of a label's text in the canvas's label font."""
        font = tkfont.Font(self.root, font=_label_font(pixels))
        return font.measure(text), font.metrics("linespace")

    def _draw_chart(self) -> None:
        """The selected reading's probabilities beside the canvas: ten bars, as
        ``display.chart`` describes them (empty while nothing is selected)."""
        session, chart = self.session, self.chart
        chart.delete("all")
        if session.selected is None or not session.detections:
            return
        described = display.chart(session.detections[session.selected], session.selected)
        title = chart.create_text(0, 0, text=described.title, anchor="nw", font=CHART_FONT,
                                  width=CHART_WIDTH)
        top = chart.bbox(title)[3] + 4
        # the notes ("unsure: …", "next likeliest: …") at the bottom, as many lines as they wrap to
        height = int(chart.cget("height"))
        notes = chart.create_text(0, height, text=display.chart_notes(described), anchor="sw",
                                  font=CHART_FONT, width=CHART_WIDTH, fill=display.QUIET_COLOUR)
        row = ((chart.bbox(notes) or (0, height))[1] - 2 - top) // 10
        font = tkfont.Font(self.root, font=CHART_FONT)
        number_width = font.measure("0") + 6  # the digit left of a bar
        percent_width = font.measure("100.0%") + 6  # its probability right of it
        longest = CHART_WIDTH - number_width - percent_width
        for digit, probability, colour in described.bars:
            y = top + digit * row
            chart.create_text(0, y + row / 2, text=str(digit), anchor="w", font=CHART_FONT)
            chart.create_rectangle(number_width, y + 2,
                                   number_width + max(1, round(longest * probability)),
                                   y + row - 2, fill=colour, outline="")
            chart.create_text(CHART_WIDTH, y + row / 2, text=f"{100 * probability:.1f}%",
                              anchor="e", font=CHART_FONT)

    def _redraw_ink(self) -> None:
        """Draw the strokes again from the Drawing (after Undo, Clear or a picture)."""
        self.canvas.delete("ink")
        for stroke in self.session.drawing.strokes:
            radius = stroke.width / 2
            x, y = stroke.points[0]
            self.canvas.create_oval(x - radius, y - radius, x + radius, y + radius,
                                    fill=display.INK_COLOUR, outline="", tags="ink")
            if len(stroke.points) > 1:
                flat = [value for point in stroke.points for value in point]
                self.canvas.create_line(*flat, width=stroke.width, fill=display.INK_COLOUR,
                                        capstyle="round", joinstyle="round", tags="ink")
        self.canvas.tag_raise("overlay")

    def state(self) -> dict:
        """The session's state plus where the canvas, buttons and previews are on the screen
        and the window's size (for the end-to-end test)."""
        state = self.session.state()
        if self.canvas.winfo_ismapped():
            self.root.update_idletasks()  # lay out new previews before saying where they are
            state["canvas"] = [self.canvas.winfo_rootx(), self.canvas.winfo_rooty()]
            state["window"] = [self.root.winfo_width(), self.root.winfo_height()]
            state["buttons"] = {name: _centre(getattr(self, f"{name}_button")) for name in (
                "recognize", "undo", "clear", "open", "save", "undo_save", "why")}
            state["previews"] = [_centre(preview)
                                 for preview in self.preview_row.winfo_children()]
        return state

    def write_state(self) -> None:
        if self.state_file is not None:
            files.write_text_atomic(self.state_file, json.dumps(self.state(), indent=1))

    def close(self) -> None:
        """Stop the worker and close the window."""
        if self._poll_id is not None:
            self.root.after_cancel(self._poll_id)
            self._poll_id = None
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.root.destroy()


def _caption(name: str) -> str:
    return display.CONTROLS[name][0]


def _button(parent, name: str, command):
    """A button captioned as ``display.CONTROLS`` says, packed left to right."""
    button = tk.Button(parent, text=_caption(name), command=command)
    button.pack(side="left", padx=(0, 6))
    return button


def _label_font(pixels: int) -> tuple:
    """The labels' bold font; a negative size is in pixels, as ``display`` sizes labels."""
    return ("Helvetica", -pixels, "bold")


def _fixed_area(parent, width: int, height: int):
    """A frame of a fixed size in pixels: what it holds can change without resizing it."""
    area = tk.Frame(parent, width=width, height=height)
    area.pack_propagate(False)
    return area


def _centre(widget) -> list[int]:
    return [widget.winfo_rootx() + widget.winfo_width() // 2,
            widget.winfo_rooty() + widget.winfo_height() // 2]
