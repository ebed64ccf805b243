"""Deployment planner: the fewest GPUs that serve N users, or λ requests per second, within a TTFT and TPOT target,
over the 2026 space (formats the part computes, TP/TEP/DEP, KV format, speculative decoding, disaggregation)."""

from __future__ import annotations

from .. import charts
from ..forms import Field
from ..render import Row
from ...core.validate import InputError
from ...hardware import catalog, resolve
from ...serving.search import parse_prices
from ...serving.slo import PlanResult, front, plan_slo
from ...serving.space import FORMATS, compute_format, profile_for
from .base import CONFIG_FIELD, GPU_NAMES, MODEL_NAMES, PASTED, Widget, WidgetResult, model_argument, on_form_field
from .frontier import OFF, ON, SERVING_OPTION_FIELDS, _label, explain_rows

ALL = "all catalog GPUs"
EACH = "each GPU's own"
USERS, RATE = "concurrent users", "requests per second"
FORM_FIELDS = ("model", "config", "prompt_len", "output_len", "ttft_ms", "tpot_ms", "load_kind", "load", "hardware",
               "formats", "speculative", "draft_tokens", "acceptance", "disaggregated", "efficiency", "prices")

# What each configuration reaches under the SLO, per search inputs (calc.serving.slo.plan_slo's cache): an edit
# of the load or the prices answers in milliseconds instead of a new search.  The oldest entries go first.
_SEARCH_CACHE: dict = {}
_SEARCH_CACHE_ENTRIES = 6

# The browser's runtime (scripts/make_runtime.mjs) carries that cache as filled by the default plan at build
# time, by this same code: the page's first live plan, and any later edit of the load or the prices, then take
# milliseconds instead of a full search.  Absent elsewhere (a plain install of calc searches as usual).
WARM_STATE = "data/planner_warm.pickle"
_warm_tried: list[bool] = []


def warm_state() -> bytes:
    """The search cache as it stands (after a plan with the defaults, at build time)."""
    import pickle

    return pickle.dumps({key: value for key, value in _SEARCH_CACHE.items() if key[0] == "plan_slo"}, protocol=5)


def _load_warm_state() -> None:
    """Seed the cache once from the runtime's warm state, if it has one."""
    if _warm_tried:
        return
    _warm_tried.append(True)
    import pickle
    from importlib import resources

    try:
        data = resources.files("calc").joinpath(WARM_STATE).read_bytes()
    except OSError:  # FileNotFoundError outside the browser runtime
        return
    for key, found in pickle.loads(data).items():
        _SEARCH_CACHE.setdefault(key, found)


def _gpus(hardware: str, formats: str) -> tuple[str, ...]:
    """The GPUs searched: one, or the catalog's (those that compute the format asked for, when one is)."""
    if hardware != ALL:
        return (hardware,)
    return tuple(p.name for p in catalog() if formats == EACH or compute_format(formats, p) is not None)


def plan(*, model: str, config: str, prompt_len: int, output_len: int, ttft_ms: float, tpot_ms: float,
         load_kind: str, load: float, hardware: str, formats: str, speculative: str, draft_tokens: int,
         acceptance: float, disaggregated: str, efficiency: str, prices: str) -> PlanResult:
    """The form's values as :func:`calc.serving.slo.plan_slo`'s arguments (errors moved to the form's fields)."""
    _load_warm_state()
    by_rate = load_kind == RATE
    try:
        price_map = parse_prices(prices.replace("\n", ",").split(","), field="prices")
        return plan_slo(model=model_argument(model, config), users=None if by_rate else load,
                        requests_per_second=load if by_rate else None, prompt_len=prompt_len, output_len=output_len,
                        ttft_slo=ttft_ms / 1e3, tpot_slo=tpot_ms / 1e3, gpus=_gpus(hardware, formats),
                        formats=None if formats == EACH else (formats,), speculative=speculative == ON,
                        draft_tokens=draft_tokens, acceptance=acceptance, disaggregated=disaggregated == ON,
                        efficiency=efficiency, prices=price_map or None, cache=_SEARCH_CACHE)
    except InputError as err:
        names = {**{f: f for f in FORM_FIELDS}, "gpus": "hardware", "ttft_slo": "ttft_ms", "tpot_slo": "tpot_ms",
                 "users": "load", "requests_per_second": "load", "price": "prices"}
        labels = {f.name: f.label for f in PLANNER.fields}
        raise on_form_field(err, names, "config" if model == PASTED else "model", labels) from None
    finally:
        for stale in list(_SEARCH_CACHE)[:-_SEARCH_CACHE_ENTRIES]:
            del _SEARCH_CACHE[stale]


