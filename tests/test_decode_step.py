"""Decode step with a growing KV cache, and attention at decode, against hand arithmetic."""

from __future__ import annotations

import pytest

import calc
from calc.core.units import GIB

LLAMA13B = dict(params=13e9, n_gpus=8, n_layers=40, d_model=5120, gpu="V100-SXM2-32GB")


def test_attention_decode_hand_values():
    # LLaMA-13B, one sequence at 2,048 tokens: 4*40*5120*2048 FLOPs over the 1.5625 GiB K+V cache.
    a = calc.attention_decode(context_len=2048, d_model=5120, n_layers=40)
    assert a.flops.value == 4 * 40 * 5120 * 2048 == 1_677_721_600
    assert a.bytes_moved.value == 1.5625 * GIB  # 819,200 B/token (memory page) x 2,048 tokens
    assert a.intensity.value == 1.0  # 2 FLOPs per fp16 byte, at any context
    assert calc.attention_decode(context_len=7, d_model=64, bytes_per_element=1).intensity.value == 2.0


def test_step_latency_hand_values():
    # B=64, t=2048 on 8 x V100: weights 2*13e9/(8*900e9) = 3.6111 ms,
    # KV 64*1,677,721,600 B/(8*900e9) = 14.9131 ms, comms 4*40*8 us = 1.28 ms.
    s = calc.decode_step_latency(batch=64, context_len=2048, **LLAMA13B)
    assert s.weights_read.value == pytest.approx(3.611111e-3)
    assert s.kv_read.value == pytest.approx(64 * 1_677_721_600 / 7.2e12)
    # compute: 64*(2*13e9 + 1,677,721,600)/(8*125e12) = 1.77137 ms, below the memory time
    assert s.compute.value == pytest.approx(64 * (26e9 + 1_677_721_600) / 1e15)
    assert s.latency.value == pytest.approx(3.611111e-3 + 14.913081e-3 + 1.28e-3)
    assert "max(3.61111 ms + 14.9131 ms, 1.77137 ms) + 1.28 ms" in s.latency.substituted


def test_one_cached_token_adds_exactly_its_kv_term_to_decode_latency():
    # One cached token: 819,200 B and 819,200 FLOPs per sequence on top of calc.decode_latency.
    # Below the knee (B < 138.9) the memory side grows by B*819,200/(8*900e9);
    # above it the compute side grows by B*819,200/(8*125e12).
    for batch, extra in ((1, 819_200 / 7.2e12), (64, 64 * 819_200 / 7.2e12),
                         (256, 256 * 819_200 / 1e15), (512, 512 * 819_200 / 1e15)):
        step = calc.decode_step_latency(batch=batch, context_len=1, **LLAMA13B).latency.value
        plain = calc.decode_latency(batch=batch, **LLAMA13B).latency.value
        assert step - plain == pytest.approx(extra, rel=1e-9), batch


def test_later_tokens_are_slower_and_more_so_at_large_batch():
    def lat(batch: int, t: int) -> float:
        return calc.decode_step_latency(batch=batch, context_len=t, **LLAMA13B).latency.value

    for batch in (1, 16, 64):
        curve = [lat(batch, t) for t in range(512, 2049, 64)]
        assert curve == sorted(curve) and curve[-1] > curve[0]
    # Growth from t=512 to t=2048 is the extra KV read: B*819,200 B*1,536/(8*900e9).
    assert lat(64, 2048) - lat(64, 512) == pytest.approx(64 * 819_200 * 1536 / 7.2e12)
    assert lat(64, 2048) - lat(64, 512) > 50 * (lat(1, 2048) - lat(1, 512))


@pytest.mark.parametrize(("field", "value"), [("context_len", 0), ("batch", 0), ("context_len", 2.5)])
def test_rejects_bad_input(field, value):
    kwargs = {"batch": 1, "context_len": 16, **LLAMA13B, field: value}
    with pytest.raises(calc.InputError, match=r"; give a whole number from 1 to") as err:
        calc.decode_step_latency(**kwargs)
    assert err.value.field == field
