"""Build the site once with --strict and check what a reader would see."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import calc
from calc.source import examples as ex

from .conftest import build_site, copy_project

ROOT = Path(__file__).resolve().parent.parent


def page_text(site: Path, page: str) -> str:
    html = (site / page / "index.html") if page else (site / "index.html")
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return soup.select_one("article").get_text(" ", strip=True)


def test_no_shortcode_left_unrendered(site: Path):
    for html in site.rglob("*.html"):
        assert "{{ calc" not in html.read_text(encoding="utf-8"), html


def test_gpu_table_generated_from_catalog(site: Path):
    soup = BeautifulSoup((site / "gpus/index.html").read_text(encoding="utf-8"), "html.parser")
    table = soup.select_one("article table")
    rows = {tr.find("td").get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in table.find_all("tr")[1:]}
    assert set(rows) == {part.name for part in calc.catalog()}
    # Ridge column equals calc's ridge point, e.g. 312/2.039 = 153.0 and 989.4/3.35 = 295.3.
    header = [th.get_text(strip=True) for th in table.find_all("th")]
    ridge_col = header.index("Ridge fp16 (FLOP/byte)")
    for name, cells in rows.items():
        assert cells[ridge_col] == f"{calc.ridge_point(gpu=name).value:,.1f}", name
    assert rows["A100-SXM4-80GB"][ridge_col] == "153.0"
    assert rows["H100-SXM5-80GB"][ridge_col] == "295.3"


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("llm-arithmetic", "215.71 TFLOP"),
        ("llm-arithmetic", "28.52 GB"),
        ("llm-arithmetic", "memory-bound up to batch 165"),
        ("roofline", "= 153.016 FLOP/byte"),
        ("memory", "115.7"),
        ("memory", "26.88"),
        ("memory", "148.32"),
        ("memory", "⌈10,000 / 50⌉ = 200 nodes"),
        ("errata", "16,896 CUDA cores, not 8,192"),
        ("errata", "67 TFLOP/s of fp32, not 60"),
        ("errata", "312 TFLOP/s / 1,500 GB/s = 208 FLOP/byte"),
        ("latency", "4 × 40 × 8 µs = 1.28 ms"),
    ],
)
def test_substituted_numbers_in_html(site: Path, page: str, expected: str):
    assert expected in page_text(site, page)


def test_home_page_never_shows_the_sources_headlines_alone(site: Path):
    """7,563 (a footprint, errata E6) and 115.7 (rounded sizes, E19) only next to their corrections."""
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    real_prefill = calc.forward_operators(model="LLaMA-13B", phase="prefill", batch=8, seq_len=1024).intensity.value
    exact_limit = ex.exact_batch_limit("LLaMA-13B").limit.batch.value
    pairs = {"7,563": (f"{real_prefill:,.0f}", "errata/#e6"), "115.7": (f"{exact_limit:.1f}", "errata/#e19")}
    assert f"{real_prefill:,.0f}" == "1,190" and f"{exact_limit:.1f}" == "148.3"  # forward_operators; (256 GiB − 24.2 GiB) / 1.68 GB
    for number, (correction, anchor) in pairs.items():
        blocks = [b for b in soup.select("article p, article li, article td") if number in b.get_text()]
        for block in blocks:
            assert correction in block.get_text(), (number, block.get_text())
            assert any(a["href"].endswith(anchor) for a in block.select("a[href]")), (number, anchor)


def test_no_markdown_table_left_as_text(site: Path):
    """A table whose cells break Markdown (a '|' inside one) renders as raw pipes in a paragraph."""
    for html in site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for p in soup.select("article p"):
            assert not re.search(r"^\|.*\|\s*$", p.get_text(), re.MULTILINE), (html, p.get_text()[:80])


def test_substituted_numbers_match_calc(site: Path):
    text = page_text(site, "memory")
    assert f"{ex.exact_batch_limit('LLaMA-13B').limit.batch.value:.2f}" in text
    assert f"{ex.seed_batch_limit('LLaMA-13B', 'int8').batch.value:.2f}" == "121.85"
    assert "121.85" in text and "39.04" in text


def test_no_request_leaves_the_site(site: Path):
    for html in site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr) or ""
                if tag == "link" and "stylesheet" not in (el.get("rel") or []) and "preload" not in (el.get("rel") or []):
                    continue
                assert not re.match(r"^(https?:)?//", url), f"{html}: {tag} {url}"


def test_math_assets_are_self_hosted(site: Path):
    assert (site / "vendor/katex/katex.min.css").stat().st_size > 10_000
    assert list((site / "vendor/katex/fonts").glob("KaTeX_Main-Regular.woff2"))
    html = (site / "roofline/index.html").read_text(encoding="utf-8")
    # Typeset at build time (HTML for the eye, MathML for screen readers); no KaTeX script is served.
    assert '<span class="katex">' in html and "<math xmlns" in html
    assert "katex.min.js" not in html and "auto-render" not in html


def test_bad_shortcode_fails_the_build(tmp_path: Path):
    copy_project(tmp_path)
    page = tmp_path / "docs" / "roofline.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n{{ calc: ridge_point(gpu='B9000') }}\n", encoding="utf-8")
    result = build_site(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "roofline.md" in result.stderr and "GPU: 'B9000' is not in the catalog" in result.stderr


def test_large_assets_have_precompressed_twins(site: Path):
    import gzip
    import hashlib
    import subprocess

    import site_assets

    large = site_assets.large_assets(site)
    names = {p.relative_to(site).as_posix() for p in large}
    manifest = json.loads((site / "vendor" / "calc-manifest.json").read_text(encoding="utf-8"))
    assert {"vendor/pyodide/pyodide.asm.wasm", "vendor/pyodide/pyodide.asm.mjs", "memory/index.html",
            "vendor/" + manifest["runtime"], "vendor/" + manifest["snapshot"]} <= names
    missing = [p for p in large if not (p.with_name(p.name + ".br").exists() and p.with_name(p.name + ".gz").exists())]
    assert not missing
    for path in large:
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes(), path
    # Brotli: Python's standard library has no decoder; Node's zlib does.
    script = ("const z=require('zlib'),fs=require('fs'),c=require('crypto');for(const f of process.argv.slice(1))"
              "console.log(c.createHash('sha256').update(z.brotliDecompressSync(fs.readFileSync(f+'.br'))).digest('hex'))")
    out = subprocess.run(["node", "-e", script, *map(str, large)], capture_output=True, text=True, check=True).stdout
    assert out.split() == [hashlib.sha256(p.read_bytes()).hexdigest() for p in large]
    # They pay: the wasm and the runtime shrink to under a third.
    for name in ("vendor/pyodide/pyodide.asm.wasm", "vendor/" + manifest["runtime"]):
        assert manifest["sizes"][name.removeprefix("vendor/")]["br"] < (site / name).stat().st_size / 3


def test_server_sends_twins_and_caching_headers(site_url: str):
    import urllib.request

    def get(path: str, encoding: str) -> tuple[bytes, dict[str, str]]:
        request = urllib.request.Request(site_url + path, headers={"Accept-Encoding": encoding})
        with urllib.request.urlopen(request) as response:
            return response.read(), dict(response.headers)

    raw, headers = get("memory/", "identity")
    assert "Content-Encoding" not in headers and b"calc-widget" in raw and headers["Cache-Control"] == "no-cache"
    packed, headers = get("memory/", "gzip, deflate, br")
    assert headers["Content-Encoding"] == "br" and len(packed) < len(raw) / 3
    assert headers["Vary"] == "Accept-Encoding"
    import gzip

    packed, headers = get("memory/", "gzip")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(packed) == raw
    manifest = json.loads(get("vendor/calc-manifest.json", "identity")[0])
    _, headers = get("vendor/" + manifest["runtime"], "br")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"] == "application/zip"
