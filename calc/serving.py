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

from . import validate
from .dtypes import data_format
from .hardware import Accelerator, resolve
from .models import ModelConfig
from .parallel import DEFAULT_ALPHA
from .profile import OpLine, decode_coefficients, decode_lines, experts_loaded, prefill_ops, resolve_model
from .quantity import Quantity, num
from .units import MICROSECOND
from .validate import InputError

Model = str | Mapping[str, Any] | ModelConfig


@dataclass(frozen=True, slots=True, kw_only=True)
class Efficiency:
    """Achieved fractions of the datasheet rates, and the fixed costs, shown with every result.

    Defaults ("typical") and their sources:

    * ``memory`` 0.75: gpt-fast on an A100-80GB streams Llama-2-7B weights at
      1,397 GB/s of 2,039 (0.69) end to end and measured about 1,700 GB/s
      (0.83) as the achievable peak (``measured-public.json``, m138); 0.75 sits
      between the two.
    * ``compute`` 0.7: large fp16/bf16 GEMMs commonly reach 70–80 % of the
      dense tensor peak; an assumption, checked on the Validation page against
      the prefill (TTFT) measurements.
    * ``link`` 0.8: an assumption for NCCL ring bandwidth over NVLink against
      the one-way datasheet figure.
    * ``alpha`` 16 µs per collective: the source's 8 µs per hop, two hops.
    * ``layer_overhead`` 8 µs per layer per step: kernel launches of a layer
      not hidden by CUDA graphs; an assumption, checked on the Validation page.
    """

    name: str = "typical"
    compute: float = 0.7
    memory: float = 0.75
    link: float = 0.8
    alpha: float = DEFAULT_ALPHA
    layer_overhead: float = 8 * MICROSECOND

    def describe(self) -> str:
        return (f"{self.name}: η_compute {self.compute:g}, η_memory {self.memory:g}, η_link {self.link:g}, "
                f"α {self.alpha / MICROSECOND:g} µs per collective, {self.layer_overhead / MICROSECOND:g} µs per layer")


TYPICAL = Efficiency()
#: The best seen: gpt-fast's ~1,700 GB/s of 2,039 on A100 (m138 notes), 85 % of peak FLOPs, 90 % of link, no overhead.
OPTIMISTIC = Efficiency(name="optimistic", compute=0.85, memory=0.83, link=0.9, alpha=8 * MICROSECOND,
                        layer_overhead=0.0)
EFFICIENCIES = {"typical": TYPICAL, "optimistic": OPTIMISTIC}


