"""The refresh keeper: an Instagram token renews itself before its 60 days run out.

Meta renews a long-lived Instagram Login token that is at least 24 hours old and not yet
expired (`ig_refresh_token`). The keeper checks at start-up and then on a timer: from 7 days
before the expiry it renews (a token whose expiry is unknown, pasted from the dashboard, is
renewed once it is a day old, which tells its expiry); a failure is tried again a day later.
A refused token, or one past its expiry, is the App's "sign in again" (`SignInNeeded`, said
once); the archive stays readable and replies wait in the outbox. Page tokens do not expire.
Time comes from an injected clock and sleep, so tests drive days in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from igdesk import secrets
from igdesk.domain import utc_now
from igdesk.events import SignInNeeded
from igdesk.graph.errors import GraphError, TokenError
from igdesk.graph.oauth import InstagramOAuth
from igdesk.signin import record as records
from igdesk.signin.lock import signin_lock
from igdesk.signin.record import TokenRecord
from igdesk.signin.store import between_passes
from igdesk.signin.texts import EXPIRED, SignInError

if TYPE_CHECKING:
    from igdesk.app import App

log = logging.getLogger("igdesk.signin.refresh")

MIN_AGE = timedelta(hours=24)
START_BEFORE = timedelta(days=7)
RETRY_AFTER = timedelta(days=1)
#: Longest sleep between checks (a laptop that slept, a clock that jumped).
CHECK_EVERY = timedelta(hours=6)


class Outcome(StrEnum):
    NOTHING = "nothing"  # no record, a Page token, or a token from the environment
    NOT_DUE = "not_due"
    REFRESHED = "refreshed"
    FAILED = "failed"  # tried, will try again a day later
    SIGN_IN_NEEDED = "sign_in_needed"


def next_refresh(record: TokenRecord) -> datetime | None:
    """When the token should be renewed next; None when it never is (a Page token)."""
    if record.kind != "instagram":
        return None
    due = record.age_start() + MIN_AGE
    if record.expires_at is not None:
        due = max(due, record.expires_at - START_BEFORE)
    if record.refresh_failed_at is not None:
        due = max(due, record.refresh_failed_at + RETRY_AFTER)
    return due


class TokenKeeper:
    """Owned by the App: `start` once (idempotent), `stop` when the App closes."""

    def __init__(
        self,
        app: App,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._app = app
        self.clock = clock
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        #: The last check's outcome (for `doctor` and tests).
        self.last: Outcome | None = None

    def start(self) -> None:
        """Check now, then on a timer, in the background."""
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(self.run(), name="igdesk-token-keeper")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # the keeper must outlive any surprise; the log says what
                log.exception("token check failed")
            await self._sleep(self.seconds_to_next_check())

    def seconds_to_next_check(self) -> float:
        record = records.load(self._app.profile)
        due = next_refresh(record) if record is not None else None
        if self.last is Outcome.SIGN_IN_NEEDED:
            due = None  # nothing to renew until the owner signs in (which saves a new record)
        wait = CHECK_EVERY if due is None else min(CHECK_EVERY, due - self.clock())
        return max(wait.total_seconds(), 60.0)

    async def check(self) -> Outcome:
        """One look at the token: renew it when due, or say that signing in is needed."""
        self.last = await self._check()
        return self.last

    async def _check(self) -> Outcome:
        app = self._app
        record = records.load(app.profile)
        if record is None or record.kind != "instagram":
            return Outcome.NOTHING
        if secrets.source(app.profile.key, secrets.Secret.ACCESS_TOKEN) == "environment":
            return Outcome.NOTHING  # IGDESK_ACCESS_TOKEN: this run's, renewed by whoever set it
        now = self.clock()
        if record.expires_at is not None and now >= record.expires_at:
            app.events.emit(SignInNeeded(EXPIRED))
            return Outcome.SIGN_IN_NEEDED
        due = next_refresh(record)
        token = app.current_token()
        if due is None or now < due or not token:
            return Outcome.NOT_DUE
        return await self._refresh(record, token, now)

    async def _refresh(self, record: TokenRecord, token: str, now: datetime) -> Outcome:
        app = self._app
        oauth = InstagramOAuth("", "", "", base_url=app.graph_url)
        try:
            grant = await oauth.refresh(token)
        except TokenError as error:
            log.info("token refresh refused: %s", type(error).__name__)
            records.save(app.profile, replace(record, refresh_failed_at=now))
            app.events.emit(SignInNeeded(error.text))
            return Outcome.SIGN_IN_NEEDED
        except GraphError as error:
            log.info("token refresh failed, next try in a day: %s", type(error).__name__)
            records.save(app.profile, replace(record, refresh_failed_at=now))
            return Outcome.FAILED
        finally:
            await oauth.aclose()
        await between_passes(app, self._sleep)
        try:
            async with signin_lock(app.profile, wait=60.0, sleep=self._sleep):
                if records.load(app.profile) != record:
                    return Outcome.NOT_DUE  # the owner signed in meanwhile: theirs wins
                await app.replace_token(grant.access_token)
                records.save(app.profile, record.with_refresh(now, grant.expires_at(now)))
        except SignInError:
            return Outcome.FAILED
        log.info("token renewed")
        return Outcome.REFRESHED
