"""A deployment's TTFT, TPOT, end-to-end latency and throughput from the step times of :mod:`.step`."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any

from ..core import validate
from ..core.quantity import Quantity, num
from ..core.validate import InputError
from ..hardware import Accelerator
from .profile import decode_lines
from .efficiency import OPTIMISTIC, TYPICAL, Efficiency
from .capacity import DEFAULT_BLOCK, DEFAULT_RESERVE, MemoryModel
from ..core.units import GB
from .step import Evaluator, Model, Parts, StepTime, _step, make_evaluator, why


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
    ttft_prefill_only: Quantity  # the prefill of the request's own prompt, nothing else
    ttft_wait: Quantity  # the wait to be admitted: the step in flight, or (N + 1)/2 steps with polling every N
    ttft_queue: Quantity  # prompts admitted ahead of it
    tpot: Quantity
    tokens_per_step: Quantity  # accepted tokens per decode step (1 without speculative decoding)
    end_to_end: Quantity
    throughput_per_gpu: Quantity
    throughput_per_user: Quantity
    throughput_total: Quantity
    roofline_bound_per_gpu: Quantity
    per_token: tuple[tuple[int, float], ...]  # (context position, step seconds) across the output
    fits: bool  # weights + KV cache + workspace fit in each GPU's memory
    memory_per_gpu: Quantity
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Served:
    """The floats behind :func:`serving_estimate`."""

    prefill: Parts  # one prompt (continuous) or the whole batch (static)
    decode: Parts  # one decode step incl. verification and drafts
    ttft: float
    tpot: float
    wait: float
    queue: float
    accepted: float


def accepted_tokens(*, draft_tokens: int, acceptance: float) -> float:
    """Expected tokens a request gains per step with ``k`` chained drafts each accepted with probability ``a``.

    The verification step keeps the drafts up to the first rejection and adds the target model's own token:
    ``1 + a + a² + … + a^k = (1 − a^(k+1)) / (1 − a)`` (Leviathan et al., 2023, eq. 1).

    >>> accepted_tokens(draft_tokens=3, acceptance=0.5)  # 1 + 0.5 + 0.25 + 0.125
    1.875
    """
    if acceptance >= 1:
        return draft_tokens + 1.0
    return (1 - acceptance ** (draft_tokens + 1)) / (1 - acceptance)


def serve_details(ev: Evaluator, *, batch: int, prompt_len: int, output_len: int, continuous: bool,
                  draft_tokens: int = 0, acceptance: float = 0.0, draft_layers: int = 1) -> Served:
    """Step times, TTFT and TPOT of ``batch`` concurrent requests.

    **Decode step.** Without speculation, one step of the running batch, averaged as the context grows over the
    output.  With ``k`` draft tokens (MTP or a draft model of ``draft_layers`` layers), a step is k draft
    passes of ``draft_layers / n_layers`` of a decode step, then one verification pass of ``k + 1`` tokens per
    sequence (weights and KV read once); it yields :func:`accepted_tokens` tokens per request.

    **TPOT** (continuous) = step / accepted + B / o · prefill: while a request produces its ``o`` tokens, the
    B − 1 others finish and are replaced about once, and each replacement's prefill stalls the batch (with
    data-parallel attention over N GPUs, N prompts are prefilled at once, each costing 1/N of that pass).

    **TTFT as a client measures it** (continuous batching, closed loop of B clients):

    * the *wait to be admitted* — a client sends its next request as soon as its last one ends, which is just
      after a step, so it waits about one whole step (none at B = 1: the engine is idle).  An engine that
      checks for new requests only every N decode steps (``poll_interval``, SGLang's
      ``--scheduler-recv-interval``) admits it after 1 … N steps, (N + 1)/2 on average, and the λ·(N − 1)
      steps' other arrivals share its prefill pass;
    * with data-parallel attention and ``dp_balance_timeout`` T (TensorRT-LLM's ADP balance), prompts are held
      until every one of the n ranks has one, or for T iterations: a round starts with a prompt on one rank and
      lasts R = min(T steps, the time until each of the n − 1 other ranks receives one, each at rate λ/n);
      a prompt waits R − (its arrival time in the round), on average (E[R] + λ·E[R²]/2) / (1 + λ·E[R])
      (renewal–reward over rounds), and the 1 + λ·E[R] prompts of a round are prefilled in one pass;
    * the *prompts admitted ahead*: requests arrive at λ = B / end-to-end and each needs one prefill of time
      P, so the prefill work is busy a share ρ = λ·P of the time; a queue with deterministic service waits
      ρ·P / (2(1 − ρ)) on average (M/D/1, Pollaczek–Khinchine), which grows with B and with the prefill share
      (with data-parallel attention a pass prefills N prompts: P is that pass, ρ counts 1/N of it per prompt);
    * its own prefill P;
    * one decode step: the engine overlaps the host's output processing with the next step, so the first
      token reaches the client when that step is launched;
    * ``request_overhead``: admission, tokenisation, streaming of the first token.

    Static batching: TTFT = prefill of the whole batch; TPOT = decode step.
    """
    s0, s1 = prompt_len + 1, prompt_len + max(output_len - 1, 1)
    q = draft_tokens + 1
    dec = ev.decode(batch=batch, s0=s0, s1=s1, queries=q)
    if draft_tokens:
        one = ev.decode(batch=batch, s0=s0, s1=s1)
        dec = dec.plus(Parts(draft=draft_tokens * one.total * draft_layers / ev.m.n_layers))
    accepted = accepted_tokens(draft_tokens=draft_tokens, acceptance=acceptance) if draft_tokens else 1.0
    step = dec.total
    if not continuous:
        pre = ev.prefill(batch=batch, prompt_len=prompt_len)
        return Served(prefill=pre, decode=dec, ttft=pre.total + ev.eff.request_overhead, tpot=step / accepted,
                      wait=0.0, queue=0.0, accepted=accepted)
    pre = ev.prefill(batch=1, prompt_len=prompt_len)
    p = pre.total
    # The interleaved prefills' cost per prompt: with data-parallel attention the N ranks prefill N prompts at
    # once (their MoE layers batched together), so each costs 1/N of an N-prompt prefill.
    n_dp = min(ev.tp, batch) if ev.dp_attention else 1
    p_pass = p if n_dp == 1 else ev.prefill(batch=n_dp, prompt_len=prompt_len).total
    p_each = p_pass / n_dp
    tpot = step / accepted + batch / output_len * p_each / ev.pp
    n_poll = ev.eff.poll_interval
    wait = (n_poll + 1) / 2 * step if batch > 1 else 0.0
    base = ev.eff.request_overhead + wait + p + step
    e2e = base + (output_len - 1) * tpot
    rate = batch / e2e if batch > 1 else 0.0  # requests per second entering the engine (closed loop)
    rho = min(batch * p_each / e2e, 0.95) if batch > 1 else 0.0
    queue = rho * p_pass / (2 * (1 - rho))  # a prompt waits for whole prefill passes (N prompts each with DP)
    # Polling every N steps: the other arrivals of the N − 1 extra steps are prefilled in the same pass.
    queue += rate * (n_poll - 1) * step * p_each
    # ADP balance: each rank keeps generating while its prompt is held, so it applies from 2 requests per rank.
    if n_dp > 1 and ev.eff.dp_balance_timeout > 0 and batch >= 2 * n_dp:
        held, released = balance_wait(rate=rate, ranks=n_dp, timeout=ev.eff.dp_balance_timeout * step)
        queue += held + max(released / n_dp - 1, 0.0) * p_pass
    return Served(prefill=pre, decode=dec, ttft=base + queue, tpot=tpot, wait=wait, queue=queue, accepted=accepted)


def balance_wait(*, rate: float, ranks: int, timeout: float) -> tuple[float, float]:
    """(mean hold, prompts released per round) of data-parallel attention's balance: prompts arrive at ``rate``
    per second spread over ``ranks``; a round holds them until every rank has one or ``timeout`` seconds pass.

    R = min(timeout, max of n − 1 exponential waits of rate λ/n); E[R] = ∫ S(t) dt and E[R²] = ∫ 2t·S(t) dt over
    [0, timeout] with S(t) = 1 − (1 − e^(−λt/n))^(n−1) (Simpson's rule); the mean hold is
    (E[R] + λ·E[R²]/2) / (1 + λ·E[R]).

    >>> hold, n = balance_wait(rate=0.0, ranks=4, timeout=2.0)  # nobody else ever arrives: every prompt waits 2 s
    >>> round(hold, 9), n
    (2.0, 1.0)
    """
    if timeout <= 0:
        return 0.0, 1.0
    per_rank, others, k = rate / ranks, ranks - 1, 128
    h = timeout / k
    r1 = r2 = 0.0
    for i in range(k + 1):
        t = i * h
        surv = 1.0 - (1.0 - math.exp(-per_rank * t)) ** others
        w = (1 if i in (0, k) else 4 if i % 2 else 2) * h / 3
        r1 += w * surv
        r2 += w * 2 * t * surv
    return (r1 + rate * r2 / 2) / (1 + rate * r1), 1 + rate * r1


def serve(ev: Evaluator, *, batch: int, prompt_len: int, output_len: int, continuous: bool) -> tuple[Parts, Parts,
                                                                                                      float, float]:
    """The floats behind :func:`serving_estimate`: (prefill parts, decode parts, TTFT, TPOT)."""
    r = serve_details(ev, batch=batch, prompt_len=prompt_len, output_len=output_len, continuous=continuous)
    return r.prefill, r.decode, r.ttft, r.tpot


def serving_estimate(*, model: Model, gpu: str | Accelerator, prompt_len: int = 512, output_len: int = 256,
                     batch: int = 1, tp: int = 1, pp: int = 1, weights: str | None = None, kv: str | None = None,
                     activations: str | None = None, expert_parallel: bool | int = False, dp_attention: bool = False,
                     group_size: int | None = None, batching: str = "continuous", draft_tokens: int = 0,
                     acceptance: float = 0.0, draft_layers: int = 1, efficiency: Efficiency = TYPICAL,
                     curve_points: int = 16) -> ServingEstimate:
    """TTFT, TPOT, end-to-end latency and throughput of ``batch`` concurrent requests on TP × PP GPUs.

    ``batching="static"`` is a fixed batch prefilled together then decoded
    together (the benchmarks' setting); ``"continuous"`` interleaves each new
    request's prefill with the others' decoding, and ``batch`` is then the
    closed-loop concurrency (see :func:`serve_details` for the TTFT model).
    ``draft_tokens`` > 0 turns on speculative decoding with per-token
    ``acceptance`` in [0, 1] (DeepSeek-V3 reports 85–90 % for its MTP module's
    first draft, arXiv:2412.19437 §5.4.3); TPOT and throughput count accepted tokens.

    >>> r = serving_estimate(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=1, prompt_len=128, output_len=128,
    ...                      batching="static")
    >>> round(r.tpot.value * 1e3, 2), round(r.ttft.value * 1e3, 1)
    (9.64, 16.2)
    """
    ev = make_evaluator(model=model, gpu=gpu, tp=tp, pp=pp, weights=weights, kv=kv, activations=activations,
                        expert_parallel=expert_parallel, dp_attention=dp_attention, group_size=group_size,
                        efficiency=efficiency)
    b = validate.positive_int("batch", batch)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    validate.text("batching", batching, choices=("continuous", "static"))
    # Speculative drafts: a handful per step (DeepSeek's MTP, EAGLE and draft models use 1–8); 64 is generous.
    k = int(validate.number("draft_tokens", draft_tokens, integer=True, low=0, high=64, name="Draft tokens"))
    a = validate.number("acceptance", acceptance, low=0.0, high=1.0, name="Acceptance rate")
    dl = validate.positive_int("draft_layers", draft_layers)
    validate.flag("dp_attention", dp_attention)
    n_points = validate.positive_int("curve_points", curve_points)
    cont = batching == "continuous"
    r = serve_details(ev, batch=b, prompt_len=p, output_len=o, continuous=cont, draft_tokens=k, acceptance=a,
                      draft_layers=dl)
    pre, dec, ttft, tpot = r.prefill, r.decode, r.ttft, r.tpot
    gpus = ev.tp * ev.pp
    e2e = ttft + (o - 1) * tpot
    per_gpu = b / tpot / gpus
    curve = []
    for i in range(n_points):
        pos = p + 1 + round(i * max(o - 2, 0) / max(n_points - 1, 1))
        curve.append((pos, ev.decode(batch=b, s0=pos, s1=pos).total))
    bound = roofline_bound(ev, batch=b, context=p + max(o // 2, 1))
    mem = MemoryModel(model=ev.m, part=ev.part, tp=ev.tp, pp=ev.pp, weights=ev.weights, kv=ev.kv,
                      activations=ev.activations, context_len=p + o, prompt_len=p, block_size=DEFAULT_BLOCK,
                      reserve_fraction=DEFAULT_RESERVE, group_size=ev.group_size, dp_attention=ev.dp_attention)
    used = mem.used(b)
    fits = used <= ev.part.memory
    note = "" if fits else (f"; does not fit: needs {num(used / GB)} GB per GPU of {num(ev.part.memory / GB)} GB "
                            "(weights + KV cache + workspace + reserve), so these times are for a deployment that "
                            "cannot run")

    def q(value: float, unit: str, formula: str, substituted: str) -> Quantity:
        return Quantity(value=value, unit=unit, formula=formula, substituted=substituted)

    ms = lambda x: num(x * 1e3)  # noqa: E731
    p1 = ev.prefill(batch=1, prompt_len=p).total
    if cont:
        ttft_q = q(ttft, "s", "request overhead + wait to be admitted + prompts ahead + prefill + one decode step",
                   f"{ms(ev.eff.request_overhead)} + {ms(r.wait)} + {ms(r.queue)} + {ms(pre.total)} + "
                   f"{ms(dec.total)} ms = {ms(ttft)} ms")
    else:
        ttft_q = q(ttft, "s", "prefill of the batch + request overhead",
                   f"{ms(pre.total)} + {ms(ev.eff.request_overhead)} ms = {ms(ttft)} ms")
    return ServingEstimate(
        model=ev.m.name, gpu=ev.part.name, tp=ev.tp, pp=ev.pp, batch=b, prompt_len=p, output_len=o,
        batching=batching, efficiency=ev.eff, prefill=_step("prefill", pre), decode=_step("decode", dec),
        ttft=ttft_q,
        ttft_prefill_only=q(p1, "s", "prefill of one prompt", f"{ms(p1)} ms"),
        ttft_wait=q(r.wait, "s", "(N + 1)/2 decode steps when others are running (N: steps between polls for new "
                    "requests, 1 by default)", f"{ms(r.wait)} ms"),
        ttft_queue=q(r.queue, "s", "ρ·P / (2(1 − ρ)), ρ = B·P / end-to-end (+ λ·(N − 1)·step·P sharing the pass; "
                     "+ the DP-attention balance hold)", f"{ms(r.queue)} ms"),
        tpot=q(tpot, "s", "decode step / accepted tokens (+ B/o · prefill, continuous)",
               f"{ms(dec.total)} ms / {num(r.accepted)}" + (f" + {b}/{o} × {ms(pre.total)} ms / {ev.pp}"
                                                            if cont else "") + f" = {ms(tpot)} ms"),
        tokens_per_step=q(r.accepted, "tokens", "(1 − a^(k+1)) / (1 − a)", f"{num(r.accepted)} tokens"),
        end_to_end=q(e2e, "s", "TTFT + (o − 1) · TPOT",
                     f"{ms(ttft)} ms + {o - 1} × {ms(tpot)} ms = {num(e2e)} s"),
        throughput_per_gpu=q(per_gpu, "tokens/s", "B / TPOT / GPUs",
                             f"{b} / {ms(tpot)} ms / {gpus} = {num(per_gpu)} tokens/s"),
        throughput_per_user=q(1 / tpot, "tokens/s", "1 / TPOT", f"1 / {ms(tpot)} ms = {num(1 / tpot)} tokens/s"),
        throughput_total=q(b * o / e2e if batching == "static" else b / tpot, "tokens/s",
                           "B · o / end-to-end" if batching == "static" else "B / TPOT",
                           f"{num(b * o / e2e if batching == 'static' else b / tpot)} tokens/s"),
        roofline_bound_per_gpu=bound, per_token=tuple(curve), fits=fits,
        memory_per_gpu=q(used, "B", "weights + KV cache + workspace + reserve", f"{num(used / GB)} GB"),
        why=why(dec, "decode") + "; " + why(pre, "prefill") + note,
    )


def roofline_bound(ev: Evaluator, *, batch: int, context: int) -> Quantity:
    """Tokens/s per GPU no serving can beat: one decode step's FLOPs and bytes (weights read once)
    spread perfectly over the GPUs at the datasheet peak and bandwidth, nothing else."""
    lines = decode_lines(ev.m, batch=batch, weights=ev.weights, activations=ev.activations, kv=ev.kv,
                         max_context=context, group_size=ev.group_size)
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


#: What serving_range passes on to serving_estimate (anything else is refused by name).
_RANGE_INPUTS = tuple(k for k in inspect.signature(serving_estimate).parameters if k != "efficiency")


def serving_range(**kwargs: Any) -> ServingRange:
    """:func:`serving_estimate` under :data:`OPTIMISTIC` and :data:`TYPICAL` (``efficiency`` is set here)."""
    if "efficiency" in kwargs:
        raise InputError("efficiency", "Efficiency: serving_range sets it itself; call serving_estimate for one value")
    validate.keywords("serving_range", kwargs, _RANGE_INPUTS)
    return ServingRange(optimistic=serving_estimate(**kwargs, efficiency=OPTIMISTIC),
                        typical=serving_estimate(**kwargs, efficiency=TYPICAL))
