"""digitlib.teaching.notebook_output: terminal-like text in one notebook output, updated in
place."""

from digitlib.teaching import notebook_output


class FakeHandle:
    def __init__(self, log):
        self.log = log

    def update(self, data, raw):
        assert raw
        self.log.append(("update", data["text/plain"]))


def fake_display(log):
    def display(data, raw, display_id):
        assert raw and display_id
        log.append(("display", data["text/plain"]))
        return FakeHandle(log)

    return display


def keras_like_redraws(steps=5):
    """What a Keras progress bar writes in a notebook: backspaces, a return, the new bar."""
    previous = ""
    for step in range(1, steps + 1):
        done, left = "━" * step, " " * (steps - step)
        bar = f"\x1b[1m{step}/{steps}\x1b[0m {done}{left} - loss {1 / step:.3f}"
        yield "\x08" * len(previous) + "\r" + bar
        previous = bar
    yield "\n"


def test_screen_keeps_only_the_last_redraw_of_a_progress_bar():
    screen = notebook_output.Screen()
    screen.write("Epoch 1/2\n")
    for chunk in keras_like_redraws():
        screen.write(chunk)
    screen.write("Epoch 2/2\n")
    assert screen.text.splitlines()[0] == "Epoch 1/2"
    assert "5/5" in screen.text.splitlines()[1] and "1/5" not in screen.text
    assert screen.text.splitlines()[2] == "Epoch 2/2"


def test_screen_handles_backspace_and_windows_newlines():
    screen = notebook_output.Screen()
    screen.write("abc\x08\x08d\r\nnext")
    assert screen.text == "ad\nnext"


def test_live_output_shows_one_output_and_updates_it():
    log = []
    stream = notebook_output.LiveOutput(interval=0.0, display=fake_display(log))
    for chunk in keras_like_redraws():
        stream.write(chunk)
    stream.refresh()
    kinds = [kind for kind, _ in log]
    assert kinds[0] == "display" and set(kinds[1:]) == {"update"}
    assert "5/5" in log[-1][1]


def test_live_output_throttles_redraws():
    log = []
    stream = notebook_output.LiveOutput(interval=3600, display=fake_display(log))
    for chunk in keras_like_redraws(50):
        stream.write(chunk)
    assert len(log) == 1  # the first write shows the output; later ones wait for the interval
    stream.refresh()
    assert len(log) == 2 and "50/50" in log[-1][1]


def test_live_output_is_a_no_op_outside_a_notebook(capsys):
    assert not notebook_output.in_notebook()
    with notebook_output.live_output() as stream:
        print("plain text")
    assert stream is None
    assert capsys.readouterr().out == "plain text\n"
