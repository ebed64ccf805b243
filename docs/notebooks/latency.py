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
# # Decode latency: batch size and a growing KV cache
#
# A decode step reads every weight once and does $2P$ FLOPs per sequence: flat while the weight
# read dominates, linear once the FLOPs do. Theory: [Latency](../../latency/).

# %% [markdown]
# Run it from anywhere inside the repository: the first cell finds the repository and imports
# `calc`, which computes every number, and `figures` (`scripts/figures.py`), which draws them:
# one function per figure, returning the matplotlib figure and the data it plotted.
# Download this notebook: [latency.ipynb](latency.ipynb).

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
# ## Latency vs batch
#
# LLaMA-13B with tensor parallelism over 4 and 8 V100s (`calc.source.examples.llama13b_decode`, the source's
# small- and large-batch model joined into one curve).

# %%
fig, data = figures.decode_latency_vs_batch()
figures.SVG(fig)

# %%
for n, latency in data["latency"].items():
    print(f"{n} GPUs: {latency[0] * 1e3:.2f} ms at B = 1, {latency[255] * 1e3:.2f} ms at B = 256, "
          f"compute-bound from B = {data['first_compute_bound_batch'][n]}")

# %% [markdown]
# ## Later tokens are slower
#
# The model above leaves the KV cache out. `calc.decode_step_latency` adds it: each step also reads
# the cache of every sequence, which grows by one token per step. After a 512-token prompt, for
# 1,536 generated tokens on 8 × V100:

# %%
fig, data = figures.token_latency()
figures.SVG(fig)

# %%
for batch, latency in data["latency"].items():
    print(f"B = {batch:3}: first token {latency[0] * 1e3:6.2f} ms, last {latency[-1] * 1e3:6.2f} ms "
          f"({latency[-1] / latency[0]:.2f}x)")

# %% [markdown]
# At batch 1 the cache is a rounding error next to the 26 GB of weights; at batch 128 it is several
# times larger than the weights by the end, and the step time follows it.
