"""Batching and queueing: Little's law, queue waits, chunked prefill, and a client's TTFT at saturation.

The engine's TTFT model (:func:`calc.serving.estimate.serve_details`) covers a closed loop whose C requests
all fit in the running batch.  This module adds the pieces a chapter on batching needs around it:

* **Little's law**: in steady state, requests in flight = arrival rate × time in the system, so C clients
  each waiting ``latency`` per request send ``C / latency`` requests per second;
* **the M/D/1 wait** of a queue with fixed service time S busy a share ρ of the time,
  ``ρ·S / (2(1 − ρ))`` (Pollaczek–Khinchine), which grows without bound as ρ → 1 (open loop);
* **the slot wait** of a closed loop whose C clients exceed the S requests the engine can run at once: the
  S slots finish a request every ``T / S`` seconds, so by Little's law a request waits
  ``(C − S) / S · T`` for a slot — TTFT grows in proportion to the clients beyond saturation;
* **chunked prefill**: a prompt of P tokens split into chunks of c tokens, each riding along with one decode
  step of the running batch, trades the prompt's own TTFT (more, longer steps) for the running requests'
  longest gap between two tokens (one mixed step instead of a whole prefill).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from ..core import validate
from ..core.quantity import Quantity, num
from .efficiency import EFFICIENCIES
from .parts import Parts
from .step import Model, make_evaluator


def _q(value: float, unit: str, formula: str, substituted: str) -> Quantity:
    return Quantity(value=value, unit=unit, formula=formula, substituted=substituted)


def _ms(seconds: float) -> str:
    return num(round(seconds * 1e3, 6))


def littles_law(*, concurrency: float, latency: float) -> Quantity:
    """Requests per second that ``concurrency`` requests in flight, each taking ``latency`` s, complete.

    >>> littles_law(concurrency=64, latency=20.0).value  # 64 clients, 20 s per request
    3.2
    """
    c = validate.positive("concurrency", concurrency)
    t = validate.number("latency", latency, low=1e-9, name="Latency")
    rate = c / t
    return _q(rate, "requests/s", "λ = C / latency (Little's law)", f"{num(c)} / {num(t)} s = {num(rate)} requests/s")


def queue_wait(*, utilisation: float, service_time: float) -> Quantity:
    """Mean wait in a queue with Poisson arrivals and a fixed service time (M/D/1): ρ·S / (2(1 − ρ)).

    >>> round(queue_wait(utilisation=0.5, service_time=0.1).value, 6)  # 0.5 × 0.1 / (2 × 0.5)
    0.05
    """
    rho = validate.number("utilisation", utilisation, low=0.0, high=0.999, name="Utilisation")
    s = validate.number("service_time", service_time, low=0.0, high=3600.0, name="Service time")
    wait = rho * s / (2 * (1 - rho))
    return _q(wait, "s", "ρ·S / (2(1 − ρ))", f"{num(rho)} × {_ms(s)} ms / (2 × (1 − {num(rho)})) = {_ms(wait)} ms")


def slot_wait(*, concurrency: int, slots: int, service_time: float) -> Quantity:
    """Mean wait for a free slot when a closed loop of ``concurrency`` clients exceeds the engine's ``slots``.

    Every slot is busy, so requests complete at S / T per second; a client's request spends C / (S / T) in the
    system (Little's law), of which T in its slot: the rest, (C − S) / S · T, is spent waiting.  Zero when
    C ≤ S.

    >>> slot_wait(concurrency=256, slots=240, service_time=60.0).value  # 16 / 240 × 60 s
    4.0
    """
    c = validate.positive_int("concurrency", concurrency)
    s = validate.number("slots", slots, integer=True, low=1, high=10_000_000, name="Slots")
    t = validate.number("service_time", service_time, low=0.0, high=1e6, name="Service time")
    wait = max(c - s, 0) / s * t
    return _q(wait, "s", "max(C − S, 0) / S · T",
              f"max({c:,} − {int(s):,}, 0) / {int(s):,} × {num(t)} s = {num(wait)} s")


@dataclass(frozen=True, slots=True, kw_only=True)
class ChunkedPrefill:
    """One prompt prefilled in chunks alongside a running decode batch, against the same prompt unchunked."""

    chunk: int
    chunks: int
    decode_step: Quantity  # the running batch's step alone
    mixed_step: Quantity  # that step with one chunk riding along
    prefill: Quantity  # the whole prompt in one pass
    ttft_unchunked: Quantity  # the prompt's own prefill, unchunked
    ttft_chunked: Quantity  # chunks × mixed step
    gap_unchunked: Quantity  # the running requests' longest wait between two tokens: one step + the prefill
    gap_chunked: Quantity  # one mixed step
    tpot_unchunked: Quantity  # mean TPOT with one such prompt arriving every o / B steps
    tpot_chunked: Quantity


def _mixed(dec: Parts, chunk: Parts) -> float:
    """A decode step with a prefill chunk riding along: FLOPs add, bytes add except the weights (read once by
    the step), and the step's fixed costs are paid once.  The step is the slower of its compute and its
    memory traffic, so a small chunk's FLOPs hide under a memory-bound decode step."""
    compute = dec.compute + chunk.compute
    memory = dec.memory + chunk.activations + chunk.kv
    return max(compute, memory) + dec.moe + chunk.moe + dec.comms + chunk.comms + dec.fixed + dec.draft


def chunked_prefill(*, model: Model, gpu: str, tp: int = 1, batch: int = 32, prompt_len: int = 2048,
                    output_len: int = 256, chunk: int = 512, weights: str | None = None, kv: str | None = None,
                    activations: str | None = None, profile: str = "typical") -> ChunkedPrefill:
    """The TTFT–TPOT trade of chunked prefill for one prompt joining ``batch`` running requests.

    The prompt's work is split into ``ceil(P / c)`` equal chunks (its FLOPs and activation bytes divided,
    attention to earlier chunks included); each chunk rides along with one decode step of the running batch.
    Unchunked, the prompt runs as a step of its own, and every running request waits for it.

    >>> r = chunked_prefill(model="Llama-3-8B", gpu="H100-SXM5-80GB", batch=32, prompt_len=4096, chunk=512)
    >>> r.chunks, r.ttft_chunked.value > r.ttft_unchunked.value, r.gap_chunked.value < r.gap_unchunked.value
    (8, True, True)
    """
    validate.text("profile", profile, choices=tuple(EFFICIENCIES))
    ev = make_evaluator(model=model, gpu=gpu, tp=tp, weights=weights, kv=kv, activations=activations,
                        efficiency=EFFICIENCIES[profile])
    b = validate.positive_int("batch", batch)
    p = validate.positive_int("prompt_len", prompt_len)
    o = validate.positive_int("output_len", output_len)
    c = validate.number("chunk", chunk, integer=True, low=16, high=1_000_000, name="Chunk")
    c = int(min(c, p))
    n = math.ceil(p / c)
    ctx = p + max(o // 2, 1)  # the running requests' mean context
    dec = ev.decode(batch=b, s0=ctx, s1=ctx)
    whole = ev.prefill(batch=1, prompt_len=p)
    piece = whole.scaled(1 / n)
    t_d, t_p, t_m = dec.total, whole.total, _mixed(dec, piece)
    ttft_c, gap_u = n * t_m, t_d + t_p
    # One new prompt per o / B steps (each request leaves after o tokens and is replaced): per step, B / o of
    # a prefill (unchunked) or of n chunks' extra time (chunked).
    tpot_u = t_d + b / o * t_p
    tpot_c = t_d + b / o * n * (t_m - t_d)
    return ChunkedPrefill(
        chunk=c, chunks=n,
        decode_step=_q(t_d, "s", "decode step of the running batch", f"{_ms(t_d)} ms"),
        mixed_step=_q(t_m, "s", "max(FLOPs, bytes) of step + chunk, weights read once, fixed costs once",
                      f"{_ms(t_m)} ms"),
        prefill=_q(t_p, "s", "prefill of the whole prompt", f"{_ms(t_p)} ms"),
        ttft_unchunked=_q(t_p, "s", "the prompt's prefill, one step", f"{_ms(t_p)} ms"),
        ttft_chunked=_q(ttft_c, "s", "⌈P / c⌉ × mixed step", f"{n} × {_ms(t_m)} ms = {_ms(ttft_c)} ms"),
        gap_unchunked=_q(gap_u, "s", "decode step + whole prefill", f"{_ms(t_d)} + {_ms(t_p)} ms = {_ms(gap_u)} ms"),
        gap_chunked=_q(t_m, "s", "one mixed step", f"{_ms(t_m)} ms"),
        tpot_unchunked=_q(tpot_u, "s", "step + B/o × prefill",
                          f"{_ms(t_d)} + {b}/{o} × {_ms(t_p)} ms = {_ms(tpot_u)} ms"),
        tpot_chunked=_q(tpot_c, "s", "step + B/o × ⌈P/c⌉ × (mixed step − step)",
                        f"{_ms(t_d)} + {b}/{o} × {n} × ({_ms(t_m)} − {_ms(t_d)}) ms = {_ms(tpot_c)} ms"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientTtft:
    """A published configuration's TTFT at one client concurrency: the engine's model and the slot wait."""

    point_id: str  # the published point whose configuration this is
    config: str
    concurrency: int
    slots: int  # the running batch the memory allows (≤ concurrency)
    engine: Quantity  # the engine's TTFT for the running batch (step in flight, prompts ahead, prefill, …)
    service_time: Quantity  # a request's time in its slot: TTFT + (o − 1) · TPOT
    slot_wait: Quantity
    total: Quantity
    measured: float | None  # the point's median TTFT (s), when concurrency is the point's own


def client_ttft(*, point_id: str, concurrency: int | None = None, profile: str = "engine") -> ClientTtft:
    """The TTFT of an InferenceX configuration at ``concurrency`` clients: the engine's client TTFT for the
    running batch plus, beyond the batch the memory holds, the wait for a slot (:func:`slot_wait`).

    >>> r = client_ttft(point_id="ix1212")  # B200 fp8 TP8 + MTP, 8k/1k, 256 clients
    >>> r.slots < r.concurrency == 256, r.total.value > 5 * r.engine.value
    (True, True)
    """
    from .inferencex import predict, profile_for, row

    base = row(point_id, "engine").point
    c = base.concurrency if concurrency is None else validate.positive_int("concurrency", concurrency)
    point = dataclasses.replace(base, concurrency=c)
    r = predict(point, profile_for(point, profile))
    if r.ttft is None:
        raise validate.fail("point_id", point_id, f"cannot be predicted: {r.reason}")
    o = round(0.9 * point.output_len)
    running = r.ttft - r.slot_wait  # the prediction's TTFT already holds the slot wait; shown apart here
    service = running + (o - 1) * r.tpot
    wait = slot_wait(concurrency=c, slots=r.batch, service_time=service)
    total = running + wait.value
    return ClientTtft(
        point_id=base.id, config=base.config, concurrency=c, slots=r.batch,
        engine=_q(running, "s", "step in flight + prompts ahead + prefill + one step + request cost",
                  f"{_ms(running)} ms"),
        service_time=_q(service, "s", "TTFT + (o − 1) · TPOT",
                        f"{_ms(running)} ms + {o - 1} × {_ms(r.tpot)} ms = {num(service)} s"),
        slot_wait=wait,
        total=_q(total, "s", "engine TTFT + slot wait", f"{num(running)} + {num(wait.value)} s = {num(total)} s"),
        measured=base.ttft if c == base.concurrency else None,
    )
