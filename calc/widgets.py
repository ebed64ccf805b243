"""The calculators a page can embed, and the only functions the browser may call.

Each :class:`Widget` pairs an input schema (a tuple of :class:`~calc.forms.Field`)
with a compute function that takes the typed inputs and returns a
:class:`WidgetResult` — rows of numbers with their arithmetic and an optional
Vega-Lite chart.  :func:`call` is the single entry point used by both the
docs build (to prerender defaults) and the Web Worker (to recompute live):
it parses the raw form values, runs the widget and returns a JSON-able dict;
bad input comes back as ``{"ok": False, "field": ..., "message": ...}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import charts, examples
from .forms import Field, parse_inputs
from .hardware import Accelerator, catalog, custom_accelerator, get_accelerator
from .inference import seed_forward_pass
from .kernels import linear_layer, linear_layer_crossover
from .latency import decode_latency
from .memory import kv_cache_per_request, kv_cache_per_token, max_batch, weights_bytes
from .models import presets
from .planner import nodes_for_users
from .quantity import Quantity
from .render import Row, render_rows
from .roofline import attainable_performance
from .dtypes import BYTES as BYTES_PER_ELEMENT
from .units import GB, GIB, TERA, convert
from .validate import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class WidgetResult:
    rows: tuple[Row, ...]
    chart: dict[str, Any] | None = None
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Widget:
    name: str
    title: str
    fields: tuple[Field, ...]
    compute: Callable[..., WidgetResult]


# ---------------------------------------------------------------- shared inputs

GPU_NAMES = tuple(p.name for p in catalog())
CUSTOM = "custom"
MODEL_NAMES = tuple(m.name for m in presets())


def _gpu_field(default: str) -> Field:
    return Field(name="gpu", label="GPU", kind="choice", default=default, choices=(*GPU_NAMES, CUSTOM),
                 help="A part from the catalog, or 'custom' to use the peak and bandwidth below.")


CUSTOM_PEAK = Field(name="peak_tflops", label="Custom peak", unit="TFLOP/s", default=312, minimum=0,
                    minimum_inclusive=False, help="Used when GPU is 'custom'.")
CUSTOM_BANDWIDTH = Field(name="bandwidth_gbps", label="Custom bandwidth", unit="GB/s", default=2039, minimum=0,
                         minimum_inclusive=False, help="Used when GPU is 'custom'.")


def _hardware(gpu: str, peak_tflops: float, bandwidth_gbps: float, dtype: str = "fp16") -> Accelerator:
    if gpu == CUSTOM:
        return custom_accelerator(peak_flops=peak_tflops * TERA, bandwidth=bandwidth_gbps * GB, dtype=dtype)
    return get_accelerator(gpu)


def _peak(part: Accelerator, dtype: str) -> float:
    if dtype not in part.peaks:
        raise InputError("dtype", f"dtype={dtype!r}: {part.name} has no {dtype} peak; it lists {', '.join(part.peaks)}")
    return part.peaks[dtype]


def _q(label: str, q: Quantity, fmt: str, *, unit: str | None = None, key: str, scale_to: str | None = None,
       strong: bool = False) -> Row:
    value = convert(q.value, to=scale_to) if scale_to else q.value
    return Row(label=label, value=format(value, fmt), unit=scale_to or (unit if unit is not None else q.unit),
               formula=q.formula, substituted=q.substituted, key=key, strong=strong)


# ---------------------------------------------------------------- 1. roofline

def _roofline(*, gpu: str, dtype: str, peak_tflops: float, bandwidth_gbps: float, kernel: str,
              intensity: float, d_model: int, batch: int) -> WidgetResult:
    part = _hardware(gpu, peak_tflops, bandwidth_gbps, dtype)
    peak = _peak(part, dtype)
    rows: list[Row] = []
    if kernel == "linear layer":
        layer = linear_layer(d_in=d_model, d_out=d_model, batch=batch, bytes_per_element=BYTES_PER_ELEMENT[dtype])
        oi = layer.intensity
        rows.append(_q("Linear layer intensity", oi, ",.2f", key="intensity"))
        cross = linear_layer_crossover(d_in=d_model, d_out=d_model, bytes_per_element=BYTES_PER_ELEMENT[dtype],
                                       peak_flops=peak, bandwidth=part.bandwidth)
        rows.append(_q("Batch where it turns compute-bound", cross.threshold_batch, ",.1f", key="crossover"))
    else:
        oi = Quantity(value=intensity, unit="FLOP/byte", formula="I", substituted=f"I = {intensity:,.6g} FLOP/byte")
    point = attainable_performance(intensity=oi.value, peak_flops=peak, bandwidth=part.bandwidth)
    rows[:0] = [_q("Ridge point", point.ridge, ",.1f", key="ridge")]
    rows.append(_q("Attainable performance", point.attainable, ",.1f", scale_to="TFLOP/s", key="attainable"))
    rows.append(Row(label="Bound", value=f"{point.bound}-bound", key="bound", strong=True))
    roofs = charts.catalog_roofs((p for p in catalog() if p.name != part.name), dtype)
    roofs.append((part.name, peak, part.bandwidth))
    chart = charts.roofline_spec(roofs=roofs, highlight=part.name, point=(oi.value, point.attainable.value),
                                 point_label=kernel)
    return WidgetResult(rows=tuple(rows), chart=chart)


ROOFLINE = Widget(
    name="roofline",
    title="Roofline calculator",
    fields=(
        _gpu_field("A100-SXM4-80GB"),
        Field(name="dtype", label="Datatype", kind="choice", default="fp16",
              choices=("fp16", "bf16", "fp8", "int8", "tf32", "fp32"),
              help="Which dense peak to use; not every part has every datatype."),
        CUSTOM_PEAK,
        CUSTOM_BANDWIDTH,
        Field(name="kernel", label="Kernel", kind="choice", default="operational intensity",
              choices=("operational intensity", "linear layer"),
              help="Enter an intensity directly, or a square linear layer of width d and batch B."),
        Field(name="intensity", label="Operational intensity", unit="FLOP/byte", default=100, minimum=0,
              minimum_inclusive=False, help="Used when the kernel is 'operational intensity'."),
        Field(name="d_model", label="Layer width d", kind="integer", default=4096, minimum=1, step="1",
              help="Used for the linear layer (d x d weights)."),
        Field(name="batch", label="Batch B", kind="integer", default=32, minimum=1, step="1",
              help="Tokens sharing one read of the weights (linear layer)."),
    ),
    compute=_roofline,
)


# ---------------------------------------------------------------- 2. LLM arithmetic

SEED_MODELS = {m.name: m for m in presets() if m.name.startswith("LLaMA-")}


def _llm(*, model: str, hidden: int, n_layers: int, vocab: int, batch: int, prompt_len: int, output_len: int,
         weight_overhead: float, bytes_per_weight: float, gpu: str) -> WidgetResult:
    r = seed_forward_pass(hidden=hidden, batch=batch, prompt_len=prompt_len, output_len=output_len,
                          n_layers=n_layers, vocab=vocab, weight_overhead=weight_overhead,
                          bytes_per_weight=bytes_per_weight)
    part = get_accelerator(gpu)
    point = attainable_performance(intensity=r.intensity.value, gpu=part)
    rows = (
        _q("FLOPs", r.flops, ",.2f", scale_to="TFLOP", key="flops"),
        _q("Bytes moved", r.bytes_moved, ",.2f", scale_to="GB", key="bytes"),
        _q("Operational intensity", r.intensity, ",.2f", key="intensity", strong=True),
        _q(f"Ridge point of {part.name}", point.ridge, ",.1f", key="ridge"),
        Row(label="Bound", value=f"{point.bound}-bound", key="bound", strong=True),
    )
    chart = charts.roofline_spec(roofs=charts.catalog_roofs(catalog(), "fp16"), highlight=part.name,
                                 point=(r.intensity.value, point.attainable.value), point_label="forward pass")
    return WidgetResult(rows=rows, chart=chart, note=f"Model preset: {model}. Sizes below the preset can be edited.")


LLM_ARITHMETIC = Widget(
    name="llm_arithmetic",
    title="FLOPs, bytes and intensity of a forward pass",
    fields=(
        Field(name="model", label="Model", kind="choice", default="LLaMA-13B", choices=(*SEED_MODELS, CUSTOM),
              help="A preset fills h, n and V; 'custom' keeps what you type.",
              fills={n: {"hidden": m.hidden, "n_layers": m.n_layers, "vocab": m.vocab} for n, m in SEED_MODELS.items()}),
        Field(name="hidden", label="Hidden size h", kind="integer", default=5120, minimum=1, step="1"),
        Field(name="n_layers", label="Layers n", kind="integer", default=40, minimum=1, step="1"),
        Field(name="vocab", label="Vocabulary V", kind="integer", default=32000, minimum=1, step="1"),
        Field(name="batch", label="Batch b", kind="integer", default=8, minimum=1, step="1"),
        Field(name="prompt_len", label="Prompt length s", unit="tokens", kind="integer", default=1024, minimum=1, step="1"),
        Field(name="output_len", label="Output length o", unit="tokens", kind="integer", default=1024, minimum=0, step="1"),
        Field(name="weight_overhead", label="Weight overhead factor", default=1.2, minimum=0, minimum_inclusive=False,
              help="The source's 1.2: extra reads beyond the 12·n·h² weights."),
        Field(name="bytes_per_weight", label="Bytes per weight", default=1, minimum=0, minimum_inclusive=False,
              help="1 reproduces the source (it counts parameters); 2 is fp16 bytes."),
        Field(name="gpu", label="GPU", kind="choice", default="A100-SXM4-80GB", choices=GPU_NAMES,
              help="Whose ridge point to compare with (fp16 dense)."),
    ),
    compute=_llm,
)


# ---------------------------------------------------------------- 3. decode latency

def _model_fills(values: Callable[[Any], dict[str, float | int]]) -> dict[str, dict[str, float | int]]:
    return {m.name: values(m) for m in presets()}


def _decode(*, model: str, params_billion: float, n_layers: int, d_model: int, gpu: str, n_gpus: int, batch: int,
            hop_latency_us: float) -> WidgetResult:
    part = get_accelerator(gpu)
    est = decode_latency(params=params_billion * 1e9, n_gpus=n_gpus, batch=batch, n_layers=n_layers,
                         d_model=d_model, gpu=part, hop_latency=hop_latency_us * 1e-6)
    rows = (
        _q("Weight read (small batch)", est.small.compute, ",.3f", scale_to="ms", key="small_compute"),
        _q("Hop latency (small batch)", est.small.comms, ",.3f", scale_to="ms", key="small_comms"),
        _q("FLOPs time (large batch)", est.large.compute, ",.3f", scale_to="ms", key="large_compute"),
        _q("Link transfer (large batch)", est.large.comms, ",.3f", scale_to="ms", key="large_comms"),
        _q("Per-token latency", est.latency, ",.3f", scale_to="ms", key="latency", strong=True),
        Row(label="Regime", value=est.regime, key="regime"),
        Row(label="Throughput", value=f"{batch / est.latency.value:,.0f}", unit="tokens/s", key="throughput",
            formula="B / latency", substituted=f"{batch} / {est.latency.value * 1e3:,.4g} ms"),
    )
    sweep = sorted({1, 2, 4, 8, 16, 32, 64, 96, 128, 160, 192, 256, 320, 384, 448, 512, batch})
    points = [
        {"batch": b, "latency_ms": decode_latency(
            params=params_billion * 1e9, n_gpus=n_gpus, batch=b, n_layers=n_layers, d_model=d_model, gpu=part,
            hop_latency=hop_latency_us * 1e-6).latency.value * 1e3}
        for b in sweep
    ]
    chart = charts.line_spec(
        title=f"Decode latency per token, {n_gpus} × {part.name}", points=points, x_field="batch",
        x_title="Batch size (sequences)", y_field="latency_ms", y_title="Latency per token (ms)",
        current={"batch": batch, "latency_ms": est.latency.value * 1e3},
    )
    return WidgetResult(rows=rows, chart=chart)


DECODE_LATENCY = Widget(
    name="decode_latency",
    title="Decode latency per token",
    fields=(
        Field(name="model", label="Model", kind="choice", default="LLaMA-13B", choices=(*MODEL_NAMES, CUSTOM),
              help="A preset fills the sizes with its exact parameter count.",
              fills=_model_fills(lambda m: {"params_billion": m.parameter_count().value / 1e9,
                                            "n_layers": m.n_layers, "d_model": m.hidden})),
        Field(name="params_billion", label="Parameters P", unit="billion", default=13.01586432, minimum=0,
              minimum_inclusive=False),
        Field(name="n_layers", label="Layers", kind="integer", default=40, minimum=1, step="1"),
        Field(name="d_model", label="d_model", kind="integer", default=5120, minimum=1, step="1"),
        Field(name="gpu", label="GPU", kind="choice", default="V100-SXM2-32GB", choices=GPU_NAMES),
        Field(name="n_gpus", label="GPUs N (tensor parallel)", kind="integer", default=8, minimum=1, maximum=1024, step="1"),
        Field(name="batch", label="Batch B", kind="integer", default=1, minimum=1, maximum=100_000, step="1"),
        Field(name="hop_latency_us", label="Latency per hop", unit="µs", default=8, minimum=0,
              help="The source's 8 µs per all-reduce hop, four hops per layer."),
    ),
    compute=_decode,
)


# ---------------------------------------------------------------- 4. KV cache and batch limit

def _source_estimate(*, model: str, weight_dtype: str, kv_dtype: str, context_len: int, n_gpus: int,
                     memory_per_gpu_gib: float) -> Row | None:
    """The source's own figure, shown when the inputs are its scenario."""
    key = (model, weight_dtype)
    if (key not in examples.SEED_BATCH_INPUTS or kv_dtype != "fp16" or context_len != examples.SEED_CONTEXT_LEN
            or n_gpus * memory_per_gpu_gib != examples.SEED_TOTAL_MEMORY):
        return None
    seed = examples.seed_batch_limit(model, weight_dtype).batch
    return Row(label="The source's estimate (rounded inputs)", value=f"{seed.value:,.2f}", unit="requests",
               formula=seed.formula, substituted=seed.substituted, key="source_batch")


