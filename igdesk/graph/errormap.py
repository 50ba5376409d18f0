"""How server answers (both error shapes) and network failures map onto the error tree.

`error_from_response(status, body, headers)` reads the Graph shape `{"error": {message, type,
code, error_subcode, fbtrace_id}}` and api.instagram.com's `{error_type, code, error_message}`;
codes may come as strings or `null`. `error_from_exception` maps httpx / timeout failures.
`human_agent_refusal` narrows what only the request can tell apart (a HUMAN_AGENT-tagged send).
The table of codes is documented with the classes in `igdesk.graph.errors`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from igdesk.graph.errors import (
    BadResponseError,
    ConsentRequiredError,
    GraphError,
    HumanAgentNotAllowedError,
    InvalidRequestError,
    MessageUnreadableError,
    MessagingUnavailableError,
    NoMatchingUserError,
    OAuthExchangeError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    SendOutcomeUnknownError,
    TokenError,
    TransientError,
    UserUnavailableError,
)
from igdesk.graph.redact import redact
from igdesk.graph.values import as_float, as_int

WINDOW_SUBCODES = frozenset({2534022, 2018278})
USER_UNAVAILABLE_SUBCODES = frozenset({2534014})
#: "No matching user found": the recipient id is no customer of this account.
NO_MATCHING_USER_SUBCODES = frozenset({2018001})
TOKEN_CODES = frozenset({190, 102})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2, -1})
PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})


def _str(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def regain_seconds_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """Largest `estimated_time_to_regain_access` (minutes) in the usage headers, in seconds.

    Falls back to a numeric `Retry-After` (seconds). An explicit 0 gives 0.0 ("no wait
    beyond the usual back-off"), which is not the same as no estimate at all (None).
    Garbage is ignored.
    """
    if not headers:
        return None
    best: float | None = None
    explicit_zero = False
    raw = header_value(headers, "x-business-use-case-usage")
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            for entries in parsed.values():
                for entry in entries if isinstance(entries, list) else [entries]:
                    if isinstance(entry, dict):
                        minutes = as_float(entry.get("estimated_time_to_regain_access"))
                        if minutes is not None and minutes > 0:
                            best = max(best or 0.0, minutes * 60.0)
                        elif minutes == 0:
                            explicit_zero = True
    if best is None:
        seconds = as_float(header_value(headers, "retry-after"))
        if seconds is not None and seconds > 0:
            best = seconds
    if best is None and explicit_zero:
        return 0.0
    return best


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """A header by lower-case name from any mapping (httpx's is case-insensitive, a dict not)."""
    value = headers.get(name)
    if value is None:
        for key, val in headers.items():
            if key.lower() == name:
                return val
    return value


def _decode_body(body: bytes | dict[str, Any] | None) -> tuple[dict[str, Any] | None, bool]:
    """(parsed object or None, whether the body was readable JSON)."""
    if body is None:
        return None, False
    if isinstance(body, dict):
        return body, True
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, False
    return (parsed, True) if isinstance(parsed, dict) else (None, True)


def error_from_response(
    status: int,
    body: bytes | dict[str, Any] | None,
    headers: Mapping[str, str] | None = None,
) -> GraphError:
    """Map an error answer (either error shape, or none) onto the error tree."""
    parsed, is_json = _decode_body(body)
    if parsed is not None:
        err = parsed.get("error")
        if isinstance(err, dict):
            return _from_graph_error(status, err, headers)
        if isinstance(err, str) and not ("error_type" in parsed or "error_message" in parsed):
            return _from_fields(status, headers, message=err, code=as_int(parsed.get("code")))
        if "error_type" in parsed or "error_message" in parsed:
            return _from_oauth_error(status, parsed)
    what = "JSON without an error object" if is_json else "no JSON error body"
    return _from_fields(status, headers, message=f"HTTP {status}, {what}", code=None)


def _from_graph_error(
    status: int, err: dict[str, Any], headers: Mapping[str, str] | None
) -> GraphError:
    retry = as_float(err.get("estimated_time_to_regain_access"))
    data = err.get("error_data")
    if retry is None and isinstance(data, dict):
        retry = as_float(data.get("estimated_time_to_regain_access"))
    return _from_fields(
        status,
        headers,
        message=_str(err.get("message")) or "",
        code=as_int(err.get("code")),
        subcode=as_int(err.get("error_subcode")),
        fbtrace_id=_str(err.get("fbtrace_id")),
        error_type=_str(err.get("type")),
        retry_minutes=retry,
    )


def _from_oauth_error(status: int, parsed: dict[str, Any]) -> GraphError:
    code = as_int(parsed.get("code"))
    message = _str(parsed.get("error_message")) or ""
    error_type = _str(parsed.get("error_type"))
    technical = f"HTTP {status} {error_type or 'oauth error'}: {message}"
    kwargs: dict[str, Any] = {"code": code, "http_status": status, "error_type": error_type}
    if status >= 500:
        return TransientError(technical, **kwargs)
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimitError(technical, **kwargs)
    return OAuthExchangeError(technical, **kwargs)


def _from_fields(
    status: int,
    headers: Mapping[str, str] | None,
    *,
    message: str,
    code: int | None,
    subcode: int | None = None,
    fbtrace_id: str | None = None,
    error_type: str | None = None,
    retry_minutes: float | None = None,
) -> GraphError:
    lowered = message.lower()
    technical = f"HTTP {status} {error_type or ''}: {message}".replace(" :", ":")
    kw: dict[str, Any] = {
        "code": code,
        "subcode": subcode,
        "http_status": status,
        "fbtrace_id": fbtrace_id,
        "error_type": error_type,
    }
    if code in TOKEN_CODES:
        return TokenError(technical, **kw)
    if code == 230 or "consent is required" in lowered:
        return ConsentRequiredError(technical, **kw)
    if subcode in WINDOW_SUBCODES or (code == 10 and "outside of allowed window" in lowered):
        return OutsideWindowError(technical, **kw)
    if subcode in NO_MATCHING_USER_SUBCODES:
        return NoMatchingUserError(technical, **kw)
    if code == 551 or subcode in USER_UNAVAILABLE_SUBCODES:
        return UserUnavailableError(technical, **kw)
    if code == 36103:
        return MessagingUnavailableError(technical, **kw)
    if code in RATE_LIMIT_CODES or (code is None and status == 429):
        retry_after = retry_minutes * 60.0 if retry_minutes and retry_minutes > 0 else None
        if retry_after is None:
            retry_after = regain_seconds_from_headers(headers)
        return RateLimitError(technical, retry_after=retry_after, **kw)
    if code in PERMISSION_CODES:
        return PermissionDeniedError(technical, **kw)
    if code in TRANSIENT_CODES:
        return TransientError(technical, **kw)
    if "deleted" in lowered and code in (None, 100) and status < 500:
        return MessageUnreadableError(technical, **kw)
    if code != 100:
        # No code we know: the HTTP status decides.
        if status >= 500 or status in (408, 0):
            return TransientError(technical, **kw)
        if status == 401:
            return TokenError(technical, **kw)
        if status == 403:
            return PermissionDeniedError(technical, **kw)
    if 400 <= status < 600 or code is not None:
        return InvalidRequestError(technical, **kw)
    return BadResponseError(technical, **kw)


def human_agent_refusal(error: GraphError) -> GraphError:
    """The error of a send tagged HUMAN_AGENT, seen with the tag in mind.

    Code 10 without a window subcode (or window wording) then means the app lacks the Human
    Agent feature, not that the window closed: `HumanAgentNotAllowedError`, carrying the same
    details. Every other error, a window verdict included, comes back unchanged.
    """
    if type(error) is not PermissionDeniedError or error.code != 10:
        return error
    return HumanAgentNotAllowedError(
        error.technical,
        code=error.code,
        subcode=error.subcode,
        http_status=error.http_status,
        fbtrace_id=error.fbtrace_id,
        error_type=error.error_type,
    )


def error_from_exception(exc: BaseException, *, sending: bool = False) -> GraphError:
    """Map a network failure (httpx or a deadline) onto the error tree.

    With `sending=True` (a POST to the Send API) any failure after the connection was made
    becomes `SendOutcomeUnknownError`: the request may have reached Meta.
    """
    name = type(exc).__name__
    detail = f"{name}: {redact(exc)}" if str(exc) else name
    if isinstance(exc, GraphError):
        return exc
    not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return InvalidRequestError(detail)
    if isinstance(exc, httpx.DecodingError | httpx.TooManyRedirects):
        return BadResponseError(detail)
    if isinstance(exc, httpx.TransportError | TimeoutError | ConnectionError | OSError):
        if sending and not not_sent:
            return SendOutcomeUnknownError(detail)
        return TransientError(detail)
    if isinstance(exc, httpx.HTTPError):
        return TransientError(detail)
    return BadResponseError(detail)
