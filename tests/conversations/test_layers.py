"""The core's packages import only downwards (chat <- claims <- staff <- ... <- dialogue)."""

from __future__ import annotations

import ast
from pathlib import Path

import conversations

ROOT = Path(conversations.__file__).parent
# Lower index = lower layer; a module may import its own layer and the ones below it.
# staff_desk (the staff chat's turns) sits above services, so it calls them like the CLI.
LAYERS = ("chat", "claims", "staff", "services", "staff_desk", "dialogue")
OUTSIDE = ("telegram", "sqlalchemy", "storage", "bot")
# Packages below every layer, as the modules beside them (policy.py, domain.py, i18n.py, ...).
SHARED = ("catalog", "faq")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_package_of_the_core_has_a_layer() -> None:
    """A new package must take its place in the order, else nothing checks its imports."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    unplaced = packages - set(LAYERS) - set(SHARED)
    assert unplaced == set()


def test_what_all_layers_share_imports_no_layer() -> None:
    """policy, domain, the catalog, the FAQ and the other modules beside the layers sit below."""
    paths = [*ROOT.glob("*.py"), *(p for name in SHARED for p in (ROOT / name).rglob("*.py"))]
    upward = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted(paths)
        for name in _imports(path)
        if _layer(name) is not None
    ]
    assert upward == []


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "conversations" and parts[1] in LAYERS:
        return parts[1]
    return None


def test_no_package_of_the_core_imports_a_layer_above_it() -> None:
    upward = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).glob("*.py")):
            for name in _imports(path):
                target = _layer(name)
                if target is not None and LAYERS.index(target) > LAYERS.index(layer):
                    upward.append(f"{layer}/{path.name} imports {name}")
    assert upward == []


def test_the_core_imports_neither_telegram_nor_the_database_nor_the_bot() -> None:
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted(ROOT.rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in OUTSIDE
    ]
    assert found == []
