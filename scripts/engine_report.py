"""Print the engine's errors against the public measurements: the issue's targets, per GPU, precision, metric.

    .venv/bin/python scripts/engine_report.py            # engine profiles, default and ideal
    .venv/bin/python scripts/engine_report.py --points   # plus every held-out point

Targets (held-out InferenceX single-node points without speculative decoding): median |error| of TPOT
≤ 15 %, of TTFT ≤ 25 %, ≥ 75 % of points within ±25 % for each; no GPU family with a one-sided median
beyond ±20 %.  measured.json: median |error| ≤ 10 %.  The figures are computed, never asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calc.serving import inferencex as ix  # noqa: E402
from calc.serving import validation  # noqa: E402

METRICS = ("tpot", "ttft", "throughput")


def line(label: str, rows: tuple[ix.Row, ...]) -> str:
    cells = []
    for m in METRICS:
        s = ix.stats(rows, m)
        cells.append(f"{m} n={s.n:3d} |e|~{s.median_abs:5.0%} e~{s.median:+5.0%} ±25%:{s.within_25:4.0%}" if s else
                     f"{m} —")
    return f"  {label:34s} " + "  ".join(cells)


def main(show_points: bool) -> None:
    for profile in ("engine", "typical", "ideal"):
        for part in ("holdout", "fit"):
            rows = ix.target_rows(profile, part=part)
            print(f"{profile} profile, {part} part ({len(rows)} points)")
            print(line("all", rows))
            groups: dict[str, list[ix.Row]] = {}
            for r in rows:
                groups.setdefault(f"{r.point.gpu} {r.point.precision} {r.point.engine}", []).append(r)
            for key in sorted(groups):
                print(line(key, tuple(groups[key])))
    spec = tuple(r for r in ix.rows("engine") if r.point.tier == "B")
    print(f"speculative decoding (MTP, assumed drafts/acceptance), engine profile ({len(spec)} points)")
    print(line("all", spec))
    disagg = [r for r in ix.rows("engine") if r.point.disaggregated]
    print(f"disaggregated (GB200 NVL72, decode workers only: TPOT; TTFT and throughput not modelled), engine "
          f"profile ({len(disagg)} points)")
    print(line("without MTP", tuple(r for r in disagg if not r.point.spec)))
    print(line("with MTP (assumed drafts/acceptance)", tuple(r for r in disagg if r.point.spec)))
    skipped = [r for r in ix.rows("engine") if r.tpot is None]
    print(f"no prediction: {len(skipped)} points" + (" — " + "; ".join(sorted({r.reason for r in skipped}))
                                                     if skipped else ""))
    s = validation.summary()
    print("measured.json: " + ", ".join(f"{k} median |error| {v.median_abs_error:.1%} (worst {v.worst.point.id} "
                                        f"{v.worst.error:+.0%})" for k, v in s.items()))
    short = [c for c in s["default"].rows if c.point.metric == "ttft" and c.point.prompt_len <= 128]
    print("measured.json short-prompt TTFT (≤128): " + ", ".join(f"{c.point.id} {c.error:+.0%}" for c in short))
    if show_points:
        for r in sorted(ix.target_rows("engine"), key=lambda r: (r.point.config, r.point.concurrency)):
            p = r.point
            print(f"  {p.id} {p.config:40s} C={p.concurrency:4d} TPOT {p.tpot * 1e3:6.1f}/{r.tpot * 1e3:6.1f} ms "
                  f"{r.error('tpot'):+.0%}  TTFT {p.ttft * 1e3:6.0f}/{r.ttft * 1e3:6.0f} ms {r.error('ttft'):+.0%} "
                  f"{p.version} {r.reason}")


if __name__ == "__main__":
    main("--points" in sys.argv)
