"""Per-operator FLOPs and bytes: hand arithmetic, invariants, and the pitfalls other calculators fall into."""

from __future__ import annotations

import pytest

import calc
from calc.core.validate import InputError


def ops(result):
    return {o.name: o for o in result.operators}


def decode(model="Llama-2-7B", **kw):
    return calc.forward_operators(model=model, phase="decode", **{"batch": 1, "seq_len": 1024, **kw})


def test_decode_reads_each_weight_once_including_lm_head():
    # Llama-2-7B bf16: every parameter read once (2 B), but the embedding table is only gathered:
    # 1 row of 4096 instead of 32000 rows, so 2 × (6,738,415,616 − 31,999 × 4096) bytes.
    r = decode()
    assert r.weight_bytes.value == 2 * (6_738_415_616 - 31_999 * 4096)
    # Pitfall: lm_head weight read missing at decode.  32000 × 4096 × 2 B, read even when tied (Gemma-2).
    assert ops(r)["lm_head"].weight_bytes == 32000 * 4096 * 2 == 262_144_000
    assert ops(decode("Gemma-2-9B"))["lm_head"].weight_bytes == 256000 * 3584 * 2


def test_lm_head_two_flops_per_multiply_add():
    # Pitfall: lm_head at 1 FLOP per multiply-add.  Decode, batch 4: 2 × 4 × 4096 × 32000.
    assert ops(decode(batch=4))["lm_head"].flops.value == 2 * 4 * 4096 * 32000


def test_kv_cache_counted_once_per_step():
    # Llama-2-7B, context 1024: read 1024 positions × (2 × 32 heads × 128 × 32 layers × 2 B = 524,288 B)
    # and write the new token's 524,288 B; fused or not, the cache is read once.
    for fused in (True, False):
        assert decode(fused_attention=fused).kv_bytes.value == 1024 * 524_288 + 524_288 == 537_395_200


def test_kv_read_uses_kv_heads_not_hidden():
    # Pitfall: KV sized with the hidden size.  Llama-2-70B (8 kv heads of 128, 80 layers), batch 2, context 4096:
    # 2 × 4096 × 2 × 8 × 128 × 80 × 2 B read + 2 × 2 × 8 × 128 × 80 × 2 B written.
    r = decode("Llama-2-70B", batch=2, seq_len=4096)
    assert r.kv_bytes.value == (2 * 4096 + 2) * 2 * 8 * 128 * 80 * 2


def test_gqa_divides_kv_bytes_by_group_size():
    gqa = calc.hf_config_of("Llama-2-70B")
    mha = {**gqa, "num_key_value_heads": 64}
    # 64 / 8 = 8 times fewer KV bytes with 8 kv heads
    assert decode(mha).kv_bytes.value == 8 * decode(gqa).kv_bytes.value


def test_head_dim_from_config():
    # Pitfall: head_dim = hidden / heads.  Gemma-2-9B q_proj is 3584 → 16 × 256 = 4096 wide:
    # 2 × 1 token × 3584 × 4096 FLOP × 42 layers.
    assert ops(decode("Gemma-2-9B"))["q_proj"].flops.value == 2 * 3584 * 4096 * 42


def test_activation_on_intermediate_width():
    # Pitfall: activation costed on the hidden size.  SwiGLU on 11008 elements per token: silu (4) + gate multiply (1)
    # = 5 FLOP × 8 tokens × 11008 × 32 layers.
    assert ops(decode(batch=8))["act·mul (silu)"].flops.value == 5 * 8 * 11008 * 32


def test_moe_counts_top_k_experts_and_loads_touched_ones():
    # Pitfall: MoE FLOPs counting all experts or only one.  Mixtral, 1 token: 2 experts × (2·4096·14336) per matrix.
    r = ops(decode("Mixtral-8x7B"))
    assert r["experts gate_proj"].flops.value == 2 * 2 * 4096 * 14336 * 32
    # One token touches exactly 2 experts: 8 × (1 − (6/8)^1) = 2 expert matrices loaded per layer.
    assert r["experts gate_proj"].weight_bytes == pytest.approx(2 * 4096 * 14336 * 2 * 32)
    # 64 tokens touch 8 × (1 − 0.75^64) ≈ 8 experts: all of them.
    big = ops(decode("Mixtral-8x7B", batch=64))["experts down_proj"].weight_bytes
    assert big == pytest.approx(8 * 4096 * 14336 * 2 * 32, rel=1e-6)


def test_decode_flops_linear_in_batch():
    # Every decode operator of a dense model does per-token work: 64 tokens = 64 × one token.
    assert decode(batch=64).flops.value == pytest.approx(64 * decode(batch=1).flops.value, rel=1e-12)


def test_int4_weights_quarter_of_fp16_plus_scales():
    # int4, group 128, fp16 scale + packed int4 zero per group: 0.5 + 2.5/128 B vs 2 B per weight.
    fp16, int4 = ops(decode(weights="fp16")), ops(decode(weights="int4"))
    assert int4["down_proj"].weight_bytes == pytest.approx(fp16["down_proj"].weight_bytes * (0.5 + 2.5 / 128) / 2)
    assert calc.data_format("int4", group_size=64).bytes_per_element == 0.5 + 2.5 / 64


