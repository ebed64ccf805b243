"""Serving latency and throughput: TTFT, TPOT, end-to-end latency and tokens/s per GPU and per user.

The time of one step (a prefill or one decode step) on a group of GPUs is

    Σ over operators of max(FLOPs / (η_c · π_dtype), bytes / (η_m · β))   (each operator is a kernel)
    + communication (tensor-parallel all-reduces, expert all-to-alls, pipeline sends)
    + n_layers · t_layer                                                   (launch / framework overhead)

Operators are summed, not overlapped, because consecutive kernels of one
forward pass wait for each other; each one is limited by whichever of its
compute or its memory traffic is slower (the roofline).  Communication is
added because tensor-parallel all-reduces sit between the attention and MLP
blocks on the critical path.  The fixed overhead per layer stands for kernel
launches and framework work that neither FLOPs nor bytes explain; it is what
keeps a tiny model from running at absurd speeds.

Definitions (stated once, used everywhere):

* **TTFT** (time to first token): the prefill of the prompt; under continuous
  batching, plus one decode interval the request waits for the running step.
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
from ..core.dtypes import data_format
from ..core.quantity import Quantity, num
from ..core.validate import InputError
from ..hardware import Accelerator, resolve
from ..model.config import ModelConfig
from ..model.hf_config import resolve_model
from .efficiency import TYPICAL, Efficiency
from .profile import OpLine, decode_coefficients, decode_lines, experts_loaded, prefill_ops

Model = str | Mapping[str, Any] | ModelConfig


# ------------------------------------------------------------------ the fast evaluator


@dataclass(frozen=True, slots=True, kw_only=True)
class Parts:
    """Where a step's time goes (seconds, per GPU group): the components of the 'why'."""

    compute: float = 0.0
    weights: float = 0.0
    kv: float = 0.0
    activations: float = 0.0
    comms: float = 0.0
    overhead: float = 0.0

    @property
    def total(self) -> float:
        return self.compute + self.weights + self.kv + self.activations + self.comms + self.overhead


def default_activations(part: Accelerator) -> str:
    """bf16 where the part has a bf16 peak, else fp16 (V100, T4)."""
    return "bf16" if "bf16" in part.peaks else "fp16"


def link_one_way(part: Accelerator) -> float:
    """One-way GPU-to-GPU bandwidth: the catalog's bidirectional totals halved."""
    if part.interconnect is None:
        raise validate.fail("gpu", part.name, "lists no interconnect; use one GPU (TP 1, PP 1)")
    bw = part.interconnect.bandwidth
    return bw / 2 if "bidirectional" in part.interconnect.direction else bw


def _accumulate(total: list[float], *, c0: float, c1: float, w: float, a: float, k0: float, k1: float) -> None:
    """Add one operator's time, averaged over a context interval, to ``total`` = [compute, weights, activations, kv].

    The one implementation of the per-operator roofline used by every path of the engine.  Over the
    interval the operator's compute time goes linearly from ``c0`` to ``c1`` and its memory time from
    ``w + a + k0`` to ``w + a + k1`` (only the KV read grows with context); at each point it takes the
    slower of the two, so where the lines cross (the operator passes its ridge point) each side is
    integrated separately and the memory side's share is split into its three byte kinds.
    """
    d0, d1 = c0 - (w + a + k0), c1 - (w + a + k1)
    if d0 >= 0 and d1 >= 0:
        total[0] += (c0 + c1) / 2
        return
    if d0 <= 0 and d1 <= 0:
        total[1] += w
        total[2] += a
        total[3] += (k0 + k1) / 2
        return
    x = d0 / (d0 - d1)  # where compute and memory time meet, as a fraction of the interval
    cx, kx = c0 + x * (c1 - c0), k0 + x * (k1 - k0)
    if d0 > 0:  # compute-bound first, memory-bound after x
        total[0] += x * (c0 + cx) / 2
        fm, kv = 1 - x, (1 - x) * (kx + k1) / 2
    else:  # memory-bound first, compute-bound after x
        total[0] += (1 - x) * (cx + c1) / 2
        fm, kv = x, x * (k0 + kx) / 2
    total[1] += fm * w
    total[2] += fm * a
    total[3] += kv


