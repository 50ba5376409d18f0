"""Where igdesk's own files are (translations, icons, the sandbox world), installed or frozen.

One rule for every caller: the `resources/` folder beside the `igdesk` package in a checkout
or an editable install, and `resources/` inside the bundle when PyInstaller froze igdesk
(`sys.frozen`, files unpacked under `sys._MEIPASS`). `igdesk.spec` copies the folder there.
`missing()` lists what a damaged bundle lacks, so that the start can say so in a sentence.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: What every start needs, relative to the resources folder (checked by `missing`).
REQUIRED = (
    "locale",
    "sandbox/scenario.json",
    "sandbox/media",
    "icons/igdesk.png",
)


def frozen() -> bool:
    """Whether this is the PyInstaller app (not Python running the package)."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


#: The folder in a checkout or an installed package (resolved once: `root` is called often).
_BESIDE_PACKAGE = Path(__file__).resolve().parent.parent / "resources"


def root() -> Path:
    """The resources folder."""
    if frozen():
        return Path(getattr(sys, "_MEIPASS")) / "resources"  # noqa: B009 (only set when frozen)
    return _BESIDE_PACKAGE


def path(*parts: str) -> Path:
    """A file or folder under the resources folder (it may not exist: see `missing`)."""
    return root().joinpath(*parts)


def missing() -> list[str]:
    """The required resources this installation lacks (an empty list when it is whole)."""
    base = root()
    return [name for name in REQUIRED if not (base / name).exists()]
