"""Read a Hugging Face ``config.json`` dict into a :class:`~calc.model.config.ModelConfig`.

Each family spells the same shapes differently (``n_embd`` in GPT-2,
``ffn_dim`` in OPT, ``num_kv_heads`` in Falcon, ``num_local_experts`` in
Mixtral) and implies some facts no field states (Qwen2 has q/k/v biases;
Gemma-2 has four norms per layer; Falcon ties its output head).  One reader
per family turns them into the same dataclass.

The dict is plain data: values are checked for type and range, strings are
only compared, never evaluated or rendered.  A missing or inconsistent
field raises :class:`~calc.InputError` naming it; fields that do
not change any count (``rope_theta``, token ids...) are accepted; any other
field is listed in the result's ``notes`` as not understood, and a config of
an unknown family is refused with the fields it could not place.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from ..core import validate
from .config import ModelConfig, get_model
from ..core.validate import InputError

#: Fields that exist in real configs but change no parameter, FLOP or byte count here.
IGNORED: frozenset[str] = frozenset("""
    _name_or_path architectures architecture model_type transformers_version torch_dtype auto_map
    bos_token_id eos_token_id pad_token_id decoder_start_token_id sep_token_id
    initializer_range init_std use_cache pretraining_tp
    rope_theta rope_scaling rotary_emb_base rope_interleave original_max_position_embeddings
    rms_norm_eps layer_norm_eps layer_norm_epsilon
    attention_dropout hidden_dropout dropout attn_pdrop resid_pdrop embd_pdrop activation_dropout
    attention_probs_dropout_prob hidden_dropout_prob classifier_dropout layerdrop
    router_aux_loss_coef output_router_logits router_jitter_noise aux_loss_alpha seq_aux ep_size
    topk_method scoring_func n_group topk_group routed_scaling_factor norm_topk_prob
    attn_logit_softcapping final_logit_softcapping query_pre_attn_scalar cache_implementation
    max_window_layers scale_attn_weights scale_attn_by_inverse_layer_idx reorder_and_upcast_attn
    n_ctx summary_type summary_use_proj summary_activation summary_proj_to_labels summary_first_dropout
    task_specific_params _remove_final_layer_norm do_layer_norm_before prefix
    apply_residual_connection_post_layernorm use_flash_attn quantization_config
    num_ln_in_parallel_attn is_decoder tokenizer_class
    slow_but_exact masked_softmax_fusion offset_alibi unk_token_id
