"""bench-explain: compare the heat-map methods of ``digitlib.insight.explain`` on 2 CPU cores: cost
per digit (target <= 50 ms, next to one plain reading as the baseline) and faithfulness (the
deletion test on ``--count`` MNIST test digits).

    python -m benchmarks.explain [--model NAME_OR_PATH] [--count N]
"""

import sys
import time

from benchmarks import common

TARGET_MS = 50  # a Why? answer must feel instant next to a reading
ADDING_UP = 50  # digits on which integrated gradients' sum is checked against the logit gap


def bench_explain(model_path=None, count: int = 200) -> None:
    """Print the baseline reading, then each method's cost and deletion test side by side."""
    import numpy as np

    from digitlib.datasets import mnist
    from digitlib.insight import explain

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a whole number of at least 1, got {count!r}")
    predictor, one_thread = common.serving_predictor(model_path, "bench-explain")
    _, (x_test, _) = mnist.load_mnist()
    digits = x_test[:count].astype(np.float32) / 255.0

    def p50_ms(function, repeats=50):
        return common.p50_ms(lambda index: function(index % count), repeats)

    print(f"\nbench-explain on {common.cores()} CPU cores, model {predictor.path}; TensorFlow "
          f"{'one thread per op' if one_thread else 'default threads'} (predict.limit_threads)")
    if common.load_average() > 0.5:
        print(f"  load average {common.load_average():.1f} (other work shares the cores: figures "
              "run high)")
    baseline = p50_ms(lambda index: predictor.classify(digits[index][np.newaxis]), 300)
    print(f"  baseline, one reading (Predictor.classify, {predictor.runtime}): {baseline:.2f} ms")
    started = time.perf_counter()
    explain.prepare(predictor)
    print(f"  tracing the gradient graph once per model (explain.prepare): "
          f"{1000 * (time.perf_counter() - started):.0f} ms")
    print(f"  deletion test on {count} MNIST test digits: blank the {explain.DELETED_PIXELS} "
          "pixels a map marks most important, or as many random ink pixels")
    print(f"  {'method':22}{'p50 per digit':>14}   {'answer falls by: marked':>24}"
          f"{'random':>8}   marked hurt more")
    for method in explain.METHODS:
        cost = p50_ms(lambda index, method=method: explain.explain(digits[index], predictor,
                                                                   method))
        test = explain.deletion_test(digits, predictor, method)
        chosen = "   (default)" if method == explain.DEFAULT_METHOD else ""
        print(f"  {method:22}{cost:11.1f} ms   {test.marked_drop.mean():24.3f}"
              f"{test.random_drop.mean():8.3f}   {test.wins:16.1%}{chosen}")
    print(f"  target: <= {TARGET_MS} ms per digit")
    why = [explain.explain(digit, predictor) for digit in digits[:ADDING_UP]]
    gaps = [abs(float(w.evidence.sum()) - explain.logit_gap(w, predictor)) /
            abs(explain.logit_gap(w, predictor)) for w in why]
    print(f"  integrated gradients add up to the logit difference (digit minus black image) "
          f"within {np.median(gaps):.1%} (median over {len(why)} digits)")


def main(argv=None) -> int:
    arguments = common.parser("explain", __doc__)
    common.add_model(arguments)
    arguments.add_argument("--count", type=common.positive, default=200,
                           help="MNIST test digits in the deletion test (default 200)")
    options = arguments.parse_args(argv)
    bench_explain(options.model, options.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
