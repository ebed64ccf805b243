"""calc: how fast can a GPU run an LLM?  Pure-Python formulas with their arithmetic.

Every public function is keyword-only, takes SI units (FLOP, byte, second)
and returns frozen results whose numbers carry their unit, formula and the
arithmetic with the inputs substituted.  Standard library only, so the same
code runs in CPython, in the docs build and in the browser through Pyodide.
"""

from __future__ import annotations

import importlib
import importlib.util

from .core.quantity import Quantity
from .core.validate import InputError, public as _validate_public

__version__ = "0.1.0"

__all__ = [
    "AttentionDecode", "DecodeStep", "DecodeKnee", "check_batch_fits", "decode_batch_limit", "decode_knee",
    "MeasuredDecode", "measured_decode", "measured_decodes", "attention_decode", "decode_step_latency",
    "Accelerator", "BatchLimit", "DecodeEstimate", "DecodeLatency", "DenseDecoder",
    "ForwardPass", "KernelTime", "LinearCrossover", "LinearLayer", "ModelBatchLimit",
    "InputError", "Quantity", "RooflinePoint", "WorkAndTraffic", "attainable_performance", "catalog", "custom_accelerator",
    "decode_latency", "decode_latency_large_batch", "decode_latency_small_batch",
    "dense_decoder", "get_accelerator", "get_model", "kernel_time", "kv_cache_per_request",
    "kv_cache_per_token", "linear_layer", "linear_layer_crossover", "max_batch",
    "model_batch_limit", "nodes_for_users", "operational_intensity", "presets", "ridge_point",
    "seed_forward_pass", "weights_bytes",
    "DataFormat", "ForwardOperators", "ForwardTime", "ModelConfig", "Operator", "OperatorTime", "ParameterCount",
    "data_format", "forward_operators", "forward_time", "from_hf_config", "hf_config_of", "matmul_peak_dtype",
    "Deployment", "Efficiency", "MemoryPlan", "SearchResult", "ServingEstimate", "StepTime", "all_to_all",
    "calibrated_efficiency", "efficiency", "memory_plan", "nodes_for", "pipeline_bubble", "ring_all_reduce",
    "search_deployments", "serving_estimate", "serving_range", "source_comms_as_ring", "step_time",
    "users_per_node", "validation_summary",
    "FormatGain", "fp4_fp8_gain", "fp4_fp8_points",
    "ExpertLoad", "MoeLayout", "expert_load", "experts_touched", "moe_layout", "tokens_to_touch",
    "AttentionCost", "attention_cost", "attention_time", "QuantizedMatmul", "quantized_matmul", "attention_kind", "kv_cache_bytes", "with_kv_heads",
    "efficiency_profiles", "inferencex_row", "inferencex_summary",
    "FrontierResult", "frontier", "PlanResult", "plan_slo",
    "ChunkedPrefill", "ClientTtft", "chunked_prefill", "client_ttft", "littles_law", "queue_wait", "slot_wait",
    "MtpRatio", "SpeculativeDecode", "mtp_measured", "speculative_decode",
]

# The public names are imported when first used (PEP 562), not all at once: a page's calculator in the browser
# needs a handful of calc's ~70 modules, and importing every one cost ~0.3-0.45 s of its cold start
# (scripts/bench_first_visit.py --phases).  Each submodule, and the names it gives: a name, or
# (public name, name in the module) where calc exports it under another name.
_FROM: dict[str, tuple[str | tuple[str, str], ...]] = {
    "hardware": ("Accelerator", "catalog", "custom_accelerator", "get_accelerator"),
    "source.inference": ("ForwardPass", "seed_forward_pass"),
    "source.kernels": (
        "AttentionDecode", "LinearCrossover", "LinearLayer", "attention_decode", "linear_layer",
        "linear_layer_crossover"),
    "source.latency": (
        "DecodeEstimate", "DecodeLatency", "DecodeStep", "decode_latency", "decode_latency_large_batch",
        "decode_latency_small_batch", "decode_step_latency"),
    "source.kv_decode": ("DecodeKnee", "check_batch_fits", "decode_batch_limit", "decode_knee"),
    "source.measured": ("MeasuredDecode", "measured_decode", "measured_decodes"),
    "source.memory": (
        "BatchLimit", "ModelBatchLimit", "kv_cache_per_request", "kv_cache_per_token", "max_batch",
        "model_batch_limit", "weights_bytes"),
    "core.dtypes": ("DataFormat", "data_format", "matmul_peak_dtype"),
    "model.hf_config": ("from_hf_config",),
    "model.config": (
        "DenseDecoder", "ModelConfig", "ParameterCount", "dense_decoder", "get_model", "hf_config_of", "presets"),
    "model.operators": ("ForwardOperators", "Operator", "forward_operators"),
    "model.moe": ("ExpertLoad", "MoeLayout", "expert_load", "experts_touched", "moe_layout", "tokens_to_touch"),
    "model.attention": ("AttentionCost", "attention_cost", "attention_kind", "kv_cache_bytes", "with_kv_heads"),
    "source.planner": ("nodes_for_users",),
    "serving.capacity": ("MemoryPlan", "memory_plan"),
    "serving.parallel": ("all_to_all", "pipeline_bubble", "ring_all_reduce", "source_comms_as_ring"),
    "serving.search": ("Deployment", "SearchResult", "nodes_for", "search_deployments", "users_per_node"),
    "serving.efficiency": ("Efficiency", "efficiency", ("efficiency_profiles", "EFFICIENCIES")),
    "serving.frontier": ("FrontierResult", "frontier"),
    "serving.slo": ("PlanResult", "plan_slo"),
    "serving.formats_measured": ("FormatGain", "fp4_fp8_gain", "fp4_fp8_points"),
    "serving.estimate": ("ServingEstimate", "serving_estimate", "serving_range"),
    "serving.step": ("StepTime", "step_time"),
    "serving.validation": (("calibrated_efficiency", "calibrated"), ("validation_summary", "summary")),
    "serving.inferencex": (("inferencex_row", "row"), ("inferencex_summary", "summary")),
    "serving.queueing": (
        "ChunkedPrefill", "ClientTtft", "chunked_prefill", "client_ttft", "littles_law", "queue_wait", "slot_wait"),
    "serving.speculative": ("MtpRatio", "SpeculativeDecode", "mtp_measured", "speculative_decode"),
    "roofline": (
        "ForwardTime", "KernelTime", "OperatorTime", "RooflinePoint", "WorkAndTraffic", "attainable_performance",
        "attention_time", "QuantizedMatmul", "quantized_matmul", "forward_time", "kernel_time",
        "operational_intensity", "ridge_point"),
}
_WHERE = {(entry if isinstance(entry, str) else entry[0]): (module, entry if isinstance(entry, str) else entry[1])
          for module, entries in _FROM.items() for entry in entries}


def __getattr__(name: str) -> object:
    """A public name (imported from its submodule on first use, then kept here), or a submodule (``calc.serving``)."""
    if name in _WHERE:
        module, attr = _WHERE[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        # One error contract at the door: calling a public function wrongly (an unknown, missing or positional
        # argument) is an InputError naming the argument, like any bad value.
        if name in __all__ and callable(value) and not isinstance(value, type):
            value = _validate_public(value, name)
        globals()[name] = value
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
