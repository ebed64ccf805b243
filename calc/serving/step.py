"""Serving latency and throughput: TTFT, TPOT, end-to-end latency and tokens/s per GPU and per user.

The time of one step (a prefill or one decode step) on a group of GPUs is

    Σ over operators of max(FLOPs / (η_c · π_dtype · g), bytes / (η_m · β))   (each operator is a kernel)
    + communication bytes / (η_l · B_link) + α per collective   (all-reduces, expert all-to-alls, pipeline sends)
    + n_layers · t_layer + n_MoE_layers · t_MoE + t_step         (fixed costs, see :mod:`.efficiency`)

with ``g = t / (t + t½)`` for the grouped MoE GEMMs (``t`` tokens per expert) and 1 otherwise; each
term is its own field of :class:`Parts` so a result can say which one bounds the step.

Operators are summed, not overlapped, because consecutive kernels of one
forward pass wait for each other; each one is limited by whichever of its
compute or its memory traffic is slower (the roofline).  Communication is
added because tensor-parallel all-reduces sit between the attention and MLP
blocks on the critical path.  The fixed overhead per layer stands for kernel
launches and framework work that neither FLOPs nor bytes explain; it is what
keeps a tiny model from running at absurd speeds.

Definitions (stated once, used everywhere):

* **TTFT** (time to first token): under continuous batching, what a client
  measures (the wait to be admitted, the prompts admitted ahead, the prefill,
  one step, the per-request cost: :func:`calc.serving.estimate.serve_details`);
  under static batching, the prefill of the batch plus the per-request cost.
* **TPOT** (time per output token): the *mean time between consecutive output
  tokens of one request*, averaged over its output as the KV cache grows from
  ``prompt + 1`` to ``prompt + output − 1`` positions.  Under continuous
  batching it includes the prefills of newly arriving requests interleaved with
  decoding (each request's prefill, shared over its ``output`` tokens).
* **End-to-end latency** = TTFT + (output − 1) · TPOT.
* **Throughput per user** = 1 / TPOT; **per GPU** = batch / TPOT / GPUs.

Tensor parallelism (TP = N) divides the weights, heads and MLP columns of
every layer over N GPUs (norms and residual adds are repeated on each);
grouped-query KV heads are split until each GPU holds one, then copied.
Pipeline parallelism (PP = S) gives each stage ``n_layers / S`` layers; decode
keeps ``S`` micro-batches in flight, so a stage is never idle in steady state,
but the weights are read once per micro-batch.  The prefill of one prompt
passes the stages one after the other (its bubble is the idle stages).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from ..core import validate
from ..core.dtypes import COMM_DTYPE, data_format, dequant_ops, peak_key
from ..core.quantity import Quantity, num
from ..core.validate import InputError
from ..hardware import Accelerator, resolve
from ..model.config import ModelConfig
from ..model.hf_config import resolve_model
from .efficiency import TYPICAL, Efficiency
from .parts import Parts, _accumulate, _accumulate_moe
from .profile import SPLIT_GROUPS, OpLine, decode_coefficients, decode_lines, experts_loaded, prefill_ops

Model = str | Mapping[str, Any] | ModelConfig


# ------------------------------------------------------------------ the fast evaluator


def default_activations(part: Accelerator) -> str:
    """bf16 where the part has a bf16 peak, else fp16 (V100, T4)."""
    return "bf16" if "bf16" in part.peaks else "fp16"


def link_one_way(part: Accelerator) -> float:
    """One-way GPU-to-GPU bandwidth: the catalog's bidirectional totals halved."""
    if part.interconnect is None:
        raise validate.fail("gpu", part.name, "lists no interconnect; use one GPU (TP 1, PP 1)")
    bw = part.interconnect.bandwidth
    return bw / 2 if "bidirectional" in part.interconnect.direction else bw


