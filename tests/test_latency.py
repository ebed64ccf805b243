"""Decode latency (source section 2.1) against hand arithmetic."""

from __future__ import annotations

import pytest

import calc


def test_small_batch_hand_values():
    # 2*13e9 / (8*900e9) = 3.6111 ms; 4*40*8 us = 1.28 ms
    r = calc.decode_latency_small_batch(params=13e9, n_gpus=8, n_layers=40, gpu="V100-SXM2-32GB")
    # The source's "compute" term is a weight read: bytes over bandwidth (errata E13).
    assert r.weight_read.value == pytest.approx(3.611111e-3) and r.compute is None
    assert r.comms.value == pytest.approx(1.28e-3)
    assert r.total.value == pytest.approx(4.891111e-3)
    assert "2 × 13,000,000,000 B / (8 × 900 GB/s)" in r.weight_read.substituted
    assert r.total.formula == "weight_read + comms"


def test_large_batch_hand_values():
    # 64*2*13e9/(8*125e12) = 1.664 ms; 64*2*4*40*5120 B / 300e9 B/s = 0.34953 ms
    r = calc.decode_latency_large_batch(params=13e9, n_gpus=8, batch=64, n_layers=40, d_model=5120,
                                        gpu="V100-SXM2-32GB")
    assert r.compute.value == pytest.approx(1.664e-3)
    assert r.comms.value == pytest.approx(64 * 2 * 4 * 40 * 5120 / 300e9)


def test_explicit_figures_override_the_catalog():
    r = calc.decode_latency_small_batch(params=1e9, n_gpus=1, n_layers=1, memory_bandwidth=1e9, hop_latency=0)
    assert r.total.value == 2.0  # 2e9 bytes at 1e9 B/s


def test_missing_figure_names_the_field():
    with pytest.raises(calc.InputError, match="Link bandwidth is missing"):
        calc.decode_latency_large_batch(params=1e9, n_gpus=1, batch=1, n_layers=1, d_model=8, peak_flops=1e12)


def test_combined_curve_is_flat_then_linear():
    def lat(b: int) -> float:
        return calc.decode_latency(params=13e9, n_gpus=8, batch=b, n_layers=40, d_model=5120,
                                   gpu="V100-SXM2-32GB").latency.value

    assert lat(1) == lat(64) == lat(128)  # weight read dominates
    # Knee at B = A_f / A_bm = 138.9: past it compute grows linearly.
    assert lat(512) - lat(256) == pytest.approx(256 * 2 * 13e9 / (8 * 125e12) + 256 * 2 * 4 * 40 * 5120 / 300e9)
    curve = [lat(b) for b in range(1, 600, 7)]
    assert curve == sorted(curve)  # never decreases with batch


@pytest.mark.parametrize(("field", "value"), [("n_gpus", 0), ("params", -1.0), ("n_layers", 1.5)])
def test_rejects_bad_input(field, value):
    kwargs = {"params": 13e9, "n_gpus": 8, "n_layers": 40, "gpu": "V100", field: value}
    with pytest.raises(calc.InputError, match=f": {value!r} is ") as err:
        calc.decode_latency_small_batch(**kwargs)
    assert err.value.field == field
