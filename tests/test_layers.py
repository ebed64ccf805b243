"""The layers of calc: imports only go downward (calc/README.md draws the picture).

Every module's imports are read with ``ast`` (no import is executed) and resolved
to a layer; a module may import its own layer or a lower one, never a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import calc

CALC = Path(calc.__file__).parent

# Lowest first.  A module may import from its own rank or a lower one.
RANK = {"core": 0, "hardware": 1, "model": 1, "roofline": 2, "source": 3, "serving": 4, "web": 5, "__main__": 6}
# hardware and model share a rank but must not import each other: both sit right above core.
SIBLINGS_APART = {("hardware", "model"), ("model", "hardware")}


def layer_of(module: str) -> str:
    """'calc.serving.step' -> 'serving'; 'calc' itself (the public API) is above everything but the CLI."""
    parts = module.split(".")
    # A name that is not a layer ("calc.presets" from ``from .. import presets``) comes from the API package.
    return parts[1] if len(parts) > 1 and parts[1] in RANK else "__init__"


def imports_of(source: str, module: str) -> list[tuple[str, int]]:
    """Absolute calc module names imported by ``source``, read as the module named ``module``."""
    package = module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
            found += [(n, node.lineno) for n in names if n.startswith("calc")]
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("calc")]
    return found


def upward_imports(source: str, module: str) -> list[str]:
    """Each import of ``source`` (as ``module``) that goes up or sideways across layers, described."""
    own = layer_of(module)
    bad = []
    for target, line in imports_of(source, module):
        other = layer_of(target)
        if other == "__init__":
            bad.append(f"line {line}: imports the public API package {target!r}; import the module instead")
        elif other != own and ((own, other) in SIBLINGS_APART or RANK[other] > RANK[own]):
            bad.append(f"line {line}: layer {own!r} imports {target!r} from layer {other!r}")
    return bad


def module_name(path: Path) -> str:
    parts = path.relative_to(CALC).with_suffix("").parts
    return ".".join(["calc", *(parts[:-1] if parts[-1] == "__init__" else parts)]) + (
        ".__init__" if parts[-1] == "__init__" else "")


MODULES = sorted(p for p in CALC.rglob("*.py") if p != CALC / "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CALC)))
def test_imports_only_go_downward(path: Path) -> None:
    assert upward_imports(path.read_text(encoding="utf-8"), module_name(path)) == []


def test_checker_catches_an_upward_import() -> None:
    """The check must be able to fail: core importing the engine, or model importing hardware."""
    units = (CALC / "core" / "units.py").read_text(encoding="utf-8")
    assert upward_imports(units, "calc.core.units") == []
    assert upward_imports(units + "\nfrom ..serving import step\n", "calc.core.units") != []
    assert upward_imports("from ..hardware import resolve\n", "calc.model.operators") != []
    assert upward_imports("from .. import presets\n", "calc.source.examples") != []
    assert upward_imports("from ...roofline import ridge_point\n", "calc.web.calculators.roofline") == []


def test_every_layer_is_a_package() -> None:
    for layer in ("core", "model", "source", "serving", "web"):
        assert (CALC / layer / "__init__.py").is_file()