class Evaluator:
    """Step times of one model on one accelerator with fixed parallelism, dtypes and efficiency.

    Plain floats, no arithmetic strings: this is what the search calls thousands of times.

    Parallelism of a group of N = ``tp`` GPUs: attention is tensor parallel (heads split N ways) or, with
    ``dp_attention``, data parallel (each GPU runs attention for its own 1/N of the requests with all the
    attention weights and its own KV cache); MoE experts are sharded by TP (every GPU holds 1/N of every
    expert) or, with ``ep = N``, expert parallel (every GPU holds E/N whole experts).  Both read the same
    expert bytes on average; they differ in collectives (all-reduce vs dispatch/combine all-to-alls).
    """

    def __init__(self, *, model: ModelConfig, part: Accelerator, tp: int, pp: int, weights: str, kv: str,
                 activations: str, expert_parallel: bool | int, eff: Efficiency, dp_attention: bool = False,
                 group_size: int | None = None, comm_dtype: str = COMM_DTYPE) -> None:
        self.m, self.part, self.tp, self.pp = model, part, tp, pp
        self.weights, self.kv, self.activations, self.eff = weights, kv, activations, eff
        self.group_size = group_size
        self.expert_parallel = bool(expert_parallel) and model.is_moe
        self.dp_attention = bool(dp_attention) and tp > 1
        self.a_bytes = data_format(activations, field="activations").bytes_per_element
        self.c_bytes = data_format(comm_dtype, field="comm_dtype").bytes_per_element  # all-reduces, combines, sends
        self.bw = part.bandwidth * eff.memory
        self.link = link_one_way(part) * eff.link if (tp > 1 or pp > 1) else 1.0
        self.peaks = {d: p * eff.compute for d, p in part.peaks.items()}
        if "fp4" in self.peaks:
            self.peaks["mxfp4"] = self.peaks["fp4"]  # both 4-bit floats use the fp4 tensor rate
        # A part without an fp32 (vector) rate, e.g. from custom_accelerator(): vector operators use its one
        # listed peak; they are memory-bound on every catalog part, so the choice does not move a result.
        self.vector_peak = self.peaks.get("fp32") or max(self.peaks.values())
        if self.dp_attention:
            self.kv_share = 1.0  # each GPU holds all KV heads of its own requests
        elif model.is_mla:
            self.kv_share = 1.0  # one latent per token, copied on every TP rank
        else:
            self.kv_share = math.ceil(model.n_kv_heads / tp) / model.n_kv_heads
        # Weight-only kernels dequantise every weight they read on the vector units: per second of weight
        # reading, bandwidth / bytes-per-weight weights, each costing ops / vector rate (added to compute).
        ops_w = dequant_ops(weights=weights, activations=activations)
        w_bytes = data_format(weights, field="weights", group_size=group_size).bytes_per_element
        self.dequant = ops_w * self.bw / (w_bytes * self.vector_peak) if ops_w else 0.0
        self._prefill_cache: dict[tuple[int, int], Parts] = {}
        self._coeffs: list[tuple] | None = None

    def _peak(self, dtype: str) -> float:
        try:
            return self.peaks[dtype]
        except KeyError:
            if dtype == "fp32":
                return self.vector_peak
            raise validate.fail("activations", self.activations, f"is not possible: {self.part.name} has no {dtype} "
                                                                 f"peak; it lists {', '.join(self.part.peaks)}") from None

    def _moe_slowdown(self, tokens: float) -> float:
        """1 / efficiency of the grouped expert GEMMs with ``tokens`` tokens in the step."""
        if not self.m.is_moe or self.eff.moe_tokens_half <= 0:
            return 1.0
        per_expert = tokens * self.m.experts_per_token / experts_loaded(self.m, tokens)
        return 1.0 / self.eff.moe_efficiency(per_expert)

    def ops(self, lines: tuple[OpLine, ...], s0: float, s1: float, *, batch: float = 1.0,
            tokens: float | None = None) -> Parts:
        """Operators' time, mean over contexts s0..s1, split into compute and the three byte kinds.

        ``batch``: sequences in the step (data-parallel attention splits them); ``tokens``: tokens through
        the projections (the grouped MoE GEMMs' efficiency depends on it), ``batch`` when not given.
        """
        kvs, bw, peak, tp = self.kv_share, self.bw, self._peak, self.tp
        moe = self._moe_slowdown(batch if tokens is None else tokens)
        dp_share = (math.ceil(batch / tp) / batch if batch >= 1 else 1.0) if self.dp_attention else 1.0
        total = [0.0, 0.0, 0.0, 0.0, 0.0]
        for op in lines:
            if self.dp_attention and op.group == "attention":
                div, share = 1, dp_share  # data-parallel attention: all heads, this GPU's requests only
            else:
                div, share = (tp if op.group in SPLIT_GROUPS else 1), 1.0
            slow = moe if op.dtype != "fp32" and op.name.startswith("experts ") else 1.0
            kc = share / (div * peak(op.dtype)) * slow
            w = op.weight_bytes[0] / div / bw  # weights do not depend on context
            deq = w * self.dequant if op.dtype != "fp32" else 0.0
            before = total[0]
            _accumulate(total, c0=(op.flops[0] + op.flops[1] * s0) * kc + deq,
                        c1=(op.flops[0] + op.flops[1] * s1) * kc + deq, w=w, a=op.activation_bytes[0] * share / div / bw,
                        k0=(op.kv_bytes[0] + op.kv_bytes[1] * s0) * share * kvs / bw,
                        k1=(op.kv_bytes[0] + op.kv_bytes[1] * s1) * share * kvs / bw)
            if slow != 1.0:  # grouped MoE GEMM: its compute-bound time is FLOPs at the full rate plus the excess
                added = total[0] - before
                total[0] = before + added / slow
                total[4] += added - added / slow
        return Parts(compute=total[0], weights=total[1], activations=total[2], kv=total[3], moe=total[4])

    def comms(self, tokens: float) -> tuple[float, float]:
        """(bytes time, latency) of the collectives of one forward pass of ``tokens`` tokens on one group.

        TP: an all-reduce after attention and after the MLP of every layer, in ``comm_dtype`` (bf16).  EP:
        the MoE layers' all-reduce becomes a dispatch and a combine all-to-all of k copies of each GPU's 1/N of
        the tokens.  DP attention: no all-reduce after attention (each GPU's requests stay on it); the dense
        layers' MLP gathers and scatters its tokens, priced as one all-reduce.

        The dispatch carries the experts' inputs in the activations' format: DeepEP's dispatch sends fp8 with
        its scales, and an expert GEMM quantizes its input anyway, so quantizing before the link loses
        nothing.  The combine carries the experts' outputs, summed in bf16 (DeepEP's combine is bf16 only).
        """
        if self.tp == 1:
            return 0.0, 0.0
        m, n, alpha = self.m, self.tp, self.eff.alpha
        ring = 2 * (n - 1) / n * tokens * m.hidden * self.c_bytes / self.link
        attn = 0 if self.dp_attention else m.n_layers
        if not (self.expert_parallel or self.dp_attention) or not m.is_moe:
            mlp = m.n_layers
            return (attn + mlp) * ring, (attn + mlp) * alpha
        a2a = (n - 1) / n * (tokens / n) * m.experts_per_token * m.hidden / self.link  # per byte of an element
        dense = m.n_layers - m.moe_layers
        return ((attn + dense) * ring + m.moe_layers * a2a * (self.a_bytes + self.c_bytes),
                (attn + dense + 2 * m.moe_layers) * alpha)

    def p2p(self, tokens: float) -> float:
        """One pipeline send of ``tokens`` hidden states between stages, in ``comm_dtype`` (bytes time; α apart)."""
        return tokens * self.m.hidden * self.c_bytes / self.link

    def _fixed(self, p: Parts, tokens: float, sends: float) -> Parts:
        """Add collectives, pipeline sends, per-layer and per-step costs to a pass's operator time."""
        bytes_t, lat = self.comms(tokens)
        if sends:
            bytes_t += sends * self.p2p(tokens)
            lat += sends * self.eff.alpha
        return Parts(compute=p.compute, weights=p.weights, kv=p.kv, activations=p.activations, moe=p.moe, comms=bytes_t,
                     latency=lat, overhead=self.m.n_layers * self.eff.layer_overhead
                     + self.m.moe_layers * self.eff.moe_layer_overhead, step=self.eff.step_overhead)

    def model_step(self, lines: tuple[OpLine, ...], tokens: float, s0: float, s1: float, sends: float,
                   batch: float) -> Parts:
        """A whole forward pass through all layers on one TP group, plus ``sends`` pipeline transfers."""
        return self._fixed(self.ops(lines, s0, s1, batch=batch, tokens=tokens), tokens, sends)

    def prefill(self, *, batch: int, prompt_len: int) -> Parts:
        """Prefill of ``batch`` prompts: the stages run one after the other, plus S−1 sends."""
        key = (batch, prompt_len)
        if key not in self._prefill_cache:
            lines = prefill_ops(self.m, batch=batch, prompt_len=prompt_len, weights=self.weights,
                                activations=self.activations, kv=self.kv, group_size=self.group_size)
            self._prefill_cache[key] = self.model_step(lines, batch * prompt_len, 0, 0, self.pp - 1, batch)
        return self._prefill_cache[key]

    def _fast_coefficients(self) -> list[tuple]:
        """Per operator: its group, then the coefficients of its compute and memory times in (1, b, b·s)."""
        if self._coeffs is None:
            out = []
            for name, group, dtype, (f, w, a, k) in decode_coefficients(
                    self.m, weights=self.weights, activations=self.activations, kv=self.kv,
                    group_size=self.group_size):
                div = self.tp if group in SPLIT_GROUPS else 1
                dp = group == "attention" and self.dp_attention
                if dp:
                    div = 1
                kc = 1.0 / (div * self._peak(dtype))
                km = 1.0 / (div * self.bw)
                kk = self.kv_share / self.bw
                expert = name.startswith("experts ")
                grouped = expert and dtype != "fp32"  # the grouped GEMMs, not the experts' vector operators
                wsum = (w[0] + w[1] + w[2]) * km / max(self.m.experts_per_token, 1)
                out.append((dp, grouped, dtype != "fp32", f[0] * kc, f[1] * kc, f[2] * kc, w[0] * km, w[1] * km, a[0] * km, a[1] * km,
                            k[0] * kk, k[1] * kk, k[2] * kk, wsum if expert else -1.0))
            self._coeffs = out
        return self._coeffs

    def _fast_ops(self, b: float, s0: float, s1: float, q: int = 1) -> Parts:
        """:meth:`ops` for decode work affine in (1, b, b·s): ``b`` sequences of ``q`` new tokens each."""
        tokens = b * q
        loaded = experts_loaded(self.m, tokens) if self.m.is_moe else 0.0
        moe = self._moe_slowdown(tokens)
        deq = self.dequant
        total = [0.0, 0.0, 0.0, 0.0, 0.0]
        if q == 1 and not self.dp_attention:
            # The search's inner loop: one token per sequence, every operator on the whole batch.
            for _, grouped, matmul, f0, f1, f2, w0, w1, a0, a1, k0, k1, k2, wexp in self._fast_coefficients():
                cb, kb = f0 + f1 * b, k0 + k1 * b
                w = wexp * loaded if wexp >= 0 else w0 + w1 * b
                d = w * deq if matmul else 0.0
                if grouped and moe != 1.0:
                    before = total[0]
                    _accumulate(total, c0=(cb + f2 * b * s0) * moe + d, c1=(cb + f2 * b * s1) * moe + d, w=w,
                                a=a0 + a1 * b, k0=kb + k2 * b * s0, k1=kb + k2 * b * s1)
                    added = total[0] - before  # split the compute-bound time: FLOPs at the full rate, the excess
                    total[0] = before + added / moe
                    total[4] += added - added / moe
                else:
                    _accumulate(total, c0=cb + f2 * b * s0 + d, c1=cb + f2 * b * s1 + d, w=w, a=a0 + a1 * b,
                                k0=kb + k2 * b * s0, k1=kb + k2 * b * s1)
            return Parts(compute=total[0], weights=total[1], activations=total[2], kv=total[3], moe=total[4])
        dp_share = math.ceil(b / self.tp) / b if self.dp_attention else 1.0
        for dp, grouped, matmul, f0, f1, f2, w0, w1, a0, a1, k0, k1, k2, wexp in self._fast_coefficients():
            bb = b * dp_share if dp else b
            tt = bb * q
            cb, kb = f0 + f1 * tt, k0 + k1 * tt
            c0, c1 = cb + f2 * tt * s0, cb + f2 * tt * s1
            slow = moe if grouped else 1.0
            w = wexp * loaded if wexp >= 0 else w0 + w1 * tt
            d = w * deq if matmul else 0.0
            if slow != 1.0:
                _accumulate_moe(total, slowdown=slow, c0=c0 * slow + d, c1=c1 * slow + d, w=w, a=a0 + a1 * tt,
                                k0=kb + k2 * bb * s0, k1=kb + k2 * bb * s1)
            else:
                _accumulate(total, c0=c0 + d, c1=c1 + d, w=w, a=a0 + a1 * tt,
                            k0=kb + k2 * bb * s0, k1=kb + k2 * bb * s1)
        return Parts(compute=total[0], weights=total[1], activations=total[2], kv=total[3], moe=total[4])

    def decode(self, *, batch: int, s0: float, s1: float, queries: int = 1) -> Parts:
        """Mean decode interval for a batch as its context grows from s0 to s1 (PP: S micro-batches).

        ``queries`` > 1 is a verification step of speculative decoding: each sequence sends its new token
        and its drafts through the model at once, reading its KV cache once.
        """
        micro = math.ceil(batch / self.pp)
        window = self.m.sliding_window if self.m.sliding_layers else None
        sends = self.pp if self.pp > 1 else 0
        if window is None or s1 <= window:
            return self._fixed(self._fast_ops(micro, s0, s1, queries), micro * queries, sends)
        lines = decode_lines(self.m, batch=micro * queries, weights=self.weights, activations=self.activations,
                             kv=self.kv, max_context=int(s1), group_size=self.group_size)
        # S micro-batches each pass S stages holding 1/S of the work: one whole-model step, plus S sends.
        return self.model_step(lines, micro * queries, s0, s1, sends, micro * queries)