def test_mla_decode_reads_only_the_latent():
    # DeepSeek-V3, context 1000, batch 1: (512 + 64) × 2 B × 61 layers per position read, plus the new token written.
    assert decode("DeepSeek-V3", seq_len=1000).kv_bytes.value == (1000 + 1) * 576 * 2 * 61


def test_causal_half_by_default_and_said():
    # Pitfall: non-causal prefill without saying so.  s = 100: causal pairs 100·101/2 = 5050, full 10,000.
    # QKᵀ per layer: 2 × b(1) × H(32) × pairs × 128.
    causal = calc.forward_operators(model="Llama-2-7B", phase="prefill", batch=1, seq_len=100, fused_attention=False)
    full = calc.forward_operators(model="Llama-2-7B", phase="prefill", batch=1, seq_len=100, fused_attention=False,
                                  causal=False)
    assert ops(causal)["attention scores QKᵀ"].flops.value == 2 * 32 * 5050 * 128 * 32
    assert ops(full)["attention scores QKᵀ"].flops.value == 2 * 32 * 10_000 * 128 * 32
    assert any("causal half" in c for c in causal.choices) and any("non-causal" in c for c in full.choices)


def test_fused_attention_keeps_scores_off_memory():
    # Unfused writes scores, softmax reads and writes them, ·V reads them: 4 × b·H·pairs × 2 B per layer more.
    kw = dict(model="Llama-2-7B", phase="prefill", batch=1, seq_len=100)
    extra = calc.forward_operators(**kw, fused_attention=False).activation_bytes.value - \
        calc.forward_operators(**kw).activation_bytes.value
    assert extra == 4 * 32 * 5050 * 2 * 32


def test_prefill_lm_head_last_position_unless_asked():
    kw = dict(model="Llama-2-7B", phase="prefill", batch=2, seq_len=100)
    assert ops(calc.forward_operators(**kw))["lm_head"].flops.value == 2 * 2 * 4096 * 32000
    assert ops(calc.forward_operators(**kw, all_logits=True))["lm_head"].flops.value == 2 * 200 * 4096 * 32000


def test_tensor_peak_for_matmuls_vector_peak_for_elementwise():
    # Pitfall: fp32 vector peak used as tensor peak.  A100-SXM4-80GB: bf16 tensor 312 TFLOP/s, fp32 vector 19.5.
    t = {o.name: o for o in calc.forward_time(gpu="A100-SXM4-80GB", model="Llama-2-7B", phase="prefill",
                                              batch=1, seq_len=512).operators}
    assert t["q_proj"].compute_time == t["q_proj"].flops / 312e12
    assert t["attention norm"].compute_time == t["attention norm"].flops / 19.5e12
    # int4 weights are dequantized: the matmul still runs at the bf16 peak.
    assert calc.matmul_peak_dtype(weights="int4", activations="bf16") == "bf16"


def test_time_shares_add_up_and_decode_is_memory_bound():
    t = calc.forward_time(gpu="A100-SXM4-80GB", model="Llama-2-7B", phase="decode", batch=1, seq_len=1024)
    assert sum(o.share for o in t.operators) == pytest.approx(1.0)
    # Batch-1 decode: ≈ 13.5 GB of weights at 2,039 GB/s; every operator memory-bound.
    assert t.memory_bound_share == 1.0
    assert t.time.value == pytest.approx(decode().bytes_moved.value / 2039e9, rel=1e-9)


def test_bad_inputs_name_the_field():
    with pytest.raises(InputError, match="Phase: 'train' is not allowed; give one of prefill, decode"):
        calc.forward_operators(model="Llama-2-7B", phase="train")
    with pytest.raises(InputError, match="KV cache format: 'fp6' is not a storage format") as info:
        decode(kv="fp6")
    assert info.value.field == "kv"
    with pytest.raises(InputError, match="Group size: 64 only applies to int4"):
        decode(weights="bf16", group_size=64)
    with pytest.raises(InputError, match="Number format: 'bf16' has no peak for V100"):
        calc.forward_time(gpu="V100-SXM2-32GB", model="Llama-2-7B")


def test_reproduces_the_source_formula_configured_its_way():
    # Source (calc.source.inference.seed_forward_pass): n(24bsh² + 4bs²h) + 2bshV for h 5120, b 8, s 1024, n 40, V 32000.
    from calc.source.examples import seed_comparison

    c = seed_comparison()
    assert c.seed.flops.value == 40 * (24 * 8 * 1024 * 5120**2 + 4 * 8 * 1024**2 * 5120) + 2 * 8 * 1024 * 5120 * 32000
    assert c.forward.flops.value == pytest.approx(c.seed.flops.value, rel=0.005)
    # Each of the source's terms is matched exactly by the operators that make it up; the rest is extra.
    for term in c.flop_terms[:3] + c.byte_terms[:2]:
        assert term.calc == term.source, term.term
    assert c.byte_terms[0].source == 24 * 40 * 5120**2  # 12·n·h² weights × 2 B (fp16)
