"""Access tokens the sandbox issues and checks: one flavour per token, with expiry.

Flavour "instagram" is an Instagram User token (Instagram Login, graph.instagram.com);
flavour "page" is a Page access token (Facebook Login, graph.facebook.com).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from igdesk.sandbox.clock import SandboxClock
from igdesk.sandbox.errors import expired_token, invalid_token

Flavour = Literal["instagram", "page", "user"]  # "user": a Facebook user token
LONG_LIVED = timedelta(seconds=5183944)
SHORT_LIVED = timedelta(hours=1)
REFRESH_MIN_AGE = timedelta(hours=24)


@dataclass
class TokenInfo:
    """What the sandbox remembers about one token."""

    flavour: Flavour
    issued_at: datetime
    expires_at: datetime | None
    long_lived: bool
    #: The permissions granted with it; None: every one (the tokens a sandbox starts with).
    scopes: frozenset[str] | None = None

    def allows(self, *any_of: str) -> bool:
        return self.scopes is None or bool(self.scopes & set(any_of))


def _expiry_text(moment: datetime) -> str:
    return moment.strftime("%A, %d-%b-%y %H:%M:%S UTC")


class TokenRegistry:
    """Issues opaque tokens (``IGAA…`` / ``EAA…``) and answers who they belong to."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._tokens: dict[str, TokenInfo] = {}

    def issue(
        self,
        flavour: Flavour,
        *,
        lifetime: timedelta | None = LONG_LIVED,
        value: str | None = None,
        scopes: frozenset[str] | None = None,
    ) -> str:
        prefix = "IGAA" if flavour == "instagram" else "EAA"
        token = value or prefix + secrets.token_urlsafe(48).replace("-", "A").replace("_", "B")
        now = self._clock.now()
        self._tokens[token] = TokenInfo(
            flavour=flavour,
            issued_at=now,
            expires_at=now + lifetime if lifetime is not None else None,
            long_lived=lifetime is None or lifetime > SHORT_LIVED,
            scopes=scopes,
        )
        return token

    def info(self, token: str | None) -> TokenInfo:
        """The token's record; raises the Graph 190 error when it is unknown or expired."""
        if not token or token not in self._tokens:
            raise invalid_token()
        info = self._tokens[token]
        now = self._clock.now()
        if info.expires_at is not None and now >= info.expires_at:
            raise expired_token(_expiry_text(info.expires_at), _expiry_text(now))
        return info

    def expire(self, token: str) -> None:
        """Make a token expire now (tests of the re-login path)."""
        if token in self._tokens:
            self._tokens[token].expires_at = self._clock.now()
