"""Start igdesk when the owner logs in: off by default, one switch in Settings.

What the switch changes is the operating system's own list, so it is the truth (nothing is
kept in igdesk's settings):

- Linux and other XDG desktops: `$XDG_CONFIG_HOME/autostart/igdesk.desktop`.
- Windows: the value "igdesk" under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run.
- macOS: a launch agent, `~/Library/LaunchAgents/app.igdesk.plist` (RunAtLoad).

The command started is this igdesk: the bundle's binary when frozen, else `python -m igdesk`,
with `--profile DIR` when the window runs on a profile other than the default one.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shlex
import subprocess
import sys
from pathlib import Path

from igdesk import resources

ENTRY_NAME = "igdesk"
MAC_LABEL = "app.igdesk"
WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def command(profile_dir: Path | None = None) -> list[str]:
    """The command line that starts this igdesk's window."""
    base = [sys.executable] if resources.frozen() else [sys.executable, "-m", "igdesk"]
    windowed = Path(sys.executable).with_name("igdeskw.exe")
    if resources.frozen() and sys.platform == "win32" and windowed.exists():
        base = [str(windowed)]  # no console window at login (igdesk.spec)
    if profile_dir is not None:
        base += ["--profile", str(profile_dir.resolve())]
    return base


def linux_entry_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / f"{ENTRY_NAME}.desktop"


def mac_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{MAC_LABEL}.plist"


def linux_entry(argv: list[str]) -> str:
    """An XDG autostart entry that runs `argv` (quoted as the Desktop Entry spec asks)."""
    exec_line = " ".join(_desktop_quote(arg) for arg in argv)
    icon = resources.path("icons", "igdesk.png")
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=igdesk\n"
        "Comment=Instagram Direct inbox\n"
        f"Exec={exec_line}\n"
        f"Icon={icon}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _desktop_quote(arg: str) -> str:
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%"):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
    escaped = escaped.replace("$", "\\$").replace("%", "%%")
    return f'"{escaped}"'


def is_enabled() -> bool:
    """Whether igdesk starts at login now."""
    if sys.platform == "win32":
        return _windows_value() is not None
    if sys.platform == "darwin":
        return mac_agent_path().exists()
    return linux_entry_path().exists()


def set_enabled(enabled: bool, profile_dir: Path | None = None) -> None:
    """Turn starting at login on or off (raises OSError when the system refuses)."""
    argv = command(profile_dir)
    if sys.platform == "win32":
        _windows_set(subprocess_line(argv) if enabled else None)
    elif sys.platform == "darwin":
        _write_or_remove(mac_agent_path(), _mac_plist(argv) if enabled else None)
    else:
        entry = linux_entry(argv).encode() if enabled else None
        _write_or_remove(linux_entry_path(), entry)


def subprocess_line(argv: list[str]) -> str:
    """A Windows command line (what the Run key holds)."""
    return subprocess.list2cmdline(argv)


def _mac_plist(argv: list[str]) -> bytes:
    return plistlib.dumps(
        {
            "Label": MAC_LABEL,
            "ProgramArguments": argv,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
    )


def _write_or_remove(path: Path, content: bytes | None) -> None:
    if content is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def _windows_value() -> str | None:
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY) as key:
            value, _kind = winreg.QueryValueEx(key, ENTRY_NAME)
    except FileNotFoundError:
        return None
    return str(value)


def _windows_set(line: str | None) -> None:
    if sys.platform != "win32":
        raise OSError("the Windows Run key exists only on Windows")
    import winreg

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, WINDOWS_RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if line is None:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteValue(key, ENTRY_NAME)
        else:
            winreg.SetValueEx(key, ENTRY_NAME, 0, winreg.REG_SZ, line)


def describe(argv: list[str]) -> str:
    """The command, as a shell would show it (for the log)."""
    return shlex.join(argv)
