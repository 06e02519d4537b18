"""The public surface, pinned by what the package itself says (the way httpx's test_exported_members does).

Each package's ``__all__`` must be exactly the public names it holds once every name in it is resolved: a
helper imported into an ``__init__`` without an underscore, or an export forgotten in ``__all__``, fails
here. Every module inside a subpackage is private (``_name.py``), so the surface is each ``__init__``.
Nothing here repeats the list of names: adding a public name means adding it to ``__all__``, on purpose.
The order of every ``__all__`` is ruff's (RUF022, checked by ``make lint``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import ideogram_widgets as iw

SUBPACKAGES = ["api", "jobs", "widgets", "sandbox", "check"]
# the top level's modules a user may import by name (everything else is a subpackage or private)
TOP_LEVEL_MODULES = {"backend", "samples"}


def public_modules(package: ModuleType) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")}


def resolved(name: str) -> ModuleType:
    """The package with every name of its ``__all__`` looked up (lazy packages fill in on first use)."""
    package = importlib.import_module(name)
    for public in package.__all__:
        assert getattr(package, public) is not None, f"{name}.{public}"
    return package


def public_names(package: ModuleType) -> set[str]:
    return {n for n in vars(package) if not n.startswith("_")}


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_every_module_inside_a_subpackage_is_private(sub: str) -> None:
    package = importlib.import_module(f"ideogram_widgets.{sub}")
    assert public_modules(package) == set(), f"make these private (_name.py): {public_modules(package)}"


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_all_is_exactly_the_public_names_of_the_package(sub: str) -> None:
    package = resolved(f"ideogram_widgets.{sub}")
    assert sorted(package.__all__) == sorted(set(package.__all__)), "a name twice in __all__"
    assert set(package.__all__) == public_names(package)


def test_the_top_level_all_is_exactly_its_public_names() -> None:
    resolved("ideogram_widgets")
    assert public_modules(iw) == set(SUBPACKAGES) | TOP_LEVEL_MODULES
    # a submodule the lookups above imported is an attribute too; it is a module, not an export
    names = public_names(iw) - public_modules(iw)
    assert set(iw.__all__) - {"__version__"} == names
    assert set(iw.__all__) <= set(dir(iw))
    assert set(iw._LAZY) == set(iw.__all__) - {"__version__"}


def test_the_top_level_names_are_the_subpackages_own_objects() -> None:
    """``iw.X`` is the very object its layer exports (no copies, no wrappers drifting apart)."""
    resolved("ideogram_widgets")
    layers = [resolved(f"ideogram_widgets.{sub}") for sub in SUBPACKAGES]
    layers.append(importlib.import_module("ideogram_widgets.backend"))
    layers.append(importlib.import_module("ideogram_widgets.samples"))
    for name in iw.__all__:
        if name == "__version__":
            continue
        homes = [layer for layer in layers if getattr(layer, name, None) is getattr(iw, name)]
        assert homes, f"iw.{name} is nobody's export"


@pytest.mark.parametrize("name", ["ideogram_widgets", *(f"ideogram_widgets.{sub}" for sub in SUBPACKAGES)])
def test_every_public_class_and_function_has_a_docstring(name: str) -> None:
    package = resolved(name)
    missing = [
        public
        for public in package.__all__
        if (inspect.isclass(getattr(package, public)) or inspect.isfunction(getattr(package, public)))
        and not (inspect.getdoc(getattr(package, public)) or "").strip()
    ]
    assert missing == []


def test_a_private_module_cannot_leak_into_a_lazy_package() -> None:
    """The lazy packages fail on a name they do not export (instead of importing something half-public)."""
    with pytest.raises(AttributeError):
        _ = iw.not_a_name
    check = importlib.import_module("ideogram_widgets.check")
    with pytest.raises(AttributeError):
        _ = check.not_a_name


def test_the_version_lives_in_one_place() -> None:
    from importlib.metadata import version

    assert iw.__version__ == version("ideogram-widgets")


def test_import_loads_nothing_heavy() -> None:
    code = (
        "import sys, ideogram_widgets\n"
        "names = ('numpy', 'PIL', 'httpx', 'ipywidgets', 'anywidget', 'starlette')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("sub", ["api", "jobs"])
def test_other_layers_take_public_names_from_the_package_face(sub: str) -> None:
    """``from ..api import InputError`` across layers, never ``from ..api._errors import InputError``: a
    private module another layer reaches is then a deliberate internal helper (docs/architecture.md)."""
    import ast
    from pathlib import Path

    exported = set(resolved(f"ideogram_widgets.{sub}").__all__)
    root = Path(iw.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] == sub:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(f"{sub}._"):
                found += [f"{rel}: {a.name}" for a in node.names if a.name in exported]
    assert found == []
