"""calc's public names and the calculators are imported when first used (calc/__init__.py, calc/web/widgets.py).

The browser's worker answers a page's first edit sooner when it imports only what that page's calculator needs;
these tests check what gets imported (in a fresh interpreter), not how long it takes (scripts/bench_first_visit.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import calc

ROOT = Path(__file__).resolve().parent.parent


def modules_after(code: str) -> set[str]:
    """The calc modules a fresh interpreter holds after running ``code``."""
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('calc'))))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_calc_loads_almost_nothing():
    loaded = modules_after("import calc")
    # The package, and the core modules its error contract needs (InputError, Quantity and what they use).
    core = {"calc.core", "calc.core.fields", "calc.core.quantity", "calc.core.units", "calc.core.validate"}
    assert loaded <= {"calc", *core}, loaded


def test_a_calculator_loads_only_its_own_parts():
    loaded = modules_after("import calc.web.widgets as w\nassert w.call('roofline')['ok']")
    assert "calc.web.calculators.roofline" in loaded
    others = {f"calc.web.calculators.{name}" for name in ("planner", "kv_cache", "moe", "frontier", "batching")}
    assert not loaded & others, loaded & others
    assert "calc.serving.search" not in loaded and "calc.web.locale_zh" not in loaded
    # A Chinese page loads its catalog when it first needs it.
    assert "calc.web.locale_zh" in modules_after("import calc.web.widgets as w\nw.call('roofline', lang='zh')")


def test_every_public_name_resolves_and_stays_the_same_object():
    for name in calc.__all__:
        assert getattr(calc, name) is getattr(calc, name), name
    assert set(calc.__all__) <= set(dir(calc))
    # A submodule is reachable as an attribute too, as it was when calc imported everything.
    assert calc.serving.search.search_deployments.__module__ == "calc.serving.search"
    assert not hasattr(calc, "no_such_name")


def test_public_functions_keep_the_error_contract():
    # Wrapped on first use like they were at import: a positional argument is an InputError naming it.
    try:
        calc.max_batch(1)
    except calc.InputError as err:
        assert "max_batch" in str(err)
    else:
        raise AssertionError("a positional argument was accepted")


def test_widget_registry_names_match_the_widgets():
    from calc.web import widgets

    for name in widgets.WIDGETS:
        assert widgets.WIDGETS[name].name == name
    assert "nope" not in widgets.WIDGETS and len(widgets.WIDGETS) == len(list(widgets.WIDGETS))


def test_every_calculator_module_is_registered():
    # A calculator module left out of the registry would never be offered to a page.
    from calc.web import widgets

    modules = {p.stem for p in (ROOT / "calc" / "web" / "calculators").glob("*.py")} - {"__init__", "base"}
    assert modules == {module for module, _ in widgets._REGISTRY.values()}
