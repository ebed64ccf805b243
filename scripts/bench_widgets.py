"""Benchmark the in-page calculators in headless Chromium (a measurement, not a test).

Builds the site, serves it locally, and prints for a calculator page:
  * time to first contentful paint, and whether the prerendered numbers are in that first HTML;
  * cold time to live (empty cache: worker + Pyodide + wheel), and Python's own start-up time;
  * warm time to live on a second calculator page reached by instant navigation;
  * recompute latency (input change -> new numbers on screen), p50/p95 over N changes;
  * bytes of the files the cold page asked for (raw, and gzip-compressed).

usage: .venv/bin/python scripts/bench_widgets.py [--changes 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import _free_port, build_site  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from static_server import serve  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

RECOMPUTE_JS = """async ([name, field, values]) => {
  const root = document.querySelector(`#calc-${name}`);
  const form = root.querySelector('.calc-form');
  const input = form.elements.namedItem(field);
  const times = [];
  for (const value of values) {
    const t0 = performance.now();
    input.value = String(value);
    form.dispatchEvent(new Event('submit', {cancelable: true}));
    await new Promise(resolve => {
      const done = () => {
        const now = Object.fromEntries([...form.querySelectorAll('[name]')].map(el => [el.name, el.value]));
        return root.dataset.computed === JSON.stringify(now);
      };
      if (done()) return resolve();
      const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(); } });
      observer.observe(root, {attributes: true, attributeFilter: ['data-computed']});
    });
    // Until the new numbers are painted: a requestAnimationFrame callback runs before its frame's style, layout and
    // paint, so the time is taken in the first task after that frame (work the edit left for the frame is counted).
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
    times.push(performance.now() - t0);
  }
  return times;
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="cold loads to average")
    args = parser.parse_args()

    port = _free_port()
    site = Path(tempfile.mkdtemp()) / "site"
    result = build_site(ROOT / "mkdocs.yml", site, site_url=f"http://127.0.0.1:{port}/")
    if result.returncode:
        print(result.stderr, file=sys.stderr)
        return 1
    server = serve(site, port)  # brotli/gzip twins and caching headers, as a configured host sends them
    base = f"http://127.0.0.1:{port}/"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        colds, startups, fcps, transferred = [], [], [], []
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            paths: list[str] = []
            page.on("requestfinished", lambda r: paths.append(r.url))
            page.goto(base + "memory/")
            page.wait_for_function("document.documentElement.classList.contains('calc-ready')", timeout=120_000)
            colds.append(page.evaluate("performance.now()"))  # ms since navigation start, measured at ready
            startups.append(page.evaluate("window.calcStartupMs"))
            how = page.evaluate("window.calcStartupHow")
            fcps.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
            transferred.append(paths)
            prerendered = "115.70" in page.evaluate(
                "document.querySelector('#calc-kv_cache .calc-output').textContent")
            if _ < args.runs - 1:
                context.close()

        # Warm: instant navigation to another calculator page in the same session.
        page.evaluate("window.t0 = performance.now()")
        page.locator("nav.md-nav--primary a[href$='latency/']").first.click()
        page.wait_for_selector("#calc-decode_latency .calc-status[data-state='live']", timeout=120_000)
        warm = page.evaluate("performance.now() - window.t0")
        times = page.evaluate(RECOMPUTE_JS, ["decode_latency", "batch", [1 + i % 500 for i in range(args.changes)]])
        browser.close()
    server.shutdown()

    def size(url: str, compress: bool) -> int:
        path = site / url.split(f":{port}/", 1)[1].split("?", 1)[0]
        if path.is_dir():
            path = path / "index.html"
        data = path.read_bytes() if path.exists() else b""
        return len(gzip.compress(data, 6)) if compress else len(data)

    raw = sum(size(u, False) for u in transferred[-1])
    packed = sum(size(u, True) for u in transferred[-1])
    print(f"first contentful paint      {statistics.mean(fcps):8.0f} ms   prerendered numbers in first HTML: {prerendered}")
    print(f"cold: page -> live          {statistics.mean(colds):8.0f} ms   (runs: {', '.join(f'{c:.0f}' for c in colds)})")
    print(f"      of which Python start {statistics.mean(startups):8.0f} ms   (worker: Pyodide + calc, by {how})")
    print(f"warm: second page -> live   {warm:8.0f} ms   (instant navigation, same worker)")
    print(f"recompute ({args.changes} changes)      p50 {percentile(times, 0.5):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms")
    print(f"transferred (cold page)     {raw / 1e6:8.2f} MB as served, {packed / 1e6:.2f} MB gzip-compressed "
          f"({len(transferred[-1])} requests)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