# ------------------------------------------------------------------ public results


@dataclass(frozen=True, slots=True, kw_only=True)
class StepTime:
    """One step with its parts: operators (compute / memory), communication, fixed costs."""

    phase: str
    compute: Quantity
    memory: Quantity
    comms: Quantity  # bytes over links + per-collective latency
    overhead: Quantity  # per-layer + per-step fixed costs
    total: Quantity
    bound: str
    why: str
    parts: Parts


_LABELS = {"compute": "compute (FLOPs)", "weights": "weights read", "kv": "KV-cache read",
           "activations": "activations read/written", "comms": "communication (bytes on links)",
           "latency": "per-collective latency", "overhead": "fixed per-layer costs",
           "step": "per-step overhead (scheduler, sampling)", "draft": "speculative draft steps",
           "moe": "grouped MoE GEMMs below their rate (few tokens per expert)"}


def why(parts: Parts, phase: str) -> str:
    """Name the component that bounds a step, with its share: 'decode is bound by weights read (71 %) …'."""
    total = parts.total or 1.0
    shares = sorted(((getattr(parts, k) / total, k) for k in _LABELS), reverse=True)
    first, second = shares[0], shares[1]
    return (f"{phase} is bound by {_LABELS[first[1]]} ({first[0]:.0%} of the step), "
            f"then {_LABELS[second[1]]} ({second[0]:.0%})")


