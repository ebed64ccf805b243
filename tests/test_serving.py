"""The serving model: step composition, TP/PP/EP communication, memory fit, and its invariants."""

from __future__ import annotations

import itertools

import pytest

import calc

from calc.source import latency
from calc.serving.capacity import memory_plan
from calc.model.config import get_model
from calc.serving.parallel import all_to_all, pipeline_bubble, ring_all_reduce, source_comms_as_ring
from calc.serving.profile import _direct_lines, decode_lines
from calc.serving.efficiency import OPTIMISTIC, TYPICAL, efficiency
from calc.serving.estimate import serving_estimate, serving_range
from calc.serving.step import make_evaluator, step_time
from calc.core.validate import InputError

MODELS = ("Llama-2-7B", "Llama-3-70B", "Mixtral-8x7B", "DeepSeek-V2-Lite", "Gemma-2-9B")


def test_ring_all_reduce_arithmetic():
    # 2 × (4−1)/4 × 8 MB / (0.5 × 100 GB/s) + 10 µs = 240 µs + 10 µs
    q = ring_all_reduce(message_bytes=8e6, n_gpus=4, link_bandwidth=100e9, alpha=10e-6, link_efficiency=0.5)
    assert q.value == pytest.approx(250e-6)
    assert ring_all_reduce(message_bytes=8e6, n_gpus=1, link_bandwidth=100e9).value == 0
    # (8−1)/8 × 16 MB / 200 GB/s = 70 µs
    assert all_to_all(message_bytes=16e6, n_gpus=8, link_bandwidth=200e9, alpha=0).value == pytest.approx(70e-6)
    assert pipeline_bubble(stages=4, microbatches=12).value == pytest.approx(3 / 15)


def test_source_formulas_are_ring_limits():
    # The source's 4 · 40 layers · 8 µs = 1.28 ms and 64 · 2 · 4 · 40 · 5120 B / 300 GB/s = 0.3495 ms.
    r = source_comms_as_ring(n_layers=40, d_model=5120, batch=64, link_bandwidth=300e9)
    assert r.small_batch_ring.value == pytest.approx(1.28e-3) == r.small_batch_source.value
    assert r.large_batch_ring.value == pytest.approx(64 * 2 * 4 * 40 * 5120 / 300e9)
    assert r.large_batch_source.value == pytest.approx(r.large_batch_ring.value)
    small = latency.decode_latency_small_batch(params=13e9, n_gpus=8, n_layers=40, gpu="V100-SXM2-32GB")
    assert small.comms.value == pytest.approx(r.small_batch_ring.value)


@pytest.mark.parametrize("name", ("Mixtral-8x7B", "DeepSeek-V2-Lite", "Llama-2-7B"))
@pytest.mark.parametrize("batch", (1, 5, 77, 1000))
def test_fast_profile_equals_forward_operators(name, batch):
    """The affine fit (and MoE expert scaling) reproduces direct operator counts to rounding."""
    m = get_model(name)
    fast = decode_lines(m, batch=batch, weights="bf16", activations="bf16", kv="fp8")
    direct = _direct_lines(m, batch, "bf16", "bf16", "fp8", None)
    for a, d in zip(fast, direct, strict=True):
        for field in ("flops", "weight_bytes", "activation_bytes", "kv_bytes"):
            for x, y in zip(getattr(a, field), getattr(d, field)):
                assert x == pytest.approx(y, rel=1e-9, abs=1e-6), (a.name, field)


@pytest.mark.parametrize("name", sorted(m.name for m in calc.presets()))
@pytest.mark.parametrize("batch", (1, 96))
def test_fast_decode_equals_general_path_on_every_preset(name, batch):
    """The search's fast path (affine coefficients, no objects) and the general path (operator lines
    counted directly by forward_operators) go through the one per-operator function and must agree,
    component by component, over a context interval long enough for some operators to cross their ridge."""
    ev = make_evaluator(model=name, gpu="H100-SXM5-80GB", tp=1)
    s0 = 100
    s1 = min(ev.m.sliding_window or 8000, 8000) if ev.m.sliding_layers else 8000
    fast = ev._fast_ops(batch, s0, s1)
    slow = ev.ops(_direct_lines(ev.m, batch, ev.weights, ev.activations, ev.kv, None), s0, s1, batch=batch)
    for part in ("compute", "weights", "kv", "activations", "moe"):
        assert getattr(fast, part) == pytest.approx(getattr(slow, part), rel=1e-9, abs=1e-12), part
    assert fast.total > 0


