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
# # KV cache and the largest batch
#
# After the weights, memory is a budget of KV cache: the largest batch is the memory left over
# divided by one request's cache. Theory: [Memory and concurrency](../../memory/).

# %% [markdown]
# Run it from anywhere inside the repository: the first cell finds the repository and imports
# `calc`, which computes every number, and `figures` (`scripts/figures.py`), which draws them:
# one function per figure, returning the matplotlib figure and the data it plotted.
# Download this notebook: [memory.ipynb](memory.ipynb).

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
# LLaMA-13B and LLaMA-65B on one node of 8 × V100 32 GB (8 × 32 GiB), fp16 and int8 weights, fp16
# cache, every request at the same context length (`calc.model_batch_limit`). The crosses are the
# source's answers at 2,048 tokens, computed from its rounded inputs (`calc.source.examples.seed_batch_limit`).

# %%
fig, data = figures.kv_memory()
figures.SVG(fig)

# %%
at = list(data["contexts"]).index(2048)
for (model, dtype), curve in data["max_batch"].items():
    print(f"{model} {dtype}: {curve[at]:6.2f} requests at 2,048 tokens")
for (model, dtype), seed in data["markers"].items():
    print(f"source, {model} {dtype}: {seed:.2f}")

# %% [markdown]
# The 65B marker sits on its curve (the source's inputs are exact in GiB); the 13B marker sits below,
# because "1 MB per token" rounds 0.78 MiB up — see the [errata](../../errata/).
