"""The Chinese edition: every page in both languages, nothing left in English, the same numbers.

English pages are ``docs/PAGE.md`` and the Chinese ones ``docs/PAGE.zh.md`` (mkdocs-static-i18n, /zh/);
notebooks likewise.  The calculators' words come from ``calc.web.i18n`` (catalog ``calc/web/locale_zh/``, in parts).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from calc.web import i18n, widgets

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))

import docs_widgets  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
SHORTCODE = re.compile(r"\{\{\s*(calc(?:-table|-widget)?):\s*(.+?)\s*\}\}", re.DOTALL)
DOCTEST = re.compile(r"^```pycon\n(.*?)^```", re.DOTALL | re.MULTILINE)


def english_pages() -> list[Path]:
    return sorted(p for p in DOCS.glob("*.md") if not p.name.endswith(".zh.md"))


def chinese(page: Path) -> Path:
    return page.with_name(page.name.replace(page.suffix, f".zh{page.suffix}"))


def notebooks() -> list[Path]:
    return sorted(p for p in (DOCS / "notebooks").glob("*.py") if not p.name.endswith(".zh.py"))


# ------------------------------------------------------------------ every page in both languages

def test_every_page_exists_in_both_languages():
    english = {p.name.removesuffix(".md") for p in english_pages()}
    chinese_pages = {p.name.removesuffix(".zh.md") for p in DOCS.glob("*.zh.md")}
    assert english == chinese_pages, (english ^ chinese_pages)
    english_nb = {p.stem for p in notebooks()}
    chinese_nb = {p.name.removesuffix(".zh.py") for p in (DOCS / "notebooks").glob("*.zh.py")}
    assert english_nb == chinese_nb, (english_nb ^ chinese_nb)


# ------------------------------------------------------------------ no English paragraph left

#: Runs of this many Latin-alphabet words in a row are a paragraph left in English.
RUN = 12
WORD = re.compile(r"^[A-Za-z][A-Za-z'’\-]*[.,;:!?)]*$")

HIDDEN = [
    re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE),  # code blocks (doctests: the library speaks English)
    re.compile(r"\$\$.*?\$\$", re.DOTALL),  # display maths
    re.compile(r"\$[^$\n]+\$"),  # inline maths
    SHORTCODE,  # numbers from calc
    re.compile(r"`[^`\n]+`"),  # inline code: names of functions, files, fields
    re.compile(r"<[^>\n]+>"),  # HTML tags and autolinks (addresses)
    re.compile(r"\]\([^)\s]+\)"),  # link targets
    re.compile(r"(?<![*\w])\*[^*\n]+\*(?!\*)"),  # italics: the titles of cited works (proper names)
    re.compile(r"^\s*\|?\s*[-:| ]+\|\s*$", re.MULTILINE),  # table rules
]


def visible_prose(markdown: str) -> str:
    for pattern in HIDDEN:
        markdown = pattern.sub(" ¶ ", markdown)
    return markdown


def english_runs(text: str) -> list[str]:
    """Every run of ≥ RUN consecutive Latin-alphabet words in ``text`` (a CJK character or a number ends a run)."""
    runs, current = [], []
    for token in visible_prose(text).split():
        if WORD.match(token):
            current.append(token)
            continue
        if len(current) >= RUN:
            runs.append(" ".join(current))
        current = []
    if len(current) >= RUN:
        runs.append(" ".join(current))
    return runs


def notebook_markdown(path: Path) -> str:
    """The prose cells of a jupytext notebook (the ones the site shows as text)."""
    cells = re.split(r"^# %%", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return "\n\n".join(re.sub(r"^# ?", "", c, flags=re.MULTILINE) for c in cells if c.startswith(" [markdown]"))


def test_the_detector_finds_english_prose():
    # The English pages themselves must trip it, or it would pass anything.
    assert english_runs((DOCS / "roofline.md").read_text(encoding="utf-8"))
    assert english_runs(notebook_markdown(DOCS / "notebooks" / "latency.py"))
    assert not english_runs("这是中文，其中有 Roofline、KV cache 和 `forward_operators` 这样的名字。")


@pytest.mark.parametrize("page", english_pages(), ids=lambda p: p.name)
def test_chinese_page_has_no_english_paragraph(page: Path):
    target = chinese(page)
    text = target.read_text(encoding="utf-8")
    assert not english_runs(text), f"{target.name}: {english_runs(text)[:3]}"
    assert len(CJK.findall(visible_prose(text))) > 100, f"{target.name} is hardly Chinese"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.name)
def test_chinese_notebook_prose_is_chinese(notebook: Path):
    prose = notebook_markdown(notebook.with_name(f"{notebook.stem}.zh.py"))
    assert not english_runs(prose), english_runs(prose)[:3]
    assert CJK.search(prose)


# ------------------------------------------------------------------ the same numbers

def shortcodes(text: str) -> Counter:
    """Every shortcode, whitespace-normalised; ``| t`` (a word shown in the page's language) dropped."""
    found = Counter()
    for kind, body in SHORTCODE.findall(text):
        body = re.sub(r"\s*\|\s*t(:[\w ]+)?$", "", " ".join(body.split()))
        found[(kind, body)] += 1
    return found


@pytest.mark.parametrize("page", english_pages(), ids=lambda p: p.name)
def test_chinese_page_computes_the_same_numbers(page: Path):
    english = page.read_text(encoding="utf-8")
    zh = chinese(page).read_text(encoding="utf-8")
    # Every number, table and calculator of the English page, the same number of times, and nothing else.
    assert shortcodes(zh) == shortcodes(english), (shortcodes(english) - shortcodes(zh), shortcodes(zh) - shortcodes(english))
    # The worked examples are the same doctests (pytest runs docs/*.md, so the Chinese ones run too).
    assert DOCTEST.findall(zh) == DOCTEST.findall(english)
    # Explicit anchors other pages link to exist in both.
    assert set(re.findall(r"\{#([\w-]+)\}", english)) <= set(re.findall(r"\{#([\w-]+)\}", zh))


def test_links_to_anchors_resolve_in_chinese():
    for page in DOCS.glob("*.zh.md"):
        for target, anchor in re.findall(r"\]\(([\w-]+)\.md#([\w-]+)\)", page.read_text(encoding="utf-8")):
            zh = (DOCS / f"{target}.zh.md").read_text(encoding="utf-8")
            assert f"{{#{anchor}}}" in zh, f"{page.name} links to {target}.zh.md#{anchor}, which has no such heading"


# ------------------------------------------------------------------ calculators in Chinese

def visible_texts(markup: str) -> list[str]:
    """What a reader reads in a widget: text nodes and titles, not formulas, arithmetic or option values."""
    markup = re.sub(r'<code class="calc-formula">.*?</code>|<span class="calc-substituted">.*?</span>', "", markup)
    markup = re.sub(r'data-[\w-]+="[^"]*"', "", markup)
    return [unescape(t).strip() for t in re.findall(r">([^<>]+)<", markup) if t.strip()]


#: Two lowercase English words in a row: a label, a help text or a note left in English.
ENGLISH_WORDS = re.compile(r"\b[a-z]{3,} [a-z]{2,}\b")


@pytest.mark.parametrize("name", list(widgets.WIDGETS))
def test_chinese_calculator_shows_no_english_label(name: str):
    widget = widgets.get_widget(name)
    for field in widget.fields:  # every label, help text and word-unit has an entry
        assert i18n.lookup(field.label, "zh") is not None, field.label
        assert not field.help or i18n.lookup(field.help, "zh") is not None, field.help
        word_unit = re.fullmatch(r"[a-z]{3,}( [a-z]+)*", field.unit)  # "tokens", "billion"; not symbols such as FLOP/byte
        assert not word_unit or i18n.lookup(field.unit, "zh") is not None, field.unit
    markup = docs_widgets.render(name, page="test.zh.md", lang="zh")
    english = [t for t in visible_texts(markup) if ENGLISH_WORDS.search(t)]
    assert not english, english
    assert 'data-lang="zh"' in markup and CJK.search(markup)
    messages = json.loads(unescape(re.search(r'data-messages="([^"]*)"', markup).group(1)))
    assert all(CJK.search(text) for text in messages.values()), messages


def test_numbers_are_formatted_alike_in_both_languages():
    for name in widgets.WIDGETS:
        english, zh = widgets.call(name), widgets.call(name, lang="zh")
        assert english["values"] == zh["values"]
        digits = lambda html: [d.rstrip(",.") for d in re.findall(r"\d[\d,.]*", unescape(re.sub(r"<[^>]+>", " ", html)))]  # noqa: E731
        # The same numbers, written the same way (Chinese word order may put them in another order).
        assert Counter(digits(english["html"])) == Counter(digits(zh["html"])), name


BAD_INPUTS = [  # (calculator, raw inputs, what the Chinese message must say)
    ("kv_cache", {"context_len": "abc"}, "不是数字"),
    ("kv_cache", {"context_len": ""}, "为空"),
    ("kv_cache", {"context_len": "1.5"}, "必须是整数"),
    ("kv_cache", {"context_len": "1,5"}, "千位分隔"),
    ("kv_cache", {"context_len": "10000000"}, "请缩短上下文"),
    ("kv_cache", {"n_gpus": "1", "gpu": "custom", "memory_per_gpu_gib": "1"}, "放不进"),
    ("roofline", {"intensity": "-1"}, "必须大于 0"),
    ("roofline", {"gpu": "X"}, "不在可选项中"),
    ("decode_latency", {"n_gpus": "5000"}, "最多为 1,024"),
    ("llm_arithmetic", {"hidden": "1e400"}, "不是有限数"),
    ("anatomy", {"model": "pasted config.json"}, "文本框是空的"),
    ("anatomy", {"model": "pasted config.json", "config": '{"model_type": "llama"}'}, "缺少 hidden_size"),
    ("anatomy", {"model": "pasted config.json", "config": '{"model_type": "foo"}'}, "不是支持的模型家族"),
]


@pytest.mark.parametrize("name,raw,expected", BAD_INPUTS)
def test_errors_in_chinese_while_the_library_stays_english(name: str, raw: dict, expected: str):
    zh, english = widgets.call(name, raw, lang="zh"), widgets.call(name, raw)
    assert not zh["ok"] and zh["field"] == english["field"]
    assert expected in zh["message"], zh["message"]
    assert not ENGLISH_WORDS.search(re.sub(r"'[^']*'|hidden_size|model_type", "", zh["message"])), zh["message"]
    assert not CJK.search(english["message"])


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="not a site language"):
        widgets.call("roofline", lang="fr")


