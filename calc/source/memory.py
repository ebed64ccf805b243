"""Memory: weights, KV cache per token and per request, and the largest batch that fits.

Every generated or prompt token leaves a key and a value vector of
``d_model`` elements in each layer, so the cache grows by
``2 · e · n_layers · d_model`` bytes per token (``e`` bytes per element; the
source's ``4 · n_layers · d_model`` is the fp16 case).  With multi-head
attention ``d_model = n_heads · head_dim``; with grouped-query attention the
cache is smaller, which the general model (later) accounts for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core import validate
from ..core.validate import InputError
from ..core.quantity import Quantity, num

if TYPE_CHECKING:
    from ..hardware import Accelerator
    from ..model.config import ModelConfig


def kv_cache_per_token(*, n_layers: int, d_model: int, bytes_per_element: float = 2) -> Quantity:
    """Bytes of K and V cached per token across all layers.

    >>> kv_cache_per_token(n_layers=40, d_model=5120).value
    819200
    """
    n = validate.positive_int("n_layers", n_layers)
    d = validate.positive_int("d_model", d_model)
    e = validate.positive("bytes_per_element", bytes_per_element)
    value = 2 * e * n * d
    value = int(value) if float(value).is_integer() else value
    return Quantity(
        value=value,
        unit="B",
        formula="2 (K and V) · e · n_layers · d_model",
        substituted=f"2 × {num(e)} × {num(n)} × {num(d)} = {num(value)} B",
    )


def kv_cache_per_request(
    *, n_layers: int, d_model: int, context_len: int, bytes_per_element: float = 2
) -> Quantity:
    """Bytes of KV cache one request holds at ``context_len`` tokens (prompt + output).

    >>> kv_cache_per_request(n_layers=40, d_model=5120, context_len=2048).value
    1677721600
    """
    per_token = kv_cache_per_token(n_layers=n_layers, d_model=d_model, bytes_per_element=bytes_per_element)
    ctx = validate.positive_int("context_len", context_len)
    value = per_token.value * ctx
    return Quantity(
        value=value,
        unit="B",
        formula="2 · e · n_layers · d_model · context_len",
        substituted=f"{num(per_token.value)} B × {num(ctx)} tokens = {num(value)} B",
    )


def weights_bytes(*, params: float, bytes_per_param: float = 2) -> Quantity:
    """Bytes the weights occupy: parameters × bytes per parameter.

    >>> weights_bytes(params=13_015_864_320).value
    26031728640
    """
    p = validate.positive("params", params)
    e = validate.positive("bytes_per_param", bytes_per_param)
    value = p * e
    value = int(value) if value.is_integer() else value
    return Quantity(
        value=value, unit="B", formula="P · e",
        substituted=f"{num(p)} × {num(e)} B = {num(value)} B",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchLimit:
    """How many requests of a given size fit beside the weights."""

    free_memory: Quantity
    batch: Quantity  # real-valued, as the source reports it
    whole_batch: int  # requests that actually fit: floor of ``batch``


def max_batch(*, total_memory: float, weights: float, per_request: float) -> BatchLimit:
    """``(total memory − weights) / memory per request``.

    Inputs may be in any one unit (bytes, GB, GiB): the ratio does not care,
    which is how the source's ``(256 − 24.6) / 2`` is written.  A result
    below one request raises ``ValueError``.

    >>> max_batch(total_memory=256, weights=24.6, per_request=2).batch.value
    115.7
    """
    total = validate.positive("total_memory", total_memory)
    w = validate.non_negative("weights", weights)
    r = validate.positive("per_request", per_request)
    free = total - w
    if free <= 0:
        raise InputError(
            "weights", f"Weights: {w:g} do not fit in a total memory of {total:g}; use more GPUs or smaller weights"
        )
    batch = free / r
    if batch < 1:
        raise InputError(
            "per_request", f"KV cache per request: {r:g} is more than the {free:g} left after the weights; "
            "the KV cache of even one request does not fit: shorten the context or add memory"
        )
    return BatchLimit(
        free_memory=Quantity(
            value=free, unit="(input unit)", formula="M − W",
            substituted=f"{num(total)} − {num(w)} = {num(free)}",
        ),
        batch=Quantity(
            value=batch, unit="requests", formula="(M − W) / m_req",
            substituted=f"({num(total)} − {num(w)}) / {num(r)} = {num(batch)} requests",
        ),
        whole_batch=int(batch),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelBatchLimit:
    """The largest batch for a model on a group of GPUs, from exact sizes in bytes."""

    model: str
    total_memory: Quantity
    weights: Quantity
    kv_per_token: Quantity
    kv_per_request: Quantity
    limit: BatchLimit


def model_batch_limit(
    *,
    model: "str | ModelConfig",
    n_gpus: int,
    context_len: int,
    gpu: "str | Accelerator | None" = None,
    memory_per_gpu: float | None = None,
    bytes_per_param: float = 2,
    kv_bytes_per_element: float = 2,
) -> ModelBatchLimit:
    """Largest batch with the model's exact parameter count and a KV cache in bytes.

    ``memory_per_gpu`` (bytes) overrides the catalog capacity, e.g. ``32 * GIB``
    for the physical size of a card sold as "32 GB".  The KV cache uses
    ``d_model = n_kv_heads · head_dim``, the full hidden size for the MHA LLaMA models.

    >>> from calc.core.units import GIB
    >>> r = model_batch_limit(model="LLaMA-65B", n_gpus=8, context_len=2048, memory_per_gpu=32 * GIB)
    >>> round(r.limit.batch.value, 2)
    26.88
    """
    from ..hardware import resolve
    from ..model.config import get_model

    spec = get_model(model)
    n = validate.positive_int("n_gpus", n_gpus)
    if memory_per_gpu is None:
        if gpu is None:
            raise InputError("memory_per_gpu", "Memory per GPU is missing: give it in bytes, or name a catalog GPU")
        per_gpu = resolve(gpu).memory
    else:
        per_gpu = validate.positive("memory_per_gpu", memory_per_gpu)
    total = n * per_gpu
    total_q = Quantity(
        value=total, unit="B", formula="N · M_gpu",
        substituted=f"{num(n)} × {num(per_gpu)} B = {num(total)} B",
    )
    params = spec.parameter_count().value
    weights = weights_bytes(params=params, bytes_per_param=bytes_per_param)
    # K and V of n_kv_heads·head_dim each (MLA: one latent of kv_lora_rank + rope, written as 2·width/2).
    kv_width = spec.kv_elements_per_token_layer / 2
    per_token = kv_cache_per_token(n_layers=spec.n_layers, d_model=kv_width, bytes_per_element=kv_bytes_per_element)
    per_request = kv_cache_per_request(
        n_layers=spec.n_layers, d_model=kv_width, context_len=context_len,
        bytes_per_element=kv_bytes_per_element,
    )
    limit = max_batch(total_memory=total, weights=weights.value, per_request=per_request.value)
    return ModelBatchLimit(
        model=spec.name, total_memory=total_q, weights=weights,
        kv_per_token=per_token, kv_per_request=per_request, limit=limit,
    )
