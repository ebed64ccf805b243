"""Where a forward pass spends its FLOPs and bytes, operator by operator.

For prefill (``batch`` sequences of ``seq_len`` tokens) or one decode step
(``batch`` sequences, each new token attending to ``seq_len`` positions,
itself included), every operator of every layer gets its FLOPs (2 per
multiply-add) and its memory traffic, split into weights (read once per
step), activations (read and written) and KV cache (written by the k/v
projections, read once by attention).  Choices are stated in the result:

* causal attention counts the causal half (``causal=True``); ``False``
  counts the full ``s²`` score matrix, as the source's formula does;
* ``fused_attention=True`` is FlashAttention-style: scores never reach
  memory; ``False`` writes and reads the score and probability matrices;
* prefill sends only the last position of each sequence through the
  lm_head unless ``all_logits=True``;
* MoE layers load only the experts the batch touches: with uniform routing
  of ``T`` tokens to ``k`` of ``E`` experts, ``E·(1 − (1 − k/E)^T)``;
* MLA (DeepSeek) decompresses keys and values at prefill and absorbs the
  up-projections into the query and output at decode, so decode reads only
  the ``kv_lora_rank + qk_rope_head_dim`` latent per token.

Vector operators (norms, rotary, softmax, activation, residual adds) run at
the accelerator's fp32 non-tensor rate; matmuls at the tensor peak of their
compute dtype (:func:`calc.core.dtypes.matmul_peak_dtype`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

from ..core import validate
from ..core.dtypes import DataFormat, data_format, matmul_peak_dtype
from .config import ModelConfig, get_model
from .hf_config import resolve_model
from ..core.quantity import Quantity, num
from ..core.intensity import operational_intensity
from ..core.validate import InputError

Phase = Literal["prefill", "decode"]

#: How a multi-head latent attention layer runs (see :func:`_mla_attention`).
MLA_FORMS = ("auto", "absorbed", "expanded")

#: FLOPs per element of the vector operators (exp, tanh, rsqrt count as one).
NORM_FLOPS = {"rmsnorm": 4, "layernorm": 7}  # square, sum, scale, gain (+ mean, subtract, bias)
ACTIVATION_FLOPS = {"relu": 1, "silu": 4, "gelu": 8}  # silu: neg, exp, add, divide; gelu: tanh form
SOFTMAX_FLOPS = 5  # max, subtract, exp, sum, divide
ROTARY_FLOPS = 3  # x·cos + rotate(x)·sin
VECTOR_DTYPE = "fp32"  # the non-tensor (CUDA-core) rate every catalog part lists


@dataclass(frozen=True, slots=True, kw_only=True)
class Operator:
    """One operator summed over the layers it occurs in."""

    name: str
    group: str  # embedding, attention, mlp, moe, norm, residual, head
    kind: str  # "matmul" or "vector"
    layers: int
    compute_dtype: str  # whose peak applies
    flops: Quantity
    weight_bytes: float
    activation_bytes: float
    kv_bytes: float
    bytes_moved: Quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardOperators:
    """Every operator of one prefill or one decode step, with totals and the choices made."""

    model: str
    phase: str
    batch: int
    seq_len: int
    weights: str
    activations: str
    kv: str
    operators: tuple[Operator, ...]
    flops: Quantity
    bytes_moved: Quantity
    weight_bytes: Quantity
    activation_bytes: Quantity
    kv_bytes: Quantity
    intensity: Quantity
    choices: tuple[str, ...]


class _Builder:
    def __init__(self, *, w: DataFormat, a: DataFormat, kv: DataFormat, weights: str, activations: str,
                 kv_dtype: str) -> None:
        self.w, self.a, self.kv = w.bytes_per_element, a.bytes_per_element, kv.bytes_per_element
        self.matmul_dtype = matmul_peak_dtype(weights=weights, activations=activations)
        self.attention_dtype = attention_dtype(activations=activations, kv=kv_dtype)
        self.ops: list[Operator] = []

    def add(self, *, name: str, group: str, kind: str, layers: int, flops: float, formula: str,
            weights: float = 0.0, acts: float = 0.0, kv: float = 0.0, dtype: str | None = None) -> None:
        if layers <= 0:
            return
        total_flops, wb, ab, kb = flops * layers, weights * layers, acts * layers, kv * layers
        moved = wb + ab + kb
        self.ops.append(Operator(
            name=name, group=group, kind=kind, layers=layers,
            compute_dtype=dtype or (self.matmul_dtype if kind == "matmul" else VECTOR_DTYPE),
            flops=Quantity(value=total_flops, unit="FLOP", formula=formula,
                           substituted=f"{num(flops)} FLOP × {num(layers)} = {num(total_flops)} FLOP"),
            weight_bytes=wb, activation_bytes=ab, kv_bytes=kb,
            bytes_moved=Quantity(value=moved, unit="B", formula="weights + activations + KV cache",
                                 substituted=f"{num(wb)} + {num(ab)} + {num(kb)} = {num(moved)} B"),
        ))

    def linear(self, name: str, group: str, *, layers: int, tokens: float, d_in: int, d_out: int,
               bias: bool = False, to_kv: bool = False, weight_copies: float = 1.0) -> None:
        """``tokens × d_in`` times a ``d_in × d_out`` weight; ``to_kv``: the output is the cache write."""
        out = tokens * d_out
        self.add(
            name=name, group=group, kind="matmul", layers=layers,
            flops=2 * tokens * d_in * d_out + (out if bias else 0),
            formula=f"2·tokens·{d_in}·{d_out}" + (" + bias" if bias else ""),
            weights=weight_copies * (d_in * d_out * self.w + (d_out * self.a if bias else 0)),
            acts=tokens * d_in * self.a + (0 if to_kv else out * self.a),
            kv=out * self.kv if to_kv else 0.0,
        )

    def vector(self, name: str, group: str, *, layers: int, elements: float, flops_per: float,
               reads: float = 1, writes: float = 1, weights: float = 0.0) -> None:
        self.add(name=name, group=group, kind="vector", layers=layers, flops=elements * flops_per,
                 formula=f"{flops_per:g}·elements", acts=elements * (reads + writes) * self.a,
                 weights=weights * self.a)


def attention_dtype(*, activations: str, kv: str) -> str:
    """The peak attention runs at: queries meet cached keys and values, so the wider of the two formats.

    A bf16 cache under fp8 activations (SGLang's default for DeepSeek fp8) runs attention in bf16; an fp8 cache
    under bf16 activations is upcast.  4-bit checkpoints keep attention in 8 or 16 bits (NVFP4 and MXFP4
    quantise the linear layers only), so it runs at the cache's rate there.

    >>> attention_dtype(activations="fp8", kv="bf16"), attention_dtype(activations="fp4", kv="fp8")
    ('bf16', 'fp8')
    """
    if activations in ("fp4", "mxfp4"):
        return kv if kv in ("fp8", "bf16", "fp16") else "bf16"
    if kv in ("bf16", "fp16", "fp32") and activations in ("fp8", "int8"):
        return kv
    return activations


def _distinct_experts(experts: int, top_k: int, tokens: float) -> float:
    """Expected experts touched when ``tokens`` each pick ``top_k`` of ``experts`` uniformly."""
    return experts * (1 - (1 - top_k / experts) ** tokens)


def _activation_flops(name: str) -> int:
    key = "relu" if "relu" in name else "gelu" if "gelu" in name else "silu"
    return ACTIVATION_FLOPS[key]


def _mlp(b: _Builder, m: ModelConfig, *, prefix: str, group: str, layers: int, tokens: float, width: int,
         experts_loaded: float = 1.0) -> None:
    """A gated (gate, up, act·mul, down) or plain (fc1, act, fc2) MLP of ``width`` on ``tokens``."""
    h, bias = m.hidden, m.mlp_bias
    act = _activation_flops(m.activation)
    if m.gated_mlp:
        b.linear(f"{prefix}gate_proj", group, layers=layers, tokens=tokens, d_in=h, d_out=width, bias=bias,
                 weight_copies=experts_loaded)
        b.linear(f"{prefix}up_proj", group, layers=layers, tokens=tokens, d_in=h, d_out=width, bias=bias,
                 weight_copies=experts_loaded)
        b.vector(f"{prefix}act·mul ({m.activation})", group, layers=layers, elements=tokens * width,
                 flops_per=act + 1, reads=2)
        b.linear(f"{prefix}down_proj", group, layers=layers, tokens=tokens, d_in=width, d_out=h, bias=bias,
                 weight_copies=experts_loaded)
    else:
        b.linear(f"{prefix}fc1", group, layers=layers, tokens=tokens, d_in=h, d_out=width, bias=bias,
                 weight_copies=experts_loaded)
        b.vector(f"{prefix}act ({m.activation})", group, layers=layers, elements=tokens * width, flops_per=act)
        b.linear(f"{prefix}fc2", group, layers=layers, tokens=tokens, d_in=width, d_out=h, bias=bias,
                 weight_copies=experts_loaded)


def _attention_core(b: _Builder, m: ModelConfig, *, layers: int, batch: int, queries: float, pairs: float,
                    heads: int, d_qk: int, d_v: int, kv_read: float, kv_from_cache: bool, fused: bool) -> None:
    """Scores, softmax and probabilities × V for ``pairs`` (query, key) pairs per sequence and head."""
    q_bytes = batch * queries * heads * d_qk * b.a
    out_bytes = batch * queries * heads * d_v * b.a
    kv_bytes = kv_read * (b.kv if kv_from_cache else b.a)
    score_elems = batch * heads * pairs
    score_flops = 2 * score_elems * d_qk
    pv_flops = 2 * score_elems * d_v
    soft_flops = SOFTMAX_FLOPS * score_elems
    dtype = b.attention_dtype
    kv_kw = {"kv": kv_bytes} if kv_from_cache else {}
    if fused:
        b.add(name="attention (fused: QKᵀ, softmax, ·V)", group="attention", kind="matmul", layers=layers,
              flops=score_flops + soft_flops + pv_flops, dtype=dtype,
              formula="2·b·H·pairs·d_qk + 5·b·H·pairs + 2·b·H·pairs·d_v",
              acts=q_bytes + out_bytes + (0 if kv_from_cache else kv_bytes), **kv_kw)
        return
    k_part, v_part = kv_bytes * d_qk / (d_qk + d_v), kv_bytes * d_v / (d_qk + d_v)
    scores = score_elems * b.a
    b.add(name="attention scores QKᵀ", group="attention", kind="matmul", layers=layers, flops=score_flops,
          formula="2·b·H·pairs·d_qk", dtype=dtype, acts=q_bytes + scores + (0 if kv_from_cache else k_part),
          **({"kv": k_part} if kv_from_cache else {}))
    b.add(name="softmax", group="attention", kind="vector", layers=layers, flops=soft_flops,
          formula="5·b·H·pairs", acts=2 * scores)
    b.add(name="attention probs × V", group="attention", kind="matmul", layers=layers, flops=pv_flops,
          formula="2·b·H·pairs·d_v", dtype=dtype, acts=scores + out_bytes + (0 if kv_from_cache else v_part),
          **({"kv": v_part} if kv_from_cache else {}))


def _pairs(*, phase: str, seq_len: int, window: int | None, causal: bool) -> float:
    """(query, key) pairs per sequence and head, with an optional sliding window."""
    w = window or seq_len
    if phase == "decode":
        return min(seq_len, w)
    if not causal:
        return seq_len * min(seq_len, w)
    if w >= seq_len:
        return seq_len * (seq_len + 1) / 2
    return w * (w + 1) / 2 + (seq_len - w) * w



def _mla_form(form: str, phase: str) -> str:
    """The MLA form a step uses: ``auto`` absorbs at decode and decompresses at prefill."""
    if validate.text("mla_form", form, choices=MLA_FORMS) == "auto":
        return "absorbed" if phase == "decode" else "expanded"
    return form


def _mla_attention(b: _Builder, m: ModelConfig, *, form: str, phase: str, batch: int, seq_len: int, causal: bool,
                   fused: bool) -> None:
    """DeepSeek's multi-head latent attention, its query path, cache write, attention and output projection.

    *Expanded*: ``kv_b_proj`` decompresses every attended latent into per-head keys and values, then ordinary
    attention runs with ``d_qk = nope + rope`` and ``d_v`` per head (what the Hugging Face reference code does).
    *Absorbed*: ``W_UK`` is folded into the query and ``W_UV`` into the output, so attention runs directly on the
    cached latent, ``d_qk = r_kv + rope`` and ``d_v = r_kv`` per head, and nothing is decompressed.
    """
    qk, rope, nope, kvr, v = m.qk_head_dim, m.qk_rope_head_dim, m.qk_nope_head_dim, m.kv_lora_rank, m.v_head_dim
    L, H, h = m.n_layers, m.n_heads, m.hidden
    prefill = phase == "prefill"
    T = batch * seq_len if prefill else batch
    queries = seq_len if prefill else 1
    if m.q_lora_rank:
        b.linear("q_a_proj", "attention", layers=L, tokens=T, d_in=h, d_out=m.q_lora_rank)
        b.vector("q_a_norm", "norm", layers=L, elements=T * m.q_lora_rank, flops_per=NORM_FLOPS["rmsnorm"],
                 weights=m.q_lora_rank)
        b.linear("q_b_proj", "attention", layers=L, tokens=T, d_in=m.q_lora_rank, d_out=H * qk)
    else:
        b.linear("q_proj", "attention", layers=L, tokens=T, d_in=h, d_out=H * qk)
    b.linear("kv_a_proj (latent + rope key → cache)", "attention", layers=L, tokens=T, d_in=h,
             d_out=kvr + rope, to_kv=True)
    b.vector("kv_a_norm", "norm", layers=L, elements=T * kvr, flops_per=NORM_FLOPS["rmsnorm"], weights=kvr)
    b.vector("rotary (q, k rope parts)", "attention", layers=L, elements=T * (H + 1) * rope, flops_per=ROTARY_FLOPS)
    pairs = _pairs(phase=phase, seq_len=seq_len, window=None, causal=causal)
    positions = batch * seq_len  # latents attended, summed over the sequences (decode: the whole cache)
    if _mla_form(form, phase) == "expanded":
        if prefill:
            b.linear("kv_b_proj (decompress K, V)", "attention", layers=L, tokens=T, d_in=kvr, d_out=H * (nope + v))
        else:
            # Every cached latent is read from the cache and decompressed again, at every step.
            b.add(name="kv_b_proj (decompress cached K, V)", group="attention", kind="matmul", layers=L,
                  flops=2 * positions * kvr * H * (nope + v), formula=f"2·b·s·{kvr}·{H}·({nope} + {v})",
                  weights=kvr * H * (nope + v) * b.w, kv=positions * kvr * b.kv,
                  acts=positions * H * (nope + v) * b.a)
        _attention_core(b, m, layers=L, batch=batch, queries=queries, pairs=pairs, heads=H, d_qk=qk, d_v=v,
                        kv_read=positions * H * (qk + v), kv_from_cache=False, fused=fused)
    else:
        # Per head: q_nope (nope) × W_UK_h (nope × r_kv); T·H rows against H different matrices.
        b.linear("q absorb (W_UK into query)", "attention", layers=L, tokens=T * H, d_in=nope, d_out=kvr,
                 weight_copies=H)
        # One latent per position (r_kv + rope elements) serves as K for every head and, its r_kv part, as V.
        _attention_core(b, m, layers=L, batch=batch, queries=queries, pairs=pairs, heads=H, d_qk=kvr + rope, d_v=kvr,
                        kv_read=positions * (kvr + rope), kv_from_cache=True, fused=fused)
        b.linear("out absorb (W_UV)", "attention", layers=L, tokens=T * H, d_in=kvr, d_out=v, weight_copies=H)
    b.linear("o_proj", "attention", layers=L, tokens=T, d_in=H * v, d_out=h)

def forward_operators(
    *,
    model: str | Mapping[str, Any] | ModelConfig,
    phase: str = "decode",
    batch: int = 1,
    seq_len: int = 2048,
    weights: str = "bf16",
    activations: str = "bf16",
    kv: str = "bf16",
    group_size: int | None = None,
    causal: bool = True,
    fused_attention: bool = True,
    all_logits: bool = False,
    mla_form: str = "auto",
) -> ForwardOperators:
    """FLOPs and bytes of every operator of one prefill or one decode step.

    ``model`` is a preset name, a ``config.json`` dict or a :class:`ModelConfig`.
    ``seq_len`` is the prompt length at prefill and the attended context at
    decode.  ``group_size`` is the quantization group of int4 or int8 weights.
    ``mla_form`` ("auto", "absorbed", "expanded") chooses how an MLA model
    attends; "auto" absorbs at decode and decompresses at prefill.

    >>> r = forward_operators(model="Llama-2-7B", phase="decode", batch=1, seq_len=1)
    >>> r.weight_bytes.value == 2 * get_model("Llama-2-7B").parameter_count().value - 2 * 4096 * 31999
    True
    """
    m = resolve_model(model)
    validate.text("phase", phase, choices=("prefill", "decode"))
    causal, fused_attention, all_logits = (validate.flag(k, v) for k, v in (
        ("causal", causal), ("fused_attention", fused_attention), ("all_logits", all_logits)))
    bsz = validate.positive_int("batch", batch)
    s = validate.positive_int("seq_len", seq_len)
    wf = data_format(weights, field="weights", group_size=group_size)
    af = data_format(activations, field="activations")
    kf = data_format(kv, field="kv")
    if activations == "int4":
        raise validate.fail("activations", activations, "is not a compute format; use bf16, fp16, fp8, fp4 or int8")
    form = _mla_form(mla_form, phase)
    bld = _Builder(w=wf, a=af, kv=kf, weights=weights, activations=activations, kv_dtype=kv)
    prefill = phase == "prefill"
    T = bsz * s if prefill else bsz  # tokens through the projections this step
    queries = s if prefill else 1  # per sequence
    h, L, H = m.hidden, m.n_layers, m.n_heads

    # Embedding lookup: gather T rows of the table (weights read), write the hidden states.
    bld.add(name="embedding lookup", group="embedding", kind="vector", layers=1,
            flops=T * h if m.position_embeddings else 0, formula="gather (+ learned position add)",
            weights=T * h * bld.w * (2 if m.position_embeddings else 1), acts=T * h * bld.a)

    norm_flops, norm_w = NORM_FLOPS[m.norm], h * (2 if m.norm == "layernorm" else 1)
    if m.embedding_norm:
        bld.vector("embedding norm", "norm", layers=1, elements=T * h, flops_per=norm_flops, weights=norm_w)
    if m.norms_per_layer == 1:
        bld.vector("norm (shared by attention and MLP)", "norm", layers=L, elements=T * h, flops_per=norm_flops,
                   weights=norm_w)
    else:
        for which in ("attention", "MLP"):
            bld.vector(f"{which} norm" + (" (pre + post)" if m.norms_per_layer == 4 else ""), "norm",
                       layers=L * m.norms_per_layer // 2, elements=T * h, flops_per=norm_flops, weights=norm_w)

    # Attention projections.
    sliding, full = m.sliding_layers, L - m.sliding_layers
    if m.is_mla:
        _mla_attention(bld, m, form=form, phase=phase, batch=bsz, seq_len=s, causal=causal, fused=fused_attention)
    else:
        d, kvh = m.head_dim, m.n_kv_heads
        bld.linear("q_proj", "attention", layers=L, tokens=T, d_in=h, d_out=H * d, bias=m.qkv_bias)
        bld.linear("k_proj (→ cache)", "attention", layers=L, tokens=T, d_in=h, d_out=kvh * d, bias=m.qkv_bias,
                   to_kv=True)
        bld.linear("v_proj (→ cache)", "attention", layers=L, tokens=T, d_in=h, d_out=kvh * d, bias=m.qkv_bias,
                   to_kv=True)
        if m.qk_norm:
            bld.vector("q, k norms (per head)", "norm", layers=L, elements=T * (H + kvh) * d,
                       flops_per=NORM_FLOPS["rmsnorm"], weights=2 * d)
        if m.rotary_dim:
            bld.vector("rotary (q, k)", "attention", layers=L, elements=T * (H + kvh) * m.rotary_dim,
                       flops_per=ROTARY_FLOPS)
        for layers, window in ((full, None), (sliding, m.sliding_window)):
            pairs = _pairs(phase=phase, seq_len=s, window=window, causal=causal)
            keys = min(s, window or s)  # distinct cached positions each sequence reads
            _attention_core(bld, m, layers=layers, batch=bsz, queries=queries, pairs=pairs, heads=H, d_qk=d,
                            d_v=d, kv_read=bsz * keys * 2 * kvh * d, kv_from_cache=True, fused=fused_attention)
        bld.linear("o_proj", "attention", layers=L, tokens=T, d_in=H * d, d_out=h, bias=m.o_bias)
    bld.vector("residual adds", "residual", layers=2 * L, elements=T * h, flops_per=1, reads=2)

    # MLP: dense layers, then MoE layers (router, routed experts actually loaded, shared experts).
    _mlp(bld, m, prefix="", group="mlp", layers=m.dense_layers, tokens=T, width=m.intermediate)
    if m.is_moe:
        E, k = m.n_experts, m.experts_per_token
        bld.linear("router", "moe", layers=m.moe_layers, tokens=T, d_in=h, d_out=E)
        loaded = _distinct_experts(E, k, T)
        _mlp(bld, m, prefix="experts ", group="moe", layers=m.moe_layers, tokens=T * k, width=m.moe_intermediate,
             experts_loaded=loaded)
        if m.n_shared_experts:
            _mlp(bld, m, prefix="shared experts ", group="moe", layers=m.moe_layers, tokens=T,
                 width=m.n_shared_experts * m.moe_intermediate)

    bld.vector("final norm", "norm", layers=1, elements=T * h, flops_per=norm_flops, weights=norm_w)
    head_tokens = T if (all_logits or not prefill) else bsz
    bld.linear("lm_head", "head", layers=1, tokens=head_tokens, d_in=h, d_out=m.vocab)

    choices = _choices(m=m, phase=phase, causal=causal, fused=fused_attention, all_logits=all_logits, T=T,
                       wf=wf, matmul_dtype=bld.matmul_dtype, activations=activations, kv=kv, mla_form=form)
    return _totals(m=m, phase=phase, batch=bsz, seq_len=s, weights=weights, activations=activations, kv=kv,
                   ops=tuple(bld.ops), choices=choices)


def _choices(*, m: ModelConfig, phase: str, causal: bool, fused: bool, all_logits: bool, T: int,
             wf: DataFormat, matmul_dtype: str, activations: str, kv: str, mla_form: str) -> tuple[str, ...]:
    out = [
        "2 FLOPs per multiply-add",
        ("causal attention: only the causal half of the score matrix is counted" if causal
         else "full (non-causal) score matrix counted, as the source's formula does") if phase == "prefill"
        else "decode: the new token attends to every cached position",
        "fused attention (FlashAttention-style): scores stay on chip" if fused
        else "unfused attention: score and probability matrices written to and read from memory",
        f"weights {wf.describe()}, activations {activations}, KV cache {kv}; matmuls at the {matmul_dtype} peak,"
        f" attention at the {'fp8' if activations == 'fp4' else activations} peak, vector operators at the"
        f" {VECTOR_DTYPE} non-tensor peak",
        "each weight read once per step; each cached K/V read once by attention",
        "each operator is its own kernel: norms, activations and residual adds are not fused into the matmuls",
    ]
    if phase == "prefill":
        out.append("lm_head on every position" if all_logits else "lm_head on the last position of each sequence")
    if m.is_moe:
        out.append(f"MoE: uniform routing, {_distinct_experts(m.n_experts, m.experts_per_token, T):.1f} of "
                   f"{m.n_experts} experts loaded per MoE layer for {T} tokens")
    if m.is_mla:
        out.append("MLA, absorbed form: W_UK and W_UV folded into query and output; attention reads only the latent"
                   if mla_form == "absorbed" else
                   "MLA, expanded form: kv_b_proj decompresses every attended latent into per-head K and V")
    if m.sliding_layers:
        out.append(f"sliding window {m.sliding_window} on {m.sliding_layers} of {m.n_layers} layers")
    return tuple(out)


def _totals(*, m: ModelConfig, phase: str, batch: int, seq_len: int, weights: str, activations: str, kv: str,
            ops: tuple[Operator, ...], choices: tuple[str, ...]) -> ForwardOperators:
    def total(values: list[float], unit: str, formula: str) -> Quantity:
        value = sum(values)
        return Quantity(value=value, unit=unit, formula=formula,
                        substituted=f"sum over {len(ops)} operators = {num(value)} {unit}")

    flops = total([o.flops.value for o in ops], "FLOP", "Σ operator FLOPs")
    moved = total([o.bytes_moved.value for o in ops], "B", "Σ operator bytes")
    return ForwardOperators(
        model=m.name, phase=phase, batch=batch, seq_len=seq_len, weights=weights, activations=activations, kv=kv,
        operators=ops, flops=flops, bytes_moved=moved,
        weight_bytes=total([o.weight_bytes for o in ops], "B", "Σ weight bytes"),
        activation_bytes=total([o.activation_bytes for o in ops], "B", "Σ activation bytes"),
        kv_bytes=total([o.kv_bytes for o in ops], "B", "Σ KV-cache bytes"),
        intensity=operational_intensity(flops=flops.value, bytes_moved=moved.value),
        choices=choices,
    )