""".split())


class _Reader:
    """Reads fields from one config dict, remembering which it used."""

    def __init__(self, config: Mapping[str, Any], family: str) -> None:
        self.config = config
        self.family = family
        self.used: set[str] = set()

    def has(self, key: str) -> bool:
        return self.config.get(key) is not None

    def raw(self, key: str, default: Any = None) -> Any:
        self.used.add(key)
        value = self.config.get(key)
        return default if value is None else value

    def int(self, key: str, default: int | None = None, *, alias: tuple[str, ...] = ()) -> int:
        for name in (key, *alias):
            if self.has(name):
                return validate.positive_int(name, self.raw(name))
            self.used.add(name)
        if default is None:
            raise InputError(key, f"{key} is missing; a {self.family} config needs it")
        return default

    def count(self, key: str, default: int = 0) -> int:
        """A whole number that may be 0 (shared experts, first dense layers)."""
        value = self.raw(key, default)
        number = validate.non_negative(key, value)
        if not float(number).is_integer():
            raise validate.fail(key, value, "must be a whole number")
        return int(number)

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise validate.fail(key, value, "must be true or false")
        return value

    def text(self, key: str, default: str, *, alias: tuple[str, ...] = ()) -> str:
        for name in (key, *alias):
            if self.has(name):
                value = self.raw(name)
                if not isinstance(value, str):
                    raise validate.fail(name, value, "must be a string")
                return value[:40]
            self.used.add(name)
        return default


def _heads(r: _Reader, hidden: int, heads: int, kv: int, head_dim: int | None) -> int:
    if heads % kv:
        raise InputError("num_key_value_heads",
                         f"num_attention_heads={heads} must be a multiple of num_key_value_heads={kv}")
    if head_dim is None:
        if hidden % heads:
            raise InputError("head_dim", f"hidden_size={hidden} is not divisible by num_attention_heads={heads};"
                             " give head_dim explicitly")
        return hidden // heads
    return head_dim


def _llama_like(r: _Reader) -> dict:
    """Llama, Mistral, Mixtral, Qwen2, Gemma, Gemma-2, Phi-3: the same field names."""
    hidden, heads = r.int("hidden_size"), r.int("num_attention_heads")
    kv = r.int("num_key_value_heads", heads)
    head_dim = _heads(r, hidden, heads, kv, r.int("head_dim") if r.has("head_dim") else (r.raw("head_dim") or None))
    family = r.family
    attention_bias = r.flag("attention_bias", family == "qwen2")
    shapes = dict(
        hidden=hidden, n_layers=r.int("num_hidden_layers"), n_heads=heads, n_kv_heads=kv, head_dim=head_dim,
        intermediate=r.int("intermediate_size"), vocab=r.int("vocab_size"),
        activation=r.text("hidden_activation" if family == "gemma2" else "hidden_act", "silu",
                          alias=("hidden_act",)),
        qkv_bias=attention_bias, o_bias=attention_bias and family != "qwen2",
        mlp_bias=r.flag("mlp_bias", False),
        tied_embeddings=r.flag("tie_word_embeddings", family in ("gemma", "gemma2")),
        norms_per_layer=4 if family == "gemma2" else 2,
        rotary_dim=int(head_dim * validate.number("partial_rotary_factor", r.raw("partial_rotary_factor", 1.0), high=1.0)),
        max_context=r.int("max_position_embeddings", 0) or None,
    )
    if family == "mixtral":
        experts, top_k = r.int("num_local_experts"), r.int("num_experts_per_tok")
        if top_k > experts:
            raise InputError("num_experts_per_tok",
                             f"num_experts_per_tok={top_k} must not exceed num_local_experts={experts}")
        shapes.update(n_experts=experts, experts_per_token=top_k, moe_intermediate=shapes["intermediate"])
    window = r.raw("sliding_window")
    if family in ("qwen2", "qwen3", "qwen3_moe") and not r.flag("use_sliding_window", False):
        window = None
    if window is not None:
        shapes.update(sliding_window=validate.positive_int("sliding_window", window),
                      sliding_layers=math.ceil(shapes["n_layers"] / 2) if family == "gemma2" else shapes["n_layers"])
    return shapes


def _gpt2(r: _Reader) -> dict:
    hidden, heads = r.int("n_embd"), r.int("n_head")
    return dict(
        hidden=hidden, n_layers=r.int("n_layer"), n_heads=heads, n_kv_heads=heads,
        head_dim=_heads(r, hidden, heads, heads, None), intermediate=r.int("n_inner", 4 * hidden),
        vocab=r.int("vocab_size"), gated_mlp=False, activation=r.text("activation_function", "gelu_new"),
        norm="layernorm", qkv_bias=True, o_bias=True, mlp_bias=True,
        tied_embeddings=r.flag("tie_word_embeddings", True), position_embeddings=r.int("n_positions", 1024),
        max_context=r.int("n_positions", 1024),
    )


def _opt(r: _Reader) -> dict:
    hidden, heads = r.int("hidden_size"), r.int("num_attention_heads")
    projection = r.int("word_embed_proj_dim", hidden)
    if projection != hidden:
        raise InputError("word_embed_proj_dim", f"word_embed_proj_dim={projection} differs from hidden_size={hidden};"
                         " OPT's extra input/output projections are not modelled")
    bias = r.flag("enable_bias", True)
    positions = r.int("max_position_embeddings", 2048)
    return dict(
        hidden=hidden, n_layers=r.int("num_hidden_layers"), n_heads=heads, n_kv_heads=heads,
        head_dim=_heads(r, hidden, heads, heads, None), intermediate=r.int("ffn_dim"), vocab=r.int("vocab_size"),
        gated_mlp=False, activation=r.text("activation_function", "relu"), norm="layernorm",
        qkv_bias=bias, o_bias=bias, mlp_bias=bias, tied_embeddings=r.flag("tie_word_embeddings", True),
        position_embeddings=positions + 2,  # OPT's learned table is offset by 2 rows
        max_context=positions,
    )


def _gpt_neox(r: _Reader) -> dict:
    hidden, heads = r.int("hidden_size"), r.int("num_attention_heads")
    head_dim = _heads(r, hidden, heads, heads, None)
    bias = r.flag("attention_bias", True)
    return dict(
        hidden=hidden, n_layers=r.int("num_hidden_layers"), n_heads=heads, n_kv_heads=heads, head_dim=head_dim,
        intermediate=r.int("intermediate_size"), vocab=r.int("vocab_size"), gated_mlp=False,
        activation=r.text("hidden_act", "gelu"), norm="layernorm", qkv_bias=bias, o_bias=bias, mlp_bias=True,
        tied_embeddings=r.flag("tie_word_embeddings", False),
        parallel_attention=r.flag("use_parallel_residual", True),
        rotary_dim=int(head_dim * validate.number("rotary_pct", r.raw("rotary_pct", 0.25), high=1.0)), max_context=r.int("max_position_embeddings", 0) or None,
    )


def _falcon(r: _Reader) -> dict:
    hidden, heads = r.int("hidden_size"), r.int("num_attention_heads", alias=("n_head",))
    new_arch = r.flag("new_decoder_architecture", False)
    if new_arch:
        # Falcon's own key is num_kv_heads (n_head_kv in the first releases); num_key_value_heads is the
        # Llama spelling people carry over, and reading it as absent would silently make the model MHA.
        kv = r.int("num_kv_heads", heads, alias=("n_head_kv", "num_key_value_heads"))
    else:
        kv = 1 if r.flag("multi_query", True) else heads
    head_dim = _heads(r, hidden, heads, kv, None)
    parallel = r.flag("parallel_attn", True)
    bias = r.flag("bias", False)
    return dict(
        hidden=hidden, n_layers=r.int("num_hidden_layers", alias=("n_layer",)), n_heads=heads, n_kv_heads=kv,
        head_dim=head_dim, intermediate=r.int("ffn_hidden_size", 4 * hidden), vocab=r.int("vocab_size"),
        gated_mlp=False, activation=r.text("activation", "gelu"), norm="layernorm",
        norms_per_layer=2 if (new_arch or not parallel) else 1, qkv_bias=bias, o_bias=bias, mlp_bias=bias,
        tied_embeddings=r.flag("tie_word_embeddings", True), parallel_attention=parallel,
        rotary_dim=0 if r.flag("alibi", False) else head_dim, max_context=r.int("max_position_embeddings", 0) or None,
    )


def _qwen3(r: _Reader) -> dict:
    """Qwen3 and Qwen3-MoE: Llama-shaped with an explicit head_dim, per-head q/k RMSNorm, no biases;
    the MoE variant has ``num_experts`` routed experts of ``moe_intermediate_size`` and no shared expert."""
    shapes = _llama_like(r)
    shapes["qk_norm"] = True
    if r.family == "qwen3_moe":
        layers = shapes["n_layers"]
        experts, top_k = r.int("num_experts"), r.int("num_experts_per_tok")
        if top_k > experts:
            raise InputError("num_experts_per_tok", f"num_experts_per_tok={top_k} must not exceed num_experts={experts}")
        if r.int("decoder_sparse_step", 1) != 1:
            raise InputError("decoder_sparse_step", "decoder_sparse_step must be 1 (every layer is MoE); "
                                                    "interleaved dense layers are not modelled")
        dense = r.raw("mlp_only_layers", [])
        if not isinstance(dense, list) or dense != list(range(len(dense))) or len(dense) > layers:
            raise InputError("mlp_only_layers", "mlp_only_layers must list the first k layers (0, 1, …, k−1) or be "
                                                "empty; dense layers elsewhere are not modelled")
        shapes.update(n_experts=experts, experts_per_token=top_k, moe_intermediate=r.int("moe_intermediate_size"),
                      first_dense_layers=len(dense))
    return shapes


def _bloom(r: _Reader) -> dict:
    """BLOOM: ALiBi positions (no rotary, no position table), a LayerNorm after the embeddings, biases
    everywhere, a 4h GELU MLP, embeddings tied to the output head."""
    hidden, heads = r.int("hidden_size", alias=("n_embed",)), r.int("n_head", alias=("num_attention_heads",))
    return dict(
        hidden=hidden, n_layers=r.int("n_layer", alias=("num_hidden_layers",)), n_heads=heads, n_kv_heads=heads,
        head_dim=_heads(r, hidden, heads, heads, None), intermediate=4 * hidden, vocab=r.int("vocab_size"),
        gated_mlp=False, activation="gelu", norm="layernorm", embedding_norm=True, qkv_bias=True, o_bias=True,
        mlp_bias=True, tied_embeddings=r.flag("tie_word_embeddings", True), rotary_dim=0,
        max_context=r.int("seq_length", 0) or None,
    )


def _deepseek(r: _Reader) -> dict:
    hidden, heads, layers = r.int("hidden_size"), r.int("num_attention_heads"), r.int("num_hidden_layers")
    r.raw("num_key_value_heads")  # nominal under MLA: the cache holds one shared latent
    nope, rope, v = r.int("qk_nope_head_dim"), r.int("qk_rope_head_dim"), r.int("v_head_dim")
    shapes = dict(
        hidden=hidden, n_layers=layers, n_heads=heads, n_kv_heads=heads, head_dim=nope + rope,
        intermediate=r.int("intermediate_size"), vocab=r.int("vocab_size"),
        activation=r.text("hidden_act", "silu"), tied_embeddings=r.flag("tie_word_embeddings", False),
        q_lora_rank=r.int("q_lora_rank", 0), kv_lora_rank=r.int("kv_lora_rank"), qk_nope_head_dim=nope,
        qk_rope_head_dim=rope, v_head_dim=v, rotary_dim=rope, max_context=r.int("max_position_embeddings", 0) or None,
    )
    if r.flag("attention_bias", False):
        raise InputError("attention_bias", "attention_bias=True is not modelled for MLA attention; set it to false")
    if r.has("n_routed_experts"):
        if r.count("moe_layer_freq", 1) != 1:
            raise InputError("moe_layer_freq", "moe_layer_freq must be 1 (every layer after the first dense ones is MoE)")
        experts, top_k = r.int("n_routed_experts"), r.int("num_experts_per_tok")
        first_dense = r.count("first_k_dense_replace", 0)
        if top_k > experts:
            raise InputError("num_experts_per_tok",
                             f"num_experts_per_tok={top_k} must not exceed n_routed_experts={experts}")
        if first_dense > layers:
            raise InputError("first_k_dense_replace",
                             f"first_k_dense_replace={first_dense} must not exceed num_hidden_layers={layers}")
        shapes.update(n_experts=experts, experts_per_token=top_k, n_shared_experts=r.count("n_shared_experts", 0),
                      moe_intermediate=r.int("moe_intermediate_size"), first_dense_layers=first_dense,
                      router_bias=r.raw("topk_method") == "noaux_tc")
    mtp = r.count("num_nextn_predict_layers", 0)
    if mtp:
        shapes["excluded_modules"] = f"{mtp} multi-token-prediction layer(s) (not used for plain decoding)"
    return shapes


READERS: dict[str, Callable[[_Reader], dict]] = {
    **{f: _llama_like for f in ("llama", "mistral", "mixtral", "qwen2", "gemma", "gemma2", "phi3")},
    "gpt2": _gpt2, "opt": _opt, "gpt_neox": _gpt_neox, "falcon": _falcon,
    "deepseek_v2": _deepseek, "deepseek_v3": _deepseek, "qwen3": _qwen3, "qwen3_moe": _qwen3, "bloom": _bloom,
}

_ARCHITECTURES = {
    "LlamaForCausalLM": "llama", "MistralForCausalLM": "mistral", "MixtralForCausalLM": "mixtral",
    "Qwen2ForCausalLM": "qwen2", "GemmaForCausalLM": "gemma", "Gemma2ForCausalLM": "gemma2",
    "Phi3ForCausalLM": "phi3", "GPT2LMHeadModel": "gpt2", "OPTForCausalLM": "opt",
    "GPTNeoXForCausalLM": "gpt_neox", "FalconForCausalLM": "falcon", "RWForCausalLM": "falcon",
    "DeepseekV2ForCausalLM": "deepseek_v2", "DeepseekV3ForCausalLM": "deepseek_v3",
    "Qwen3ForCausalLM": "qwen3", "Qwen3MoeForCausalLM": "qwen3_moe", "BloomForCausalLM": "bloom",
}
_MODEL_TYPES = {"RefinedWeb": "falcon", "RefinedWebModel": "falcon"}


def _family(config: Mapping[str, Any]) -> str:
    model_type = config.get("model_type")
    if isinstance(model_type, str) and (model_type in READERS or model_type in _MODEL_TYPES):
        return _MODEL_TYPES.get(model_type, model_type)
    archs = config.get("architectures") or config.get("architecture") or []
    archs = [archs] if isinstance(archs, str) else archs
    for arch in archs if isinstance(archs, list) else []:
        if isinstance(arch, str) and arch in _ARCHITECTURES:
            return _ARCHITECTURES[arch]
    unknown = sorted(k for k in config if k not in IGNORED)[:30]
    said = f"model_type={validate.quote(model_type)}" if model_type is not None else f"architectures={validate.quote(archs)}"
    raise InputError(
        "model_type",
        f"{said} is not a supported family ({', '.join(sorted(READERS))}); fields not understood: "
        f"{', '.join(' '.join(str(k)[:40].split()) for k in unknown) or 'none'}. "
        "If the model is Llama-shaped, set model_type to 'llama'.",
    )


def from_hf_config(
    config: Mapping[str, Any],
    *,
    name: str = "custom",
    published_params: str | None = None,
    published_active: str | None = None,
    exact_params: int | None = None,
    source: str = "pasted config.json",
) -> ModelConfig:
    """A :class:`ModelConfig` from a ``config.json`` dict (plain data; nothing in it is executed).

    >>> m = from_hf_config({"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,
    ...     "num_hidden_layers": 32, "num_attention_heads": 32, "vocab_size": 32000})
    >>> m.parameter_count().value  # LLaMA-7B's checkpoint count
    6738415616
    >>> from_hf_config({"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,
    ...     "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 6, "vocab_size": 32000})
    Traceback (most recent call last):
    calc.InputError: num_attention_heads=32 must be a multiple of num_key_value_heads=6
    """
    if not isinstance(config, Mapping):
        raise validate.fail("config", config, "is not a JSON object; give the {...} object of a config.json")
    name = validate.text("name", name)
    source = validate.text("source", source, empty=True, longest=2000)
    for key, text in (("published_params", published_params), ("published_active", published_active)):
        if text is not None:
            validate.text(key, text)
    exact_params = None if exact_params is None else validate.positive_int("exact_params", exact_params)
    nested = config.get("text_config")
    if isinstance(nested, Mapping) and "hidden_size" not in config:
        config = {**nested, **{k: v for k, v in config.items() if k != "text_config"}}
    family = _family(config)
    reader = _Reader(config, family)
    shapes = READERS[family](reader)
    not_understood = sorted(str(k)[:40] for k in config if k not in reader.used and k not in IGNORED)
    notes = (f"fields not understood (ignored): {', '.join(not_understood)}",) if not_understood else ()
    return ModelConfig(
        name=name[:80], family=family, **shapes, published_params=published_params,
        published_active=published_active, exact_params=exact_params, source=source, notes=notes,
    )


def resolve_model(model: str | Mapping[str, Any] | ModelConfig) -> ModelConfig:
    """A preset name, a ``config.json`` dict or a :class:`ModelConfig`, as a :class:`ModelConfig`."""
    if isinstance(model, Mapping):
        return from_hf_config(model)
    return get_model(model)
