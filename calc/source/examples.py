"""The source text's worked examples, each with the source's own inputs.

Docs pages, tests and (later) notebooks call these so that a worked example
has one definition.  ``SEED_*`` constants are the source's figures exactly
as printed (some are wrong or rounded; the errata page explains which).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..hardware import get_accelerator
from .memory import BatchLimit, ModelBatchLimit, kv_cache_per_token, max_batch, model_batch_limit
from ..model.config import ModelConfig, dense_decoder, get_model
from .planner import nodes_for_users
from ..core.quantity import Quantity
from ..core.units import GB, GIB, TB, TERA
from ..core.validate import InputError

# The roofline, operator, kernel and latency examples import their modules when first called: the Memory page's
# calculator in the browser needs only the batch-limit examples, and importing the roofline chain for it cost
# ~0.1 s of the page's first answer (scripts/bench_first_visit.py --phases).
if TYPE_CHECKING:
    from .inference import ForwardPass
    from .kernels import LinearCrossover
    from .kv_decode import DecodeKnee
    from .latency import DecodeEstimate, DecodeStep
    from ..model.operators import ForwardOperators
    from ..roofline import ForwardTime

#: LLaMA-13B forward pass as the source sets it up (section 1.2).
SEED_LLAMA13B_FORWARD = dict(hidden=5120, batch=8, prompt_len=1024, output_len=1024, n_layers=40, vocab=32000)

#: The source's GPU table (section 1.1), as printed: name, memory, CUDA cores,
#: FP16 tensor TFLOPS, FP32 TFLOPS, bandwidth GB/s, "OI" column, and the
#: catalog entry the row describes.
SEED_GPU_TABLE: tuple[dict, ...] = (
    dict(row="V100-SXM", memory="16 GB", cuda_cores=5120, fp16_tflops=125, fp32_tflops=15.7,
         bandwidth_gbps=900, printed_ratio="138 TOPS (FP16)", catalog="V100-SXM2-16GB"),
    dict(row="A100-SXM", memory="40 GB / 80 GB", cuda_cores=6912, fp16_tflops=312, fp32_tflops=19.5,
         bandwidth_gbps=2039, printed_ratio="153 TOPS (FP16)", catalog="A100-SXM4-80GB"),
    dict(row="H100-SXM", memory="80 GB", cuda_cores=8192, fp16_tflops=989, fp32_tflops=60,
         bandwidth_gbps=3350, printed_ratio="295 TOPS (FP16)", catalog="H100-SXM5-80GB"),
)

#: Section 2.3: weights in the source's units (GiB, printed as GB), memory per
#: request (GB, rounded from 1 MB and 2.5 MB per token) and the total of 8 x 32.
SEED_TOTAL_MEMORY = 32 * 8
SEED_BATCH_INPUTS: dict[tuple[str, str], tuple[float, float]] = {
    ("LLaMA-13B", "fp16"): (24.6, 2),
    ("LLaMA-13B", "int8"): (24.6 / 2, 2),
    ("LLaMA-65B", "fp16"): (121.6, 5),
    ("LLaMA-65B", "int8"): (121.6 / 2, 5),
}
SEED_CONTEXT_LEN = 2048
SEED_USERS = 10_000
SEED_MEASURED_REQUESTS_PER_NODE = 50
BYTES_PER_PARAM = {"fp16": 2, "int8": 1}


def llama13b_forward(**overrides: float) -> ForwardPass:
    """The 7563 FLOP/byte example; keyword overrides change single inputs."""
    from .inference import seed_forward_pass
    return seed_forward_pass(**{**SEED_LLAMA13B_FORWARD, **overrides})


def seed_ratio(*, tflops: float, bandwidth_gbps: float) -> Quantity:
    """An ops:byte ratio from figures in the units the source prints (TFLOP/s, GB/s)."""
    from ..roofline import ridge_point
    return ridge_point(peak_flops=tflops * TERA, bandwidth=bandwidth_gbps * GB)


def a100_ratio_from_prose() -> Quantity:
    """Section 1.3's "208": 312 TFLOP/s over 1.5 TB/s, the A100 40 GB's bandwidth."""
    from ..roofline import ridge_point
    return ridge_point(peak_flops=312 * TERA, bandwidth=1.5 * TB)


def seed_kv_per_token(model: str) -> Quantity:
    """KV bytes per token with the source's formula ``4 · n_layers · d_model`` (fp16)."""
    spec = get_model(model)
    return kv_cache_per_token(n_layers=spec.n_layers, d_model=spec.hidden)