def _step(phase: str, parts: Parts) -> StepTime:
    memory = parts.memory
    comms = parts.comms + parts.latency
    fixed = parts.overhead + parts.step

    def q(value: float, formula: str) -> Quantity:
        return Quantity(value=value, unit="s", formula=formula, substituted=f"{num(value * 1e3)} ms")

    bound = max(("compute", parts.compute + parts.moe), ("memory", memory), ("communication", comms),
                ("overhead", fixed), key=lambda kv: kv[1])[0]
    other = parts.draft
    return StepTime(
        phase=phase, compute=q(parts.compute + parts.moe, "Σ compute-bound operators: FLOPs / (η_c · π)"
                                                           " (MoE GEMMs: / (t / (t + t½)))"),
        memory=q(memory, "Σ memory-bound operators: bytes / (η_m · β)"),
        comms=q(comms, "collectives: bytes / (η_l · B_link) + α per collective (+ pipeline sends)"),
        overhead=q(fixed, "n_layers · t_layer + t_step"),
        total=Quantity(value=parts.total, unit="s", formula="operators + comms + fixed costs",
                       substituted=f"{num((parts.compute + parts.moe) * 1e3)} + {num(memory * 1e3)} + {num(comms * 1e3)}"
                                   f" + {num(fixed * 1e3)}" + (f" + {num(other * 1e3)}" if other else "")
                                   + f" ms = {num(parts.total * 1e3)} ms"),
        bound=bound, why=why(parts, phase), parts=parts,
    )


