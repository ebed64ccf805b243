"""Shared fixtures: one strict build of the site per test session, and a local server for it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import static_server  # noqa: E402

# The browser tests: Debian's Chromium (Playwright cannot download one here).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LIVE_TIMEOUT_MS = 120_000
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def build_site(config: Path, site: Path, *, site_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True, text=True, env=env, cwd=config.parent,
    )


def copy_project(target: Path) -> Path:
    """A throw-away copy of what the docs build reads (docs, scripts, mkdocs.yml), to break on purpose.

    Vendored assets and calc are linked, not copied: the tests change pages, not those.
    """
    shutil.copytree(ROOT / "docs", target / "docs", ignore=shutil.ignore_patterns("vendor"))
    (target / "docs" / "vendor").symlink_to(ROOT / "docs" / "vendor")
    shutil.copytree(ROOT / "scripts", target / "scripts")
    (target / "calc").symlink_to(ROOT / "calc")
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def site_port() -> int:
    """The port the site is served on: Material's instant navigation only intercepts links whose
    host and port match site_url, so the site is built for the port it will be served on."""
    return _free_port()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, site_port: int) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = build_site(ROOT / "mkdocs.yml", out, site_url=f"http://127.0.0.1:{site_port}/")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


_servers: dict[int, object] = {}


@pytest.fixture
def served(site_url: str, site_port: int) -> list[str]:
    """The paths the site's server is asked for from now on (each download of a file appears once)."""
    requests = _servers[site_port].requests  # type: ignore[attr-defined]
    requests.clear()
    return requests


@pytest.fixture(scope="session")
def site_url(site: Path, site_port: int) -> Iterator[str]:
    """The built site on http://127.0.0.1:<site_port>/, served like a static host set up as README.md ("Hosting")
    says (precompressed twins, caching headers): scripts/static_server.py."""
    server = static_server.serve(site, site_port)
    _servers[site_port] = server
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def serve(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A started local server for ``directory``; call ``shutdown()`` on it when done."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def new_context(browser: Browser, **options: object) -> BrowserContext:
    """A fresh browser profile with the site's service worker blocked, unless a test asks for it
    (``service_workers="allow"``): a worker that precaches the whole site would load every test, and
    requests it answers bypass the tests' routes."""
    return browser.new_context(**{"service_workers": "block", **options})


def page_without_python(browser: Browser, **options: object) -> Page:
    """A page in a fresh profile whose Pyodide downloads fail, as with a blocked CDN-less network: the site
    must fall back to its build-time results.  Close it with ``page.context.close()``."""
    context = new_context(browser, **options)
    context.route("**/vendor/pyodide/**", lambda route: route.abort())
    return context.new_page()


@pytest.fixture
def page(browser: Browser, site_url: str) -> Iterator[Page]:
    """A fresh page that records every request; none may leave the local origin."""
    context = new_context(browser, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    origin = urlparse(site_url).netloc
    outside = [u for u in seen if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != origin]
    assert not outside, f"requests left the site: {outside}"
    assert not errors, f"page errors: {errors}"


def assert_widget_rejects(name: str, cases: tuple[tuple[dict[str, str], str, str], ...]) -> None:
    """Each (raw inputs, field, words): calculator ``name`` refuses the inputs with a message by ``field``
    that contains ``words`` (what the page shows inline)."""
    from calc.web import widgets

    for raw, field, text in cases:
        result = widgets.call(name, raw)
        assert not result["ok"] and result["field"] == field and text in result["message"], result


def built_chapter(site: Path, path: str) -> Any:
    """The ``<article>`` of a built chapter (BeautifulSoup), checked for what every chapter renders: no
    shortcode left, its worked problems folded (4 or more) and a tip."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = page.select_one("article")
    assert "{{" not in article.get_text(), path
    assert len(article.select("details.question")) >= 4 and article.select_one(".admonition.tip"), path
    return article


def shown_values(root: Any, name: str) -> dict[str, str]:
    """The prerendered results of calculator ``name`` inside ``root`` (BeautifulSoup): key -> shown text."""
    widget = root.select_one(f'.calc-widget[data-widget="{name}"]')
    return {el["data-key"]: el.get_text(strip=True) for el in widget.select(".calc-value")}
