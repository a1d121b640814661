"""bench-predict: time the serving path on 2 CPU cores against the same path with a TensorFlow
graph and with ``model.predict`` as the model call (``Predictor(model_call=...)``).

Targets: ``predict_digit`` on a 280x280 pad p50 <= 3 ms; ``predict_digits`` on a canvas of
8 digits p50 <= 10 ms (preprocessing and model together).

    python -m benchmarks.predict [--model NAME_OR_PATH]
"""

import sys

from benchmarks import common

TARGET_PAD_MS = 3  # one digit drawn on the pad: well under a frame of a live pad
TARGET_CANVAS_MS = 10  # eight digits on one canvas


def bench_predict(model_path=None) -> None:
    """Print the p50 times of the serving path and of its two peers, read on the same digits."""
    import numpy as np

    from digitlib.datasets import mnist
    from digitlib.reading import runtime
    from digitlib.reading.predict import Predictor
    from digitlib.reading.strokes import Drawing

    predictor, one_thread = common.serving_predictor(model_path, "bench-predict")
    # The same pipeline with other model calls: a TensorFlow graph, and Keras's model.predict.
    model = predictor.model
    graph = Predictor(model, path=predictor.path, model_call=runtime.tensorflow_graph(model))
    keras_predict = Predictor(model, path=predictor.path,
                              model_call=lambda batch: model.predict(batch, verbose=0))

    pad = Drawing(280, 280, brush=16)  # a 4 in two strokes, as drawn on the notebook pad
    for stroke in ([(170, 40), (60, 170), (220, 170)], [(180, 90), (180, 250)]):
        pad.add_stroke(stroke)
    pad_image = pad.to_image()

    _, (x_test, y_test) = mnist.load_mnist()
    canvas, expected = common.eight_digit_canvas(x_test, y_test)

    def p50_ms(function, repeats):
        return common.p50_ms(lambda _: function(), repeats)

    batch1 = np.zeros((1, 28, 28), np.float32)
    batch8 = np.zeros((8, 28, 28), np.float32)
    figures = {
        "digit": p50_ms(lambda: predictor.predict_digit(pad_image), 300),
        "digits": p50_ms(lambda: predictor.predict_digits(canvas), 200),
        "model1": p50_ms(lambda: predictor.classify(batch1), 300),
        "model8": p50_ms(lambda: predictor.classify(batch8), 300),
        "digit_graph": p50_ms(lambda: graph.predict_digit(pad_image), 300),
        "digits_graph": p50_ms(lambda: graph.predict_digits(canvas), 200),
        "graph1": p50_ms(lambda: graph.classify(batch1), 300),
        "graph8": p50_ms(lambda: graph.classify(batch8), 300),
        "digit_keras": p50_ms(lambda: keras_predict.predict_digit(pad_image), 30),
        "digits_keras": p50_ms(lambda: keras_predict.predict_digits(canvas), 30),
    }
    single = predictor.predict_digit(pad_image)
    read = "".join(str(d.digit) for d in predictor.predict_digits(canvas))
    print(f"\nbench-predict on {common.cores()} CPU cores (p50 over repeated calls; model "
          f"{predictor.path})")
    print(f"  TensorFlow: {'one thread per op' if one_thread else 'default threads'}"
          " (predict.limit_threads)")
    load = common.load_average()
    print(f"  load average {load:.1f}" + (" (other work shares the cores: figures run high)"
                                         if load > 0.5 else ""))
    for name, key, target in (("predict_digit, 280x280 pad", "digit", TARGET_PAD_MS),
                              ("predict_digits, 8-digit canvas", "digits", TARGET_CANVAS_MS)):
        ours, graph_ms, keras_ms = (figures[key + suffix] for suffix in ("", "_graph", "_keras"))
        print(f"  {name + ':':32}{ours:6.2f} ms   target <= {target} ms\n"
              f"    same path with a TensorFlow graph {graph_ms:.2f} ms ({graph_ms / ours:.1f}x "
              f"slower), with model.predict {keras_ms:.1f} ms ({keras_ms / ours:.0f}x slower)")
    print(f"  of which the model call ({predictor.runtime}): {figures['model1']:.2f} ms (1 image), "
          f"{figures['model8']:.2f} ms (8 images in one batch); TensorFlow graph "
          f"{figures['graph1']:.2f} / {figures['graph8']:.2f} ms")
    print(f"  read: pad {single.digit if single else None} (drawn 4), "
          f"canvas {read} (placed {expected})")


def main(argv=None) -> int:
    arguments = common.parser("predict", __doc__)
    common.add_model(arguments)
    options = arguments.parse_args(argv)
    bench_predict(options.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
