"""igdesk's version (from the package metadata) and the libraries it ships with, with licences.

Qt-free: `igdesk --version` prints this without starting Qt; the About box shows the same.
"""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import dataclass

DIST = "igdesk"


@dataclass(frozen=True)
class Library:
    """One library in igdesk's installation, its version (or "" when it is not there)."""

    name: str
    licence: str
    version: str


#: (shown name, distribution, licence): what the app bundles. Licences are written here
#: because the metadata of each project spells them differently (or not at all).
_LIBRARIES = (
    ("Python", "", "PSF-2.0"),
    ("Qt", "", "LGPL-3.0-only"),
    ("PySide6", "PySide6_Essentials", "LGPL-3.0-only"),
    ("Shiboken6", "shiboken6", "LGPL-3.0-only"),
    ("Qt WebEngine (with Chromium)", "PySide6_Addons", "LGPL-3.0-only; Chromium: BSD-3-Clause"),
    ("httpx", "httpx", "BSD-3-Clause"),
    ("httpcore", "httpcore", "BSD-3-Clause"),
    ("h11", "h11", "MIT"),
    ("anyio", "anyio", "MIT"),
    ("idna", "idna", "BSD-3-Clause"),
    ("certifi", "certifi", "MPL-2.0"),
    ("aiohttp", "aiohttp", "Apache-2.0 AND MIT"),
    ("yarl", "yarl", "Apache-2.0"),
    ("multidict", "multidict", "Apache-2.0"),
    ("frozenlist", "frozenlist", "Apache-2.0"),
    ("aiosignal", "aiosignal", "Apache-2.0"),
    ("propcache", "propcache", "Apache-2.0"),
    ("aiohappyeyeballs", "aiohappyeyeballs", "PSF-2.0"),
    ("attrs", "attrs", "MIT"),
    ("qasync", "qasync", "BSD-2-Clause"),
    ("keyring", "keyring", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("Babel", "babel", "BSD-3-Clause"),
    ("ngrok", "ngrok", "MIT OR Apache-2.0"),
)


def version() -> str:
    """igdesk's version from its package metadata ("unknown" if the metadata is missing)."""
    try:
        return importlib.metadata.version(DIST)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _version_of(dist: str, name: str) -> str:
    if name == "Python":
        return platform.python_version()
    if name == "Qt":
        return _qt_version()
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _qt_version() -> str:
    """The Qt igdesk runs with: PySide6 ships the Qt of its own version (no Qt import here:
    nothing below ui/ imports Qt)."""
    return _version_of("PySide6_Essentials", "PySide6")


def libraries() -> list[Library]:
    """The libraries present in this installation (a library that is not there is left out)."""
    found = []
    for name, dist, licence in _LIBRARIES:
        installed = _version_of(dist, name)
        if installed:
            found.append(Library(name, licence, installed))
    return found