def default_plan() -> PlanResult:
    """The plan for the form's default inputs (the Planner page's table of its front)."""
    from ..forms import parse_inputs

    return plan(**parse_inputs(PLANNER.fields, {}))


def _plan(**kw) -> WidgetResult:
    r = plan(**kw)
    by_rate, load, output_len = kw["load_kind"] == RATE, kw["load"], kw["output_len"]
    ttft_ms, tpot_ms, model, efficiency = kw["ttft_ms"], kw["tpot_ms"], kw["model"], kw["efficiency"]
    w, q = r.winner, r.winner.point
    if by_rate:
        little = Row(label="Requests in flight (Little's law)", value=f"{w.users:,}", key="in_flight",
                     formula="N = λ · W, W = TTFT + (output − 1) · TPOT",
                     substituted=f"{load:,.6g} requests/s × {w.e2e:,.2f} s")
        groups = Row(label="Groups", value=f"{w.groups:,}", key="groups", formula="⌈λ / requests/s per group⌉",
                     substituted=f"⌈{load:,.6g} / {q.requests_per_second:,.2f}⌉")
    else:
        little = Row(label="Requests per second (Little's law)", value=f"{w.requests_per_second:,.2f}",
                     key="rate", formula="λ = N / W, W = TTFT + (output − 1) · TPOT",
                     substituted=f"{int(load):,} / {w.e2e:,.2f} s")
        groups = Row(label="Groups", value=f"{w.groups:,}", key="groups",
                     formula="⌈N / (batch × decode workers)⌉",
                     substituted=f"⌈{int(load):,} / ({q.batch:,} × {q.decode_workers})⌉")
    rows = [
        Row(label="Fewest GPUs", value=f"{w.gpus:,}", unit="GPU" if w.gpus == 1 else "GPUs", key="gpus", strong=True,
            formula="groups × GPUs per group", substituted=f"{w.groups:,} × {q.gpus:,} = {w.gpus:,}"),
        Row(label="Deployment", value=_label(q), key="winner"),
        groups,
        little,
    ]
    if w.cost_per_hour is not None:
        rows += [
            Row(label="Cost", value=f"{w.cost_per_hour:,.2f}", unit="$ per hour", key="cost",
                formula="GPUs × price per GPU-hour"),
            Row(label="Cost per million output tokens", value=f"{w.cost_per_m_output:,.3f}", unit="$",
                key="cost_output", formula="$ per hour / 3600 / (requests/s × output tokens) × 10⁶",
                substituted=f"{w.requests_per_second * output_len:,.0f} output tokens/s"),
            Row(label="Cost per million tokens (input + output)", value=f"{w.cost_per_m_total:,.3f}", unit="$",
                key="cost_total")]
    rows += [
        Row(label="TPOT", value=f"{q.tpot * 1e3:,.1f}", unit="ms", key="tpot",
            formula="decode step / tokens accepted per step (+ interleaved prefills when aggregated)",
            substituted=f"target ≤ {tpot_ms:g} ms"),
        Row(label="TTFT", value=f"{q.ttft * 1e3:,.0f}", unit="ms", key="ttft", substituted=f"target ≤ {ttft_ms:g} ms"),
        Row(label="Throughput per GPU", value=f"{q.throughput_per_gpu:,.0f}", unit="tokens/s", key="throughput",
            formula="batch / end-to-end × (prompt + output) / GPUs"),
    ]
    if r.runner_up is not None:
        rows.append(Row(label="Runner-up", value=_label(r.runner_up.point), key="runner_up",
                        substituted=f"{r.runner_up.gpus:,} GPUs"))
        rows.append(Row(label="Why it wins", value=r.why, key="why"))
    rows += explain_rows(r.decode, r.prefill, r.memory)
    eff = profile_for(resolve(q.gpu), efficiency)
    rows += [
        Row(label="Efficiency", value=eff.name, key="efficiency", substituted=eff.describe()),
        Row(label="Validation data for this GPU and format", value="yes" if w.validated else "no", key="validated",
            substituted=_not_covered(([] if w.validated or q.mode != "aggregated" else [f"{q.gpu} {q.config.format}"])
                                     + (["disaggregated"] if q.mode == "disaggregated" else []))),
        Row(label="Configurations searched", value=f"{r.configurations:,}", key="configurations",
            formula="GPUs × TP × EP/DP attention × formats × KV formats × speculation, fitting memory",
            substituted=f"{r.evaluations:,} batch evaluations"),
    ]
    # The chart: each plan's GPUs against its TPOT, the front of those no other beats on both.
    points = [{"gpus": x.gpus, "tpot_ms": round(x.point.tpot * 1e3, 3), "gpu": x.point.gpu,
               "throughput": round(x.point.throughput_per_gpu), "deployment": _label(x.point)} for x in front(r.plans)]
    title = (f"Pareto front for {load:,.6g} requests/s of {model}" if by_rate
             else f"Pareto front for {int(load):,} users of {model}")
    chart = charts.scatter_spec(
        title=title, points=points, x_field="gpus", x_title="GPUs", y_field="tpot_ms", y_title="TPOT (ms)",
        color="gpu", x_log=True,
        tooltip=[("deployment", "deployment"), ("gpus", "GPUs"), ("tpot_ms", "TPOT ms"), ("throughput", "tokens/s/GPU")],
        highlight=points[0])
    note = "Little's law links the two loads: N = λ · W, with W = TTFT + (output − 1) · TPOT."
    return WidgetResult(rows=tuple(rows), chart=chart, note=note)


