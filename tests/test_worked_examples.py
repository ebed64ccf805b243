"""The acceptance numbers: the source's worked examples, reproduced to the decimals it prints.

Source: shared/seed/roofline-and-llm-latency.zh.md, sections 1.1-2.3.
"""

from __future__ import annotations

import pytest

import calc
from calc.source import examples as ex
from calc.core.units import GIB


def test_llama13b_forward_pass_section_1_2():
    # Source prints: 215.71 TFLOPs, 28.52 GB, OI 7563.29 FLOPs/Byte.
    r = ex.llama13b_forward()
    assert round(r.flops.value / 1e12, 2) == 215.71
    assert round(r.bytes_moved.value / 1e9, 2) == 28.52
    assert round(r.intensity.value, 2) == 7563.29
    # Exact integers, by hand: 40*(24*8*1024*5120^2 + 4*8*1024^2*5120) + 2*8*1024*5120*32000
    assert r.flops.value == 40 * (24 * 8 * 1024 * 5120**2 + 4 * 8 * 1024**2 * 5120) + 2 * 8 * 1024 * 5120 * 32000
    assert r.flops.value == 215_714_732_441_600


def test_llama13b_is_compute_bound_on_a100():
    intensity = ex.llama13b_forward().intensity.value
    assert calc.attainable_performance(intensity=intensity, gpu="A100-SXM4-80GB").bound == "compute"
    assert calc.attainable_performance(intensity=intensity, gpu="A100-SXM4-40GB").bound == "compute"


def test_forward_pass_with_weights_in_bytes():
    # 2.4*12*40*5120^2 + 4*40*8*5120*2048 = 30,198,988,800 + 13,421,772,800 = 43,620,761,600 B
    r = ex.llama13b_forward(bytes_per_weight=2)
    assert r.bytes_moved.value == pytest.approx(43_620_761_600)
    assert round(r.intensity.value, 2) == 4945.23


@pytest.mark.parametrize(
    ("tflops", "gbps", "expected", "where"),
    [
        (125, 900, 138.9, "V100 (section 1.3: 138.9)"),
        (312, 1500, 208.0, "A100 from 1.5 TB/s (section 1.3: 208)"),
        (312, 2039, 153.0, "A100 80GB table row (153)"),
        (989, 3350, 295.2, "H100 SXM table row (295)"),
    ],
)
def test_ops_byte_ratios(tflops, gbps, expected, where):
    assert round(ex.seed_ratio(tflops=tflops, bandwidth_gbps=gbps).value, 1) == expected, where


def test_a100_ratio_from_prose_is_208():
    assert ex.a100_ratio_from_prose().value == pytest.approx(208.0)


def test_kv_cache_per_token_section_2_3():
    # 4 * 40 * 5120 = 819,200 B ("about 1 MB"); 4 * 80 * 8192 = 2,621,440 B ("about 2.5 MB" = 2.5 MiB)
    assert ex.seed_kv_per_token("LLaMA-13B").value == 819_200
    assert ex.seed_kv_per_token("LLaMA-65B").value == 2_621_440
    assert ex.seed_kv_per_token("LLaMA-65B").value == 2.5 * 2**20


@pytest.mark.parametrize(
    ("model", "dtype", "expected"),
    [
        ("LLaMA-13B", "fp16", 115.7),  # (256 - 24.6) / 2
        ("LLaMA-13B", "int8", 121.85),  # (256 - 12.3) / 2
        ("LLaMA-65B", "fp16", 26.88),  # (256 - 121.6) / 5
        ("LLaMA-65B", "int8", 39.04),  # (256 - 60.8) / 5
    ],
)
def test_seed_batch_limits(model, dtype, expected):
    assert round(ex.seed_batch_limit(model, dtype).batch.value, 2) == expected


@pytest.mark.parametrize(
    ("model", "dtype", "expected"),
    [
        # (8*32 GiB - 13,015,864,320*2 B) / (819,200 B * 2048): hand-checked 148.32
        ("LLaMA-13B", "fp16", 148.32),
        ("LLaMA-13B", "int8", 156.08),
        # 65B exact params 65,285,660,672 -> 121.604 GiB; cache 5 GiB: (256 - 121.604)/5 = 26.88
        ("LLaMA-65B", "fp16", 26.88),
        ("LLaMA-65B", "int8", 39.04),
    ],
)
def test_exact_batch_limits_in_gib(model, dtype, expected):
    assert round(ex.exact_batch_limit(model, dtype).limit.batch.value, 2) == expected


def test_exact_batch_limit_with_si_gigabytes_is_lower():
    # (8 * 32e9 - 26,031,728,640) / 1,677,721,600 = 137.07
    assert round(ex.exact_batch_limit("LLaMA-13B", physical_gib=False).limit.batch.value, 2) == 137.07


def test_exact_request_cache_is_not_2_gb():
    r = ex.exact_batch_limit("LLaMA-13B")
    assert r.kv_per_request.value == 819_200 * 2048 == 1_677_721_600
    assert r.kv_per_request.value / GIB == 1.5625
    assert ex.exact_batch_limit("LLaMA-65B").kv_per_request.value == 5 * GIB


def test_nodes_for_10000_users():
    assert ex.seed_nodes_for_users().value == 200  # 10000 / 50


def test_fc_4096_memory_bound_up_to_128_on_a100():
    for gpu in ("A100-SXM4-80GB", "A100-SXM4-40GB"):
        c = ex.fc_4096_on_a100(gpu)
        assert all(c.bound_at[b] == "memory" for b in (1, 32, 64, 128)), gpu
        assert c.bound_at[256] == "compute", gpu
    # B* = R*d/(d-2R) with R = 312/2.039 = 153.016: 153.016*4096/(4096-306.03) = 165.37
    assert round(ex.fc_4096_on_a100().threshold_batch.value, 2) == 165.37
