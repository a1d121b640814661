"""The notebooks' plots, written once: each function draws one figure and returns it.

    import matplotlib.pyplot as plt
    from digitlib.teaching import plots
    plots.confusion_figure(scores.confusion, "Confusion matrix of the test set", log_scale=True)
    plt.show()

``scores`` may be an ``evaluate.Scores`` (the MNIST test set, notebook 05) or a
``evaluate.Measurement`` (your digits, notebook 07): both carry ``confusion``, ``predicted``
and ``probabilities``. Images are 28x28 arrays with ink high (MNIST's way), drawn with the
``Greys`` colour map so that ink is dark.
"""

import math

import numpy as np

from digitlib.reading.preprocess import MNIST_SIZE

DIGITS = range(10)
WRONG = "firebrick"  # titles of misread examples
CHOSEN, OTHER = "tab:orange", "tab:blue"  # the digit read, and the other nine bars


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _confusion(confusion) -> np.ndarray:
    confusion = np.asarray(confusion)
    if confusion.shape != (10, 10) or not np.issubdtype(confusion.dtype, np.integer):
        raise ValueError(f"expected a 10x10 matrix of counts (confusion[true, read]), got "
                         f"{confusion.shape} {confusion.dtype}")
    if confusion.sum() == 0:
        raise ValueError("the confusion matrix is empty: nothing was read")
    return confusion


def confusion_figure(confusion, title: str | None = None, log_scale: bool = False):
    """The confusion matrix: row = the true digit, column = the digit read, every count written.

    Only digits with examples get a row (all ten for MNIST). ``log_scale`` colours by the log
    of the count, so that a handful of mistakes still shows next to a thousand right readings.
    """
    from matplotlib.colors import LogNorm, Normalize

    confusion = _confusion(confusion)
    rows = np.flatnonzero(confusion.sum(axis=1))
    shown = confusion[rows]
    figure, axis = _pyplot().subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    norm = LogNorm(0.5, shown.max() + 0.5) if log_scale else Normalize(0, shown.max())
    image = axis.imshow(shown + 0.5 if log_scale else shown, cmap="Blues", norm=norm,
                        aspect="auto")  # +0.5: the log of no images
    for (row, read), count in np.ndenumerate(shown):
        if count:
            dark = norm(count + 0.5 if log_scale else count) > 0.6
            axis.text(read, row, count, ha="center", va="center", fontsize=8,
                      color="white" if dark else "black")
    axis.set(xticks=DIGITS, yticks=range(len(rows)), yticklabels=rows, xlabel="read as",
             ylabel="true digit", title=title)
    figure.colorbar(image, label="images (log scale)" if log_scale else "images")
    return figure


def accuracy_figure(confusion, title: str | None = None, zoom: bool = False):
    """The accuracy for each digit with examples, as bars, and the overall one (dashed).

    ``zoom`` starts the y-axis just below the lowest bar, to tell 99.1 % from 99.6 %; mind
    that small differences then look big.
    """
    confusion = _confusion(confusion)
    counts = confusion.sum(axis=1)
    digits = np.flatnonzero(counts)
    accuracy = 100 * confusion.diagonal()[digits] / counts[digits]
    overall = 100 * np.trace(confusion) / confusion.sum()
    figure, axis = _pyplot().subplots(figsize=(9, 3.5) if zoom else (7, 3))
    bars = axis.bar([str(digit) for digit in digits], accuracy, color=OTHER)
    axis.bar_label(bars, fmt="%.2f %%" if zoom else "%.0f %%", fontsize=8)
    axis.axhline(overall, color="black", linestyle="--", linewidth=1)
    bottom = max(0.0, accuracy.min() - 1) if zoom else 0.0
    axis.set(xlabel="digit", ylabel="accuracy (%)", ylim=(bottom, 100.15 if zoom else 110),
             title=title or f"Accuracy for each digit (dashed: overall, {overall:.2f} %)")
    return figure


