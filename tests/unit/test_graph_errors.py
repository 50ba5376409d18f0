"""The error tree: both error shapes, every code we know, odd fields, network failures."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from igdesk.graph.errormap import error_from_exception, error_from_response, human_agent_refusal
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
    RecipientError,
    SendOutcomeUnknownError,
    TokenError,
    TransientError,
    UserUnavailableError,
)


def graph_body(code: Any = None, subcode: Any = None, message: Any = "x", **extra: Any) -> bytes:
    err: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "TRACE",
        **extra,
    }
    if subcode is not None:
        err["error_subcode"] = subcode
    return json.dumps({"error": err}).encode()


CASES: list[tuple[int, Any, Any, str, type[GraphError]]] = [
    # status, code, subcode, message, expected
    (400, 190, None, "Invalid OAuth access token.", TokenError),
    (400, 190, 463, "Session has expired", TokenError),
    (400, 190, 460, "password changed", TokenError),
    (400, 190, 467, "invalid", TokenError),
    (400, 102, None, "Session key invalid", TokenError),
    (400, 10, None, "Application does not have permission", PermissionDeniedError),
    (400, 10, 2018065, "news permission", PermissionDeniedError),
    (400, 10, 2534022, "This message is sent outside of allowed window.", OutsideWindowError),
    (400, 10, 2018278, "outside window", OutsideWindowError),
    (400, 3, None, "Capability", PermissionDeniedError),
    (403, 200, None, "Permissions error", PermissionDeniedError),
    (400, 299, None, "Permissions error", PermissionDeniedError),
    (400, 36103, None, "messaging not available", MessagingUnavailableError),
    (400, 551, None, "This person isn't available right now.", UserUnavailableError),
    (400, 100, 2534014, "user not found", UserUnavailableError),
    (400, 100, 2018001, "(#100) No matching user found", NoMatchingUserError),
    (500, 230, None, "User consent is required to access user profile", ConsentRequiredError),
    (400, 230, None, "consent", ConsentRequiredError),
    (400, 100, None, "This message has been deleted", MessageUnreadableError),
    (400, None, None, "The message was deleted", MessageUnreadableError),
    (400, 4, None, "Application request limit reached", RateLimitError),
    (400, 17, None, "User request limit reached", RateLimitError),
    (400, 32, None, "Page request limit reached", RateLimitError),
    (400, 613, None, "Calls to this api have exceeded the rate limit.", RateLimitError),
    (400, 80001, None, "pages", RateLimitError),
    (400, 80002, None, "instagram", RateLimitError),
    (400, 80006, None, "messenger", RateLimitError),
    (429, None, None, "slow down", RateLimitError),
    (500, 1, None, "An unknown error occurred", TransientError),
    (400, 2, None, "Service temporarily unavailable", TransientError),
    (500, -1, None, "unexpected", TransientError),
    (503, None, None, "no code", TransientError),
    (500, 98765, None, "some new code", TransientError),
    (500, 100, None, "Invalid parameter", InvalidRequestError),
    (400, 100, None, "Invalid parameter", InvalidRequestError),
    (400, 12345, None, "unknown code", InvalidRequestError),
    (404, None, None, "Unknown path", InvalidRequestError),
    (401, None, None, "no code", TokenError),
    (403, None, None, "no code", PermissionDeniedError),
]


@pytest.mark.parametrize(("status", "code", "subcode", "message", "expected"), CASES)
def test_graph_shape(
    status: int, code: Any, subcode: Any, message: str, expected: type[GraphError]
) -> None:
    err = error_from_response(status, graph_body(code, subcode, message))
    assert type(err) is expected
    assert err.http_status == status and err.code == code and err.subcode == subcode
    assert err.fbtrace_id == "TRACE"


@pytest.mark.parametrize(("status", "code", "subcode", "message", "expected"), CASES)
def test_codes_given_as_strings_and_dict_bodies(
    status: int, code: Any, subcode: Any, message: str, expected: type[GraphError]
) -> None:
    body = json.loads(
        graph_body(
            None if code is None else str(code), None if subcode is None else str(subcode), message
        )
    )
    err = error_from_response(status, body)
    assert type(err) is expected and err.code == code


def test_no_matching_user_is_unavailable_and_never_retried() -> None:
    err = error_from_response(400, graph_body(100, 2018001, "(#100) No matching user found"))
    assert isinstance(err, UserUnavailableError) and isinstance(err, RecipientError)
    assert not err.retryable
    assert err.sentence("en") == (
        "This customer can't be reached from your account (Instagram says no such user). "
        "The reply was not sent."
    )
    assert "tidak terkirim" in err.sentence("id")
    assert type(error_from_response(400, graph_body(100, 2534014))) is UserUnavailableError


HUMAN_AGENT_REFUSED = {
    "error": {
        "message": "(#10) Application does not have permission for this action",
        "type": "OAuthException",
        "code": 10,
        "fbtrace_id": "TRACE",
    }
}


def test_human_agent_refusal_is_told_apart_from_a_closed_window() -> None:
    plain = error_from_response(400, HUMAN_AGENT_REFUSED)
    assert type(plain) is PermissionDeniedError  # untagged, code 10 stays a permission error
    err = human_agent_refusal(plain)
    assert type(err) is HumanAgentNotAllowedError and isinstance(err, PermissionDeniedError)
    assert (err.code, err.subcode, err.http_status, err.fbtrace_id) == (10, None, 400, "TRACE")
    assert err.technical == plain.technical and not err.retryable
    assert "not approved for the Human Agent feature" in err.sentence("en")
    assert "Settings" in err.sentence("en") and "Pengaturan" in err.sentence("id")
    other_subcode = error_from_response(400, graph_body(10, 2018065, "permission"))
    assert type(human_agent_refusal(other_subcode)) is HumanAgentNotAllowedError
    # A window verdict stays one, tagged or not, by subcode or by wording alone.
    for body in (
        graph_body(10, 2534022, "This message is sent outside of allowed window."),
        graph_body(10, 2018278, "x"),
        graph_body(10, None, "(#10) This message is sent outside of allowed window."),
    ):
        window = error_from_response(400, body)
        assert type(window) is OutsideWindowError
        assert human_agent_refusal(window) is window
    for other in (graph_body(3), graph_body(200), graph_body(100, 2018001), graph_body(613)):
        unchanged = error_from_response(400, other)
        assert human_agent_refusal(unchanged) is unchanged


def test_consent_by_message_alone() -> None:
    err = error_from_response(500, graph_body(None, None, "User consent is required"))
    assert isinstance(err, ConsentRequiredError) and not err.retryable


def test_retryable_flags() -> None:
    assert TransientError.retryable and RateLimitError.retryable
    for cls in (
        TokenError,
        PermissionDeniedError,
        HumanAgentNotAllowedError,
        OutsideWindowError,
        NoMatchingUserError,
        ConsentRequiredError,
        InvalidRequestError,
        BadResponseError,
        SendOutcomeUnknownError,
    ):
        assert not cls.retryable, cls
    assert issubclass(SendOutcomeUnknownError, TransientError)
    assert issubclass(OutsideWindowError, RecipientError)


@pytest.mark.parametrize(
    "body",
    [
        None,
        b"",
        b"<html>502 Bad Gateway</html>",
        b"null",
        b"[]",
        b'{"error": null}',
        b'{"error": {}}',
        b'{"error": {"code": null, "message": null}}',
        b"\xff\xfe",
        b'{"something": "else"}',
    ],
)
def test_odd_bodies_on_5xx_are_transient(body: bytes | None) -> None:
    err = error_from_response(502, body)
    assert type(err) is TransientError and err.http_status == 502


@pytest.mark.parametrize("body", [None, b"", b"<html>nope</html>", b'{"error": {}}'])
def test_odd_bodies_on_4xx_are_invalid_request(body: bytes | None) -> None:
    assert type(error_from_response(400, body)) is InvalidRequestError


def test_error_as_plain_string() -> None:
    err = error_from_response(400, {"error": "invalid_request", "code": "190"})
    assert isinstance(err, TokenError)


def test_oauth_shape() -> None:
    body = {
        "error_type": "OAuthException",
        "code": 400,
        "error_message": "Matching code was not found or was already used",
    }
    err = error_from_response(400, body)
    assert type(err) is OAuthExchangeError and err.code == 400
    assert "already used" in err.technical
    assert isinstance(error_from_response(500, body), TransientError)
    assert (
        type(error_from_response(400, json.dumps({"error_message": None}).encode()))
        is OAuthExchangeError
    )


def test_rate_limit_retry_after_from_body_and_headers() -> None:
    err = error_from_response(
        400, graph_body(613, error_data={"estimated_time_to_regain_access": 2})
    )
    assert isinstance(err, RateLimitError) and err.retry_after == 120.0
    usage = json.dumps(
        {"123": [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": "5"}]}
    )
    err = error_from_response(400, graph_body(80002), {"X-Business-Use-Case-Usage": usage})
    assert isinstance(err, RateLimitError) and err.retry_after == 300.0
    err = error_from_response(400, graph_body(4), {"x-business-use-case-usage": "garbage{"})
    assert isinstance(err, RateLimitError) and err.retry_after is None
    err = error_from_response(429, None, {"Retry-After": "7"})
    assert isinstance(err, RateLimitError) and err.retry_after == 7.0


def test_technical_is_redacted_and_bounded() -> None:
    token = "IGAAsecretsecretsecretsecret123"
    err = error_from_response(400, graph_body(190, message=f"bad token {token} " + "x" * 2000))
    assert token not in str(err) and token not in err.technical
    assert len(err.technical) <= 500


def test_sentences_in_both_languages() -> None:
    assert TokenError.sentence() == "Your Instagram sign-in has expired. Sign in again."
    assert TokenError.sentence("id").startswith("Sesi masuk Instagram")
    classes: list[type[GraphError]] = [GraphError]
    for cls in classes:  # grows while we walk: every class of the tree
        classes.extend(cls.__subclasses__())
        english, bahasa = cls.sentence("en"), cls.sentence("id")
        assert english and bahasa and english != bahasa
        assert english.endswith(".") and bahasa.endswith(".")
    assert len(classes) >= 17
    err = error_from_response(400, graph_body(551))
    assert err.text == UserUnavailableError.text and err.sentence() == str(err.text)


def test_network_failures() -> None:
    request = httpx.Request("POST", "https://graph.instagram.com/v25.0/1/messages")
    read = httpx.ReadError("boom", request=request)
    connect = httpx.ConnectError("refused", request=request)
    assert type(error_from_exception(read)) is TransientError
    assert type(error_from_exception(read, sending=True)) is SendOutcomeUnknownError
    assert type(error_from_exception(connect, sending=True)) is TransientError
    assert type(error_from_exception(httpx.ReadTimeout("t", request=request))) is TransientError
    assert (
        type(error_from_exception(httpx.RemoteProtocolError("eof", request=request), sending=True))
        is SendOutcomeUnknownError
    )
    assert type(error_from_exception(TimeoutError())) is TransientError
    assert type(error_from_exception(ConnectionResetError())) is TransientError
    assert (
        type(error_from_exception(httpx.DecodingError("gz", request=request))) is BadResponseError
    )
    assert (
        type(error_from_exception(httpx.UnsupportedProtocol("ftp", request=request)))
        is InvalidRequestError
    )
