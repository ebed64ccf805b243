"""Roofline calculator: a GPU (or custom numbers) and a kernel; ridge point, attainable performance, bound."""

from __future__ import annotations

from .. import charts
from ...core.dtypes import BYTES as BYTES_PER_ELEMENT
from ..forms import Field
from ...hardware import catalog
from ...source.kernels import linear_layer, linear_layer_crossover
from ...core.quantity import Quantity
from ..render import Row
from ...roofline import attainable_performance
from .base import CUSTOM_BANDWIDTH, CUSTOM_PEAK, Widget, WidgetResult, gpu_field, hardware, quantity_row


def _roofline(*, gpu: str, dtype: str, peak_tflops: float, bandwidth_gbps: float, kernel: str,
              intensity: float, d_model: int, batch: int) -> WidgetResult:
    part = hardware(gpu, peak_tflops, bandwidth_gbps, dtype)
    peak = part.peak(dtype)
    rows: list[Row] = []
    if kernel == "linear layer":
        layer = linear_layer(d_in=d_model, d_out=d_model, batch=batch, bytes_per_element=BYTES_PER_ELEMENT[dtype])
        oi = layer.intensity
        rows.append(quantity_row("Linear layer intensity", oi, ",.2f", key="intensity"))
        cross = linear_layer_crossover(d_in=d_model, d_out=d_model, bytes_per_element=BYTES_PER_ELEMENT[dtype],
                                       peak_flops=peak, bandwidth=part.bandwidth)
        rows.append(quantity_row("Batch where it turns compute-bound", cross.threshold_batch, ",.1f", key="crossover"))
    else:
        oi = Quantity(value=intensity, unit="FLOP/byte", formula="I", substituted=f"I = {intensity:,.6g} FLOP/byte")
    point = attainable_performance(intensity=oi.value, peak_flops=peak, bandwidth=part.bandwidth)
    rows[:0] = [quantity_row("Ridge point", point.ridge, ",.1f", key="ridge")]
    rows.append(quantity_row("Attainable performance", point.attainable, ",.1f", scale_to="TFLOP/s", key="attainable"))
    rows.append(Row(label="Bound", value=f"{point.bound}-bound", key="bound", strong=True))
    roofs = charts.catalog_roofs((p for p in catalog() if p.name != part.name), dtype)
    roofs.append((part.name, peak, part.bandwidth))
    chart = charts.roofline_spec(roofs=roofs, highlight=part.name, point=(oi.value, point.attainable.value),
                                 point_label=kernel)
    note = "int8 peaks count integer operations (TOPS): read FLOP as OP here." if dtype == "int8" else ""
    return WidgetResult(rows=tuple(rows), chart=chart, note=note)


ROOFLINE = Widget(
    name="roofline",
    title="Roofline calculator",
    fields=(
        gpu_field("A100-SXM4-80GB"),
        Field(name="dtype", label="Datatype", kind="choice", default="fp16",
              choices=("fp16", "bf16", "fp8", "int8", "tf32", "fp32"),
              help="Which dense peak to use; not every part has every datatype."),
        CUSTOM_PEAK,
        CUSTOM_BANDWIDTH,
        Field(name="kernel", label="Kernel", kind="choice", default="operational intensity",
              choices=("operational intensity", "linear layer"),
              help="Enter an intensity directly, or a square linear layer of width d and batch B."),
        Field(name="intensity", label="Operational intensity", unit="FLOP/byte", default=100, minimum=0, maximum=1e12,
              minimum_inclusive=False, help="Used when the kernel is 'operational intensity'."),
        Field(name="d_model", label="Layer width d", kind="integer", default=4096, minimum=1, maximum=1_000_000, step="1",
              help="Used for the linear layer (d x d weights)."),
        Field(name="batch", label="Batch B", kind="integer", default=32, minimum=1, maximum=100_000_000, step="1",
              help="Tokens sharing one read of the weights (linear layer)."),
    ),
    compute=_roofline,
)