def _not_covered(items: list[str]) -> str:
    """What of the winner no validation point covers, said as such (empty when all is covered)."""
    return f"without validation data: {'; '.join(items)}" if items else ""


PLANNER = Widget(
    name="planner",
    title="Deployment planner: fewest GPUs for a load within an SLO",
    fields=(
        Field(name="model", label="Model", kind="choice", default="Llama-2-13B", choices=(*MODEL_NAMES, PASTED),
              help="A preset from the model catalog, or 'pasted config.json' to use the box below."),
        CONFIG_FIELD,
        Field(name="prompt_len", label="Prompt", unit="tokens", kind="integer", default=512, minimum=1,
              maximum=131_072, step="1"),
        Field(name="output_len", label="Output", unit="tokens", kind="integer", default=256, minimum=1,
              maximum=131_072, step="1"),
        Field(name="ttft_ms", label="TTFT target", unit="ms", default=1000, minimum=0, minimum_inclusive=False,
              help="Time to first token: prefill plus waiting for the running decode step."),
        Field(name="tpot_ms", label="TPOT target", unit="ms", default=50, minimum=0, minimum_inclusive=False,
              help="Mean time between output tokens of one request."),
        Field(name="load_kind", label="Load given as", kind="choice", default=USERS, choices=(USERS, RATE),
              help="Concurrent users N or an arrival rate λ; Little's law links them: N = λ · W."),
        Field(name="load", label="Load", formerly=("users",), default=10_000, minimum=0, minimum_inclusive=False, maximum=10_000_000,
              help="Users (a whole number) or requests per second, as chosen above."),
        Field(name="hardware", label="Allowed hardware", kind="choice", default=ALL, choices=(ALL, *GPU_NAMES)),
        Field(name="formats", label="Weights and activations", kind="choice", default=EACH, choices=(EACH, *FORMATS),
              help="each GPU's own: 16-bit, fp8 and fp4 where the GPU computes them."),
        *SERVING_OPTION_FIELDS,
        Field(name="prices", label="Prices per GPU-hour (optional)", kind="text", default="",
              placeholder="H100-SXM5-80GB=2.5, A100-SXM4-80GB=1.6",
              help="GPU=dollars per GPU-hour, comma-separated; ranks equal GPU counts by cost."),
    ),
    compute=_plan,
)
