"""Communication between GPUs: tensor-parallel all-reduce, expert-parallel all-to-all, pipeline bubble.

* **Ring all-reduce** of ``M`` bytes over ``N`` GPUs: every GPU sends and
  receives ``2(N−1)/N · M`` bytes (a reduce-scatter then an all-gather), so
  ``t = 2(N−1)/N · M / (η_link · B_link) + α``, with ``B_link`` the bandwidth
  one way and ``α`` a fixed latency per collective (launch and
  synchronisation).
* **All-to-all** (MoE expert parallelism) of ``M`` bytes per GPU: a GPU keeps
  ``1/N`` of its tokens' expert inputs and sends the rest,
  ``t = (N−1)/N · M / (η_link · B_link) + α``; dispatch and combine make two.
* **Pipeline**: ``S`` stages fed ``m`` micro-batches idle for a fraction
  ``(S−1)/(m+S−1)`` of a flushed (GPipe) schedule, the *bubble*.

The source's two communication formulas are this ring in two limits (see
:func:`source_comms_as_ring`): at small batch the bytes vanish and only the
``α`` terms remain (``4 · n_layers · 8 µs``: two all-reduces per layer of two
8 µs hops each); at large batch ``α`` vanishes and ``2(N−1)/N → 2`` for many
GPUs (``B · 2 · 4 · n_layers · d_model / A_c``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import validate
from ..core.quantity import Quantity, num
from ..core.units import GB, MICROSECOND

#: Fixed latency of one collective: the source's 8 µs per hop, two hops per all-reduce.
DEFAULT_ALPHA = 2 * 8 * MICROSECOND


def ring_all_reduce(*, message_bytes: float, n_gpus: int, link_bandwidth: float, alpha: float = DEFAULT_ALPHA,
                    link_efficiency: float = 1.0) -> Quantity:
    """Time of one ring all-reduce; 0 for one GPU.

    >>> q = ring_all_reduce(message_bytes=1e6, n_gpus=8, link_bandwidth=300e9, alpha=0)
    >>> q.value  # 2 × 7/8 × 1 MB / 300 GB/s
    5.833333333333333e-06
    """
    return _collective(factor=2, message_bytes=message_bytes, n_gpus=n_gpus, link_bandwidth=link_bandwidth,
                       alpha=alpha, link_efficiency=link_efficiency)


def all_to_all(*, message_bytes: float, n_gpus: int, link_bandwidth: float, alpha: float = DEFAULT_ALPHA,
               link_efficiency: float = 1.0) -> Quantity:
    """Time of one all-to-all in which each GPU holds ``message_bytes`` to scatter; 0 for one GPU.

    >>> all_to_all(message_bytes=8e6, n_gpus=8, link_bandwidth=450e9, alpha=0).value  # 7/8 × 8 MB / 450 GB/s
    1.5555555555555555e-05
    """
    return _collective(factor=1, message_bytes=message_bytes, n_gpus=n_gpus, link_bandwidth=link_bandwidth,
                       alpha=alpha, link_efficiency=link_efficiency)


def _collective(*, factor: int, message_bytes: float, n_gpus: int, link_bandwidth: float, alpha: float,
                link_efficiency: float) -> Quantity:
    """``factor·(N−1)/N · M / (η·B) + α``: a ring all-reduce moves each byte twice (factor 2), an all-to-all once."""
    m = validate.non_negative("message_bytes", message_bytes)
    n = validate.positive_int("n_gpus", n_gpus)
    bw = validate.positive("link_bandwidth", link_bandwidth)
    a = validate.non_negative("alpha", alpha)
    eta = _fraction("link_efficiency", link_efficiency)
    value = 0.0 if n == 1 else factor * (n - 1) / n * m / (eta * bw) + a
    lead, text = ("2", "2 × ") if factor == 2 else ("", "")
    return Quantity(value=value, unit="s", formula=f"{lead}(N−1)/N · M / (η_link · B_link) + α",
                    substituted=f"{text}{n - 1}/{n} × {num(m)} B / ({num(eta)} × {num(bw / GB)} GB/s)"
                                f" + {num(a / MICROSECOND)} µs = {num(value * 1e6)} µs")


def pipeline_bubble(*, stages: int, microbatches: int) -> Quantity:
    """Idle fraction of a flushed pipeline: ``(S−1)/(m+S−1)``.

    >>> pipeline_bubble(stages=4, microbatches=4).value  # 3 / 7
    0.42857142857142855
    """
    s = validate.positive_int("stages", stages)
    m = validate.positive_int("microbatches", microbatches)
    value = (s - 1) / (m + s - 1)
    return Quantity(value=value, unit="1", formula="(S−1) / (m+S−1)",
                    substituted=f"({s}−1) / ({m}+{s}−1) = {num(value)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceComms:
    """The source's two communication terms next to the ring formula in the matching limit."""

    small_batch_source: Quantity
    small_batch_ring: Quantity
    large_batch_source: Quantity
    large_batch_ring: Quantity


def source_comms_as_ring(*, n_layers: int, d_model: int, batch: int, link_bandwidth: float,
                         hop_latency: float = 8 * MICROSECOND) -> SourceComms:
    """Both of the source's formulas, and the ring model reproducing each.

    Small batch: two all-reduces per layer with no bytes, ``α = 2 hops``.
    Large batch: ``2 · n_layers`` all-reduces of ``B · d_model · 2`` bytes, ``α = 0``,
    and the ring factor ``2(N−1)/N`` at its many-GPU limit 2.

    >>> r = source_comms_as_ring(n_layers=40, d_model=5120, batch=64, link_bandwidth=300e9)
    >>> r.small_batch_source.value == r.small_batch_ring.value, r.large_batch_source.value == r.large_batch_ring.value
    (True, True)
    """
    from ..source.latency import decode_latency_large_batch, decode_latency_small_batch

    layers = validate.positive_int("n_layers", n_layers)
    d = validate.positive_int("d_model", d_model)
    b = validate.positive_int("batch", batch)
    bw = validate.positive("link_bandwidth", link_bandwidth)
    small = decode_latency_small_batch(params=1, n_gpus=1, n_layers=layers, memory_bandwidth=1,
                                       hop_latency=hop_latency).comms
    large = decode_latency_large_batch(params=1, n_gpus=1, batch=b, n_layers=layers, d_model=d, peak_flops=1,
                                       link_bandwidth=bw).comms
    small_ring = 2 * layers * (2 * hop_latency)
    message = b * d * 2
    large_ring = 2 * layers * (2 * message / bw)
    return SourceComms(
        small_batch_source=small,
        small_batch_ring=Quantity(value=small_ring, unit="s", formula="2 · n_layers · α, α = 2 hops",
                                  substituted=f"2 × {layers} × 2 × {num(hop_latency / MICROSECOND)} µs"
                                              f" = {num(small_ring * 1e3)} ms"),
        large_batch_source=large,
        large_batch_ring=Quantity(value=large_ring, unit="s", formula="2 · n_layers · 2 · M / B_link, M = B·d·2",
                                  substituted=f"2 × {layers} × 2 × {num(message)} B / {num(bw / GB)} GB/s"
                                              f" = {num(large_ring * 1e3)} ms"),
    )


def _fraction(name: str, value: object) -> float:
    x = validate.positive(name, value)
    if x > 1:
        raise validate.fail(name, value, "must be a fraction in (0, 1]; 1 means the full datasheet rate")
    return x
