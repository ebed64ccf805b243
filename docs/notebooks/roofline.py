# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
# %% [markdown]
# # The roofline and the GPU landscape
#
# A kernel of operational intensity $I$ (FLOP/byte) runs at most at $\min(\pi, \beta I)$ on a part with
# peak $\pi$ and bandwidth $\beta$; the two roofs meet at the ridge point $I^* = \pi / \beta$.
# Theory: [The roofline model](../../roofline/).

# %% [markdown]
# Run it from anywhere inside the repository: the first cell finds the repository and imports
# `calc`, which computes every number, and `figures` (`scripts/figures.py`), which draws them:
# one function per figure, returning the matplotlib figure and the data it plotted.
# Download this notebook: [roofline.ipynb](roofline.ipynb).

# %%
import sys
from pathlib import Path

ROOT = next((p for p in (Path.cwd(), *Path.cwd().parents) if (p / "calc" / "__init__.py").exists()), None)
if ROOT is None:
    raise RuntimeError("run this notebook from inside the repository: it imports calc and scripts/figures.py")
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import calc
import figures
from calc.source import examples

# %% [markdown]
# ## Three generations, six kernels
#
# The fp16 tensor-core roofs of V100, A100 and H100, with a 4096 × 4096 linear layer at three batch
# sizes, attention during decoding, and the worked example's LLaMA-13B prefill and decode step (with the
# bytes they move, not the source's footprint) placed on them.

# %%
fig, data = figures.roofline()
figures.SVG(fig)

# %% [markdown]
# The ridge points it marks, from `calc.ridge_point`:

# %%
for gpu, g in data["gpus"].items():
    print(f"{gpu:16} {g['peak'] / 1e12:7.1f} TFLOP/s / {g['bandwidth'] / 1e9:6.0f} GB/s = {g['ridge']:6.1f} FLOP/byte")

# %% [markdown]
# Where each kernel lands: `calc.attainable_performance` says which roof it is under.

# %%
for label, k in data["kernels"].items():
    bounds = ", ".join(
        f"{figures.short_name(gpu)} {calc.attainable_performance(intensity=k['intensity'], gpu=gpu).bound}"
        for gpu in data["gpus"]
    )
    print(f"{label:18} I = {k['intensity']:9.2f} FLOP/byte: {bounds}")

# %% [markdown]
# Batch 256 is compute-bound on the V100 and A100 but not on the H100: each generation raised the
# bar. Try other parts, e.g. `figures.roofline(gpus=["A100-SXM4-80GB", "H200-SXM-141GB", "B200"])`.

# %% [markdown]
# ## The whole catalog
#
# Peak against bandwidth for every part in `calc.catalog()`. Dashed lines join parts of equal ridge
# point; a part above-left of another needs more reuse per byte to keep its tensor cores busy.

# %%
fig, data = figures.gpu_landscape()
figures.SVG(fig)

# %%
for name, p in sorted(data["parts"].items(), key=lambda item: item[1]["ridge"]):
    print(f"{name:16} ridge {p['ridge']:6.1f} FLOP/byte")

# %% [markdown]
# ## The roofline in time units
#
# The same bound as a time: a 4096 × 4096 fp16 layer on the A100, memory time and math time against the batch.

# %%
fig, data = figures.roofline_time()
figures.SVG(fig)

# %%
print(f"batch 1: {data['bound'][0] * 1e6:.1f} µs; the asymptotes cross at B = {data['crossover']:.1f}")
