"""Copy the B200 TensorRT-LLM fp4 and fp8 points of the InferenceX extract into calc/data/ (run by hand).

Usage: python scripts/extract_fp4_fp8.py PATH/TO/inferencex-public.json

Keeps, for each precision, ISL/OSL and client concurrency, the latest-dated run with the highest output
throughput per GPU (the dashboard's default view picks the best recipe the same way), with the fields the
quantization chapter uses and each point's provenance.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "calc" / "data" / "inferencex_b200_fp4_fp8.json"
KEEP = ("id", "precision", "spec_decoding", "parallelism", "framework_version", "input_len", "output_len",
        "concurrency", "date", "run_url", "flags")


def main(path: str) -> None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    best: dict[tuple, dict] = {}
    for p in data["points"]:
        if p["hardware"] != "B200" or p["framework"] != "trt" or not p["latest"]:
            continue
        key = (p["precision"]["label"], p["input_len"], p["output_len"], p["concurrency"])
        if key not in best or p["metrics"]["output_tput_per_gpu"] > best[key]["metrics"]["output_tput_per_gpu"]:
            best[key] = p
    rows = []
    for key in sorted(best):
        p = best[key]
        row = {k: p[k] for k in KEEP}
        row["precision"] = p["precision"]["label"]
        row["weights"], row["kv_cache"] = p["precision"]["weights"], p["precision"]["kv_cache"]
        row["output_tput_per_gpu"] = p["metrics"]["output_tput_per_gpu"]
        row["median_intvty"] = p["metrics"]["median_intvty"]
        rows.append(row)
    out = {
        "_about": "DeepSeek-R1-0528 on 8 x B200 with TensorRT-LLM, fp4 (NVFP4 checkpoint) and fp8 (native checkpoint; "
                  "every fp8 run in the public extract uses MTP speculative decoding), best latest recipe per "
                  "precision, ISL/OSL and concurrency. output_tput_per_gpu: output tokens/s divided by the GPUs serving; "
                  "median_intvty: tokens/s per user = 1 / median TPOT (MTP runs count accepted tokens).",
        "source": "InferenceX benchmark (github:SemiAnalysisAI/InferenceX), rows as captured in "
                  "github:vngcloud/InferenceX-app packages/app/cypress/fixtures/api/benchmarks-history.json; "
                  "copied from the project's reference extract by scripts/extract_fp4_fp8.py",
        "points": rows,
    }
    OUT.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(rows)} points -> {OUT}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/extract_fp4_fp8.py PATH/TO/inferencex-public.json")
    main(sys.argv[1])