class Evaluator:
    """Step times of one model on one accelerator with fixed parallelism, dtypes and efficiency.

    Plain floats, no arithmetic strings: this is what the search calls thousands of times.
    """

    def __init__(self, *, model: ModelConfig, part: Accelerator, tp: int, pp: int, weights: str, kv: str,
                 activations: str, expert_parallel: bool, eff: Efficiency) -> None:
        self.m, self.part, self.tp, self.pp = model, part, tp, pp
        self.weights, self.kv, self.activations, self.eff = weights, kv, activations, eff
        self.expert_parallel = expert_parallel and model.is_moe
        self.a_bytes = data_format(activations, field="activations").bytes_per_element
        self.bw = part.bandwidth * eff.memory
        self.link = link_one_way(part) * eff.link if (tp > 1 or pp > 1) else 1.0
        self.peaks = {d: p * eff.compute for d, p in part.peaks.items()}
        if model.is_mla:
            self.kv_share = 1.0  # one latent per token, copied on every TP rank
        else:
            self.kv_share = math.ceil(model.n_kv_heads / tp) / model.n_kv_heads
        self._prefill_cache: dict[tuple[int, int], Parts] = {}
        self._coeffs: list[tuple] | None = None

    def _peak(self, dtype: str) -> float:
        try:
            return self.peaks[dtype]
        except KeyError:
            raise validate.fail("activations", self.activations, f"is not possible: {self.part.name} has no {dtype} "
                                                                 f"peak; it lists {', '.join(self.part.peaks)}") from None

    def ops(self, lines: tuple[OpLine, ...], s0: float, s1: float) -> Parts:
        """Operators' time, mean over contexts s0..s1, split into compute and the three byte kinds."""
        tp, kvs, bw, peak = self.tp, self.kv_share, self.bw, self._peak
        total = [0.0, 0.0, 0.0, 0.0]
        for op in lines:
            div = tp if op.split else 1
            kc = 1.0 / (div * peak(op.dtype))
            _accumulate(total, c0=(op.flops[0] + op.flops[1] * s0) * kc, c1=(op.flops[0] + op.flops[1] * s1) * kc,
                        w=op.weight_bytes[0] / div / bw,  # weights do not depend on context
                        a=op.activation_bytes[0] / div / bw,
                        k0=(op.kv_bytes[0] + op.kv_bytes[1] * s0) * kvs / bw,
                        k1=(op.kv_bytes[0] + op.kv_bytes[1] * s1) * kvs / bw)
        return Parts(compute=total[0], weights=total[1], activations=total[2], kv=total[3])

    def comms(self, tokens: float) -> float:
        """Communication of one forward pass of ``tokens`` tokens (whole model, one TP group)."""
        if self.tp == 1:
            return 0.0
        m, n, eff = self.m, self.tp, self.eff
        msg = tokens * m.hidden * self.a_bytes
        ring = 2 * (n - 1) / n * msg / self.link + eff.alpha
        if not self.expert_parallel:
            return 2 * m.n_layers * ring
        # MoE layers: the MLP all-reduce becomes dispatch + combine all-to-alls of k copies of each local token.
        a2a = (n - 1) / n * (tokens / n) * m.experts_per_token * m.hidden * self.a_bytes / self.link + eff.alpha
        return 2 * m.n_layers * ring - m.moe_layers * ring + m.moe_layers * 2 * a2a

    def p2p(self, tokens: float) -> float:
        """One pipeline send of ``tokens`` hidden states between stages."""
        return tokens * self.m.hidden * self.a_bytes / self.link + self.eff.alpha

    def model_step(self, lines: tuple[OpLine, ...], tokens: float, s0: float, s1: float, sends: float) -> Parts:
        """A whole forward pass through all layers on one TP group, plus ``sends`` pipeline transfers."""
        p = self.ops(lines, s0, s1)
        comms = self.comms(tokens) + (sends * self.p2p(tokens) if sends else 0.0)
        return Parts(compute=p.compute, weights=p.weights, kv=p.kv, activations=p.activations, comms=comms,
                     overhead=self.m.n_layers * self.eff.layer_overhead)

    def prefill(self, *, batch: int, prompt_len: int) -> Parts:
        """Prefill of ``batch`` prompts: the stages run one after the other, plus S−1 sends."""
        key = (batch, prompt_len)
        if key not in self._prefill_cache:
            lines = prefill_ops(self.m, batch=batch, prompt_len=prompt_len, weights=self.weights,
                                activations=self.activations, kv=self.kv)
            self._prefill_cache[key] = self.model_step(lines, batch * prompt_len, 0, 0, self.pp - 1)
        return self._prefill_cache[key]

    def _fast_coefficients(self) -> list[tuple]:
        """Per operator, the coefficients of its compute and memory times in (1, b, b·s), rates folded in."""
        if self._coeffs is None:
            out = []
            for name, split, dtype, (f, w, a, k) in decode_coefficients(self.m, weights=self.weights,
                                                                      activations=self.activations, kv=self.kv):
                div = self.tp if split else 1
                kc = 1.0 / (div * self._peak(dtype))
                km = 1.0 / (div * self.bw)
                kk = self.kv_share / self.bw
                expert = name.startswith("experts ")
                wsum = (w[0] + w[1] + w[2]) * km / max(self.m.experts_per_token, 1)
                out.append((f[0] * kc, f[1] * kc, f[2] * kc, w[0] * km, w[1] * km, a[0] * km, a[1] * km,
                            k[0] * kk, k[1] * kk, k[2] * kk, wsum if expert else -1.0))
            self._coeffs = out
        return self._coeffs

    def _fast_ops(self, b: int, s0: float, s1: float) -> Parts:
        """:meth:`ops` for models whose decode work is affine in (1, b, b·s): no objects per batch."""
        loaded = experts_loaded(self.m, b) if self.m.is_moe else 0.0
        total = [0.0, 0.0, 0.0, 0.0]
        for f0, f1, f2, w0, w1, a0, a1, k0, k1, k2, wexp in self._fast_coefficients():
            cb, kb = f0 + f1 * b, k0 + k1 * b
            _accumulate(total, c0=cb + f2 * b * s0, c1=cb + f2 * b * s1,
                        w=wexp * loaded if wexp >= 0 else w0 + w1 * b, a=a0 + a1 * b,
                        k0=kb + k2 * b * s0, k1=kb + k2 * b * s1)
        return Parts(compute=total[0], weights=total[1], activations=total[2], kv=total[3])

    def decode(self, *, batch: int, s0: float, s1: float) -> Parts:
        """Mean decode interval for a batch as its context grows from s0 to s1 (PP: S micro-batches)."""
        micro = math.ceil(batch / self.pp)
        window = self.m.sliding_window if self.m.sliding_layers else None
        if window is None or s1 <= window:
            p = self._fast_ops(micro, s0, s1)
            sends = self.pp if self.pp > 1 else 0
            comms = self.comms(micro) + (sends * self.p2p(micro) if sends else 0.0)
            return Parts(compute=p.compute, weights=p.weights, kv=p.kv, activations=p.activations, comms=comms,
                         overhead=self.m.n_layers * self.eff.layer_overhead)
        lines = decode_lines(self.m, batch=micro, weights=self.weights, activations=self.activations, kv=self.kv,
                             max_context=int(s1))
        # S micro-batches each pass S stages holding 1/S of the work: one whole-model step, plus S sends.
        return self.model_step(lines, micro, s0, s1, self.pp if self.pp > 1 else 0)


