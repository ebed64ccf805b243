"""FLOPs, bytes and intensity of a prefill and of a decode step, placed on a GPU's roofline.

By default the bytes are those the pass moves (weights in the chosen dtype, activations, the KV cache
written or read), from the per-operator model configured as the source's architecture.  A switch
reproduces the source's arithmetic instead: FLOPs of the prefill over a memory footprint with the
weights at one byte per parameter (its 7,563 FLOP/byte, errata E6).
"""

from __future__ import annotations

from .. import charts
from ..forms import Field
from ...hardware import catalog, get_accelerator
from ...model.config import presets
from ...model.operators import forward_operators
from ...roofline import attainable_performance
from ...source.examples import seed_style_model
from ...source.inference import seed_forward_pass
from ..render import Row
from .base import CUSTOM, Widget, WidgetResult, catalog_gpu_field, dtype_field, model_field, quantity_row, tokens_field

SEED_MODELS = {m.name: m for m in presets() if m.name.startswith("LLaMA-")}
PHYSICS = "bytes moved (weights in their dtype)"
SOURCE = "reproduce the source (7,563 arithmetic)"
WEIGHT_DTYPES = ("fp16", "bf16", "fp8", "int8")


def _source_rows(*, hidden: int, n_layers: int, vocab: int, batch: int, prompt_len: int, output_len: int,
                 part) -> tuple[tuple[Row, ...], list[tuple[float, float, str]]]:
    r = seed_forward_pass(hidden=hidden, batch=batch, prompt_len=prompt_len, output_len=output_len,
                          n_layers=n_layers, vocab=vocab)
    point = attainable_performance(intensity=r.intensity.value, gpu=part)
    rows = (
        quantity_row("FLOPs (prefill)", r.flops, ",.2f", scale_to="TFLOP", key="flops"),
        quantity_row("Memory footprint (the source's bytes)", r.bytes_moved, ",.2f", scale_to="GB", key="bytes"),
        quantity_row("The source's intensity", r.intensity, ",.2f", key="intensity", strong=True),
        quantity_row(f"Ridge point of {part.name}", point.ridge, ",.1f", key="ridge"),
        Row(label="Bound", value=f"{point.bound}-bound", key="bound"),
    )
    return rows, [(r.intensity.value, point.attainable.value, "the source's pass")]


def _physics_rows(*, hidden: int, n_layers: int, vocab: int, batch: int, prompt_len: int, output_len: int,
                  weights: str, part) -> tuple[tuple[Row, ...], list[tuple[float, float, str]]]:
    model = seed_style_model(hidden=hidden, n_layers=n_layers, vocab=vocab, head_dim=128 if hidden % 128 == 0 else hidden)
    common = dict(model=model, batch=batch, weights=weights, activations="fp16", kv="fp16")
    prefill = forward_operators(phase="prefill", seq_len=prompt_len, **common)
    # The last decode step of the generation: each new token attends to the whole prompt and output.
    decode = forward_operators(phase="decode", seq_len=prompt_len + output_len, **common)
    p_point = attainable_performance(intensity=prefill.intensity.value, gpu=part)
    d_point = attainable_performance(intensity=decode.intensity.value, gpu=part)
    rows = (
        quantity_row("Prefill FLOPs", prefill.flops, ",.2f", scale_to="TFLOP", key="flops"),
        quantity_row("Prefill bytes moved", prefill.bytes_moved, ",.2f", scale_to="GB", key="bytes"),
        quantity_row("Prefill intensity", prefill.intensity, ",.1f", key="intensity", strong=True),
        Row(label="Prefill bound", value=f"{p_point.bound}-bound", key="bound"),
        quantity_row("Decode-step FLOPs (last step)", decode.flops, ",.4f", scale_to="TFLOP", key="decode_flops"),
        quantity_row("Decode-step bytes moved", decode.bytes_moved, ",.2f", scale_to="GB", key="decode_bytes"),
        quantity_row("Decode-step intensity", decode.intensity, ",.2f", key="decode_intensity", strong=True),
        Row(label="Decode-step bound", value=f"{d_point.bound}-bound", key="decode_bound"),
        quantity_row(f"Ridge point of {part.name}", p_point.ridge, ",.1f", key="ridge"),
    )
    return rows, [(prefill.intensity.value, p_point.attainable.value, "prefill"),
                  (decode.intensity.value, d_point.attainable.value, "decode step")]


def _llm(*, model: str, hidden: int, n_layers: int, vocab: int, batch: int, prompt_len: int, output_len: int,
         weights: str, arithmetic: str, gpu: str) -> WidgetResult:
    part = get_accelerator(gpu)
    sizes = dict(hidden=hidden, n_layers=n_layers, vocab=vocab, batch=batch, prompt_len=prompt_len,
                 output_len=output_len, part=part)
    if arithmetic == SOURCE:
        rows, marks = _source_rows(**sizes)
        note = ("The source's arithmetic: prefill FLOPs over weights at 1 byte per parameter × 1.2 plus the cache "
                "of s + o tokens — a footprint, not traffic (errata E6).")
    else:
        rows, marks = _physics_rows(**sizes, weights=weights)
        note = (f"Model preset: {model}, as the source's architecture (a 4h MLP, multi-head attention); "
                "fused, causal attention; fp16 activations and cache.")
    chart = charts.roofline_spec(roofs=charts.catalog_roofs(catalog(), "fp16"), highlight=part.name, points=marks)
    return WidgetResult(rows=rows, chart=chart, note=note)


LLM_ARITHMETIC = Widget(
    name="llm_arithmetic",
    title="FLOPs, bytes and intensity of a prefill and a decode step",
    fields=(
        model_field("LLaMA-13B", choices=(*SEED_MODELS, CUSTOM), help="A preset fills h, n and V; 'custom' keeps what you type.",
                    fills={n: {"hidden": m.hidden, "n_layers": m.n_layers, "vocab": m.vocab} for n, m in SEED_MODELS.items()}),
        Field(name="hidden", label="Hidden size h", kind="integer", default=5120, minimum=1, maximum=1_000_000, step="1"),
        Field(name="n_layers", label="Layers n", kind="integer", default=40, minimum=1, maximum=1_000, step="1"),
        Field(name="vocab", label="Vocabulary V", kind="integer", default=32000, minimum=1, maximum=10_000_000, step="1"),
        Field(name="batch", label="Batch b", kind="integer", default=8, minimum=1, maximum=1_000_000, step="1"),
        tokens_field("prompt_len", "Prompt length s", 1024, maximum=10_000_000),
        tokens_field("output_len", "Output length o", 1024, minimum=0, maximum=10_000_000),
        dtype_field("weights", "Weights dtype", "fp16", choices=WEIGHT_DTYPES,
                    help="Bytes per weight: 2 for fp16/bf16, 1 for fp8/int8."),
        Field(name="arithmetic", label="Bytes counted", kind="choice", default=PHYSICS, choices=(PHYSICS, SOURCE),
              help="The source divides by a memory footprint with 1 byte per weight; its 7,563 reproduces here."),
        catalog_gpu_field("A100-SXM4-80GB", help="Whose ridge point to compare with (fp16 dense)."),
    ),
    compute=_llm,
)