def _kv(*, model: str, n_layers: int, kv_width: int, params_billion: float, weight_dtype: str, kv_dtype: str,
        context_len: int, gpu: str, memory_per_gpu_gib: float, n_gpus: int, users: int,
        achieved_batch: float) -> WidgetResult:
    kv_bytes = BYTES_PER_ELEMENT[kv_dtype]
    per_token = kv_cache_per_token(n_layers=n_layers, d_model=kv_width, bytes_per_element=kv_bytes)
    per_request = kv_cache_per_request(n_layers=n_layers, d_model=kv_width, context_len=context_len,
                                       bytes_per_element=kv_bytes)
    weights = weights_bytes(params=params_billion * 1e9, bytes_per_param=BYTES_PER_ELEMENT[weight_dtype])
    total = n_gpus * memory_per_gpu_gib * GIB
    free = total - weights.value
    # Checked here, not left to max_batch, so the message names an input the reader can change.
    if free <= 0:
        raise InputError("n_gpus", f"The weights ({convert(weights.value, to='GiB'):,.1f} GiB) do not fit in "
                                   f"{convert(total, to='GiB'):,.1f} GiB: add GPUs or use a smaller weights dtype")
    if per_request.value > free:
        raise InputError("context_len", f"One request's KV cache ({convert(per_request.value, to='GiB'):,.1f} GiB at "
                                        f"{context_len:,} tokens) is more than the {convert(free, to='GiB'):,.1f} GiB "
                                        "left after the weights: shorten the context, use a smaller KV dtype or add GPUs")
    limit = max_batch(total_memory=total, weights=weights.value, per_request=per_request.value)
    rows = [
        _q("KV cache per token", per_token, ",.0f", key="kv_token"),
        _q("KV cache per request", per_request, ",.4f", scale_to="GiB", key="kv_request"),
        _q("Weights", weights, ",.2f", scale_to="GiB", key="weights"),
        Row(label="Memory of the GPUs", value=f"{convert(total, to='GiB'):,.1f}", unit="GiB", key="total",
            formula="N · M_gpu", substituted=f"{n_gpus} × {memory_per_gpu_gib:g} GiB"),
        Row(label="Largest batch", value=f"{limit.batch.value:,.2f}", unit="requests", key="batch", strong=True,
            formula=limit.batch.formula,
            substituted=f"({convert(total, to='GiB'):,.4g} GiB − {convert(weights.value, to='GiB'):,.4g} GiB) / "
                        f"{convert(per_request.value, to='GiB'):,.4g} GiB = {limit.batch.value:,.2f}"),
    ]
    source = _source_estimate(model=model, weight_dtype=weight_dtype, kv_dtype=kv_dtype, context_len=context_len,
                              n_gpus=n_gpus, memory_per_gpu_gib=memory_per_gpu_gib)
    if source:
        rows.append(source)
    nodes = nodes_for_users(users=users, requests_per_node=achieved_batch)
    rows.append(_q(f"Nodes for {users:,} users at {achieved_batch:g} requests per node", nodes, ",.0f", key="nodes"))
    rows.append(_q("Nodes at the theoretical limit",
                   nodes_for_users(users=users, requests_per_node=limit.whole_batch), ",.0f", key="nodes_limit"))
    points = []
    for ctx in (256, 512, 1024, 2048, 3072, 4096, 6144, 8192, 12288, 16384, context_len):
        req = kv_cache_per_request(n_layers=n_layers, d_model=kv_width, context_len=ctx, bytes_per_element=kv_bytes)
        points.append({"context": ctx, "batch": max(free / req.value, 0.0)})
    points.sort(key=lambda p: p["context"])
    chart = charts.line_spec(
        title=f"Largest batch vs context, {n_gpus} GPUs × {memory_per_gpu_gib:g} GiB", points=points,
        x_field="context", x_title="Context length (tokens)", y_field="batch", y_title="Largest batch (requests)",
        current={"context": context_len, "batch": limit.batch.value}, x_log=True,
    )
    return WidgetResult(rows=tuple(rows), chart=chart,
                        note="GiB = 2^30 bytes; card memory is taken as its physical size in GiB.")


