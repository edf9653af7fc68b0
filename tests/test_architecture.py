"""The package's floors hold: every module imports only from its own floor or the floors below it.

Floors, top to bottom (docs/architecture.md draws them):

    cli  >  explore (and playground)  >  render  >  pictures  >  learn  >  data  >  autograd  >  base modules

The base modules are the ones directly in gradcli/ (errors, atomicfile, readfile,
paths, numbers, jsontext, csvtext); ``gradcli/__init__.py`` (the public API re-exports the
autograd core) and ``gradcli/__main__.py`` (runs the CLI) are exempt.  And no
module imports a private name (one starting with ``_``) from another gradcli
module: a name shared is a public name in its one home.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gradcli"
FLOORS = ["cli", "explore", "render", "pictures", "learn", "data", "autograd", "base"]  # top to bottom
PACKAGES = {**{name: name for name in FLOORS if name != "base"},
            "playground": "explore"}  # the terminal apps share a floor: each package -> its floor
EXEMPT = {"gradcli/__init__.py", "gradcli/__main__.py"}

def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    return f"gradcli/{path.relative_to(PACKAGE).as_posix()}"


def dotted(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor(module: str) -> str:
    """The floor of a dotted module name: its subpackage, or ``base`` for a module directly in gradcli."""
    parts = module.split(".")
    return PACKAGES.get(parts[1], "base") if len(parts) >= 2 else "base"


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported gradcli module, names imported from it, line) for every import in ``path``, nested ones too."""
    here = dotted(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names if alias.name.split(".")[0] == "gradcli"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "gradcli":
                continue
            names = [alias.name for alias in node.names]
            if node.module is None or module in ("gradcli", *(f"gradcli.{p}" for p in PACKAGES)):
                # `from . import style`, `from gradcli import numbers`: each name is a module
                found += [(f"{module}.{name}", [], node.lineno) for name in names]
            else:
                found.append((module, names, node.lineno))
    return found


def test_the_floors_are_the_packages():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(PACKAGES)


@pytest.mark.parametrize("path", [p for p in modules() if name_of(p) not in EXEMPT], ids=name_of)
def test_imports_flow_down(path):
    mine = FLOORS.index(floor(dotted(path)))
    upward = [f"line {line}: {module} ({floor(module)})" for module, _, line in imports(path)
              if FLOORS.index(floor(module)) < mine]
    assert not upward, f"{name_of(path)} ({floor(dotted(path))}) imports from a higher floor: {upward}"


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_no_private_name_crosses_modules(path):
    private = [f"line {line}: {name} from {module}" for module, names, line in imports(path) for name in names
               if name.startswith("_") and not name.startswith("__")]
    assert not private, f"{name_of(path)} imports private names: {private}"


def test_the_checks_can_fail(tmp_path, monkeypatch):
    """The two checks above see an upward import and a private name (or they could never fail)."""
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "gradcli")
    bad = tmp_path / "gradcli" / "autograd" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("from ..render.grad import point_text\nfrom .engine import _secret\nimport gradcli.cli.app\n")
    found = imports(bad)
    assert found == [("gradcli.render.grad", ["point_text"], 1), ("gradcli.autograd.engine", ["_secret"], 2),
                     ("gradcli.cli.app", [], 3)]
    with pytest.raises(AssertionError, match="higher floor"):
        test_imports_flow_down(bad)
    with pytest.raises(AssertionError, match="_secret"):
        test_no_private_name_crosses_modules(bad)


def test_every_package_is_shipped_in_the_wheel():
    """pyproject.toml lists the packages explicitly (the shipped datasets folder is mapped in): a new
    subpackage must be added there, or the installed gradcli would lack it."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(root).parts) for init in (root / "gradcli").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"
