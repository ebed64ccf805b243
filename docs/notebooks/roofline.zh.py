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
# # Roofline 与 GPU 全景
#
# 操作强度为 $I$（FLOP/byte）的 kernel，在峰值算力为 $\pi$、带宽为 $\beta$ 的硬件上最多跑到 $\min(\pi, \beta I)$；
# 两道屋顶交于拐点 $I^* = \pi / \beta$。原理见：[Roofline 模型](../../roofline/)。

# %% [markdown]
# 在仓库内任意位置都能运行：第一个单元会找到仓库并导入 `calc`（它计算每个数字）和 `figures`
# （`scripts/figures.py`，它负责画图）：每张图一个函数，返回 matplotlib 图和它所画的数据。
# 图中的文字用 `figures.SVG(fig, lang="zh")` 显示为中文，数字不变。
# 下载本笔记本：[roofline.ipynb](roofline.ipynb)。

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
# ## 三代 GPU，六个 kernel
#
# V100、A100 和 H100 的 fp16 Tensor Core 屋顶，以及放在上面的几个 kernel：三种批量下的 4096 × 4096 线性层、
# 解码时的注意力，以及算例中 LLaMA-13B 的预填充和一步解码（按它们实际搬运的字节，而不是原文的显存占用量）。

# %%
fig, data = figures.roofline()
figures.SVG(fig, lang="zh")

# %% [markdown]
# 图中标出的拐点，由 `calc.ridge_point` 算出：

# %%
for gpu, g in data["gpus"].items():
    print(f"{gpu:16} {g['peak'] / 1e12:7.1f} TFLOP/s / {g['bandwidth'] / 1e9:6.0f} GB/s = {g['ridge']:6.1f} FLOP/byte")

# %% [markdown]
# 每个 kernel 落在哪里：`calc.attainable_performance` 说明它在哪道屋顶之下。

# %%
from calc.web.i18n import t

for label, k in data["kernels"].items():
    bounds = "，".join(
        f"{figures.short_name(gpu)} {t(calc.attainable_performance(intensity=k['intensity'], gpu=gpu).bound + '-bound', 'zh')}"
        for gpu in data["gpus"]
    )
    print(f"{t(label, 'zh'):18} I = {k['intensity']:9.2f} FLOP/byte：{bounds}")

# %% [markdown]
# 批量 256 在 V100 和 A100 上是算力受限，在 H100 上却不是：每一代都抬高了门槛。可以试试其他型号，例如
# `figures.roofline(gpus=["A100-SXM4-80GB", "H200-SXM-141GB", "B200"])`。

# %% [markdown]
# ## 整个目录
#
# `calc.catalog()` 中每款硬件的峰值对带宽。虚线连接拐点相同的位置；位于另一款硬件左上方的硬件，
# 需要每字节更多的数据复用才能让 Tensor Core 忙起来。

# %%
fig, data = figures.gpu_landscape()
figures.SVG(fig, lang="zh")

# %%
for name, p in sorted(data["parts"].items(), key=lambda item: item[1]["ridge"]):
    print(f"{name:16} 拐点 {p['ridge']:6.1f} FLOP/byte")

# %% [markdown]
# ## 以时间为单位的 Roofline
#
# 同一个界限写成时间：A100 上一个 4096 × 4096 fp16 层的访存时间和计算时间随批量的变化。

# %%
fig, data = figures.roofline_time()
figures.SVG(fig, lang="zh")

# %%
print(f"批量 1：{data['bound'][0] * 1e6:.1f} µs；两条渐近线在 B = {data['crossover']:.1f} 处相交")
