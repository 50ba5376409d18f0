"""Keep a sign-in: the token in the keyring (or in memory for this run), the record beside the
archive, and the App switched to it at once (polling and the outbox resume, no restart)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from igdesk import secrets
from igdesk.signin import record as records
from igdesk.signin.needed import SignInHub
from igdesk.signin.record import TokenRecord
from igdesk.signin.texts import SignInError, other_account

if TYPE_CHECKING:
    from igdesk.app import App


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in, for the window to greet the owner."""

    username: str
    account_id: str
    expires_at: datetime | None
    #: False: no usable keyring, the token is kept for this run only (say `texts.NO_KEYRING`).
    remembered: bool
    kind: str = "instagram"


async def check_same_account(app: App, account_id: str, username: str) -> None:
    """A profile keeps one account's messages: another account is refused with a sentence."""
    stored = await app.inbox.account()
    if stored is not None and stored.id != account_id:
        raise SignInError(
            other_account(username, stored.username or stored.id),
            technical="signed in as another account than the archive's",
        )


async def between_passes(
    app: App, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> None:
    """Wait for the sync pass in progress to end (a minute at most): the App closes the old
    client when the token changes, and a pass still using it would stop half-way."""
    for _ in range(120):
        if not app.status.syncing:
            return
        await sleep(0.5)


async def keep(app: App, token: str, record: TokenRecord, app_secret: str = "") -> SignedIn:
    """Store `token` for the profile and switch the App to it (the caller holds the lock)."""
    await check_same_account(app, record.account_id, record.username)
    await between_passes(app)
    if app.settings.flavour != record.kind:
        app.settings.flavour = record.kind
        app.settings.save(app.profile.settings_path)
    if app_secret:
        # Without a keyring the token's fate below says so; the secret is asked again next time.
        with contextlib.suppress(secrets.KeyringUnavailableError):
            secrets.put(app.profile.key, secrets.Secret.APP_SECRET, app_secret)
    remembered = await app.replace_token(token)
    records.save(app.profile, record)
    if isinstance(app.events, SignInHub):
        app.events.signed_in()
    app.refresh()
    return SignedIn(
        username=record.username,
        account_id=record.account_id,
        expires_at=record.expires_at,
        remembered=remembered,
        kind=record.kind,
    )
