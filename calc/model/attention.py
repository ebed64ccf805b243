"""Attention alone: its KV cache, its FLOPs and bytes, and how the kind of attention changes them.

Counts only, taken from :func:`calc.model.operators.forward_operators` so
they are the same numbers as the whole-model tables:

* the *core* is what reads the keys and values: ``QKᵀ``, softmax and
  ``·V`` (one fused kernel, or three with the score matrix in memory);
* an MLA model adds the matmuls of its *form*: the per-head absorptions
  ``W_UK`` and ``W_UV`` (absorbed) or the decompression ``kv_b_proj``
  (expanded); the projections every form shares (q, kv_a, o) are left out;
* the *kind* is MHA (one K/V head per query head), GQA (a group of query
  heads shares one), MQA (all share one) or MLA (one compressed latent per
  position, shared by every head).

Sliding-window layers keep and read at most ``window`` positions;
:func:`kv_cache_bytes` counts them that way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from ..core import validate
from ..core.dtypes import data_format
from ..core.intensity import operational_intensity
from ..core.quantity import Quantity, num
from ..core.validate import InputError
from .config import ModelConfig
from .hf_config import resolve_model
from .operators import forward_operators

#: Operators that form an MLA layer's absorbed or expanded path (beyond the shared projections).
FORM_OPERATORS = ("q absorb", "out absorb", "kv_b_proj")


def attention_kind(*, model: str | Mapping[str, Any] | ModelConfig) -> str:
    """``MHA``, ``GQA``, ``MQA`` or ``MLA`` from the head counts.

    >>> attention_kind(model="LLaMA-13B"), attention_kind(model="Llama-3-70B"), attention_kind(model="DeepSeek-V3")
    ('MHA', 'GQA', 'MLA')
    """
    m = resolve_model(model)
    if m.is_mla:
        return "MLA"
    if m.n_kv_heads == m.n_heads:
        return "MHA"
    return "MQA" if m.n_kv_heads == 1 else "GQA"


def with_kv_heads(*, model: str | Mapping[str, Any] | ModelConfig, n_kv_heads: int) -> ModelConfig:
    """The same model with another number of K/V heads: MHA (= query heads), GQA, or MQA (1).

    Parameters change with it (the k and v projections shrink); every other shape stays.

    >>> m = with_kv_heads(model="Llama-3-8B", n_kv_heads=1)
    >>> m.name, attention_kind(model=m)
    ('Llama-3-8B (1 KV head)', 'MQA')
    """
    m = resolve_model(model)
    if m.is_mla:
        raise validate.fail("model", m.name, "uses latent attention (MLA), which has no K/V heads to change")
    kv = validate.positive_int("n_kv_heads", n_kv_heads)
    if m.n_heads % kv:
        raise validate.fail("n_kv_heads", kv, f"must divide the {m.n_heads} query heads of {m.name}")
    if kv == m.n_kv_heads:
        return m
    return replace(m, name=f"{m.name} ({kv} KV head{'s' if kv > 1 else ''})", n_kv_heads=kv, exact_params=None,
                   published_params=None, published_active=None, source=f"{m.name} with n_kv_heads={kv}")


def kv_cache_bytes(*, model: str | Mapping[str, Any] | ModelConfig, context_len: int, kv: str = "bf16") -> Quantity:
    """KV cache of one sequence of ``context_len`` tokens; sliding-window layers keep at most ``window``.

    >>> kv_cache_bytes(model="Llama-3-8B", context_len=1000).value  # 2 × 8 × 128 × 2 B × 32 layers × 1000
    131072000
    >>> kv_cache_bytes(model="Mistral-7B", context_len=8192).value  # every layer keeps 4,096 positions
    536870912
    """
    m = resolve_model(model)
    c = validate.positive_int("context_len", context_len)
    e = data_format(kv, field="kv").bytes_per_element
    per = m.kv_elements_per_token_layer * e
    full, sliding = m.n_layers - m.sliding_layers, m.sliding_layers
    window = min(c, m.sliding_window or c)
    value = per * (full * c + sliding * window)
    value = int(value) if float(value).is_integer() else value
    if sliding:
        formula = "per-layer bytes · (full layers · c + window layers · min(c, w))"
        text = f"{num(per)} B × ({num(full)} × {num(c)} + {num(sliding)} × {num(window)})"
    else:
        formula = "per-layer bytes · L · c"
        text = f"{num(per)} B × {num(m.n_layers)} × {num(c)}"
    return Quantity(value=value, unit="B", formula=formula, substituted=f"{text} = {num(value)} B")


@dataclass(frozen=True, slots=True, kw_only=True)
class Work:
    """FLOPs, bytes and their ratio for a group of operators."""

    flops: Quantity
    bytes_moved: Quantity
    intensity: Quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class AttentionCost:
    """Attention of one prefill or decode step, summed over layers and sequences."""

    model: str
    kind: str  # MHA, GQA, MQA, MLA
    form: str  # "absorbed" or "expanded" for MLA, "" otherwise
    phase: str
    batch: int
    seq_len: int
    fused: bool
    kv_bytes_per_token: Quantity  # cached per token over all layers, at the KV dtype
    kv_read: Quantity  # KV-cache bytes read by this step (decode: the whole cache)
    core: Work  # QKᵀ, softmax, ·V
    form_work: Work  # MLA's absorb or decompress matmuls (zero for MHA/GQA/MQA)
    total: Work  # core + form
    operators: tuple[str, ...]


def _work(ops: list, what: str) -> Work:
    flops = sum(o.flops.value for o in ops)
    moved = sum(o.bytes_moved.value for o in ops)
    names = " + ".join(o.name for o in ops) or "none"
    return Work(
        flops=Quantity(value=flops, unit="FLOP", formula=f"Σ FLOPs of {what}", substituted=f"{names} = {num(flops)} FLOP"),
        bytes_moved=Quantity(value=moved, unit="B", formula=f"Σ bytes of {what}", substituted=f"{names} = {num(moved)} B"),
        intensity=operational_intensity(flops=flops, bytes_moved=moved) if moved else Quantity(
            value=0.0, unit="FLOP/byte", formula="FLOPs / bytes", substituted="nothing to do: 0"),
    )


def attention_cost(
    *,
    model: str | Mapping[str, Any] | ModelConfig,
    phase: str = "decode",
    batch: int = 1,
    seq_len: int = 4096,
    activations: str = "bf16",
    kv: str = "bf16",
    fused_attention: bool = True,
    mla_form: str = "auto",
) -> AttentionCost:
    """FLOPs, bytes and intensity of attention alone, for one step of ``batch`` sequences.

    At decode the core reads each sequence's cache once and does, per cached
    element, 2 FLOPs for every query head sharing it: its intensity is about
    the group size ``H / H_kv`` FLOP per 2-byte element, whatever the batch.

    >>> round(attention_cost(model="LLaMA-13B", seq_len=2048).core.intensity.value, 2)  # MHA: ≈ 1
    1.01
    >>> round(attention_cost(model="Llama-3-70B", seq_len=2048, batch=64).core.intensity.value, 2)  # 8 heads share
    8.05
    """
    m = resolve_model(model)
    fwd = forward_operators(model=m, phase=phase, batch=batch, seq_len=seq_len, activations=activations, kv=kv,
                            fused_attention=fused_attention, mla_form=mla_form)
    attention = [o for o in fwd.operators if o.group == "attention"]
    core = [o for o in attention if o.name.startswith("attention") or o.name == "softmax"]
    form_ops = [o for o in attention if o.name.startswith(FORM_OPERATORS)]
    form = ""
    if m.is_mla:
        form = "expanded" if any(o.name.startswith("kv_b_proj") for o in form_ops) else "absorbed"
    kv_read = sum(o.kv_bytes for o in core + form_ops)
    return AttentionCost(
        model=m.name, kind=attention_kind(model=m), form=form, phase=phase, batch=fwd.batch, seq_len=fwd.seq_len,
        fused=bool(fused_attention),
        kv_bytes_per_token=m.kv_bytes_per_token(bytes_per_element=data_format(kv, field="kv").bytes_per_element),
        kv_read=Quantity(value=kv_read, unit="B", formula="Σ KV-cache bytes read by attention",
                         substituted=f"{num(kv_read)} B"),
        core=_work(core, "QKᵀ, softmax, ·V"),
        form_work=_work(form_ops, "MLA absorb/decompress matmuls"),
        total=_work(core + form_ops, "attention core and MLA form"),
        operators=tuple(o.name for o in core + form_ops),
    )
