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
# # 解码延迟：批量、上下文长度与 KV cache
#
# 一步解码要把每个权重读一遍、每条序列的 KV cache 读一遍，并为每条序列做 $2P$ 次 FLOP（再加上注意力）：
# 读权重占主导时耗时平坦，随后远在 FLOPs 变得重要之前，就随 cache 增长。原理见：[延迟](../../latency/)。

# %% [markdown]
# 在仓库内任意位置都能运行：第一个单元会找到仓库并导入 `calc`（它计算每个数字）和 `figures`
# （`scripts/figures.py`，它负责画图）：每张图一个函数，返回 matplotlib 图和它所画的数据。
# 图中的文字用 `figures.SVG(fig, lang="zh")` 显示为中文，数字不变。
# 下载本笔记本：[latency.ipynb](latency.ipynb)。

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
# ## 三种上下文长度下延迟与批量的关系
#
# LLaMA-13B 在 8 块 V100 上张量并行（`calc.source.examples.llama13b_step`，带 KV cache 的一步解码），上下文取原文
# 实验的 20 token、512 和 2,048 token；虚线为原文不计 cache 的公式（`llama13b_decode`）。

# %%
fig, data = figures.decode_latency_vs_batch()
figures.SVG(fig, lang="zh")

# %%
for t, latency in data["latency"].items():
    print(f"上下文 {t:5,} token：B = 1 时 {latency[0] * 1e3:.2f} ms，B = 128 时 {latency[127] * 1e3:.2f} ms，"
          f"拐点批量 {data['knee'][t]:.1f}，最多放下 {data['limit'][t]:,.1f} 条序列")
print(f"原文的公式：B = 1 时 {data['source'][0] * 1e3:.2f} ms，B = 128 时 {data['source'][127] * 1e3:.2f} ms")

# %% [markdown]
# ## 后面的 token 更慢
#
# 上面原文的模型不计 KV cache。`calc.decode_step_latency` 把它加了进来：每一步还要读每条序列的 cache，而 cache
# 每步增长一个 token。在 512 token 的输入之后，在 8 × V100 上生成 1,536 个 token：

# %%
fig, data = figures.token_latency()
figures.SVG(fig, lang="zh")

# %%
for batch, latency in data["latency"].items():
    print(f"B = {batch:3}：第一个 token {latency[0] * 1e3:6.2f} ms，最后一个 {latency[-1] * 1e3:6.2f} ms"
          f"（{latency[-1] / latency[0]:.2f} 倍）")

# %% [markdown]
# 批量为 1 时，cache 与 26 GB 的权重相比只是零头；批量为 128 时，到最后它已是权重的好几倍，一步的耗时也随之增长。

# %% [markdown]
# ## Roofline 与实测之间的差距
#
# DeepSeek-R1 在 8 × H200 和 8 × MI300X 上公布的解码时间（InferenceX，`calc/data/decode_measured.json`），
# 对照同一步的 Roofline 下限（`calc.measured_decodes`）和服务引擎的估计。

# %%
fig, data = figures.roofline_vs_measured()
figures.SVG(fig, lang="zh")

# %%
for gpu, series in data.items():
    for c, m, b in zip(series["concurrency"], series["measured"], series["bound"]):
        print(f"{gpu:15} {c:3} 个用户：实测 {m * 1e3:6.2f} ms，下限 {b * 1e3:5.2f} ms（Roofline 的 {b / m:.0%}）")

# %% [markdown]
# 一步的耗时由什么构成：Roofline 的那一部分、引擎的各个部分，以及两者都解释不了的部分。

# %%
fig, data = figures.time_components()
figures.SVG(fig, lang="zh")
