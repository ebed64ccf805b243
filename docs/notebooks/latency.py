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
# # Decode latency: batch size, context length and the KV cache
#
# A decode step reads every weight once and every sequence's KV cache once, and does $2P$ FLOPs
# (plus attention) per sequence: flat while the weight read dominates, then growing with the cache
# long before the FLOPs matter. Theory: [Latency](../../latency/).

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
# ## Latency vs batch, at three context lengths
#
# LLaMA-13B with tensor parallelism over 8 V100s (`calc.source.examples.llama13b_step`, the decode step with
# its KV cache), at the source's 20-token experiment, 512 and 2,048 tokens; dashed, the source's cache-free
# formulas (`llama13b_decode`).

# %%
fig, data = figures.decode_latency_vs_batch()
figures.SVG(fig)

# %%
for t, latency in data["latency"].items():
    print(f"context {t:5,}: {latency[0] * 1e3:.2f} ms at B = 1, {latency[127] * 1e3:.2f} ms at B = 128, "
          f"knee {data['knee'][t]:.1f}, at most {data['limit'][t]:,.1f} sequences fit")
print(f"the source's formulas: {data['source'][0] * 1e3:.2f} ms at B = 1, {data['source'][127] * 1e3:.2f} ms at B = 128")

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

# %% [markdown]
# ## Where the roofline lies
#
# Published decode times of DeepSeek-R1 on 8 × H200 and 8 × MI300X (InferenceX, `calc/data/decode_measured.json`)
# against the roofline bound of the same step (`calc.measured_decodes`) and the serving engine's estimate.

# %%
fig, data = figures.roofline_vs_measured()
figures.SVG(fig)

# %%
for gpu, series in data.items():
    for c, m, b in zip(series["concurrency"], series["measured"], series["bound"]):
        print(f"{gpu:15} {c:3} users: measured {m * 1e3:6.2f} ms, bound {b * 1e3:5.2f} ms ({b / m:.0%} of the roofline)")

# %% [markdown]
# What a step's time is made of: the roofline's part, the engine's parts, and what neither explains.

# %%
fig, data = figures.time_components()
figures.SVG(fig)
