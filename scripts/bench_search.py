"""Benchmark the deployment search: configurations and evaluations per second, in CPython and in Pyodide (Node).

usage: .venv/bin/python scripts/bench_search.py [--no-pyodide] [--2026-only]

Runs the planner widget's default full-catalog search for several models, cold (fresh process caches)
and warm, and prints seconds, configurations/s and batch evaluations/s; then the 2026 space's frontier and
SLO search (calc.serving.frontier, calc.serving.slo) and the frontier calculator, first call and again.  The Pyodide run installs
the same wheel the site serves (scripts/site_assets.build_wheel) into Pyodide under Node.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

BENCH = r'''
import time
from calc.serving.search import search_deployments
MODELS = ("Llama-2-13B", "Llama-2-7B", "Llama-2-70B", "Mixtral-8x7B", "DeepSeek-V3")
KW = dict(users=10000, prompt_len=512, output_len=256, ttft_slo=1.0, tpot_slo=0.05)
print(f"{'model':<14} {'cold s':>7} {'warm s':>7} {'configs':>8} {'configs/s':>10} {'evals':>7} {'evals/s':>9}")
for m in MODELS:
    t = time.perf_counter(); search_deployments(model=m, **KW); cold = time.perf_counter() - t
    t = time.perf_counter(); r = search_deployments(model=m, **KW); warm = time.perf_counter() - t
    print(f"{m:<14} {cold:7.3f} {warm:7.3f} {r.configurations:8d} {r.configurations / cold:10,.0f} "
          f"{r.evaluations:7d} {r.evaluations / cold:9,.0f}")
'''

BENCH_2026 = r'''
import time
# The 2026 space (calc.serving.frontier / slo): formats the part computes, EP/DP attention, speculative decoding,
# aggregated and disaggregated; the frontier and the SLO search, first call and again.
from calc.hardware import catalog
from calc.serving.frontier import frontier
from calc.serving.slo import plan_slo
from calc.web import widgets
ALL = tuple(p.name for p in catalog())
CASES = (
    ("frontier", "DeepSeek-V3 1k/1k, H200+B200+MI300X", lambda: frontier(model="DeepSeek-V3", min_interactivity=50)),
    ("frontier", "DeepSeek-V3 1k/1k, whole catalog", lambda: frontier(model="DeepSeek-V3", gpus=ALL, min_interactivity=50)),
    ("frontier", "Llama-2-13B 512/256, whole catalog", lambda: frontier(model="Llama-2-13B", gpus=ALL, prompt_len=512,
                                                                        output_len=256, min_interactivity=20)),
    ("plan_slo", "DeepSeek-V3 10k users, whole catalog", lambda: plan_slo(model="DeepSeek-V3", users=10000, gpus=ALL)),
    ("plan_slo", "Llama-2-13B 10k users, whole catalog", lambda: plan_slo(model="Llama-2-13B", users=10000, gpus=ALL,
                                                                          prompt_len=512, output_len=256, ttft_slo=1.0)),
    ("widget", "frontier calculator, default inputs", lambda: widgets.call("frontier")),
    ("widget", "planner calculator, default inputs", lambda: widgets.call("planner")),
    ("widget", "planner, 20 requests/s (same search)", lambda: widgets.call("planner", {"load_kind": "requests per second",
                                                                                       "load": "20"})),
)
print(f"{'call':<9} {'case':<38} {'first s':>8} {'again s':>8} {'configs':>8} {'points':>7}")
for kind, label, run in CASES:
    t = time.perf_counter(); r = run(); first = time.perf_counter() - t
    t = time.perf_counter(); r = run(); again = time.perf_counter() - t
    n, e = getattr(r, "configurations", 0), getattr(r, "evaluations", 0)
    print(f"{kind:<9} {label:<38} {first:8.3f} {again:8.3f} {n:8d} {e:7d}")
# The page's first live plan: the runtime's warm state (planner.warm_state, made at build time) loaded first.
import pickle
from calc.web.calculators import planner
state = planner.warm_state()
planner._SEARCH_CACHE.clear()
t = time.perf_counter(); planner._SEARCH_CACHE.update(pickle.loads(state)); widgets.call("planner")
print(f"widget    planner, first call from the warm state ({len(state) / 1e3:,.0f} kB) {time.perf_counter() - t:8.3f}")
'''

NODE = r'''
import { readFileSync } from "node:fs";
import { loadPyodide } from "pyodide";
const [wheel, script] = process.argv.slice(2);
const t0 = performance.now();
const pyodide = await loadPyodide();
const site = pyodide.runPython("import site; site.getsitepackages()[0]");
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", { extractDir: site });
console.log(`Pyodide ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
pyodide.runPython(readFileSync(script, "utf8"));
'''


def main() -> None:
    global BENCH
    BENCH = BENCH_2026 if "--2026-only" in sys.argv else BENCH + BENCH_2026
    print("== CPython", sys.version.split()[0])
    subprocess.run([sys.executable, "-c", BENCH], check=True, cwd=ROOT)
    if "--no-pyodide" in sys.argv:
        return
    import site_assets

    wheel, _ = site_assets.build_wheel()
    with tempfile.TemporaryDirectory(dir=ROOT / ".cache") as tmp:
        script, runner = Path(tmp) / "bench.py", ROOT / ".cache" / "bench_search.mjs"
        script.write_text(BENCH, encoding="utf-8")
        runner.write_text(NODE, encoding="utf-8")  # inside the repo so Node resolves node_modules/pyodide
        print("== Pyodide (Node)")
        subprocess.run(["node", str(runner), str(wheel), str(script)], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
