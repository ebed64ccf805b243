"""Frontier calculator: tokens/s per GPU against tokens/s per user, per GPU, with the measured points beside it."""

from __future__ import annotations

from .. import charts
from ..forms import Field
from ..render import Row
from ...core.units import GB
from ...core.validate import InputError
from ...serving.efficiency import EFFICIENCIES
from ...serving.frontier import DEFAULT_GPUS, frontier, inferencex_points
from ...serving.search import parse_prices
from .base import MODEL_NAMES, Widget, WidgetResult, on_form_field

ON, OFF = "on", "off"
#: What "engine" means per GPU (calc.serving.space.engine_profile), for both calculators of the Planner page.
ENGINE_HELP = ("engine: the fitted profile of the engine measured on each GPU, else on a GPU with the same die, else "
               "the vendor's most conservative one.")
FORM_FIELDS = ("model", "gpus", "prompt_len", "output_len", "min_interactivity", "ttft_ms", "speculative",
               "draft_tokens", "acceptance", "disaggregated", "efficiency", "prices")
#: Results of the last few inputs (a chart redraw or a language switch asks again; each entry is small).
_CACHE: dict[tuple, object] = {}
_CACHE_ENTRIES = 8


def explain_rows(d, pf, m) -> list[Row]:
    """The chosen point's decode step by component, its prefill of one prompt and its memory per GPU (the
    frontier's best point and the planner's winner, from :func:`calc.serving.frontier.explain`)."""
    p = d.parts
    ms = lambda x: f"{x * 1e3:,.2f}"  # noqa: E731
    return [
        Row(label="Decode step", value=f"{d.total.value * 1e3:,.2f}", unit="ms", key="decode",
            formula="compute + weights + KV cache + activations + communication + fixed costs + drafts",
            substituted=f"{ms(p.compute + p.moe)} + {ms(p.weights)} + {ms(p.kv)} + {ms(p.activations)} + "
                        f"{ms(p.comms + p.latency)} + {ms(p.overhead + p.step)} + {ms(p.draft)} ms"),
        Row(label="Prefill of one prompt", value=f"{pf.total.value * 1e3:,.1f}", unit="ms", key="prefill",
            formula=pf.total.formula,  # the step's own arithmetic carries six digits; these rows show hundredths
            substituted=" + ".join(ms(x) for x in (pf.parts.compute + pf.parts.moe + pf.parts.memory,
                                                   pf.parts.comms + pf.parts.latency,
                                                   pf.parts.overhead + pf.parts.step))
                        + (f" + {ms(pf.parts.draft)}" if pf.parts.draft else "") + f" ms = {ms(pf.total.value)} ms"),
        Row(label="Memory per GPU", value=f"{m.used / GB:,.1f} / {m.capacity / GB:,.0f}", unit="GB", key="memory",
            formula="weights + KV cache + workspace + reserve",
            substituted=f"{m.weights / GB:,.1f} + {m.kv_cache / GB:,.1f} + {m.workspace / GB:,.2f} + "
                        f"{m.reserve / GB:,.1f} GB"),
    ]


def _label(q) -> str:
    c = q.config
    spec = f" · MTP {c.draft_tokens}@{c.acceptance:g}" if c.draft_tokens else ""
    one = f"{c.tp} × {c.gpu} {c.parallel} · {c.weights} · KV {c.kv}{spec}"
    if q.mode == "aggregated":
        return f"{one} · batch {q.batch}"
    return f"{q.prefill_workers} × TP{q.prefill_tp} prefill + {q.decode_workers} × ({one}) decode · batch {q.batch}"


def _run(**kw):
    key = tuple(sorted((k, v if not isinstance(v, dict) else tuple(sorted(v.items()))) for k, v in kw.items()))
    if key not in _CACHE:
        _CACHE[key] = frontier(**kw)
        for stale in list(_CACHE)[:-_CACHE_ENTRIES]:
            del _CACHE[stale]
    return _CACHE[key]


