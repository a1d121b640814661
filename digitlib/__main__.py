"""Command line: ``python -m digitlib data | train | predict | app ...`` (also as ``digits``).

Every error is one line on stderr (``error: ...``) and a non-zero exit status, never a
traceback (``python -X dev -m digitlib`` shows them). With ``--json`` the output is valid JSON
even then: a list of one entry per image, ``{"image": ..., "error": "..."}`` for each image
not read (a usage error: one entry whose image is null). An interrupt (Ctrl-C, exit status
130) prints the readings made so far and ``"error": "interrupted"`` for the other images. Only
when standard output itself cannot be written (closed, or on a full disk) is there no JSON:
the error line says so. Nothing is written over an input, or over an existing file without
``--force``, and where an output goes is checked before any work is done.
"""

import argparse
import contextlib
import os
import sys
import warnings


def _data(arguments) -> int:
    from digitlib.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist.load_mnist()
    where = f"in {mnist.CACHE_PATH}" if mnist.CACHE_PATH.is_file() else "(in memory only)"
    print(f"MNIST ready {where}: {len(x_train):,} training and {len(x_test):,} test "
          f"images, verified (sha256 {mnist.EXPECTED_SHA256[:12]}...)")
    return 0


def _train(arguments) -> int:
    from digitlib import config
    from digitlib.training import distil, train

    recipe = distil.default_recipe() if arguments.distil else train.Recipe.default()
    if arguments.epochs is not None:
        recipe.epochs = arguments.epochs
    try:
        destination = train.destination(arguments.output)  # checked before training starts
    except (ValueError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if config.fast_mode():
        print(f"Fast mode ({config.FAST_MODE_VARIABLE}=1): a tiny run that never replaces the "
              f"committed model")
    print(f"Training {config.describe_model(destination)}")
    # Passed on by name: only the name "committed" (`make model`) may replace the committed model.
    target = arguments.output if arguments.output == "committed" else destination
    if arguments.distil:
        print(f"Distilling from the {len(distil.teacher_paths())} teachers in "
              f"{distil.TEACHERS_DIR}")
        path, _, card = distil.distil_and_save(target, recipe=recipe, verbose=1)
    else:
        path, _, card = train.train_and_save(target, recipe, verbose=1)
    print(f"Saved {path} (card {path.with_suffix('.json').name}): test accuracy "
          f"{card['test_accuracy']:.2%}, validation {card['validation_accuracy']:.2%}, "
          f"{card['train_seconds']:.0f} s")
    if path.resolve() == config.LEARNER_MODEL_PATH.resolve():
        print(f"The notebooks, the pad and the app now read digits with it; "
              f"{config.MODEL_VARIABLE}=committed goes back to the committed model")
    return 0


def _predict(arguments) -> int:
    """Read each image; with ``--json``, JSON is printed whatever stops the run (see above)."""
    report = []
    try:
        return _read_images(arguments, report)
    except (_OutputFailed, BrokenPipeError):  # no JSON can be printed
        raise
    except (Exception, KeyboardInterrupt) as error:
        if arguments.json:
            message = ("interrupted" if isinstance(error, KeyboardInterrupt)
                       else _describe(error)[0])
            report += [{"image": image, "error": message}
                       for image in arguments.images[len(report):]]
            _print_json(report)
        raise


def _read_images(arguments, report: list) -> int:
    """``predict``: read the images into ``report`` (one entry each, in order)."""
    from digitlib import files
    from digitlib.reading import predict

    annotations = _annotation_paths(arguments.images, arguments.annotate, arguments.force)
    predictor = predict.Predictor.load(arguments.model, threads=1)  # it only reads digits
    status = 0
    for image, output in zip(arguments.images, annotations, strict=True):
        try:
            photo = True if arguments.photo else None  # None: photo or drawing, decided
            detections = predictor.predict_digits(image, photo=photo)
            if output is not None:
                from digitlib.pads import display  # only to annotate: reading needs none of it

                with files.atomic_path(output) as temporary:
                    display.annotate(image, detections, photo=photo).save(temporary)
        except (ValueError, TypeError, OSError) as error:
            print(f"error: {image}: {predict.one_line(error)}", file=sys.stderr)
            report.append({"image": image, "error": predict.one_line(error)})
            status = 1
            continue
        for warning in detections.warnings:
            print(f"warning: {image}: {warning}", file=sys.stderr)
        report.append({
            "image": image,
            "digits": "".join(str(d.digit) for d in detections),
            "source": detections[0].source if detections else None,  # "drawing" or "photo"
            "detections": [
                {"digit": d.digit, "confidence": round(d.confidence, 4), "box": list(d.box),
                 "unsure": d.unsure, "reason": d.reason,
                 "top3": [[digit, round(p, 4)] for digit, p in d.top3]}
                for d in detections
            ],
            "warnings": detections.warnings,
            **({"annotated": str(output)} if output is not None else {}),
        })
        if not arguments.json:
            _print_reading(report[-1])
    if arguments.json:
        _print_json(report)
    return status


def _print_json(report) -> None:
    import json

    print(json.dumps(report, indent=2))


def _annotation_paths(images, annotate, force: bool) -> list:
    """Where each image's annotated picture goes (None each without ``--annotate``), every
    path checked before anything is read: never an input, never an existing file unless
    ``force``, never the same file twice, and into a folder that exists."""
    from pathlib import Path

    from PIL import Image

    from digitlib import files

    if annotate is None:
        return [None] * len(images)
    target = Path(annotate)
    extensions = Image.registered_extensions()
    if extensions.get(target.suffix.lower()) not in Image.SAVE:
        raise files.OutputPathError(
            f"--annotate {target}: name a picture file such as OUT.png (the extension says "
            f"the format)")
    if len(images) == 1:
        outputs = [target]
    else:  # one picture per image, OUT_<image name>.png; same names get -2, -3 ...
        outputs = []
        for image in images:
            stem, number = f"{target.stem}_{Path(image).stem}", 1
            output = target.with_name(f"{stem}{target.suffix}")
            while output in outputs:
                number += 1
                output = target.with_name(f"{stem}-{number}{target.suffix}")
            outputs.append(output)
    try:
        return [files.check_output(output, inputs=images, overwrite=force) for output in outputs]
    except files.OutputExistsError as error:
        raise files.OutputExistsError(f"{error} (pass --force to replace it)") from None


def _finetune(arguments) -> int:
    from digitlib import config
    from digitlib.training import finetune

    if config.fast_mode():
        print(f"Fast mode ({config.FAST_MODE_VARIABLE}=1): a short run written to a temporary "
              f"directory unless --output is given")
    result = finetune.finetune(base=arguments.base, data_source=arguments.data,
                               output=arguments.output, holdout_fraction=arguments.holdout,
                               verbose=0)
    card = result.card
    print(f"Fine-tuned on {card['user_examples_trained_on']} of your examples "
          f"({card['user_examples_held_out']} held out) in {card['train_seconds']:.0f} s")
    if result.before is not None:
        print(f"Your held-out examples: {card['heldout_accuracy_before']:.1%} before, "
              f"{card['heldout_accuracy_after']:.1%} after")
    else:
        print("Too few examples to hold any out: no honest before/after figure")
    print(f"MNIST test set: {card['mnist_test_accuracy_before']:.2%} before, "
          f"{card['mnist_test_accuracy_after']:.2%} after")
    print(f"Saved {result.path} (card {result.path.with_suffix('.json').name}); read digits "
          f"with it: python -m digitlib predict --model {result.path} IMAGE")
    return 0


def _progress(arguments) -> int:
    from digitlib.teaching import exercises

    print(exercises.progress())
    return 0


def _app(arguments) -> int:
    """``app``: the Tk desktop pad (``digitlib.pads.tk_app``) until its window is closed."""
    from digitlib import config
    from digitlib.pads import session, tk_app

    model = config.model_path(arguments.model)
    if not model.is_file():
        print(f"error: no model at {model}: name one with --model (committed, mine, personal "
              f"or a .keras file)", file=sys.stderr)
        return 2
    if tk_app.tk is None:
        missing = session.TKINTER_MISSING.format(python=sys.executable).splitlines()[0]
        print(f"error: {missing} Install Tk for it (Debian/Ubuntu: sudo apt-get install "
              f"python3-tk), or read digits with `digits predict IMAGE`", file=sys.stderr)
        return 2
    try:
        root = tk_app.tk.Tk()
    except tk_app.tk.TclError as error:
        first, *rest = session.NO_DISPLAY.format(error=_one_line(error)).splitlines()
        print(f"error: {first.rstrip('.')}. {' '.join(rest)}", file=sys.stderr)
        return 2
    chosen = {"brush": arguments.brush, "personal_folder": arguments.personal_folder,
              "state_file": arguments.state_file}  # None: the app's own default
    app = tk_app.DigitApp(root, model=arguments.model, live=arguments.live,
                          **{name: value for name, value in chosen.items() if value is not None})
    if arguments.open:
        app.open_image(arguments.open)
    outcome = []
    if arguments.exit_after_reading:
        _exit_after_reading(app, outcome)
    root.mainloop()
    return outcome[0] if outcome else 0


def _exit_after_reading(app, outcome: list) -> None:
    """Once the app shows its first reading (or the model failed), print its message and close
    it; ``outcome`` gets the exit status."""
    from digitlib.pads import session, tk_app

    status = app.session.status
    if status is session.Status.ERROR or (app.session.is_read and
                                          status is session.Status.READY):
        app.root.update_idletasks()  # the reading drawn, not only decided
        print(f"{status.value}: {app.session.message.text}", flush=True)
        outcome.append(1 if status is session.Status.ERROR else 0)
        app.close()
        return
    app.root.after(tk_app.POLL_MILLISECONDS, _exit_after_reading, app, outcome)


def _brush_width(text: str) -> int:
    """``--brush``: a whole number of pixels within the pad's brush range."""
    from digitlib.pads.session import BRUSH_RANGE

    try:
        width = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of pixels, got {text!r}") \
            from None
    if not BRUSH_RANGE[0] <= width <= BRUSH_RANGE[1]:
        raise argparse.ArgumentTypeError(f"must be from {BRUSH_RANGE[0]} to {BRUSH_RANGE[1]}, "
                                         f"got {width}")
    return width


def _print_reading(reading) -> None:
    if not reading["detections"]:
        print(f"{reading['image']}: no digits found")
        return
    photo = "  (read as a photo of paper)" if reading.get("source") == "photo" else ""
    print(f"{reading['image']}: {reading['digits']}{photo}")
    for d in reading["detections"]:
        note = f"  unsure: {d['reason']}" if d["unsure"] else ""
        print(f"  {d['digit']}  box {tuple(d['box'])}  {d['confidence']:.1%}{note}")
    if "annotated" in reading:
        print(f"  annotated: {reading['annotated']}")


class _UsageError(Exception):
    """A usage error, as the one line to show."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line too (and JSON with ``--json``: see ``main``)."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


class _OutputFailed(Exception):
    """Standard output could not be written (a full disk, say): ``error`` says why."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error


class _Output:
    """Standard output while a command runs: a failed write raises ``_OutputFailed``, told
    apart from the command's own errors (a closed pipe stays ``BrokenPipeError``)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise _OutputFailed(error) from None

    def flush(self):
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise _OutputFailed(error) from None

    def __getattr__(self, name):  # isatty, encoding, fileno ...: the stream's own
        return getattr(self._stream, name)


def _describe(error: Exception) -> tuple[str, int]:
    """An error's one line, and the exit status: 2 for the errors a user can fix, else 1."""
    expected = isinstance(error, (ValueError, TypeError, OSError, RuntimeError))
    message = _one_line(error) if expected else f"{type(error).__name__}: {_one_line(error)}"
    return message, 2 if expected else 1


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that the flush at exit does not fail again."""
    with contextlib.suppress(AttributeError, OSError, ValueError):  # not a real file
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _one_line(error: BaseException) -> str:
    from digitlib.reading.predict import one_line

    return one_line(error)


@contextlib.contextmanager
def _warnings_on_one_line():
    """Library warnings (e.g. "MNIST could not be cached") as ``warning: ...`` lines."""

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {_one_line(message)}", file=sys.stderr)

    original, warnings.showwarning = warnings.showwarning, show
    try:
        yield
    finally:
        warnings.showwarning = original


def _run(arguments) -> int:
    """Run the command; any error becomes one line on stderr (and JSON with ``--json``)."""
    if sys.stdout is None:  # started with stdout closed (>&-)
        print("error: standard output is closed, so nothing could be shown: send it to a file "
              "or to /dev/null instead", file=sys.stderr)
        return 2
    try:
        from digitlib import config  # noqa: F401 - checks DIGITS_HOME
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        if getattr(arguments, "json", False):
            _print_json([{"image": image, "error": str(error)} for image in arguments.images])
        return 2
    stdout, sys.stdout = sys.stdout, _Output(sys.stdout)
    try:
        with _warnings_on_one_line():
            status = arguments.run(arguments)
            sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
        return status
    except _OutputFailed as failure:
        from digitlib import files

        print(f"error: could not write the output: {files.describe_os_error(failure.error)}",
              file=sys.stderr)
        _quiet_stdout()
        return 2
    except BrokenPipeError:  # the reader went away (``| head -1``): stop quietly
        _quiet_stdout()
        return 141  # what a shell reports for a program stopped by SIGPIPE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if sys.flags.dev_mode:  # python -X dev -m digitlib ...: the full traceback
            raise
        message, status = _describe(error)
        print(f"error: {message}", file=sys.stderr)
        return status
    finally:
        sys.stdout = stdout


def _where_files_go() -> str:
    """The help's last line: the folder of data/ and models/ (``config.choose_home``)."""
    try:
        from digitlib import config
    except ValueError as error:  # DIGITS_HOME names a file
        return f"data and models: {error}"
    return config.describe_home()


def main(argv=None) -> int:
    parser = _Parser(prog="python -m digitlib", description=__doc__.split("\n\n")[0],
                     epilog=_where_files_go(),  # a path stays whole, on a line of its own
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("data", help="download (or load) and verify MNIST").set_defaults(run=_data)

    train_parser = commands.add_parser(
        "train", help="train a model and its card (yours by default; `make model`: the committed)"
    )
    train_parser.add_argument("--epochs", type=int, help="override the recipe's epochs")
    train_parser.add_argument(
        "--output", metavar="NAME_OR_PATH",
        help="'mine' (default: models/mnist_cnn_mine.keras, untracked), 'committed' "
             "(replace models/mnist_cnn.keras and its card, as `make model` does) or a .keras "
             "file; in fast mode the default is a temporary directory",
    )
    train_parser.add_argument(
        "--distil", action="store_true",
        help="learn from the teachers in models/teachers as well as the labels (how the "
             "committed model is made; about 3x slower per epoch)")
    train_parser.set_defaults(run=_train)

    predict_parser = commands.add_parser(
        "predict", help="read the digits in image files (boxes and confidences)"
    )
    predict_parser.add_argument("images", nargs="+", metavar="IMAGE", help="image file(s)")
    predict_parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    predict_parser.add_argument("--force", action="store_true",
                                help="let --annotate replace existing files (never an input)")
    predict_parser.add_argument(
        "--annotate", metavar="OUT.png",
        help="write the image with boxes and labels (several images: OUT_<name>.png each)",
    )
    predict_parser.add_argument(
        "--model", help="model name or path (default: $DIGITS_MODEL, else your model from "
                        "notebook 04 if there is one, else the committed model)")
    predict_parser.add_argument(
        "--photo", action="store_true",
        help="read the images as photos or scans of paper (default: decided per image)",
    )
    predict_parser.set_defaults(run=_predict)

    finetune_parser = commands.add_parser(
        "finetune", help="adapt the model to your own digits (data/my_digits)"
    )
    finetune_parser.add_argument("--data", help="your dataset folder (default data/my_digits)")
    finetune_parser.add_argument(
        "--output", help="model path (default models/mnist_cnn_personal.keras)"
    )
    finetune_parser.add_argument(
        "--base", help="model to start from (default: the active model, as for predict)")
    finetune_parser.add_argument("--holdout", type=float, default=0.3,
                                 help="share of your examples kept aside to score (default 0.3)")
    finetune_parser.set_defaults(run=_finetune)

    commands.add_parser(
        "progress", help="list the notebook exercises you have completed"
    ).set_defaults(run=_progress)

    app_parser = commands.add_parser(
        "app", help="open the desktop drawing pad (Tk): draw digits and read them")
    app_parser.add_argument(
        "--model", help="model name or path (default: as for predict)")
    app_parser.add_argument("--live", action="store_true", help="read after every stroke")
    app_parser.add_argument("--brush", type=_brush_width, help="brush width in pixels")
    app_parser.add_argument("--personal-folder", help="where Save puts your digits")
    app_parser.add_argument("--open", metavar="IMAGE",
                            help="open this picture at start and read it")
    app_parser.add_argument("--state-file", help="write the app's state as JSON here after changes")
    app_parser.add_argument("--exit-after-reading", action="store_true",
                            help="print the first reading once it is shown, then quit (with "
                                 "--open: how long start-up takes, make bench-start)")
    app_parser.set_defaults(run=_app)

    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        arguments = parser.parse_args(argv)
    except _UsageError as error:
        print(error, file=sys.stderr)
        if "--json" in argv and sys.stdout is not None:
            with contextlib.suppress(OSError):
                _print_json([{"image": None, "error": str(error)}])
        raise SystemExit(2) from None
    return _run(arguments)


if __name__ == "__main__":
    sys.exit(main())
