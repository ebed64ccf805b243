"""The decode step with its KV cache: where batching stops being free, and which batches fit.

The source's two formulas (:mod:`calc.source.latency`) leave the KV cache out, so batching looks free
up to the ridge point.  With the cache, one decode step of ``B`` sequences at context ``t`` on ``N``
GPUs (tensor parallel) moves and computes

* bytes ``e_w·P + B·kv(t)``: the weights once, every sequence's cache once;
* FLOPs ``B·(2·P + a(t))``: two per weight per sequence, plus attention over the cache,

so the step is flat in ``B`` only while the weight read dominates the bytes.  Two batches bound
that flat stretch:

* ``B_w = e_w·P / kv(t)``: past it the cache reads outweigh the weight read (memory-bound growth);
* the ridge point ``I* = π / β``: past it (when there is no cache) the FLOPs take longer than the read.

The knee is the smaller of the two.  As ``B`` grows the step's intensity tends to
``(2·P + a(t)) / kv(t)``, which at a few thousand tokens of context is far below any GPU's ridge:
decode then never becomes compute-bound, however large the batch.

Memory decides which batches exist at all: ``(N·M − e_w·P) / kv(t)`` sequences fit beside the
weights (:func:`calc.source.memory.max_batch`); :func:`check_batch_fits` refuses the others with a
message naming that limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core import validate
from ..core.quantity import Quantity, num
from ..core.units import GB
from ..hardware import Accelerator
from .kernels import attention_decode
from .latency import gpu_figures
from .memory import BatchLimit, max_batch

KneeCause = Literal["KV cache", "ridge point"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodeKnee:
    """Where the latency of a decode step stops being flat in the batch, at one context length."""

    context_len: int
    weight_bytes: Quantity  # e_w·P
    kv_per_sequence: Quantity  # kv(t): K and V of every layer, t tokens
    ridge: Quantity  # π / β, read as a batch: the knee of the source's model
    kv_batch: Quantity  # B_w = e_w·P / kv(t): the cache reads equal the weight read
    knee: Quantity  # min(ridge, B_w)
    cause: KneeCause
    saturation: Quantity  # (2·P + a(t)) / kv(t): the step's intensity as B → ∞
    compute_bound_from: Quantity | None  # the smallest batch whose FLOPs outlast its bytes; None: never
    never_compute_bound: str  # why no batch is compute-bound (empty when one is)


def decode_knee(
    *,
    params: float,
    n_layers: int,
    d_model: int,
    context_len: int,
    gpu: str | Accelerator | None = None,
    memory_bandwidth: float | None = None,
    peak_flops: float | None = None,
    bytes_per_param: float = 2,
    kv_bytes_per_element: float = 2,
) -> DecodeKnee:
    """The knee of the decode step at ``context_len``: ``min(π/β, e_w·P/kv(t))``.

    The number of GPUs cancels (tensor parallelism splits bytes and FLOPs alike).  ``d_model`` is
    the width of the cached K per layer (``n_kv_heads · head_dim`` with GQA).

    LLaMA-13B on V100s at the source's 2,048 tokens: the cache equals the weights at
    26.03 GB / 1.68 GB = 15.5 sequences, long before the ridge (138.9), and the intensity can never
    pass (26.03 + 1.68) / 1.68 = 16.5 FLOP/byte:

    >>> k = decode_knee(params=13_015_864_320, n_layers=40, d_model=5120, context_len=2048, gpu="V100-SXM2-32GB")
    >>> round(k.kv_batch.value, 1), round(k.ridge.value, 1), k.cause, round(k.saturation.value, 1)
    (15.5, 138.9, 'KV cache', 16.5)
    >>> k.compute_bound_from is None, k.never_compute_bound
    (True, 'the intensity tends to 16.5161 FLOP/byte, below the ridge 138.889')
    """
    p = validate.positive("params", params)
    e_w = validate.positive("bytes_per_param", bytes_per_param)
    figures = gpu_figures(gpu, memory_bandwidth=memory_bandwidth, peak_flops=peak_flops)
    bw, peak = figures["memory_bandwidth"], figures["peak_flops"]
    attention = attention_decode(context_len=context_len, d_model=d_model, n_layers=n_layers,
                                 bytes_per_element=kv_bytes_per_element)
    t = int(context_len)
    kv, attn_flops = attention.bytes_moved.value, attention.flops.value
    weights = e_w * p
    ridge_value = peak / bw
    ridge = Quantity(value=ridge_value, unit="sequences", formula="π / β",
                     substituted=f"{num(peak / 1e12)} TFLOP/s / {num(bw / GB)} GB/s = {num(ridge_value)}")
    kv_batch_value = weights / kv
    kv_batch = Quantity(
        value=kv_batch_value, unit="sequences", formula="e_w·P / kv(t)",
        substituted=f"{num(weights / GB)} GB / {num(kv / GB)} GB = {num(kv_batch_value)}",
    )
    cause: KneeCause = "KV cache" if kv_batch_value < ridge_value else "ridge point"
    knee = Quantity(
        value=min(kv_batch_value, ridge_value), unit="sequences", formula="min(π / β, e_w·P / kv(t))",
        substituted=f"min({num(ridge_value)}, {num(kv_batch_value)}) = {num(min(kv_batch_value, ridge_value))}",
    )
    per_sequence_flops = 2 * p + attn_flops
    saturation_value = per_sequence_flops / kv
    saturation = Quantity(
        value=saturation_value, unit="FLOP/byte", formula="(2·P + a(t)) / kv(t)",
        substituted=(f"({num(2 * p / 1e9)} + {num(attn_flops / 1e9)}) GFLOP / {num(kv / GB)} GB"
                     f" = {num(saturation_value)} FLOP/byte"),
    )
    # B·(2P + a)/π ≥ (e_w·P + B·kv)/β  ⇔  B·((2P + a) − kv·π/β) ≥ e_w·P·π/β
    margin = per_sequence_flops - kv * ridge_value
    compute_bound_from, never = None, ""
    if margin > 0:
        from_value = weights * ridge_value / margin
        compute_bound_from = Quantity(
            value=from_value, unit="sequences", formula="e_w·P·(π/β) / ((2·P + a(t)) − kv(t)·π/β)",
            substituted=(f"{num(weights / GB)} GB × {num(ridge_value)} / ({num(per_sequence_flops / 1e9)} GFLOP"
                         f" − {num(kv / GB)} GB × {num(ridge_value)}) = {num(from_value)}"))
    else:  # no finite batch: the limit of the intensity is below the ridge
        never = f"the intensity tends to {num(saturation_value)} FLOP/byte, below the ridge {num(ridge_value)}"
    return DecodeKnee(
        context_len=t, weight_bytes=Quantity(value=weights, unit="B", formula="e_w·P",
                                             substituted=f"{num(e_w)} × {num(p)} = {num(weights)} B"),
        kv_per_sequence=attention.bytes_moved, ridge=ridge, kv_batch=kv_batch, knee=knee, cause=cause,
        saturation=saturation, compute_bound_from=compute_bound_from, never_compute_bound=never,
    )


def decode_batch_limit(
    *,
    params: float,
    n_gpus: int,
    n_layers: int,
    d_model: int,
    context_len: int,
    memory_per_gpu: float,
    bytes_per_param: float = 2,
    kv_bytes_per_element: float = 2,
) -> BatchLimit:
    """Sequences of ``context_len`` tokens whose caches fit beside the weights on ``N`` GPUs.

    >>> from calc.core.units import GIB
    >>> round(decode_batch_limit(params=13_015_864_320, n_gpus=8, n_layers=40, d_model=5120,
    ...                          context_len=2048, memory_per_gpu=32 * GIB).batch.value, 2)
    148.32
    """
    n = validate.positive_int("n_gpus", n_gpus)
    per_gpu = validate.positive("memory_per_gpu", memory_per_gpu)
    p = validate.positive("params", params)
    e_w = validate.positive("bytes_per_param", bytes_per_param)
    kv = attention_decode(context_len=context_len, d_model=d_model, n_layers=n_layers,
                          bytes_per_element=kv_bytes_per_element).bytes_moved.value
    return max_batch(total_memory=n * per_gpu, weights=e_w * p, per_request=kv)


def check_batch_fits(*, batch: int, limit: BatchLimit, context_len: int) -> int:
    """``batch`` if its caches fit, else an InputError on ``batch`` that names the limit.

    >>> from calc.source.memory import max_batch
    >>> check_batch_fits(batch=256, limit=max_batch(total_memory=256, weights=26, per_request=1.68), context_len=2048)
    Traceback (most recent call last):
    ...
    calc.InputError: Batch: 256 does not fit: at a context of 2,048 tokens at most 136 sequences fit beside the weights; lower the batch or the context, or add GPUs
    """
    b = validate.positive_int("batch", batch)
    if not isinstance(limit, BatchLimit):
        raise validate.fail("limit", limit, "must be a batch limit from max_batch() or decode_batch_limit()")
    if b > limit.whole_batch:
        raise validate.fail("batch", b, f"does not fit: at a context of {int(context_len):,} tokens at most "
                                        f"{limit.whole_batch:,} sequences fit beside the weights; lower the batch or "
                                        "the context, or add GPUs")
    return b
