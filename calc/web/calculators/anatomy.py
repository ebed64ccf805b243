"""Anatomy of a forward pass: per-operator time of a prefill and a decode step, for a preset or a pasted config."""

from __future__ import annotations


from ...core.dtypes import STORAGE
from ...source.examples import ANATOMY, ANATOMY_DECODE, ANATOMY_PREFILL
from ..forms import Field
from ...roofline import ForwardTime, forward_time
from ..render import Row, render_table
from ...core.validate import InputError
from .base import (CONFIG_FIELD, MODEL_NAMES, PASTED, Widget, WidgetResult, catalog_gpu_field, dtype_field,
                   model_argument, model_field, on_form_field, quantity_row, tokens_field)

FORM_FIELDS = ("model", "config", "batch", "prompt_len", "context_len", "weights", "activations", "kv", "gpu")


def _share(t: ForwardTime, group: str) -> float:
    return sum(o.time.value for o in t.operators if o.group == group)


def _anatomy(*, model: str, config: str, batch: int, prompt_len: int, context_len: int, weights: str,
             activations: str, kv: str, gpu: str) -> WidgetResult:
    model_arg = model_argument(model, config)
    common = dict(model=model_arg, gpu=gpu, batch=batch, weights=weights, activations=activations, kv=kv)
    # Each error beside the input that caused it: the matmuls run at the activations' dtype, so a part
    # without that peak (V100 and bf16) is an Activations error; a field of a pasted config goes to its box.
    names = {**{f: f for f in FORM_FIELDS}, "dtype": "activations"}
    fallback = "config" if model == PASTED else "model"
    labels = {f.name: f.label for f in ANATOMY_WIDGET.fields}
    try:
        prefill = forward_time(phase="prefill", seq_len=prompt_len, **common)
    except InputError as err:
        raise on_form_field(err, {**names, "seq_len": "prompt_len"}, fallback, labels) from None
    try:
        decode = forward_time(phase="decode", seq_len=context_len, **common)
    except InputError as err:
        raise on_form_field(err, {**names, "seq_len": "context_len"}, fallback, labels) from None
    rows = (
        Row(label="Model", value=prefill.forward.model, key="model"),
        quantity_row("Prefill of the whole batch (lower bound on time to first token)", prefill.time, ",.2f", scale_to="ms", key="prefill_ms",
                     strong=True),
        quantity_row("Prefill intensity", prefill.forward.intensity, ",.1f", key="prefill_intensity"),
        quantity_row("Decode step (per output token, lower bound)", decode.time, ",.3f", scale_to="ms",
                     key="decode_ms", strong=True),
        quantity_row("Decode intensity", decode.forward.intensity, ",.2f", key="decode_intensity"),
        Row(label="Decode time in memory-bound operators", value=f"{decode.memory_bound_share * 100:.1f}", unit="%",
            key="decode_memory_share"),
        quantity_row("Weights read per step", decode.forward.weight_bytes, ",.2f", scale_to="GB", key="weights_gb"),
        quantity_row("KV cache read per decode step", decode.forward.kv_bytes, ",.3f", scale_to="GB", key="kv_gb"),
    )
    table = render_table(
        ("Operator", "Prefill (ms)", "Prefill bound", "Decode (ms)", "Decode bound", "Decode share (%)"),
        tuple(
            (p.name, f"{p.time.value * 1e3:,.3f}", p.bound, f"{d.time.value * 1e3:,.4f}", d.bound,
             f"{d.share * 100:.1f}")
            for p, d in zip(prefill.operators, decode.operators)
        ),
        caption=f"Per operator on {prefill.gpu}: max(FLOPs / peak, bytes / bandwidth)",
    )
    groups = sorted({o.group for o in prefill.operators})
    data = [
        {"phase": phase, "group": g, "ms": _share(t, g) * 1e3, "share": _share(t, g) / t.time.value * 100}
        for phase, t in (("prefill", prefill), ("decode step", decode)) for g in groups
    ]
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "Where the time goes, by operator group",
        "width": "container", "height": 160, "background": None,
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "phase", "type": "nominal", "title": None, "sort": ["prefill", "decode step"]},
            "x": {"field": "share", "type": "quantitative", "stack": "normalize", "title": "Share of the step's time",
                  "axis": {"format": "%"}},
            "color": {"field": "group", "type": "nominal", "title": "Operators"},
            "tooltip": [{"field": "phase"}, {"field": "group"}, {"field": "ms", "title": "ms", "format": ",.3f"},
                        {"field": "share", "title": "%", "format": ".1f"}],
        },
    }
    choices = "; ".join(decode.forward.choices) if isinstance(decode.forward.choices, tuple) else str(decode.forward.choices)
    return WidgetResult(rows=rows, chart=chart, table=table, note=f"Modelling choices: {choices}")


DTYPE_HELP = "int4 is weight-only (dequantized to the activation dtype for the matmul)."

ANATOMY_WIDGET = Widget(
    name="anatomy",
    title="Anatomy of a forward pass",
    fields=(
        model_field(ANATOMY["model"], choices=(*MODEL_NAMES, PASTED),
                    help="A preset, or 'pasted config.json' to use the box below."),
        CONFIG_FIELD,
        Field(name="batch", label="Batch", kind="integer", default=ANATOMY_DECODE["batch"], minimum=1, maximum=100_000,
              step="1"),
        tokens_field("prompt_len", "Prompt (prefill)", ANATOMY_PREFILL["seq_len"], maximum=10_000_000),
        tokens_field("context_len", "Context at decode", ANATOMY_DECODE["seq_len"], maximum=10_000_000),
        dtype_field("weights", "Weights dtype", ANATOMY["weights"], choices=STORAGE, help=DTYPE_HELP),
        dtype_field("activations", "Activations dtype", ANATOMY["activations"],
                    choices=tuple(d for d in STORAGE if d != "int4")),
        dtype_field("kv", "KV cache dtype", ANATOMY["kv"], choices=STORAGE),
        catalog_gpu_field(ANATOMY["gpu"]),
    ),
    compute=_anatomy,
)