def _frontier(*, model: str, gpus: str, prompt_len: int, output_len: int, min_interactivity: float, ttft_ms: float,
              speculative: str, draft_tokens: int, acceptance: float, disaggregated: str, efficiency: str,
              prices: str) -> WidgetResult:
    names = tuple(g.strip() for g in gpus.replace("\n", ",").split(",") if g.strip())
    try:
        price_map = parse_prices(prices.replace("\n", ",").split(","), field="prices")
        r = _run(model=model, gpus=names, prompt_len=prompt_len, output_len=output_len,
                 speculative=speculative == ON, draft_tokens=draft_tokens, acceptance=acceptance,
                 disaggregated=disaggregated == ON, efficiency=efficiency, prices=price_map or None,
                 min_interactivity=min_interactivity, ttft_slo=ttft_ms / 1e3)
    except InputError as err:
        fields = {**{f: f for f in FORM_FIELDS}, "gpu": "gpus", "ttft_slo": "ttft_ms", "formats": "gpus"}
        raise on_form_field(err, fields, "model") from None
    b, run = r.best, r.runner_up
    rows = [
        Row(label="Best on target", value=_label(b), key="best", strong=True),
        Row(label="Throughput per GPU", value=f"{b.throughput_per_gpu:,.0f}", unit="tokens/s", key="throughput",
            formula="batch / end-to-end × (prompt + output) / GPUs",
            substituted=f"{b.requests_per_second:,.2f} requests/s × {prompt_len + output_len:,} tokens / {b.gpus} GPUs"),
        Row(label="Interactivity", value=f"{b.interactivity:,.1f}", unit="tokens/s per user", key="interactivity",
            formula="1 / TPOT", substituted=f"1 / {b.tpot * 1e3:,.2f} ms"),
        Row(label="TTFT", value=f"{b.ttft * 1e3:,.0f}", unit="ms", key="ttft"),
    ]
    if b.cost_per_m_output is not None:
        rows += [Row(label="Cost per million output tokens", value=f"{b.cost_per_m_output:,.3f}", unit="$",
                     key="cost_output", formula="$ per GPU-hour / 3600 / output tokens/s per GPU × 10⁶",
                     substituted=f"{b.output_per_gpu:,.0f} output tokens/s per GPU"),
                 Row(label="Cost per million tokens (input + output)", value=f"{b.cost_per_m_total:,.3f}", unit="$",
                     key="cost_total")]
    if run is not None:
        rows.append(Row(label="Runner-up", value=_label(run), key="runner_up",
                        substituted=f"{run.throughput_per_gpu:,.0f} tokens/s per GPU"))
    if r.why:
        rows.append(Row(label="Why it wins", value=r.why, key="why"))
    rows += explain_rows(r.decode, r.prefill, r.memory)
    rows += [
        Row(label="Configurations searched", value=f"{r.configurations:,}", key="configurations",
            formula="GPUs × TP × EP/DP attention × formats × KV formats × speculation, fitting memory",
            substituted=f"{r.evaluations:,} points; {r.pruned_memory:,} did not fit, {r.pruned_bound:,} cut by the "
                        "roofline bound"),
    ]
    rows.append(Row(label="Validation data for this GPU and format", value="yes" if b.validated else "no",
                    key="validated",  # "yes" is the best point's; the list is what the rest of the curves reach
                    substituted=f"on the curves, without validation data: {'; '.join(r.unvalidated)}"
                    if r.unvalidated else ""))
    curves = [{"gpu": c.gpu, "mode": c.mode, "series": f"{c.gpu} {c.mode}", "interactivity": round(q.interactivity, 3),
               "throughput": round(q.throughput_per_gpu, 1), "ttft_ms": round(q.ttft * 1e3, 1), "config": _label(q)}
              for c in r.curves for q in c.points]
    measured = [{"gpu": x["gpu"], "interactivity": round(x["interactivity"], 3), "throughput": round(x["throughput"], 1),
                 "config": x["config"]}
                for x in inferencex_points(gpus=tuple(sorted({c.gpu for c in r.curves})), prompt_len=prompt_len,
                                           output_len=output_len)]
    best = {"interactivity": round(b.interactivity, 3), "throughput": round(b.throughput_per_gpu, 1),
            "config": _label(b)}
    chart = charts.frontier_spec(
        title=f"{r.model}, {prompt_len:,} + {output_len:,} tokens: throughput vs interactivity",
        curves=curves, measured=measured, best=best, x_title="Interactivity (tokens/s per user)",
        y_title="Throughput (tokens/s per GPU)", measured_label="InferenceX (measured)")
    note = (f"Lines: the model's frontier per GPU (solid aggregated, dashed disaggregated); diamonds: InferenceX "
            f"measurements at the same lengths. Efficiency: {efficiency}.")
    return WidgetResult(rows=tuple(rows), chart=chart, note=note)


#: The serving options both calculators of the Planner page offer (speculation, disaggregation, efficiency).
SERVING_OPTION_FIELDS = (
    Field(name="speculative", label="Speculative decoding", kind="choice", default=ON, choices=(ON, OFF),
          help="on: each configuration is also tried with drafts (MTP)."),
    Field(name="draft_tokens", label="Draft tokens", kind="integer", default=3, minimum=1, maximum=16, step="1"),
    Field(name="acceptance", label="Acceptance rate", default=0.7, minimum=0, maximum=1,
          help="Probability each draft token is accepted; 0.7 is an assumption."),
    Field(name="disaggregated", label="Disaggregated prefill/decode", kind="choice", default=ON,
          choices=(ON, OFF), help="on: also try separate prefill and decode workers."),
    Field(name="efficiency", label="Efficiency", kind="choice", default="engine",
          choices=("engine", *EFFICIENCIES),
          help=ENGINE_HELP),
)


FRONTIER = Widget(
    name="frontier",
    title="Throughput–interactivity frontier",
    fields=(
        Field(name="model", label="Model", kind="choice", default="DeepSeek-V3", choices=MODEL_NAMES,
              help="DeepSeek-R1 has DeepSeek-V3's architecture."),
        Field(name="gpus", label="GPUs", kind="text", default=", ".join(DEFAULT_GPUS),
              placeholder="H200-SXM-141GB, B200, MI300X", help="Catalog names, comma-separated."),
        Field(name="prompt_len", label="Prompt", unit="tokens", kind="integer", default=1024, minimum=1,
              maximum=131_072, step="1"),
        Field(name="output_len", label="Output", unit="tokens", kind="integer", default=1024, minimum=1,
              maximum=131_072, step="1"),
        Field(name="min_interactivity", label="Interactivity target", unit="tokens/s per user", default=50,
              minimum=0, minimum_inclusive=False, help="The best point is the cheapest at or above it (1 / TPOT)."),
        Field(name="ttft_ms", label="TTFT target", unit="ms", default=10_000, minimum=0, minimum_inclusive=False),
        *SERVING_OPTION_FIELDS,
        Field(name="prices", label="Prices per GPU-hour (optional)", kind="text", default="",
              placeholder="B200=5, H200-SXM-141GB=3.5",
              help="GPU=dollars per GPU-hour, comma-separated; gives the cost per million tokens."),
    ),
    compute=_frontier,
)
