"""Attack the library's public functions with bad arguments and count what comes back.

usage: .venv/bin/python scripts/attack_library.py [--verbose] [--timeout SECONDS] [--dump FILE]

For every public function of ``calc`` (the callables in ``calc.__all__``), it
starts from one valid call and replaces one argument at a time with each value
of :data:`BAD` (16 values), then adds one call with an unknown keyword.
``forward_time`` and ``serving_range`` take the arguments of the function they
wrap, so those are attacked too.  Each call ends in one outcome:

- ``ok``: a result whose numbers are all finite and not negative,
- ``InputError``: the contract (a ``ValueError`` naming the field),
- ``ValueError (not InputError)``, ``TypeError``, ``OverflowError``, ...: a broken contract,
- ``non-finite result`` / ``negative result``: a number that means nothing,
- ``hang``: no answer within ``--timeout`` seconds.

It also counts InputError messages that are too long (over 300 characters:
the value must be quoted short) or show Python internals, and runs
``python -m calc`` with every option set to each bad value (one short
``error:`` line each, or an answer).  Prints counts by
outcome (and with ``--verbose`` one example per function and outcome).
The figures of issue 13 (before and after) come from this script.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import inspect
import math
import signal
import sys
from pathlib import Path
from typing import Any, Mapping

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.set_int_max_str_digits(100_000)  # so that reporting 10**400 never fails here

import calc  # noqa: E402
from calc.web import widgets  # noqa: E402

#: The corpus of issue 13: one bad value per entry.
BAD: tuple[Any, ...] = (-1, 0, math.nan, math.inf, -math.inf, 1e308, 1e-320, None, "abc", "", True, [], {},
                        10**400, 1j, 2**63)

#: One valid call of each public function (keyword arguments).
BASE: dict[str, dict[str, Any]] = {
    "attention_decode": dict(context_len=1024, d_model=4096, n_layers=32, bytes_per_element=2),
    "attention_cost": dict(model="Llama-3-70B", phase="decode", batch=8, seq_len=4096, activations="bf16", kv="bf16",
                           fused_attention=True, mla_form="auto"),
    "attention_kind": dict(model="Llama-3-70B"),
    "attention_time": dict(gpu="H100-SXM5-80GB", model="Llama-3-70B", batch=8, seq_len=4096),
    "kv_cache_bytes": dict(model="Llama-3-70B", context_len=4096, kv="bf16"),
    "with_kv_heads": dict(model="Llama-3-70B", n_kv_heads=1),
    "experts_touched": dict(experts=256, top_k=8, tokens=64),
    "tokens_to_touch": dict(experts=256, top_k=8, share=0.9),
    "expert_load": dict(model="DeepSeek-V3", batch=64, weights="fp8", context_len=1024),
    "moe_layout": dict(model="DeepSeek-V3", layout="tp", gpus=8, batch=8, context_len=1024, weights="fp8",
                       activations="fp8", kv="bf16"),
    "quantized_matmul": dict(gpu="B200", d_in=8192, d_out=28672, tokens=16, weights="int4", activations="bf16",
                             group_size=128, tile_tokens=128),
    "fp4_fp8_gain": {}, "fp4_fp8_points": {},
    "littles_law": dict(concurrency=64, latency=20.0),
    "queue_wait": dict(utilisation=0.5, service_time=0.1),
    "slot_wait": dict(concurrency=256, slots=240, service_time=60.0),
    "chunked_prefill": dict(model="Llama-3-8B", gpu="H100-SXM5-80GB", tp=1, batch=16, prompt_len=2048, output_len=256,
                            chunk=512, weights="bf16", kv="bf16", activations="bf16", profile="typical"),
    "client_ttft": dict(point_id="ix1212", concurrency=64, profile="engine"),
    "speculative_decode": dict(model="Llama-3-8B", gpu="H100-SXM5-80GB", tp=1, batch=8, context_len=1024,
                               draft_tokens=3, acceptance=0.7, draft_layers=1, weights="bf16", kv="bf16",
                               activations="bf16", expert_parallel=False, profile="typical"),
    "mtp_measured": {},
    "decode_knee": dict(params=13e9, n_layers=40, d_model=5120, context_len=2048, gpu="V100-SXM2-32GB",
                        memory_bandwidth=None, peak_flops=None, bytes_per_param=2, kv_bytes_per_element=2),
    "decode_batch_limit": dict(params=13e9, n_gpus=8, n_layers=40, d_model=5120, context_len=2048,
                               memory_per_gpu=32 * 2**30, bytes_per_param=2, kv_bytes_per_element=2),
    "check_batch_fits": dict(batch=16, limit=calc.max_batch(total_memory=256, weights=26, per_request=1.68),
                             context_len=2048),
    "measured_decodes": dict(gpu="H200-SXM-141GB"),
    "measured_decode": dict(gpu="H200-SXM-141GB", concurrency=4),
    "decode_step_latency": dict(params=7e9, n_gpus=1, batch=8, n_layers=32, d_model=4096, context_len=1024,
                                gpu="A100-SXM4-80GB", memory_bandwidth=None, peak_flops=None, link_bandwidth=None,
                                hop_latency=8e-6, kv_bytes_per_element=2),
    "attainable_performance": dict(intensity=100.0, gpu="A100-SXM4-80GB", peak_flops=None, bandwidth=None, dtype="fp16"),
    "custom_accelerator": dict(name="custom", peak_flops=1e15, bandwidth=2e12, memory=8e10, dtype="fp16",
                               interconnect_bandwidth=6e11),
    "decode_latency": dict(params=7e9, n_gpus=2, batch=8, n_layers=32, d_model=4096, gpu="A100-SXM4-80GB",
                           memory_bandwidth=None, peak_flops=None, link_bandwidth=None, hop_latency=8e-6),
    "decode_latency_large_batch": dict(params=7e9, n_gpus=2, batch=512, n_layers=32, d_model=4096,
                                       gpu="A100-SXM4-80GB", peak_flops=None, link_bandwidth=None),
    "decode_latency_small_batch": dict(params=7e9, n_gpus=2, n_layers=32, gpu="A100-SXM4-80GB",
                                       memory_bandwidth=None, hop_latency=8e-6),
    "dense_decoder": dict(name="custom", hidden=4096, n_layers=32, n_heads=32, intermediate=11008, vocab=32000,
                          n_kv_heads=8, head_dim=128, gated_mlp=True, tied_embeddings=False),
    "get_accelerator": dict(name="A100-SXM4-80GB"),
    "get_model": dict(name="Llama-2-7B"),
    "kernel_time": dict(flops=1e12, bytes_moved=1e9, gpu="A100-SXM4-80GB", peak_flops=None, bandwidth=None, dtype="fp16"),
    "kv_cache_per_request": dict(n_layers=32, d_model=4096, context_len=2048, bytes_per_element=2),
    "kv_cache_per_token": dict(n_layers=32, d_model=4096, bytes_per_element=2),
    "linear_layer": dict(d_in=4096, d_out=4096, batch=8, bytes_per_element=2),
    "linear_layer_crossover": dict(d_in=4096, d_out=4096, bytes_per_element=2, gpu="A100-SXM4-80GB", peak_flops=None,
                                   bandwidth=None, dtype="fp16", batches=(1, 8, 64)),
    "max_batch": dict(total_memory=8e10, weights=1.4e10, per_request=1e9),
    "model_batch_limit": dict(model="LLaMA-13B", n_gpus=1, context_len=2048, gpu="A100-SXM4-80GB", memory_per_gpu=None,
                              bytes_per_param=2, kv_bytes_per_element=2),
    "nodes_for_users": dict(users=10_000, requests_per_node=50),
    "operational_intensity": dict(flops=1e12, bytes_moved=1e9),
    "ridge_point": dict(gpu="A100-SXM4-80GB", peak_flops=None, bandwidth=None, dtype="fp16"),
    "seed_forward_pass": dict(hidden=5120, batch=8, prompt_len=512, output_len=256, n_layers=40, vocab=32000,
                              weight_overhead=1.2, bytes_per_weight=1.0),
    "weights_bytes": dict(params=7e9, bytes_per_param=2),
    "data_format": dict(dtype="int4", field="dtype", group_size=128, scale_bytes=2, zero_point_bytes=0.5),
    "forward_operators": dict(model="Llama-2-7B", phase="decode", batch=1, seq_len=2048, weights="bf16",
                              activations="bf16", kv="bf16", group_size=None, causal=True, fused_attention=True,
                              all_logits=False),
    "forward_time": dict(gpu="A100-SXM4-80GB", model="Llama-2-7B", phase="decode", batch=1, seq_len=2048,
                         weights="bf16", activations="bf16", kv="bf16", group_size=None, causal=True,
                         fused_attention=True, all_logits=False),
    "from_hf_config": dict(config={"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
                                   "num_attention_heads": 32, "intermediate_size": 11008, "vocab_size": 32000},
                           name="custom", published_params=None, published_active=None, exact_params=None,
                           source="pasted config.json"),
    "hf_config_of": dict(name="Llama-2-7B"),
    "matmul_peak_dtype": dict(weights="int4", activations="bf16"),
    "all_to_all": dict(message_bytes=1e6, n_gpus=8, link_bandwidth=4.5e11, alpha=1.6e-5, link_efficiency=1.0),
    "efficiency": dict(compute=0.7, memory=0.75, link=0.8, alpha=1.6e-5, layer_overhead=8e-6, name="custom"),
    "memory_plan": dict(model="Llama-2-7B", gpu="A100-SXM4-80GB", batch=8, context_len=2048, prompt_len=512, tp=1,
                        pp=1, weights=None, kv=None, activations=None, block_size=16, reserve_fraction=0.1),
    "nodes_for": dict(users=10_000, per_node=121),
    "pipeline_bubble": dict(stages=4, microbatches=8),
    "ring_all_reduce": dict(message_bytes=1e6, n_gpus=8, link_bandwidth=4.5e11, alpha=1.6e-5, link_efficiency=1.0),
    "search_deployments": dict(model="Llama-2-7B", users=500, prompt_len=512, output_len=256, ttft_slo=2.0,
                               tpot_slo=0.1, gpus=("A100-SXM4-80GB",), gpus_per_node=(1, 2), weight_dtypes=("16-bit",),
                               kv_dtypes=("16-bit",), prices={"A100-SXM4-80GB": 1.5}, block_size=16,
                               reserve_fraction=0.1, expert_parallel=True),
    "serving_estimate": dict(model="Llama-2-7B", gpu="A100-SXM4-80GB", prompt_len=512, output_len=256, batch=8, tp=1,
                             pp=1, weights=None, kv=None, activations=None, expert_parallel=False,
                             dp_attention=False, group_size=None, batching="continuous", draft_tokens=2,
                             acceptance=0.8, draft_layers=1, curve_points=16),
    "serving_range": dict(model="Llama-2-7B", gpu="A100-SXM4-80GB", prompt_len=512, output_len=256, batch=8, tp=1,
                          pp=1, weights=None, kv=None, activations=None, expert_parallel=False,
                          batching="continuous", curve_points=16),
    "source_comms_as_ring": dict(n_layers=40, d_model=5120, batch=8, link_bandwidth=3e11, hop_latency=8e-6),
    "step_time": dict(model="Llama-2-7B", gpu="A100-SXM4-80GB", phase="decode", batch=8, seq_len=2048, tp=1, pp=1,
                      weights=None, kv=None, activations=None, expert_parallel=False),
    "users_per_node": dict(model="Llama-2-7B", gpu="A100-SXM4-80GB", gpus_per_node=8, tp=None, pp=1, prompt_len=512,
                           output_len=1536, ttft_slo=None, tpot_slo=None, weights=None, kv=None, block_size=16,
                           reserve_fraction=0.1),
    "catalog": {}, "presets": {}, "calibrated_efficiency": {}, "validation_summary": {},
    "inferencex_row": dict(point_id="ix0000", profile="engine"),
    "frontier": dict(model="Llama-2-7B", prompt_len=512, output_len=256, gpus=("H100-SXM5-80GB",), formats=("fp8",),
                     kv_formats=("fp8",), tp_sizes=(1, 2), expert_parallel=True, dp_attention=True, speculative=True,
                     draft_tokens=2, acceptance=0.7, draft_layers=1, disaggregated=True, wide_ep=False, kv_link="auto",
                     prices={"H100-SXM5-80GB": 2.0}, efficiency="typical", min_interactivity=20.0, tpot_slo=None,
                     ttft_slo=2.0),
    "plan_slo": dict(model="Llama-2-7B", users=200, requests_per_second=None, prompt_len=512, output_len=256,
                     ttft_slo=2.0, tpot_slo=0.05, gpus=("H100-SXM5-80GB",), formats=("fp8",), kv_formats=("fp8",),
                     tp_sizes=(1, 2), expert_parallel=True, dp_attention=True, speculative=True, draft_tokens=2,
                     acceptance=0.7, disaggregated=True, wide_ep=False, kv_link="auto", prices={"H100-SXM5-80GB": 2.0},
                     efficiency="typical"),
    "inferencex_summary": dict(profile="engine", gpu=None),
}

#: Result fields where a negative number is meaningful: a signed error against a measurement (and the median of
#: such errors), and
#: a memory plan's headroom (negative = the shortfall of a plan that does not fit), a chart label's offset in pixels.
SIGNED = {"error", "headroom", "dx", "dy", "median"}

#: Result fields where infinity is meaningful: a layer that is memory-bound at every batch never crosses over.
INFINITE = {"threshold_batch"}

#: Text an InputError message must not contain: Python internals.
INTERNALS = ("sys.set_int_max_str_digits", "Traceback", "object has no attribute", "unhashable", "NoneType")


def public_functions() -> dict[str, Any]:
    """Every callable in ``calc.__all__`` that is not a class, plus the widget entry point."""
    found = {name: getattr(calc, name) for name in calc.__all__
             if callable(getattr(calc, name)) and not inspect.isclass(getattr(calc, name))}
    missing = sorted(set(found) - set(BASE))
    if missing:
        raise SystemExit(f"no valid call known for {', '.join(missing)}: add it to BASE")
    return found


def arguments(name: str) -> list[str]:
    """The names of the arguments the attack replaces (those of the base call)."""
    return list(BASE[name])


def numbers(result: object, depth: int = 0, key: str = "") -> list[tuple[str, float]]:
    """Every number in a result (dataclasses, tuples, dicts), with the name of its field."""
    if depth > 5 or isinstance(result, (str, bytes, bool)) or result is None:
        return []
    if isinstance(result, (int, float)):
        return [(key, float(result))] if not isinstance(result, int) or abs(result) < 10**300 else [(key, math.inf)]
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        out: list[tuple[str, float]] = []
        for f in dataclasses.fields(result):
            out += numbers(getattr(result, f.name), depth + 1, f.name if f.name != "value" else key)
        return out
    if isinstance(result, Mapping):
        return [n for k, v in result.items() for n in numbers(v, depth + 1, str(k))]
    if isinstance(result, (tuple, list)):
        return [n for v in result for n in numbers(v, depth + 1, key)]
    return []


class Hang(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise Hang


def outcome(fn, kwargs: dict[str, Any], timeout: float) -> tuple[str, str]:
    """(outcome, detail) of one call."""
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = fn(**kwargs)
    except Hang:
        return "hang", f"more than {timeout:g} s"
    except calc.InputError as err:
        text = str(err)
        if len(text) > 300 or any(bad in text for bad in INTERNALS):
            return "InputError, bad message", text[:200]
        return "InputError", text
    except Exception as err:  # noqa: BLE001 - counting every other type is the point
        kind = "ValueError (not InputError)" if type(err) is ValueError else type(err).__name__
        return kind, f"{type(err).__name__}: {str(err)[:160]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if isinstance(result, dict) and result.get("ok") is False:  # widgets.call reports bad input in its answer
        text = str(result.get("message"))
        if len(text) > 300 or any(bad in text for bad in INTERNALS) or not result.get("field"):
            return "InputError, bad message", text[:200]
        return "InputError", text
    for key, x in numbers(result):
        if not math.isfinite(x) and key not in INFINITE:
            return "non-finite result", f"{key} = {x}"
        if x < 0 and key not in SIGNED:
            return "negative result", f"{key} = {x}"
    return "ok", ""


def attack(timeout: float, verbose: bool, dump: list | None = None) -> collections.Counter:
    signal.signal(signal.SIGALRM, _alarm)
    counts: collections.Counter = collections.Counter()
    examples: dict[tuple[str, str], str] = {}
    functions = public_functions()
    for name, fn in functions.items():
        base = BASE[name]
        calls = [({**base, arg: bad}, f"{arg}={bad!r:.40}") for arg in arguments(name) for bad in BAD]
        calls.append(({**base, "no_such_argument": 1}, "no_such_argument=1"))
        for kwargs, label in calls:
            kind, detail = outcome(fn, kwargs, timeout)
            counts[kind] += 1
            examples.setdefault((name, kind), f"{name}({label}) -> {detail}")
            if dump is not None:
                dump.append(f"{name}({label})\t{kind}\t{detail[:300]}")
    # The widgets' single entry point: a bad widget name or bad raw inputs.
    for bad in BAD:
        for kwargs, label in (({"name": bad}, f"name={bad!r:.40}"), ({"name": "roofline", "raw": bad}, f"raw={bad!r:.40}"),
                              ({"name": "kv_cache", "raw": {"context_len": bad}}, f"raw={{'context_len': {bad!r:.40}}}")):
            kind, detail = outcome(widgets.call, kwargs, timeout)
            counts[kind] += 1
            examples.setdefault(("widgets.call", kind), f"widgets.call({label}) -> {detail}")
    total = sum(counts.values())
    print(f"{total:,} calls of {len(functions)} public functions and widgets.call")
    return _report(counts, examples, verbose)


def _report(counts: collections.Counter, examples: dict, verbose: bool) -> collections.Counter:
    for kind, n in counts.most_common():
        print(f"  {n:6,}  {kind}")
    if verbose:
        for (name, kind), text in sorted(examples.items()):
            if kind not in ("ok", "InputError", "answer", "one-line error"):
                print(f"[{kind}] {text}")
    return counts


#: The command line's options, each given every bad value as text (and 100 kB of it).
CLI_OPTIONS = {
    "roofline": ("--gpu", "--dtype", "--intensity"),
    "model": ("--model", "--prompt", "--output", "--efficiency", "--gpu", "--batch", "--tp", "--pp", "--weights",
              "--kv", "--batching"),
    "plan": ("--model", "--prompt", "--output", "--users", "--requests-per-second", "--ttft-ms", "--tpot-ms", "--gpu",
             "--price", "--top", "--format", "--acceptance", "--draft-tokens", "--kv-link", "--efficiency"),
}


def attack_cli(verbose: bool) -> collections.Counter:
    """``python -m calc`` in-process: every option of every command with every bad value.

    Outcomes: ``answer`` (exit 0), ``one-line error`` (exit 1 or 2, one short ``error:`` line on stderr),
    anything else is broken (a traceback, a long or multi-line message, another exit status).
    """
    import contextlib
    import io

    from calc.__main__ import main as cli_main

    counts: collections.Counter = collections.Counter()
    examples: dict[tuple[str, str], str] = {}
    texts = [str(v) for v in BAD] + ["x" * 100_000, "1\n2"]
    for command, options in CLI_OPTIONS.items():
        # plan searches the whole catalog unless told one GPU: keep each call short.
        base = ["--gpu", "A100-SXM4-80GB", "--users", "100"] if command == "plan" else []
        for option in options:
            for text in texts:
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    try:
                        code = cli_main([command, *base, option, text])
                    except SystemExit as exit_:
                        code = exit_.code
                    except Exception as exc:  # noqa: BLE001 - a traceback is the broken outcome
                        code = f"{type(exc).__name__}"
                stderr = err.getvalue()
                if code == 0:
                    kind = "answer"
                elif code in (1, 2) and stderr.startswith("error: ") and stderr.count("\n") == 1 and len(stderr) < 400:
                    kind = "one-line error"
                else:
                    kind = f"broken ({code})"
                counts[kind] += 1
                examples.setdefault(("cli", kind), f"{command} {option} {text[:40]!r} -> {stderr[:160]!r}")
    print(f"{sum(counts.values()):,} command-line calls (python -m calc)")
    return _report(counts, examples, verbose)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--verbose", action="store_true", help="one example per function and broken outcome")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds before a call counts as a hang")
    p.add_argument("--dump", help="write every call, its outcome and message to this file (one per line)")
    a = p.parse_args()
    lines: list[str] = []
    counts = attack(a.timeout, a.verbose, lines)
    if a.dump:
        Path(a.dump).write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli = attack_cli(a.verbose)
    counts.update({f"CLI {kind}": n for kind, n in cli.items() if kind.startswith("broken")})
    broken = sum(n for kind, n in counts.items() if kind not in ("ok", "InputError"))
    print(f"broken: {broken:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
