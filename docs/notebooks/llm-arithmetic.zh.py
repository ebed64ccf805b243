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
# # 线性层的算术强度
#
# 一个 $d \times d$ 的 fp16 线性层作用于 $B$ 个 token，做 $2Bd^2$ 次 FLOP，搬运 $2(d^2 + 2Bd)$ 字节，
# 所以在激活变得显著之前，它的算术强度几乎与 $B$ 同步增长。
# 原理见：[大模型推理的算术](../../llm-arithmetic/)。

# %% [markdown]
# 在仓库内任意位置都能运行：第一个单元会找到仓库并导入 `calc`（它计算每个数字）和 `figures`
# （`scripts/figures.py`，它负责画图）：每张图一个函数，返回 matplotlib 图和它所画的数据。
# 图中的文字用 `figures.SVG(fig, lang="zh")` 显示为中文，数字不变。
# 下载本笔记本：[llm-arithmetic.ipynb](llm-arithmetic.ipynb)。

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
figures.SVG(fig, lang="zh")

# %% [markdown]
# 交点批量 $B^*$ 是曲线与 A100 拐点相交之处（`calc.linear_layer_crossover`）；原文的几个批量分列两侧：

# %%
from calc.web.i18n import t

print(f"拐点 {data['ridge']:.1f} FLOP/byte，交叉点 B* = {data['crossover_batch']:.1f}")
for batch, bound in data["bound_at"].items():
    print(f"B = {batch:4}：I = {data['points'][batch]:7.2f} FLOP/byte，{t(f'{bound}-bound', 'zh')}")

# %% [markdown]
# 在带宽更低的 A100 40 GB 上，拐点更高，交点也更晚：

# %%
fig, data = figures.fc_intensity(gpu="A100-SXM4-40GB")
print(f"交叉点 B* = {data['crossover_batch']:.1f}")
figures.SVG(fig, lang="zh")
