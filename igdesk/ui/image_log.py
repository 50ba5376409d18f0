"""Image URLs kept out of the logs: a customer's picture link is private.

While an image is fetched (`fetching()` marks the task's context), the HTTP libraries' own log
lines have their URLs replaced; `guard_http_logs()` installs the filter once.
"""

from __future__ import annotations

import contextvars
import logging

import httpx

_IN_IMAGE_FETCH: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "igdesk_image_fetch", default=False
)


class _HideImageUrls(logging.Filter):
    """Masks URLs in httpx/httpcore log lines emitted while an image is being fetched."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _IN_IMAGE_FETCH.get():
            if isinstance(record.args, tuple):
                record.args = tuple(_hide(arg) for arg in record.args)
            if isinstance(record.msg, str) and "://" in record.msg:
                record.msg, record.args = "[image request detail hidden]", None
        return True


def _hide(value: object) -> object:
    if isinstance(value, httpx.URL) or (isinstance(value, str) and "://" in value):
        return "[image URL]"
    return value


_FILTER = _HideImageUrls()
_HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2")


def guard_http_logs() -> None:
    """Filter the HTTP libraries' loggers (idempotent)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def fetching() -> None:
    """This task fetches an image: its HTTP log lines hide their URLs."""
    _IN_IMAGE_FETCH.set(True)
