"""Model configs and parameter counts against shared/reference/models.json and hand arithmetic."""

from __future__ import annotations

import pytest

import calc
from calc.model.hf_config import from_hf_config
from calc.core.validate import InputError


@pytest.mark.parametrize(
    ("name", "exact"),
    [  # reference models.json "exact" (checkpoint element counts)
        ("LLaMA-7B", 6_738_415_616),
        ("LLaMA-13B", 13_015_864_320),
        ("Llama-2-7B", 6_738_415_616),
        ("Llama-2-13B", 13_015_864_320),
        ("Llama-2-70B", 68_976_648_192),
        ("Mistral-7B", 7_241_732_096),
        ("Mixtral-8x7B", 46_702_792_704),
    ],
)
def test_exact_parameter_counts(name, exact):
    model = calc.get_model(name)
    assert model.parameter_count().value == exact
    assert model.exact_params == exact  # the package data agrees with the reference


@pytest.mark.parametrize(
    ("name", "published"),
    [  # reference models.json "published_stated", figures given to 3+ significant digits (or rounding to them)
        ("LLaMA-33B", 32.5e9), ("LLaMA-65B", 65.2e9),  # LLaMA paper Table 2
        ("Llama-3-8B", 8e9), ("Llama-3.1-405B", 405e9),  # model card; Llama 3 paper Table 3
        ("Mixtral-8x22B", 141e9),  # mistral.ai announcement
        ("Qwen2.5-7B", 7.61e9), ("Qwen2.5-72B", 72.7e9),  # Qwen2.5 model cards
        ("DeepSeek-V2-Lite", 15.7e9),  # DeepSeek-V2 paper appendix
        ("DeepSeek-V3", 671e9),  # technical report: 671B main model, MTP module excluded
        ("GPT-3-175B", 175.0e9),  # GPT-3 paper Table 2.1
        ("OPT-66B", 66e9),  # OPT paper Table 1
        ("Gemma-2-9B", 9.24e9),  # HF model card
    ],
)
def test_published_counts_within_half_a_percent(name, published):
    assert calc.get_model(name).parameter_count().value == pytest.approx(published, rel=0.005)


def test_round_names_are_not_counts():
    # "3.8B" (Phi-3 report) and "70B" (Llama 3 card) are rounded names: the count rounds to them
    # (3,821,079,552 -> 3.8B) or is what the shapes give (70,553,706,496, above "70B" by 0.8 %).
    assert round(calc.get_model("Phi-3-mini").parameter_count().value / 1e8) / 10 == 3.8
    assert calc.get_model("Llama-3-70B").parameter_count().value == 70_553_706_496
    # Falcon-40B with tied embeddings (HF config): 60 × (8192·(128+16)·64 + 8192² + 2·8192·32768 + 4·8192)
    # + 65024·8192 + 2·8192 = 41,303,293,952, i.e. 41.3B for the model named "40B".
    assert calc.get_model("Falcon-40B").parameter_count().value == 41_303_293_952


def test_active_parameters_for_moe():
    # Mixtral: "46.7B total parameters but only uses 12.9B parameters per token" (mistral.ai)
    assert calc.get_model("Mixtral-8x7B").parameters().active.value == pytest.approx(12.9e9, rel=0.005)
    # DeepSeek-V3 README_WEIGHTS: 36.6B activated, counting the output head but not the embedding table.
    v3 = calc.get_model("DeepSeek-V3").parameters()
    assert v3.active.value - v3.embeddings.value == pytest.approx(36.6e9, rel=0.005)


TINY = {  # hidden 8, 2 layers, 2 query heads, 1 kv head of 4, gated MLP 16, vocab 10, untied
    "model_type": "llama", "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2,
    "num_key_value_heads": 1, "head_dim": 4, "intermediate_size": 16, "vocab_size": 10,
}


