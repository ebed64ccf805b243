"""First visit, side by side, in headless Chromium (a measurement, not a test).

Builds the site, serves it as README.md ("Hosting") recommends (precompressed brotli/gzip twins, caching
headers; scripts/static_server.py) and prints, for the Memory and Planner pages, the median over
interleaved cold runs (a fresh browser context each: empty cache) of

  * bytes on the wire before the first live result (everything the page and its worker fetched);
  * time from navigation to the first live result: the page's calculator computed once in the
    browser with its default inputs (performance.now() at that moment), unthrottled and under
    Chromium DevTools network emulation at 20 Mbit/s with 40 ms round trips and 5 Mbit/s with 100 ms;

for three ways of getting there:

  * site       the site as built: the worker picks its start path (trimmed runtime, snapshot if it pays);
  * plain      the same page forced to the plain start (`?calc-start=plain`);
  * naive      a page that does what Pyodide's documentation shows, on the main thread: loadPyodide()
               from the same vendored files (full standard library), then fetch and unpack the wheel.

Then, on the site: the warm second page (instant navigation to another calculator page: time until its
numbers are live, and the bytes it fetched) and a full reload of a calculator page from the browser's
cache; and each calculator's recompute latency (input change -> new numbers painted), p50/p95.

With --phases, also where a cold start of the site spends its time (medians, ms from navigation): when the
page's <head> started the worker, when its script ran, the manifest came, the start path was chosen, the
WebAssembly compile began and ended, Python (Pyodide) was up, calc was imported, and the first live result.

usage: .venv/bin/python scripts/bench_first_visit.py [--runs 5] [--changes 60] [--site DIR] [--phases]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bench_widgets import ARGS, RECOMPUTE_JS, percentile  # noqa: E402
from static_server import serve  # noqa: E402
from tests.conftest import _free_port, build_site  # noqa: E402

PAGES = {"Memory": ("memory/", "kv_cache"), "Planner": ("planner/", "planner")}
NETWORKS = {  # name: (download bytes/s, round-trip latency ms); None = no emulation
    "unthrottled": None,
    "20 Mbit/s 40 ms": (20e6 / 8, 40),
    "5 Mbit/s 100 ms": (5e6 / 8, 100),
}
VARIANTS = ("site", "plain", "naive")
# One edit per calculator for the recompute latency: (page, widget, field, values to cycle through).
RECOMPUTE = [
    ("roofline/", "roofline", "intensity", [1 + i % 400 for i in range(400)]),
    ("llm-arithmetic/", "llm_arithmetic", "batch", [1 + i % 256 for i in range(400)]),
    ("latency/", "decode_latency", "batch", [1 + i % 500 for i in range(400)]),
    ("memory/", "kv_cache", "context_len", [512 + 64 * (i % 200) for i in range(400)]),
    ("anatomy/", "anatomy", "batch", [1 + i % 128 for i in range(400)]),
    ("planner/", "planner", "users", [100 + 50 * (i % 80) for i in range(400)]),
]

NAIVE_PAGE = """<!doctype html><meta charset="utf-8"><title>naive Pyodide</title>
<p id="out">loading…</p>
<script type="module">
import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";
const manifest = await (await fetch("../vendor/calc-manifest.json")).json();
const pyodide = await loadPyodide();
const wheel = await (await fetch("../vendor/" + manifest.wheel)).arrayBuffer();
pyodide.unpackArchive(new Uint8Array(wheel), "wheel",
                      { extractDir: pyodide.runPython("import site; site.getsitepackages()[0]") });
