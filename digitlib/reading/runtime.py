"""Run a trained model fast, one drawing at a time.

``compile_model(model)`` gives a function from a float32 batch (N, 28, 28, 1) to the model's
outputs (N, 10), and the name of what runs it. For this small network ONNX Runtime is about four
times faster per call than TensorFlow (about 0.2 ms against 0.9 ms for one image on 2 cores;
``make bench-predict`` prints both). So the model is converted to ONNX in memory with tf2onnx,
and the converted model must agree with Keras on a test batch; when the conversion fails (an
unusual layer) or does not agree, a compiled TensorFlow graph (``tf.function``) runs it instead.
"""

import logging
import os

import numpy as np

ONNX_RUNTIME, TENSORFLOW = "ONNX Runtime", "TensorFlow"
ONNX_OPSET = 17
AGREEMENT = 1e-4  # the most any output may differ between ONNX Runtime and Keras
# Two threads read the string reader's batches of candidate digits in about half the time when
# the second core is free (``make bench-strings``); more buy little for batches this small.
THREADS = min(2, os.cpu_count() or 1)


def compile_model(model, threads: int | None = None):
    """``(run, runtime)``: ``run(batch) -> outputs`` as float32 numpy, and its runtime's name.

    ``threads``: ONNX Runtime threads per call (default ``THREADS``). Errors from running the
    model itself (a broken model) propagate.
    """
    threads = THREADS if threads is None else threads
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


def _onnx_runtime(model, threads):
    import onnxruntime
    import tf2onnx

    graph = _graph(model)
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)  # it logs every conversion step
    proto, _ = tf2onnx.convert.from_function(
        graph, input_signature=graph.input_signature, opset=ONNX_OPSET
    )
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle threads sleep instead of spinning: when another process holds the other core, a
    # spinning pool waits for it and a batch takes longer than on one thread.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(
        proto.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    input_name, output_name = session.get_inputs()[0].name, session.get_outputs()[0].name

    def run(batch):
        return session.run([output_name], {input_name: np.ascontiguousarray(batch, np.float32)})[0]

    return run


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