def test_tiny_config_by_hand():
    p = from_hf_config(TINY).parameters()
    # attention per layer: q 8·2·4 = 64, k 8·1·4 = 32, v 32, o 64 -> 192; × 2 layers = 384
    assert p.attention.value == 384
    # MLP per layer 3·8·16 = 384; × 2 = 768.  Norms 2 layers × 2 × 8 + final 8 = 40.
    assert (p.mlp.value, p.norms.value) == (768, 40)
    # embeddings 10·8 = 80, untied lm_head 80: total 384 + 768 + 40 + 160 = 1352
    assert (p.embeddings.value, p.lm_head.value, p.total.value) == (80, 80, 1352)
    tied = from_hf_config({**TINY, "tie_word_embeddings": True}).parameters()
    assert (tied.lm_head.value, tied.total.value) == (0, 1272)  # tied weights counted once


def test_gpt2_small_and_falcon_7b_field_names():
    # GPT-2 small: wte 50257·768 + wpe 1024·768 + 12 × (12·768² + 13·768) + ln_f 2·768 = 124,439,808
    gpt2 = {"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024,
            "vocab_size": 50257}
    assert from_hf_config(gpt2).parameter_count().value == 124_439_808
    # Falcon-7B: multi-query, parallel attention, one LayerNorm per layer, tied head:
    # 32 × (4544·73·64 + 4544² + 2·4544·18176 + 2·4544) + 65024·4544 + 2·4544 = 6,921,720,704
    falcon = {"architectures": ["FalconForCausalLM"], "hidden_size": 4544, "num_attention_heads": 71,
              "num_hidden_layers": 32, "vocab_size": 65024, "multi_query": True, "parallel_attn": True,
              "new_decoder_architecture": False, "bias": False}
    assert from_hf_config(falcon).parameter_count().value == 6_921_720_704


def test_head_dim_is_not_hidden_over_heads():
    # Gemma-2-9B: head_dim 256, not 3584/16 = 224 (reference trap); q and o are 3584 × 16·256,
    # k and v 3584 × 8·256: 2·3584·4096 + 2·3584·2048 = 44,040,192 per layer.
    gemma = calc.get_model("Gemma-2-9B")
    assert gemma.head_dim == 256
    assert gemma.parameters().attention.value == 42 * 44_040_192


def test_qwen2_has_qkv_bias():
    # Qwen2.5-7B: q 3584·3584, k and v 3584·512, o 3584·3584, plus q/k/v biases 3584 + 2·512 = 4608
    per_layer = 2 * 3584 * 3584 + 2 * 3584 * 512 + 4608
    assert calc.get_model("Qwen2.5-7B").parameters().attention.value == 28 * per_layer


def test_kv_bytes_per_token():
    # GQA: 2 (K, V) × 8 kv heads × 128 × 80 layers × 2 B = 327,680 B, an eighth of the MHA figure
    # 2 × 8192 × 80 × 2 that a hidden-size formula would give (pitfall: KV sized with the hidden size).
    assert calc.get_model("Llama-2-70B").kv_bytes_per_token().value == 327_680 == 2 * 8192 * 80 * 2 // 8
    # MLA: (kv_lora_rank 512 + qk_rope_head_dim 64) × 61 layers × 2 B = 70,272 B (reference: 576 per layer)
    assert calc.get_model("DeepSeek-V3").kv_bytes_per_token().value == 576 * 61 * 2 == 70_272


def test_reference_names_are_aliases():
    assert calc.get_model("LLaMA-7B (v1)").name == "LLaMA-7B"
    assert calc.get_model("mixtral-8x7b-v0.1").name == "Mixtral-8x7B"


def test_every_preset_has_a_source():
    assert len(calc.presets()) == 22  # every model of shared/reference/models.json
    assert all("http" in m.source or "arXiv" in m.source or "paper" in m.source for m in calc.presets())


