from __future__ import annotations

import math

import pytest

import calc


def test_linear_layer_hand_values():
    # B=1, 4096x4096 fp16: FLOPs 2*4096^2 = 33,554,432; bytes 2*(4096^2 + 4096 + 4096) = 33,570,816
    r = calc.linear_layer(d_in=4096, d_out=4096, batch=1)
    assert r.flops.value == 33_554_432
    assert r.bytes_moved.value == 33_570_816
    assert r.intensity.value == pytest.approx(33_554_432 / 33_570_816)  # 0.9995: "about 1", not 2


def test_linear_layer_batch_128():
    # 128*4096/(4096 + 256) = 120.47
    assert calc.linear_layer(d_in=4096, d_out=4096, batch=128).intensity.value == pytest.approx(120.4706, rel=1e-5)


def test_crossover_matches_closed_form_and_roofline():
    c = calc.linear_layer_crossover(d_in=4096, d_out=4096, gpu="A100-SXM4-40GB")
    ridge = 312e12 / 1555e9
    assert c.threshold_batch.value == pytest.approx(ridge * 4096 / (4096 - 2 * ridge))
    # Just below and above the threshold, the roofline agrees with the crossover.
    for batch, bound in ((c.largest_memory_bound_batch, "memory"), (c.largest_memory_bound_batch + 1, "compute")):
        intensity = calc.linear_layer(d_in=4096, d_out=4096, batch=batch).intensity.value
        assert calc.attainable_performance(intensity=intensity, gpu="A100-SXM4-40GB").bound == bound


def test_crossover_never_reached_for_tiny_layer():
    # a 64x64 fp32 layer tops out at 2*64*64/(4*128) = 16 FLOP/byte < 153
    c = calc.linear_layer_crossover(d_in=64, d_out=64, bytes_per_element=4, gpu="A100-SXM4-80GB")
    assert math.isinf(c.threshold_batch.value)
    assert c.largest_memory_bound_batch is None
    assert set(c.bound_at.values()) == {"memory"}


@pytest.mark.parametrize(("field", "value"), [("d_in", 0), ("d_out", 2.5), ("batch", -3)])
def test_linear_layer_rejects_bad_sizes(field, value):
    kwargs = {"d_in": 16, "d_out": 16, "batch": 4, field: value}
    # Labelled, quoted, and the allowed range in the message.
    label = {"d_in": "Input width", "d_out": "Output width", "batch": "Batch"}[field]
    with pytest.raises(calc.InputError, match=f"^{label}: {value!r} .*; give a whole number from 1 to") as err:
        calc.linear_layer(**kwargs)
    assert err.value.field == field
