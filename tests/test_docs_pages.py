"""The chapters' practice material and attribution, checked in the Markdown sources.

Worked problems: 4 to 6 per theory chapter, each a ``??? question`` whose folded answer takes its
numbers from ``calc`` (shortcodes), at least one per chapter on a modern model and GPU.  Every chapter
ends with further reading that points at the references page, which cites the works the site draws on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
CHAPTERS = ("roofline", "gpus", "llm-arithmetic", "latency", "memory", "anatomy")
#: Every chapter whose worked problems follow the rules (the serving chapters too).
WORKED = (*CHAPTERS, "attention", "moe", "quantization", "batching", "speculative")
READING = (*CHAPTERS, "planner", "validation", "errata")
SHORTCODE = re.compile(r"\{\{\s*calc:.*?\}\}", re.DOTALL)
MATH = re.compile(r"\$[^$]*\$")


def section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    following = re.search(r"^## ", text[start + 3:], re.MULTILINE)
    return text[start: start + 3 + following.start()] if following else text[start:]


def problems(text: str) -> list[tuple[str, str]]:
    """(question, folded answer) for each ``??? question`` of the worked-problems section."""
    found = re.finditer(r'^\?\?\? question "(?P<q>.*?)"\n(?P<a>(?:(?: {4}.*)?\n)+)',
                        section(text, "Worked problems"), re.MULTILINE)
    return [(m.group("q"), m.group("a")) for m in found]


@pytest.mark.parametrize("page", WORKED)
def test_worked_problems_have_computed_answers(page: str):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    found = problems(text)
    assert 4 <= len(found) <= 6, (page, len(found))
    for question, answer in found:
        assert SHORTCODE.search(answer), (page, question)
        # No typed results: once shortcodes and formulas are removed, no decimal number is left.
        typed = MATH.sub("", SHORTCODE.sub("", answer))
        assert not re.search(r"\d\.\d", typed), (page, question, re.findall(r"\S*\d\.\d\S*", typed))


@pytest.mark.parametrize("page", WORKED)
def test_each_chapter_has_a_modern_case(page: str):
    text = " ".join(q + a for q, a in problems((DOCS / f"{page}.md").read_text(encoding="utf-8")))
    assert re.search(r"Llama-3-70B|DeepSeek-V3", text), page
    assert re.search(r"H100|H200|MI300X", text), page


@pytest.mark.parametrize("page", READING)
def test_each_chapter_has_further_reading(page: str):
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    assert "references.md" in section(text, "Further reading"), page


def test_references_cite_the_sources_and_their_origins():
    text = (DOCS / "references.md").read_text(encoding="utf-8")
    for needle in (
        "Tutorial-ISC2019-Intro-v2.pdf", "SC18-Roofline-1-intro.pdf", "hackernoon.com/understanding-the-roofline-model",
        "2402.16363",  # the source's four references
        "kipp.ly/transformer-inference-arithmetic", "10.1145/1498765.1498785",  # kipply; Williams et al. 2009
        "dl-performance-gpu-background", "dl-performance-matrix-multiplication", "scaling-book/inference",
        "calc-table: gpu_sources",  # every datasheet in the catalog
    ):
        assert needle in text, needle
    # One symbol per quantity: the notation table maps the source's A_f, A_bm, A_c to π, β, β_link.
    notation = section(text, "Notation")
    assert all(s in notation for s in (r"$\pi$", r"$\beta$", r"$A_f$", r"$A_{bm}$", r"$A_c$"))


def test_errata_numbered_in_order_each_quoting_the_source_with_a_translation():
    text = (DOCS / "errata.md").read_text(encoding="utf-8")
    items = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    numbers = [int(re.match(r"E(\d+) ", item).group(1)) for item in items]
    assert numbers == list(range(1, len(items) + 1)) and len(items) >= 20
    seed = (Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "roofline-and-llm-latency.zh.md")
    for item in items:
        quote = "\n".join(line[2:] for line in item.splitlines() if line.startswith("> "))
        assert re.search(r"[\u4e00-\u9fff]", quote), item[:40]  # the source's own (Chinese) words
        assert re.search(r"^\*\".+", quote, re.MULTILINE), item[:40]  # and a translation in italics
    # E6 quotes the source's own question whether footprint equals traffic, and sets 5,590 beside 7,563.
    e6 = items[5]
    assert "显存占用量（=显存访问量？）" in e6 and "bytes_per_weight=2, weight_overhead=1" in e6
    if seed.exists():  # the quoted question is the source's, verbatim
        assert "显存占用量（=显存访问量？）" in seed.read_text(encoding="utf-8")
