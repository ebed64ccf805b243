"""KV cache, weights and batch limits (source section 2.3)."""

from __future__ import annotations

import pytest

import calc
from calc.core.units import GIB


def test_kv_cache_per_token_and_request():
    assert calc.kv_cache_per_token(n_layers=40, d_model=5120).value == 819_200  # 2*2*40*5120
    assert calc.kv_cache_per_token(n_layers=40, d_model=5120, bytes_per_element=1).value == 409_600  # int8 KV
    assert calc.kv_cache_per_request(n_layers=80, d_model=8192, context_len=2048).value == 5 * GIB


def test_weights_bytes():
    assert calc.weights_bytes(params=65_285_660_672, bytes_per_param=2).value == 130_571_321_344


def test_max_batch_whole_requests():
    r = calc.max_batch(total_memory=256, weights=24.6, per_request=2)
    assert r.whole_batch == 115
    assert r.batch.substituted == "(256 − 24.6) / 2 = 115.7 requests"


def test_cache_that_does_not_fit_is_an_error():
    with pytest.raises(ValueError, match="the KV cache of even one request does not fit"):
        calc.max_batch(total_memory=80, weights=70, per_request=16)


def test_weights_that_do_not_fit_is_an_error():
    with pytest.raises(ValueError, match=r"Weights: 130 do not fit in a total memory of 80"):
        calc.max_batch(total_memory=80, weights=130, per_request=1)


def test_model_batch_limit_from_catalog_memory():
    # 1 x A100 80GB (80e9 B), LLaMA-7B fp16 (6,738,415,616 params -> 13,476,831,232 B),
    # cache 2*2*32*4096 = 524,288 B/token x 4096 tokens = 2,147,483,648 B -> (80e9 - 13.4768e9)/2.1475e9 = 30.98
    r = calc.model_batch_limit(model="LLaMA-7B", n_gpus=1, context_len=4096, gpu="A100-SXM4-80GB")
    assert r.limit.batch.value == pytest.approx((80e9 - 13_476_831_232) / 2_147_483_648)
    assert r.limit.whole_batch == 30


def test_model_batch_limit_uses_kv_heads_for_gqa():
    # Llama-2-70B: 8 KV heads x 128 = 1024 wide, not 8192: 2*2*80*1024 = 327,680 B/token
    r = calc.model_batch_limit(model="Llama-2-70B", n_gpus=8, context_len=4096, gpu="H100-SXM5-80GB")
    assert r.kv_per_token.value == 327_680


def test_model_batch_limit_when_model_does_not_fit():
    with pytest.raises(ValueError, match="do not fit"):
        calc.model_batch_limit(model="LLaMA-65B", n_gpus=1, context_len=2048, gpu="A100-SXM4-80GB")


def test_model_batch_limit_needs_memory():
    with pytest.raises(ValueError, match="Memory per GPU is missing"):
        calc.model_batch_limit(model="LLaMA-13B", n_gpus=8, context_len=2048)


def test_nodes_round_up():
    assert calc.nodes_for_users(users=10_001, requests_per_node=50).value == 201
    with pytest.raises(ValueError, match=r"Requests per node: 0 is too small; give a number from 0\.001 to"):
        calc.nodes_for_users(users=10, requests_per_node=0)
