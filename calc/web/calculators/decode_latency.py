"""Decode latency per token: the decode step with its KV cache, its knee, and the batches that fit."""

from __future__ import annotations

import math

from .. import charts
from ..forms import Field
from ...core.units import GB, GIB
from ...hardware import catalog, get_accelerator
from ...source.kv_decode import check_batch_fits, decode_batch_limit, decode_knee
from ...source.latency import decode_latency, decode_step_latency
from ..render import Row
from ...model.config import get_model
from .base import (CUSTOM, MEMORY_FILL_HELP, MODEL_NAMES, Widget, WidgetResult, catalog_gpu_field, model_field,
                   model_fills, quantity_row, tokens_field)


def _decode(*, model: str, params_billion: float, n_layers: int, d_model: int, context_len: int, gpu: str,
            memory_per_gpu_gib: float, n_gpus: int, batch: int, hop_latency_us: float) -> WidgetResult:
    part = get_accelerator(gpu)
    sizes = dict(params=params_billion * 1e9, n_layers=n_layers, d_model=d_model)
    limit = decode_batch_limit(**sizes, n_gpus=n_gpus, context_len=context_len,
                               memory_per_gpu=memory_per_gpu_gib * GIB)
    # Refused here, with the limit in the message, rather than showing the time of a step that cannot run.
    check_batch_fits(batch=batch, limit=limit, context_len=context_len)
    hop = hop_latency_us * 1e-6
    step = decode_step_latency(**sizes, n_gpus=n_gpus, batch=batch, context_len=context_len, gpu=part,
                               hop_latency=hop)
    knee = decode_knee(**sizes, context_len=context_len, gpu=part)
    source = decode_latency(**sizes, n_gpus=n_gpus, batch=batch, gpu=part, hop_latency=hop)
    rows = (
        quantity_row("Weight read", step.weights_read, ",.3f", scale_to="ms", key="weight_read"),
        quantity_row("KV cache read", step.kv_read, ",.3f", scale_to="ms", key="kv_read"),
        quantity_row("FLOPs time", step.compute, ",.3f", scale_to="ms", key="flops_time"),
        quantity_row("Communication", step.comms, ",.3f", scale_to="ms", key="comms"),
        quantity_row("Decode-step latency", step.latency, ",.3f", scale_to="ms", key="latency", strong=True),
        Row(label="Bound", value=f"{step.bound}-bound", key="bound"),
        quantity_row(f"Knee (the {knee.cause})", knee.knee, ",.1f", key="knee"),
        quantity_row("Largest batch that fits", limit.batch, ",.1f", unit="sequences", key="limit"),
        Row(label="Throughput", value=f"{batch / step.latency.value:,.0f}", unit="tokens/s", key="throughput",
            formula="B / latency", substituted=f"{batch} / {step.latency.value * 1e3:,.4g} ms"),
        quantity_row("The source's formulas (no KV cache)", source.latency, ",.3f", scale_to="ms", key="source"),
    )
    sweep = sorted({b for b in (1, 2, 4, 8, 16, 32, 64, 96, 128, 160, 192, 256, 320, 384, 448, 512, batch,
                                max(1, math.floor(knee.knee.value)), math.ceil(knee.knee.value))
                    if b <= limit.whole_batch})
    points = [
        {"batch": b, "latency_ms": decode_step_latency(**sizes, n_gpus=n_gpus, batch=b, context_len=context_len,
                                                       gpu=part, hop_latency=hop).latency.value * 1e3}
        for b in sweep
    ]
    chart = charts.line_spec(
        title=f"Decode-step latency at {context_len:,} tokens, {n_gpus} × {part.name} (batches that fit)",
        points=points, x_field="batch", x_title="Batch size (sequences)", y_field="latency_ms",
        y_title="Latency per step (ms)", current={"batch": batch, "latency_ms": step.latency.value * 1e3},
    )
    note = "fp16 weights and cache; card memory is taken as its physical size in GiB."
    if model != CUSTOM and get_model(model).is_moe:
        # P must hold every expert (memory), and the step is charged for reading them all: say so.
        active = get_model(model).parameters().active.value / 1e9
        note += (f" {model} is a mixture of experts: P counts all its experts, and the step reads all of them"
                 f" (true once the batch routes to every expert); one sequence reads only its {active:,.1f} billion"
                 " active parameters.")
    return WidgetResult(rows=rows, chart=chart, note=note)


DECODE_LATENCY = Widget(
    name="decode_latency",
    title="Decode latency per token",
    fields=(
        model_field("LLaMA-13B", choices=(*MODEL_NAMES, CUSTOM),
                    help="A preset fills the sizes with its exact parameter count and its cached K width.",
                    fills=model_fills(lambda m: {"params_billion": m.parameter_count().value / 1e9,
                                                  "n_layers": m.n_layers, "d_model": m.kv_elements_per_token_layer // 2})),
        Field(name="params_billion", label="Parameters P", unit="billion", default=13.01586432, minimum=0,
              minimum_inclusive=False, maximum=1_000_000),  # 10^15 parameters: calc's own bound
        Field(name="n_layers", label="Layers", kind="integer", default=40, minimum=1, step="1"),
        Field(name="d_model", label="KV width (kv heads × head dim)", kind="integer", default=5120, minimum=1,
              step="1", help="d_model with multi-head attention; less with grouped-query attention."),
        tokens_field("context_len", "Context length t", 2048, maximum=10_000_000,
                     help="Tokens in each sequence's KV cache at this step."),
        catalog_gpu_field("V100-SXM2-32GB", help=MEMORY_FILL_HELP,
                          fills={p.name: {"memory_per_gpu_gib": p.memory / GB} for p in catalog()}),
        Field(name="memory_per_gpu_gib", label="Memory per GPU", unit="GiB", default=32, minimum=0.1, maximum=100_000),
        Field(name="n_gpus", label="GPUs N (tensor parallel)", kind="integer", default=8, minimum=1, maximum=1024,
              step="1"),
        Field(name="batch", label="Batch B", kind="integer", default=1, minimum=1, maximum=100_000, step="1"),
        Field(name="hop_latency_us", label="Latency per hop", unit="µs", default=8, minimum=0, maximum=1_000_000,
              help="The source's 8 µs per all-reduce hop, four hops per layer."),
    ),
    compute=_decode,
)
