"""Mixture of experts at decode: experts touched, tokens per expert, and tensor vs expert parallelism per GPU."""

from __future__ import annotations

from dataclasses import dataclass

from .. import charts
from ...core.dtypes import matmul_peak_dtype
from ...core.units import convert
from ...hardware import Accelerator, get_accelerator
from ...model.config import presets
from ...model.moe import MoeLayout, expert_load, moe_layout
from ...roofline import kernel_time
from ...serving.parallel import all_to_all, ring_all_reduce
from ...serving.step import link_one_way
from ..forms import Field
from ..render import Row, render_table
from .base import (Widget, WidgetResult, batch_field, catalog_gpu_field, context_field, dtype_field, model_field,
                   quantity_row)

MOE_MODELS = tuple(m.name for m in presets() if m.is_moe)
LAYOUT_NAMES = {"tp": "Tensor parallel (TP)", "ep-dp": "Expert parallel + DP attention"}
SWEEP = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Step:
    layout: MoeLayout
    memory: float  # s, per GPU
    compute: float  # s, per GPU
    comms: float  # s, all collectives of the step
    total: float
    fits: bool


def _step(*, model: str, layout: str, gpus: int, batch: int, context_len: int, dtype: str, part: Accelerator) -> _Step:
    lay = moe_layout(model=model, layout=layout, gpus=gpus, batch=batch, context_len=context_len, weights=dtype,
                     activations=dtype, kv="bf16")
    bound = kernel_time(flops=lay.flops.value, bytes_moved=lay.weight_bytes.value + lay.kv_bytes.value, gpu=part,
                        dtype=matmul_peak_dtype(weights=dtype, activations=dtype))
    collective = ring_all_reduce if lay.collective == "all-reduce" else all_to_all
    one = collective(message_bytes=lay.message_bytes, n_gpus=gpus, link_bandwidth=link_one_way(part)).value
    comms = lay.collectives * one
    return _Step(layout=lay, memory=bound.memory_time.value, compute=bound.compute_time.value, comms=comms,
                 total=bound.time.value + comms, fits=lay.weights_held.value + lay.kv_held.value <= part.memory)


def _moe(*, model: str, batch: int, context_len: int, dtype: str, gpu: str, gpus: int) -> WidgetResult:
    part = get_accelerator(gpu)
    load = expert_load(model=model, batch=batch, weights=dtype, context_len=context_len)
    steps = {name: _step(model=model, layout=name, gpus=gpus, batch=batch, context_len=context_len, dtype=dtype,
                         part=part) for name in LAYOUT_NAMES}
    ms = lambda s: f"{s * 1e3:,.3f}"  # noqa: E731
    faster = min(steps, key=lambda k: steps[k].total)
    rows = (
        Row(label="Parameters: active of total", value=f"{load.active_params.value / 1e9:,.1f} of "
            f"{load.total_params.value / 1e9:,.1f}", unit="billion", key="params",
            formula=load.active_params.formula, substituted=load.active_params.substituted),
        quantity_row("Experts touched per MoE layer", load.touched, ",.1f", key="touched", strong=True),
        quantity_row("Tokens per touched expert", load.tokens_per_expert, ",.2f", key="tokens_per_expert"),
        quantity_row("Routed-expert weights read per step", load.expert_bytes, ",.1f", scale_to="GB",
                     key="expert_gb"),
        quantity_row("Intensity of the expert matmuls", load.expert_intensity, ",.2f", key="expert_intensity"),
        Row(label=f"Step on {gpus} × {part.name}, {LAYOUT_NAMES['tp']}", value=ms(steps["tp"].total), unit="ms",
            key="tp_ms", formula="max(FLOPs / π, bytes / β) + collectives",
            substituted=f"max({ms(steps['tp'].compute)}, {ms(steps['tp'].memory)}) + {ms(steps['tp'].comms)} ms"),
        Row(label=f"Step on {gpus} × {part.name}, {LAYOUT_NAMES['ep-dp']}", value=ms(steps["ep-dp"].total),
            unit="ms", key="ep_ms", formula="max(FLOPs / π, bytes / β) + collectives",
            substituted=f"max({ms(steps['ep-dp'].compute)}, {ms(steps['ep-dp'].memory)}) + "
                        f"{ms(steps['ep-dp'].comms)} ms"),
        Row(label="Faster at this batch", value=LAYOUT_NAMES[faster], key="faster", strong=True),
    )
    header = ("per GPU, per step", *LAYOUT_NAMES.values())
    gb = lambda v: f"{convert(v, to='GB'):,.2f}"  # noqa: E731
    table = render_table(header, (
        ("weights read (GB)", *(gb(s.layout.weight_bytes.value) for s in steps.values())),
        ("KV cache read (GB)", *(gb(s.layout.kv_bytes.value) for s in steps.values())),
        ("memory time (ms)", *(ms(s.memory) for s in steps.values())),
        ("compute time (ms)", *(ms(s.compute) for s in steps.values())),
        ("collectives", *(f"{s.layout.collectives} {s.layout.collective}s of {s.layout.message_bytes / 1e3:,.1f} kB"
                          for s in steps.values())),
        ("collective time (ms)", *(ms(s.comms) for s in steps.values())),
        ("weights + KV held (GB)", *(f"{gb(s.layout.weights_held.value + s.layout.kv_held.value)}"
                                     f"{'' if s.fits else ' — does not fit'}" for s in steps.values())),
    ), caption=f"GPU memory {convert(part.memory, to='GB'):,.0f} GB; collectives at {link_one_way(part) / 1e9:,.0f} "
               "GB/s one way plus a fixed 16 µs each")
    points = []
    for b in sorted({*SWEEP, batch}):
        for name, label in LAYOUT_NAMES.items():
            s = _step(model=model, layout=name, gpus=gpus, batch=b, context_len=context_len, dtype=dtype, part=part)
            points.append({"batch": b, "ms_per_token": s.total * 1e3, "layout": label})
    chart = charts.line_spec(
        title=f"Step time on {gpus} GPUs", points=points, x_field="batch", x_title="Batch (sequences)",
        y_field="ms_per_token", y_title="Step time, lower bound (ms)", x_log=True, series="layout",
        current={"batch": batch, "ms_per_token": steps[faster].total * 1e3},
    )
    return WidgetResult(rows=rows, table=table, chart=chart,
                        note="Uniform routing; weights and activations in the chosen dtype, KV cache in bf16. "
                             "A lower bound: grouped expert matmuls with few tokens each run well below it.")


MOE = Widget(
    name="moe",
    title="Mixture of experts at decode",
    fields=(
        model_field("DeepSeek-V3", choices=MOE_MODELS, help="A mixture-of-experts preset."),
        batch_field(64),
        context_field(2048),
        dtype_field("dtype", "Weights and activations", "fp8"),
        catalog_gpu_field("H200-SXM-141GB"),
        Field(name="gpus", label="GPUs", kind="integer", default=8, minimum=1, maximum=256, step="1",
              help="Expert parallelism needs no more GPUs than experts."),
    ),
    compute=_moe,
)
