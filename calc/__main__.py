"""Command line: ``python -m calc roofline|model|plan ...`` over the same functions the site uses.

Human tables by default, ``--json`` for machines.  A bad input prints one
short line ``error: <Label>: <value> <what is allowed>`` on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Sequence

from .roofline import attainable_performance
from .hardware import catalog, get_accelerator, variants
from .serving.search import parse_prices
from .serving.slo import plan_slo
from .serving.space import compute_format
from .serving.frontier import DEFAULT_GPUS, frontier
from .serving.efficiency import EFFICIENCIES
from .serving.estimate import serving_estimate
from .serving.capacity import memory_plan
from .core.units import GB, TERA
from .core import validate
from .core.validate import InputError


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def _gpu(name: str, field: str = "gpu") -> str:
    """A GPU name from the command line; a family name with several variants is an error listing them."""
    if found := variants(name):
        raise validate.fail(field, name, f"is ambiguous: it could be {', '.join(found)}; give the full name")
    return name


def _roofline(a: argparse.Namespace) -> tuple[dict[str, Any], str]:
    part = get_accelerator(_gpu(a.gpu))
    point = attainable_performance(gpu=part, dtype=a.dtype, intensity=a.intensity)
    data = {"gpu": part.name, "dtype": a.dtype, "intensity": a.intensity, "attainable_flops": point.attainable.value,
            "ridge": point.ridge.value, "bound": point.bound}
    rows = [("GPU", part.name), ("intensity", f"{a.intensity:g} FLOP/B"), ("ridge point", f"{point.ridge.value:,.1f} FLOP/B"),
            ("attainable", f"{point.attainable.value / TERA:,.1f} TFLOP/s"), ("bound", point.bound)]
    return data, _table(rows)


def _model(a: argparse.Namespace) -> tuple[dict[str, Any], str]:
    eff = EFFICIENCIES[a.efficiency]
    a.gpu = _gpu(a.gpu)
    r = serving_estimate(model=a.model, gpu=a.gpu, prompt_len=a.prompt, output_len=a.output, batch=a.batch, tp=a.tp,
                         pp=a.pp, weights=a.weights, kv=a.kv, activations=a.activations,
                         expert_parallel=a.ep if a.ep is not None else False, dp_attention=a.dp_attention,
                         group_size=a.group_size, batching=a.batching, draft_tokens=a.draft_tokens,
                         acceptance=a.acceptance, efficiency=eff)
    mem = memory_plan(model=a.model, gpu=a.gpu, batch=a.batch, context_len=a.prompt + a.output, prompt_len=a.prompt,
                      tp=a.tp, pp=a.pp, weights=a.weights, kv=a.kv, activations=a.activations, group_size=a.group_size)
    data = {"model": r.model, "gpu": r.gpu, "tp": r.tp, "pp": r.pp, "batch": r.batch, "ttft_s": r.ttft.value,
            "ttft_prefill_only_s": r.ttft_prefill_only.value, "tpot_s": r.tpot.value, "end_to_end_s": r.end_to_end.value,
            "throughput_per_gpu": r.throughput_per_gpu.value, "throughput_per_user": r.throughput_per_user.value,
            "why": r.why, "efficiency": eff.describe(), "memory_per_gpu_bytes": mem.used.value,
            "fits": mem.fits, "largest_batch": mem.largest_batch}
    rows = [("model", r.model), ("hardware", f"{r.tp * r.pp} × {r.gpu} (TP{r.tp} PP{r.pp})"), ("batch", str(r.batch)),
            ("TTFT", f"{r.ttft.value * 1e3:,.1f} ms (prefill only {r.ttft_prefill_only.value * 1e3:,.1f} ms)"),
            ("TPOT", f"{r.tpot.value * 1e3:,.2f} ms"),
            ("end-to-end", f"{r.end_to_end.value:,.2f} s"),
            ("throughput / GPU", f"{r.throughput_per_gpu.value:,.0f} tokens/s"),
            ("throughput / user", f"{r.throughput_per_user.value:,.1f} tokens/s"),
            ("memory / GPU", f"{mem.used.value / GB:,.1f} of {mem.capacity.value / GB:,.0f} GB "
                             f"({'fits' if mem.fits else 'does NOT fit'}; largest batch {mem.largest_batch})"),
            ("why", r.why), ("efficiency", eff.describe())]
    return data, _table(rows)


def _space_options(parser: argparse.ArgumentParser) -> None:
    """The options of the 2026 search space, the same for ``plan`` and ``frontier`` (read by :func:`_space_kwargs`)."""
    parser.add_argument("--format", action="append",
                        help="16-bit, fp8 or fp4 (repeat; default: what each GPU computes)")
    parser.add_argument("--no-spec", action="store_true", help="do not try speculative decoding")
    parser.add_argument("--no-disagg", action="store_true", help="do not try disaggregated prefill/decode")
    parser.add_argument("--draft-tokens", type=int, default=3, help="speculative draft tokens per step")
    parser.add_argument("--acceptance", type=float, default=0.7, help="per-draft acceptance rate in [0, 1]")
    parser.add_argument("--kv-link", default="auto", help="auto, scale-up or scale-out (disaggregated KV transfer)")
    parser.add_argument("--efficiency", default="engine", help="engine (each GPU's fitted engine) or a profile name")
    parser.add_argument("--price", action="append", help="GPU=dollars per GPU-hour (repeat)")
    parser.add_argument("--wide-ep", action="store_true", help="also DEP over 16-64 GPUs on NVL72 parts (GB200, GB300)")


def _space_kwargs(a: argparse.Namespace) -> dict[str, Any]:
    """``plan_slo``/``frontier`` keywords from :func:`_space_options`; the ``--gpu`` and ``--price`` names checked
    against the catalog first."""
    for gpu in a.gpu or ():
        _gpu(gpu)
    for item in a.price or ():
        name, sep, _ = item.partition("=")
        if sep:  # a malformed item gets parse_prices' message on its form
            _gpu(name.strip(), "price")
    prices = parse_prices(a.price or (), field="price")
    return {"formats": tuple(a.format) if a.format else None, "speculative": not a.no_spec,
            "draft_tokens": a.draft_tokens, "acceptance": a.acceptance, "disaggregated": not a.no_disagg,
            "wide_ep": a.wide_ep, "kv_link": a.kv_link, "prices": prices or None, "efficiency": a.efficiency}


def _plan(a: argparse.Namespace) -> tuple[dict[str, Any], str]:
    top = validate.positive_int("top", a.top)
    space = _space_kwargs(a)
    if (a.users is None) == (a.requests_per_second is None):
        raise InputError("users", "Load: give --users N or --requests-per-second X (one of them, not both)")
    gpus = tuple(a.gpu) if a.gpu else tuple(  # the catalog: the GPUs that compute every format asked for
        p.name for p in catalog() if all(compute_format(f, p) is not None for f in space["formats"] or ()))
    r = plan_slo(model=a.model, users=a.users, requests_per_second=a.requests_per_second, prompt_len=a.prompt,
                 output_len=a.output, ttft_slo=a.ttft_ms / 1e3, tpot_slo=a.tpot_ms / 1e3, gpus=gpus, **space)

    def row(x):
        q, c = x.point, x.point.config
        point = {"gpu": c.gpu, "mode": q.mode, "parallel": c.parallel, "format": c.weights, "kv": c.kv,
                 "draft_tokens": c.draft_tokens, "batch": q.batch, "prefill_workers": q.prefill_workers,
                 "prefill_tp": q.prefill_tp, "decode_workers": q.decode_workers, "gpus_per_group": q.gpus,
                 "ttft_s": q.ttft, "tpot_s": q.tpot, "throughput_per_gpu": q.throughput_per_gpu}
        return {**point, "groups": x.groups, "total_gpus": x.gpus, "users": x.users,
                "requests_per_second": x.requests_per_second, "end_to_end_s": x.e2e, "cost_per_hour": x.cost_per_hour,
                "cost_per_m_output": x.cost_per_m_output, "cost_per_m_total": x.cost_per_m_total,
                "validated": x.validated}
    w = r.winner
    d = r.decode.parts
    breakdown = {"compute": d.compute + d.moe, "weights": d.weights, "kv": d.kv, "activations": d.activations,
                 "communication": d.comms + d.latency, "fixed": d.overhead + d.step, "drafts": d.draft}
    data = {"users": a.users, "requests_per_second": a.requests_per_second, "winner": row(w),
            "runner_up": row(r.runner_up) if r.runner_up else None, "reason": r.reason, "why": r.why,
            "decode_step_s": breakdown, "prefill_s": r.prefill.total.value, "memory_per_gpu_bytes": r.memory.used,
            "plans": [row(x) for x in r.plans[:top]], "configurations": r.configurations,
            "evaluations": r.evaluations}
    lines = [f"{'GPUs':>6} {'groups':>6} {'TPOT ms':>8} {'TTFT ms':>8} {'$/h':>9}  deployment"]
    for x in r.plans[:top]:
        cost = "" if x.cost_per_hour is None else f"{x.cost_per_hour:,.2f}"
        lines.append(f"{x.gpus:>6,} {x.groups:>6,} {x.point.tpot * 1e3:>8.1f} {x.point.ttft * 1e3:>8,.0f} {cost:>9}  "
                     f"{x.point.label()}")
    ms = " + ".join(f"{k} {v * 1e3:.3g}" for k, v in breakdown.items() if v)
    tail = [f"Winner: {r.reason}",
            f"Decode step (ms): {ms} = {r.decode.total.value * 1e3:.3g}; prefill of one prompt "
            f"{r.prefill.total.value * 1e3:,.1f} ms; memory per GPU {r.memory.used / GB:,.1f} of "
            f"{r.memory.capacity / GB:,.0f} GB"]
    if w.cost_per_m_output is not None:
        tail.append(f"Cost: ${w.cost_per_hour:,.2f} per hour, ${w.cost_per_m_output:,.3f} per million output tokens")
    if not w.validated:
        tail.append(f"Not validated: no validation point covers {w.point.gpu} {w.point.config.format}"
                    + (" disaggregated" if w.point.mode == "disaggregated" else ""))
    return data, "Plans (fewest GPUs first):\n" + "\n".join(lines) + "\n\n" + "\n".join(tail)


FRONTIER_COLUMNS = ("gpu", "mode", "parallel", "format", "kv", "draft_tokens", "batch", "prefill_workers",
                    "prefill_tp", "decode_workers", "gpus", "ttft_s", "tpot_s", "interactivity", "throughput_per_gpu",
                    "output_per_gpu", "cost_per_m_output", "cost_per_m_total", "validated")


def _frontier_row(q) -> dict[str, Any]:
    c = q.config
    return {"gpu": c.gpu, "mode": q.mode, "parallel": c.parallel, "format": c.weights, "kv": c.kv,
            "draft_tokens": c.draft_tokens, "batch": q.batch, "prefill_workers": q.prefill_workers,
            "prefill_tp": q.prefill_tp, "decode_workers": q.decode_workers, "gpus": q.gpus, "ttft_s": q.ttft,
            "tpot_s": q.tpot, "interactivity": q.interactivity, "throughput_per_gpu": q.throughput_per_gpu,
            "output_per_gpu": q.output_per_gpu, "cost_per_m_output": q.cost_per_m_output,
            "cost_per_m_total": q.cost_per_m_total, "validated": q.validated}


def _frontier(a: argparse.Namespace) -> tuple[dict[str, Any], str]:
    space = _space_kwargs(a)
    r = frontier(model=a.model, prompt_len=a.prompt, output_len=a.output,
                 gpus=tuple(a.gpu) if a.gpu else DEFAULT_GPUS, **space,
                 min_interactivity=a.min_interactivity, tpot_slo=None if a.tpot_ms is None else a.tpot_ms / 1e3,
                 ttft_slo=None if a.ttft_ms is None else a.ttft_ms / 1e3)
    curves = [{"gpu": c.gpu, "mode": c.mode, "points": [_frontier_row(q) for q in c.points]} for c in r.curves]
    data = {"model": r.model, "prompt_len": r.prompt_len, "output_len": r.output_len, "curves": curves,
            "best": _frontier_row(r.best) if r.best else None, "reason": r.reason,
            "unvalidated": list(r.unvalidated), "configurations": r.configurations, "evaluations": r.evaluations}
    if a.csv:
        lines = [",".join(FRONTIER_COLUMNS)]
        for c in r.curves:
            for q in c.points:
                row = _frontier_row(q)
                lines.append(",".join("" if row[k] is None else f"{row[k]:.6g}" if isinstance(row[k], float)
                                      else str(row[k]) for k in FRONTIER_COLUMNS))
        return data, "\n".join(lines)
    out = [f"{'GPU':<16} {'mode':<14} {'tok/s/user':>10} {'tok/s/GPU':>10} {'TTFT ms':>8}  configuration"]
    for c in r.curves:
        for q in c.points:
            out.append(f"{c.gpu:<16} {c.mode:<14} {q.interactivity:>10.1f} {q.throughput_per_gpu:>10,.0f} "
                       f"{q.ttft * 1e3:>8,.0f}  {q.label()}")
    tail = f"\n\nBest: {r.reason}" + (f"\nNo validation data for: {', '.join(r.unvalidated)}" if r.unvalidated else "")
    return data, "Frontier (tokens/s per GPU vs tokens/s per user):\n" + "\n".join(out) + tail


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one ``error: ...`` line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, and short: an argument may hold a newline or 100 kB of text.
        text = " ".join(message.split())
        text = text if len(text) <= 200 else f"{text[:200]}… ({len(text):,} characters)"
        self.exit(2, f"error: {text} (see python -m calc --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _OneLineParser(prog="python -m calc", description="How fast can a GPU run an LLM?")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)
    r = sub.add_parser("roofline", help="attainable FLOP/s at an operational intensity")
    r.add_argument("--gpu", default="A100-SXM4-80GB")
    r.add_argument("--dtype", default="fp16")
    r.add_argument("--intensity", type=float, default=100.0, help="FLOP per byte")
    r.set_defaults(run=_roofline)
    s = sub.add_parser("model", help="TTFT, TPOT, throughput and memory of one deployment")
    s.add_argument("--model", default="Llama-2-7B", help="preset name")
    s.add_argument("--prompt", type=int, default=512, help="prompt tokens")
    s.add_argument("--output", type=int, default=256, help="output tokens")
    s.add_argument("--efficiency", choices=tuple(EFFICIENCIES), default="typical",
                   help="serving-engine profile (ideal = the pure roofline)")
    s.add_argument("--group-size", type=int, default=None, help="quantization group of int4/int8 weights")
    s.set_defaults(run=_model)
    s.add_argument("--gpu", default="A100-SXM4-80GB")
    s.add_argument("--batch", type=int, default=1)
    s.add_argument("--tp", type=int, default=1)
    s.add_argument("--pp", type=int, default=1)
    s.add_argument("--weights", default=None, help="fp16, bf16, fp8, int8, int4, fp4, mxfp4 (default: 16-bit)")
    s.add_argument("--activations", default=None, help="compute format (default: 16-bit)")
    s.add_argument("--ep", type=int, default=None, help="expert parallel size (1 or tp)")
    s.add_argument("--dp-attention", action="store_true", help="data-parallel attention over the TP GPUs")
    s.add_argument("--draft-tokens", type=int, default=0, help="speculative draft tokens per step")
    s.add_argument("--acceptance", type=float, default=0.0, help="per-draft acceptance rate in [0, 1]")
    s.add_argument("--kv", default=None, help="KV-cache dtype (default: 16-bit)")
    s.add_argument("--batching", choices=("continuous", "static"), default="continuous")
    s = sub.add_parser("plan", help="fewest GPUs meeting a TTFT/TPOT target for N users or X requests/s")
    s.add_argument("--model", default="Llama-2-7B", help="preset name")
    s.add_argument("--prompt", type=int, default=512, help="prompt tokens")
    s.add_argument("--output", type=int, default=256, help="output tokens")
    s.add_argument("--users", type=int, default=None, help="concurrent users (or give --requests-per-second)")
    s.add_argument("--requests-per-second", type=float, default=None,
                   help="arrival rate; Little's law gives the users it holds: N = rate x end-to-end time")
    s.add_argument("--ttft-ms", type=float, default=2000.0)
    s.add_argument("--tpot-ms", type=float, default=100.0)
    s.add_argument("--gpu", action="append", help="allowed accelerator (repeat; default: whole catalog)")
    _space_options(s)
    s.add_argument("--top", type=int, default=10, help="plans to print")
    s.set_defaults(run=_plan)
    f = sub.add_parser("frontier", help="throughput per GPU vs interactivity, per GPU, with cost and the best point")
    f.add_argument("--model", default="DeepSeek-V3", help="preset name")
    f.add_argument("--prompt", type=int, default=1024, help="prompt tokens")
    f.add_argument("--output", type=int, default=1024, help="output tokens")
    f.add_argument("--gpu", action="append", help="accelerator (repeat; default: H200, B200, MI300X)")
    _space_options(f)
    f.add_argument("--min-interactivity", type=float, default=None, help="target tokens/s per user")
    f.add_argument("--tpot-ms", type=float, default=None, help="target TPOT")
    f.add_argument("--ttft-ms", type=float, default=None, help="target TTFT")
    f.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    f.add_argument("--csv", action="store_true", help="print the curves as CSV")
    f.set_defaults(run=_frontier)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        data, text = args.run(args)
    except (InputError, ArithmeticError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(data, indent=2) if args.json else text)
    if data.get("fits") is False:
        print("error: this deployment does not fit in memory (see the table); use more GPUs or smaller dtypes",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
