"""The built site: figures inlined in their theory pages, notebooks executed, nothing fetched from outside."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from .conftest import build_site, copy_project

ROOT = Path(__file__).resolve().parent.parent

PAGES = {
    "roofline": ["roofline", "roofline-time"],
    "gpus": ["gpu-landscape"],
    "llm-arithmetic": ["fc-intensity"],
    "latency": ["decode-latency", "token-latency", "roofline-vs-measured", "time-components"],
    "memory": ["kv-memory"],
}
NOTEBOOKS = ["roofline", "llm-arithmetic", "latency", "memory"]


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("page", PAGES)
def test_theory_pages_inline_their_figures(site: Path, page: str):
    figures = soup(site, page).select("article figure")
    drawn = [fig.svg for fig in figures if fig.svg is not None]
    assert [svg.find("g", id=lambda i: i and i.startswith("figure-"))["id"] for svg in drawn] == [
        f"figure-{name}" for name in PAGES[page]
    ]
    for fig in figures:
        assert fig.svg["role"] == "img" and len(fig.svg["aria-label"]) > 40  # alt text, not a placeholder
        assert fig.svg.title.get_text() == fig.svg["aria-label"]
        assert "currentColor" in str(fig.svg)  # follows the light/dark palette
        caption = fig.figcaption.get_text(" ", strip=True)
        assert "{{" not in caption and "notebook" in caption
    for name in PAGES[page]:
        assert (site / "figures" / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_captions_state_calcs_numbers(site: Path):
    from calc.source import examples as ex

    memory = soup(site, "memory").select_one("article figure figcaption").get_text(" ", strip=True)
    assert f"{ex.seed_batch_limit('LLaMA-13B').batch.value:.1f}" == "115.7" and "115.7" in memory
    assert f"{ex.seed_batch_limit('LLaMA-65B').batch.value:.2f}" == "26.88" and "26.88" in memory
    arithmetic = soup(site, "llm-arithmetic").select_one("article figure figcaption").get_text(" ", strip=True)
    assert "B^*" in arithmetic and "= 165.4" in arithmetic  # ex.fc_4096_on_a100().threshold_batch


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_executed_and_downloadable(site: Path, name: str):
    page = soup(site, f"notebooks/{name}")
    assert page.select(".jp-OutputArea-output"), "no outputs: the notebook did not run"
    assert not page.select(".jp-OutputArea-error, [data-mime-type='application/vnd.jupyter.stderr']")
    assert page.select("svg.calc-figure")  # figure outputs inlined, not <img src="data:...">
    assert not page.find("img", src=lambda s: s and s.startswith("data:image/svg"))
    notebook = json.loads((site / "notebooks" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4 and any("import calc" in "".join(c["source"]) for c in notebook["cells"])
    assert (site / "notebooks" / name / f"{name}.py").exists()


def test_notebook_pages_load_nothing_from_a_cdn(site: Path):
    for name in NOTEBOOKS:
        text = (site / "notebooks" / name / "index.html").read_text(encoding="utf-8")
        assert "cdnjs" not in text  # mkdocs-jupyter's mermaid loader is stripped
        for script in BeautifulSoup(text, "html.parser").find_all("script"):
            assert script.get("src", "x") != "" and "mathjax" not in str(script).lower(), script


def test_failing_notebook_cell_fails_the_build(tmp_path: Path):
    copy_project(tmp_path)
    notebook = tmp_path / "docs" / "notebooks" / "memory.py"
    notebook.write_text(
        notebook.read_text(encoding="utf-8") + '\n# %%\ncalc.max_batch(total_memory=1, weights=2, per_request=1)\n',
        encoding="utf-8",
    )
    result = build_site(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "Weights: 2 do not fit in a total memory of 1" in result.stderr


def test_cache_key_follows_calc_and_figure_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import figures_hook

    key = figures_hook.inputs_key()
    assert key == figures_hook.inputs_key() and len(key) == 16
    # A copy of the figure code elsewhere (as the tests' copied trees have) hashes alike ...
    copy = tmp_path / "figures.py"
    copy.write_bytes(figures_hook.FIGURE_CODE.read_bytes())
    monkeypatch.setattr(figures_hook, "FIGURE_CODE", copy)
    assert figures_hook.inputs_key() == key
    # ... and any change to it (or to calc, hashed the same way) gives a new key: outputs are re-made.
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert figures_hook.inputs_key() != key


def test_cache_key_follows_the_figure_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import figures_hook

    key = figures_hook.inputs_key()
    copies = []
    for helper in figures_hook.FIGURE_HELPERS:  # figure_style.py and figures_bounds.py
        copy = tmp_path / helper.name
        copy.write_bytes(helper.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(figures_hook, "FIGURE_HELPERS", tuple(copies))
    assert figures_hook.inputs_key() == key
    copies[0].write_text(copies[0].read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert figures_hook.inputs_key() != key