KV_CACHE = Widget(
    name="kv_cache",
    title="KV cache, largest batch and nodes for N users",
    fields=(
        Field(name="model", label="Model", kind="choice", default="LLaMA-13B", choices=(*MODEL_NAMES, CUSTOM),
              help="A preset fills layers, KV width (kv heads × head dim) and its exact parameter count.",
              fills=_model_fills(lambda m: {"n_layers": m.n_layers, "kv_width": m.kv_elements_per_token_layer // 2,
                                            "params_billion": m.parameter_count().value / 1e9})),
        Field(name="n_layers", label="Layers", kind="integer", default=40, minimum=1, step="1"),
        Field(name="kv_width", label="KV width (kv heads × head dim)", kind="integer", default=5120, minimum=1,
              step="1", help="Elements of K (or V) per token per layer: d_model with multi-head attention, "
                             "less with grouped-query attention; half the latent + rope width with MLA."),
        Field(name="params_billion", label="Parameters", unit="billion", default=13.01586432, minimum=0,
              minimum_inclusive=False),
        Field(name="weight_dtype", label="Weights dtype", kind="choice", default="fp16",
              choices=("fp16", "bf16", "fp8", "int8", "int4")),
        Field(name="kv_dtype", label="KV cache dtype", kind="choice", default="fp16", choices=("fp16", "bf16", "fp8", "int8")),
        Field(name="context_len", label="Context per request", unit="tokens", kind="integer", default=2048, minimum=1,
              maximum=10_000_000, step="1"),
        Field(name="gpu", label="GPU", kind="choice", default="V100-SXM2-32GB", choices=(*GPU_NAMES, CUSTOM),
              help="A catalog part fills its memory (datasheet GB read as GiB, the physical size).",
              fills={p.name: {"memory_per_gpu_gib": convert(p.memory, to="GB")} for p in catalog()}),
        Field(name="memory_per_gpu_gib", label="Memory per GPU", unit="GiB", default=32, minimum=0,
              minimum_inclusive=False),
        Field(name="n_gpus", label="GPUs per node", kind="integer", default=8, minimum=1, maximum=1024, step="1"),
        Field(name="users", label="Concurrent users", kind="integer", default=10_000, minimum=1, step="1"),
        Field(name="achieved_batch", label="Achieved requests per node", default=50, minimum=0,
              minimum_inclusive=False, help="The source measured about 50 with DeepSpeed."),
    ),
    compute=_kv,
)

