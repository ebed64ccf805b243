"""Quantization on the roofline: one linear layer in bf16, weight-only int8/int4, and fp8/fp4 weights and activations."""

from __future__ import annotations

from .. import charts
from ...core.validate import InputError
from ...hardware import Accelerator, get_accelerator
from ...roofline import QuantizedMatmul, quantized_matmul
from ..forms import Field
from ..render import Row, render_table
from .base import Widget, WidgetResult, catalog_gpu_field, quantity_row

#: Scheme name -> (weights, activations).
SCHEMES: dict[str, tuple[str, str]] = {
    "bf16": ("bf16", "bf16"),
    "int8 weight-only": ("int8", "bf16"),
    "int4 weight-only": ("int4", "bf16"),
    "fp8 weights and activations": ("fp8", "fp8"),
    "fp4 weights and activations": ("fp4", "fp4"),
}
SWEEP = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)


def _run(scheme: str, *, part: Accelerator, d_in: int, d_out: int, tokens: int,
         group_size: int) -> QuantizedMatmul | None:
    """The scheme's matmul, or None where the part has no peak for its compute dtype."""
    weights, activations = SCHEMES[scheme]
    try:
        return quantized_matmul(gpu=part, d_in=d_in, d_out=d_out, tokens=tokens, weights=weights,
                                activations=activations, group_size=group_size if weights == "int4" else None)
    except InputError as err:
        if err.field == "dtype":
            return None
        raise


def _quantization(*, scheme: str, d_in: int, d_out: int, tokens: int, group_size: int, gpu: str) -> WidgetResult:
    part = get_accelerator(gpu)
    kw = dict(part=part, d_in=d_in, d_out=d_out, group_size=group_size)
    runs = {name: _run(name, tokens=tokens, **kw) for name in SCHEMES}
    q, base = runs[scheme], runs["bf16"]
    if q is None:
        raise InputError("scheme", f"{part.name} has no {SCHEMES[scheme][1]} tensor peak: pick another scheme or GPU")
    speedup = base.time.value / q.time.value
    rows = (
        Row(label="Multiplies at", value=f"the {q.compute_dtype} peak", key="compute_dtype",
            substituted=f"weights {q.weights}, activations {q.activations}"),
        quantity_row("FLOPs", q.flops, ",.3f", scale_to="GFLOP", key="flops"),
        quantity_row("Dequantisation", q.dequant_ops, ",.0f", key="dequant"),
        quantity_row("Bytes moved", q.bytes_moved, ",.2f", scale_to="MB", key="bytes"),
        quantity_row("Intensity", q.intensity, ",.1f", key="intensity"),
        quantity_row("Compute time", q.compute_time, ",.2f", scale_to="µs", key="compute_us"),
        quantity_row("Memory time", q.memory_time, ",.2f", scale_to="µs", key="memory_us"),
        quantity_row("Time, lower bound", q.time, ",.2f", scale_to="µs", key="time_us", strong=True),
        Row(label="Bound", value=f"{q.bound}-bound", key="bound"),
        Row(label="Speed-up over bf16", value=f"{speedup:,.2f}", unit="×", key="speedup", strong=True,
            formula="t_bf16 / t", substituted=f"{base.time.value * 1e6:,.3f} µs / {q.time.value * 1e6:,.3f} µs"),
    )
    table = render_table(("scheme", "bytes (MB)", "time (µs)", "bound", "vs bf16"), tuple(
        (name, "n/a", "n/a", f"no {SCHEMES[name][1]} peak", "")
        if r is None else (name, f"{r.bytes_moved.value / 1e6:,.2f}", f"{r.time.value * 1e6:,.2f}", r.bound,
                           f"{base.time.value / r.time.value:,.2f}\u00a0×")  # no break between number and ×
        for name, r in runs.items()), caption=f"T = {tokens:,}, {d_in:,} × {d_out:,} weights, on {part.name}")
    points = []
    for t in sorted({*SWEEP, tokens}):
        ref = _run("bf16", tokens=t, **kw)
        for name in SCHEMES:
            r = _run(name, tokens=t, **kw)
            if r is not None:
                points.append({"tokens": t, "speedup": ref.time.value / r.time.value, "scheme": name})
    chart = charts.line_spec(
        title=f"Speed-up over bf16 on {part.name}", points=points, x_field="tokens", x_title="Tokens (batch)",
        y_field="speedup", y_title="Speed-up over bf16 (×)", x_log=True, series="scheme",
        current={"tokens": tokens, "speedup": speedup},
    )
    return WidgetResult(rows=rows, table=table, chart=chart,
                        note="MB = 10^6 bytes. Dequantisation: an estimated 2–4 operations per stored weight for "
                             "every 128 tokens, at the fp32 non-tensor rate. Outputs are written in bf16.")


QUANTIZATION = Widget(
    name="quantization",
    title="One linear layer, quantized",
    fields=(
        Field(name="scheme", label="Scheme", kind="choice", default="int4 weight-only", choices=tuple(SCHEMES)),
        Field(name="d_in", label="Input width", kind="integer", default=8192, minimum=1, maximum=1_000_000,
              step="1", help="Llama-3-70B's MLP: 8,192 in, 28,672 out."),
        Field(name="d_out", label="Output width", kind="integer", default=28672, minimum=1, maximum=1_000_000,
              step="1"),
        Field(name="tokens", label="Tokens", unit="tokens", kind="integer", default=1, minimum=1,
              maximum=1_000_000, step="1", help="The batch at decode; batch × prompt at prefill."),
        Field(name="group_size", label="int4 group size", unit="weights", kind="integer", default=128, minimum=1,
              maximum=1_000_000, step="1", help="One fp16 scale and one int4 zero point per group (GPTQ, AWQ)."),
        catalog_gpu_field("B200"),
    ),
    compute=_quantization,
)
