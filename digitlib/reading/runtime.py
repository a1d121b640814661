"""Run a trained model fast, one drawing at a time, without TensorFlow.

Every saved model has an **ONNX copy** beside it (``models/mnist_cnn.onnx`` beside
``models/mnist_cnn.keras``), written when the model is saved (``digitlib.training.export``). The
copy carries in its metadata (``MADE_FROM``) the SHA-256 of the ``.keras`` file it was made from,
and ``load_copy`` runs it in ONNX Runtime only when that still matches: so reading a digit imports
neither TensorFlow nor Keras. For this small network ONNX Runtime is also about four times faster
per call than TensorFlow (about 0.2 ms against 0.9 ms for one image on 2 cores; ``make
bench-predict`` prints both).

A Keras model in memory, or a ``.keras`` file without an up-to-date copy, goes the old way,
``compile_model``: converted to ONNX in memory with tf2onnx, and the converted model must agree
with Keras on a test batch; when the conversion fails (an unusual layer) or does not agree, a
compiled TensorFlow graph (``tf.function``) runs it instead. ``write_copy`` then keeps the
conversion beside the ``.keras`` file, so that it is made once.
"""

import logging
import os
from pathlib import Path

import numpy as np

from digitlib import config, files

ONNX_RUNTIME, TENSORFLOW = "ONNX Runtime", "TensorFlow"
ONNX_OPSET = 17
AGREEMENT = 1e-4  # the most any output may differ between ONNX Runtime and Keras
# Two threads read the string reader's batches of candidate digits in about half the time when
# the second core is free (``make bench-strings``); more buy little for batches this small.
THREADS = min(2, os.cpu_count() or 1)
COPY_SUFFIX = ".onnx"  # the copy of ``NAME.keras`` is ``NAME.onnx``, in the same folder
MADE_FROM = "keras_sha256"  # the copy's metadata key: the SHA-256 of the .keras it was made from
IMAGE_SHAPE = (28, 28, 1)  # one image as every model here takes it (MNIST's size, one channel)


class OnnxModel:
    """A digit model run by ONNX Runtime: ``model(batch)`` maps a float32 batch (N, 28, 28, 1)
    to its outputs (N, classes) as numpy.

    ``source``: an ``.onnx`` file or an ONNX ``ModelProto`` (a conversion made in memory, which
    ``save`` can write). ``input_shape`` and ``output_shape`` are named as Keras names them, with
    None for the batch size; ``metadata`` is the file's own record (e.g. ``MADE_FROM``).
    """

    def __init__(self, source, threads: int | None = None):
        import onnxruntime

        threads = THREADS if threads is None else threads
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a whole number of at least 1, got {threads!r}")
        self.path = None if hasattr(source, "SerializeToString") else Path(source)
        self.proto = None if self.path else source  # kept only to be saved (``save``)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: when another process holds the other core, a
        # spinning pool waits for it and a batch takes longer than on one thread.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only
        model = str(self.path) if self.path else source.SerializeToString()
        self.session = onnxruntime.InferenceSession(model, options,
                                                    providers=["CPUExecutionProvider"])
        given, made = self.session.get_inputs()[0], self.session.get_outputs()[0]
        self._input_name, self._output_name = given.name, made.name
        self.input_shape, self.output_shape = _keras_shape(given.shape), _keras_shape(made.shape)
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)

    def __call__(self, batch) -> np.ndarray:
        feed = {self._input_name: np.ascontiguousarray(batch, np.float32)}
        return self.session.run([self._output_name], feed)[0]

    def save(self, path, made_from: str) -> Path:
        """Write this conversion to ``path`` atomically, recording ``made_from`` (the SHA-256 of
        the ``.keras`` file it was converted from) in its metadata; returns ``path``."""
        if self.proto is None:
            raise ValueError("only a model converted in memory can be saved; this one was read "
                             f"from {self.path}")
        marked = type(self.proto)()
        marked.CopyFrom(self.proto)
        kept = [entry for entry in marked.metadata_props if entry.key != MADE_FROM]
        del marked.metadata_props[:]
        marked.metadata_props.extend(kept)
        entry = marked.metadata_props.add()
        entry.key, entry.value = MADE_FROM, made_from
        files.write_bytes_atomic(path, marked.SerializeToString())
        return Path(path)


def _keras_shape(shape) -> tuple:
    """ONNX's ``['unk__6', 28, 28, 1]`` as Keras says it: ``(None, 28, 28, 1)``."""
    return tuple(size if isinstance(size, int) else None for size in shape)


def copy_path(keras_path) -> Path:
    """Where the ONNX copy of the model saved at ``keras_path`` lies."""
    return Path(keras_path).with_suffix(COPY_SUFFIX)


