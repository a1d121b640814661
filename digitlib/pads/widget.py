"""The drawing pad of notebook 06 and the Voilà page: draw digits, let the model read them.

``DrawingPad`` is a view of a ``digitlib.pads.session.PadSession``: it turns mouse, touch and
button events into session calls, runs the session's jobs in the kernel's thread and draws the
session's state (``show``) as ``digitlib.pads.display`` says it looks. The pad never reads
pixels back from the browser. Errors in callbacks are shown in an ``Output`` widget.

    from digitlib.pads.widget import DrawingPad
    pad = DrawingPad()
    pad
"""

from __future__ import annotations

import functools
import traceback

import ipywidgets as widgets
import numpy as np
from ipycanvas import MultiCanvas, hold_canvas

from digitlib.pads import display
from digitlib.pads.session import BRUSH_RANGE, DEFAULT_BRUSH, PadSession

PREVIEW_SIZE = 28 * display.PREVIEW_SCALE
RESULTS_HEIGHT = "200px"  # previews and chart keep their room while empty: the page never jumps


class DrawingPad(widgets.VBox):
    """Draw digits with the mouse (or a finger); the model reads each one.

    ``model`` (default: the active model) is as ``PadSession`` takes it: a name, a ``.keras``
    file, a Keras model or a Predictor. ``live=True`` recognizes at the end of every stroke.

    After a reading, pick the true digit under **Label:** and press **Save** to keep the
    selected digit in your own dataset (``personal_folder``, default ``data/my_digits/``);
    **Undo save** removes the last example saved.
    """

    def __init__(self, model=None, *, personal_folder=None, width: int = 560,
                 height: int = 280, brush: int = DEFAULT_BRUSH, live: bool = False,
                 fit_width: bool = False):
        self.session = PadSession(model, personal_folder=personal_folder, width=width,
                                  height=height, brush=brush, live=live)
        self.last_error: str | None = None
        self._shown_reading = None  # the detections the previews were made for
        self._plain_previews: list[bytes] = []  # each preview's PNG without a heat map
        self._why_png = (None, b"")  # (explanation, its preview's PNG)

        # ``fit_width``: as wide as the page allows, up to ``width`` (a phone shows it whole);
        # the browser scales it evenly and ipycanvas scales the pointer's positions back to
        # the canvas's own pixels. Otherwise a fixed size.
        size = (widgets.Layout(width="100%", max_width=f"{width}px", height="auto")
                if fit_width else
                widgets.Layout(width=f"{width}px", height=f"{height}px",
                               min_width=f"{width}px", min_height=f"{height}px"))
        self.canvas = _styled(MultiCanvas(3, width=width, height=height, layout=size),
                              "digits-canvas")
        self._background, self._ink, self._overlay = self.canvas[0], self.canvas[1], self.canvas[2]

        self.recognize_button = self._button("recognize", "search", self.recognize)
        self.recognize_button.button_style = "primary"
        self.undo_button = self._button("undo", "undo", self.undo)
        self.clear_button = self._button("clear", "eraser", self.clear)
        self.save_button = self._button("save", "save", self.save)
        self.undo_save_button = self._button("undo_save", "trash", self.undo_save)
        self.why_button = _control("why", widgets.ToggleButton, value=False, icon="question",
                                   layout=widgets.Layout(width="auto"))
        self.live_box = _control("live", widgets.Checkbox, value=live, indent=False,
                                 layout=widgets.Layout(width="70px"))
        self.brush_slider = _control("brush", widgets.IntSlider, value=int(brush),
                                     min=BRUSH_RANGE[0], max=BRUSH_RANGE[1],
                                     continuous_update=False, layout=widgets.Layout(width="240px"))
        self.upload = _styled(widgets.FileUpload(
            accept="image/*", multiple=False, description=display.UPLOAD_CAPTION,
            tooltip=display.CONTROLS["open"][1], layout=widgets.Layout(width="auto")),
            "digits-upload")
        self.label_choice = _control("label", widgets.Dropdown, value=0,
                                     options=[(str(digit), digit) for digit in range(10)],
                                     layout=widgets.Layout(width="130px"))
        self.label_choice.style.description_width = "45px"
        self.model_label = _styled(widgets.HTML(""), "digits-model")
        self.message = _styled(widgets.HTML(""), "digits-result")
        self.previews = _styled(widgets.HBox(layout=widgets.Layout(flex_flow="row wrap")),
                                "digits-previews")
        self.chart = _styled(widgets.HTML(""), "digits-probabilities")
        self.errors = _styled(widgets.Output(layout=widgets.Layout(max_height="240px",
                                                                   overflow="auto")),
                              "digits-errors")

        self.live_box.observe(self._guard(self._on_live), names="value")
        self.why_button.observe(self._guard(self._on_why), names="value")
        self.brush_slider.observe(self._guard(lambda change: self.session.set_brush(
            change["new"])), names="value")
        self.label_choice.observe(self._guard(lambda change: self.session.set_label(
            change["new"])), names="value")
        self.upload.observe(self._guard(self._on_upload), names="value")
        self.canvas.on_mouse_down(self._guard(self._on_mouse_down))
        self.canvas.on_mouse_move(self._guard(self._on_mouse_move))
        self.canvas.on_mouse_up(self._guard(self._on_mouse_up))
        self.canvas.on_mouse_out(self._guard(lambda x, y: self._end_stroke()))
        self.canvas.on_touch_start(self._guard(lambda touches: touches and
                                               self._on_mouse_down(*touches[0])))
        self.canvas.on_touch_move(self._guard(lambda touches: touches and
                                              self._on_mouse_move(*touches[0])))
        self.canvas.on_touch_end(self._guard(lambda touches: self._end_stroke()))
        self.canvas.on_touch_cancel(self._guard(lambda touches: self._end_stroke()))
        # a new browser view starts blank: draw everything again for it
        self.canvas.on_client_ready(self._guard(lambda *_: self.redraw()))

        row = widgets.Layout(align_items="center", grid_gap="6px", flex_flow="row wrap")
        super().__init__([
            widgets.HBox([self.recognize_button, self.undo_button, self.clear_button,
                          self.live_box, self.brush_slider, self.model_label], layout=row),
            self.canvas,
            self.message,
            widgets.HBox([self.previews, self.chart], layout=widgets.Layout(
                grid_gap="24px", flex_flow="row wrap", min_height=RESULTS_HEIGHT)),
            widgets.HBox([self.why_button, self.label_choice, self.save_button,
                          self.undo_save_button], layout=row),
            widgets.HBox([widgets.HTML(display.UPLOAD_HINT), self.upload], layout=row),
            self.errors,
        ])
        self.add_class("digits-pad")
        self._guard(self.session.run_jobs)()  # load the model now, so the first stroke is quick
        self.redraw()

    # ------------------------------------------------------------------- the session's state

    drawing = property(lambda self: self.session.drawing, doc="The strokes (``Drawing``).")
    detections = property(lambda self: self.session.detections, doc="The last reading.")
    selected = property(lambda self: self.session.selected, doc="The selected reading.")
    predictor = property(lambda self: self.session.load_model(), doc="The predictor in use.")

    live = property(lambda self: self.session.live,
                    lambda self, value: setattr(self.live_box, "value", bool(value)),
                    doc="Live mode (setting it ticks **Live**, which reads the pad).")

    @property
    def message_text(self) -> str:
        """The message shown under the pad, as plain text."""
        return self.session.message.text

    # ------------------------------------------------------------------------------ events

    def _button(self, name, icon, action):
        button = _control(name, widgets.Button, icon=icon, layout=widgets.Layout(width="auto"))
        button.on_click(self._guard(lambda _: action()))
        return button

    def _guard(self, callback):
        """Wrap a widget callback so an exception is shown, not lost in the kernel log."""

        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            try:
                return callback(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - every error must reach the learner
                self.last_error = self.session.failure(error)
                self.errors.append_stderr(traceback.format_exc())
                self.show()
                return None

        return guarded

    def _on_mouse_down(self, x, y):
        had_picture = self.session.picture is not None
        self.session.pen_down(x, y)
        if had_picture:
            self.redraw()
        else:
            self._draw_overlay()  # boxes of a stale reading go (live mode keeps them)
        with hold_canvas():
            self._ink.fill_style = display.INK_COLOUR
            self._ink.fill_circle(x, y, self.session.drawing.brush / 2)

    def _on_mouse_move(self, x, y):
        previous = self.session.pen_move(x, y)
        if previous is not None:
            with hold_canvas():
                self._ink.stroke_style = display.INK_COLOUR
                self._ink.line_width = self.session.drawing.brush
                self._ink.line_cap = "round"
                self._ink.stroke_line(*previous, x, y)

    def _on_mouse_up(self, x, y):
        drawing = self.session.drawing
        if drawing.in_stroke and (x, y) != drawing.strokes[-1].points[-1]:
            self._on_mouse_move(x, y)
        self._end_stroke()

    def _end_stroke(self):
        if self.session.pen_up():
            self._update()  # live mode reads it

    def _on_live(self, change):
        self.session.set_live(change["new"])
        self._update()

    def _on_why(self, change):
        if change["new"] != self.session.why:  # not the echo of ``show`` setting it
            self.why(change["new"])

    def _on_upload(self, change):
        if not change["new"]:
            return
        upload = change["new"][0]
        self.upload.value = ()  # so the same file can be uploaded again
        self.show_image(bytes(upload["content"]), name=upload["name"])

    def _update(self) -> None:
        """Run the jobs the session wants (loading, reading, Why?) here, then show its state."""
        self.session.run_jobs()
        self.show()

    # ----------------------------------------------------------------------------- actions

    def recognize(self) -> list:
        """Read the digits drawn (or uploaded); show boxes, labels, previews and probabilities."""
        self.session.ask_reading()
        self._update()
        return self.session.detections if self.session.is_read else []

    def undo(self) -> None:
        """Remove the last stroke."""
        if self.session.undo():
            self._redraw_ink()
        self._update()

    def clear(self) -> None:
        """Wipe the pad, the uploaded picture and the results."""
        self.session.clear()
        self.redraw()

    def show_image(self, picture, name=None) -> list:
        """Show a picture (an upload: bytes, a path or a PIL image) on the pad and read it."""
        if not self.session.load_image(picture, name):
            self.show()
            return []
        self.redraw()
        return self.recognize()

    def select(self, index: int) -> None:
        """Show the probabilities of detection ``index`` and highlight it."""
        self.session.select(index)
        self._update()  # explained, while Why? is on

    def why(self, on: bool = True):
        """Turn **Why?** on or off: a heat map of the evidence for the selected reading, over
        its preview and, in light tints, over its box. Returns the explanation shown (or None)."""
        self.session.set_why(on)
        self._update()
        return self.session.explanation

    def save(self, label=None) -> str | None:
        """Save the selected digit with ``label`` (default: the **Label:** choice) to your
        dataset; the new example's id, or None after saying why nothing was saved."""
        example_id = self.session.save(label)
        self.show()
        return example_id

    def undo_save(self) -> str | None:
        """Remove the last example saved to your dataset; its id (None if there is none)."""
        removed = self.session.undo_save()
        self.show()
        return removed

    # ------------------------------------------------------------------------------ drawing

    def redraw(self) -> None:
        """Draw everything again from the session (for a new browser view, a new picture)."""
        self._draw_background()
        self._redraw_ink()
        self.show()

    def show(self) -> None:
        """Set every widget from the session's state: message, model, previews, Why?, label,
        chart and the boxes on the overlay."""
        session = self.session
        self.message.value = display.message_html(session.message)
        self.model_label.value = display.model_html(session.model_text)
        self._show_previews()
        if self.why_button.value != session.why:
            self.why_button.value = session.why
        if session.label is not None and session.label in range(10):
            self.label_choice.value = session.label
        elif session.label is None and self.label_choice.value is not None:
            self.label_choice.value = None  # no reading selected: no label left from the last
        self.chart.value = ("" if session.selected is None else display.chart_html(
            display.chart(session.detections[session.selected], session.selected)))
        self._draw_overlay()

    def _show_previews(self) -> None:
        """A preview per reading, the selected one highlighted and, while Why? explains it,
        showing its heat map."""
        session = self.session
        if self._shown_reading is not session.detections:
            self._shown_reading = session.detections
            self._plain_previews = [display.preview_png(detection.image28)
                                    for detection in session.detections]
            self.previews.children = [self._preview(number, detection) for number, detection
                                      in enumerate(session.detections)]
        why = session.explanation
        if why is not None and self._why_png[0] is not why:
            self._why_png = (why, display.why_preview_png(why))
        for number, preview in enumerate(self.previews.children):
            image, button = preview.children
            button.button_style = "info" if number == session.selected else ""
            explained = why is not None and number == session.selected
            picture = self._why_png[1] if explained else self._plain_previews[number]
            if image.value != picture:
                image.value = picture
            (preview.add_class if explained else preview.remove_class)("digits-why-shown")

    def _preview(self, number, detection):
        image = widgets.Image(value=self._plain_previews[number], format="png",
                              width=PREVIEW_SIZE, height=PREVIEW_SIZE)
        caption, tooltip = display.CONTROLS["preview"]
        button = widgets.Button(description=caption.format(
            number=number + 1, label=display.label_text(detection)), tooltip=tooltip,
            layout=widgets.Layout(width="auto", min_width=f"{PREVIEW_SIZE + 40}px"))
        button.on_click(self._guard(lambda _: self.select(number)))
        preview = widgets.VBox([image, button], layout=widgets.Layout(align_items="center"))
        preview.add_class("digits-preview")
        return preview

    # ipycanvas 0.14.3's hold_canvas (canvas.py, ``hold_canvas``) has no try/finally: an
    # exception inside it leaves the canvas manager caching, and every later command is held
    # back forever, which freezes the pad without a word. So every value is computed before
    # ``with hold_canvas()`` and the body only sends drawing commands.

    def _draw_background(self) -> None:
        layer, width, height = self._background, self.drawing.width, self.drawing.height
        picture = self.session.picture_on_pad
        if picture is not None:
            picture = np.asarray(picture[0].convert("RGBA")), picture[1]
        with hold_canvas():
            layer.clear()
            layer.fill_style = display.PAD_COLOUR
            layer.fill_rect(0, 0, width, height)
            if picture is not None:
                layer.put_image_data(picture[0], *picture[1])
            layer.stroke_style = display.FRAME_COLOUR
            layer.line_width = 2
            layer.stroke_rect(1, 1, width - 2, height - 2)

    def _redraw_ink(self) -> None:
        strokes = [(stroke.points, stroke.width) for stroke in self.session.drawing.strokes]
        layer = self._ink
        with hold_canvas():
            layer.clear()
            layer.fill_style = layer.stroke_style = display.INK_COLOUR
            layer.line_cap = layer.line_join = "round"
            for points, width in strokes:
                layer.fill_circle(*points[0], width / 2)
                if len(points) > 1:
                    layer.line_width = width
                    layer.stroke_lines(points)

    @property
    def overlay_items(self) -> list[display.Box]:
        """The boxes on the overlay (pad pixels), as ``display.boxes`` makes them."""
        return self.session.overlay(display.text_size).boxes

    def _draw_overlay(self) -> None:
        shown = self.session.overlay(display.text_size)
        heat = None if shown.heat is None else (shown.heat[0], np.asarray(shown.heat[1]))
        layer = self._overlay
        with hold_canvas():
            layer.clear()
            if heat is not None:
                layer.put_image_data(heat[1], *heat[0])
            layer.text_baseline = "middle"
            for item, label in zip(shown.boxes, shown.labels, strict=True):
                left, top, right, bottom = label.spot
                box_left, box_top, box_right, box_bottom = item.box
                layer.stroke_style = layer.fill_style = item.colour
                layer.line_width = item.line_width
                layer.set_line_dash(list(item.dash))
                layer.stroke_rect(box_left, box_top, box_right - box_left, box_bottom - box_top)
                layer.fill_rect(left, top, right - left, bottom - top)
                layer.fill_style = display.LABEL_TEXT_COLOUR
                layer.font = f"bold {label.pixels}px {display.LABEL_WEB_FONT}"
                # measured with the font asked for; max_width keeps any stand-in font inside
                layer.fill_text(label.text, left + display.LABEL_PADDING, (top + bottom) / 2 + 1,
                                max_width=right - left - 2 * display.LABEL_PADDING)
            layer.set_line_dash([])


def standalone_page(**pad_options) -> widgets.VBox:
    """The page ``make web`` serves: one line saying what to do, then the pad, as wide as the
    screen allows (``pad_options`` go to ``DrawingPad``)."""
    pad = DrawingPad(fit_width=True, **pad_options)
    line = _styled(widgets.HTML(display.PAGE_STYLE + '<p class="digits-line">'
                                f"{display.PAGE_LINE}</p>"), "digits-line-box")
    page = widgets.VBox([line, pad], layout=widgets.Layout(width="100%"))
    page.add_class("digits-page")
    page.pad = pad
    return page


def _styled(widget, css_class):
    """``widget`` with a CSS class, by which the browser test finds it."""
    widget.add_class(css_class)
    return widget


def _control(name, kind, **options):
    """A control of ``kind`` with the caption and tooltip ``display.CONTROLS`` gives ``name``,
    and the CSS class ``digits-<name>``."""
    caption, tooltip = display.CONTROLS[name]
    return _styled(kind(description=caption, tooltip=tooltip, **options),
                   "digits-" + name.replace("_", "-"))
