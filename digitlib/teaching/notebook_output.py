"""Progress bars that stay small in a saved notebook.

Keras redraws its progress bar many times a second with backspaces and carriage returns. A
terminal shows only the latest drawing, but a notebook *file* keeps every one of them: a full
training run would save thousands of outputs. ``live_output`` shows what is printed inside it
the way a terminal would, in one notebook output that is updated in place, so the saved
notebook holds only the final text. Outside a Jupyter kernel it changes nothing.
"""

import contextlib
import io
import re
import sys
import time

_CONTROL = re.compile(r"(\r\n|\r|\x08|\n)")


class Screen:
    """The text a terminal shows after the writes so far.

    A newline starts a new line, a carriage return starts the current line afresh (progress
    bars redraw themselves this way) and a backspace deletes the character before it.
    """

    def __init__(self):
        self.lines = [""]

    def write(self, text: str) -> None:
        for piece in _CONTROL.split(text):
            if piece in ("\n", "\r\n"):
                self.lines.append("")
            elif piece == "\r":
                self.lines[-1] = ""
            elif piece == "\x08":
                self.lines[-1] = self.lines[-1][:-1]
            elif piece:
                self.lines[-1] += piece

    @property
    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n")


class LiveOutput(io.TextIOBase):
    """A text stream shown as one notebook output, redrawn at most every ``interval`` seconds.

    ``display`` is IPython's ``display`` function (replaceable for tests); the output appears
    with the first write, and ``refresh()`` draws the final state.
    """

    def __init__(self, interval: float = 0.5, display=None):
        super().__init__()
        if display is None:
            from IPython.display import display
        self.interval = interval
        self.screen = Screen()
        self._display = display
        self._handle = None
        self._shown = None
        self._last_refresh = float("-inf")  # the first write shows the output at once

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.screen.write(text)
        if time.monotonic() - self._last_refresh >= self.interval:
            self.refresh()
        return len(text)

    def refresh(self) -> None:
        text = self.screen.text
        self._last_refresh = time.monotonic()
        if not text or text == self._shown:
            return
        if self._handle is None:
            self._handle = self._display({"text/plain": text}, raw=True, display_id=True)
        else:
            self._handle.update({"text/plain": text}, raw=True)
        self._shown = text


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, nbconvert, nbval), False elsewhere."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


@contextlib.contextmanager
def live_output(interval: float = 0.5):
    """Show what the block prints (e.g. Keras's progress bar) in one output updated in place.

    Outside a Jupyter kernel this does nothing and the block prints as usual.
    """
    if not in_notebook():
        yield None
        return
    stream = LiveOutput(interval)
    try:
        with contextlib.redirect_stdout(stream):
            yield stream
    finally:
        stream.refresh()
