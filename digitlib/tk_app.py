"""A desktop drawing pad: draw digits with the mouse and read them with the shared Predictor.

Run it with ``python -m digitlib.tk_app`` (or ``make app``). The app records the mouse strokes
and rasterises them with Pillow (``digitlib.strokes``), so it never reads pixels from the screen
and works the same on any platform and any screen resolution. Reading runs in a worker thread,
so the window stays responsive while the model thinks.

The module has two layers:

- ``ReadingPad`` holds the logic without any widgets: the strokes, the predictor and the last
  reading, and the text of the results line.
- ``DigitApp`` builds the Tk window around a ``ReadingPad`` and turns mouse events and button
  clicks into calls on it.

After a reading, click a preview to select a digit, set its true label and press **Save** to
keep it in your own dataset (``data/my_digits/``, see ``digitlib.personal``); **Undo save**
removes the last example saved. ``--model personal`` reads with the model fine-tuned on them.
"""

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from digitlib import config, files, labels, strokes

try:  # Some Python builds come without Tk (pyenv without tk-dev, slim Docker images, ...).
    import tkinter as tk

    from PIL import ImageTk
except ImportError:
    tk = None

TITLE = "digits: draw and recognise"
CANVAS_WIDTH, CANVAS_HEIGHT = 560, 280  # the Drawing's pixels: room for several digits
DEFAULT_BRUSH = 18
POLL_MILLISECONDS = 30  # how often the main loop checks on the worker thread
PREVIEW_SCALE = 3  # 28x28 previews are shown at 84x84 (56x56 when there are many)
SURE_COLOUR, UNSURE_COLOUR, ERROR_COLOUR = "#009600", "#e67800", "#b00020"  # as predict.annotate

TKINTER_MISSING = """\
The desktop app needs tkinter, and this Python ({python}) was built without it.
Install Tk for the Python 3.11 that made .venv, then run `make app` again:
  Debian/Ubuntu:  sudo apt-get install python3-tk   (python3.11-tk for a deadsnakes Python)
  Fedora:         sudo dnf install python3-tkinter
  macOS:          brew install python-tk@3.11
  Windows:        re-run the python.org installer, choose Modify and tick "tcl/tk and IDLE"
  conda:          conda install tk
  pyenv:          install the Tk headers (e.g. sudo apt-get install tk-dev), then
                  pyenv install --force 3.11 and make clean setup
The notebook pad (make web, or notebook 06) needs no Tk."""

NO_DISPLAY = """\
The desktop app could not open a window: {error}
It needs a desktop session (on a server, run it under Xvfb or use the notebook pad: make web)."""

MODEL_HINT = "Train the model with `make model` (or pass --model PATH)."
NOTHING_TO_SAVE = "Nothing to save — draw a digit and press Recognize first."


def format_results(detections) -> str:
    """The results line, e.g. ``Read: 4 2 7  (98 %, 95 %, 61 % unsure)``."""
    if not detections:
        return "Read: nothing (draw a digit, bigger or darker)"
    digits = " ".join(str(detection.digit) for detection in detections)
    confidences = ", ".join(
        f"{round(100 * detection.confidence)} %" + (" unsure" if detection.unsure else "")
        for detection in detections
    )
    return f"Read: {digits}  ({confidences})"


def short_label(detection) -> str:
    """The label on a box, as ``predict.annotate`` writes it: ``4 98%``, or ``4? 61%``."""
    return f"{detection.digit}{'?' if detection.unsure else ''} {detection.confidence:.0%}"


def preview_image(image28, scale: int = PREVIEW_SCALE) -> Image.Image:
    """The 28x28 image the model saw (ink 1.0 on 0.0), scaled up with crisp pixels."""
    pixels = np.clip(np.asarray(image28, dtype=np.float32).reshape(28, 28), 0.0, 1.0)
    image = Image.fromarray(np.round(pixels * 255).astype(np.uint8), mode="L")
    return image.resize((28 * scale, 28 * scale), Image.Resampling.NEAREST)


