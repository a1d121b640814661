"""What the two small models beside the digit model share in training: the companion
(``digitlib.training.whole_digit``) and the no-digit model (``digitlib.training.any_digit``).

Each is the digit model's network (``model.build_model``) with fewer filters and eleven outputs,
trained with the digit model's one-cycle schedule (``train.one_cycle``) on 28x28 examples it
makes itself, and saved with its ONNX copy and card (``export.save_model``).
"""

import sys
import time
from dataclasses import dataclass

import numpy as np

from digitlib.reading.preprocess import MNIST_SIZE

CLASSES = 11  # the ten digits and one more: "not one whole digit", or "no digit at all"


def mnist_digits(x, y) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` as arrays, checked to be MNIST digits (uint8 (N, 28, 28)) and their labels,
    to make examples from; else a ``ValueError`` that says what they are."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.shape[1:] != (MNIST_SIZE, MNIST_SIZE) or x.dtype != np.uint8:
        raise ValueError(f"expected MNIST digits: uint8 images (N, 28, 28), got {x.dtype} "
                         f"{x.shape}")
    if len(x) != len(y) or not len(x):
        raise ValueError(f"need as many labels as digits (got {len(x)} and {len(y)})")
    return x, y


@dataclass(frozen=True)
class SmallNetwork:
    """A small model's name (the ``.keras`` file's and the network's) and how it is trained."""

    name: str
    conv1_filters: int
    conv2_filters: int
    dense_units: int
    epochs: int = 8
    batch_size: int = 256
    peak_learning_rate: float = 3e-3  # reached after a warm-up of warmup_fraction, then decay
    warmup_fraction: float = 0.1
    validation_fraction: float = 0.1  # of the examples, held out to report the accuracy

    def build(self):
        """The network, built (not trained): (N, 28, 28, 1) -> (N, ``CLASSES``)."""
        from digitlib.training import model

        return model.build_model(conv1_filters=self.conv1_filters,
                                 conv2_filters=self.conv2_filters, dense_units=self.dense_units,
                                 num_classes=CLASSES, name=self.name)

    def schedule(self, steps: int):
        """The learning rate over ``steps`` batches: the digit model's one cycle."""
        from digitlib.training import train

        recipe = train.Recipe(epochs=self.epochs, batch_size=self.batch_size,
                              peak_learning_rate=self.peak_learning_rate,
                              warmup_fraction=self.warmup_fraction)
        return train.one_cycle(recipe, steps)

    def fit(self, pictures, classes):
        """``(network, validation accuracy)``: the network trained on ``pictures`` (N, 28, 28)
        and their ``classes`` (N,), the last ``validation_fraction`` held out."""
        import keras

        network = self.build()
        steps = self.epochs * int(np.ceil((1 - self.validation_fraction) * len(classes)
                                          / self.batch_size))
        network.compile(optimizer=keras.optimizers.Adam(self.schedule(steps)),
                        loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = network.fit(pictures[..., np.newaxis], classes, batch_size=self.batch_size,
                              epochs=self.epochs, validation_split=self.validation_fraction,
                              verbose=2)
        return network, float(history.history["val_accuracy"][-1])

    def save(self, network, path, seed: int, started: float, **figures) -> None:
        """Save ``network`` to ``path`` with its ONNX copy and card (atomically; an existing
        file is replaced only because you named it): how it was made, and ``figures``."""
        from digitlib.training import export

        card = {"model": self.name,
                "trained_by": f"python -m digitlib.training.{self.name} {path} (seed {seed}; "
                              f"models/README.md says on what)",
                **figures, "seed": seed, "epochs": self.epochs,
                "train_seconds": round(time.perf_counter() - started, 1)}
        export.save_model(network, path, card)
        print(f"saved {path}, its ONNX copy and card "
              f"({time.perf_counter() - started:.0f} s in all)")

    def command(self, train, argv=None) -> int:
        """``python -m digitlib.training.NAME PATH.keras``: ``train(PATH)``."""
        argv = sys.argv[1:] if argv is None else argv
        if len(argv) != 1 or not argv[0].endswith(".keras"):
            print(f"usage: python -m digitlib.training.{self.name} PATH.keras", file=sys.stderr)
            return 2
        train(argv[0])
        return 0
