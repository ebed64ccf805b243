from __future__ import annotations

import pytest

from calc.core import units


def test_gb_and_gib_are_distinct():
    assert units.GB == 1_000_000_000
    assert units.GIB == 1_073_741_824
    assert units.convert(32 * units.GIB, to="GB") == pytest.approx(34.359738368)


def test_convert_rejects_unknown_unit():
    with pytest.raises(ValueError, match=r"Unit: 'GBps' is not a known display unit"):
        units.convert(1.0, to="GBps")


@pytest.mark.parametrize(
    ("func", "value", "kwargs", "text"),
    [
        (units.fmt_bytes, 1_677_721_600, {}, "1.68 GB"),
        (units.fmt_bytes, 1_677_721_600, {"binary": True}, "1.56 GiB"),
        (units.fmt_bytes, 819_200, {}, "819.20 kB"),
        (units.fmt_flops, 215_714_732_441_600, {}, "215.71 TFLOP"),
        (units.fmt_flop_rate, 312e12, {}, "312.0 TFLOP/s"),
        (units.fmt_bandwidth, 2039e9, {}, "2.039 TB/s"),
        (units.fmt_bandwidth, 900e9, {}, "900 GB/s"),
        (units.fmt_time, 1.28e-3, {}, "1.28 ms"),
        (units.fmt_time, 8e-6, {}, "8.00 µs"),
        (units.fmt_number, 7563.2916, {}, "7,563.29"),
    ],
)
def test_formatters(func, value, kwargs, text):
    assert func(value, **kwargs) == text
