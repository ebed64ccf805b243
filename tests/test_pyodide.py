"""calc's own unit tests, run inside Pyodide (Node) from the same wheel the site serves."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import site_assets  # noqa: E402
from calc.web.calculators.planner import WARM_STATE  # noqa: E402

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


def _calc_stdlib_imports() -> list[str]:
    """Every module calc's import statements name outside calc (function-level imports included)."""
    names = set()
    for path in (ROOT / "calc").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] != "calc")


def test_calc_suite_passes_on_the_trimmed_runtime():
    """The site's runtime (a trimmed, compiled standard library with calc inside) is enough for calc."""
    wheel, key = site_assets.build_wheel()
    runtime = site_assets.build_runtime(wheel, key)
    assert runtime is not None, "scripts/make_runtime.mjs failed"
    result = subprocess.run(
        ["node", "scripts/pyodide_tests.mjs", "--runtime", str(runtime / "runtime.zip"), ",".join(_calc_stdlib_imports()),
         sysconfig.get_paths()["purelib"], *(str(ROOT / "tests" / name) for name in PURE_TESTS)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    tail = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, tail
    assert "trimmed runtime alone: imported" in result.stdout, tail
    assert re.search(r"planner warm state: [1-9]\d* configurations, the same plan", result.stdout), tail
    assert "/lib/python314.zip/calc/__init__.pyc" in result.stdout, tail  # calc as compiled into the runtime
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    examples = int(re.search(r"doctests: (\d+) examples, 0 failed", result.stdout).group(1))
    assert passed >= 120 and examples >= 20, tail


def test_trimmed_runtime_is_smaller_and_compiled():
    """Only compiled modules (no sources) and calc's data; far fewer modules than Pyodide's library."""
    import zipfile

    wheel, key = site_assets.build_wheel()
    runtime = site_assets.build_runtime(wheel, key)
    names = zipfile.ZipFile(runtime / "runtime.zip").namelist()
    full = zipfile.ZipFile(ROOT / "node_modules" / "pyodide" / "python_stdlib.zip").namelist()
    warm = "calc/" + WARM_STATE  # the planner's search for its defaults, done at build time
    assert warm in names
    assert all(n.endswith((".pyc", ".json")) or n == warm for n in names), [n for n in names if not n.endswith((".pyc", ".json"))]
    stdlib = [n for n in names if not n.startswith("calc/")]
    assert len(stdlib) < len([n for n in full if n.endswith(".py")]) / 2
    assert "calc/data/accelerators.json" in names and "calc/web/widgets.pyc" in names
    # Modules calc does not use stay out (the test suite gets them from the full library).
    assert "unittest/__init__.pyc" not in names and "email/__init__.pyc" not in names