def make_evaluator(*, model: Model, gpu: str | Accelerator, tp: int = 1, pp: int = 1, weights: str | None = None,
                   kv: str | None = None, activations: str | None = None, expert_parallel: bool | int = False,
                   dp_attention: bool = False, group_size: int | None = None,
                   efficiency: Efficiency = TYPICAL) -> Evaluator:
    """Check the inputs once and build the :class:`Evaluator` (dtypes default to the part's 16-bit format).

    ``expert_parallel``: ``True`` or the TP size N puts E/N whole experts on each GPU; ``False`` or 1 shards
    every expert by TP.  ``dp_attention`` runs attention data-parallel over the N GPUs.  ``group_size``:
    the quantization group of int4 or int8 weights; it must divide the hidden size.
    """
    m = resolve_model(model)
    part = resolve(gpu)
    t = validate.positive_int("tp", tp)
    p = validate.positive_int("pp", pp)
    if m.n_heads % t and not dp_attention:
        raise validate.fail("tp", tp, f"does not divide the {m.n_heads} attention heads of {m.name}; try "
                            + ", ".join(str(d) for d in range(1, 9) if m.n_heads % d == 0))
    if p > m.n_layers:
        raise validate.fail("pp", pp, f"is more stages than the {m.n_layers} layers of {m.name}")
    validate.flag("dp_attention", dp_attention)
    ep = _expert_parallel(expert_parallel, m, t)
    act = validate.optional_text("activations", activations) or default_activations(part)
    if peak_key(act) not in part.peaks:
        raise validate.fail("activations", act, f"is not possible: {part.name} has no {peak_key(act)} peak; "
                                                f"it lists {', '.join(part.peaks)}")
    w = validate.optional_text("weights", weights) or act
    k = validate.optional_text("kv", kv) or act
    data_format(w, field="weights", group_size=group_size)
    if group_size is not None and m.hidden % group_size:
        raise validate.fail("group_size", group_size, f"does not divide the hidden size {m.hidden} of {m.name} "
                                                      "(every group lies inside one row); try 32, 64 or 128")
    data_format(k, field="kv")
    if t * p > 1:
        link_one_way(part)
    if not isinstance(efficiency, Efficiency):
        raise validate.fail("efficiency", efficiency, "is not an Efficiency; make one with calc.efficiency()")
    return Evaluator(model=m, part=part, tp=t, pp=p, weights=w, kv=k, activations=act, expert_parallel=ep,
                     dp_attention=dp_attention, group_size=group_size, eff=efficiency)