def efficiency(*, compute: float = TYPICAL.compute, memory: float = TYPICAL.memory, link: float = TYPICAL.link,
               alpha: float = TYPICAL.alpha, layer_overhead: float = TYPICAL.layer_overhead,
               name: str = "custom") -> Efficiency:
    """A checked :class:`Efficiency`: fractions in (0, 1], times in seconds ≥ 0.

    >>> efficiency(memory=1.2)
    Traceback (most recent call last):
    ...
    calc.validate.InputError: memory=1.2 must be a fraction in (0, 1]; 1 means the full datasheet rate
    """
    fractions = {}
    for key, value in (("compute", compute), ("memory", memory), ("link", link)):
        x = validate.positive(key, value)
        if x > 1:
            raise validate.fail(key, value, "must be a fraction in (0, 1]; 1 means the full datasheet rate")
        fractions[key] = x
    return Efficiency(name=name, **fractions, alpha=validate.non_negative("alpha", alpha),
                      layer_overhead=validate.non_negative("layer_overhead", layer_overhead))


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
        raise InputError("gpu", f"gpu={part.name!r} lists no interconnect; use one GPU (tp=1, pp=1)")
    bw = part.interconnect.bandwidth
    return bw / 2 if "bidirectional" in part.interconnect.direction else bw


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
            raise InputError("activations", f"activations={self.activations!r}: {self.part.name} has no {dtype} peak;"
                                            f" it lists {', '.join(self.part.peaks)}") from None

    def ops(self, lines: tuple[OpLine, ...], s0: float, s1: float) -> Parts:
        """Operators' time, mean over contexts s0..s1, split into compute and the three byte kinds."""
        tp, kvs, bw, peak = self.tp, self.kv_share, self.bw, self._peak
        comp = wts = kvt = act = 0.0
        span = s1 - s0
        for op in lines:
            div = tp if op.split else 1
            kc = 1.0 / (div * peak(op.dtype))
            c0 = (op.flops[0] + op.flops[1] * s0) * kc
            c1 = (op.flops[0] + op.flops[1] * s1) * kc
            w = op.weight_bytes[0] / div / bw  # weights do not depend on context
            a = op.activation_bytes[0] / div / bw
            k0 = (op.kv_bytes[0] + op.kv_bytes[1] * s0) * kvs / bw
            k1 = (op.kv_bytes[0] + op.kv_bytes[1] * s1) * kvs / bw
            m0, m1 = w + a + k0, w + a + k1
            d0, d1 = c0 - m0, c1 - m1
            if d0 >= 0 and d1 >= 0 or span == 0 and d0 >= 0:
                comp += (c0 + c1) / 2
            elif d0 <= 0 and d1 <= 0 or span == 0:
                wts, act, kvt = wts + w, act + a, kvt + (k0 + k1) / 2
            else:  # the operator crosses its ridge inside the interval: integrate each side
                x = d0 / (d0 - d1)
                if d0 > 0:
                    comp += x * (c0 + (c0 + x * (c1 - c0))) / 2
                    fm = 1 - x
                    kmid = k0 + x * (k1 - k0)
                    wts, act, kvt = wts + fm * w, act + fm * a, kvt + fm * (kmid + k1) / 2
                else:
                    fm = x
                    kmid = k0 + x * (k1 - k0)
                    wts, act, kvt = wts + fm * w, act + fm * a, kvt + fm * (k0 + kmid) / 2
                    cx = c0 + x * (c1 - c0)
                    comp += (1 - x) * (cx + c1) / 2
        return Parts(compute=comp, weights=wts, kv=kvt, activations=act)

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
        comp = wts = kvt = act = 0.0
        for f0, f1, f2, w0, w1, a0, a1, k0, k1, k2, wexp in self._fast_coefficients():
            cb = f0 + f1 * b
            c_0, c_1 = cb + f2 * b * s0, cb + f2 * b * s1
            w = wexp * loaded if wexp >= 0 else w0 + w1 * b
            a = a0 + a1 * b
            kb = k0 + k1 * b
            kv0, kv1 = kb + k2 * b * s0, kb + k2 * b * s1
            d0, d1 = c_0 - (w + a + kv0), c_1 - (w + a + kv1)
            if d0 >= 0 and d1 >= 0:
                comp += (c_0 + c_1) / 2
            elif d0 <= 0 and d1 <= 0:
                wts += w
                act += a
                kvt += (kv0 + kv1) / 2
            else:
                x = d0 / (d0 - d1)
                cx, kx = c_0 + x * (c_1 - c_0), kv0 + x * (kv1 - kv0)
                if d0 > 0:
                    comp += x * (c_0 + cx) / 2
                    fm = 1 - x
                    kvt += fm * (kx + kv1) / 2
                else:
                    comp += (1 - x) * (cx + c_1) / 2
                    fm = x
                    kvt += fm * (kv0 + kx) / 2
                wts += fm * w
                act += fm * a
        return Parts(compute=comp, weights=wts, kv=kvt, activations=act)

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


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingEstimate:
    """Latency and throughput of serving ``batch`` concurrent requests on one replica (TP × PP GPUs)."""

    model: str
    gpu: str
    tp: int
    pp: int
    batch: int
    prompt_len: int
    output_len: int
    batching: str
    efficiency: Efficiency
    prefill: StepTime
    decode: StepTime
    ttft: Quantity
    tpot: Quantity
    end_to_end: Quantity
    throughput_per_gpu: Quantity
    throughput_per_user: Quantity
    throughput_total: Quantity
    roofline_bound_per_gpu: Quantity
    per_token: tuple[tuple[int, float], ...]  # (context position, step seconds) across the output
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
        raise InputError("tp", f"tp={tp} must divide the {m.n_heads} attention heads of {m.name}; try "
                               + ", ".join(str(d) for d in range(1, 9) if m.n_heads % d == 0))
    if p > m.n_layers:
        raise InputError("pp", f"pp={pp} is more stages than the {m.n_layers} layers of {m.name}")
    act = activations or default_activations(part)
    if act not in part.peaks:
        raise InputError("activations", f"activations={act!r}: {part.name} has no {act} peak; "
                                        f"it lists {', '.join(part.peaks)}")
    w = weights or act
    k = kv or act
    data_format(w, field="weights")
    data_format(k, field="kv")
    if t * p > 1:
        link_one_way(part)
    if not isinstance(efficiency, Efficiency):
        raise InputError("efficiency", f"efficiency={efficiency!r} is not an Efficiency; use calc.serving.efficiency()")
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
    if phase == "prefill":
        return _step("prefill", ev.prefill(batch=b, prompt_len=s))
    if phase == "decode":
        return _step("decode", ev.decode(batch=b, s0=s, s1=s))
    raise InputError("phase", f"phase={str(phase)[:20]!r} must be 'prefill' or 'decode'")


