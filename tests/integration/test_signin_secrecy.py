"""No token, code or secret leaves the keyring: after a full sign-in, a renewal, syncs and
failed sign-ins, grep the profile folder (archive, settings, record, log file), every captured
log record, and the text of every error raised."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from igdesk.app import App
from igdesk.config import Profile
from igdesk.domain import utc_now
from igdesk.logsetup import setup_logging
from igdesk.sandbox.testing import running_sandbox
from igdesk.signin import BusinessLogin, LoginSettings, SignInError, sign_in_with_token
from igdesk.signin.refresh import Outcome
from tests.memory_keyring import MemoryKeyring
from tests.signin_helpers import consent


@pytest.mark.asyncio
async def test_no_secret_in_profile_logs_or_errors(
    tmp_path: Path, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets_seen: set[str] = set()
    errors: list[str] = []
    async with running_sandbox() as (server, control):
        secrets_seen |= {server.app_secret, server.meta_app_secret}
        profile = Profile(tmp_path / "profile")
        listened = [logging.getLogger(name) for name in ("igdesk", "httpx", "httpcore")]
        levels = [logger.level for logger in listened]  # put back for the tests after this one
        setup_logging(profile.log_path, verbose=False)
        # igdesk's logger does not propagate (its file only): listen to it, and to the HTTP
        # libraries, at every level, before any redacting formatter.
        for logger in listened:
            logger.setLevel(logging.DEBUG)
        logging.getLogger("igdesk").addHandler(caplog.handler)
        app = App(profile, graph_url=server.url)
        try:
            settings = LoginSettings(server.world.shop.app_id)
            # A failed sign-in first: a wrong secret (itself a secret), then the real one.
            wrong = BusinessLogin(app, settings, "wrong-secret-0123456789")
            secrets_seen.add("wrong-secret-0123456789")
            landed = await consent(wrong.authorize_url)
            secrets_seen.add(parse_qs(urlsplit(landed).query)["code"][0])
            try:
                await wrong.finish(landed)
            except SignInError as error:
                errors += [str(error), repr(error), error.technical, error.sentence()]
            login = BusinessLogin(app, settings, server.app_secret)
            landed = await consent(login.authorize_url)
            secrets_seen.add(parse_qs(urlsplit(landed).query)["code"][0].removesuffix("#_"))
            await login.finish(landed)
            await app.sync_once()
            # A renewal, 54 days on.
            now = utc_now() + timedelta(days=54)
            app.keeper.clock = lambda: now
            await control.post("/_sandbox/clock", json={"advance_seconds": 54 * 86400})
            assert await app.keeper.check() is Outcome.REFRESHED
            await app.sync_once()
            # A pasted token that is refused.
            bad = "IGAAnotvalid0123456789abcdefghijklmnopqrstuvwxyz"
            secrets_seen.add(bad)
            try:
                await sign_in_with_token(app, bad)
            except SignInError as error:
                errors += [str(error), repr(error), error.technical]
        finally:
            await app.aclose()
            mine = logging.getLogger("igdesk")
            mine.removeHandler(caplog.handler)
            for logger, level in zip(listened, levels, strict=True):
                logger.setLevel(level)
            for handler in list(mine.handlers):
                if isinstance(handler, logging.FileHandler):
                    mine.removeHandler(handler)
                    handler.close()
            mine.propagate = True
    secrets_seen |= {value for value in memory_keyring.items.values()}
    secrets_seen = {value for value in secrets_seen if len(value) >= 12}
    assert len(secrets_seen) >= 6
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert "token renewed" in logged and "HTTP Request" in logged  # igdesk's and httpx's
    files = [path for path in profile.directory.rglob("*") if path.is_file()]
    assert profile.log_path in files and profile.archive_path in files
    for value in secrets_seen:
        assert value not in logged, "a secret in the logs"
        for text in errors:
            assert value not in text, "a secret in an error"
        for path in files:
            assert value.encode() not in path.read_bytes(), f"a secret in {path.name}"
