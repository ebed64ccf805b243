"""The Chinese edition: every page in both languages, nothing left in English, the same numbers.

English pages are ``docs/PAGE.md`` and the Chinese ones ``docs/PAGE.zh.md`` (mkdocs-static-i18n, /zh/);
notebooks likewise.  The calculators' words come from ``calc.web.i18n`` (catalog ``calc/web/locale_zh.py``).
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
    assert found == set(widgets.WIDGETS)


def test_search_segments_chinese(site: Path):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["en", "zh"]
    zh = [d for d in index["docs"] if d["location"].startswith("zh/")]
    assert len(zh) > 50
    # jieba cut the Chinese into words (joined by U+200B, a separator of the index): "算术强度" is findable.
    text = " ".join(d["text"] for d in zh)
    assert "\u200b" in text and "\u200b" in index["config"]["separator"].encode().decode("unicode_escape")
    assert re.search(r"算术\u200b?强度", text)
