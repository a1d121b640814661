"""The drawing pad of notebook 06 and the Voilà page: draw digits, let the model read them.

``DrawingPad`` is built from ipywidgets and ipycanvas. It records the strokes from the mouse and
touch events in Python (``digitlib.strokes.Drawing``) and rasterises them with Pillow, so it
never reads pixels back from the browser: no ``sync_image_data``, no ``get_image_data``. Every
prediction goes through ``digitlib.predict.Predictor``; the boxes and labels on the overlay
come from its ``Detection`` objects. Errors in callbacks are shown in an ``Output`` widget
instead of vanishing into the kernel log.

    from digitlib.widget import DrawingPad
    pad = DrawingPad()
    pad
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import traceback
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from ipycanvas import MultiCanvas, hold_canvas
from ipycanvas import canvas as ipycanvas_canvas
from PIL import Image, ImageOps

from digitlib import labels
from digitlib.strokes import Drawing

INK_COLOUR = "#000000"
PAD_COLOUR = "#ffffff"
FRAME_COLOUR = "#b0b0b0"
SURE_COLOUR = "#0a8f3c"  # green box and label: the model is confident
UNSURE_COLOUR = "#e06c00"  # orange, dashed, with "?": the model is unsure
LABEL_FONT = "bold 16px sans-serif"
LABEL_HEIGHT = 22
PREVIEW_SIZE = 84  # the 28x28 image the model saw, shown 3x with NEAREST

MESSAGE_START = "Draw one or more digits in the white box, then press <b>Recognize</b>."
MESSAGE_BLANK = "Nothing drawn yet — draw a digit in the white box."


@dataclass(frozen=True)
class OverlayItem:
    """One box and label drawn on the overlay layer, in canvas pixels."""

    box: tuple[float, float, float, float]  # left, top, right, bottom
    label: str
    unsure: bool


def _percent(probability: float) -> str:
    return f"{round(100 * float(probability))} %"


def label_for(detection) -> str:
    """The overlay label of one detection: ``"7 · 98 %"``, or ``"7? · 61 %"`` when unsure."""
    mark = "?" if detection.unsure else ""
    return f"{detection.digit}{mark} · {_percent(detection.confidence)}"


def preview_png(image28) -> bytes:
    """PNG bytes of a 28x28 model input (white ink on black, 0-1 or 0-255), upscaled 3x."""
    pixels = np.asarray(image28, dtype=np.float32).squeeze()
    if pixels.ndim != 2:
        raise ValueError(f"expected a 28x28 image, got shape {pixels.shape}")
    if pixels.max(initial=0.0) > 1.5:  # 0-255 rather than 0-1
        pixels = pixels / 255.0
    grey = (np.clip(pixels, 0.0, 1.0) * 255).round().astype(np.uint8)
    image = Image.fromarray(grey, "L").resize((PREVIEW_SIZE, PREVIEW_SIZE), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def flatten_upload(image: Image.Image) -> Image.Image:
    """An uploaded picture as greyscale: phone rotation applied, transparency made white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image.convert("RGBA"))
    return image.convert("L")


@contextlib.contextmanager
def batched():
    """``hold_canvas()``: send the drawing commands in one message. Unlike ``hold_canvas``
    itself (ipycanvas 0.14), an exception inside does not leave every later command held back
    forever, which would freeze the pad without a word."""
    manager = ipycanvas_canvas._CANVAS_MANAGER
    was_holding = manager._caching
    try:
        with hold_canvas():
            yield
    finally:
        if not was_holding and manager._caching:  # the body raised: send what was drawn
            manager.flush()
            manager._caching = False


