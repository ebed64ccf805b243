"""Every input field of calc: the label a person reads and the plausible range of its value.

One table, so every layer's messages use the same words and the same bounds;
:mod:`calc.core.validate` reads it.  A field's row gives its label, its
largest plausible value and, where 0 or a tiny positive value would make a
later division overflow, its least one.  Fields without bounds (names,
formats, flags) have a label only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Spec:
    """What one field is: its label, and the plausible range of its value.

    ``low`` is the least value allowed (inclusive); ``None`` leaves the
    helper's own floor (above 0 for :func:`~calc.core.validate.positive`, 0 for
    :func:`~calc.core.validate.non_negative`, 1 for :func:`~calc.core.validate.positive_int`).  ``unit`` is written
    after the bounds (plural form; :func:`~calc.core.validate.count` makes the singular).
    """

    label: str
    high: float = math.inf
    low: float | None = None
    unit: str = ""


# Bounds: generous enough for any real model or machine (and the source's worked examples, whose
# ``max_batch`` takes GB), small enough that products of inputs stay far below float overflow
# (1.8e308) and that nothing loops for long.
_BYTES = 1e18           # 1 EB: more than any cluster's memory
_BANDWIDTH = 1e16       # 10 PB/s per device or link
_FLOPS = 1e19           # 10 EFLOP/s per device
_TOKENS = 100_000_000   # a context of 100 M tokens
_SECONDS = 3600.0       # an hour for one latency or SLO
_ELEMENT = 64.0         # bytes per element/parameter (fp64 is 8; scales and padding stay below)

FIELDS: dict[str, Spec] = {
    # model shape
    "n_layers": Spec("Layers", 100_000),
    "hidden": Spec("Hidden size", 1_000_000),
    "d_model": Spec("Model width", 1_000_000),
    "n_heads": Spec("Attention heads", 100_000),
    "n_kv_heads": Spec("KV heads", 100_000),
    "head_dim": Spec("Head size", 100_000),
    "intermediate": Spec("MLP size", 10_000_000),
    "vocab": Spec("Vocabulary size", 100_000_000),
    "d_in": Spec("Input width", 10_000_000),
    "d_out": Spec("Output width", 10_000_000),
    "experts": Spec("Experts", 100_000),
    "top_k": Spec("Experts per token", 100_000),
    "params": Spec("Parameters", 1e15),
    "sliding_window": Spec("sliding_window", _TOKENS, unit="tokens"),
    # workload
    "batch": Spec("Batch", 10_000_000),
    "batches": Spec("Batch sizes", 10_000_000),
    "seq_len": Spec("Sequence length", _TOKENS, unit="tokens"),
    "context_len": Spec("Context length", _TOKENS, unit="tokens"),
    "tokens": Spec("Tokens", 1e12, unit="tokens"),
    "tile_tokens": Spec("Dequantisation tile", 1_000_000, unit="tokens"),
    "share": Spec("Share of experts", 1.0),
    "prompt_len": Spec("Prompt length", _TOKENS, unit="tokens"),
    "output_len": Spec("Output length", _TOKENS, unit="tokens"),
    "users": Spec("Users", 10_000_000_000),
    "concurrency": Spec("Concurrency", 10_000_000),
    "requests_per_node": Spec("Requests per node", 1e9, low=1e-3),
    "per_node": Spec("Users per node", 1e9),
    "curve_points": Spec("Curve points", 1000),
    "top": Spec("Rows to print", 10_000),
    # number formats
    "bytes_per_element": Spec("Bytes per element", _ELEMENT, low=0.01, unit="bytes"),
    "kv_bytes_per_element": Spec("KV bytes per element", _ELEMENT, low=0.01, unit="bytes"),
    "bytes_per_param": Spec("Bytes per parameter", _ELEMENT, low=0.01, unit="bytes"),
    "bytes_per_weight": Spec("Bytes per weight", _ELEMENT, low=0.01, unit="bytes"),
    "weight_overhead": Spec("Weight overhead factor", 100, low=0.01),
    "group_size": Spec("Group size", 1_000_000),
    "scale_bytes": Spec("Scale bytes", _ELEMENT, unit="bytes"),
    "zero_point_bytes": Spec("Zero-point bytes", _ELEMENT, unit="bytes"),
    # hardware
    "peak_flops": Spec("Peak", _FLOPS, low=1, unit="FLOP/s"),
    "bandwidth": Spec("Memory bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "memory_bandwidth": Spec("Memory bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "link_bandwidth": Spec("Link bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "interconnect_bandwidth": Spec("Interconnect bandwidth", _BANDWIDTH, low=1, unit="B/s"),
    "memory": Spec("Memory", _BYTES, unit="bytes"),
    "memory_per_gpu": Spec("Memory per GPU", _BYTES, low=1, unit="bytes"),
    "total_memory": Spec("Total memory", _BYTES, low=1e-6),
    "weights": Spec("Weights", _BYTES),
    "per_request": Spec("KV cache per request", _BYTES, low=1e-6),
    "n_gpus": Spec("GPUs", 1_000_000),
    "gpus_per_node": Spec("GPUs per node", 1024),
    "hop_latency": Spec("Hop latency", 1.0, unit="s"),
    # roofline
    "intensity": Spec("Operational intensity", 1e15, unit="FLOP/byte"),
    "flops": Spec("FLOPs", 1e300, unit="FLOP"),
    "bytes_moved": Spec("Bytes moved", 1e300, unit="bytes"),
    # serving
    "tp": Spec("Tensor parallel (TP)", 4096),
    "pp": Spec("Pipeline stages (PP)", 4096),
    "block_size": Spec("KV block size", 1_000_000, unit="tokens"),
    "reserve_fraction": Spec("Reserved memory fraction", 0.99),
    "compute": Spec("Compute efficiency", 1.0, low=0.001),
    "link": Spec("Link efficiency", 1.0, low=0.001),
    "link_efficiency": Spec("Link efficiency", 1.0, low=0.001),
    "alpha": Spec("Per-collective latency", 1.0, unit="s"),
    "layer_overhead": Spec("Per-layer overhead", 1.0, unit="s"),
    "ttft_slo": Spec("TTFT target", _SECONDS, low=1e-6, unit="s"),
    "tpot_slo": Spec("TPOT target", _SECONDS, low=1e-6, unit="s"),
    "message_bytes": Spec("Message size", _BYTES, unit="bytes"),
    "stages": Spec("Pipeline stages", 1_000_000),
    "microbatches": Spec("Microbatches", 1_000_000),
    "price": Spec("Price", 1e6, unit="$ per GPU-hour"),
    # text and choices (no bounds: a label only)
    "gpu": Spec("GPU"), "gpus": Spec("GPUs", 1_000_000), "mla_form": Spec("MLA form"), "layout": Spec("Layout"), "model": Spec("Model"), "name": Spec("Name"),
    "dtype": Spec("Number format"), "kv": Spec("KV cache format"), "activations": Spec("Activation format"),
    "phase": Spec("Phase"), "batching": Spec("Batching"), "config": Spec("config.json"), "prices": Spec("Prices"),
    "efficiency": Spec("Efficiency"), "widget": Spec("Calculator"), "raw": Spec("Inputs"), "sparse": Spec("Sparsity"),
    "weight_dtypes": Spec("Weight formats"), "kv_dtypes": Spec("KV cache formats"), "unit": Spec("Unit"),
    "gated_mlp": Spec("Gated MLP"), "tied_embeddings": Spec("Tied embeddings"), "causal": Spec("Causal attention"),
    "fused_attention": Spec("Fused attention"), "all_logits": Spec("Logits for every position"),
    "expert_parallel": Spec("Expert parallelism"), "field": Spec("Field name"), "source": Spec("Source"),
    "published_params": Spec("Published parameter count"), "published_active": Spec("Published active parameters"),
    "exact_params": Spec("Exact parameter count", 1e15),
    # the frontier and the 2026 SLO search
    "formats": Spec("Formats"), "kv_formats": Spec("KV cache formats"), "tp_sizes": Spec("TP sizes"),
    "speculative": Spec("Speculative decoding"), "disaggregated": Spec("Disaggregated prefill/decode"),
    "kv_link": Spec("KV transfer link"), "dp_attention": Spec("Data-parallel attention"),
    "min_interactivity": Spec("Interactivity target", 1e6, low=1e-3, unit="tokens/s per user"),
    "requests_per_second": Spec("Request rate", 1e9, low=1e-6, unit="requests/s"),
}
# ``memory`` is also an efficiency fraction (``efficiency(memory=0.75)``); efficiency() checks its own range.

#: Keys of a Hugging Face config.json: labelled by the key the reader pasted, bounded like the field they fill.
_HF_KEYS = {
    "n_layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "hidden": ("hidden_size", "n_embd", "d_model", "word_embed_proj_dim", "q_lora_rank", "kv_lora_rank"),
    "n_heads": ("num_attention_heads", "n_head", "num_heads", "n_heads"),
    "n_kv_heads": ("num_key_value_heads", "multi_query_group_num", "num_kv_heads"),
    "head_dim": ("head_dim", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "kv_channels"),
    "intermediate": ("intermediate_size", "n_inner", "ffn_dim", "moe_intermediate_size", "ffn_hidden_size"),
    "vocab": ("vocab_size", "padded_vocab_size"),
    "context_len": ("max_position_embeddings", "n_positions", "seq_length", "max_seq_len"),
    "n_experts": ("num_local_experts", "n_routed_experts", "num_experts", "num_experts_per_tok",
                  "n_shared_experts", "first_k_dense_replace", "moe_layer_freq"),
}
FIELDS["n_experts"] = Spec("Experts", 100_000)
for _field, _keys in _HF_KEYS.items():
    for _key in _keys:
        FIELDS.setdefault(_key, Spec(_key, FIELDS[_field].high, unit=FIELDS[_field].unit))
