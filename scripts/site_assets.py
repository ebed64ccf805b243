"""Files the site serves itself: vendored front-end assets and the calc wheel.

The wheel is built with ``python -m build`` (pure Python, py3-none-any) and
cached under ``.cache/wheel/<hash of calc's sources>/``, so ``mkdocs serve``
rebuilds it only when ``calc`` changes.  A manifest next to it tells the
browser worker the file name and the hash (used to bust the HTTP cache).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "wheel"

#: Files that scripts/vendor_assets.py must have copied into docs/vendor.
VENDOR_FILES = (
    "katex/katex.min.css",
    "pyodide/pyodide.mjs",
    "pyodide/pyodide.asm.wasm",
    "pyodide/python_stdlib.zip",
    "vega/vega-embed.min.js",
)


def missing_vendor_files(docs_dir: Path) -> list[str]:
    return [f"docs/vendor/{name}" for name in VENDOR_FILES if not (docs_dir / "vendor" / name).exists()]


def source_hash() -> str:
    """Hash of everything that goes into the wheel."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.joinpath("calc").rglob("*.py"), *ROOT.joinpath("calc").rglob("*.json"),
                        ROOT / "pyproject.toml"]):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_wheel() -> tuple[Path, str]:
    """The cached wheel for the current sources, building it if needed."""
    key = source_hash()
    out = CACHE / key
    wheels = list(out.glob("*.whl"))
    if not wheels:
        tmp = CACHE / f"tmp-{key}"
        shutil.rmtree(tmp, ignore_errors=True)
        # setuptools stages files in ./build; a module deleted from calc would linger there.
        shutil.rmtree(ROOT / "build", ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp), str(ROOT)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
        wheels = list(out.glob("*.whl"))
    return wheels[0], key


def build_snapshot(wheel: Path, key: str) -> Path | None:
    """A gzipped Pyodide memory snapshot with calc imported (cached like the wheel); None if Node fails.

    Loading it lets the browser skip Python's start-up (seconds) at the cost of a larger download.
    """
    out = CACHE / key / f"calc-{_pyodide_version()}.snapshot.gz"
    if not out.exists():
        result = subprocess.run(["node", "scripts/make_snapshot.mjs", str(wheel), str(out)],
                                capture_output=True, text=True, cwd=ROOT)
        if result.returncode:
            print(f"warning: no Pyodide snapshot ({result.stderr.strip()[-300:]}); the site starts Python "
                  "without one", file=sys.stderr)
            return None
    return out


def _pyodide_version() -> str:
    return json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text(encoding="utf-8"))["version"]


def install_wheel(site_dir: Path) -> Path:
    """Copy the wheel (and its snapshot) into ``site_dir/vendor`` and write ``vendor/calc-manifest.json``."""
    wheel, key = build_wheel()
    target = site_dir / "vendor" / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wheel, target / wheel.name)
    manifest = {"wheel": f"wheels/{wheel.name}", "hash": key}
    snapshot = build_snapshot(wheel, key)
    if snapshot is not None:
        shutil.copyfile(snapshot, target / snapshot.name)
        manifest["snapshot"] = f"wheels/{snapshot.name}"
    (site_dir / "vendor" / "calc-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target / wheel.name