def load_copy(keras_path, threads: int | None = None) -> OnnxModel | None:
    """The ONNX copy of the model saved at ``keras_path``, ready to run; None when there is
    none, when it was made from another ``.keras`` file than the one there now (the model was
    saved again without it), or when it cannot be read (then the caller converts)."""
    path = copy_path(keras_path)
    if not path.is_file():
        return None
    log = logging.getLogger(__name__)
    try:
        copy = OnnxModel(path, threads)
    except Exception as error:  # onnxruntime raises its own kinds for a damaged file
        log.info("the ONNX copy %s cannot be read, converting the model again: %s", path, error)
        return None
    if copy.metadata.get(MADE_FROM) != files.sha256_of(keras_path):
        log.info("the ONNX copy %s is out of date with %s", path, keras_path)
        return None
    return copy


def write_copy(run, keras_path) -> Path | None:
    """Keep ``run`` (``compile_model``'s in-memory conversion of the model saved at
    ``keras_path``) as that model's ONNX copy, so the next load need not convert; returns the
    copy's path, or None when it is not written: TensorFlow runs the model (no conversion), the
    copy would replace a file of the repository, or the folder cannot be written."""
    path = copy_path(keras_path)
    if not isinstance(run, OnnxModel) or run.proto is None or config.is_tracked(path):
        return None
    try:
        return run.save(path, made_from=files.sha256_of(keras_path))
    except OSError as error:  # an installed package's read-only folder: convert each time
        logging.getLogger(__name__).info("could not write the ONNX copy %s: %s", path,
                                         files.describe_os_error(error))
        return None


class SmallModel:
    """A small model committed beside the digit model (the companions
    ``digitlib.reading.whole_digit`` and ``digitlib.reading.any_digit``), loaded once, on first
    use: ``model(images28)`` gives its outputs (N, classes) for images (N, 28, 28), or None when
    there is no file at ``keras_path`` (the reader then goes without its opinion)."""

    def __init__(self, keras_path):
        self.path = Path(keras_path)
        self._run, self._loaded = None, False

    def load(self, onnx_copy: bool = True) -> bool:
        """Load the model and run it once, so that the first drawing read is not slow; returns
        whether there is one. ``onnx_copy``: run its ONNX copy when it is up to date, else
        convert the Keras model once and keep the copy (``write_copy``); False converts it in
        memory, the way before the copies. The first load decides."""
        if not isinstance(onnx_copy, bool):
            raise TypeError(f"onnx_copy must be True or False, got {onnx_copy!r}")
        if not self._loaded:
            self._run, self._loaded = self._load(onnx_copy), True
            if self._run is not None:
                self._run(np.zeros((1, *IMAGE_SHAPE), np.float32))
        return self._run is not None

    def __call__(self, images28) -> np.ndarray | None:
        if not self.load():
            return None
        return self._run(np.asarray(images28, dtype=np.float32).reshape(-1, *IMAGE_SHAPE))

    def _load(self, onnx_copy):
        if not self.path.is_file():
            return None
        copy = load_copy(self.path) if onnx_copy else None
        if copy is not None:
            return copy
        import keras

        run, _ = compile_model(keras.models.load_model(self.path, compile=False))
        if onnx_copy:
            write_copy(run, self.path)
        return run


def compile_model(model, threads: int | None = None):
    """``(run, runtime)``: ``run(batch) -> outputs`` as float32 numpy, and its runtime's name.

    ``model``: a Keras model in memory. ``run`` is an ``OnnxModel`` when the conversion worked.
    ``threads``: ONNX Runtime threads per call (default ``THREADS``). Errors from running the
    model itself (a broken model) propagate.
    """
    shape = tuple(model.input_shape[1:])
    check = np.random.default_rng(0).random((3, *shape), dtype=np.float32)
    expected = np.asarray(model(check, training=False))
    try:
        run = _onnx_runtime(model, threads)
        agrees = float(np.abs(run(check) - expected).max()) <= AGREEMENT
    except Exception as error:  # tf2onnx fails in many ways on unusual models
        logging.getLogger(__name__).info("ONNX conversion failed, using TensorFlow: %s", error)
        agrees = False
    if agrees:
        return run, ONNX_RUNTIME
    return tensorflow_graph(model), TENSORFLOW


def to_onnx(model):
    """The Keras ``model`` converted to ONNX by tf2onnx (an ``onnx.ModelProto``), for float32
    batches of any size; its input is named "image". Imports TensorFlow."""
    import tf2onnx

    graph = _graph(model)
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)  # it logs every conversion step
    proto, _ = tf2onnx.convert.from_function(
        graph, input_signature=graph.input_signature, opset=ONNX_OPSET
    )
    return proto


def _onnx_runtime(model, threads):
    return OnnxModel(to_onnx(model), threads)


def tensorflow_graph(model):
    """``run(batch) -> outputs``: the model as one compiled TensorFlow graph (the fallback)."""
    import tensorflow as tf

    compiled = _graph(model).get_concrete_function()
    return lambda batch: compiled(tf.constant(batch, tf.float32)).numpy()


def _graph(model):
    """The model as a ``tf.function`` for float32 batches of any size: traced once, none of
    ``model.predict``'s overhead."""
    import tensorflow as tf

    shape = tuple(model.input_shape[1:])
    signature = (tf.TensorSpec((None, *shape), tf.float32, name="image"),)
    return tf.function(lambda batch: model(batch, training=False), input_signature=signature)