def serve(ev: Evaluator, *, batch: int, prompt_len: int, output_len: int, continuous: bool) -> tuple[Parts, Parts,
                                                                                                      float, float]:
    """The floats behind :func:`serving_estimate`: (prefill parts, decode parts, TTFT, TPOT)."""
    s0, s1 = prompt_len + 1, prompt_len + max(output_len - 1, 1)
    dec = ev.decode(batch=batch, s0=s0, s1=s1)
    if continuous:
        pre = ev.prefill(batch=1, prompt_len=prompt_len)
        # Each request's prefill is interleaved once over its output: B prefills per `output` intervals.
        tpot = dec.total + batch / output_len * pre.total / ev.pp
        ttft = pre.total + tpot
    else:
        pre = ev.prefill(batch=batch, prompt_len=prompt_len)
        tpot, ttft = dec.total, pre.total
    return pre, dec, ttft, tpot


def serving_estimate(*, model: Model, gpu: str | Accelerator, prompt_len: int = 512, output_len: int = 256,
                     batch: int = 1, tp: int = 1, pp: int = 1, weights: str | None = None, kv: str | None = None,
                     activations: str | None = None, expert_parallel: bool = False, batching: str = "continuous",
                     efficiency: Efficiency = TYPICAL, curve_points: int = 16) -> ServingEstimate:
    """TTFT, TPOT, end-to-end latency and throughput of ``batch`` concurrent requests on TP × PP GPUs.

    ``batching="static"`` is a fixed batch prefilled together then decoded
    together (the benchmarks' setting); ``"continuous"`` interleaves each new
    request's prefill with the others' decoding.

    >>> r = serving_estimate(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=1, prompt_len=128, output_len=128,
    ...                      batching="static")
    >>> round(r.tpot.value * 1e3, 2), round(r.ttft.value * 1e3, 1)
    (8.97, 9.9)
    """
    ev = make_evaluator(model=model, gpu=gpu, tp=tp, pp=pp, weights=weights, kv=kv, activations=activations,
                        expert_parallel=expert_parallel, efficiency=efficiency)
    b = validate.positive_int("batch", batch)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    if batching not in ("continuous", "static"):
        raise InputError("batching", f"batching={batching!r} must be 'continuous' or 'static'")
    n_points = validate.positive_int("curve_points", curve_points)
    pre, dec, ttft, tpot = serve(ev, batch=b, prompt_len=p, output_len=o, continuous=batching == "continuous")
    gpus = ev.tp * ev.pp
    e2e = ttft + (o - 1) * tpot
    per_gpu = b / tpot / gpus
    curve = []
    for i in range(n_points):
        pos = p + 1 + round(i * max(o - 2, 0) / max(n_points - 1, 1))
        curve.append((pos, ev.decode(batch=b, s0=pos, s1=pos).total))
    bound = roofline_bound(ev, batch=b, context=p + max(o // 2, 1))

    def q(value: float, unit: str, formula: str, substituted: str) -> Quantity:
        return Quantity(value=value, unit=unit, formula=formula, substituted=substituted)

    return ServingEstimate(
        model=ev.m.name, gpu=ev.part.name, tp=ev.tp, pp=ev.pp, batch=b, prompt_len=p, output_len=o,
        batching=batching, efficiency=ev.eff, prefill=_step("prefill", pre), decode=_step("decode", dec),
        ttft=q(ttft, "s", "prefill (+ one decode interval, continuous)" if batching == "continuous" else "prefill",
               f"{num(ttft * 1e3)} ms"),
        tpot=q(tpot, "s", "mean decode interval over the output (+ B/o · prefill, continuous)",
               f"{num(dec.total * 1e3)} ms" + (f" + {b}/{o} × {num(pre.total * 1e3)} ms / {ev.pp}"
                                                if batching == "continuous" else "") + f" = {num(tpot * 1e3)} ms"),
        end_to_end=q(e2e, "s", "TTFT + (o − 1) · TPOT",
                     f"{num(ttft * 1e3)} ms + {o - 1} × {num(tpot * 1e3)} ms = {num(e2e)} s"),
        throughput_per_gpu=q(per_gpu, "tokens/s", "B / TPOT / GPUs",
                             f"{b} / {num(tpot * 1e3)} ms / {gpus} = {num(per_gpu)} tokens/s"),
        throughput_per_user=q(1 / tpot, "tokens/s", "1 / TPOT", f"1 / {num(tpot * 1e3)} ms = {num(1 / tpot)} tokens/s"),
        throughput_total=q(b * o / e2e if batching == "static" else b / tpot, "tokens/s",
                           "B · o / end-to-end" if batching == "static" else "B / TPOT",
                           f"{num(b * o / e2e if batching == 'static' else b / tpot)} tokens/s"),
        roofline_bound_per_gpu=bound, per_token=tuple(curve), why=why(dec, "decode") + "; " + why(pre, "prefill"),
    )


def roofline_bound(ev: Evaluator, *, batch: int, context: int) -> Quantity:
    """Tokens/s per GPU no serving can beat: one decode step's FLOPs and bytes (weights read once)
    spread perfectly over the GPUs at the datasheet peak and bandwidth, nothing else."""
    lines = decode_lines(ev.m, batch=batch, weights=ev.weights, activations=ev.activations, kv=ev.kv,
                         max_context=context)
    flops = sum(o.flops[0] + o.flops[1] * context for o in lines)
    moved = sum(o.weight_bytes[0] + o.activation_bytes[0] + o.kv_bytes[0] + o.kv_bytes[1] * context for o in lines)
    gpus = ev.tp * ev.pp
    peak = max(ev.part.peaks.values())
    t = max(flops / (gpus * peak), moved / (gpus * ev.part.bandwidth))
    value = batch / t / gpus
    return Quantity(value=value, unit="tokens/s", formula="B / max(F / (G·π_max), bytes / (G·β)) / G",
                    substituted=f"{batch} / {num(t * 1e3)} ms / {gpus} = {num(value)} tokens/s")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServingRange:
    """The same deployment under optimistic and typical efficiencies."""

    optimistic: ServingEstimate
    typical: ServingEstimate


def serving_range(**kwargs: Any) -> ServingRange:
    """:func:`serving_estimate` under :data:`OPTIMISTIC` and :data:`TYPICAL` (``efficiency`` is set here)."""
    if "efficiency" in kwargs:
        raise InputError("efficiency", "serving_range sets efficiency itself; call serving_estimate for one value")
    return ServingRange(optimistic=serving_estimate(**kwargs, efficiency=OPTIMISTIC),
                        typical=serving_estimate(**kwargs, efficiency=TYPICAL))
