"""Graph API error envelopes, built one way so every path answers alike.

Graph hosts answer ``{"error":{message,type,code,error_subcode?,fbtrace_id}}``; only
``/oauth/access_token`` (api.instagram.com) uses ``{error_type,code,error_message}``.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web


def fbtrace_id() -> str:
    return "A" + secrets.token_urlsafe(14).replace("-", "x").replace("_", "y")


class GraphError(Exception):
    """An error the sandbox answers with the Graph envelope."""

    def __init__(
        self,
        message: str,
        *,
        code: int,
        type: str = "OAuthException",
        subcode: int | None = None,
        status: int = 400,
        transient: bool | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.subcode = subcode
        self.status = status
        self.transient = transient
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.transient is not None:
            error["is_transient"] = self.transient
        error["fbtrace_id"] = fbtrace_id()
        return {"error": error}

    def response(self) -> web.Response:
        return web.json_response(self.body(), status=self.status, headers=self.headers)


def invalid_token() -> GraphError:
    return GraphError("Invalid OAuth access token - Cannot parse access token", code=190)


def expired_token(expired_at: str, now: str) -> GraphError:
    return GraphError(
        f"Error validating access token: Session has expired on {expired_at}. "
        f"The current time is {now}.",
        code=190,
        subcode=463,
    )


def unknown_object(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read the "
        "Graph API documentation at https://developers.facebook.com/docs/graph-api",
        code=100,
        type="GraphMethodException",
        subcode=33,
    )


def nonexisting_edge(edge: str, node_type: str) -> GraphError:
    return GraphError(
        f"(#100) Tried accessing nonexisting field ({edge}) on node type ({node_type})", code=100
    )


def unknown_path(path: str) -> GraphError:
    return GraphError(f"Unknown path components: /{path}", code=2500)


def param_error(text: str) -> GraphError:
    return GraphError(f"(#100) {text}", code=100)


def message_deleted() -> GraphError:
    """What Meta answers for a message older than the 20 newest of its thread."""
    return GraphError("This message has been deleted.", code=100, type="IGApiException")


def too_much_data() -> GraphError:
    """A list call whose answer would be too large (nested messages over the cap)."""
    return GraphError(
        "Please reduce the amount of data you're asking for, then retry your request",
        code=1,
        status=500,
    )


def no_permission() -> GraphError:
    """A feature the app was not granted (HUMAN_AGENT without the Human Agent feature)."""
    return GraphError("(#10) Application does not have permission for this action", code=10)


def appsecret_missing() -> GraphError:
    return GraphError(
        "API calls from the server require an appsecret_proof argument",
        code=100,
        type="GraphMethodException",
    )


def appsecret_invalid() -> GraphError:
    return GraphError(
        "Invalid appsecret_proof provided in the API argument",
        code=100,
        type="GraphMethodException",
    )


def consent_required() -> GraphError:
    return GraphError(
        "User consent is required to access user profile",
        code=230,
        type="IGApiException",
        status=500,
    )


def rate_limited(code: int = 613) -> GraphError:
    messages = {
        4: "(#4) Application request limit reached",
        17: "(#17) User request limit reached",
        32: "(#32) Page request limit reached",
        613: "Calls to this api have exceeded the rate limit.",
        80002: "(#80002) There have been too many calls to this Instagram account. Wait a bit and "
        "try again. For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    }
    if code not in messages:
        raise ValueError(f"not a rate-limit code: {code}")
    return GraphError(messages[code], code=code, transient=True if code != 613 else None)


def oauth_error_body(message: str, code: int = 400) -> dict[str, Any]:
    """The api.instagram.com error shape (not the Graph envelope)."""
    return {"error_type": "OAuthException", "code": code, "error_message": message}
