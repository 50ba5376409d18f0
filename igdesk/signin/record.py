"""What igdesk remembers about a profile's sign-in besides the token: who, which kind, when it
was obtained, renewed and ends. Kept in `signin.json` in the profile folder; never the token."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

from igdesk.config import Profile

log = logging.getLogger("igdesk.signin")

RECORD_FILE = "signin.json"


@dataclass(frozen=True)
class TokenRecord:
    """The sign-in of one profile (all times aware UTC; None: not known)."""

    kind: str  # "instagram" (Instagram Login) or "facebook" (a Facebook Page's token)
    account_id: str
    username: str
    obtained_at: datetime
    expires_at: datetime | None = None
    refreshed_at: datetime | None = None
    #: When the last renewal failed (None after a success); the keeper retries a day later.
    refresh_failed_at: datetime | None = None
    page_id: str = ""
    #: The permissions granted at sign-in, comma-separated ("" when not known: a pasted token).
    permissions: str = ""

    def with_refresh(self, now: datetime, expires_at: datetime | None) -> TokenRecord:
        return replace(self, refreshed_at=now, expires_at=expires_at, refresh_failed_at=None)

    def age_start(self) -> datetime:
        """When the token in use was issued (a renewal issues a new one)."""
        return self.refreshed_at or self.obtained_at


def _path(profile: Profile) -> os.PathLike[str]:
    return profile.directory / RECORD_FILE


def load(profile: Profile) -> TokenRecord | None:
    """The saved record; None when there is none or it is damaged (logged)."""
    path = profile.directory / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("sign-in record %s is unreadable; ignored", path)
        return None
    try:
        return _from_json(data)
    except (TypeError, ValueError, KeyError):
        log.warning("sign-in record %s is damaged; ignored", path)
        return None


def save(profile: Profile, record: TokenRecord) -> None:
    """Write the record atomically (a crash leaves the old one or the new one)."""
    profile.ensure()
    path = profile.directory / RECORD_FILE
    data = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(record).items()
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def forget(profile: Profile) -> None:
    (profile.directory / RECORD_FILE).unlink(missing_ok=True)


def _from_json(data: Any) -> TokenRecord:
    if not isinstance(data, dict):
        raise ValueError("not an object")
    values: dict[str, Any] = {}
    for spec in fields(TokenRecord):
        raw = data.get(spec.name)
        if spec.name.endswith("_at"):
            values[spec.name] = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        elif raw is not None:
            values[spec.name] = str(raw)
    if values.get("obtained_at") is None:
        raise ValueError("no obtained_at")
    return TokenRecord(**values)