def test_unknown_model_lists_presets():
    with pytest.raises(ValueError, match=r"Model: 'LLaMA-14B' is not a preset; did you mean: .*LLaMA-13B"):
        calc.get_model("LLaMA-14B")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"num_key_value_heads": 6}, "num_key_value_heads",
         "num_attention_heads=2 must be a multiple of num_key_value_heads=6"),
        ({"hidden_size": None}, "hidden_size", "hidden_size is missing; a llama config needs it"),
        ({"vocab_size": "32000"}, "vocab_size", "vocab_size: '32000' is not a number; give a whole number from 1 to 100,000,000"),
        ({"tie_word_embeddings": "yes"}, "tie_word_embeddings", "tie_word_embeddings: 'yes' must be true or false"),
        ({"head_dim": None, "hidden_size": 9}, "head_dim", "hidden_size=9 is not divisible by num_attention_heads=2"),
    ],
)
def test_bad_configs_name_the_field(change, field, message):
    with pytest.raises(InputError, match=message) as info:
        from_hf_config({k: v for k, v in {**TINY, **change}.items() if v is not None})
    assert info.value.field == field


def test_unknown_architecture_lists_fields_not_understood():
    config = {"architectures": ["MambaForCausalLM"], "d_model": 768, "n_layer": 24, "rope_theta": 1e4}
    with pytest.raises(InputError, match=r"architectures=\['MambaForCausalLM'\] is not a supported family") as info:
        from_hf_config(config)
    assert info.value.field == "model_type"
    assert "d_model, n_layer" in str(info.value) and "rope_theta" not in str(info.value)


def test_unused_fields_are_reported_not_executed():
    m = from_hf_config({**TINY, "__import__('os')": "<script>alert(1)</script>"})
    assert m.notes == ("fields not understood (ignored): __import__('os')",)


def test_moe_top_k_cannot_exceed_experts():
    config = {**calc.hf_config_of("DeepSeek-V2-Lite"), "num_experts_per_tok": 65}
    with pytest.raises(InputError, match="num_experts_per_tok=65 must not exceed n_routed_experts=64"):
        from_hf_config(config)
    # Mixtral's spelling too: 9 of 8 experts per token is refused, as DeepSeek's is.
    mixtral = {**calc.hf_config_of("Mixtral-8x7B"), "num_experts_per_tok": 9}
    with pytest.raises(InputError, match="num_experts_per_tok=9 must not exceed num_local_experts=8") as info:
        from_hf_config(mixtral)
    assert info.value.field == "num_experts_per_tok"


def test_config_sizes_are_bounded():
    # 10^30 layers would overflow every later product: refused on the key the reader pasted, with the bound.
    with pytest.raises(InputError, match=r"^num_hidden_layers: 1e\+30 is too large; give a whole number from 1 to 100,000$"):
        from_hf_config({**TINY, "num_hidden_layers": 1e30})


def test_custom_decoder_checks_heads():
    with pytest.raises(InputError, match="KV heads: 6 does not divide the 32 attention heads; give a divisor of 32"):
        calc.dense_decoder(hidden=4096, n_layers=2, n_heads=32, n_kv_heads=6, intermediate=11008, vocab=32000)
    with pytest.raises(InputError, match="Hidden size: 4100 is not divisible by the 32 attention heads"):
        calc.dense_decoder(hidden=4100, n_layers=2, n_heads=32, intermediate=11008, vocab=32000)


def test_custom_decoder_matches_preset():
    custom = calc.dense_decoder(hidden=5120, n_layers=40, n_heads=40, intermediate=13824, vocab=32000)
    assert custom.parameter_count().value == calc.get_model("LLaMA-13B").parameter_count().value


BLOOM_176B = {  # bigscience/bloom config.json (the fields that shape the model, plus some that shape nothing)
    "architectures": ["BloomForCausalLM"], "model_type": "bloom", "hidden_size": 14336, "n_head": 112,
    "n_layer": 70, "vocab_size": 250880, "layer_norm_epsilon": 1e-05, "masked_softmax_fusion": True,
    "offset_alibi": 100, "pretraining_tp": 4, "slow_but_exact": False, "seq_length": 2048,
    "apply_residual_connection_post_layernorm": False, "unk_token_id": 0, "bos_token_id": 1, "eos_token_id": 2,
}


