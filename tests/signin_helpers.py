"""Sign-in test helpers: the owner's browser on the sandbox's consent pages, over real HTTP."""

from __future__ import annotations

import contextlib
import html
import logging
import re
from collections.abc import Iterator

import httpx

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_ACTION = re.compile(r'<form method="post" action="([^"]+)">')


@contextlib.contextmanager
def _quiet_browser() -> Iterator[None]:
    """The owner's browser is not igdesk: its requests (and the code in them) stay out of the
    logs the secrecy test reads."""
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)  # their children (httpcore.http11, ...) follow
    try:
        yield
    finally:
        for logger, level in zip(loggers, before, strict=True):
            logger.setLevel(level)


async def consent(authorize_url: str, decision: str = "allow") -> str:
    """Open the authorize page, press Allow (or Cancel: "deny"), return the address landed on.

    Raises AssertionError with the page's text when Meta's side shows an error page instead.
    """
    with _quiet_browser():
        return await _consent(authorize_url, decision)


async def _consent(authorize_url: str, decision: str) -> str:
    async with httpx.AsyncClient(timeout=10.0) as browser:
        page = await browser.get(authorize_url)
        assert page.status_code == 200, page.text
        form = {name: html.unescape(value) for name, value in _HIDDEN.findall(page.text)}
        form["decision"] = decision
        action = _ACTION.search(page.text)
        assert action is not None
        answer = await browser.post(str(page.url.join(action.group(1))), data=form)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


async def authorize_page(authorize_url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10.0) as browser:
        return await browser.get(authorize_url)


def consent_sync(authorize_url: str, decision: str = "allow") -> str:
    """`consent` for synchronous tests (a sandbox on its own thread)."""
    with httpx.Client(timeout=10.0) as browser:
        page = browser.get(authorize_url)
        assert page.status_code == 200, page.text
        form = {name: html.unescape(value) for name, value in _HIDDEN.findall(page.text)}
        form["decision"] = decision
        action = _ACTION.search(page.text)
        assert action is not None
        answer = browser.post(str(page.url.join(action.group(1))), data=form)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]
