"""Intensity of single kernels, starting with the fully connected (linear) layer.

A linear layer ``Y = X · W`` with ``X`` of shape (B, d_in) and ``W`` of shape
(d_in, d_out) does ``2 · B · d_in · d_out`` FLOPs (one multiply and one add
per weight per row) and, at best, reads ``W`` and ``X`` once and writes ``Y``
once: ``bytes = e · (d_in · d_out + B · d_in + B · d_out)`` for ``e`` bytes per
element.  Intensity therefore grows with the batch until the weight read no
longer dominates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core import validate
from ..hardware import Accelerator
from ..core.quantity import Quantity, num
from ..roofline import Bound, WorkAndTraffic, _hardware, operational_intensity, ridge_point


#: FLOPs, bytes and intensity of one ``(B, d_in) x (d_in, d_out)`` matmul.
LinearLayer = WorkAndTraffic


def linear_layer(*, d_in: int, d_out: int, batch: int, bytes_per_element: float = 2) -> LinearLayer:
    """Arithmetic intensity of a fully connected layer.

    >>> round(linear_layer(d_in=4096, d_out=4096, batch=128).intensity.value, 2)
    120.47
    """
    k = validate.positive_int("d_in", d_in)
    n = validate.positive_int("d_out", d_out)
    b = validate.positive_int("batch", batch)
    e = validate.positive("bytes_per_element", bytes_per_element)
    flops = 2 * b * k * n
    moved = e * (k * n + b * k + b * n)
    oi = operational_intensity(flops=flops, bytes_moved=moved)
    return LinearLayer(
        flops=Quantity(
            value=flops, unit="FLOP", formula="2 · B · d_in · d_out",
            substituted=f"2 × {num(b)} × {num(k)} × {num(n)} = {num(flops)} FLOP",
        ),
        bytes_moved=Quantity(
            value=moved, unit="B", formula="e · (d_in · d_out + B · d_in + B · d_out)",
            substituted=(
                f"{num(e)} × ({num(k)} × {num(n)} + {num(b)} × {num(k)} + {num(b)} × {num(n)})"
                f" = {num(moved)} B"
            ),
        ),
        intensity=oi,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LinearCrossover:
    """The batch at which a linear layer's intensity reaches a part's ridge point."""

    gpu: str
    ridge: Quantity
    threshold_batch: Quantity  # real-valued solution of I(B) = ridge (inf if never)
    largest_memory_bound_batch: int | None  # None if every batch is memory-bound
    bound_at: dict[int, Bound]


def linear_layer_crossover(
    *,
    d_in: int,
    d_out: int,
    bytes_per_element: float = 2,
    gpu: str | Accelerator | None = None,
    peak_flops: float | None = None,
    bandwidth: float | None = None,
    dtype: str = "fp16",
    batches: tuple[int, ...] = (1, 8, 32, 64, 128, 256, 512, 1024),
) -> LinearCrossover:
    """Smallest batch at which the layer turns compute-bound on the given part.

    Solving ``2·B·d_in·d_out / (e·(d_in·d_out + B·(d_in + d_out))) = I*`` for B gives
    ``B* = I*·e·d_in·d_out / (2·d_in·d_out − I*·e·(d_in + d_out))``; when the
    denominator is not positive, the weight-free limit ``2·d_in·d_out / (e·(d_in + d_out))``
    is below the ridge and no batch makes the layer compute-bound.

    >>> c = linear_layer_crossover(d_in=4096, d_out=4096, gpu="A100-SXM4-80GB")
    >>> c.largest_memory_bound_batch, c.bound_at[128]
    (165, 'memory')
    """
    k = validate.positive_int("d_in", d_in)
    n = validate.positive_int("d_out", d_out)
    e = validate.positive("bytes_per_element", bytes_per_element)
    name, peak, bw = _hardware(gpu, peak_flops, bandwidth, dtype)
    ridge = peak / bw
    denominator = 2 * k * n - ridge * e * (k + n)
    if denominator > 0:
        threshold = ridge * e * k * n / denominator
        largest = math.ceil(threshold) - 1
        text = (
            f"{num(ridge)} × {num(e)} × {num(k)} × {num(n)} / "
            f"(2 × {num(k)} × {num(n)} − {num(ridge)} × {num(e)} × ({num(k)} + {num(n)}))"
            f" = {num(threshold)}"
        )
    else:
        threshold, largest = math.inf, None
        text = "the layer's intensity never reaches the ridge point: memory-bound at every batch"
    bound_at: dict[int, Bound] = {
        b: ("compute" if b >= threshold else "memory")
        for b in (validate.positive_int("batches", x) for x in validate.sequence("batches", batches))
    }
    return LinearCrossover(
        gpu=name,
        ridge=ridge_point(peak_flops=peak, bandwidth=bw),
        threshold_batch=Quantity(
            value=threshold, unit="sequences",
            formula="B* = I*·e·d_in·d_out / (2·d_in·d_out − I*·e·(d_in + d_out))",
            substituted=text,
        ),
        largest_memory_bound_batch=largest,
        bound_at=bound_at,
    )


#: FLOPs, bytes and intensity of one new token attending to a cached context.
AttentionDecode = WorkAndTraffic


def attention_decode(
    *, context_len: int, d_model: int, n_layers: int = 1, bytes_per_element: float = 2
) -> AttentionDecode:
    """Attention of one decode step (one sequence) over ``context_len`` cached tokens.

    Per layer the new query is scored against every cached key (``2·d·t``
    FLOPs) and the scores weight every cached value (``2·d·t`` FLOPs), while
    the whole K and V cache is read once: ``2·e·d·t`` bytes (the query, the
    output and the softmax are negligible beside it).  Every cached byte is
    used for ``2 / e`` FLOPs whatever the context, so this kernel stays
    memory-bound at any batch: batching shares weights, not caches.

    >>> a = attention_decode(context_len=2048, d_model=5120, n_layers=40)
    >>> a.flops.value, a.bytes_moved.value, a.intensity.value
    (1677721600, 1677721600, 1.0)
    """
    from .memory import kv_cache_per_request

    t = validate.positive_int("context_len", context_len)
    d = validate.positive_int("d_model", d_model)
    layers = validate.positive_int("n_layers", n_layers)
    moved = kv_cache_per_request(
        n_layers=layers, d_model=d, context_len=t, bytes_per_element=bytes_per_element
    )
    flops = 4 * layers * d * t
    return AttentionDecode(
        flops=Quantity(
            value=flops, unit="FLOP", formula="4 · n_layers · d_model · t (QKᵀ and scores·V)",
            substituted=f"4 × {num(layers)} × {num(d)} × {num(t)} = {num(flops)} FLOP",
        ),
        bytes_moved=moved,
        intensity=operational_intensity(flops=flops, bytes_moved=moved.value),
    )