def _expert_parallel(value: bool | int, m: ModelConfig, tp: int) -> bool:
    """``True``/``False``, or the EP size as an int: 1 (off) or the TP group (experts spread over it)."""
    if isinstance(value, bool):
        return value
    ep = validate.positive_int("expert_parallel", value)
    if m.is_moe and ep > m.n_experts:
        raise validate.fail("expert_parallel", value, f"is more GPUs than the experts of {m.name} "
                                                      f"({validate.count(m.n_experts, 'experts')}); use at most "
                                                      f"{m.n_experts}")
    if ep not in (1, tp):
        raise validate.fail("expert_parallel", value, f"must be 1 or the TP size, {tp}, the experts are spread "
                                                      "over")
    return ep > 1


def step_time(*, model: Model, gpu: str | Accelerator, phase: str = "decode", batch: int = 1, seq_len: int = 2048,
              tp: int = 1, pp: int = 1, weights: str | None = None, kv: str | None = None,
              activations: str | None = None, expert_parallel: bool | int = False, dp_attention: bool = False,
              group_size: int | None = None, efficiency: Efficiency = TYPICAL) -> StepTime:
    """One prefill (``batch`` prompts of ``seq_len``) or one decode step (context ``seq_len``).

    >>> t = step_time(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=1, seq_len=512)
    >>> t.bound, round(t.total.value * 1e3, 2)
    ('memory', 9.75)
    """
    ev = make_evaluator(model=model, gpu=gpu, tp=tp, pp=pp, weights=weights, kv=kv, activations=activations,
                        expert_parallel=expert_parallel, dp_attention=dp_attention, group_size=group_size,
                        efficiency=efficiency)
    b = validate.positive_int("batch", batch)
    s = validate.positive_int("seq_len", seq_len)
    validate.text("phase", phase, choices=("prefill", "decode"))
    if phase == "prefill":
        return _step("prefill", ev.prefill(batch=b, prompt_len=s))
    if phase == "decode":
        return _step("decode", ev.decode(batch=b, s0=s, s1=s))
    raise InputError("phase", f"phase={str(phase)[:20]!r} must be 'prefill' or 'decode'")