WIDGETS: dict[str, Widget] = {w.name: w for w in (ROOFLINE, LLM_ARITHMETIC, DECODE_LATENCY, KV_CACHE)}


# ---------------------------------------------------------------- entry points

def get_widget(name: str) -> Widget:
    try:
        return WIDGETS[name]
    except KeyError:
        raise InputError("widget", f"widget={name!r} is unknown; known: {', '.join(WIDGETS)}") from None


def call(name: str, raw: Mapping[str, object] | None = None) -> dict[str, Any]:
    """Run widget ``name`` on raw form values; a JSON-able dict either way.

    >>> call("kv_cache")["ok"], call("kv_cache", {"context_len": "abc"})["field"]
    (True, 'context_len')
    """
    widget = get_widget(name)
    try:
        inputs = parse_inputs(widget.fields, raw or {})
        result = widget.compute(**inputs)
    except InputError as err:
        return {"ok": False, "field": err.field, "message": str(err)}
    return {
        "ok": True,
        "inputs": inputs,
        "html": render_rows(result.rows, note=result.note),
        "values": {row.key: row.value for row in result.rows if row.key},
        "chart": result.chart,
    }


def call_json(name: str, raw_json: str) -> str:
    """:func:`call` with JSON in and out: what the Web Worker uses."""
    raw = json.loads(raw_json) if raw_json else {}
    if not isinstance(raw, dict):
        return json.dumps({"ok": False, "field": "", "message": "inputs must be a JSON object"})
    return json.dumps(call(name, raw))
