"""Copy the front-end assets (KaTeX, the Pyodide core, Vega) the site serves itself from node_modules into docs/vendor.

Run after ``npm ci``.  The versions are pinned in package.json / package-lock.json;
docs/vendor is generated (git-ignored), so the repository holds no minified copies.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "docs" / "vendor"

# (source under node_modules, destination under docs/vendor)
# Only the CSS and fonts: the formulas are typeset at build time (scripts/maths.py), not in the browser.
KATEX = [
    ("katex/dist/katex.min.css", "katex/katex.min.css"),
]


PYODIDE = [
    (f"pyodide/{name}", f"pyodide/{name}")
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
]
# The <script> builds: the ES-module builds have bare imports a browser cannot resolve.
VEGA = [
    ("vega/build/vega.min.js", "vega/vega.min.js"),
    ("vega-lite/build/vega-lite.min.js", "vega/vega-lite.min.js"),
    ("vega-embed/build/vega-embed.min.js", "vega/vega-embed.min.js"),
]


def copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def main() -> int:
    if not NODE.is_dir():
        print("node_modules is missing: run `npm ci` first", file=sys.stderr)
        return 1
    for src, dst in (*KATEX, *PYODIDE, *VEGA):
        copy(NODE / src, VENDOR / dst)
    # KaTeX's CSS refers to fonts/; woff2 is enough for every browser we target.
    for font in (NODE / "katex/dist/fonts").glob("*.woff2"):
        copy(font, VENDOR / "katex/fonts" / font.name)
    print(f"vendored assets into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
