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
# # KV cache 与最大批量
#
# 放下权重之后，显存就是一份 KV cache 的预算：最大批量等于剩余显存除以单个请求的 cache。
# 原理见：[显存与并发](../../memory/)。

# %% [markdown]
# 在仓库内任意位置都能运行：第一个单元会找到仓库并导入 `calc`（它计算每个数字）和 `figures`
# （`scripts/figures.py`，它负责画图）：每张图一个函数，返回 matplotlib 图和它所画的数据。
# 图中的文字用 `figures.SVG(fig, lang="zh")` 显示为中文，数字不变。
# 下载本笔记本：[memory.ipynb](memory.ipynb)。

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
# LLaMA-13B 和 LLaMA-65B 在一个 8 × V100 32 GB（8 × 32 GiB）节点上，fp16 与 int8 权重，fp16 cache，所有请求的上下文
# 长度相同（`calc.model_batch_limit`）。叉号是原文在 2,048 token 处的答案，用它取整后的输入算出
# （`calc.source.examples.seed_batch_limit`）。

# %%
fig, data = figures.kv_memory()
figures.SVG(fig, lang="zh")

# %%
at = list(data["contexts"]).index(2048)
for (model, dtype), curve in data["max_batch"].items():
    print(f"{model} {dtype}：2,048 token 时 {curve[at]:6.2f} 个请求")
for (model, dtype), seed in data["markers"].items():
    print(f"原文，{model} {dtype}：{seed:.2f}")

# %% [markdown]
# 65B 的标记落在曲线上（原文的输入按 GiB 读是精确的）；13B 的标记落在曲线下方，因为“每 token 1 MB”把 0.78 MiB
# 向上取整了——见[勘误](../../errata/)。