class ReadingPad:
    """The app's state without widgets: strokes, predictor, last reading and status.

    ``version`` counts changes to the drawing, so a reading that arrives after the drawing
    changed is recognised as stale and never shown.
    """

    def __init__(self, predictor=None, width=CANVAS_WIDTH, height=CANVAS_HEIGHT,
                 brush=DEFAULT_BRUSH):
        self.drawing = strokes.Drawing(width, height, brush)
        self.predictor = predictor
        self.detections = []
        self.version = 0  # bumped on every change to the drawing
        self.read_version = None  # the version that ``detections`` describe
        self.status = "ready" if predictor is not None else "loading"
        self.error = None
        self.notice = None  # a message about saving, shown until the next change
        self.notice_is_error = False

    # Strokes ----------------------------------------------------------------------------

    def press(self, x, y) -> None:
        """Pen down at (x, y): start a stroke."""
        self.drawing.start(x, y)

    def drag(self, x, y):
        """Pen moved to (x, y); returns the previous point (to draw a segment), or None."""
        if not self.drawing.drawing:
            return None
        previous = self.drawing.strokes[-1].points[-1]
        self.drawing.extend(x, y)
        return previous

    def release(self) -> bool:
        """Pen up; returns True when a stroke was finished."""
        finished = self.drawing.end()
        if finished:
            self._changed()
        return finished

    def undo(self) -> bool:
        undone = self.drawing.undo()
        if undone:
            self._changed()
        return undone

    def clear(self) -> None:
        self.drawing.clear()
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        self.notice = None
        if self.status != "error":  # a failed reading is forgotten; a failed load is not
            self.error = None
        self.detections, self.read_version = [], None

    # Readings ---------------------------------------------------------------------------

    @property
    def is_read(self) -> bool:
        """True when ``detections`` describe the drawing as it is now."""
        return self.read_version == self.version

    def accept(self, version: int, detections) -> bool:
        """Keep a reading of drawing ``version``; returns False (and drops it) if stale."""
        if version != self.version:
            return False
        self.detections, self.read_version = list(detections), version
        self.notice = None
        if self.status != "error":
            self.error = None
        return True

    def results_line(self) -> str:
        """One line for the user: the reading, or what to do next."""
        if self.notice:  # the answer to the user's last action (Save, Undo save)
            return self.notice
        if self.error:
            return self.error
        if self.is_read and not self.drawing.is_empty:
            return format_results(self.detections)
        if self.status == "loading":
            return "Loading the model... (you can start drawing)"
        if self.drawing.is_empty:
            return "Draw digits with the mouse, then press Recognize."
        if self.status == "reading":
            return "Reading..."
        return "Press Recognize (or Enter) to read the drawing."

    def state(self) -> dict:
        """A JSON-ready summary, for ``--state-file`` and tests."""
        shown = self.detections if self.is_read else []
        return {
            "status": self.status,
            "results_line": self.results_line(),
            "error": self.error,
            "version": self.version,
            "read_version": self.read_version,
            "strokes": len(self.drawing.strokes),
            "digits": [int(detection.digit) for detection in shown],
            "confidences": [float(detection.confidence) for detection in shown],
            "unsure": [bool(detection.unsure) for detection in shown],
            "boxes": [[int(value) for value in detection.box] for detection in shown],
            "reasons": [getattr(detection, "reason", "") for detection in shown],
            "notice": self.notice,
        }


def load_predictor(model_path=None):
    """Load the shared Predictor (runs in the worker thread: importing Keras takes a while)."""
    from digitlib.predict import Predictor

    return Predictor.load(model_path) if model_path else Predictor.load()


def model_name(predictor) -> str:
    """The file name of the predictor's model, e.g. ``mnist_cnn.keras``."""
    path = getattr(predictor, "path", None)
    return Path(path).name if path is not None else "given in code"


