"""Speculative decoding: tokens per step, what a step costs, when it pays, and what the published runs show.

A step of speculative decoding drafts ``k`` tokens per sequence (a draft model, or DeepSeek's multi-token
prediction (MTP) layer), then runs the target model once over the ``k + 1`` positions of every sequence to
verify them.  The verification reads the weights and the KV cache once, like a plain decode step, but does
``k + 1`` times its FLOPs.  So:

* while a decode step is memory-bound, verifying ``k + 1`` tokens costs little more than one, and each step
  yields :func:`~calc.serving.estimate.accepted_tokens` tokens: TPOT falls by nearly that factor;
* as the batch grows the step turns compute-bound, the verification costs up to ``k + 1`` times a plain step,
  and the rejected drafts become wasted FLOPs: the speed-up shrinks towards, and below, 1.

The step times are the engine's (:mod:`.step`), with the same draft and verification terms as
:func:`~calc.serving.estimate.serve_details`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..core import validate
from ..core.quantity import Quantity, num
from .efficiency import EFFICIENCIES
from .estimate import accepted_tokens
from .parts import Parts
from .step import Model, make_evaluator, why

#: The published comparison: DeepSeek-R1 fp8 on 8 GPUs of the same fp8 peak and bandwidth (B200, B300), TP8,
#: one with MTP (TensorRT-LLM), one without (SGLang).  The data hold no B200 fp8 run without MTP.
MTP_CONFIG, PLAIN_CONFIG = "B200 fp8 trt TP8 MTP", "B300 fp8 sglang TP8"


def _q(value: float, unit: str, formula: str, substituted: str) -> Quantity:
    return Quantity(value=value, unit=unit, formula=formula, substituted=substituted)


def _ms(seconds: float) -> str:
    return num(round(seconds * 1e3, 6))


@dataclass(frozen=True, slots=True, kw_only=True)
class SpeculativeDecode:
    """One decode step with and without speculation, for one batch at one context."""

    batch: int
    draft_tokens: int
    acceptance: float
    tokens_per_step: Quantity  # accepted tokens per sequence per step
    plain_step: Quantity  # one ordinary decode step
    verify_step: Quantity  # the target model over k + 1 positions per sequence
    draft_time: Quantity  # k draft passes
    step: Quantity  # verify + drafts
    step_cost: Quantity  # step / plain step
    tpot_plain: Quantity
    tpot: Quantity  # step / tokens per step
    speedup: Quantity  # tpot_plain / tpot
    plain_why: str  # what bounds the plain step


def speculative_decode(*, model: Model, gpu: str, tp: int = 1, batch: int = 1, context_len: int = 2048,
                       draft_tokens: int = 3, acceptance: float = 0.7, draft_layers: int = 1,
                       weights: str | None = None, kv: str | None = None, activations: str | None = None,
                       expert_parallel: bool = False, profile: str = "typical") -> SpeculativeDecode:
    """TPOT with ``draft_tokens`` drafts each accepted with probability ``acceptance``, against plain decoding.

    A draft pass costs ``draft_layers / n_layers`` of a plain step (one MTP layer, or a small draft model's
    layers at the target's width).

    >>> r = speculative_decode(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, batch=1, draft_tokens=3,
    ...                        acceptance=0.7, draft_layers=1)
    >>> round(r.tokens_per_step.value, 3), r.speedup.value > 2
    (2.533, True)
    """
    validate.text("profile", profile, choices=tuple(EFFICIENCIES))
    ev = make_evaluator(model=model, gpu=gpu, tp=tp, weights=weights, kv=kv, activations=activations,
                        expert_parallel=tp if expert_parallel else False, efficiency=EFFICIENCIES[profile])
    b = validate.positive_int("batch", batch)
    s = validate.positive_int("context_len", context_len)
    k = int(validate.number("draft_tokens", draft_tokens, integer=True, low=1, high=64, name="Draft tokens"))
    a = validate.number("acceptance", acceptance, low=0.0, high=1.0, name="Acceptance rate")
    dl = validate.number("draft_layers", draft_layers, integer=True, low=1, high=ev.m.n_layers, name="Draft layers")
    plain: Parts = ev.decode(batch=b, s0=s, s1=s)
    verify = ev.decode(batch=b, s0=s, s1=s, queries=k + 1)
    draft = k * plain.total * dl / ev.m.n_layers
    step = verify.total + draft
    n = accepted_tokens(draft_tokens=k, acceptance=a)
    tpot = step / n
    gain = plain.total / tpot
    return SpeculativeDecode(
        batch=b, draft_tokens=k, acceptance=a,
        tokens_per_step=_q(n, "tokens", "(1 − a^(k+1)) / (1 − a)",
                           f"(1 − {num(a)}^{k + 1}) / (1 − {num(a)}) = {num(n)} tokens" if a < 1
                           else f"{k} + 1 = {num(n)} tokens"),
        plain_step=_q(plain.total, "s", "one decode step", f"{_ms(plain.total)} ms"),
        verify_step=_q(verify.total, "s", "decode step over k + 1 positions per sequence",
                       f"{_ms(verify.total)} ms"),
        draft_time=_q(draft, "s", "k × step × draft layers / layers",
                      f"{k} × {_ms(plain.total)} ms × {int(dl)} / {ev.m.n_layers} = {_ms(draft)} ms"),
        step=_q(step, "s", "verification + drafts", f"{_ms(verify.total)} + {_ms(draft)} ms = {_ms(step)} ms"),
        step_cost=_q(step / plain.total, "1", "speculative step / plain step",
                     f"{_ms(step)} / {_ms(plain.total)} ms = {num(step / plain.total)}"),
        tpot_plain=_q(plain.total, "s", "one decode step", f"{_ms(plain.total)} ms"),
        tpot=_q(tpot, "s", "step / tokens per step", f"{_ms(step)} ms / {num(n)} = {_ms(tpot)} ms"),
        speedup=_q(gain, "1", "plain TPOT / speculative TPOT", f"{_ms(plain.total)} / {_ms(tpot)} ms = {num(gain)}"),
        plain_why=why(plain, "decode"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MtpRatio:
    """One matched pair of published runs: with MTP and without, same lengths and concurrency."""

    input_len: int
    output_len: int
    concurrency: int
    mtp_id: str
    plain_id: str
    mtp_tpot: float  # s, median
    plain_tpot: float
    interactivity: Quantity  # plain TPOT / MTP TPOT: tokens/s per user, MTP over plain
    throughput: Quantity  # tokens/s per GPU, MTP over plain


@cache
def mtp_measured() -> tuple[MtpRatio, ...]:
    """MTP against no MTP in the published DeepSeek-R1 runs: B200 TensorRT-LLM fp8 TP8 with MTP over B300
    SGLang fp8 TP8 without, at each prompt/output length and concurrency both were run at (the latest run of
    each).  The two GPUs have the same fp8 peak and memory bandwidth in the catalog; the engines differ, so a
    ratio mixes MTP's gain with TensorRT-LLM's over SGLang.

    >>> [(r.input_len, r.output_len, r.concurrency) for r in mtp_measured()]
    [(1024, 1024, 4), (1024, 1024, 32), (8192, 1024, 4)]
    """
    from .inferencex import points

    def latest(config: str) -> dict[tuple[int, int, int], object]:
        out: dict[tuple[int, int, int], object] = {}
        for p in points():
            if p.config.startswith(config + " ") and not p.disaggregated:
                key = (p.input_len, p.output_len, p.concurrency)
                if key not in out or p.date > out[key].date:
                    out[key] = p
        return out

    mtp, plain = latest(MTP_CONFIG), latest(PLAIN_CONFIG)
    rows = []
    for key in sorted(set(mtp) & set(plain)):
        m, p = mtp[key], plain[key]
        inter = p.tpot / m.tpot
        tput = m.throughput_per_gpu / p.throughput_per_gpu
        rows.append(MtpRatio(
            input_len=key[0], output_len=key[1], concurrency=key[2], mtp_id=m.id, plain_id=p.id,
            mtp_tpot=m.tpot, plain_tpot=p.tpot,
            interactivity=_q(inter, "1", "TPOT without MTP / TPOT with MTP",
                             f"{_ms(p.tpot)} / {_ms(m.tpot)} ms = {num(inter)}"),
            throughput=_q(tput, "1", "tokens/s per GPU with MTP / without",
                          f"{num(m.throughput_per_gpu)} / {num(p.throughput_per_gpu)} = {num(tput)}")))
    return tuple(rows)
