"""The source's forward-pass FLOPs, bytes and intensity, placed on a GPU's roofline."""

from __future__ import annotations

from .. import charts
from ..forms import Field
from ..hardware import catalog, get_accelerator
from ..inference import seed_forward_pass
from ..models import presets
from ..render import Row
from ..roofline import attainable_performance
from .base import CUSTOM, GPU_NAMES, Widget, WidgetResult, quantity_row

SEED_MODELS = {m.name: m for m in presets() if m.name.startswith("LLaMA-")}


def _llm(*, model: str, hidden: int, n_layers: int, vocab: int, batch: int, prompt_len: int, output_len: int,
         weight_overhead: float, bytes_per_weight: float, gpu: str) -> WidgetResult:
    r = seed_forward_pass(hidden=hidden, batch=batch, prompt_len=prompt_len, output_len=output_len,
                          n_layers=n_layers, vocab=vocab, weight_overhead=weight_overhead,
                          bytes_per_weight=bytes_per_weight)
    part = get_accelerator(gpu)
    point = attainable_performance(intensity=r.intensity.value, gpu=part)
    rows = (
        quantity_row("FLOPs", r.flops, ",.2f", scale_to="TFLOP", key="flops"),
        quantity_row("Bytes moved", r.bytes_moved, ",.2f", scale_to="GB", key="bytes"),
        quantity_row("Operational intensity", r.intensity, ",.2f", key="intensity", strong=True),
        quantity_row(f"Ridge point of {part.name}", point.ridge, ",.1f", key="ridge"),
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
        Field(name="hidden", label="Hidden size h", kind="integer", default=5120, minimum=1, maximum=1_000_000, step="1"),
        Field(name="n_layers", label="Layers n", kind="integer", default=40, minimum=1, maximum=1_000, step="1"),
        Field(name="vocab", label="Vocabulary V", kind="integer", default=32000, minimum=1, maximum=10_000_000, step="1"),
        Field(name="batch", label="Batch b", kind="integer", default=8, minimum=1, maximum=1_000_000, step="1"),
        Field(name="prompt_len", label="Prompt length s", unit="tokens", kind="integer", default=1024, minimum=1, maximum=10_000_000, step="1"),
        Field(name="output_len", label="Output length o", unit="tokens", kind="integer", default=1024, minimum=0, maximum=10_000_000, step="1"),
        Field(name="weight_overhead", label="Weight overhead factor", default=1.2, minimum=0, maximum=100, minimum_inclusive=False,
              help="The source's 1.2: extra reads beyond the 12·n·h² weights."),
        Field(name="bytes_per_weight", label="Bytes per weight", default=1, minimum=0, maximum=64, minimum_inclusive=False,
              help="1 reproduces the source (it counts parameters); 2 is fp16 bytes."),
        Field(name="gpu", label="GPU", kind="choice", default="A100-SXM4-80GB", choices=GPU_NAMES,
              help="Whose ridge point to compare with (fp16 dense)."),
    ),
    compute=_llm,
)