class DrawingPad(widgets.VBox):
    """Draw digits with the mouse (or a finger); the model reads each one.

    ``predictor`` is a ``digitlib.predict.Predictor`` (or anything with its ``predict_digits``);
    by default ``Predictor.load(model)`` is used, ``model`` being a model name ("default",
    "personal") or a path (``model_path`` is the older spelling of the same). ``live=True``
    recognizes at the end of every stroke.

    After a reading, pick the true digit under **Label:** and press **Save** to keep the
    selected digit in your own dataset (``personal_folder``, default ``data/my_digits/``);
    **Undo save** removes the last example saved.
    """

    def __init__(self, predictor=None, *, model="default", model_path=None,
                 personal_folder=None, width: int = 560, height: int = 280,
                 brush: int = 18, live: bool = False):
        self._predictor = predictor
        self._model_path = model if model_path is None else model_path
        self.personal_folder = personal_folder
        self._read_image: Image.Image | None = None  # the picture the detections come from
        self.drawing = Drawing(width, height, brush)
        self.detections: list = []
        self.selected: int | None = None
        self.overlay_items: list[OverlayItem] = []
        self.last_error: str | None = None
        self._upload: Image.Image | None = None  # the uploaded picture shown instead of ink
        self._placement = (1.0, 0, 0)  # scale, x and y offset of the upload on the canvas

        self.canvas = MultiCanvas(
            3, width=width, height=height,
            # a fixed size: stretched to the output width, mouse positions would not match
            layout=widgets.Layout(width=f"{width}px", height=f"{height}px",
                                  min_width=f"{width}px", min_height=f"{height}px"),
        )
        self.canvas.add_class("digits-canvas")
        self._background, self._ink, self._overlay = self.canvas[0], self.canvas[1], self.canvas[2]

        self.recognize_button = self._button("Recognize", "search", "digits-recognize",
                                             "Read the digits on the pad", "primary")
        self.undo_button = self._button("Undo", "undo", "digits-undo", "Remove the last stroke")
        self.clear_button = self._button("Clear", "eraser", "digits-clear", "Start again")
        self.live_box = widgets.Checkbox(value=live, description="Live", indent=False,
                                         tooltip="Recognize at the end of each stroke",
                                         layout=widgets.Layout(width="70px"))
        self.live_box.add_class("digits-live")
        self.brush_slider = widgets.IntSlider(value=int(brush), min=4, max=40, step=1,
                                              description="Brush", continuous_update=False,
                                              layout=widgets.Layout(width="240px"))
        self.brush_slider.add_class("digits-brush")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False,
                                         description="Upload image")
        self.upload.add_class("digits-upload")
        self.model_label = widgets.HTML("")
        self.model_label.add_class("digits-model")
        self.label_choice = widgets.Dropdown(options=[(str(digit), digit) for digit in range(10)],
                                             value=0, description="Label:",
                                             tooltip="The true digit of the selected reading",
                                             layout=widgets.Layout(width="130px"))
        self.label_choice.style.description_width = "45px"
        self.label_choice.add_class("digits-label")
        self.save_button = self._button("Save", "save", "digits-save",
                                        "Save the selected digit with this label to your "
                                        "own dataset")
        self.undo_save_button = self._button("Undo save", "trash", "digits-undo-save",
                                             "Remove the last example saved")

        self.message = widgets.HTML(MESSAGE_START)
        self.message.add_class("digits-result")
        self.previews = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.previews.add_class("digits-previews")
        self.chart = widgets.HTML("")
        self.chart.add_class("digits-probabilities")
        self.errors = widgets.Output(layout=widgets.Layout(max_height="240px", overflow="auto"))
        self.errors.add_class("digits-errors")

        self.recognize_button.on_click(self._guard(lambda _: self.recognize()))
        self.undo_button.on_click(self._guard(lambda _: self.undo()))
        self.clear_button.on_click(self._guard(lambda _: self.clear()))
        self.live_box.observe(self._guard(self._on_live), names="value")
        self.brush_slider.observe(self._guard(self._on_brush), names="value")
        self.upload.observe(self._guard(self._on_upload), names="value")
        self.save_button.on_click(self._guard(lambda _: self.save()))
        self.undo_save_button.on_click(self._guard(lambda _: self.undo_save()))
        self.canvas.on_mouse_down(self._guard(self._on_mouse_down))
        self.canvas.on_mouse_move(self._guard(self._on_mouse_move))
        self.canvas.on_mouse_up(self._guard(self._on_mouse_up))
        self.canvas.on_mouse_out(self._guard(self._on_mouse_out))
        self.canvas.on_touch_start(self._guard(self._on_touch_start))
        self.canvas.on_touch_move(self._guard(self._on_touch_move))
        self.canvas.on_touch_end(self._guard(self._on_touch_end))
        self.canvas.on_touch_cancel(self._guard(self._on_touch_end))
        # a new browser view starts blank: draw everything again for it
        self.canvas.on_client_ready(self._guard(self.redraw))

        upload_row = widgets.HBox([
            widgets.HTML("Canvas not working in your front end? Upload a picture of digits:"),
            self.upload,
        ], layout=widgets.Layout(align_items="center", grid_gap="8px"))
        super().__init__([
            widgets.HBox([self.recognize_button, self.undo_button, self.clear_button,
                          self.live_box, self.brush_slider, self.model_label],
                         layout=widgets.Layout(align_items="center", grid_gap="6px",
                                               flex_flow="row wrap")),
            self.canvas,
            self.message,
            widgets.HBox([self.previews, self.chart], layout=widgets.Layout(grid_gap="24px")),
            widgets.HBox([self.label_choice, self.save_button, self.undo_save_button],
                         layout=widgets.Layout(align_items="center", grid_gap="6px")),
            upload_row,
            self.errors,
        ])
        self.add_class("digits-pad")
        self.redraw()
        if predictor is None:
            self._guard(self._load_model)()  # load now, so the first stroke is quick
        self._show_model()

    # ----------------------------------------------------------------------------- helpers

    @staticmethod
    def _button(description, icon, css_class, tooltip, style=""):
        button = widgets.Button(description=description, icon=icon, tooltip=tooltip,
                                button_style=style, layout=widgets.Layout(width="auto"))
        button.add_class(css_class)
        return button

    def _guard(self, callback):
        """Wrap a widget callback so an exception is shown, not lost in the kernel log."""

        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - every error must reach the learner
                self.last_error = f"{type(error).__name__}: {error}"
                self.errors.append_stderr(traceback.format_exc())
                self._set_message(
                    f"Something went wrong — {html.escape(self.last_error)} (details below)",
                    "error")
                return None

        return guarded

    def _set_message(self, text_html: str, kind: str = "info") -> None:
        colour = {"error": "#b00020", "warning": UNSURE_COLOUR, "empty": "#555555"}.get(kind)
        style = f' style="color:{colour}"' if colour else ""
        self.message.value = (f'<span class="digits-message digits-message-{kind}"{style}>'
                              f"{text_html}</span>")

    @property
    def message_text(self) -> str:
        """The message shown under the pad, as plain text."""
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.message.value))

    @property
    def predictor(self):
        """The ``Predictor`` in use, loaded on first need."""
        if self._predictor is None:
            from digitlib.predict import Predictor

            if self._model_path is None:
                self._predictor = Predictor.load()
            else:
                self._predictor = Predictor.load(self._model_path)
            self._show_model()
        return self._predictor

    @property
    def model_name(self) -> str:
        """The active model's file name, e.g. ``mnist_cnn.keras`` (or why there is none)."""
        if self._predictor is None:
            return "none loaded"
        path = getattr(self._predictor, "path", None)
        return Path(path).name if path is not None else "given in code"

    def _show_model(self) -> None:
        self.model_label.value = (f'<span title="the model reading your digits">Model: '
                                  f"<b>{html.escape(self.model_name)}</b></span>")

    def _load_model(self):
        """The predictor, or None after saying in the message area why there is none."""
        try:
            return self.predictor
        except (FileNotFoundError, ValueError) as error:  # no model file, or not a digit model
            self._set_message(f"No model to read digits with — {html.escape(str(error))}",
                              "error")
            return None

    @property
    def live(self) -> bool:
        return bool(self.live_box.value)

    @live.setter
    def live(self, value: bool) -> None:
        self.live_box.value = bool(value)

    # ------------------------------------------------------------------------- pointer events

    def _on_mouse_down(self, x, y):
        if self._upload is not None:  # drawing again replaces the uploaded picture
            self._upload = None
            self._draw_background()
        if not self.live:
            self._clear_results()
        self.drawing.start(x, y)
        with batched():
            self._ink.fill_style = INK_COLOUR
            self._ink.fill_circle(x, y, self.drawing.brush / 2)

    def _on_mouse_move(self, x, y):
        if not self.drawing.drawing:
            return
        last_x, last_y = self.drawing.strokes[-1].points[-1]
        self.drawing.extend(x, y)
        with batched():
            self._ink.stroke_style = INK_COLOUR
            self._ink.line_width = self.drawing.brush
            self._ink.line_cap = "round"
            self._ink.stroke_line(last_x, last_y, x, y)

    def _on_mouse_up(self, x, y):
        if self.drawing.drawing and (x, y) != self.drawing.strokes[-1].points[-1]:
            self._on_mouse_move(x, y)
        self._end_stroke()

    def _on_mouse_out(self, x, y):
        self._end_stroke()  # the pen left the pad: the stroke ends there

    def _on_touch_start(self, touches):
        if touches:
            self._on_mouse_down(*touches[0])

    def _on_touch_move(self, touches):
        if touches:
            self._on_mouse_move(*touches[0])

    def _on_touch_end(self, touches):
        self._end_stroke()

    def _end_stroke(self):
        if not self.drawing.end():
            return
        if self.live:
            self.recognize()
        else:
            count = len(self.drawing.strokes)
            self._set_message(f"{count} stroke{'s' if count != 1 else ''} drawn — press "
                              "<b>Recognize</b> (or tick <b>Live</b>).")

    # --------------------------------------------------------------------------- other events

    def _on_live(self, change):
        if change["new"] and (self._upload is not None or not self.drawing.is_empty):
            self.recognize()

    def _on_brush(self, change):
        self.drawing.brush = change["new"]

    def _on_upload(self, change):
        files = change["new"]
        if not files:
            return
        upload = files[0]
        name = upload["name"]
        try:
            picture = Image.open(io.BytesIO(bytes(upload["content"])))
            picture.load()
        except (OSError, ValueError) as error:
            self._set_message(f"Could not open {html.escape(name)} as an image: "
                              f"{html.escape(str(error))}", "error")
            return
        finally:
            self.upload.value = ()  # so the same file can be uploaded again
        self.show_image(picture)

    # ----------------------------------------------------------------------------- actions

    def clear(self) -> None:
        """Wipe the pad, the uploaded picture and the results."""
        self.drawing.clear()
        self._upload = None
        self._clear_results()
        self.redraw()
        self._set_message(MESSAGE_START)

    def undo(self) -> None:
        """Remove the last stroke."""
        if not self.drawing.undo():
            self._set_message("Nothing to undo.", "empty")
            return
        self._redraw_ink()
        if self.drawing.is_empty:
            self._clear_results()
            self._set_message(MESSAGE_BLANK, "empty")
        elif self.live:
            self.recognize()
        else:
            self._clear_results()
            self._set_message("Last stroke removed — press <b>Recognize</b>.")

    def show_image(self, picture: Image.Image) -> list:
        """Show a picture (for example an upload) on the pad instead of ink, and read it."""
        picture = flatten_upload(picture)
        self.drawing.clear()
        self._upload = picture
        scale = min(self.drawing.width / picture.width, self.drawing.height / picture.height)
        shown = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        self._placement = (scale, (self.drawing.width - shown[0]) // 2,
                           (self.drawing.height - shown[1]) // 2)
        self._clear_results()
        self.redraw()
        return self.recognize()

    def recognize(self) -> list:
        """Read the digits drawn (or uploaded); show boxes, labels, previews and probabilities."""
        if self._upload is not None:
            image, placement = self._upload, self._placement
        elif self.drawing.is_empty:
            self._show_detections([], (1.0, 0, 0))
            self._set_message(MESSAGE_BLANK, "empty")
            return []
        else:
            image, placement = self.drawing.to_image(), (1.0, 0, 0)
        predictor = self._load_model()
        if predictor is None:
            self._show_detections([], placement)
            return []
        try:
            detections = list(predictor.predict_digits(image))
        except (ValueError, TypeError) as error:  # the predictor's words for bad input
            self._show_detections([], placement)
            self._set_message(f"Could not read this image: {html.escape(str(error))}", "error")
            return []
        self._show_detections(detections, placement)
        self._read_image = image if detections else None
        if not detections:
            self._set_message("No digit found — draw bigger, with a thicker brush.", "empty")
            return []
        digits = " ".join(str(d.digit) for d in detections)
        confidences = ", ".join(_percent(d.confidence) + (" unsure" if d.unsure else "")
                                for d in detections)
        text = f"<b>Read: {digits}</b> &nbsp;({confidences})"
        unsure = sum(bool(d.unsure) for d in detections)
        if unsure:
            which = "it" if len(detections) == 1 else f"{unsure} of them"
            text += (f" — the model is unsure about {which} (orange, marked ?): try drawing "
                     "bigger and clearer, each digit in its own space.")
        self._set_message(text, "warning" if unsure else "result")
        return detections

    def select(self, index: int) -> None:
        """Show the probabilities of detection ``index`` and highlight it."""
        if not 0 <= index < len(self.detections):
            raise IndexError(f"there are {len(self.detections)} digits, no digit #{index + 1}")
        self.selected = index
        self.label_choice.value = int(self.detections[index].digit)
        for number, preview in enumerate(self.previews.children):
            preview.children[1].button_style = "info" if number == index else ""
        self._draw_overlay()
        self.chart.value = self._chart_html(index)

    # ------------------------------------------------------------------- your own digits

    def _folder_text(self, mine) -> str:
        from digitlib import config

        with contextlib.suppress(ValueError):
            return str(mine.folder.resolve().relative_to(config.ROOT))
        return str(mine.folder)

    def save(self, label=None) -> str | None:
        """Save the selected digit with ``label`` (default: the **Label:** choice) to your
        dataset; returns the new example's id, or None after saying why nothing was saved."""
        if not self.detections or self.selected is None or self._read_image is None:
            self._set_message("Nothing to save — draw a digit and press <b>Recognize</b> "
                              "first.", "empty")
            return None
        from digitlib.personal import PersonalDigits

        label = self.label_choice.value if label is None else label
        detection = self.detections[self.selected]
        try:
            mine = PersonalDigits(self.personal_folder)
            example_id = mine.save_detection(detection, label, self._read_image)
            count = len(mine)
        except ValueError as error:  # a bad label or image, or a damaged dataset
            self._set_message(f"Not saved — {html.escape(str(error))}", "error")
            return None
        self._set_message(f"Saved as <b>{html.escape(str(label))}</b> ({count} example"
                          f"{'s' if count != 1 else ''} in "
                          f"{html.escape(self._folder_text(mine))})", "result")
        return example_id

    def undo_save(self) -> str | None:
        """Remove the last example saved to your dataset; returns its id (None if empty)."""
        from digitlib.personal import PersonalDigits

        try:
            mine = PersonalDigits(self.personal_folder)
            removed = mine.delete_last()
            count = len(mine)
        except ValueError as error:
            self._set_message(f"Could not undo the save — {html.escape(str(error))}", "error")
            return None
        folder = html.escape(self._folder_text(mine))
        if removed is None:
            self._set_message(f"Nothing to undo — no saved examples in {folder}.", "empty")
        else:
            self._set_message(f"Removed the last saved example ({count} left in {folder}).")
        return removed

    # ----------------------------------------------------------------------------- results

    def _clear_results(self) -> None:
        self._read_image = None
        self.detections, self.selected, self.overlay_items = [], None, []
        self.previews.children = ()
        self.chart.value = ""
        self._overlay.clear()

    def _show_detections(self, detections, placement) -> None:
        scale, dx, dy = placement
        self.detections = detections
        self.overlay_items = [
            OverlayItem(tuple(float(v) for v in (left * scale + dx, top * scale + dy,
                                                 right * scale + dx, bottom * scale + dy)),
                        label_for(d), bool(d.unsure))
            for d in detections for left, top, right, bottom in [d.box]
        ]
        previews = []
        for number, detection in enumerate(detections):
            image = widgets.Image(value=preview_png(detection.image28), format="png",
                                  width=PREVIEW_SIZE, height=PREVIEW_SIZE)
            button = widgets.Button(description=f"#{number + 1}: {label_for(detection)}",
                                    tooltip="Show this digit's probabilities",
                                    layout=widgets.Layout(width=f"{PREVIEW_SIZE + 40}px"))
            button.on_click(self._guard(lambda _, n=number: self.select(n)))
            preview = widgets.VBox([image, button],
                                   layout=widgets.Layout(align_items="center"))
            preview.add_class("digits-preview")
            previews.append(preview)
        self.previews.children = previews
        if detections:
            self.select(0)
        else:
            self.selected = None
            self.chart.value = ""
            self._draw_overlay()

    def _chart_html(self, index: int) -> str:
        detection = self.detections[index]
        probabilities = np.asarray(detection.probabilities, dtype=float).ravel()
        colour = UNSURE_COLOUR if detection.unsure else SURE_COLOUR
        rows = []
        for digit, probability in enumerate(probabilities):
            bar_colour = colour if digit == detection.digit else "#9aa5b1"
            rows.append(
                f'<tr><td style="padding:0 6px;font-weight:bold">{digit}</td>'
                f'<td style="width:204px"><div style="background:{bar_colour};height:11px;'
                f'width:{max(1, round(200 * float(probability)))}px"></div></td>'
                f'<td style="padding:0 6px;text-align:right">{100 * probability:.1f} %</td></tr>')
        title = (f"Digit #{index + 1}: read as <b>{detection.digit}</b>, "
                 f"{_percent(detection.confidence)}")
        if detection.unsure:
            reason = getattr(detection, "reason", "")
            title += " — <b>unsure</b>" + (f": {html.escape(reason)}" if reason else "")
        others = [f"{digit} ({_percent(p)})" for digit, p in list(detection.top3)[1:]]
        if others:
            title += "<br>next likeliest: " + ", ".join(others)
        return (f'<div style="font-size:13px;line-height:1.2"><div>{title}</div>'
                f'<table style="border-collapse:collapse">{"".join(rows)}</table></div>')

    # ------------------------------------------------------------------------------ drawing

    def redraw(self, *_) -> None:
        """Draw every layer again from the Python-side state (for a new browser view)."""
        with batched():
            self._draw_background()
            self._redraw_ink()
            self._draw_overlay()

    def _draw_background(self) -> None:
        layer, width, height = self._background, self.drawing.width, self.drawing.height
        picture = None
        if self._upload is not None:
            scale, dx, dy = self._placement
            shown = self._upload.resize((max(1, round(self._upload.width * scale)),
                                         max(1, round(self._upload.height * scale))),
                                        Image.BILINEAR)
            picture = np.asarray(shown.convert("RGBA"))
        with batched():
            layer.clear()
            layer.fill_style = PAD_COLOUR
            layer.fill_rect(0, 0, width, height)
            if picture is not None:
                layer.put_image_data(picture, dx, dy)
            layer.stroke_style = FRAME_COLOUR
            layer.line_width = 2
            layer.stroke_rect(1, 1, width - 2, height - 2)

    def _redraw_ink(self) -> None:
        layer = self._ink
        with batched():
            layer.clear()
            layer.fill_style = INK_COLOUR
            layer.stroke_style = INK_COLOUR
            layer.line_cap = "round"
            layer.line_join = "round"
            for stroke in self.drawing.strokes:
                x, y = stroke.points[0]
                layer.fill_circle(x, y, stroke.width / 2)
                if len(stroke.points) > 1:
                    layer.line_width = stroke.width
                    layer.stroke_lines(stroke.points)

    def _draw_overlay(self) -> None:
        layer = self._overlay
        with batched():
            layer.clear()
            layer.font = LABEL_FONT
            layer.text_baseline = "middle"
            placed = []  # label spots so far: neighbouring labels must not overlap
            for number, item in enumerate(self.overlay_items):
                colour = UNSURE_COLOUR if item.unsure else SURE_COLOUR
                left, top, right, bottom = item.box
                layer.stroke_style = colour
                layer.line_width = 4 if number == self.selected else 2
                layer.set_line_dash([7, 4] if item.unsure else [])
                layer.stroke_rect(left, top, right - left, bottom - top)
                label_size = (10 * len(item.label) + 4, LABEL_HEIGHT)
                image_size = (self.drawing.width, self.drawing.height)
                placed.append(labels.place(item.box, label_size, image_size, placed))
                label_left, label_top = placed[-1][:2]
                layer.fill_style = colour
                layer.fill_rect(label_left, label_top, *label_size)
                layer.fill_style = "#ffffff"
                layer.fill_text(item.label, label_left + 4, label_top + LABEL_HEIGHT / 2 + 1)
            layer.set_line_dash([])
