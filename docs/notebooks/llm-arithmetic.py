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
# # Intensity of a linear layer
#
# A $d \times d$ fp16 linear layer applied to $B$ tokens does $2Bd^2$ FLOPs and moves
# $2(d^2 + 2Bd)$ bytes, so its intensity grows almost like $B$ until the activations matter.
# Theory: [LLM inference arithmetic](../../llm-arithmetic/#a-single-linear-layer).

# %% [markdown]
# Run it from anywhere inside the repository: the first cell finds the repository and imports
# `calc`, which computes every number, and `figures` (`scripts/figures.py`), which draws them:
# one function per figure, returning the matplotlib figure and the data it plotted.
# Download this notebook: [llm-arithmetic.ipynb](llm-arithmetic.ipynb).

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

# %%
fig, data = figures.fc_intensity()
figures.SVG(fig)

# %% [markdown]
# The crossover batch $B^*$ is where the curve meets the A100's ridge point
# (`calc.linear_layer_crossover`); the source's batches fall on either side of it:

# %%
print(f"ridge {data['ridge']:.1f} FLOP/byte, crossover B* = {data['crossover_batch']:.1f}")
for batch, bound in data["bound_at"].items():
    print(f"B = {batch:4}: I = {data['points'][batch]:7.2f} FLOP/byte, {bound}-bound")

# %% [markdown]
# On the A100 40 GB, whose bandwidth is lower, the ridge is higher and the crossover later:

# %%
fig, data = figures.fc_intensity(gpu="A100-SXM4-40GB")
print(f"crossover B* = {data['crossover_batch']:.1f}")
figures.SVG(fig)