# ------------------------------------------------------------------ public results


@dataclass(frozen=True, slots=True, kw_only=True)
class StepTime:
    """One step with its parts: operators (compute / memory), communication and overhead."""

    phase: str
    compute: Quantity
    memory: Quantity
    comms: Quantity
    overhead: Quantity
    total: Quantity
    bound: str
    why: str


_LABELS = {"compute": "compute (FLOPs)", "weights": "weights read", "kv": "KV-cache read",
           "activations": "activations read/written", "comms": "communication", "overhead": "per-layer overhead"}


def why(parts: Parts, phase: str) -> str:
    """Name the component that bounds a step, with its share: 'decode: weights read (71 %) …'."""
    total = parts.total or 1.0
    shares = sorted(((getattr(parts, k) / total, k) for k in _LABELS), reverse=True)
    first, second = shares[0], shares[1]
    return (f"{phase} is bound by {_LABELS[first[1]]} ({first[0]:.0%} of the step), "
            f"then {_LABELS[second[1]]} ({second[0]:.0%})")


def _step(phase: str, parts: Parts) -> StepTime:
    memory = parts.weights + parts.kv + parts.activations

    def q(value: float, formula: str) -> Quantity:
        return Quantity(value=value, unit="s", formula=formula, substituted=f"{num(value * 1e3)} ms")

    bound = max(("compute", parts.compute), ("memory", memory), ("communication", parts.comms),
                ("overhead", parts.overhead), key=lambda kv: kv[1])[0]
    return StepTime(
        phase=phase, compute=q(parts.compute, "Σ compute-bound operators: FLOPs / (η_c · π)"),
        memory=q(memory, "Σ memory-bound operators: bytes / (η_m · β)"),
        comms=q(parts.comms, "2 · n_layers · (2(N−1)/N · M / (η_l · B_link) + α) (+ pipeline sends)"),
        overhead=q(parts.overhead, "n_layers · t_layer"),
        total=Quantity(value=parts.total, unit="s", formula="operators + comms + overhead",
                       substituted=f"{num(parts.compute * 1e3)} + {num(memory * 1e3)} + {num(parts.comms * 1e3)}"
                                   f" + {num(parts.overhead * 1e3)} ms = {num(parts.total * 1e3)} ms"),
        bound=bound, why=why(parts, phase),
    )


