"""calc: how fast can a GPU run an LLM?  Pure-Python formulas with their arithmetic.

Every public function is keyword-only, takes SI units (FLOP, byte, second)
and returns frozen results whose numbers carry their unit, formula and the
arithmetic with the inputs substituted.  Standard library only, so the same
code runs in CPython, in the docs build and in the browser through Pyodide.
"""

from __future__ import annotations

from .hardware import Accelerator, catalog, custom_accelerator, get_accelerator
from .inference import ForwardPass, seed_forward_pass
from .kernels import (
    AttentionDecode,
    LinearCrossover,
    LinearLayer,
    attention_decode,
    linear_layer,
    linear_layer_crossover,
)
from .latency import (
    DecodeEstimate,
    DecodeLatency,
    DecodeStep,
    decode_latency,
    decode_latency_large_batch,
    decode_latency_small_batch,
    decode_step_latency,
)
from .memory import (
    BatchLimit,
    ModelBatchLimit,
    kv_cache_per_request,
    kv_cache_per_token,
    max_batch,
    model_batch_limit,
    weights_bytes,
)
from .dtypes import DataFormat, data_format, matmul_peak_dtype
from .hf_config import from_hf_config
from .models import DenseDecoder, ModelConfig, ParameterCount, dense_decoder, get_model, hf_config_of, presets
from .operators import ForwardOperators, ForwardTime, Operator, OperatorTime, forward_operators, forward_time
from .planner import nodes_for_users
from .capacity import MemoryPlan, memory_plan
from .parallel import all_to_all, pipeline_bubble, ring_all_reduce, source_comms_as_ring
from .search import Deployment, SearchResult, nodes_for, search_deployments, users_per_node
from .serving import Efficiency, ServingEstimate, StepTime, efficiency, serving_estimate, serving_range, step_time
from .validation import calibrated as calibrated_efficiency, summary as validation_summary
from .quantity import Quantity
from .roofline import (
    WorkAndTraffic,
    KernelTime,
    RooflinePoint,
    attainable_performance,
    kernel_time,
    operational_intensity,
    ridge_point,
)

__version__ = "0.1.0"

__all__ = [
    "AttentionDecode", "DecodeStep", "attention_decode", "decode_step_latency",
    "Accelerator", "BatchLimit", "DecodeEstimate", "DecodeLatency", "DenseDecoder",
    "ForwardPass", "KernelTime", "LinearCrossover", "LinearLayer", "ModelBatchLimit",
    "Quantity", "RooflinePoint", "WorkAndTraffic", "attainable_performance", "catalog", "custom_accelerator",
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
]
