"""Chinese catalog, one part (results): result labels and values, the planner's explanation, notes and chart titles.

Merged, with a check that no English key is in two parts, in :mod:`calc.web.locale_zh`.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # ------------------------------------------------------------------ result labels and values
    "Ridge point": "拐点",
    "Ridge point of {gpu}": "{gpu} 的拐点",
    "Attainable performance": "可达性能",
    "Linear layer intensity": "线性层的算术强度",
    "Batch where it turns compute-bound": "转为算力受限的批量",
    "Bound": "受限于",
    "memory-bound": "内存带宽受限",
    "compute-bound": "算力受限",
    "memory": "内存带宽",
    "compute": "算力",
    "FLOPs (prefill)": "FLOPs（预填充）",
    "Memory footprint (the source's bytes)": "显存占用（原文的字节数）",
    "The source's intensity": "原文的算术强度",
    "Prefill FLOPs": "预填充 FLOPs",
    "Prefill bytes moved": "预填充搬运的字节",
    "Prefill intensity": "预填充的算术强度",
    "Prefill bound": "预填充受限于",
    "Decode-step FLOPs (last step)": "一步解码的 FLOPs（最后一步）",
    "Decode-step bytes moved": "一步解码搬运的字节",
    "Decode-step intensity": "一步解码的算术强度",
    "Decode-step bound": "一步解码受限于",
    "Weight read": "读取权重",
    "KV cache read": "读取 KV cache",
    "FLOPs time": "计算时间",
    "Communication": "通信",
    "Decode-step latency": "一步解码的延迟",
    "Knee (the {cause})": "拐点批量（{cause}）",
    "KV cache": "KV cache",
    "ridge point": "拐点",
    "{name}: η_compute {n1}, η_memory {n2}, η_link {n3}, α {n4} µs per collective, {n5} µs per layer":
        "{name}：η_compute {n1}、η_memory {n2}、η_link {n3}，每次集合通信 α {n4} µs，每层 {n5} µs",
    "{name}: η_compute {n1}, η_memory {n2}, η_link {n3}, α {n4} µs per collective, {n5} µs per layer "
    "(+ {n6} µs per MoE layer), {n7} µs per step, {n8} ms per request, MoE GEMM half-efficiency at {n9} tokens "
    "per expert":
        "{name}：η_compute {n1}、η_memory {n2}、η_link {n3}，每次集合通信 α {n4} µs，每层 {n5} µs（每个 MoE 层另加 {n6} µs），"
        "每步 {n7} µs，每个请求 {n8} ms，MoE 分组 GEMM 在每个专家 {n9} 个 token 时效率减半",
    "ideal": "理想",
    "calibrated": "校准后",
    # the planner's explanation (calc.serving.search)
    "{winner} serves {n1} users per node within {slo}; each replica stops at batch {n2} ({why}), so {n3} node(s), "
    "{n4} GPUs; the next different option, {runner}, needs {n5} GPUs.":
        "{winner} 在 {slo} 内每节点服务 {n1} 个用户；每个副本在批量 {n2} 处停下（{why}），所以需要 {n3} 个节点、{n4} 块 GPU；"
        "次优的另一种选择 {runner} 需要 {n5} 块 GPU。",
    "{winner} serves {n1} users per node within {slo}; each replica stops at batch {n2} ({why}), so {n3} node(s), "
    "{n4} GPUs.":
        "{winner} 在 {slo} 内每节点服务 {n1} 个用户；每个副本在批量 {n2} 处停下（{why}），所以需要 {n3} 个节点、{n4} 块 GPU。",
    "No configuration meets {slo}: relax the SLO, allow more hardware or a smaller dtype.":
        "没有配置能满足 {slo}：请放宽 SLO、允许更多硬件或更小的数据类型。",
    "{n1} × {n2} {gpu}, TP{n3}·PP{n4} × {n5}, w {w}, kv {kv}, batch {n6}":
        "{n1} × {n2} {gpu}，TP{n3}·PP{n4} × {n5}，权重 {w}，KV {kv}，批量 {n6}",
    "memory full": "显存已满",
    "TPOT at its limit": "TPOT 已到上限",
    "TTFT at its limit": "TTFT 已到上限",
    "{fmt} (g={n1}, {n2} B scale + {n3} B zero per group)": "{fmt}（g={n1}，每组 {n2} B 缩放系数 + {n3} B 零点）",
    "limited by memory": "受显存容量限制",
    "limited by TPOT": "受 TPOT 目标限制",
    "limited by TTFT": "受 TTFT 目标限制",
    "limited by does not fit": "放不下",
    "small batch (memory-bound)": "小批量（内存带宽受限）",
    "large batch (compute-bound)": "大批量（算力受限）",
    "Largest batch that fits": "放得下的最大批量",
    "Throughput": "吞吐",
    "The source's formulas (no KV cache)": "原文公式（不计 KV cache）",
    "KV cache per token": "每个 token 的 KV cache",
    "KV cache per request": "每个请求的 KV cache",
    "Weights": "权重",
    "Memory of the GPUs": "全部 GPU 的显存",
    "Largest batch": "最大批量",
    "The source's estimate (rounded inputs)": "原文的估算（取整后的输入）",
    "Nodes for {n1} users at {n2} requests per node": "{n1} 个用户、每节点 {n2} 个请求所需的节点数",
    "Nodes at the theoretical limit": "理论上限下的节点数",
    "Prefill of the whole batch (lower bound on time to first token)": "整批预填充（首 token 时间的下限）",
    "Decode step (per output token, lower bound)": "一步解码（每个输出 token，下限）",
    "Decode intensity": "解码的算术强度",
    "Decode time in memory-bound operators": "解码时间中内存带宽受限算子的占比",
    "Weights read per step": "每步读取的权重",
    "KV cache read per decode step": "每步解码读取的 KV cache",
    "Configurations searched": "搜索过的配置数",
    "Fewest GPUs": "最少 GPU 数",
    "Deployment": "部署",
    "none meets the SLO": "没有部署能满足 SLO",
    "Cost": "成本",
    "Users per node": "每节点用户数",
    "TPOT": "TPOT",
    "TTFT": "TTFT",
    "Throughput per GPU": "每卡吞吐",
    "Pareto front": "帕累托前沿",
    "{n} batch evaluations": "评估了 {n} 个批量",
    "target ≤ {n} ms": "目标 ≤ {n} ms",
    # ------------------------------------------------------------------ notes and table text
    "fp16 weights and cache; card memory is taken as its physical size in GiB.":
        "权重与 cache 均为 fp16；显存按物理容量（GiB）计。",
    "GiB = 2^30 bytes; card memory is taken as its physical size in GiB.": "GiB = 2^30 字节；显存按物理容量（GiB）计。",
    "int8 peaks count integer operations (TOPS): read FLOP as OP here.": "int8 峰值计的是整数运算（TOPS）：这里的 FLOP 请读作 OP。",
    "The source's arithmetic: prefill FLOPs over weights at 1 byte per parameter × 1.2 plus the cache of s + o "
    "tokens — a footprint, not traffic (errata E6).":
        "原文的算法：预填充 FLOPs 除以“每参数 1 字节 × 1.2 的权重加上 s + o 个 token 的 cache”——这是显存占用，"
        "不是访存量（勘误 E6）。",
    "Model preset: {model}, as the source's architecture (a 4h MLP, multi-head attention); fused, causal attention; "
    "fp16 activations and cache.":
        "模型预设：{model}，按原文的结构（4h 的 MLP、多头注意力）；融合的因果注意力；激活与 cache 为 fp16。",
    "Modelling choices: {choices}": "建模假设：{choices}",
    "Per operator on {gpu}: max(FLOPs / peak, bytes / bandwidth)": "{gpu} 上逐个算子：max(FLOPs / 峰值, 字节 / 带宽)",
    "Operator": "算子",
    "Prefill (ms)": "预填充 (ms)",
    "Decode (ms)": "解码 (ms)",
    "Decode bound": "解码受限于",
    "Decode share (%)": "解码占比 (%)",
    "embedding lookup": "词嵌入查表",
    "attention norm": "注意力前的归一化",
    "MLP norm": "MLP 前的归一化",
    "rotary (q, k)": "旋转位置编码 (q, k)",
    "attention (fused: QKᵀ, softmax, ·V)": "注意力（融合：QKᵀ、softmax、·V）",
    "residual adds": "残差相加",
    "final norm": "最后的归一化",
    "Why: {reason} Efficiency {efficiency}.": "原因：{reason} 效率 {efficiency}。",
    # ------------------------------------------------------------------ chart titles
    "Roofline of {gpu}": "{gpu} 的 Roofline",
    "Operational intensity (FLOP/byte)": "操作强度 (FLOP/byte)",
    "Attainable performance (TFLOP/s)": "可达性能 (TFLOP/s)",
    "point": "点",
    "kernel": "算子",
    "Decode-step latency at {n} tokens, {gpus} (batches that fit)": "上下文 {n} token、{gpus} 时一步解码的延迟（放得下的批量）",
    "Batch size (sequences)": "批量（序列数）",
    "Latency per step (ms)": "每步延迟 (ms)",
    "Largest batch vs context, {n} GPUs × {memory}": "最大批量与上下文的关系，{n} 个 GPU × {memory}",
    "Context length (tokens)": "上下文长度 (token)",
    "Largest batch (requests)": "最大批量（请求数）",
    "Where the time goes, by operator group": "时间花在哪里（按算子类别）",
    "Share of the step's time": "占一步时间的比例",
    "Operators": "算子",
    "Pareto front for {n} users of {model}": "{model} 服务 {n} 个用户的帕累托前沿",
    "TPOT (ms)": "TPOT (ms)",
    "deployment": "部署",
    # ------------------------------------------------------------------ the planner's rows (calc.serving.slo)
    "groups × GPUs per group": "组数 × 每组 GPU 数",
    "Groups": "组数",
    "⌈N / (batch × decode workers)⌉": "⌈N / (批量 × 解码实例数)⌉",
    "⌈λ / requests/s per group⌉": "⌈λ / 每组每秒请求数⌉",
    "Requests per second (Little's law)": "每秒请求数（Little 定律）",
    "Requests in flight (Little's law)": "同时在处理的请求数（Little 定律）",
    "λ = N / W, W = TTFT + (output − 1) · TPOT": "λ = N / W，W = TTFT + (输出 − 1) · TPOT",
    "N = λ · W, W = TTFT + (output − 1) · TPOT": "N = λ · W，W = TTFT + (输出 − 1) · TPOT",
    "{n1} requests/s × {n2} s": "{n1} 个请求/s × {n2} s",
    "decode step / tokens accepted per step (+ interleaved prefills when aggregated)":
        "一步解码 / 每步接受的 token 数（合并部署时再加上穿插的预填充）",
    "it needs as many GPUs at a lower cost": "GPU 数相同，但成本更低",
    "it needs as many GPUs and gives a shorter TPOT": "GPU 数相同，但 TPOT 更短",
    "compute + weights + KV cache + activations + communication + fixed costs + drafts":
        "计算 + 权重 + KV cache + 激活 + 通信 + 固定开销 + 草稿",
    "Little's law links the two loads: N = λ · W, with W = TTFT + (output − 1) · TPOT.":
        "Little 定律把两种负载联系起来：N = λ · W，其中 W = TTFT + (输出 − 1) · TPOT。",
    "Pareto front for {n} requests/s of {model}": "{model} 每秒 {n} 个请求的帕累托前沿",
    "GPUs × price per GPU-hour": "GPU 数 × 每 GPU 小时的价格",
    "$ per hour / 3600 / (requests/s × output tokens) × 10⁶": "每小时美元 / 3600 / (每秒请求数 × 输出 token 数) × 10⁶",
    "{n} output tokens/s": "每秒 {n} 个输出 token",
}
