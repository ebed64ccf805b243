"""Decode latency per token: the source's small- and large-batch model, and latency against batch."""

from __future__ import annotations

import math

from .. import charts
from ..roofline import ridge_point
from ..forms import Field
from ..hardware import get_accelerator
from ..latency import decode_latency
from ..render import Row
from .base import CUSTOM, GPU_NAMES, MODEL_NAMES, Widget, WidgetResult, model_fills, quantity_row

def _decode(*, model: str, params_billion: float, n_layers: int, d_model: int, gpu: str, n_gpus: int, batch: int,
            hop_latency_us: float) -> WidgetResult:
    part = get_accelerator(gpu)
    est = decode_latency(params=params_billion * 1e9, n_gpus=n_gpus, batch=batch, n_layers=n_layers,
                         d_model=d_model, gpu=part, hop_latency=hop_latency_us * 1e-6)
    rows = (
        quantity_row("Weight read (small batch)", est.small.compute, ",.3f", scale_to="ms", key="small_compute"),
        quantity_row("Hop latency (small batch)", est.small.comms, ",.3f", scale_to="ms", key="small_comms"),
        quantity_row("FLOPs time (large batch)", est.large.compute, ",.3f", scale_to="ms", key="large_compute"),
        quantity_row("Link transfer (large batch)", est.large.comms, ",.3f", scale_to="ms", key="large_comms"),
        quantity_row("Per-token latency", est.latency, ",.3f", scale_to="ms", key="latency", strong=True),
        Row(label="Regime", value=est.regime, key="regime"),
        Row(label="Throughput", value=f"{batch / est.latency.value:,.0f}", unit="tokens/s", key="throughput",
            formula="B / latency", substituted=f"{batch} / {est.latency.value * 1e3:,.4g} ms"),
    )
    # The knee sits where B·2P FLOPs take as long as reading 2P bytes: B = ridge point (A_f / A_bm).
    knee = ridge_point(gpu=part).value
    sweep = sorted({1, 2, 4, 8, 16, 32, 64, 96, 128, 160, 192, 256, 320, 384, 448, 512, batch,
                    max(1, math.floor(knee)), math.ceil(knee)})
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
              help="A preset fills the sizes with its exact parameter count; for a mixture-of-experts model, the "
                   "parameters one token uses (shared plus its top-k experts): what it computes with and what a "
                   "small batch reads per step. A large batch touches more experts, so its weight read is a floor.",
              fills=model_fills(lambda m: {"params_billion": m.parameters().active.value / 1e9,
                                            "n_layers": m.n_layers, "d_model": m.hidden})),
        Field(name="params_billion", label="Parameters P", unit="billion", default=13.01586432, minimum=0, maximum=100_000,
              minimum_inclusive=False),
        Field(name="n_layers", label="Layers", kind="integer", default=40, minimum=1, maximum=1_000, step="1"),
        Field(name="d_model", label="d_model", kind="integer", default=5120, minimum=1, maximum=1_000_000, step="1"),
        Field(name="gpu", label="GPU", kind="choice", default="V100-SXM2-32GB", choices=GPU_NAMES),
        Field(name="n_gpus", label="GPUs N (tensor parallel)", kind="integer", default=8, minimum=1, maximum=1024, step="1"),
        Field(name="batch", label="Batch B", kind="integer", default=1, minimum=1, maximum=100_000, step="1"),
        Field(name="hop_latency_us", label="Latency per hop", unit="µs", default=8, minimum=0, maximum=1_000_000,
              help="The source's 8 µs per all-reduce hop, four hops per layer."),
    ),
    compute=_decode,
)
