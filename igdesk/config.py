"""Settings and paths: where a profile lives and what it is set to (never secrets)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger("igdesk.config")

APP_NAME = "igdesk"
DEFAULT_API_VERSION = "v25.0"
SETTINGS_FILE = "settings.json"
ARCHIVE_FILE = "archive.sqlite3"


@dataclass
class Settings:
    """What the owner (or a tool) chose for one profile. Stored as JSON in the profile folder."""

    flavour: str = "instagram"  # "instagram" (Instagram Login) or "facebook" (Facebook Page)
    api_version: str = DEFAULT_API_VERSION
    language: str = ""  # a language code ("en", "id"), or "" for the system's (igdesk.i18n)
    poll_interval_seconds: float = 60.0
    conversations_per_second: float = 2.0
    human_agent_allowed: bool = False
    send_read_receipts: bool = True
    notify_folders: list[str] = field(default_factory=list)  # notifications are off by default
    notify_sound: bool = False
    enter_sends: bool = True  # False: Ctrl+Enter sends and Enter adds a line
    typing_indicator: bool = False  # send typing_on while the owner types
    saved_replies: list[dict[str, str]] = field(default_factory=list)  # {"shortcut", "text"}
    # The app's life on the desktop (igdesk/ui/settings_app_page.py):
    close_to_tray_told: bool = False  # the first close to the tray said igdesk keeps running
    quiet_hours_from: str = ""  # "22:00": no notifications from then...
    quiet_hours_until: str = ""  # ...until then ("07:00"); either empty: no quiet hours
    image_cache_mb: int = 200  # pictures kept on disk; the oldest go first past this
    login_app_id: str = ""  # the Meta app's Instagram (or Facebook) app ID, for signing in
    login_redirect_uri: str = ""  # the redirect URI registered for it ("" : igdesk's suggestion)
    # Webhooks for a real account (igdesk/webhooks): the receiver's port on 127.0.0.1 (0: a free
    # one) and the tunnel that brings Meta's deliveries to it (igdesk/webhooks/tunnel/choice.py).
    webhooks_enabled: bool = False
    webhook_port: int = 0
    tunnel_provider: str = "ngrok"  # "manual", "ngrok" or "cloudflared"
    tunnel_public_url: str = ""  # manual: the owner's own https address
    ngrok_domain: str = ""  # ngrok: a static domain, or "" for the account's default
    cloudflare_hostname: str = ""  # cloudflared: a named tunnel's hostname, "" for a quick one

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read settings; a missing or damaged file gives the defaults and a log line."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            log.warning("settings file %s is unreadable; using defaults", path)
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        defaults = cls()
        for name, value in data.items():
            if name not in known:
                continue
            expected = type(getattr(defaults, name))
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if isinstance(value, expected):
                values[name] = value
        if "saved_replies" in values:
            values["saved_replies"] = _saved_replies(values["saved_replies"])
        return cls(**values)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


def _saved_replies(items: list[Any]) -> list[dict[str, str]]:
    """The well-formed saved replies of a settings file (a damaged entry is dropped, not all)."""
    kept = []
    for item in items:
        if isinstance(item, dict):
            shortcut, text = item.get("shortcut"), item.get("text")
            if isinstance(shortcut, str) and isinstance(text, str):
                kept.append({"shortcut": shortcut, "text": text})
    if len(kept) != len(items):
        log.warning("dropped %d damaged saved replies", len(items) - len(kept))
    return kept


@dataclass(frozen=True)
class Profile:
    """One profile folder: the archive, the settings and the log of one shop account."""

    directory: Path

    @classmethod
    def default(cls) -> Profile:
        return cls(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))

    @property
    def archive_path(self) -> Path:
        return self.directory / ARCHIVE_FILE

    @property
    def settings_path(self) -> Path:
        return self.directory / SETTINGS_FILE

    @property
    def log_path(self) -> Path:
        return self.directory / "logs" / "igdesk.log"

    @property
    def cache_dir(self) -> Path:
        return self.directory / "cache"

    @property
    def key(self) -> str:
        """A stable name for this profile in the keyring."""
        return str(self.directory.resolve())

    def ensure(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def settings(self) -> Settings:
        return Settings.load(self.settings_path)
