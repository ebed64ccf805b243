"""KV cache per token and request, the largest batch that fits, and nodes for N users."""

from __future__ import annotations

from .. import charts
from ...source import examples
from ...core.dtypes import BYTES as BYTES_PER_ELEMENT
from ..forms import Field
from ...hardware import catalog
from ...source.memory import kv_cache_per_request, kv_cache_per_token, max_batch, weights_bytes
from ...source.planner import nodes_for_users
from ..render import Row
from ...core.units import GIB, convert
from ...core.validate import InputError, count
from .base import (CUSTOM, GPU_NAMES, MEMORY_FILL_HELP, MODEL_NAMES, Widget, WidgetResult, catalog_gpu_field,
                   dtype_field, model_field, model_fills, quantity_row, tokens_field)

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
                                        f"{count(context_len, 'tokens')}) is more than the {convert(free, to='GiB'):,.1f} GiB "
                                        "left after the weights: shorten the context, use a smaller KV dtype or add GPUs")
    limit = max_batch(total_memory=total, weights=weights.value, per_request=per_request.value)
    rows = [
        quantity_row("KV cache per token", per_token, ",.0f", key="kv_token"),
        quantity_row("KV cache per request", per_request, ",.4f", scale_to="GiB", key="kv_request"),
        quantity_row("Weights", weights, ",.2f", scale_to="GiB", key="weights"),
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
    rows.append(quantity_row(f"Nodes for {users:,} users at {achieved_batch:g} requests per node", nodes, ",.0f", key="nodes"))
    rows.append(quantity_row("Nodes at the theoretical limit",
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
        model_field("LLaMA-13B", choices=(*MODEL_NAMES, CUSTOM),
                    help="A preset fills layers, KV width (kv heads × head dim) and its exact parameter count.",
                    fills=model_fills(lambda m: {"n_layers": m.n_layers, "kv_width": m.kv_elements_per_token_layer // 2,
                                                  "params_billion": m.parameter_count().value / 1e9})),
        Field(name="n_layers", label="Layers", kind="integer", default=40, minimum=1, maximum=1_000, step="1"),
        Field(name="kv_width", label="KV width (kv heads × head dim)", kind="integer", default=5120, minimum=1, maximum=1_000_000,
              step="1", help="Elements of K (or V) per token per layer: d_model with multi-head attention, "
                             "less with grouped-query attention; half the latent + rope width with MLA."),
        Field(name="params_billion", label="Parameters", unit="billion", default=13.01586432, minimum=0, maximum=100_000,
              minimum_inclusive=False),
        dtype_field("weight_dtype", "Weights dtype", "fp16", choices=("fp16", "bf16", "fp8", "int8", "int4")),
        dtype_field("kv_dtype", "KV cache dtype", "fp16", choices=("fp16", "bf16", "fp8", "int8")),
        tokens_field("context_len", "Context per request", 2048, maximum=10_000_000),
        catalog_gpu_field("V100-SXM2-32GB", choices=(*GPU_NAMES, CUSTOM), help=MEMORY_FILL_HELP,
                          fills={p.name: {"memory_per_gpu_gib": convert(p.memory, to="GB")} for p in catalog()}),
        Field(name="memory_per_gpu_gib", label="Memory per GPU", unit="GiB", default=32, minimum=0.1, maximum=100_000),
        Field(name="n_gpus", label="GPUs per node", kind="integer", default=8, minimum=1, maximum=1024, step="1"),
        Field(name="users", label="Concurrent users", kind="integer", default=10_000, minimum=1, maximum=100_000_000, step="1"),
        Field(name="achieved_batch", label="Achieved requests per node", default=50, minimum=0.01, maximum=100_000_000,
              help="The source measured about 50 with DeepSpeed."),
    ),
    compute=_kv,
)
