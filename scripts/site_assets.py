"""Files the site serves itself: vendored front-end assets, the calc wheel and the Python runtime.

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


def build_runtime(wheel: Path, key: str) -> Path | None:
    """The trimmed runtime zip, the memory snapshot and their facts (cached like the wheel); None if Node fails.

    See scripts/make_runtime.mjs: the zip holds only the standard-library modules calc and Pyodide's
    start-up import, compiled, plus calc; the snapshot lets a browser skip Python's start-up.
    """
    out = CACHE / key / f"runtime-{runtime_key()}"
    if not (out / "runtime.json").exists():
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        result = subprocess.run(["node", "scripts/make_runtime.mjs", str(wheel), str(tmp)],
                                capture_output=True, text=True, cwd=ROOT)
        if result.returncode:
            print(f"warning: no trimmed Python runtime ({result.stderr.strip()[-300:]}); the site starts "
                  "Python with Pyodide's full library and the wheel", file=sys.stderr)
            return None
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    return out


def pyodide_version() -> str:
    return json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text(encoding="utf-8"))["version"]


#: Files at least this large get precompressed twins (below it, compression saves less than a packet).
LARGE = 10_000
#: Formats that are compressed already: a second compression gains nothing.
COMPRESSED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".whl", ".gz", ".br"}


def large_assets(site_dir: Path) -> list[Path]:
    """Every file of the built site that should have ``.br`` and ``.gz`` twins."""
    return sorted(p for p in site_dir.rglob("*")
                  if p.is_file() and p.suffix not in COMPRESSED and p.stat().st_size >= LARGE)


def precompress(site_dir: Path) -> None:
    """Write FILE.br and FILE.gz beside every large asset (cached by content, so rebuilds are quick)."""
    files = large_assets(site_dir)
    if files:
        subprocess.run(["node", "scripts/precompress.mjs", str(ROOT / ".cache" / "precompressed"),
                        *map(str, files)], check=True, capture_output=True, text=True, cwd=ROOT)


def _sizes(path: Path) -> dict[str, int]:
    """Bytes on the wire for each way a host may serve ``path``."""
    sizes = {"raw": path.stat().st_size}
    for encoding in ("br", "gz"):
        twin = path.with_name(f"{path.name}.{encoding}")
        if twin.exists():
            sizes[encoding] = twin.stat().st_size
    return sizes


def runtime_key() -> str:
    """Hash of what makes the runtime: calc's sources, the Pyodide version and the script that builds it."""
    digest = hashlib.sha256(f"{source_hash()} {pyodide_version()}".encode())
    digest.update((ROOT / "scripts" / "make_runtime.mjs").read_bytes())
    return digest.hexdigest()[:16]


def runtime_name(suffix: str = ".zip") -> str:
    """Where a runtime file lies under ``vendor/``: the name changes whenever its content may."""
    return f"wheels/calc-runtime-{runtime_key()}{suffix}"


def install_wheel(site_dir: Path) -> Path:
    """Copy the wheel and the runtime into ``site_dir/vendor``, precompress the site, write the manifest.

    ``vendor/calc-manifest.json`` tells the browser worker the file names (they carry the hash of
    calc's sources and the Pyodide version, so hosts may cache them forever), their sizes as served
    (for its choice of start path) and the start-up times measured at build time.
    """
    wheel, key = build_wheel()
    vendor = site_dir / "vendor"
    target = vendor / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wheel, target / wheel.name)
    version = pyodide_version()
    # The lock file's header only: calc needs no Pyodide package, so the worker skips the 120 kB list.
    lock = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))
    manifest: dict = {"wheel": f"wheels/{wheel.name}", "hash": key, "pyodide": version, "lock_info": lock["info"]}
    runtime = build_runtime(wheel, key)
    if runtime is not None:
        shutil.copyfile(runtime / "runtime.zip", vendor / runtime_name())
        shutil.copyfile(runtime / "snapshot.bin", vendor / runtime_name(".snapshot"))
        facts = json.loads((runtime / "runtime.json").read_text(encoding="utf-8"))
        manifest.update(runtime=runtime_name(), snapshot=runtime_name(".snapshot"), start_ms=facts["start_ms"])
    precompress(site_dir)
    manifest["sizes"] = {name: _sizes(vendor / name) for name in
                         ("pyodide/pyodide.asm.wasm", "pyodide/pyodide.asm.mjs", manifest.get("runtime"),
                          manifest.get("snapshot")) if name}
    (vendor / "calc-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target / wheel.name
