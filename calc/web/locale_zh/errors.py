"""Chinese catalog, one part (errors): errors (the English template is the key), a pasted config.json, the frontier calculator.

Merged, with a check that no English key is in two parts, in :mod:`calc.web.locale_zh`.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # ------------------------------------------------------------------ errors (the English template is the key)
    # calc's messages read "<Label>: <value> <problem>"; the label and the problem are translated separately.
    "{field}: {value} {problem}": "「{field}」的值 {value} {problem}",
    # errors the calculators' other branches reach (issue 17 follow-up)
    "Number format": "数值格式",
    "Model width": "模型宽度",
    "KV heads": "KV 头数",
    "{n} weights": "{n} 个权重",
    "{n} layers": "{n} 层",
    "is not in the catalog; did you mean: {names}?": "不在硬件目录中；你要找的是不是：{names}？",
    "is not a preset; did you mean: {names}?": "不是预设模型；你要找的是不是：{names}？",
    "is empty; name at least one accelerator": "为空；请至少写一种加速器",
    "{n} layer": "{n} 层",
    "{n} weight": "{n} 个权重",
    "Prices": "价格",
    "must be written GPU=price per GPU-hour, e.g. H100-SXM5-80GB=2.5": "要写成 GPU=每 GPU 小时的价格，例如 H100-SXM5-80GB=2.5",
    "is not in the catalog; it has {n} parts, e.g. {parts}": "不在硬件目录中；目录里有 {n} 种硬件，例如 {parts}",
    "has no peak for {gpu}; this part lists: {have}": "在 {gpu} 上没有峰值；该硬件列出的有：{have}",
    "{gpu} has no {dtype} tensor peak: pick another scheme or GPU": "{gpu} 没有 {dtype} 的 Tensor 峰值：请换一个方案或 GPU",
    "do not fit in a total memory of {n}; use more GPUs or smaller weights": "放不进总共 {n} 字节的显存：请增加 GPU 或换用更小的权重",
    "does not fit: at a context of {n1} tokens at most {n2} sequences fit beside the weights; lower the batch or "
    "the context, or add GPUs": "放不下：上下文为 {n1} token 时，权重之外最多只能放下 {n2} 条序列；请减小批量或上下文，或增加 GPU",
    "does not fit: at a context of {n1} tokens at most {n2} sequence fit beside the weights; lower the batch or "
    "the context, or add GPUs": "放不下：上下文为 {n1} token 时，权重之外最多只能放下 {n2} 条序列；请减小批量或上下文，或增加 GPU",
    "{label} is {n1} characters; the limit is {n2}": "「{label}」有 {n1} 个字符；上限为 {n2}",
    "{label} is empty; enter a number": "「{label}」为空；请输入一个数字",
    "is not a number": "不是数字",
    "is not a number; use '.' for decimals and ',' only between thousands": "不是数字；小数点请用“.”，“,”只能用作千位分隔",
    "is too large; enter a smaller number": "太大；请输入更小的数",
    "is not finite; enter a finite number": "不是有限数；请输入一个有限的数",
    "is too large; the most this calculator takes is {n}": "太大；本计算器最多接受 {n}",
    "must be a whole number": "必须是整数",
    "must be at least {amount}": "必须至少为 {amount}",
    "must be greater than {amount}": "必须大于 {amount}",
    "must be at most {amount}": "最多为 {amount}",
    "is not one of the choices: {choices}": "不在可选项中：{choices}",
    "{problem}; give {allowed}": "{problem}；请给出{allowed}",
    "is too large": "太大",
    "is too small": "太小",
    "is not a whole number": "不是整数",
    "a whole number from {low} to {high}": "从 {low} 到 {high} 的整数",
    "a number from {low} to {high}": "从 {low} 到 {high} 的数",
    "a number above {low}": "大于 {low} 的数",
    "a whole number above {low}": "大于 {low} 的整数",
    "a number above {low} and at most {high}": "大于 {low} 且至多为 {high} 的数",
    "a whole number above {low} and at most {high}": "大于 {low} 且至多为 {high} 的整数",
    "a whole number of at least {low}": "至少为 {low} 的整数",
    "a number of at least {low}": "至少为 {low} 的数",
    "is not text; give {what}": "不是文本；请给出{what}",
    "is too long; give at most {n} characters": "太长；最多 {n} 个字符",
    "is not allowed; give one of {choices}": "不允许；请从以下选一个：{choices}",
    "is empty; give a name": "为空；请给出一个名称",
    "one of {choices}": "以下之一：{choices}",
    "a name (text)": "一个名称（文本）",
    "{field}: these inputs make {what} too large to compute; give a smaller {other}":
        "「{field}」：这组输入让{what}大到无法计算；请减小{field}",
    "the result": "结果",
    # a pasted config.json (calc.model.hf_config); config keys are the file's own names
    "{key} is missing; a {family} config needs it": "缺少 {key}；{family} 的 config 需要它",
    "must be true or false": "必须是 true 或 false",
    "must be a string": "必须是字符串",
    "is not a JSON object; give the {...} object of a config.json": "不是 JSON 对象；请给出 config.json 里的 {...} 对象",
    "num_attention_heads={n1} must be a multiple of num_key_value_heads={n2}":
        "num_attention_heads={n1} 必须是 num_key_value_heads={n2} 的整数倍",
    "hidden_size={n1} is not divisible by num_attention_heads={n2}; give head_dim explicitly":
        "hidden_size={n1} 不能被 num_attention_heads={n2} 整除；请明确给出 head_dim",
    "num_experts_per_tok={n1} must not exceed num_local_experts={n2}": "num_experts_per_tok={n1} 不能超过 num_local_experts={n2}",
    "num_experts_per_tok={n1} must not exceed num_experts={n2}": "num_experts_per_tok={n1} 不能超过 num_experts={n2}",
    "{said} is not a supported family ({families}); fields not understood: {fields}. If the model is Llama-shaped, "
    "set model_type to 'llama'.":
        "{said} 不是支持的模型家族（{families}）；无法识别的字段：{fields}。如果模型的结构与 Llama 相同，请把 model_type 设为 'llama'。",
    "config.json is nested too deeply to be a model's config; paste the real file": "config.json 嵌套太深，不像模型的 config；请粘贴真实的文件",
    "{key} is not an input of this calculator; inputs: {inputs}": "{key} 不是本计算器的输入；输入有：{inputs}",
    "The config.json box is empty: paste a Hugging Face config.json, or pick a preset":
        "config.json 文本框是空的：请粘贴一个 Hugging Face 的 config.json，或选一个预设",
    "config.json is not valid JSON: {problem} at line {n1}, column {n2}": "config.json 不是有效的 JSON：第 {n1} 行第 {n2} 列，{problem}",
    "config.json must be a JSON object ({...}), as Hugging Face writes it": "config.json 必须是一个 JSON 对象（{...}），和 Hugging Face 写出的一样",
    "The weights ({n1} GiB) do not fit in {n2} GiB: add GPUs or use a smaller weights dtype":
        "权重（{n1} GiB）放不进 {n2} GiB：请增加 GPU，或换用更小的权重数据类型",
    "One request's KV cache ({n1} GiB at {n2} tokens) is more than the {n3} GiB left after the weights: "
    "shorten the context, use a smaller KV dtype or add GPUs":
        "一个请求的 KV cache（{n2} token 时 {n1} GiB）超过了放下权重后剩余的 {n3} GiB：请缩短上下文、换用更小的 KV 数据类型或增加 GPU",
    "These inputs cannot be computed together; try smaller values": "这组输入无法一起计算；请试试更小的值",
    "inputs must be a JSON object": "输入必须是一个 JSON 对象",
    "These inputs give a result too large or too small to show; try values closer to real models and hardware":
        "这组输入给出的结果太大或太小，无法显示；请试试更接近真实模型和硬件的值",
    # ------------------------------------------------------------------ the frontier calculator (calc.serving.frontier)
    "Throughput–interactivity frontier": "吞吐–交互性前沿",
    "DeepSeek-R1 has DeepSeek-V3's architecture.": "DeepSeek-R1 与 DeepSeek-V3 结构相同。",
    "Catalog names, comma-separated.": "目录中的名称，用逗号分隔。",
    "Interactivity target": "交互性目标",
    "tokens/s per user": "每用户 token/s",
    "{n} tokens/s per user": "每用户 {n} token/s",
    "The best point is the cheapest at or above it (1 / TPOT).": "最佳点是达到该目标（1 / TPOT）的点中最便宜的一个。",
    "Speculative decoding": "投机解码",
    "on: each configuration is also tried with drafts (MTP).": "开：每个配置也带草稿 token（MTP）试一次。",
    "on": "开",
    "off": "关",
    "engine": "引擎",
    "Draft tokens": "草稿 token 数",
    "Acceptance rate": "接受率",
    "Probability each draft token is accepted; 0.7 is an assumption.": "每个草稿 token 被接受的概率；0.7 是一个假设。",
    "Disaggregated prefill/decode": "预填充/解码分离",
    "on: also try separate prefill and decode workers.": "开：也尝试独立的预填充和解码实例。",
    "engine: the fitted profile of the engine measured on each GPU, else on a GPU with the same die, else the "
    "vendor's most conservative one.":
        "引擎：每种 GPU 上实测引擎的拟合参数；没有实测的，用同一芯片上实测过的 GPU 的参数；再没有的，用同一厂商最保守的一组。",
    "GPU=dollars per GPU-hour, comma-separated; gives the cost per million tokens.":
        "GPU=每 GPU 小时的美元价格，用逗号分隔；用来算每百万 token 的成本。",
    "Best on target": "达标的最佳点",
    "Interactivity": "交互性",
    "Cost per million output tokens": "每百万输出 token 的成本",
    "Cost per million tokens (input + output)": "每百万 token（输入 + 输出）的成本",
    "Runner-up": "次优",
    "Why it wins": "胜出的原因",
    "Decode step": "一步解码",
    "Prefill of one prompt": "一个输入的预填充",
    "Validation data for this GPU and format": "该 GPU 与格式有无验证数据",
    "yes": "有",
    "no": "无",
    "{config} · batch {n}": "{config} · 批量 {n}",
    "{n1} × TP{n2} prefill + {n3} × ({config}) decode · batch {n4}":
        "{n1} × TP{n2} 预填充 + {n3} × （{config}）解码 · 批量 {n4}",
    "{gpu} delivers more tokens per dollar than {other} at this interactivity": "在这一交互性下，{gpu} 每美元产出的 token 比 {other} 多",
    "{gpu} delivers more tokens per GPU than {other} at this interactivity": "在这一交互性下，{gpu} 每卡产出的 token 比 {other} 多",
    "its prefills interleaved with decoding cost less than the dedicated prefill workers of the disaggregated group":
        "穿插在解码之间的预填充，比分离部署中专用预填充实例的开销更小",
    "dedicated prefill workers keep prefills out of its decode steps, so TPOT stays on target at a larger batch":
        "专用的预填充实例让预填充不再挤进解码步，因此更大的批量下 TPOT 仍能达标",
    "{a} moves fewer bytes and computes at a higher peak than {b}": "{a} 比 {b} 搬运的字节更少、计算峰值更高",
    "speculative decoding yields several tokens per memory-bound step": "投机解码让每个受内存带宽限制的步骤产出多个 token",
    "at this batch the drafts cost more than the tokens they add": "在这个批量下，草稿的开销超过了它多产出的 token",
    "{a} spends less of each step in collectives and per-GPU reads than {b}": "{a} 每步花在集合通信和每卡读取上的时间比 {b} 少",
    "a {a} KV cache leaves room for a larger batch than {b}": "{a} 的 KV cache 比 {b} 留出更多空间给更大的批量",
    "its batch sits closer to the target": "它的批量更接近目标",
    "{model}, {n1} + {n2} tokens: throughput vs interactivity": "{model}，{n1} + {n2} token：吞吐与交互性",
    "Interactivity (tokens/s per user)": "交互性（每用户 token/s）",
    "Throughput (tokens/s per GPU)": "吞吐（每卡 token/s）",
    "InferenceX (measured)": "InferenceX（实测）",
    "configuration": "配置",
    "TTFT (ms)": "TTFT (ms)",
    "Lines: the model's frontier per GPU (solid aggregated, dashed disaggregated); diamonds: InferenceX measurements "
    "at the same lengths. Efficiency: {efficiency}.":
        "线：模型给出的每种 GPU 的前沿（实线为合并部署，虚线为分离部署）；菱形：相同长度下的 InferenceX 实测。效率：{efficiency}。",
    "is met by no configuration of {model} (the fastest reaches {n1} tokens/s per user, the lowest TTFT is {n2} ms); "
    "relax the target or add GPUs, formats or speculative decoding":
        "没有任何 {model} 的配置能满足（最快只到每用户 {n1} token/s，最低 TTFT 为 {n2} ms）；请放宽目标，或增加 GPU、格式或投机解码",
    "is met by no configuration of {model}: even the ideal roofline of each misses it; relax the target or add "
    "faster GPUs, smaller formats or speculative decoding":
        "没有任何 {model} 的配置能满足：连每个配置的理想 Roofline 都达不到；请放宽目标，或换更快的 GPU、更小的格式或投机解码",
    "Request rate": "请求速率",
    "KV transfer link": "KV 传输链路",
    "Formats": "格式",
    "{field}: {value} is not computed by {gpu}: it has no {peak} peak (it lists {items}); drop {f} or that GPU":
        "{field}：{gpu} 不能以 {value} 计算：它没有 {peak} 峰值（它列出的是 {items}）；请去掉 {f} 或这块 GPU",
    # ------------------------------------------------------------------ the planner (calc.serving.slo.plan_slo)
    "Load given as": "负载的给法",
    "Concurrent users N or an arrival rate λ; Little's law links them: N = λ · W.":
        "并发用户数 N 或到达率 λ；二者由 Little 定律联系：N = λ · W。",
    "concurrent users": "并发用户数",
    "requests per second": "每秒请求数",
    "Load": "负载",
    "Users (a whole number) or requests per second, as chosen above.": "用户数（整数）或每秒请求数，按上面的选择。",
    "each GPU's own: 16-bit, fp8 and fp4 where the GPU computes them.": "各 GPU 自己的：16 位，以及该 GPU 能计算的 fp8 和 fp4。",
    "each GPU's own": "各 GPU 自己的",
}