# ------------------------------------------------------------------ the built site (one strict build, both languages)

def test_built_site_has_every_page_in_both_languages(site: Path):
    english = {p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")
               if not p.relative_to(site).as_posix().startswith(("zh/", "vendor/", "assets/"))}
    chinese_pages = {p.parent.relative_to(site / "zh").as_posix() for p in (site / "zh").rglob("index.html")}
    assert english == chinese_pages, english ^ chinese_pages
    assert len(english) >= 15


@pytest.mark.parametrize("path", ["roofline/", "memory/", "notebooks/latency/"])
def test_chinese_page_is_chinese_and_links_its_counterpart(site: Path, path: str):
    html = (site / "zh" / path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in html
    # Material's interface in Chinese, and the switcher pointing at this page in English.
    assert 'placeholder="搜索"' in html
    assert re.search(rf'href="(\.\./)+{re.escape(path)}" hreflang="en"', html), path
    english = (site / path / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'href="(\.\./)*zh/{re.escape(path)}" hreflang="zh"', english), path


def test_chinese_figures_are_drawn_in_chinese(site: Path):
    for svg in (site / "zh" / "figures").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<text" in text and CJK.search(text), svg.name  # text the browser draws with its own CJK font
    roofline = (site / "zh" / "roofline" / "index.html").read_text(encoding="utf-8")
    assert "操作强度 (FLOP/byte)" in roofline  # the inlined figure's axis
    assert "Operational intensity (FLOP/byte)" in (site / "roofline" / "index.html").read_text(encoding="utf-8")


def test_calculators_on_chinese_pages_are_chinese(site: Path):
    pages = list((site / "zh").rglob("index.html"))
    found = set()  # a calculator may appear on several pages (the frontier: planner and disaggregation)
    for page in pages:
        for widget in re.findall(r'<div class="calc-widget".*?<noscript>', page.read_text(encoding="utf-8"), re.DOTALL):
            found.add(re.search(r'data-widget="([^"]+)"', widget).group(1))
            assert 'data-lang="zh"' in widget
            english = [t for t in visible_texts(widget) if ENGLISH_WORDS.search(t)]
            assert not english, (page, english[:5])
            # The result lines too: the arithmetic under each value and the formulas' words.
            every_text = [unescape(t) for t in re.findall(r">([^<>]+)<", re.sub(r'data-[\w-]+="[^"]*"', "", widget))]
            words = [(t, english_words(t)) for t in every_text if english_words(t)]
            assert not words, (page, words[:5])
    assert found == set(widgets.WIDGETS)


def test_search_segments_chinese(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["en", "zh"]
    zh = [d for d in index["docs"] if d["location"].startswith("zh/")]
    assert len(zh) > 50
    # jieba cut the Chinese into words (joined by U+200B, a separator of the index): "算术强度" is findable.
    text = " ".join(d["text"] for d in zh)
    # The separator is a JavaScript regex source: U+200B is in it as the escape "\u200b".
    assert "\u200b" in text and "\\u200b" in index["config"]["separator"]
    assert re.search(r"算术\u200b?强度", text)


# ------------------------------------------------------------------ result lines too: every English word, not just pairs

#: Words a Chinese calculator may show in Latin letters: units, names the glossary keeps in English, maths
#: functions, and a few proper names.  Model, GPU, dtype and engine names, identifiers (``n_layers``, ``q_proj``)
#: and acronyms (KV, TTFT, GQA) are left out before the check (see :func:`english_words`).
KEPT_IN_LATIN = {
    # units
    "ms", "µs", "s", "kB", "byte", "op", "bit", "kv", "kernel",
    # terms the glossary keeps in English (Roofline, KV cache, token), and FlashAttention's family
    "Roofline", "cache", "token", "FlashAttention", "Tensor", "all-reduce", "all-to-all", "softmax", "rope",
    # maths and the activation functions' own names
    "max", "min", "gelu", "relu", "silu", "tanh", "pytorch", "exp", "log",
    # proper names (model families, tools, the data the planner was fitted to)
    "Hugging", "Face", "Llama", "Mistral", "Mixtral", "Qwen", "Gemma", "Falcon", "DeepSeek", "DeepSpeed",
    "JavaScript", "Python", "InferenceX", "SGLang", "vLLM", "Phi", "mini", "Lite", "Instruct",
    "Little",  # Little's law (Little 定律), after John Little
}


def _names() -> list[str]:
    from calc.core.dtypes import STORAGE
    from calc.serving.efficiency import EFFICIENCIES
    from calc.web.calculators.base import GPU_NAMES, MODEL_NAMES
    # Longest first, so "H100-SXM5-80GB" goes before "H100".
    return sorted({*GPU_NAMES, *MODEL_NAMES, *STORAGE, "tf32", *EFFICIENCIES, "config.json"}, key=len, reverse=True)


def english_words(text: str) -> list[str]:
    """The English words in ``text`` that a Chinese reader should not see (see KEPT_IN_LATIN)."""
    for name in _names():
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    text = re.sub(r"\b\w*[_\d]\w*\b", " ", text)  # identifiers and numbers: d_model, q_proj, fp16, 2e9
    found = []
    for word in re.findall(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]", text):
        if len(word) == 1 or sum(c.isupper() for c in word) >= 2 or word in KEPT_IN_LATIN:
            continue  # a symbol (B, P, d), an acronym (KV, MoE, TTFT), or a word kept in Latin letters
        found.append(word)
    return found


#: The planner searches every deployment per call (~1 s): it gets a sample of each choice, the others all of them.
SAMPLED = {"planner": 3}


def variants(name: str) -> list[dict[str, str]]:
    """Inputs that reach a calculator's other branches: each choice in turn, and a few extreme values."""
    widget = widgets.get_widget(name)
    fields = {f.name: f for f in widget.fields}
    out: list[dict[str, str]] = [{}]
    for field in widget.fields:
        if field.kind == "choice":
            choices = [c for c in field.choices if c not in ("pasted config.json", "custom")]
            step = max(1, len(choices) // SAMPLED.get(name, len(choices) or 1))
            sample = choices[::step] + [c for c in choices if c in ("DeepSeek-V3", "Mixtral-8x7B")]
            out += [{field.name: c} for c in dict.fromkeys(sample)]
    extremes = {"batch": ("1", "4096"), "intensity": ("1", "1000"), "users": ("1", "100000"), "load": ("1", "100000"),
                "context_len": ("128", "100000"), "phase": (), "ttft_ms": ("50",), "tpot_ms": ("5",)}
    for key, values in extremes.items():
        if key in fields:
            out += [{key: v} for v in values]
    return out


def _chart_texts(spec: object) -> list[str]:
    """The words a chart draws: titles, axis titles and labels, and the legend's (and a nominal axis's) entries."""
    def walk(node: object, found: list) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("title", "label") and isinstance(v, str):
                    found.append(("text", v))
                elif k in ("color", "x", "y", "strokeDash", "shape") and isinstance(v, dict) and "field" in v and (
                        k in ("color", "strokeDash", "shape") or v.get("type") == "nominal"):
                    found.append(("field", v["field"]))
                elif k in ("shape", "color", "strokeDash") and isinstance(v, dict) and isinstance(v.get("datum"), str):
                    found.append(("text", v["datum"]))  # a legend entry given as a constant
                if k == "values" and isinstance(v, list):
                    found.append(("data", v))
                walk(v, found)
        elif isinstance(node, list):
            for v in node:
                walk(v, found)

    found: list = []
    walk(spec, found)
    fields = {x for kind, x in found if kind == "field"}
    rows = [row for kind, values in found if kind == "data" for row in values if isinstance(row, dict)]
    return [x for kind, x in found if kind == "text"] + [row[f] for row in rows for f in fields if isinstance(row.get(f), str)]


def test_the_word_detector():
    # Hand-picked lines the calculators showed in English before the catalog covered them.
    assert english_words("sum over 15 operators = 209,714,666,536,960 FLOP") == ["sum", "over", "operators"]
    assert english_words("1 × 533 (limited by TPOT)") == ["limited", "by"]
    assert english_words("⌈10,000 / 50⌉ = 200 nodes") == ["nodes"]
    # Units, names, identifiers and acronyms are not English words.
    assert not english_words("819,200 B × 2,048 token = 1,677,721,600 B")
    assert not english_words("19 × 1 MI355X，TP1·PP1 × 1，权重 16 位，KV fp8，批量 533")
    assert not english_words("max(2·P/(N·A_bm) + B·kv(t)/(N·A_bm), B·(2·P + attn_flops(t))/(N·A_f)) + 通信")
    assert not english_words("H100-SXM5-80GB 的 Roofline：拐点 295.3 FLOP/byte，Llama-3-70B")


@pytest.mark.parametrize("name", list(widgets.WIDGETS))
def test_chinese_result_lines_have_no_english_word(name: str):
    """Every line a Chinese calculator shows — values, arithmetic, formulas, notes, tables, chart words and
    error messages — across each choice of each field, has no English word (units and names aside)."""
    left = {}
    for raw in variants(name):
        result = widgets.call(name, raw, lang="zh")
        if not result["ok"]:
            texts = [re.sub(r"'[^']*'", "", result["message"])]  # a quoted value is what the reader typed
        else:
            texts = [unescape(t) for t in re.findall(r">([^<>]+)<", result["html"])] + _chart_texts(result["chart"])
        for text in texts:
            if english_words(text):
                left.setdefault(text, raw)
    assert not left, list(left.items())[:5]


# ------------------------------------------------------------------ the browser scripts' own words come from the catalog

JS = DOCS / "javascripts"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_script_line_has_a_translation_with_its_placeholders(lang: str):
    for keys in (i18n.UI, i18n.SITE):
        for key, english in keys.items():
            assert key in i18n.CATALOGS[lang], f"{key!r} has no {lang} entry"
            translated = i18n.ui(lang, keys)[key]
            # "{value}" and "{labels}" are filled in by the script: a translation must keep them.
            assert set(re.findall(r"\{\w+\}", translated)) == set(re.findall(r"\{\w+\}", english)), key
            assert key == "note.and" or CJK.search(translated), (key, translated)


def test_scripts_ask_the_catalog_for_every_line():
    widgets_js = (JS / "calc-widgets.js").read_text(encoding="utf-8")
    # Every key the script asks for (say("...") or an error's key) is in the catalog's UI ...
    asked = set(re.findall(r"""say\(\s*["']([\w.]+)["']""", widgets_js)) | set(re.findall(r"""keyed\([^)]*,\s*"([\w.]+)"\)""", widgets_js))
    asked |= set(re.findall(r'key: "([\w.]+)"', (JS / "calc-worker.mjs").read_text(encoding="utf-8")))
    assert asked and asked <= set(i18n.UI), asked - set(i18n.UI)
    # ... and its English fallbacks are the catalog's English, word for word (one source of the text).
    block = re.search(r"const ENGLISH = \{(.*?)\n  \};", widgets_js, re.DOTALL).group(1)
    fallbacks = {k: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', v))
                 for k, v in re.findall(r'"([\w.]+)":\s*((?:"(?:[^"\\]|\\.)*"\s*\+?\s*)+),', block)}
    assert fallbacks and all(i18n.UI[k] == v for k, v in fallbacks.items()), fallbacks
    # No notice written in English inside the script any more (the old MESSAGES table).
    assert "MESSAGES" not in widgets_js and "travel in a link" not in widgets_js.replace(block, "")
    site_js = (JS / "site.js").read_text(encoding="utf-8")
    for key, english in i18n.SITE.items():
        if key.startswith("region."):
            assert f'say("{key}", "{english}")' in site_js, key


def test_chinese_notebooks_print_chinese(site: Path):
    """What the notebooks print on the Chinese site is Chinese too (units, names and numbers aside)."""
    for page in (site / "zh" / "notebooks").rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        printed = re.findall(r'<div class="jp-RenderedText jp-OutputArea-output[^"]*"[^>]*>(.*?)</div>', html, re.DOTALL)
        assert printed, page
        for output in printed:
            for line in unescape(re.sub(r"<[^>]+>", "", output)).splitlines():
                assert not english_words(line), (page.parent.name, line)


def test_glossary_terms_are_the_pages_words():
    """Each Chinese term the glossary gives for the newer chapters (attention, quantization, MoE) is written the
    same way on the page it points to (one term, one spelling)."""
    rows = re.findall(r"^\| (.+?) \| (.+?) \| \[.+?\]\((\w[\w-]*)\.md\) \|$", (DOCS / "glossary.zh.md").read_text(encoding="utf-8"),
                      re.MULTILINE)
    assert len(rows) > 40
    missing = []
    for _, terms, page in rows:
        if page not in ("attention", "quantization", "moe"):
            continue
        text = (DOCS / f"{page}.zh.md").read_text(encoding="utf-8")
        for term in re.split(r"[、/]|（|）", terms):
            term = term.strip().strip("（）").strip()
            if term and CJK.search(term) and term not in text:
                missing.append((page, term))
    assert not missing, missing
    # The new chapters' own terms (the words their calculators also show) are listed.
    glossary = (DOCS / "glossary.zh.md").read_text(encoding="utf-8")
    for term in ("潜向量", "吸收式", "展开式", "查询头", "缩放系数", "零点", "路由器", "共享专家", "集合通信", "数据并行注意力"):
        assert term in glossary, term


#: Typing mistakes a reader makes in any box: each must be answered in Chinese on a Chinese page.
TYPOS = ["abc", "", "-1", "0", "1e400", "1.5", "99999999999", "1,5"]


@pytest.mark.parametrize("name", list(widgets.WIDGETS))
def test_every_typo_is_answered_in_chinese(name: str):
    left = {}
    for field in widgets.get_widget(name).fields:
        if field.kind == "choice":
            continue
        for typo in TYPOS:
            result = widgets.call(name, {field.name: typo}, lang="zh")
            message = re.sub(r"'[^']*'", "", result.get("message", ""))  # a quoted value is what the reader typed
            if not result["ok"] and english_words(message):
                left.setdefault(message, (field.name, typo))
    assert not left, left


def test_catalog_gives_each_english_string_one_translation():
    """A key written twice in the catalog's dict literal silently keeps the last; merges made this happen
    (``"GPUs"`` was both 个 GPU and GPU 数), so one English string must have exactly one entry."""
    import ast
    import collections

    parts = sorted((ROOT / "calc" / "web" / "locale_zh").glob("*.py"))
    assert len(parts) >= 5, parts  # the catalog's parts (frame, results, tables, chapters, errors) and __init__
    keys = []
    for part in parts:
        for node in ast.walk(ast.parse(part.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys += [k.value for k in node.keys if isinstance(k, ast.Constant)]
    twice = [k for k, n in collections.Counter(keys).items() if n > 1]
    assert not twice, twice
    from calc.web.locale_zh import ZH

    assert len(keys) == len(ZH), "every literal key reaches the merged catalog"