def test_batch_one_decode_is_weights_over_bandwidth():
    # Llama-2-7B bf16 at context 1: the weights read (2 B × all parameters but the 31,999 embedding rows not
    # gathered, as in calc.model.operators) / (0.75 × 2039 GB/s) ≈ 8.65 ms, plus 32 layers × 29 µs overhead
    # (the default's per-layer cost, fitted on measured.json by scripts/fit_engine.py).
    t = step_time(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=1, seq_len=1)
    weights = 2 * get_model("Llama-2-7B").parameter_count().value - 2 * 4096 * 31999
    assert t.memory.value == pytest.approx(weights / (0.75 * 2039e9), rel=0.01)
    assert t.overhead.value == pytest.approx(32 * 29e-6)
    assert t.bound == "memory"


def test_estimate_definitions():
    r = serving_estimate(model="Llama-2-13B", gpu="A100-SXM4-80GB", batch=16, prompt_len=128, output_len=128,
                         batching="static")
    assert r.end_to_end.value == pytest.approx(r.ttft.value + 127 * r.tpot.value)
    assert r.throughput_per_user.value == pytest.approx(1 / r.tpot.value)
    assert r.throughput_per_gpu.value == pytest.approx(16 / r.tpot.value)
    steps = [s for _, s in r.per_token]
    assert steps == sorted(steps)  # the KV cache grows, each step is no faster
    assert "bound by" in r.why
    rng = serving_range(model="Llama-2-13B", gpu="A100-SXM4-80GB", batch=16)
    assert rng.optimistic.tpot.value < rng.typical.tpot.value


def test_continuous_batching_adds_interleaved_prefills():
    kw = dict(model="Llama-2-7B", gpu="H100-SXM5-80GB", batch=64, prompt_len=1024, output_len=256)
    static = serving_estimate(**kw, batching="static")
    cont = serving_estimate(**kw, batching="continuous")
    one_prefill = step_time(model="Llama-2-7B", gpu="H100-SXM5-80GB", phase="prefill", batch=1, seq_len=1024)
    assert cont.tpot.value == pytest.approx(static.tpot.value + 64 / 256 * one_prefill.total.value)


@pytest.mark.parametrize("bad, field", [
    (dict(tp=3), "tp"), (dict(batch=0), "batch"), (dict(weights="int3"), "weights"), (dict(gpu="nope"), "gpu"),
    (dict(batching="dynamic"), "batching"), (dict(gpu="V100-SXM2-32GB", activations="bf16"), "activations"),
])
def test_bad_inputs_name_the_field(bad, field):
    kw = dict(model="Llama-2-7B", gpu="A100-SXM4-80GB") | bad
    with pytest.raises(InputError) as err:
        serving_estimate(**kw)
    assert err.value.field == field
    with pytest.raises(InputError, match="Memory efficiency: 0 is too small; give a number from 0.001 to 1$"):
        efficiency(memory=0)


# ------------------------------------------------------------------ invariants

GRID = list(itertools.product(MODELS, ("A100-SXM4-80GB", "H100-SXM5-80GB", "L40S"), (1, 2, 8), (1, 2)))


@pytest.mark.parametrize("model, gpu, tp, pp", GRID)
def test_tpot_never_decreases_with_batch_or_context(model, gpu, tp, pp):
    ev_kw = dict(model=model, gpu=gpu, tp=tp, pp=pp, efficiency=TYPICAL)
    if get_model(model).n_heads % tp:
        pytest.skip("tp does not divide the heads")
    ev = make_evaluator(**ev_kw)
    last = 0.0
    for b in (1, 2, 3, 8, 31, 64, 200, 1024):
        t = ev.decode(batch=b, s0=1000, s1=1000).total
        assert t >= last * (1 - 1e-12)
        last = t
    last = 0.0
    for s in (1, 100, 2000, 4095, 4097, 9000, 32000):
        t = ev.decode(batch=16, s0=s, s1=s).total
        assert t >= last * (1 - 1e-12)
        last = t


