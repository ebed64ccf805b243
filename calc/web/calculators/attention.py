"""Attention on the roofline: KV bytes per token, FLOPs, bytes and intensity of attention alone, and its bound."""

from __future__ import annotations

from .. import charts
from ...core.validate import InputError
from ...hardware import get_accelerator
from ...model.attention import attention_cost, with_kv_heads
from ...model.config import get_model
from ...roofline import attention_time, ridge_point
from ..forms import Field
from ..render import Row
from .base import (Widget, WidgetResult, batch_field, catalog_gpu_field, dtype_field, model_field, quantity_row,
                   tokens_field)

FUSED = "fused (FlashAttention)"
UNFUSED = "unfused (scores in memory)"
CONTEXTS = (256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)


def _attention(*, model: str, n_kv_heads: int, mla_form: str, phase: str, batch: int, seq_len: int, kv: str,
               kernel: str, gpu: str) -> WidgetResult:
    m = get_model(model)
    if n_kv_heads:
        if m.is_mla:
            raise InputError("n_kv_heads", f"{m.name} uses latent attention (MLA): leave K/V heads at 0")
        m = with_kv_heads(model=m, n_kv_heads=n_kv_heads)
    part = get_accelerator(gpu)
    fused = kernel == FUSED

    def cost(context: int):
        return attention_cost(model=m, phase=phase, batch=batch, seq_len=context, kv=kv, fused_attention=fused,
                              mla_form=mla_form)

    c = cost(seq_len)
    ridge = ridge_point(gpu=part, dtype="bf16")
    t = attention_time(gpu=part, model=m, phase=phase, batch=batch, seq_len=seq_len, kv=kv, fused_attention=fused,
                       mla_form=mla_form)
    kind = f"{c.kind} ({c.form} form)" if c.form else c.kind
    rows = [
        Row(label="Attention", value=kind, key="kind",
            substituted=f"{m.n_heads} query heads, {m.n_kv_heads} K/V heads" if not m.is_mla
            else f"{m.n_heads} heads share one latent of {m.kv_lora_rank} + {m.qk_rope_head_dim} elements"),
        quantity_row("KV cache per token (all layers)", c.kv_bytes_per_token, ",.1f", scale_to="KiB", key="kv_token"),
        quantity_row("KV cache read this step", c.kv_read, ",.3f", scale_to="GB", key="kv_read"),
        quantity_row("Attention FLOPs", c.total.flops, ",.2f", scale_to="GFLOP", key="flops"),
        quantity_row("Attention bytes", c.total.bytes_moved, ",.3f", scale_to="GB", key="bytes"),
        quantity_row("Intensity", c.total.intensity, ",.2f", key="intensity", strong=True),
        quantity_row(f"Ridge point of the {part.name} (bf16)", ridge, ",.1f", key="ridge"),
        Row(label="Bound", value=f"{t.bound}-bound", key="bound"),
        quantity_row("Attention time, lower bound", t.time, ",.3f", scale_to="ms", key="time", strong=True),
    ]
    if c.form:
        rows.insert(4, quantity_row(f"…of which the {c.form} form's matmuls", c.form_work.flops, ",.2f",
                                    scale_to="GFLOP", key="form_flops"))
    points = []
    for context in sorted({*CONTEXTS, seq_len}):
        points.append({"context": context, "intensity": cost(context).total.intensity.value, "series": "attention"})
        points.append({"context": context, "intensity": ridge.value, "series": f"ridge ({part.name})"})
    chart = charts.line_spec(
        title=f"{phase.capitalize()} attention vs context", points=points, x_field="context",
        x_title="Context (tokens)", y_field="intensity", y_title="FLOP per byte", x_log=True, y_log=True,
        series="series",
        current={"context": seq_len, "intensity": c.total.intensity.value},
    )
    return WidgetResult(rows=tuple(rows), chart=chart, note="KiB = 2^10 bytes, GB = 10^9 bytes; attention computes "
                        "at the bf16 tensor peak. Projections (q, k, v, o) are not included: they are ordinary matmuls.")


ATTENTION = Widget(
    name="attention",
    title="Attention on the roofline",
    fields=(
        model_field("Llama-3-70B", help="A preset: its heads, head size, layers and windows."),
        Field(name="n_kv_heads", label="K/V heads (0 = the model's own)", kind="integer", default=0, minimum=0,
              step="1", help="Try 1 (MQA) or the number of query heads (MHA). Must divide the query heads."),
        Field(name="mla_form", label="MLA form", kind="choice", default="auto",
              choices=("auto", "absorbed", "expanded"),
              help="Latent-attention models only. auto: absorbed at decode, expanded at prefill."),
        Field(name="phase", label="Phase", kind="choice", default="decode", choices=("decode", "prefill")),
        batch_field(64),
        tokens_field("seq_len", "Context (decode) or prompt (prefill)", 4096, maximum=10_000_000),
        dtype_field("kv", "KV cache dtype", "bf16"),
        Field(name="kernel", label="Attention kernel", kind="choice", default=FUSED, choices=(FUSED, UNFUSED)),
        catalog_gpu_field("H100-SXM5-80GB"),
    ),
    compute=_attention,
)

