"""calc's own unit tests, run inside Pyodide (Node) from the same wheel the site serves."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import site_assets  # noqa: E402

# Test modules that need only calc and pytest (no mkdocs, no browser, no subprocess).
PURE_TESTS = [
    "test_units.py", "test_hardware.py", "test_roofline.py", "test_kernels.py", "test_latency.py",
    "test_memory.py", "test_models.py", "test_worked_examples.py", "test_serving.py", "test_validation.py",
]


def test_calc_suite_passes_in_pyodide():
    wheel, _ = site_assets.build_wheel()
    result = subprocess.run(
        ["node", "scripts/pyodide_tests.mjs", str(wheel), sysconfig.get_paths()["purelib"],
         *(str(ROOT / "tests" / name) for name in PURE_TESTS)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    tail = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, tail
    assert "on emscripten" in result.stdout, tail  # really ran inside Pyodide
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    assert passed >= 140, tail  # the modules above plus calc's doctests
    assert " failed" not in result.stdout and " error" not in result.stdout, tail


def test_wheel_holds_every_calc_module():
    import zipfile

    wheel, _ = site_assets.build_wheel()
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "calc").rglob("*") if p.suffix in (".py", ".json")
               and "__pycache__" not in p.parts}
    assert sources <= names, sorted(sources - names)
