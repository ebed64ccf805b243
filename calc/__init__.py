"""calc: how fast can a GPU run an LLM?  Pure-Python formulas with their arithmetic.

Every public function is keyword-only, takes SI units (FLOP, byte, second)
and returns frozen results whose numbers carry their unit, formula and the
arithmetic with the inputs substituted.  Standard library only, so the same
code runs in CPython, in the docs build and in the browser through Pyodide.
"""

from __future__ import annotations

from .hardware import Accelerator, catalog, custom_accelerator, get_accelerator
from .source.inference import ForwardPass, seed_forward_pass
from .source.kernels import (
    AttentionDecode,
    LinearCrossover,
    LinearLayer,
    attention_decode,
    linear_layer,
    linear_layer_crossover,
)
from .source.latency import (
    DecodeEstimate,
    DecodeLatency,
    DecodeStep,
    decode_latency,
    decode_latency_large_batch,
    decode_latency_small_batch,
    decode_step_latency,
)
from .source.kv_decode import DecodeKnee, check_batch_fits, decode_batch_limit, decode_knee
from .source.measured import MeasuredDecode, measured_decode, measured_decodes
from .source.memory import (
    BatchLimit,
    ModelBatchLimit,
    kv_cache_per_request,
    kv_cache_per_token,
    max_batch,
    model_batch_limit,
    weights_bytes,
)
from .core.dtypes import DataFormat, data_format, matmul_peak_dtype
from .model.hf_config import from_hf_config
from .model.config import DenseDecoder, ModelConfig, ParameterCount, dense_decoder, get_model, hf_config_of, presets
from .model.operators import ForwardOperators, Operator, forward_operators
from .model.moe import ExpertLoad, MoeLayout, expert_load, experts_touched, moe_layout, tokens_to_touch
from .model.attention import AttentionCost, attention_cost, attention_kind, kv_cache_bytes, with_kv_heads
from .source.planner import nodes_for_users
from .serving.capacity import MemoryPlan, memory_plan
from .serving.parallel import all_to_all, pipeline_bubble, ring_all_reduce, source_comms_as_ring
from .serving.search import Deployment, SearchResult, nodes_for, search_deployments, users_per_node
from .serving.efficiency import Efficiency, efficiency
from .serving.frontier import FrontierResult, frontier
from .serving.slo import PlanResult, plan_slo
from .serving.formats_measured import FormatGain, fp4_fp8_gain, fp4_fp8_points
from .serving.estimate import ServingEstimate, serving_estimate, serving_range
from .serving.step import StepTime, step_time
from .serving.validation import calibrated as calibrated_efficiency, summary as validation_summary
from .serving.efficiency import EFFICIENCIES as efficiency_profiles
from .serving.inferencex import row as inferencex_row, summary as inferencex_summary
from .serving.queueing import ChunkedPrefill, ClientTtft, chunked_prefill, client_ttft, littles_law, queue_wait, slot_wait
from .serving.speculative import MtpRatio, SpeculativeDecode, mtp_measured, speculative_decode
from .core.quantity import Quantity
from .core.validate import InputError, public as _validate_public
from .roofline import (
    ForwardTime,
    KernelTime,
    OperatorTime,
    RooflinePoint,
    WorkAndTraffic,
    attainable_performance,
    attention_time,
    QuantizedMatmul,
    quantized_matmul,
    forward_time,
    kernel_time,
    operational_intensity,
    ridge_point,
)

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

# One error contract at the door: calling a public function wrongly (an unknown, missing or positional
# argument) is an InputError naming the argument, like any bad value.
for _name in __all__:
    _obj = globals()[_name]
    if callable(_obj) and not isinstance(_obj, type):
        globals()[_name] = _validate_public(_obj, _name)
del _name, _obj