@pytest.mark.parametrize("model, gpu, tp, pp", GRID)
def test_throughput_never_exceeds_roofline(model, gpu, tp, pp):
    if get_model(model).n_heads % tp:
        pytest.skip("tp does not divide the heads")
    for batch in (1, 16, 512):
        for eff in (TYPICAL, OPTIMISTIC):
            r = serving_estimate(model=model, gpu=gpu, tp=tp, pp=pp, batch=batch, prompt_len=512, output_len=256,
                                 batching="static", efficiency=eff, curve_points=2)
            assert 0 < r.throughput_per_gpu.value <= r.roofline_bound_per_gpu.value


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("gpu", ("A100-SXM4-80GB", "H100-PCIe-80GB"))
def test_doubling_tp_never_more_than_halves_step_time(model, gpu):
    heads = get_model(model).n_heads
    for phase, batch, seq in (("decode", 1, 512), ("decode", 256, 4096), ("prefill", 1, 2048), ("prefill", 8, 512)):
        tps = [t for t in (1, 2, 4, 8) if heads % t == 0]
        times = [step_time(model=model, gpu=gpu, phase=phase, batch=batch, seq_len=seq, tp=t).total.value for t in tps]
        for (t1, a), (t2, b) in zip(zip(tps, times), zip(tps[1:], times[1:])):
            assert b >= a * t1 / t2 * (1 - 1e-12), (phase, t1, t2)


# ------------------------------------------------------------------ memory

def test_memory_plan_arithmetic():
    # LLaMA-13B fp16 on 8 × V100 (32 GB each), TP8: 13,015,864,320 × 2 B / 8 = 3.254 GB of weights per GPU;
    # KV 819,200 B/token × 2,048 tokens / 8 = 209.7 MB per request per GPU; reserve 3.2 GB.
    p = memory_plan(model="LLaMA-13B", gpu="V100-SXM2-32GB", tp=8, batch=50, context_len=2048, prompt_len=512)
    assert p.weights.value == pytest.approx(13_015_864_320 * 2 / 8)
    assert p.kv_cache.value == pytest.approx(50 * 819_200 * 2048 / 8)
    assert p.reserve.value == pytest.approx(3.2e9)
    assert p.fits and p.headroom.value > 0
    assert p.largest_batch == 121  # (32 − 3.2 − 3.254 − workspace) GB / (209.7 MB + logits) per request


def test_paging_rounds_up_to_blocks_and_gqa_copies_kv_heads():
    paged = memory_plan(model="Llama-2-7B", gpu="A100-SXM4-80GB", context_len=1000, block_size=16)
    exact = memory_plan(model="Llama-2-7B", gpu="A100-SXM4-80GB", context_len=1000, block_size=None)
    assert paged.kv_cache.value / exact.kv_cache.value == pytest.approx(1008 / 1000)
    # Llama-3-70B has 8 KV heads: TP16 would still hold one head per GPU, so TP8 → TP16 keeps the per-GPU cache.
    k8 = memory_plan(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=8, context_len=4096).kv_cache.value
    k4 = memory_plan(model="Llama-3-70B", gpu="H100-SXM5-80GB", tp=4, context_len=4096).kv_cache.value
    assert k4 == pytest.approx(2 * k8)


def test_not_fitting_is_reported_with_the_shortfall():
    p = memory_plan(model="Llama-2-70B", gpu="A100-SXM4-80GB")
    assert not p.fits and p.largest_batch == 0
    assert p.headroom.value < -60e9  # 138 GB of fp16 weights alone exceed 80 GB
    with pytest.raises(InputError, match="Reserved memory fraction: 1 is too large; give a number from 0 to 0.99") as err:
        memory_plan(model="Llama-2-7B", gpu="A100-SXM4-80GB", reserve_fraction=1)
    assert err.value.field == "reserve_fraction"