def seed_batch_limit(model: str, weights_dtype: str = "fp16") -> BatchLimit:
    """The source's batch limit, with its rounded inputs."""
    try:
        weights, per_request = SEED_BATCH_INPUTS[(model, weights_dtype)]
    except KeyError:
        raise InputError(
            "model", f"(model, weights_dtype)=({model!r}, {weights_dtype!r}) is not a source example; "
            f"choose from {sorted(SEED_BATCH_INPUTS)}"
        ) from None
    return max_batch(total_memory=SEED_TOTAL_MEMORY, weights=weights, per_request=per_request)


def exact_batch_limit(model: str, weights_dtype: str = "fp16", *, physical_gib: bool = True) -> ModelBatchLimit:
    """The same limit with exact sizes: 8 V100-32GB cards, exact parameter count, KV in bytes.

    ``physical_gib=True`` takes each card as 32 GiB (its physical HBM);
    ``False`` reads the datasheet's "32 GB" as 32 x 10^9 bytes.
    """
    gpu = get_accelerator("V100-SXM2-32GB")
    per_gpu = 32 * GIB if physical_gib else gpu.memory
    return model_batch_limit(
        model=model, n_gpus=8, context_len=SEED_CONTEXT_LEN, memory_per_gpu=per_gpu,
        bytes_per_param=BYTES_PER_PARAM[weights_dtype],
    )


def llama13b_decode(*, batch: int = 1, n_gpus: int = 8, gpu: str = "V100-SXM2-32GB") -> DecodeEstimate:
    """Section 2.1's decode-latency model for LLaMA-13B (exact parameter count) with tensor parallelism."""
    from .latency import decode_latency
    spec = get_model("LLaMA-13B")
    return decode_latency(
        params=spec.parameter_count().value, n_gpus=n_gpus, batch=batch,
        n_layers=spec.n_layers, d_model=spec.hidden, gpu=gpu,
    )


#: The latency chapter's batches and contexts: the source's experiment (8 to 20 tokens), a short chat, its 2,048.
LATENCY_BATCHES = (1, 16, 64, 128, 256, 512)
LATENCY_CONTEXTS = (20, 512, 2048)