def make_evaluator(*, model: Model, gpu: str | Accelerator, tp: int = 1, pp: int = 1, weights: str | None = None,
                   kv: str | None = None, activations: str | None = None, expert_parallel: bool = False,
                   efficiency: Efficiency = TYPICAL) -> Evaluator:
    """Check the inputs once and build the :class:`Evaluator` (dtypes default to the part's 16-bit format)."""
    m = resolve_model(model)
    part = resolve(gpu)
    t = validate.positive_int("tp", tp)
    p = validate.positive_int("pp", pp)
    if m.n_heads % t:
        raise validate.fail("tp", tp, f"does not divide the {m.n_heads} attention heads of {m.name}; try "
                            + ", ".join(str(d) for d in range(1, 9) if m.n_heads % d == 0))
    if p > m.n_layers:
        raise validate.fail("pp", pp, f"is more stages than the {m.n_layers} layers of {m.name}")
    act = validate.optional_text("activations", activations) or default_activations(part)
    if act not in part.peaks:
        raise validate.fail("activations", act, f"is not possible: {part.name} has no {act} peak; "
                                                f"it lists {', '.join(part.peaks)}")
    w = validate.optional_text("weights", weights) or act
    k = validate.optional_text("kv", kv) or act
    validate.flag("expert_parallel", expert_parallel)
    data_format(w, field="weights")
    data_format(k, field="kv")
    if t * p > 1:
        link_one_way(part)
    if not isinstance(efficiency, Efficiency):
        raise validate.fail("efficiency", efficiency, "is not an Efficiency; make one with calc.efficiency()")
    return Evaluator(model=m, part=part, tp=t, pp=p, weights=w, kv=k, activations=act,
                     expert_parallel=bool(expert_parallel), eff=efficiency)


def step_time(*, model: Model, gpu: str | Accelerator, phase: str = "decode", batch: int = 1, seq_len: int = 2048,
              tp: int = 1, pp: int = 1, weights: str | None = None, kv: str | None = None,
              activations: str | None = None, expert_parallel: bool = False,
              efficiency: Efficiency = TYPICAL) -> StepTime:
    """One prefill (``batch`` prompts of ``seq_len``) or one decode step (context ``seq_len``).

    >>> t = step_time(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=1, seq_len=512)
    >>> t.bound, round(t.total.value * 1e3, 2)
    ('memory', 9.08)
    """
    ev = make_evaluator(model=model, gpu=gpu, tp=tp, pp=pp, weights=weights, kv=kv, activations=activations,
                        expert_parallel=expert_parallel, efficiency=efficiency)
    b = validate.positive_int("batch", batch)
    s = validate.positive_int("seq_len", seq_len)
    validate.text("phase", phase, choices=("prefill", "decode"))
    if phase == "prefill":
        return _step("prefill", ev.prefill(batch=b, prompt_len=s))
    if phase == "decode":
        return _step("decode", ev.decode(batch=b, s0=s, s1=s))
    raise InputError("phase", f"phase={str(phase)[:20]!r} must be 'prefill' or 'decode'")
