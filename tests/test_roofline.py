"""Roofline functions against hand arithmetic."""

from __future__ import annotations

import math

import pytest

import calc


def test_operational_intensity_hand_value():
    # 2 GFLOP on 0.5 GB -> 4 FLOP/byte
    q = calc.operational_intensity(flops=2e9, bytes_moved=0.5e9)
    assert q.value == 4.0 and q.unit == "FLOP/byte"
    assert q.substituted.endswith("= 4 FLOP/byte")


def test_ridge_point_from_catalog_and_from_numbers_agree():
    # 312 TFLOP/s / 2039 GB/s = 153.016...
    assert calc.ridge_point(gpu="A100-SXM4-80GB").value == pytest.approx(312e12 / 2039e9)
    assert calc.ridge_point(peak_flops=312e12, bandwidth=2039e9).value == pytest.approx(153.0162)


def test_ridge_point_other_dtype():
    # A100 int8 624 TOPS / 2039 GB/s = 306.03
    assert calc.ridge_point(gpu="A100-SXM4-80GB", dtype="int8").value == pytest.approx(306.0323, rel=1e-6)


def test_ridge_point_needs_hardware():
    with pytest.raises(ValueError, match="GPU is missing: give a catalog GPU name, or both a peak"):
        calc.ridge_point(peak_flops=1e12)


@pytest.mark.parametrize(
    ("intensity", "bound", "attainable"),
    [
        (10, "memory", 10 * 900e9),  # 9 TFLOP/s on the bandwidth slope
        (138.88, "memory", 138.88 * 900e9),
        (125e12 / 900e9, "compute", 125e12),  # exactly at the ridge: compute-bound
        (1000, "compute", 125e12),
    ],
)
def test_attainable_and_bound_on_v100(intensity, bound, attainable):
    p = calc.attainable_performance(intensity=intensity, gpu="V100-SXM2-16GB")
    assert p.bound == bound
    assert p.attainable.value == pytest.approx(attainable)


def test_kernel_time_is_max_of_compute_and_memory():
    # 100 TFLOP on 312 TFLOP/s = 0.3205 s; 1 TB on 2.039 TB/s = 0.4904 s -> memory-bound
    t = calc.kernel_time(flops=100e12, bytes_moved=1e12, gpu="A100-SXM4-80GB")
    assert t.compute_time.value == pytest.approx(100 / 312)
    assert t.memory_time.value == pytest.approx(1 / 2.039)
    assert t.time.value == t.memory_time.value and t.bound == "memory"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"flops": -1, "bytes_moved": 1}, "flops"),
        ({"flops": 1, "bytes_moved": 0}, "bytes_moved"),
        ({"flops": math.nan, "bytes_moved": 1}, "flops"),
        ({"flops": 1, "bytes_moved": math.inf}, "bytes_moved"),
        ({"flops": "10", "bytes_moved": 1}, "flops"),
    ],
)
def test_intensity_rejects_bad_input(kwargs, field):
    label = {"flops": "FLOPs", "bytes_moved": "Bytes moved"}[field]
    with pytest.raises(calc.InputError, match=f"^{label}: .*; give a number") as err:
        calc.operational_intensity(**kwargs)
    assert err.value.field == field


def test_attainable_rejects_non_positive_intensity():
    with pytest.raises(ValueError, match="Operational intensity: 0 is too small; give a number above 0"):
        calc.attainable_performance(intensity=0, gpu="A100")


def test_errors_name_the_field_for_forms():
    from calc.core.validate import InputError

    with pytest.raises(InputError) as err:
        calc.attainable_performance(intensity=-5, gpu="A100")
    assert err.value.field == "intensity"
    with pytest.raises(InputError) as err:
        calc.ridge_point(gpu="no-such-gpu")
    assert err.value.field == "gpu"
