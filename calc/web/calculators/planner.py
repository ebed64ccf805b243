"""Deployment planner: the fewest GPUs that serve N users within a TTFT and TPOT target."""

from __future__ import annotations

from .. import charts
from ..forms import Field
from ..render import Row
from ...serving.search import parse_prices, search_deployments
from ...core.validate import InputError
from ...serving.efficiency import EFFICIENCIES
from .base import CONFIG_FIELD, GPU_NAMES, MODEL_NAMES, PASTED, Widget, WidgetResult, model_argument, on_form_field

ALL = "all catalog GPUs"
FORM_FIELDS = ("model", "config", "prompt_len", "output_len", "ttft_ms", "tpot_ms", "users", "hardware",
               "efficiency", "prices")


# What the last searches found per replica (see search_deployments' capacity_cache): an edit of the users or
# the prices then answers in tens of milliseconds instead of seconds, and one of the lengths or the SLO keeps
# the step-time evaluators.  Oldest entries go first; each holds a few thousand small records.
_SEARCH_CACHE: dict = {}
_SEARCH_CACHE_ENTRIES = 6

# The browser's runtime (scripts/make_runtime.mjs) carries the capacities the search found for the default
# inputs, computed at build time by this same code: the page's first live plan, and any later edit of the
# users or the prices, then take tens of milliseconds instead of a full search (~1 s in the browser).
# Absent elsewhere (a plain install of calc searches as usual).
WARM_STATE = "data/planner_warm.pickle"
_warm_tried: list[bool] = []


def warm_state() -> bytes:
    """The search cache's capacities as they stand (after a plan with the defaults, at build time)."""
    import pickle

    return pickle.dumps({key: value for key, value in _SEARCH_CACHE.items() if key[0] == "capacities"}, protocol=5)


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
    for key, capacities in pickle.loads(data).items():
        _SEARCH_CACHE.setdefault(key, capacities)


def _plan(*, model: str, config: str, prompt_len: int, output_len: int, ttft_ms: float, tpot_ms: float, users: int,
          hardware: str, efficiency: str, prices: str) -> WidgetResult:
    _load_warm_state()
    eff = EFFICIENCIES[efficiency]
    price_map = parse_prices(prices.replace("\n", ",").split(","), field="prices")
    try:
        r = search_deployments(model=model_argument(model, config), users=users, prompt_len=prompt_len,
                               output_len=output_len, ttft_slo=ttft_ms / 1e3, tpot_slo=tpot_ms / 1e3,
                               gpus=None if hardware == ALL else (hardware,), efficiency=eff,
                               prices=price_map or None, capacity_cache=_SEARCH_CACHE)
    except InputError as err:
        names = {**{f: f for f in FORM_FIELDS}, "gpus": "hardware", "ttft_slo": "ttft_ms", "tpot_slo": "tpot_ms"}
        raise on_form_field(err, names, "config" if model == PASTED else "model") from None
    for stale in list(_SEARCH_CACHE)[:-_SEARCH_CACHE_ENTRIES]:
        del _SEARCH_CACHE[stale]
    rows = [Row(label="Configurations searched", value=f"{r.configurations:,}", key="configurations",
                formula="accelerators × GPUs per node × TP·PP splits × weight dtype × KV dtype",
                substituted=f"{r.evaluations:,} batch evaluations")]
    w = r.winner
    if w is None:
        rows.append(Row(label="Deployment", value="none meets the SLO", key="winner", strong=True,
                        substituted=r.reason))
        return WidgetResult(rows=tuple(rows), note=eff.describe())
    rows += [
        Row(label="Fewest GPUs", value=f"{w.gpus:,}", unit="GPUs", key="gpus", strong=True,
            formula="nodes × GPUs per node", substituted=f"{w.nodes} × {w.gpus_per_node} = {w.gpus}"),
        Row(label="Deployment", value=w.label(), key="winner"),
        *([Row(label="Cost", value=f"{w.cost_per_hour:,.2f}", unit="$ per hour", key="cost",
               formula="GPUs × price per GPU-hour")] if w.cost_per_hour is not None else []),
        Row(label="Users per node", value=f"{w.users_per_node:,}", key="users_per_node",
            formula="replicas per node × batch per replica",
            substituted=f"{w.replicas_per_node} × {w.batch} (limited by {w.limited_by})"),
        Row(label="TPOT", value=f"{w.tpot * 1e3:,.1f}", unit="ms", key="tpot",
            formula="mean decode interval + interleaved prefills", substituted=f"target ≤ {tpot_ms:g} ms"),
        Row(label="TTFT", value=f"{w.ttft * 1e3:,.0f}", unit="ms", key="ttft",
            formula="step in flight + prompts ahead + prefill + one step + per-request cost", substituted=f"target ≤ {ttft_ms:g} ms"),
        Row(label="Throughput per GPU", value=f"{w.throughput_per_gpu:,.0f}", unit="tokens/s", key="throughput",
            formula="batch / TPOT / (TP·PP)"),
        Row(label="Pareto front", value=f"{len(r.front)}", unit="deployments", key="front",
            substituted="; ".join(f"{d.gpus} GPUs, {d.tpot * 1e3:.0f} ms: {d.label()}" for d in r.front[:6])),
    ]
    points = [{"gpus": d.gpus, "tpot_ms": round(d.tpot * 1e3, 3), "gpu": d.gpu,
               "throughput": round(d.throughput_per_gpu), "deployment": d.label()} for d in r.front]
    chart = charts.scatter_spec(
        title=f"Pareto front for {users:,} users of {model}", points=points, x_field="gpus", x_title="GPUs",
        y_field="tpot_ms", y_title="TPOT (ms)", color="gpu", x_log=True,
        tooltip=[("deployment", "deployment"), ("gpus", "GPUs"), ("tpot_ms", "TPOT ms"), ("throughput", "tokens/s/GPU")],
        highlight=points[r.front.index(w)] if w in r.front else None)
    return WidgetResult(rows=tuple(rows), chart=chart, note=f"Why: {r.reason} Efficiency {eff.describe()}.")


PLANNER = Widget(
    name="planner",
    title="Deployment planner: fewest GPUs for N users within an SLO",
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
        Field(name="users", label="Concurrent users", kind="integer", default=10_000, minimum=1, maximum=10_000_000,
              step="1"),
        Field(name="hardware", label="Allowed hardware", kind="choice", default=ALL, choices=(ALL, *GPU_NAMES)),
        Field(name="efficiency", label="Efficiency", kind="choice", default="typical", choices=tuple(EFFICIENCIES),
              help="typical: η_compute 0.7, η_memory 0.75; optimistic: best published figures."),
        Field(name="prices", label="Prices per GPU-hour (optional)", kind="text", default="",
              placeholder="H100-SXM5-80GB=2.5, A100-SXM4-80GB=1.6",
              help="GPU=dollars per GPU-hour, comma-separated; ranks equal GPU counts by cost."),
    ),
    compute=_plan,
)
