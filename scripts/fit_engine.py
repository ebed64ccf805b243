"""Fit each serving-engine profile's few global parameters on the fit part of the public data; report the rest.

    .venv/bin/python scripts/fit_engine.py            # every engine profile, then the default on measured.json
    .venv/bin/python scripts/fit_engine.py sglang     # one profile

For an engine profile (sglang, sglang-rocm, trtllm, atom) the data is the InferenceX single-node points
without speculative decoding of that engine; whole configurations (GPU, precision, parallelism, lengths —
every concurrency of it) are held out (``calc.serving.inferencex.held_out``), never single points.  The
loss is the mean |log(predicted / measured)| of TPOT and of TTFT, each clipped at 0.5 (see ``CLIP``),
equally weighted, on the fit part only.
The parameters: η_compute, η_memory, the per-MoE-layer overhead, the MoE GEMM half-efficiency tokens and
the per-request TTFT overhead.  Each point is predicted with its launch script's scheduler flags (SGLang's
poll interval on B300, TensorRT-LLM's DP-attention balance hold: ``calc.serving.inferencex.launch_settings``);
they are settings read from the scripts, never fitted.  On one model the per-step, per-layer and per-MoE-layer constants cannot be
told apart (every step has 61 layers, 58 of them MoE), so the engine profiles keep the default's per-step
and per-layer costs — identified on dense models of 28–80 layers — and carry the rest per MoE layer; the
per-collective latency stays at the default 16 µs.

The default profile (``typical``) is fitted in two stages: η_compute, η_memory, the per-layer, per-step and
per-request costs on the fit half of ``measured.json`` (alternate points by id; dense models only), then
its two MoE parameters on the fit part of every engine's InferenceX points with the rest held.

The printed parameters are copied, rounded, into ``calc/serving/efficiency.py``; the report script
(``scripts/engine_report.py``) prints the errors of the profiles as shipped.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calc.core.units import MICROSECOND  # noqa: E402
from calc.serving import inferencex as ix  # noqa: E402
from calc.serving import validation  # noqa: E402
from calc.serving.efficiency import EFFICIENCIES, TYPICAL, Efficiency  # noqa: E402

#: t½ is bounded by a tensor-core tile's rows (64–128): the padding it stands for cannot exceed one tile per
#: expert, so a fit cannot use it to slow down work that is not a grouped GEMM.
TILE_ROWS = 128.0
ENGINE_PARAMS = {"compute": (0.05, 1.0), "memory": (0.2, 1.0), "moe_layer_overhead": (0.0, 1e-3),
                 "moe_tokens_half": (0.0, TILE_ROWS), "request_overhead": (0.0, 0.2)}
MOE_PARAMS = {"moe_layer_overhead": (0.0, 1e-3), "moe_tokens_half": (0.0, TILE_ROWS)}
#: |log error| above this counts as this: a few runs of known-regressed engine versions (TTFT 5–30× the same
#: configuration's other dates) must not drive the fit; they stay in the report.
CLIP = 0.5
DEFAULT_PARAMS = {"compute": (0.2, 1.0), "memory": (0.4, 1.0), "layer_overhead": (0.0, 1e-3),
                  "step_overhead": (0.0, 0.02), "request_overhead": (0.0, 0.05)}


def engine_loss(eff: Efficiency, pts: tuple[ix.Point, ...]) -> float:
    total = n = 0.0
    for metric in ("tpot", "ttft"):
        errs = [ix.predict(p, eff).error(metric) for p in pts]
        errs = [e for e in errs if e is not None]
        total += sum(min(abs(math.log1p(e)), CLIP) for e in errs) / len(errs)
        n += 1
    return total / n


def default_loss(eff: Efficiency, pts: tuple[validation.Point, ...]) -> float:
    return sum(abs(math.log(validation.predict(p, eff) / p.measured)) for p in pts) / len(pts)


def fit(start: Efficiency, bounds: dict[str, tuple[float, float]], loss, rounds: int = 6) -> tuple[Efficiency, float]:
    """Coordinate descent: each parameter in turn moves by shrinking factors while the loss falls."""
    best, f = start, loss(start)
    for r in range(rounds):
        for name, (lo, hi) in bounds.items():
            for step in (2.0, 1.4, 1.15, 1.05):
                improved = True
                while improved:
                    improved = False
                    x = getattr(best, name)
                    for cand in (x * step, x / step, x + (hi - lo) * 0.02 if x == 0 else None):
                        if cand is None:
                            continue
                        cand = min(max(cand, lo), hi)
                        trial = replace(best, **{name: cand})
                        g = loss(trial)
                        if g < f - 1e-6:
                            best, f, improved = trial, g, True
                            break
    return best, f


def show(eff: Efficiency) -> str:
    return (f"compute={eff.compute:.3f} memory={eff.memory:.3f} layer_overhead={eff.layer_overhead / MICROSECOND:.1f}us "
            f"moe_layer_overhead={eff.moe_layer_overhead / MICROSECOND:.1f}us "
            f"step_overhead={eff.step_overhead / MICROSECOND:.0f}us moe_tokens_half={eff.moe_tokens_half:.0f} "
            f"request_overhead={eff.request_overhead * 1e3:.1f}ms alpha={eff.alpha / MICROSECOND:.0f}us")


def main(names: list[str]) -> None:
    engines = names or ["typical", "sglang", "sglang-rocm", "trtllm", "atom"]
    for name in engines:
        if name == "typical":
            fit_half, test_half = validation.halves()
            start = TYPICAL
            eff, f = fit(start, DEFAULT_PARAMS, lambda e: default_loss(e, fit_half))
            print(f"typical (measured.json fit half, {len(fit_half)} points): loss {f:.3f}  {show(eff)}")
            print(f"    test half loss {default_loss(eff, test_half):.3f}")
            pts = ix.fit_points()
            eff = replace(eff, moe_tokens_half=min(eff.moe_tokens_half, TILE_ROWS))
            eff, f = fit(eff, MOE_PARAMS, lambda e: engine_loss(e, pts))
            print(f"    MoE terms on {len(pts)} InferenceX fit points: loss {f:.3f}, held-out "
                  f"{engine_loss(eff, ix.holdout_points()):.3f}  {show(eff)}")
            continue
        pts = ix.fit_points(name)
        start = EFFICIENCIES.get(name) or replace(TYPICAL, name=name, moe_layer_overhead=100 * MICROSECOND,
                                                  compute=0.3, moe_tokens_half=64.0, request_overhead=0.01)
        eff, f = fit(start, ENGINE_PARAMS, lambda e: engine_loss(e, pts))
        hold = ix.holdout_points(name)
        print(f"{name} ({len(pts)} fit points, {len(hold)} held out): fit loss {f:.3f}, held-out loss "
              f"{engine_loss(eff, hold) if hold else float('nan'):.3f}\n    {show(eff)}")


if __name__ == "__main__":
    main(sys.argv[1:])