def folder_text(folder: Path) -> str:
    """The dataset folder as the user knows it: ``data/my_digits`` inside the project."""
    try:
        return str(Path(folder).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(folder)


class DigitApp:
    """The Tk window: a canvas to draw on, buttons, the results line and 28x28 previews.

    ``model_path``: a model name ("default", "personal") or a file. ``personal_folder``: where
    Save puts your digits (default ``data/my_digits/``).
    """

    def __init__(self, root, predictor=None, model_path=None, live=False, state_file=None,
                 brush=DEFAULT_BRUSH, personal_folder=None):
        self.root = root
        self.pad = ReadingPad(predictor, brush=brush)
        self.model_path = model_path
        self.personal_folder = personal_folder
        self.selected = 0  # the digit that Save saves
        self.state_file = Path(state_file) if state_file else None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digits-predict")
        self._job = None  # (kind, drawing version, future) of the worker's current task
        self._read_wanted = False
        self._poll_id = None
        self._previews = []  # PhotoImages must stay referenced while shown
        self.live = tk.BooleanVar(root, value=live)
        self.brush = tk.IntVar(root, value=int(brush))
        self.label = tk.StringVar(root, value="")
        self._build_widgets()
        if predictor is None:
            self._submit("load", self.executor.submit(load_predictor, model_path))
        self.show()

    # Widgets ----------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        root = self.root
        root.title(TITLE)
        root.resizable(False, False)
        root.protocol("WM_DELETE_WINDOW", self.close)

        toolbar = tk.Frame(root, padx=8, pady=6)
        toolbar.pack(fill="x")
        self.recognize_button = tk.Button(toolbar, text="Recognize", command=self.recognize)
        self.undo_button = tk.Button(toolbar, text="Undo", command=self.undo)
        self.clear_button = tk.Button(toolbar, text="Clear", command=self.clear)
        for button in (self.recognize_button, self.undo_button, self.clear_button):
            button.pack(side="left", padx=(0, 6))
        tk.Checkbutton(toolbar, text="Live", variable=self.live,
                       command=self._live_toggled).pack(side="left", padx=(6, 12))
        tk.Label(toolbar, text="Brush").pack(side="left")
        tk.Scale(toolbar, from_=4, to=40, orient="horizontal", showvalue=True, length=140,
                 variable=self.brush, command=self._brush_changed).pack(side="left")

        # No border or highlight inside the canvas: canvas coordinates are then exactly the
        # Drawing's coordinates, whatever the screen's resolution or scaling.
        frame = tk.Frame(root, borderwidth=1, relief="solid", padx=0, pady=0)
        frame.pack(padx=8)
        self.canvas = tk.Canvas(frame, width=CANVAS_WIDTH, height=CANVAS_HEIGHT,
                                background="white", borderwidth=0, highlightthickness=0,
                                cursor="pencil")
        self.canvas.pack()
        self.canvas.bind("<ButtonPress-1>", self.on_press)
        self.canvas.bind("<B1-Motion>", self.on_drag)
        self.canvas.bind("<ButtonRelease-1>", self.on_release)
        self.canvas.bind("<Map>", lambda event: self.write_state())
        root.bind("<Configure>", lambda event: event.widget is root and self.write_state())

        self.results = tk.Label(root, anchor="w", justify="left", font=("Helvetica", 14),
                                padx=8, pady=6, wraplength=CANVAS_WIDTH)
        self.results.pack(fill="x")
        self.preview_row = tk.Frame(root, padx=8)
        self.preview_row.pack(fill="x", pady=(0, 8))

        save_row = tk.Frame(root, padx=8)
        save_row.pack(fill="x", pady=(0, 8))
        self.label_caption = tk.Label(save_row, text="Label:")
        self.label_caption.pack(side="left")
        self.label_box = tk.Spinbox(save_row, from_=0, to=9, width=3, textvariable=self.label,
                                    justify="center")
        self.label_box.pack(side="left", padx=(4, 6))
        self.save_button = tk.Button(save_row, text="Save", command=self.save)
        self.undo_save_button = tk.Button(save_row, text="Undo save", command=self.undo_save)
        for button in (self.save_button, self.undo_save_button):
            button.pack(side="left", padx=(0, 6))
        self.model_label = tk.Label(save_row, text="", foreground="#555555")
        self.model_label.pack(side="right")

        root.bind("<Return>", lambda event: self.recognize())
        root.bind("<Control-z>", lambda event: self.undo())
        root.bind("<Escape>", lambda event: self.clear())

    # Event handlers (unit tests call these directly) ------------------------------------

    def on_press(self, event) -> None:
        x, y = self.canvas.canvasx(event.x), self.canvas.canvasy(event.y)
        self.pad.press(x, y)
        radius = self.pad.drawing.brush / 2
        self.canvas.create_oval(x - radius, y - radius, x + radius, y + radius,
                                fill="black", outline="", tags="ink")

    def on_drag(self, event) -> None:
        x, y = self.canvas.canvasx(event.x), self.canvas.canvasy(event.y)
        previous = self.pad.drag(x, y)
        if previous is not None:
            self.canvas.create_line(*previous, x, y, width=self.pad.drawing.brush, fill="black",
                                    capstyle="round", tags="ink")

    def on_release(self, event=None) -> None:
        if self.pad.release():
            if self.live.get():
                self.recognize()
            else:
                self.show()

    def recognize(self) -> None:
        """Read the drawing in the worker thread; ``_poll`` shows the result when it is done."""
        if not self.pad.drawing.is_empty and not self.pad.is_read:
            self._read_wanted = True
            self._start_reading()
        self.show()

    def undo(self) -> None:
        if self.pad.undo():
            self._redraw_ink()
            self._after_edit()

    def clear(self) -> None:
        self.pad.clear()
        self.canvas.delete("ink")
        self._after_edit()

    def _after_edit(self) -> None:
        if self.live.get():
            self.recognize()
        else:
            self.show()

    def _live_toggled(self) -> None:
        if self.live.get():
            self.recognize()

    def _brush_changed(self, value) -> None:
        self.pad.drawing.brush = float(value)

    # The worker thread ------------------------------------------------------------------

    def _submit(self, kind: str, future, version=None) -> None:
        self._job = (kind, version, future)
        if self._poll_id is None:
            self._poll_id = self.root.after(POLL_MILLISECONDS, self._poll)

    def _start_reading(self) -> None:
        """Start the wanted reading if the worker is free and the model is loaded."""
        if not self._read_wanted or self._job is not None or self.pad.predictor is None:
            return
        self._read_wanted = False
        if self.pad.drawing.is_empty or self.pad.is_read:
            return
        image = self.pad.drawing.to_image()  # rasterised here: the worker never sees the pad
        future = self.executor.submit(self.pad.predictor.predict_digits, image)
        self.pad.status = "reading"
        self._submit("read", future, self.pad.version)

    def _poll(self) -> None:
        """Runs in the Tk main loop: collect the worker's result once it is ready."""
        self._poll_id = None
        kind, version, future = self._job
        if not future.done():
            self._poll_id = self.root.after(POLL_MILLISECONDS, self._poll)
            return
        self._job = None
        self.pad.status = "ready"
        try:
            result = future.result()
        except Exception as error:  # shown in the window rather than lost in a thread
            self._failed(kind, error)
        else:
            if kind == "load":
                self.pad.predictor = result
            elif not self.pad.accept(version, result):
                self._read_wanted = True  # the drawing changed meanwhile: read it again
            elif self.pad.detections:
                self.select(0, show=False)
        self._start_reading()
        self.show()

    def _failed(self, kind: str, error: Exception) -> None:
        if kind == "load":
            message = str(error) or type(error).__name__
            if "make model" not in message and "finetune" not in message:
                message = f"{message}\n{MODEL_HINT}"
            self.pad.status, self.pad.error = "error", f"Could not load the model: {message}"
        else:
            self.pad.error = f"Could not read the drawing: {type(error).__name__}: {error}"
        print(self.pad.error, file=sys.stderr)

    # Your own digits --------------------------------------------------------------------

    def select(self, index: int, show: bool = True) -> None:
        """Choose the digit that Save saves; its label starts as the model's reading."""
        detections = self.pad.detections
        if not 0 <= index < len(detections):
            raise IndexError(f"there are {len(detections)} digits, no digit #{index + 1}")
        self.selected = index
        self.label.set(str(detections[index].digit))
        if show:
            self.show()

    def _say(self, text: str, error: bool = False) -> None:
        self.pad.notice, self.pad.notice_is_error = text, error
        self.show()

    def save(self, label=None):
        """Save the selected digit with ``label`` (default: the Label box) to your dataset;
        returns the new example's id, or None after saying why nothing was saved."""
        from digitlib.personal import PersonalDigits

        pad = self.pad
        if pad.drawing.is_empty or not pad.is_read or not pad.detections:
            self._say(NOTHING_TO_SAVE)
            return None
        if label is None:
            text = self.label.get().strip()
            label = int(text) if text.isdigit() else text
        detection = pad.detections[min(self.selected, len(pad.detections) - 1)]
        try:
            mine = PersonalDigits(self.personal_folder)
            example_id = mine.save_detection(detection, label, pad.drawing.to_image())
            count = len(mine)
        except ValueError as error:  # a bad label or image, or a damaged dataset
            self._say(f"Not saved — {error}", error=True)
            return None
        self._say(f"Saved as {label} ({count} example{'s' if count != 1 else ''} "
                  f"in {folder_text(mine.folder)})")
        return example_id

    def undo_save(self):
        """Remove the last example saved to your dataset; returns its id (None if empty)."""
        from digitlib.personal import PersonalDigits

        try:
            mine = PersonalDigits(self.personal_folder)
            removed = mine.delete_last()
            count = len(mine)
        except ValueError as error:
            self._say(f"Could not undo the save — {error}", error=True)
            return None
        if removed is None:
            self._say(f"Nothing to undo — no saved examples in {folder_text(mine.folder)}.")
        else:
            self._say(f"Removed the last saved example ({count} left in "
                      f"{folder_text(mine.folder)}).")
        return removed

    def model_text(self) -> str:
        if self.pad.predictor is not None:
            return f"Model: {model_name(self.pad.predictor)}"
        expected = config.model_path(self.model_path).name
        return f"Model: {expected} ({'not loaded' if self.pad.status == 'error' else 'loading'})"

    # Showing the results ----------------------------------------------------------------

    def show(self) -> None:
        """Bring the results line, the boxes on the canvas and the previews up to date."""
        error = self.pad.error or (self.pad.notice and self.pad.notice_is_error)
        colour = ERROR_COLOUR if error else "black"
        self.results.configure(text=self.pad.results_line(), foreground=colour)
        self.model_label.configure(text=self.model_text())
        self.canvas.delete("overlay")
        for widget in self.preview_row.winfo_children():
            widget.destroy()
        self._previews = []
        shown = self.pad.is_read and self.pad.detections
        if shown:
            placed = []
            for number, detection in enumerate(self.pad.detections):
                self._draw_box(detection, placed)
                self._add_preview(detection, number)
        self.label_caption.configure(
            text=f"Label of #{self.selected + 1}:" if shown and len(self.pad.detections) > 1
            else "Label:")
        self.write_state()

    def _draw_box(self, detection, placed) -> None:
        """The box and label of one detection; ``placed`` collects the label spots so far."""
        colour = UNSURE_COLOUR if detection.unsure else SURE_COLOUR
        box = tuple(int(v) for v in np.add(detection.box, (-4, -4, 4, 4)))  # a little margin
        self.canvas.create_rectangle(*box, outline=colour, width=2, tags="overlay")
        text = self.canvas.create_text(0, 0, text=short_label(detection), anchor="nw",
                                       fill="white", font=("Helvetica", 11, "bold"),
                                       tags="overlay")
        x0, y0, x1, y1 = self.canvas.bbox(text)
        size = (x1 - x0 + 6, y1 - y0 + 2)
        image_size = (self.pad.drawing.width, self.pad.drawing.height)
        placed.append(labels.place(box, size, image_size, placed))
        spot = placed[-1]
        self.canvas.moveto(text, spot[0] + 3, spot[1] + 1)
        background = self.canvas.create_rectangle(spot[0], spot[1], spot[2] - 1, spot[3] - 1,
                                                  fill=colour, outline=colour, tags="overlay")
        self.canvas.tag_lower(background, text)

    def _add_preview(self, detection, number: int = 0) -> None:
        scale = PREVIEW_SCALE if len(self.pad.detections) <= 6 else 2
        photo = ImageTk.PhotoImage(preview_image(detection.image28, scale), master=self.root)
        self._previews.append(photo)
        colour = UNSURE_COLOUR if detection.unsure else SURE_COLOUR
        chosen = number == self.selected and len(self.pad.detections) > 1
        preview = tk.Label(self.preview_row, image=photo, compound="top", foreground=colour,
                           text=short_label(detection), padx=4, cursor="hand2",
                           relief="solid" if chosen else "flat", borderwidth=1)
        preview.pack(side="left")
        preview.bind("<Button-1>", lambda event, n=number: self.select(n))

    def _redraw_ink(self) -> None:
        """Draw the strokes again from the Drawing (after Undo)."""
        self.canvas.delete("ink")
        for stroke in self.pad.drawing.strokes:
            radius = stroke.width / 2
            x, y = stroke.points[0]
            self.canvas.create_oval(x - radius, y - radius, x + radius, y + radius,
                                    fill="black", outline="", tags="ink")
            if len(stroke.points) > 1:
                flat = [value for point in stroke.points for value in point]
                self.canvas.create_line(*flat, width=stroke.width, fill="black",
                                        capstyle="round", joinstyle="round", tags="ink")
        self.canvas.tag_raise("overlay")

    def state(self) -> dict:
        """The pad's state plus where the canvas and buttons are on the screen (for tests)."""
        state = self.pad.state()
        state["model"] = self.model_text()
        state["selected"] = self.selected
        if self.canvas.winfo_ismapped():
            state["canvas"] = [self.canvas.winfo_rootx(), self.canvas.winfo_rooty()]
            state["buttons"] = {
                name: [button.winfo_rootx() + button.winfo_width() // 2,
                       button.winfo_rooty() + button.winfo_height() // 2]
                for name, button in (("recognize", self.recognize_button),
                                     ("undo", self.undo_button), ("clear", self.clear_button))
            }
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitlib.tk_app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model name (default, personal: made by "
                        "`python -m digitlib finetune`) or path "
                        f"(default {config.DEFAULT_MODEL_PATH})")
    parser.add_argument("--live", action="store_true", help="read after every stroke")
    parser.add_argument("--brush", type=int, default=DEFAULT_BRUSH, help="brush width, 4-40")
    parser.add_argument("--state-file", help="write the app's state as JSON here after changes")
    arguments = parser.parse_args(argv)
    if not 4 <= arguments.brush <= 40:
        parser.error(f"--brush must be from 4 to 40, got {arguments.brush}")

    if tk is None:
        print(TKINTER_MISSING.format(python=sys.executable), file=sys.stderr)
        return 2
    try:
        root = tk.Tk()
    except tk.TclError as error:
        print(NO_DISPLAY.format(error=error), file=sys.stderr)
        return 1
    DigitApp(root, model_path=arguments.model, live=arguments.live,
             state_file=arguments.state_file, brush=arguments.brush)
    root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
