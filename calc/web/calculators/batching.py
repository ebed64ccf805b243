"""Continuous batching: a client's TTFT and its parts, Little's law, saturation, and chunked prefill."""

from __future__ import annotations

from ...core.validate import InputError, fail
from ...serving.capacity import memory_plan
from ...serving.estimate import serving_estimate
from ...serving.queueing import chunked_prefill, littles_law, slot_wait
from .. import charts
from ..forms import Field
from ..render import Row
from .base import Widget, WidgetResult, deployment_fields, on_form_field, quantity_row, tokens_field

SWEEP = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
FORM = ("model", "gpu", "tp", "weights", "prompt_len", "output_len", "concurrency", "chunk")
#: calc's argument names -> this form's fields (one format for weights, activations and KV cache).
NAMES = {**{n: n for n in FORM}, "activations": "weights", "kv": "weights", "batch": "concurrency"}


def _client(*, concurrency: int, slots: int, **kw: object) -> tuple[object, float, float]:
    """(estimate of the running batch, slot wait, client TTFT) at ``concurrency`` clients."""
    running = min(concurrency, slots)
    r = serving_estimate(batch=running, curve_points=1, **kw)
    service = r.end_to_end.value
    wait = slot_wait(concurrency=concurrency, slots=slots, service_time=service).value
    return r, wait, r.ttft.value + wait


def _batching(*, model: str, gpu: str, tp: int, weights: str, prompt_len: int, output_len: int, concurrency: int,
              chunk: int) -> WidgetResult:
    kw = dict(model=model, gpu=gpu, tp=tp, weights=weights, activations=weights, kv=weights, prompt_len=prompt_len,
              output_len=output_len)
    labels = {f.name: f.label for f in BATCHING.fields}
    try:
        plan = memory_plan(model=model, gpu=gpu, tp=tp, context_len=prompt_len + output_len, prompt_len=prompt_len,
                           weights=weights, activations=weights, kv=weights)
        slots = plan.largest_batch
        if slots < 1:
            raise fail("tp", tp, "is too few GPUs to hold the weights and one request's KV cache; add GPUs or "
                                 "shorten the prompt", name=labels["tp"])
        r, wait, ttft = _client(concurrency=concurrency, slots=slots, **kw)
        static = serving_estimate(batch=min(concurrency, slots), batching="static", curve_points=1, **kw)
        chunks = chunked_prefill(model=model, gpu=gpu, tp=tp, batch=min(concurrency, slots), prompt_len=prompt_len,
                                 output_len=output_len, chunk=chunk, weights=weights, activations=weights, kv=weights)
    except InputError as err:
        raise on_form_field(err, NAMES, "model", labels) from None
    running = min(concurrency, slots)
    rate = littles_law(concurrency=running, latency=r.end_to_end.value)
    rho = rate.value * r.ttft_prefill_only.value
    ms = lambda s: f"{s * 1e3:,.1f}"  # noqa: E731
    rows = (
        Row(label="Client TTFT", value=ms(ttft), unit="ms", key="ttft", strong=True,
            formula="slot wait + step in flight + prompts ahead + prefill + one step + request cost",
            substituted=f"{ms(wait)} ms + {r.ttft.substituted}"),
        quantity_row("Wait for the step in flight", r.ttft_wait, ",.1f", scale_to="ms", key="wait"),
        quantity_row("Prompts admitted ahead (queue)", r.ttft_queue, ",.1f", scale_to="ms", key="queue"),
        quantity_row("Its own prefill", r.ttft_prefill_only, ",.1f", scale_to="ms", key="prefill"),
        Row(label="Requests the memory can run at once", value=f"{slots:,}", key="slots",
            formula="largest batch of prompt + output tokens", substituted=f"{slots:,} requests"),
        Row(label="Wait for a free slot", value=ms(wait), unit="ms", key="slot_wait",
            formula="max(C − S, 0) / S · end-to-end",
            substituted=f"max({concurrency:,} − {slots:,}, 0) / {slots:,} × {r.end_to_end.value:,.2f} s"),
        quantity_row("TPOT", r.tpot, ",.1f", scale_to="ms", key="tpot", strong=True),
        quantity_row("Requests completed per second (Little's law)", rate, ",.2f", key="rate"),
        Row(label="Share of time spent on prefills", value=f"{rho * 100:,.1f}", unit="%", key="rho",
            formula="ρ = λ · prefill", substituted=f"{rate.value:,.2f} /s × {ms(r.ttft_prefill_only.value)} ms"),
        quantity_row("Static batch: TTFT (all prompts prefilled together)", static.ttft, ",.1f", scale_to="ms",
                     key="static_ttft"),
        quantity_row(f"Own prefill in {chunks.chunks:,} chunks of {chunks.chunk:,} tokens", chunks.ttft_chunked,
                     ",.1f", scale_to="ms", key="ttft_chunked"),
        quantity_row("Longest gap between two tokens, unchunked", chunks.gap_unchunked, ",.1f", scale_to="ms",
                     key="gap_unchunked"),
        quantity_row("Longest gap between two tokens, chunked", chunks.gap_chunked, ",.1f", scale_to="ms",
                     key="gap_chunked"),
    )
    points = []
    for c in sorted({*SWEEP, concurrency}):
        est, _, total = _client(concurrency=c, slots=slots, **kw)
        points += [{"concurrency": c, "ms": total * 1e3, "series": "Client TTFT"},
                   {"concurrency": c, "ms": est.ttft_prefill_only.value * 1e3, "series": "Its own prefill"},
                   {"concurrency": c, "ms": est.tpot.value * 1e3, "series": "TPOT"}]
    chart = charts.line_spec(
        title="TTFT and TPOT against concurrency", points=points, x_field="concurrency",
        x_title="Concurrency (requests in flight)", y_field="ms", y_title="Time (ms)", x_log=True, y_log=True,
        series="series", current={"concurrency": concurrency, "ms": ttft * 1e3})
    return WidgetResult(rows=rows, chart=chart,
                        note="Continuous batching, closed loop of C clients; the engine's typical profile. Beyond "
                             "the requests the memory holds, a request waits for a free slot (Little's law).")


BATCHING = Widget(
    name="batching",
    title="Continuous batching and a client's TTFT",
    fields=(
        *deployment_fields(),
        tokens_field("prompt_len", "Prompt", 2048),
        tokens_field("output_len", "Output", 256),
        Field(name="concurrency", label="Concurrency", unit="requests", kind="integer", default=32, minimum=1,
              maximum=100_000, step="1", help="Clients, each sending its next request when the last one ends."),
        Field(name="chunk", label="Prefill chunk", unit="tokens", kind="integer", default=512, minimum=16,
              maximum=1_000_000, step="1", help="Tokens of a prompt prefilled alongside each decode step."),
    ),
    compute=_batching,
)
