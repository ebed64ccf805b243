"""Mixture of experts at decode: experts touched, tokens per expert, weights read, and how GPUs split them.

Counts only (no time): the time of these bytes and FLOPs is the roofline's
business, the time of the messages the serving engine's.

* With uniform routing, ``T`` tokens each picking ``k`` of ``E`` experts
  touch ``E·(1 − (1 − k/E)^T)`` distinct experts per MoE layer on average;
  every touched expert's weights must be read, so the weights read per step
  grow with the batch until all ``E`` are loaded.
* The touched experts share ``T·k`` token-slots: ``T·k / touched`` tokens per
  expert, which is the batch each expert's matmuls see.  At 2 FLOPs per
  weight per token, their intensity is about ``2 · tokens_per_expert / w``
  FLOP per byte for ``w``-byte weights.
* A *layout* splits one decode step over ``N`` GPUs: ``tp`` shards every
  matrix (experts too) ``N`` ways and all-reduces twice per layer;
  ``ep-dp`` keeps whole experts on each GPU (expert parallelism), runs
  attention data-parallel (each GPU its own ``batch/N`` sequences, the
  non-expert weights replicated) and exchanges tokens with an all-to-all
  before and after every MoE layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..core import validate
from ..core.dtypes import COMM_DTYPE, data_format
from ..core.quantity import Quantity, num
from ..core.validate import InputError
from .config import ModelConfig
from .hf_config import resolve_model
from .operators import _distinct_experts, forward_operators

#: How one decode step is split over GPUs (see the module docstring).
LAYOUTS = ("tp", "ep-dp")
ROUTED = "experts "  # prefix of the routed experts' operators in forward_operators


def _moe_model(model: str | Mapping[str, Any] | ModelConfig) -> ModelConfig:
    m = resolve_model(model)
    if not m.is_moe:
        raise validate.fail("model", m.name, "is dense: it has no experts; pick a mixture-of-experts model")
    return m


def experts_touched(*, experts: int, top_k: int, tokens: float) -> Quantity:
    """Expected distinct experts that ``tokens`` tokens, each routed to ``top_k`` of ``experts``, touch.

    >>> round(experts_touched(experts=256, top_k=8, tokens=1).value, 6)  # one token: exactly its k experts
    8.0
    >>> round(experts_touched(experts=256, top_k=8, tokens=64).value, 1)
    222.4
    """
    e = validate.positive_int("experts", experts)
    k = validate.positive_int("top_k", top_k)
    if k > e:
        raise validate.fail("top_k", k, f"cannot exceed the {e:,} experts")
    t = validate.non_negative("tokens", tokens)
    value = _distinct_experts(e, k, t)
    return Quantity(value=value, unit="experts", formula="E · (1 − (1 − k/E)^T)",
                    substituted=f"{e} × (1 − (1 − {k}/{e})^{num(t)}) = {num(value)}")


def tokens_to_touch(*, experts: int, top_k: int, share: float) -> Quantity:
    """Tokens per step at which, on average, ``share`` of the experts are touched: ``ln(1 − s) / ln(1 − k/E)``.

    >>> round(tokens_to_touch(experts=256, top_k=8, share=0.9).value, 1)
    72.5
    """
    e = validate.positive_int("experts", experts)
    k = validate.positive_int("top_k", top_k)
    s = validate.positive("share", share)
    if s >= 1:
        raise validate.fail("share", s, "must be below 1: every expert is touched only in the limit")
    if k >= e:
        raise validate.fail("top_k", k, f"must be below the {e:,} experts: one token already touches them all")
    value = math.log(1 - s) / math.log(1 - k / e)
    return Quantity(value=value, unit="tokens", formula="ln(1 − share) / ln(1 − k/E)",
                    substituted=f"ln(1 − {num(s)}) / ln(1 − {k}/{e}) = {num(value)} tokens")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpertLoad:
    """What one decode step of ``batch`` tokens does to the routed experts."""

    model: str
    batch: int
    experts: int
    top_k: int
    touched: Quantity  # per MoE layer
    tokens_per_expert: Quantity  # mean over the touched experts
    expert_bytes: Quantity  # routed-expert weights read by the step, all MoE layers
    all_expert_bytes: float  # if every expert were read
    weight_bytes: Quantity  # every weight the step reads (experts and the rest)
    expert_intensity: Quantity  # FLOP per byte of the routed experts' matmuls
    active_params: Quantity
    total_params: Quantity


def expert_load(*, model: str | Mapping[str, Any] | ModelConfig, batch: int = 1, weights: str = "bf16",
                context_len: int = 1024) -> ExpertLoad:
    """Experts touched, tokens per expert and weights read by one decode step of ``batch`` sequences.

    >>> load = expert_load(model="DeepSeek-V3", batch=1, weights="fp8")
    >>> round(load.touched.value), round(load.tokens_per_expert.value, 3)
    (8, 1.0)
    """
    m = _moe_model(model)
    fwd = forward_operators(model=m, phase="decode", batch=batch, seq_len=context_len, weights=weights)
    routed = [o for o in fwd.operators if o.name.startswith(ROUTED)]
    matmuls = [o for o in routed if o.kind == "matmul"]
    E, k, T = m.n_experts, m.experts_per_token, fwd.batch
    touched = experts_touched(experts=E, top_k=k, tokens=T)
    per = T * k / touched.value
    expert_bytes = sum(o.weight_bytes for o in routed)
    all_bytes = expert_bytes * E / touched.value
    flops, moved = sum(o.flops.value for o in matmuls), sum(o.bytes_moved.value for o in matmuls)
    params = m.parameters()
    return ExpertLoad(
        model=m.name, batch=T, experts=E, top_k=k, touched=touched,
        tokens_per_expert=Quantity(value=per, unit="tokens", formula="T · k / touched",
                                   substituted=f"{T} × {k} / {num(touched.value)} = {num(per)} tokens"),
        expert_bytes=Quantity(value=expert_bytes, unit="B", formula="MoE layers · touched · expert weights",
                              substituted=f"{num(m.moe_layers)} × {num(touched.value)} × "
                                          f"{num(expert_bytes / m.moe_layers / touched.value)} B = {num(expert_bytes)} B"),
        all_expert_bytes=all_bytes,
        weight_bytes=fwd.weight_bytes,
        expert_intensity=Quantity(value=flops / moved, unit="FLOP/byte", formula="expert FLOPs / expert bytes",
                                  substituted=f"{num(flops)} FLOP / {num(moved)} B = {num(flops / moved)} FLOP/byte"),
        active_params=params.active, total_params=params.total,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MoeLayout:
    """One decode step split over ``gpus`` GPUs: what each GPU reads, holds and sends."""

    model: str
    layout: str
    gpus: int
    batch: int
    flops: Quantity  # per GPU
    weight_bytes: Quantity  # weights read per GPU per step
    kv_bytes: Quantity  # KV cache read per GPU per step
    weights_held: Quantity  # weights stored per GPU
    kv_held: Quantity  # KV cache stored per GPU
    collectives: int  # per step
    message_bytes: float  # per GPU, per collective (all-to-alls: the mean of the dispatch and the combine)
    collective: str  # "all-reduce" or "all-to-all"
    tokens_per_expert: Quantity
    notes: tuple[str, ...]


def moe_layout(*, model: str | Mapping[str, Any] | ModelConfig, layout: str = "tp", gpus: int = 8, batch: int = 1,
               context_len: int = 1024, weights: str = "bf16", activations: str = "bf16",
               kv: str = "bf16") -> MoeLayout:
    """Per-GPU FLOPs, bytes read, memory held and messages of one decode step under ``layout``.

    >>> tp = moe_layout(model="DeepSeek-V3", layout="tp", gpus=8, batch=64, weights="fp8")
    >>> dp = moe_layout(model="DeepSeek-V3", layout="ep-dp", gpus=8, batch=64, weights="fp8")
    >>> tp.kv_bytes.value == 8 * dp.kv_bytes.value  # MLA's latent cannot be split by head: TP replicates it
    True
    """
    m = _moe_model(model)
    validate.text("layout", layout, choices=LAYOUTS)
    n = validate.positive_int("gpus", gpus)
    if layout == "ep-dp" and n > m.n_experts:
        raise validate.fail("gpus", n, f"exceeds the {m.n_experts} experts of {m.name}: expert parallelism "
                                       "needs at least one expert per GPU")
    fwd = forward_operators(model=m, phase="decode", batch=batch, seq_len=context_len, weights=weights,
                            activations=activations, kv=kv)
    T = fwd.batch
    routed = sum(o.weight_bytes for o in fwd.operators if o.name.startswith(ROUTED))
    rest = fwd.weight_bytes.value - routed
    wb = data_format(weights, field="weights").bytes_per_element
    total_w = m.parameter_count().value * wb
    expert_w = m.parameters().experts.value * wb
    per_seq_kv = fwd.kv_bytes.value / T  # read by one sequence this step
    held_per_seq = m.kv_bytes_per_token(bytes_per_element=data_format(kv, field="kv").bytes_per_element).value \
        * context_len
    a = data_format(activations, field="activations").bytes_per_element
    c = data_format(COMM_DTYPE).bytes_per_element  # hidden states on the links: bf16 whatever the matmuls compute in
    load = expert_load(model=m, batch=T, weights=weights, context_len=context_len)
    if layout == "tp":
        # K/V heads split across GPUs where there are enough of them; MLA's single latent is replicated.
        kv_share = 1.0 if m.is_mla else math.ceil(m.n_kv_heads / n) / m.n_kv_heads
        w_read, w_held = fwd.weight_bytes.value / n, total_w / n
        kv_read, kv_held = per_seq_kv * T * kv_share, held_per_seq * T * kv_share
        collectives, message, kind = 2 * m.n_layers, T * m.hidden * c, "all-reduce"
        notes = ("every matrix sharded N ways, experts included; two all-reduces of the hidden states per layer",
                 "MLA: the latent serves every head, so each GPU keeps the whole cache" if m.is_mla
                 else f"K/V heads split N ways (at most {m.n_kv_heads})")
    else:
        seqs = math.ceil(T / n)  # the busiest GPU's sequences
        w_read = rest + routed / n
        w_held = (total_w - expert_w) + expert_w / n
        kv_read, kv_held = per_seq_kv * seqs, held_per_seq * seqs
        # The dispatch carries the experts' inputs in the activations' format, the combine their bf16 outputs.
        collectives, message, kind = 2 * m.moe_layers, seqs * m.experts_per_token * m.hidden * (a + c) / 2, "all-to-all"
        notes = ("attention (and every non-expert weight) replicated; each GPU runs its own batch / N sequences",
                 f"whole experts per GPU ({m.n_experts / n:g} each); tokens dispatched to their experts and "
                 "combined back: two all-to-alls per MoE layer")
    return MoeLayout(
        model=m.name, layout=layout, gpus=n, batch=T,
        flops=Quantity(value=fwd.flops.value / n, unit="FLOP", formula="step FLOPs / N",
                       substituted=f"{num(fwd.flops.value)} / {n} = {num(fwd.flops.value / n)} FLOP"),
        weight_bytes=_bytes(w_read, "weights read per GPU", "(non-expert / N or replicated) + touched experts / N"),
        kv_bytes=_bytes(kv_read, "KV read per GPU", "sequences on the GPU · cache read per sequence (· head share)"),
        weights_held=_bytes(w_held, "weights held per GPU", "total / N, or non-expert + experts / N"),
        kv_held=_bytes(kv_held, "KV held per GPU", "sequences on the GPU · context · KV per token (· head share)"),
        collectives=collectives, message_bytes=message, collective=kind,
        tokens_per_expert=load.tokens_per_expert, notes=notes,
    )


def _bytes(value: float, what: str, formula: str) -> Quantity:
    return Quantity(value=value, unit="B", formula=formula, substituted=f"{what}: {num(value)} B")
