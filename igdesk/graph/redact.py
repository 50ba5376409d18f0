"""Remove secrets from text before it reaches a log line or an exception message.

Every log line of `igdesk.graph` that contains a URL, a header or a server message goes through
`redact()`. It masks secret query/form parameters, `Authorization` headers, bearer values, JSON
`"access_token"` members, anything that looks like a Meta token, and any extra secret it is given.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "[REDACTED]"

_SECRET_PARAMS = (
    "access_token",
    "client_secret",
    "fb_exchange_token",
    "input_token",
    "appsecret_proof",
)
# Also URL-encoded, as inside another URL's parameter (`next=…%3Faccess_token%3D…`).
_PARAM_RE = re.compile(
    r"(?P<lead>(?:^|[?&#;,\s\"']|%26|%3F)(?:"
    + "|".join(_SECRET_PARAMS)
    + r")(?:=|%3D))(?P<val>[^&#\s\"',;%]+)",
    re.IGNORECASE,
)
# An OAuth `code=` only as a URL parameter (after ? or &), so "error code=190" survives.
_CODE_RE = re.compile(r"(?P<lead>[?&]code=)(?P<val>[^&#\s\"',;]+)", re.IGNORECASE)
_JSON_RE = re.compile(
    r"(?P<lead>[\"'](?:access_token|client_secret|refresh_token)[\"']\s*:\s*[\"'])(?P<val>[^\"']*)",
    re.IGNORECASE,
)
_AUTH_HEADER_RE = re.compile(
    r"(?P<lead>authorization[\"']?\s*[:=]\s*[\"']?)(?P<val>[^\r\n\"',}]+)", re.IGNORECASE
)
_BEARER_RE = re.compile(r"(?P<lead>\bbearer\s+)(?P<val>[A-Za-z0-9._~+/=-]+)", re.IGNORECASE)
# Meta user/page tokens (EAA…), Instagram Login tokens (IGAA…, IGQV…).
_TOKEN_SHAPE_RE = re.compile(
    r"(?:(?<![A-Za-z0-9])|(?<=%3D)|(?<=%3d))(?:EAA|IGAA|IGQV)[A-Za-z0-9_\-]{16,}"
)


def _mask(match: re.Match[str]) -> str:
    return match.group("lead") + MASK


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """`text` as a string with every token-like value replaced by ``[REDACTED]``."""
    out = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, MASK)
    out = _AUTH_HEADER_RE.sub(_mask, out)
    out = _BEARER_RE.sub(_mask, out)
    out = _PARAM_RE.sub(_mask, out)
    out = _CODE_RE.sub(_mask, out)
    out = _JSON_RE.sub(_mask, out)
    out = _TOKEN_SHAPE_RE.sub(MASK, out)
    return out


class RedactingFilter(logging.Filter):
    """A logging filter that passes every record's final text through `redact()`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def guard_library_loggers(names: Iterable[str] = ("httpx", "httpcore")) -> None:
    """Make the HTTP libraries' own log lines (which print full URLs) go through `redact()`."""
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
