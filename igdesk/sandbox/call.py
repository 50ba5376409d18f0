"""One Graph request as the handlers see it: path without version, token, query and body."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from igdesk.sandbox.errors import param_error
from igdesk.sandbox.tokens import TokenInfo

_VERSION = re.compile(r"^/v\d+(?:\.\d+)?(?=/|$)")
HIDDEN_KEYS = frozenset({"access_token", "client_secret", "code", "appsecret_proof"})


@dataclass
class GraphCall:
    """A parsed Graph request."""

    request: web.Request
    method: str
    path: str  # without version, without leading slash: "me/conversations"
    version_path: str  # "v25.0/" or ""
    query: dict[str, str]  # query parameters except access_token and appsecret_proof
    body: dict[str, Any]
    token: str | None
    token_in_query: bool
    appsecret_proof: str | None = None  # from the query, or a POST's form or JSON body
    proof_in_query: bool = False
    info: TokenInfo | None = None

    @property
    def segments(self) -> list[str]:
        return [part for part in self.path.split("/") if part]

    def param(self, name: str) -> str | None:
        """A parameter from the query or the body (Graph accepts either for POST)."""
        if name in self.query:
            return self.query[name]
        value = self.body.get(name)
        return None if value is None else str(value)

    def int_param(self, name: str) -> int | None:
        value = self.param(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise param_error(f"Param {name} must be an integer") from None

    def next_query(self) -> dict[str, str]:
        """What a `paging.next` link carries: the same query, with the token if it came so."""
        return {**self.query, **self.token_query()}

    def token_query(self) -> dict[str, str]:
        """The credentials that came in the query, for `next` links (the proof goes with its
        token: a client that swaps in its own token and proof gets a working link too)."""
        carried: dict[str, str] = {}
        if self.token_in_query and self.token:
            carried["access_token"] = self.token
        if self.proof_in_query and self.appsecret_proof is not None:
            carried["appsecret_proof"] = self.appsecret_proof
        return carried


def split_version(path: str) -> tuple[str, str]:
    """("v25.0/", "me/conversations") from "/v25.0/me/conversations"."""
    match = _VERSION.match(path)
    version = ""
    if match:
        version = match.group(0)[1:] + "/"
        path = path[match.end() :]
    return version, path.strip("/")


async def parse_call(request: web.Request) -> GraphCall:
    version, path = split_version(request.path)
    query = dict(request.query)
    token_in_query = "access_token" in query
    token = query.pop("access_token", None)
    proof_in_query = "appsecret_proof" in query
    proof = query.pop("appsecret_proof", None)
    body: dict[str, Any] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            raw = await request.read()
            try:
                loaded = json.loads(raw) if raw else {}
            except ValueError:
                raise param_error("Invalid JSON in request body") from None
            if not isinstance(loaded, dict):
                raise param_error("Request body must be a JSON object")
            body = loaded
        else:
            form = await request.post()
            body = {k: v for k, v in form.items() if isinstance(v, str)}
    if "access_token" in body and token is None:
        token = str(body.pop("access_token"))
    else:
        body.pop("access_token", None)
    body_proof = body.pop("appsecret_proof", None)
    if proof is None and body_proof is not None:
        proof = str(body_proof)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and token is None:
        token = header[7:].strip()
    return GraphCall(
        request=request,
        method=request.method,
        path=path,
        version_path=version,
        query=query,
        body=body,
        token=token,
        token_in_query=token_in_query,
        appsecret_proof=proof,
        proof_in_query=proof_in_query,
    )


def loggable(values: dict[str, Any]) -> dict[str, Any]:
    """Parameters with secrets removed, for the request log."""
    return {k: v for k, v in values.items() if k not in HIDDEN_KEYS}