def _sizes(model: str) -> dict:
    """A preset as the source's decode formulas see it: P, layers, and the cached K width per layer."""
    spec = get_model(model)
    return dict(params=spec.parameter_count().value, n_layers=spec.n_layers,
                d_model=int(spec.kv_elements_per_token_layer // 2))


def model_step(*, model: str, gpu: str, n_gpus: int, batch: int, context_len: int) -> DecodeStep:
    """One fp16 decode step of a preset with its KV cache, tensor parallel over ``n_gpus``."""
    from .latency import decode_step_latency
    return decode_step_latency(**_sizes(model), n_gpus=n_gpus, batch=batch, context_len=context_len, gpu=gpu)


def model_knee(*, model: str, gpu: str, context_len: int) -> DecodeKnee:
    """Where a preset's decode latency stops being flat in the batch (fp16 weights and cache)."""
    from .kv_decode import decode_knee
    return decode_knee(**_sizes(model), context_len=context_len, gpu=gpu)


def model_decode_limit(*, model: str, gpu: str, n_gpus: int, context_len: int) -> BatchLimit:
    """Sequences whose fp16 caches fit beside fp16 weights; card memory read as GiB (its physical size)."""
    from .kv_decode import decode_batch_limit
    per_gpu = get_accelerator(gpu).memory / GB * GIB
    return decode_batch_limit(**_sizes(model), n_gpus=n_gpus, context_len=context_len, memory_per_gpu=per_gpu)


def llama13b_step(*, batch: int = 1, context_len: int = SEED_CONTEXT_LEN, n_gpus: int = 8,
                  gpu: str = "V100-SXM2-32GB") -> DecodeStep:
    """One LLaMA-13B decode step with its KV cache (fp16, tensor parallel over ``n_gpus``)."""
    return model_step(model="LLaMA-13B", gpu=gpu, n_gpus=n_gpus, batch=batch, context_len=context_len)


def llama13b_knee(*, context_len: int = SEED_CONTEXT_LEN, gpu: str = "V100-SXM2-32GB") -> DecodeKnee:
    """Where LLaMA-13B's decode latency stops being flat in the batch, at ``context_len``."""
    return model_knee(model="LLaMA-13B", gpu=gpu, context_len=context_len)


def llama13b_decode_limit(*, context_len: int = SEED_CONTEXT_LEN, n_gpus: int = 8) -> BatchLimit:
    """Sequences whose caches fit on ``n_gpus`` V100s of 32 GiB each (as :func:`exact_batch_limit` takes them)."""
    return model_decode_limit(model="LLaMA-13B", gpu="V100-SXM2-32GB", n_gpus=n_gpus, context_len=context_len)


def seed_nodes_for_users() -> Quantity:
    """10,000 users at the measured ~50 concurrent requests per 8 x V100 node."""
    return nodes_for_users(users=SEED_USERS, requests_per_node=SEED_MEASURED_REQUESTS_PER_NODE)


def fc_4096_on_a100(gpu: str = "A100-SXM4-80GB") -> LinearCrossover:
    """Section 2.2: a 4096 x 4096 fp16 linear layer on an A100."""
    from .kernels import linear_layer_crossover
    return linear_layer_crossover(d_in=4096, d_out=4096, gpu=gpu, batches=(1, 32, 64, 128, 256, 512))


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedRowCheck:
    """One row of the source's GPU table next to the catalog's figures."""

    row: str
    printed_ratio: str
    ratio_from_row: Quantity
    catalog: str
    ratio_from_catalog: Quantity


def seed_table_checks() -> tuple[SeedRowCheck, ...]:
    """Each source row's ratio recomputed from its own figures and from the catalog part."""
    from ..roofline import ridge_point
    return tuple(
        SeedRowCheck(
            row=r["row"],
            printed_ratio=r["printed_ratio"],
            ratio_from_row=seed_ratio(tflops=r["fp16_tflops"], bandwidth_gbps=r["bandwidth_gbps"]),
            catalog=r["catalog"],
            ratio_from_catalog=ridge_point(gpu=r["catalog"]),
        )
        for r in SEED_GPU_TABLE
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedTerm:
    """One term of the source's formula next to the operators calc sums for it."""

    term: str
    source: float
    calc: float
    operators: str  # which calc operators make up ``calc``


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedComparison:
    """The per-operator model configured the source's way, term by term against its formula."""

    model: ModelConfig
    forward: ForwardOperators
    seed: ForwardPass
    flop_terms: tuple[SeedTerm, ...]
    byte_terms: tuple[SeedTerm, ...]
    flops_ratio: float  # calc total / source total


def seed_style_model(*, hidden: int = 5120, n_layers: int = 40, vocab: int = 32000, head_dim: int = 128) -> ModelConfig:
    """The source's model: dense, multi-head, a plain 4h MLP, no biases, untied output head."""
    return dense_decoder(name="source-style", hidden=hidden, n_layers=n_layers, n_heads=hidden // head_dim,
                         intermediate=4 * hidden, vocab=vocab, gated_mlp=False)


def seed_comparison(*, batch: int = 8, prompt_len: int = 1024, hidden: int = 5120, n_layers: int = 40,
                    vocab: int = 32000) -> SeedComparison:
    """Prefill of the source's LLaMA-13B-sized example through :func:`forward_operators`, configured its way.

    fp16 everywhere, unfused attention over the full (non-causal) score matrix, every position through the
    lm_head.  The source's bytes are taken with ``weight_overhead=1``, ``bytes_per_weight=2`` and
    ``output_len=0``, so that both sides count fp16 bytes of one prefill.
    """
    from ..model.operators import forward_operators
    from .inference import seed_forward_pass
    model = seed_style_model(hidden=hidden, n_layers=n_layers, vocab=vocab)
    fwd = forward_operators(model=model, phase="prefill", batch=batch, seq_len=prompt_len, weights="fp16",
                            activations="fp16", kv="fp16", causal=False, fused_attention=False, all_logits=True)
    seed = seed_forward_pass(hidden=hidden, batch=batch, prompt_len=prompt_len, output_len=0, n_layers=n_layers,
                             vocab=vocab, weight_overhead=1, bytes_per_weight=2)
    b, s, h, n, V = batch, prompt_len, hidden, n_layers, vocab
    by_name = {o.name: o for o in fwd.operators}
    projections = ("q_proj", "k_proj (→ cache)", "v_proj (→ cache)", "o_proj", "fc1", "fc2")
    attention = ("attention scores QKᵀ", "attention probs × V")
    vector = tuple(o.name for o in fwd.operators if o.kind == "vector")
    flop = lambda names: sum(by_name[x].flops.value for x in names)  # noqa: E731
    flop_terms = (
        SeedTerm(term="24·n·b·s·h² (q, k, v, o and a 4h MLP)", source=24 * n * b * s * h**2, calc=flop(projections),
                 operators=", ".join(projections)),
        SeedTerm(term="4·n·b·s²·h (scores and ·V, full matrix)", source=4 * n * b * s**2 * h, calc=flop(attention),
                 operators=", ".join(attention)),
        SeedTerm(term="2·b·s·h·V (lm_head on every position)", source=2 * b * s * h * V, calc=flop(("lm_head",)),
                 operators="lm_head"),
        SeedTerm(term="not in the source: norms, rotary, softmax, activation, residual adds", source=0,
                 calc=flop(vector), operators=", ".join(vector)),
    )
    block_weights = sum(by_name[x].weight_bytes for x in projections)
    kv_written = sum(by_name[x].kv_bytes for x in ("k_proj (→ cache)", "v_proj (→ cache)"))
    byte_terms = (
        SeedTerm(term="12·n·h² weights × 2 B", source=24 * n * h**2, calc=block_weights, operators="block matmuls"),
        SeedTerm(term="4·n·b·h·s KV cache (fp16, written)", source=4 * n * b * h * s, calc=kv_written,
                 operators="k_proj, v_proj"),
        SeedTerm(term="not in the source: K and V read back by attention", source=0,
                 calc=fwd.kv_bytes.value - kv_written, operators="attention scores, probs × V"),
        SeedTerm(term="not in the source: embedding, norm and lm_head weights", source=0,
                 calc=fwd.weight_bytes.value - block_weights, operators="embedding lookup, norms, lm_head"),
        SeedTerm(term="not in the source: activations (inputs, outputs, score matrices)", source=0,
                 calc=fwd.activation_bytes.value, operators="all"),
    )
    return SeedComparison(model=model, forward=fwd, seed=seed, flop_terms=flop_terms, byte_terms=byte_terms,
                          flops_ratio=fwd.flops.value / seed.flops.value)


#: Defaults of the "Anatomy of a forward pass" page: a common model on a common part.
ANATOMY = dict(model="Llama-3-8B", gpu="H100-SXM5-80GB", weights="bf16", activations="bf16", kv="bf16")
ANATOMY_DECODE = dict(phase="decode", batch=8, seq_len=2048)
#: The prefill of the same batch (the widget has one batch for both phases, so the tables use one too).
ANATOMY_PREFILL = dict(phase="prefill", batch=ANATOMY_DECODE["batch"], seq_len=2048)
#: Context of the model-comparison table's decode step.
COMPARISON_CONTEXT = 2048


def anatomy(phase: str = "decode") -> "ForwardTime":
    """The anatomy page's prefill or decode step, timed per operator."""
    from ..roofline import forward_time

    return forward_time(**ANATOMY, **(ANATOMY_PREFILL if phase == "prefill" else ANATOMY_DECODE))


def decode_intensity(model: str, batch: int) -> Quantity:
    """FLOP per byte of one bf16 decode step at the comparison table's context."""
    from ..model.operators import forward_operators
    return forward_operators(model=model, phase="decode", batch=batch, seq_len=COMPARISON_CONTEXT).intensity
