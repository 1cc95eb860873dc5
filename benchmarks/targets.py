"""The targets the measurements are judged against (benchmarks/README.md says why each)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from results import Results, Target

TARGET_VS_NUMPY = 1.10
TARGET_VS_TORCH = 0.90
TARGET_SKLEARN_SLOWDOWN = 2.0
TARGET_CNN_VS_TORCH = 1.2
TARGET_CNN_MEMORY_VS_TORCH = 1.5
TARGET_SMALL_GRAPH_US = 10.0
TARGET_CHAIN_BACKWARD_S = 1.0
TARGET_RSS_GROWTH = 0.05
TARGET_PEAK_VS_NUMPY = 1.3
TARGET_LATE_EPOCH_SLOWDOWN = 1.1


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def judge(
    name: str, values: Sequence[float | None], passes: Callable[[float], bool], pattern: str
) -> Target:
    """Met only when every value was measured and every one passes."""
    if not values or any(v is None for v in values):
        status = "not measured"
    else:
        status = "met" if all(passes(v) for v in values) else "not met"
    return Target(name, ", ".join(fmt(v, pattern) for v in values) or "n/a", status)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def evaluate_targets(results: Results) -> list[Target]:
    targets = []
    mlp_rows = results.mlp.rows if results.mlp else []
    for attribute, name, passes in (
        ("minitorch_over_numpy",
         f"minitorch/numpy epoch time <= {TARGET_VS_NUMPY:.2f} on every MLP row",
         lambda v: v <= TARGET_VS_NUMPY),
        ("minitorch_over_torch",
         f"minitorch/torch epoch time <= {TARGET_VS_TORCH:.2f} on every MLP row",
         lambda v: v <= TARGET_VS_TORCH),
        ("sklearn_over_minitorch",
         f"sklearn/minitorch epoch time >= {TARGET_SKLEARN_SLOWDOWN:.1f} on every MLP row, "
         "sklearn given the same float32 data",
         lambda v: v >= TARGET_SKLEARN_SLOWDOWN),
        ("sklearn_f64_over_minitorch",
         f"sklearn/minitorch epoch time >= {TARGET_SKLEARN_SLOWDOWN:.1f} on every MLP row, "
         "sklearn given the data as float64",
         lambda v: v >= TARGET_SKLEARN_SLOWDOWN),
    ):
        values = [getattr(row.ratios, attribute) for row in mlp_rows]
        targets.append(judge(name, values, passes, "{:.2f}"))

    cnn_rows = results.cnn.rows if results.cnn else []
    targets.append(judge(
        f"CNN epoch minitorch/torch <= {TARGET_CNN_VS_TORCH} with "
        + " and ".join(f"{row.threads} thread(s)" for row in cnn_rows),
        [row.minitorch_over_torch for row in cnn_rows],
        lambda v: v <= TARGET_CNN_VS_TORCH, "{:.2f}",
    ))
    targets.append(judge(
        f"CNN epoch peak memory of training within {TARGET_CNN_MEMORY_VS_TORCH}x torch's",
        [ratio(row.median_training_rss_bytes.get("minitorch"),
               row.median_training_rss_bytes.get("torch")) for row in cnn_rows],
        lambda v: v <= TARGET_CNN_MEMORY_VS_TORCH, "{:.2f}x",
    ))

    overhead = results.overhead or {}
    small = overhead["minitorch"].values.get("small_graph_fwd_bwd_us") if overhead else None
    targets.append(judge(f"(a*b + a).sum() forward+backward <= {TARGET_SMALL_GRAPH_US:.0f} us",
                         [small], lambda v: v <= TARGET_SMALL_GRAPH_US, "{:.1f} us"))

    deep = results.deep or {}
    backward = deep["minitorch"].values.get("backward_s") if deep else None
    targets.append(judge(f"100k-op chain backward < {TARGET_CHAIN_BACKWARD_S:.0f} s",
                         [backward], lambda v: v < TARGET_CHAIN_BACKWARD_S, "{:.3f} s"))

    memory = results.memory.runs if results.memory else {}
    mine, numpy_run = memory.get("minitorch"), memory.get("numpy")
    targets.append(judge(
        f"minitorch RSS after epoch 10 within {TARGET_RSS_GROWTH:.0%} of epoch 2",
        [mine.growth if mine else None], lambda v: v <= TARGET_RSS_GROWTH, "{:+.1%}",
    ))
    targets.append(judge(
        f"minitorch's last epoch within {TARGET_LATE_EPOCH_SLOWDOWN}x of its second epoch's time",
        [mine.slowdown if mine else None], lambda v: v <= TARGET_LATE_EPOCH_SLOWDOWN, "{:.2f}x",
    ))
    peak_ratio = ratio(mine.peak_rss_bytes if mine else None,
                       numpy_run.peak_rss_bytes if numpy_run else None)
    targets.append(judge(f"minitorch peak RSS <= {TARGET_PEAK_VS_NUMPY}x numpy's",
                         [peak_ratio], lambda v: v <= TARGET_PEAK_VS_NUMPY, "{:.2f}x"))
    return targets
