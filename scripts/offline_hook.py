"""MkDocs hook: the service worker that keeps the site readable offline (scripts/make_sw.mjs, Workbox).

Runs last, after the other hooks have put the calc wheel and the notebooks into the site, and globs over
everything the build emitted.  Not under ``mkdocs serve``: a worker caching pages that are being edited
would show stale ones, and without ``sw.js`` the page's registration simply fails.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
_command = "build"


def on_startup(command: str, **_: Any) -> None:
    global _command
    _command = command


def on_post_build(config: Any) -> None:
    site = Path(config["site_dir"])
    if _command == "serve":
        (site / "sw.js").unlink(missing_ok=True)
        return
    result = subprocess.run(["node", "scripts/make_sw.mjs", str(site)], capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise PluginError(f"service worker not generated: {result.stderr.strip()[-500:]}")