def misread_figure(images, labels, scores, indices=None, columns: int = 8, limit: int = 32,
                   title: str | None = None):
    """The misread examples, each titled "true → read (confidence)".

    ``indices``: which examples, in order (default ``scores.misread``: every mistake of a
    ``evaluate.Measurement``, most confident first; for ``evaluate.Scores`` pass
    ``evaluate.most_confident_mistakes(scores, labels)``). At most ``limit`` are shown.
    """
    if indices is None:
        if not hasattr(scores, "misread"):
            raise TypeError("pass indices=... (e.g. evaluate.most_confident_mistakes) for "
                            "scores without a 'misread' list")
        indices = scores.misread
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be a whole number of at least 1, got {columns!r}")
    shown = np.asarray(indices, dtype=np.int64)[:limit]
    rows = max(1, math.ceil(len(shown) / columns))
    figure, axes = _pyplot().subplots(rows, columns, figsize=(1.3 * columns, 1.5 * rows),
                                      squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, shown, strict=False):
        read = int(scores.predicted[index])
        axis.imshow(np.asarray(images[index]).reshape(MNIST_SIZE, MNIST_SIZE), cmap="Greys")
        axis.set_title(f"{labels[index]} → {read} ({scores.probabilities[index, read]:.0%})",
                       fontsize=9, color=WRONG)
    if not len(shown):
        axes.flat[0].set_title("no mistakes")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def examples_figure(images, labels, per_digit: int = 8, title: str | None = None):
    """A row of up to ``per_digit`` examples for each digit in ``labels``, labelled on the left."""
    labels = np.asarray(labels)
    if len(labels) == 0 or len(images) != len(labels):
        raise ValueError(f"need as many images as labels, and some (got {len(images)} images "
                         f"and {len(labels)} labels)")
    digits = np.unique(labels)
    figure, axes = _pyplot().subplots(len(digits), per_digit,
                                      figsize=(per_digit * 0.9, len(digits) * 0.95),
                                      squeeze=False)
    for row, digit in zip(axes, digits, strict=True):
        for axis, index in zip(row, np.flatnonzero(labels == digit)[:per_digit], strict=False):
            axis.imshow(np.asarray(images[index]).reshape(MNIST_SIZE, MNIST_SIZE), cmap="Greys")
        for axis in row:
            axis.set(xticks=[], yticks=[])
        row[0].set_ylabel(str(digit), rotation=0, labelpad=12, fontsize=12)
    figure.suptitle(title)
    return figure


def reading_figure(reading, drawing=None):
    """One reading: the drawing (if given), the 28x28 image the model saw, the ten probabilities.

    ``reading``: a ``predict.Prediction`` (or ``Detection``); ``drawing``: a Pillow image.
    """
    panels = 3 if drawing is not None else 2
    figure, axes = _pyplot().subplots(
        1, panels, figsize=(10 if drawing is not None else 7.5, 2.8),
        width_ratios=(1, 1, 2.4)[-panels:], layout="constrained")
    if drawing is not None:
        axes[0].imshow(drawing, cmap="gray")
        axes[0].set_title(f"drawn, {drawing.width}×{drawing.height}")
    seen_axis, bar_axis = axes[-2], axes[-1]
    seen_axis.imshow(reading.image28, cmap="Greys")
    seen_axis.set_title("the model saw, 28×28")
    for axis in axes[:-1]:
        axis.set(xticks=[], yticks=[])
    colours = [CHOSEN if digit == reading.digit else OTHER for digit in DIGITS]
    bar_axis.bar(DIGITS, reading.probabilities, color=colours)
    bar_axis.set(xticks=DIGITS, xlabel="digit", ylabel="probability", ylim=(0, 1),
                 title=f"read as {reading.digit}, {reading.confidence:.1%} sure")
    return figure


CUT, CHOSEN_CUT = "tab:blue", "tab:orange"  # every candidate cut, and the cuts the search chose


def cuts_figure(graph, chosen, probabilities):
    """How touching digits are read (``digitlib.reading.touching``): the ink with every candidate
    cut (thin, blue) and the cuts the search chose (thick, orange), each digit read above it.

    ``graph, chosen, probabilities``: what ``strings.search`` returns.
    """
    ink = graph.found.ink
    figure, axis = _pyplot().subplots(figsize=(min(12, 1.2 + 3 * ink.shape[1] / ink.shape[0]), 3.2),
                                      layout="constrained")
    axis.imshow(ink, cmap="Greys")
    rows = np.arange(ink.shape[0])
    used = {graph.spans[k][0] for k in chosen} - {0}  # boundary i is cut i - 1
    for number, cut in enumerate(graph.cuts, 1):
        chosen_cut = number in used
        axis.plot(cut.path, rows, color=CHOSEN_CUT if chosen_cut else CUT,
                  linewidth=3 if chosen_cut else 1, alpha=1 if chosen_cut else 0.6)
    x, y = graph.found.origin
    for k in chosen:
        piece = graph.found if k == 0 else graph.pieces[k - 1]
        left, top, right, bottom = piece.box
        digit, sure = int(np.argmax(probabilities[k])), float(np.max(probabilities[k]))
        axis.text((left + right) / 2 - x, top - y - 1, f"{digit} {sure:.0%}", ha="center",
                  va="bottom", color=CHOSEN_CUT, fontsize=11, fontweight="bold")
    axis.set(xticks=[], yticks=[], ylim=(ink.shape[0] - 0.5, -0.12 * ink.shape[0]),
             title=f"{len(graph.cuts)} candidate cuts, {len(graph.spans)} candidate digits")
    return figure