const result = JSON.parse(pyodide.pyimport("calc.web.widgets").call_json("WIDGET", "{}"));
document.getElementById("out").textContent = JSON.stringify(result.values);
window.firstLive = performance.now();
</script>
"""

# On the site: wait for Python, then compute the page's calculator once with its defaults.
SITE_FIRST_LIVE = """async (name) => {
  await window.calcRuntime.call(name, {});
  return performance.now();
}"""


# The worker's start-up marks (epoch ms, calc-worker.mjs), as ms from the page's navigation.
PHASES_JS = """() => {
  const marks = window.calcStartupMarks || {};
  return Object.fromEntries(Object.entries(marks).filter(([name]) => name !== "page")
    .map(([name, at]) => [name, at - marks.page]));
}"""
PHASES = ("head", "worker", "script", "manifest", "path chosen", "instantiateStreaming start", "page module",
          "instantiateStreaming end",
          "pyodide loaded", "calc imported", "ready", "first call", "first answer")
phases: dict[tuple[str, str], list[dict]] = {}


def cold_run(browser, base: str, page_path: str, widget: str, variant: str, network) -> tuple[float, int, str]:
    """(ms to first live result, bytes on the wire before it, start path) for one cold load."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    finished = on_the_wire(page)
    if network:
        rate, latency = network
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                       "downloadThroughput": rate, "uploadThroughput": rate})
    if variant == "naive":
        page.goto(f"{base}_bench/naive-{widget}.html", timeout=300_000)
        page.wait_for_function("window.firstLive", timeout=300_000)
        ms, how = page.evaluate("window.firstLive"), "main thread"
    else:
        # Not until "load": that waits for the preloaded runtime too, which the first live result needs only in the worker.
        page.goto(base + page_path + ("?calc-start=plain" if variant == "plain" else ""), wait_until="domcontentloaded",
                  timeout=300_000)
        ms = page.evaluate(SITE_FIRST_LIVE, widget)
        how = page.evaluate("`${window.calcStartupHow} (${window.calcStartupWhy})`")
        if variant == "site":
            fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime")
            phases.setdefault((page_path, str(network)), []).append(
                {"first paint": fcp, **page.evaluate(PHASES_JS), "first live": ms})
    total = finished()
    context.close()
    return ms, total, how


def on_the_wire(page: Page):
    """A function that returns the bytes (headers and body as received) of the requests finished so far.

    Playwright reports the dedicated worker's requests on its page too (a page-level DevTools session does not).
    """
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))

    def total() -> int:
        time.sleep(0.2)  # events of requests that finished just before the measurement
        sizes = [r.sizes() for r in list(requests)]
        return sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)

    return total


