"""The model against published measurements (calc/data/measured.json): errors pinned so accuracy cannot silently worsen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import calc
from calc.serving import validation
from calc.serving.efficiency import TYPICAL

REFERENCE = Path("/work/shared/reference/measured-public.json")

# Pinned from the current model (see docs/validation.md); a change that raises any of these fails.  Re-pinned
# when the default profile became the one fitted by scripts/fit_engine.py (median 6.5 % -> 4.7 %, worst
# +99.8 % -> +58 %); the grid calibration on top of it is slightly worse on the test half than before
# (4.8 % -> 5.0 %): it now starts from the fitted fixed costs and only re-grids three of them.
# Re-pinned when LMDeploy's first-token latency gained its first decode step (median 4.7 % -> 4.2 %, test half
# 4.6 % -> 4.4 %, calibrated test half 5.0 % -> 3.9 %; the short prompts m112 and m121 from -37 % and -45 % to
# +8 % and -2 %).
PINNED = {"default": (0.0422, 0.581), "default_test": (0.0440, 0.581), "calibrated_test": (0.0390, 0.418)}


def test_every_point_is_read_with_its_source():
    ps = validation.points()
    assert len(ps) == 49
    assert all(p.source and p.measured > 0 for p in ps)
    m098 = next(p for p in ps if p.id == "m098")  # LMDeploy: Llama-2-7B batch 1, 128 in/128 out, TPOT p50 0.010 s
    assert (m098.model, m098.batch, m098.prompt_len, m098.metric, m098.measured) == ("Llama-2-7B", 1, 128, "tpot", 0.01)
    if REFERENCE.exists():  # the copy matches the project's reference file
        ref = {json.dumps(e, sort_keys=True) for e in json.loads(REFERENCE.read_text())["entries"] if "id" in e}
        ours = json.loads((Path(calc.__file__).parent / "data/measured.json").read_text())["entries"]
        assert {json.dumps(e, sort_keys=True) for e in ours if not e["id"].startswith("ft")} == ref


def test_errors_do_not_get_worse():
    s = validation.summary()
    for key, (median, worst) in PINNED.items():
        assert s[key].median_abs_error <= median, key
        assert abs(s[key].worst.error) <= worst, key


def test_decode_points_uncalibrated_within_25_percent_except_known_misses():
    # Known miss, explained on the validation page: gpt-fast's int4 weight-only kernel (m140).  m139 (int8) and
    # m145 (TP8) came within 25 % when the per-layer cost was fitted (29 µs instead of the assumed 8 µs).
    decode = [r for r in validation.report(TYPICAL).rows if r.point.metric in ("tpot", "decode_rate", "throughput")]
    misses = {r.point.id for r in decode if abs(r.error) > 0.25}
    assert misses == {"m140"}


def test_calibration_is_fitted_on_one_half_only():
    fit, test = validation.halves()
    assert not {p.id for p in fit} & {p.id for p in test} and len(fit) + len(test) == 49
    cal = validation.calibrated()
    assert cal.compute in validation.GRID_COMPUTE and cal.memory in validation.GRID_MEMORY


def test_one_prediction_by_hand():
    # m138, gpt-fast, Llama-2-7B bf16 batch 1: 1/TPOT; TPOT ≈ weights / (η_m·β) + 32 × 29 µs ≈ 8.65 + 0.93 ms
    # = 9.58 ms -> 104.4 tokens/s; the context's KV reads and the vector operators add the last 0.4 %.
    p = next(p for p in validation.points() if p.id == "m138")
    assert validation.predict(p) == pytest.approx(104.0, rel=0.002)