def test_bloom_config_counts_the_published_176b_exactly():
    """BLOOM's model card: 176,247,271,424 parameters.  By hand: embeddings 250880·14336 = 3,596,615,680; the
    embedding and final LayerNorms 2·(2·14336); per layer qkv 14336·43008 + 43008, dense 14336² + 14336,
    MLP 2·14336·57344 + 57344 + 14336, two LayerNorms 4·14336 = 2,466,437,120, × 70 layers."""
    m = calc.from_hf_config(BLOOM_176B)
    assert m.parameter_count().value == 70 * 2_466_437_120 + 3_596_615_680 + 2 * 2 * 14336 == 176_247_271_424
    assert (m.rotary_dim, m.position_embeddings, m.embedding_norm, m.notes) == (0, 0, True, ())  # ALiBi
    ops = {o.name for o in calc.forward_operators(model=BLOOM_176B, phase="decode").operators}
    assert "embedding norm" in ops and not any(name.startswith("rotary") for name in ops)


QWEN3_30B_A3B = {  # Qwen/Qwen3-30B-A3B config.json
    "architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 2048,
    "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128, "num_hidden_layers": 48,
    "intermediate_size": 6144, "moe_intermediate_size": 768, "num_experts": 128, "num_experts_per_tok": 8,
    "vocab_size": 151936, "tie_word_embeddings": False, "decoder_sparse_step": 1, "mlp_only_layers": [],
    "norm_topk_prob": True, "attention_bias": False, "sliding_window": None, "use_sliding_window": False,
    "max_window_layers": 48, "max_position_embeddings": 40960, "rope_theta": 1e6, "rms_norm_eps": 1e-6,
    "hidden_act": "silu",
}


def test_qwen3_moe_config_matches_the_published_30b_a3b():
    """Qwen3-30B-A3B's model card: 30.5B parameters, 3.3B activated.  By hand, per layer: attention
    2·2048·4096 + 2·2048·512 = 18,874,368, q/k norms 2·128, 128 experts × 3·2048·768 = 603,979,776, router
    2048·128 = 262,144, two norms 4,096; × 48 plus embeddings and head 2·151936·2048 and the final norm."""
    m = calc.from_hf_config(QWEN3_30B_A3B)
    p = m.parameters()
    per_layer = 18_874_368 + 256 + 603_979_776 + 262_144 + 4096
    assert p.total.value == 48 * per_layer + 2 * 151936 * 2048 + 2048 == 30_532_122_624
    assert p.active.value == p.total.value - 48 * 120 * 3 * 2048 * 768  # 8 of the 128 experts per token
    # The card rounds: 3.35B here against its "3.3B activated" (and 30.53B against "30.5B").
    assert abs(p.active.value / 3.3e9 - 1) < 0.02 and round(p.total.value / 1e9, 1) == 30.5
    assert m.qk_norm and m.n_experts == 128 and m.notes == ()


def test_qwen3_moe_with_dense_layers_in_the_middle_is_refused():
    with pytest.raises(InputError, match="mlp_only_layers"):
        calc.from_hf_config({**QWEN3_30B_A3B, "mlp_only_layers": [3, 7]})


def test_falcon_num_key_value_heads_is_read_as_grouped_query_attention():
    """The Llama spelling in a Falcon (new decoder architecture) config must not turn the model into MHA."""
    config = {"model_type": "falcon", "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8,
              "new_decoder_architecture": True, "num_hidden_layers": 60, "vocab_size": 65024}
    m = calc.from_hf_config(config)
    assert m.n_kv_heads == 8
    assert m.kv_bytes_per_token().value == 2 * 8 * 128 * 60 * 2  # K and V, 8 heads of 128, 60 layers, 2 bytes
