"""Copy the InferenceX points the engine is validated on into calc/data/inferencex.json (run once per data update).

Keeps, per point, what calc.serving.validation reads and the provenance (run link, source commit, flags,
flag codes, explained by the file's flag_legend); drops the notes (the flags in words) and
metrics the validation does not use (p99s, power) to keep the wheel small.

    .venv/bin/python scripts/import_inferencex.py ../shared/reference/inferencex-public.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEEP = ("id", "hardware", "num_gpus", "disaggregated", "parallelism", "tp", "ep", "dp_attention", "prefill",
        "decode", "precision", "framework", "framework_version", "spec_decoding", "input_len", "output_len",
        "concurrency", "date", "run_url", "tier", "latest", "flags", "stream_interval", "source")
METRICS = ("tput_per_gpu", "output_tput_per_gpu", "input_tput_per_gpu", "output_tput_per_gpu_all", "median_intvty",
           "median_ttft", "median_tpot", "median_itl", "median_e2el", "littles_law_ratio")


def main(src: str) -> None:
    data = json.loads(Path(src).read_text(encoding="utf-8"))
    points = []
    for p in data["points"]:
        row = {k: p[k] for k in KEEP if k in p}
        row["metrics"] = {k: p["metrics"][k] for k in METRICS if p["metrics"].get(k) is not None}
        points.append(row)
    out = {"_about": data["_about"] + " Copied from shared/reference/inferencex-public.json by "
                                      "scripts/import_inferencex.py (p99 and power metrics dropped).",
           "field_meanings": data["field_meanings"], "flag_legend": data["flag_legend"],
           "methodology_summary": data["methodology_summary"], "points": points}
    dest = Path(__file__).resolve().parents[1] / "calc" / "data" / "inferencex.json"
    head = json.dumps({k: v for k, v in out.items() if k != "points"}, indent=1, ensure_ascii=False)
    rows = ",\n".join(json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in points)
    dest.write_text(head[:-2] + ',\n "points": [\n' + rows + "\n ]\n}\n", encoding="utf-8")
    print(f"{len(points)} points -> {dest} ({dest.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/inferencex-public.json")
