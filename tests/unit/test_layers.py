"""The layers of design.md, read from the source: the window reaches the archive only through
App, and nothing below `ui/` imports Qt."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "igdesk"
UI = PACKAGE / "ui"
#: What `ui/` may never import: the archive, its connection, or the sync layer's internals.
UI_FORBIDDEN = ("sqlite3", "igdesk.store", "igdesk.sync")


def modules(root: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(root.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_window_never_imports_the_archive_or_sqlite() -> None:
    found = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path, tree in modules(UI)
        for name in sorted(imported(tree))
        if name.startswith(UI_FORBIDDEN)
    ]
    assert found == []


def test_the_window_never_touches_an_archive_attribute() -> None:
    """No `app.archive`, `self.archive`, `Archive`: reads go through App and return views."""
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path, tree in modules(UI)
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr in ("archive", "_archive", "_db"))
        or (isinstance(node, ast.Name) and node.id in ("Archive", "ArchiveWorker"))
    ]
    assert found == []


def test_app_has_no_public_archive() -> None:
    from igdesk.app import App

    assert not hasattr(App, "archive")


def test_nothing_below_ui_imports_qt() -> None:
    found = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path, tree in modules(PACKAGE)
        if UI not in path.parents
        for name in sorted(imported(tree))
        if name.startswith(("PySide6", "qasync", "shiboken6"))
    ]
    assert found == []