def warm(browser, base: str) -> tuple[float, int, float, str]:
    """Instant navigation to a second calculator page (ms to live, bytes), and a full reload from cache."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(base + "memory/", timeout=300_000)
    page.evaluate(SITE_FIRST_LIVE, "kv_cache")
    time.sleep(1)
    finished = on_the_wire(page)
    # Timed in the page, from the click to the frame that paints the new page's live status (a wait in
    # Playwright would add its own polling and round trips).
    page.evaluate("""() => {
      window.warmLive = null;
      document.addEventListener("click", () => { window.t0 = performance.now(); }, { capture: true, once: true });
      const observer = new MutationObserver(() => {
        if (window.warmLive === null && document.querySelector("#calc-decode_latency .calc-status[data-state='live']")) {
          observer.disconnect();
          window.warmLive = 0;
          requestAnimationFrame(() => { window.warmLive = performance.now() - window.t0; });
        }
      });
      observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
    }""")
    page.locator("nav.md-nav--primary a[href$='latency/']").first.click()
    page.wait_for_function("window.warmLive", timeout=120_000)
    second = page.evaluate("window.warmLive")
    second_bytes = finished()
    reload_page = context.new_page()
    reload_page.goto(base + "roofline/", timeout=300_000)
    reload_ms = reload_page.evaluate(SITE_FIRST_LIVE, "roofline")
    how = reload_page.evaluate("`${window.calcStartupHow} (${window.calcStartupWhy})`")
    context.close()
    return second, second_bytes, reload_ms, how


def recompute(browser, base: str, changes: int) -> list[tuple[str, float, float]]:
    rows = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page: Page = context.new_page()
    for path, widget, field, values in RECOMPUTE:
        page.goto(base + path, timeout=300_000)
        page.evaluate(SITE_FIRST_LIVE, widget)
        page.evaluate(RECOMPUTE_JS, [widget, field, values[:5]])  # warm-up: first calls fill caches
        times = page.evaluate(RECOMPUTE_JS, [widget, field, values[5:5 + changes]])
        rows.append((widget, percentile(times, 0.5), percentile(times, 0.95)))
    context.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold loads per cell (interleaved)")
    parser.add_argument("--changes", type=int, default=60, help="edits per calculator for recompute latency")
    parser.add_argument("--site", type=Path, help="an already built site (built for http://127.0.0.1:PORT/)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--phases", action="store_true", help="print where the site's cold start spends its time")
    parser.add_argument("--networks", nargs="+", choices=list(NETWORKS), default=list(NETWORKS),
                        help="only these network settings (a quicker look while developing)")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--cold-only", action="store_true", help="skip the warm page and the recompute latencies")
    args = parser.parse_args()

    port = args.port or _free_port()
    site = args.site
    if site is None:
        site = Path(tempfile.mkdtemp()) / "site"
        result = build_site(ROOT / "mkdocs.yml", site, site_url=f"http://127.0.0.1:{port}/")
        if result.returncode:
            print(result.stderr, file=sys.stderr)
            return 1
    (site / "_bench").mkdir(exist_ok=True)
    for _, widget in PAGES.values():
        (site / "_bench" / f"naive-{widget}.html").write_text(NAIVE_PAGE.replace("WIDGET", widget), encoding="utf-8")
    server = serve(site, port)
    base = f"http://127.0.0.1:{port}/"

    cells: dict[tuple[str, str, str], list[tuple[float, int, str]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        networks = {name: NETWORKS[name] for name in args.networks}
        pages = {name: PAGES[name] for name in args.pages}
        for _ in range(args.runs):
            for page_name, (path, widget) in pages.items():
                for network_name, network in networks.items():
                    for variant in VARIANTS:
                        cells.setdefault((page_name, network_name, variant), []).append(
                            cold_run(browser, base, path, widget, variant, network))
        if not args.cold_only:
            second, second_bytes, reload_ms, reload_how = warm(browser, base)
            latencies = recompute(browser, base, args.changes)
        browser.close()
    server.shutdown()

    print(f"First live result, median of {args.runs} cold runs (MB = 1e6 bytes on the wire, compressed as served)")
    header = f"{'page':8} {'variant':6} {'MB':>6} " + " ".join(f"{n:>16}" for n in networks) + "   start path (first network, last run)"
    print(header)
    print("-" * len(header))
    for page_name in pages:
        for variant in VARIANTS:
            runs = [cells[(page_name, n, variant)] for n in networks]
            megabytes = statistics.median(b for cell in runs for _, b, _ in cell) / 1e6
            times = " ".join(f"{statistics.median(ms for ms, _, _ in cell) / 1e3:>14.2f} s" for cell in runs)
            print(f"{page_name:8} {variant:6} {megabytes:6.2f} {times}   {runs[0][-1][2]}")
    for page_name in pages:
        for network_name in networks:
            site_ms = statistics.median(ms for ms, _, _ in cells[(page_name, network_name, "site")])
            naive_ms = statistics.median(ms for ms, _, _ in cells[(page_name, network_name, "naive")])
            print(f"{page_name} at {network_name}: site is {naive_ms / site_ms:.2f}x faster than naive; "
                  f"start paths chosen: {sorted({h.split(' (')[0] for _, _, h in cells[(page_name, network_name, 'site')]})}")
    if args.phases:
        print("Cold start of the site, phases (median ms from navigation; worker marks from calc-worker.mjs)")
        print(f"{'page / network':34} " + " ".join(f"{name.replace('instantiateStreaming', 'compile'):>14}"
                                                   for name in ("first paint", *PHASES, "first live")))
        for (page_path, network), rows in phases.items():
            cells = []
            for name in ("first paint", *PHASES, "first live"):
                values = [row[name] for row in rows if row.get(name) is not None]
                cells.append(f"{statistics.median(values):14.0f}" if values else f"{'-':>14}")
            name = {str(v): k for k, v in NETWORKS.items()}[network]
            print(f"{page_path + ' ' + name:34} " + " ".join(cells))
    if args.cold_only:
        return 0
    print(f"warm second page (instant navigation): {second:.0f} ms from the click to the live page painted, {second_bytes / 1e3:.1f} kB fetched")
    print(f"full reload from the browser cache:    {reload_ms:.0f} ms to first live result, by {reload_how}")
    print("recompute (input change -> new numbers painted):")
    for widget, p50, p95 in latencies:
        print(f"  {widget:15} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
