"""GraphClient over real HTTP: a scripted aiohttp server on 127.0.0.1 plays the Graph API."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from igdesk.domain import Account
from igdesk.graph import (
    FACEBOOK_PAGE,
    BadResponseError,
    ConsentRequiredError,
    GraphClient,
    MessageUnreadableError,
    OutsideWindowError,
    RateBudget,
    RateLimitError,
    SendOutcomeUnknownError,
    TokenError,
    TransientError,
)

TOKEN = "IGAAtesttokenDoNotLeak0123456789"
SHOP = Account(id="17841400000000001", username="shop")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    url: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class FakeGraph:
    """Catch-all server: `route(method, path, *handlers)`; handlers are used in order, the last
    one repeats. Every request is recorded in `seen`."""

    routes: dict[tuple[str, str], list[Handler]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    def route(self, method: str, path: str, *handlers: Handler) -> None:
        self.routes[(method, path)] = list(handlers)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(
            Seen(
                request.method,
                request.path,
                dict(request.query),
                str(request.url),
                dict(request.headers),
                body,
                time.monotonic(),
            )
        )
        handlers = self.routes.get((request.method, request.path))
        if not handlers:
            return web.json_response({"error": {"message": "no route", "code": 100}}, status=404)
        handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
        return await handler(request)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]


def js(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(obj, status=status, headers=headers)

    return handler


def raw(body: bytes, status: int = 200, content_type: str = "application/json") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, status=status, content_type=content_type)

    return handler


async def drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without answering."""
    assert request.transport is not None
    request.transport.abort()
    await asyncio.sleep(0.05)
    return web.Response()


def conv(cid: str, t: str = "2024-05-01T10:00:00+0000") -> dict[str, Any]:
    return {
        "id": cid,
        "updated_time": t,
        "participants": {
            "data": [
                {"id": "IGSID" + cid, "username": "cust" + cid},
                {"id": SHOP.id, "username": "shop"},
            ]
        },
    }


class Sleeps:
    """Fake `sleep`: records the waits, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest_asyncio.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest_asyncio.fixture
async def client(graph: FakeGraph, sleeps: Sleeps) -> AsyncIterator[GraphClient]:
    budget = RateBudget(
        conversations_per_second=None,
        send_per_second=None,
        send_media_per_second=None,
        sleep=sleeps,
    )
    c = GraphClient(TOKEN, base_url=graph.url, budget=budget, sleep=sleeps, timeout=5.0)
    yield c
    await c.aclose()


async def collect(client: GraphClient, **kw: Any) -> list[list[str]]:
    return [[r.ref.id for r in page] async for page in client.conversations(SHOP, **kw)]


# --- auth and URLs ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_bearer_header_and_no_token_in_url(
    graph: FakeGraph, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    graph.route(
        "GET",
        "/v25.0/me",
        js(
            {"id": "app-scoped", "user_id": SHOP.id, "username": "shop", "account_type": "BUSINESS"}
        ),
    )
    account = await client.me()
    assert account.id == SHOP.id and account.username == "shop"
    seen = graph.seen[0]
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in seen.url and "access_token" not in seen.query
    assert seen.query["fields"] == "user_id,username,name,profile_picture_url,account_type"
    assert client.request_count == 1
    assert TOKEN not in caplog.text


@pytest.mark.asyncio
async def test_me_wrapped_in_data(graph: FakeGraph, client: GraphClient) -> None:
    graph.route("GET", "/v25.0/me", js({"data": [{"user_id": 42, "username": "shop"}]}))
    assert (await client.me()).id == "42"


@pytest.mark.asyncio
async def test_facebook_page_flavour_paths(graph: FakeGraph, sleeps: Sleeps) -> None:
    graph.route(
        "GET",
        "/v25.0/me",
        js(
            {
                "id": "PAGE1",
                "name": "Shop Page",
                "instagram_business_account": {"id": SHOP.id, "username": "shop"},
            }
        ),
    )
    graph.route("GET", "/v25.0/PAGE1/conversations", js({"data": [conv("c1")]}))
    graph.route("POST", "/v25.0/PAGE1/messages", js({"recipient_id": "u1", "message_id": "m1"}))
    async with GraphClient(TOKEN, flavour=FACEBOOK_PAGE, base_url=graph.url, sleep=sleeps) as c:
        account = await c.me()
        assert account.id == SHOP.id and c.page_id == "PAGE1"
        assert [[r.ref.id for r in p] async for p in c.conversations(account)] == [["c1"]]
        sent = await c.send(account, {"recipient": {"id": "u1"}, "message": {"text": "hi"}})
    assert sent["message_id"] == "m1"
    assert graph.seen[1].query["platform"] == "instagram"
    assert json.loads(graph.seen[2].body) == {"recipient": {"id": "u1"}, "message": {"text": "hi"}}


# --- paging ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_paging_follows_next_and_strips_token(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    nxt = f"{graph.url}{path}?platform=instagram&access_token=LEAKED&after=CUR1&limit=2"
    graph.route(
        "GET",
        path,
        js({"data": [conv("c1"), conv("c2")], "paging": {"next": nxt}}),
        js({"data": [conv("c3")], "paging": {"cursors": {"after": "CUR2"}}}),
    )
    assert await collect(client, page_size=2) == [["c1", "c2"], ["c3"]]
    first, second = graph.seen
    assert first.query["fields"].startswith("id,updated_time,participants")
    assert first.query["limit"] == "2" and first.query["platform"] == "instagram"
    assert "access_token" not in second.query and second.query["after"] == "CUR1"
    assert second.headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.asyncio
async def test_stopping_early_makes_no_extra_request(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    graph.route(
        "GET", path, js({"data": [conv("c1")], "paging": {"next": f"{graph.url}{path}?after=X"}})
    )
    async for page in client.conversations(SHOP):
        assert [r.ref.id for r in page] == ["c1"]
        break
    await asyncio.sleep(0.05)
    assert client.request_count == 1 and len(graph.seen) == 1


@pytest.mark.asyncio
async def test_foreign_host_next_is_refused(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    graph.route(
        "GET",
        path,
        js({"data": [conv("c1")], "paging": {"next": "https://evil.example.com/steal?after=X"}}),
    )
    pages: list[list[str]] = []
    with pytest.raises(BadResponseError, match="another host"):
        async for page in client.conversations(SHOP):
            pages.append([r.ref.id for r in page])
    assert pages == [["c1"]] and client.request_count == 1


@pytest.mark.asyncio
async def test_empty_page_with_next_is_followed(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    graph.route(
        "GET",
        path,
        js({"data": [], "paging": {"next": f"{graph.url}{path}?after=A"}}),
        js({"data": [conv("c1")]}),
    )
    assert await collect(client) == [["c1"]]
    assert client.request_count == 2


@pytest.mark.asyncio
async def test_endless_empty_pages_stop(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    counter = iter(range(1000))

    async def endless(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"data": [], "paging": {"next": f"{graph.url}{path}?after=C{next(counter)}"}}
        )

    graph.route("GET", path, endless)
    assert await collect(client) == []
    assert client.request_count == 3


@pytest.mark.asyncio
async def test_repeated_next_stops(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    same = f"{graph.url}{path}?after=SAME"
    graph.route(
        "GET",
        path,
        js({"data": [conv("c1")], "paging": {"next": same}}),
        js({"data": [conv("c2")], "paging": {"next": same}}),
    )
    assert await collect(client) == [["c1"], ["c2"]]
    assert client.request_count == 2


@pytest.mark.asyncio
async def test_duplicate_ids_across_pages_yield_once(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    graph.route(
        "GET",
        path,
        js({"data": [conv("c1"), conv("c2")], "paging": {"next": f"{graph.url}{path}?after=A"}}),
        js({"data": [conv("c2"), None, {"id": None}, conv("c3")], "paging": {"next": None}}),
    )
    assert await collect(client) == [["c1", "c2"], ["c3"]]


@pytest.mark.asyncio
async def test_data_null_and_wrong_shape(graph: FakeGraph, client: GraphClient) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"
    graph.route("GET", path, js({"data": None}), js({"data": {"id": "x"}}))
    assert await collect(client) == []
    with pytest.raises(BadResponseError):
        await collect(client)


# --- bad bodies --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_malformed_json_is_bad_response_not_retried(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.route("GET", "/v25.0/me", raw(b'{"user_id": "1", "username": '))
    with pytest.raises(BadResponseError):
        await client.me()
    graph.route("GET", "/v25.0/me", raw(b"[1, 2]"))
    with pytest.raises(BadResponseError):
        await client.me()
    assert client.request_count == 2


async def _huge(request: web.Request, *, declare: bool) -> web.StreamResponse:
    size, chunk = 30 * 1024 * 1024, b"x" * (1024 * 1024)
    resp = web.StreamResponse(headers={"Content-Type": "application/json"})
    if declare:
        resp.content_length = size
    else:
        resp.enable_chunked_encoding()
    await resp.prepare(request)
    try:
        for _ in range(size // len(chunk)):
            await resp.write(chunk)
    except (ConnectionError, RuntimeError):
        pass
    return resp


@pytest.mark.asyncio
@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
async def test_30mb_body_refused_quickly_with_bounded_memory(
    graph: FakeGraph, client: GraphClient, declare: bool
) -> None:
    async def huge(request: web.Request) -> web.StreamResponse:
        return await _huge(request, declare=declare)

    graph.route("GET", "/v25.0/me", huge)
    tracemalloc.start()
    try:
        with pytest.raises(BadResponseError, match="cap"):
            await client.me()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * 1024 * 1024  # the cap is 10 MB; a 30 MB body is never held
    assert client.request_count == 1


@pytest.mark.asyncio
async def test_never_ending_body_times_out(graph: FakeGraph, sleeps: Sleeps) -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        try:
            await resp.write(b'{"data": [')
            while True:
                await resp.write(b" ")
                await asyncio.sleep(0.02)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    graph.route("GET", "/v25.0/me", trickle)
    async with GraphClient(
        TOKEN, base_url=graph.url, timeout=0.4, max_retries=1, sleep=sleeps
    ) as c:
        with pytest.raises(TransientError, match="within"):
            await c.me()
        assert c.request_count == 2
    assert len(sleeps.waits) == 1


# --- retries ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_dropped_connection_is_transient_after_retries(
    graph: FakeGraph, sleeps: Sleeps
) -> None:
    graph.route("GET", "/v25.0/me", drop)
    async with GraphClient(TOKEN, base_url=graph.url, max_retries=2, sleep=sleeps) as c:
        with pytest.raises(TransientError) as info:
            await c.me()
        assert c.request_count == 3
    assert not isinstance(info.value, SendOutcomeUnknownError)
    assert len(sleeps.waits) == 2
    assert all(0 <= w <= 0.5 * 2**i for i, w in enumerate(sleeps.waits))


@pytest.mark.asyncio
async def test_500_then_200_succeeds_with_one_retry(
    graph: FakeGraph, client: GraphClient, sleeps: Sleeps
) -> None:
    graph.route(
        "GET",
        "/v25.0/me",
        raw(b"<html>Bad Gateway</html>", 502, "text/html"),
        js({"user_id": "1", "username": "shop"}),
    )
    assert (await client.me()).id == "1"
    assert client.request_count == 2 and len(sleeps.waits) == 1


@pytest.mark.asyncio
async def test_rate_limit_613_then_200_waits_the_estimate(
    graph: FakeGraph, client: GraphClient, sleeps: Sleeps
) -> None:
    usage = json.dumps(
        {SHOP.id: [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 1}]}
    )
    graph.route(
        "GET",
        "/v25.0/me",
        js(
            {
                "error": {
                    "message": "Calls to this api have exceeded the rate limit.",
                    "code": 613,
                    "type": "OAuthException",
                }
            },
            400,
            {"X-Business-Use-Case-Usage": usage},
        ),
        js({"user_id": "1", "username": "shop"}),
    )
    assert (await client.me()).id == "1"
    assert client.request_count == 2
    assert len(sleeps.waits) == 1 and 59 <= sleeps.waits[0] <= 61  # 1 minute, via the budget


@pytest.mark.asyncio
async def test_rate_limit_without_estimate_backs_off(
    graph: FakeGraph, client: GraphClient, sleeps: Sleeps
) -> None:
    limited = js({"error": {"message": "Application request limit reached", "code": "4"}}, 400)
    graph.route("GET", "/v25.0/me", limited, limited, js({"user_id": "1", "username": "s"}))
    assert (await client.me()).id == "1"
    assert client.request_count == 3
    assert len(sleeps.waits) == 2 and all(w >= 0.9 for w in sleeps.waits)


@pytest.mark.asyncio
async def test_rate_limit_gives_up_after_max_retries(graph: FakeGraph, sleeps: Sleeps) -> None:
    graph.route("GET", "/v25.0/me", js({"error": {"code": 80002, "message": "x"}}, 400))
    async with GraphClient(TOKEN, base_url=graph.url, max_retries=1, sleep=sleeps) as c:
        with pytest.raises(RateLimitError):
            await c.me()
        assert c.request_count == 2


@pytest.mark.asyncio
async def test_consent_230_with_http_500_is_not_retried(
    graph: FakeGraph, client: GraphClient
) -> None:
    graph.route(
        "GET",
        "/v25.0/IGSID1",
        js(
            {
                "error": {
                    "message": "User consent is required to access user profile",
                    "type": "IGApiException",
                    "code": 230,
                }
            },
            500,
        ),
    )
    with pytest.raises(ConsentRequiredError) as info:
        await client.profile("IGSID1")
    assert client.request_count == 1 and info.value.http_status == 500


@pytest.mark.asyncio
async def test_token_190_is_not_retried(
    graph: FakeGraph, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    graph.route(
        "GET",
        "/v25.0/me",
        js(
            {
                "error": {
                    "message": f"Error validating access token: {TOKEN} has expired",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                    "fbtrace_id": "AbC",
                }
            },
            400,
        ),
    )
    with pytest.raises(TokenError) as info:
        await client.me()
    assert client.request_count == 1
    assert info.value.subcode == 463 and info.value.fbtrace_id == "AbC"
    assert info.value.reason == "expired"
    assert TOKEN not in str(info.value) and TOKEN not in caplog.text
    assert info.value.sentence() == "Your Instagram sign-in has expired. Sign in again."


# --- send ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_send_posts_json_and_returns_ids(graph: FakeGraph, client: GraphClient) -> None:
    graph.route(
        "POST", f"/v25.0/{SHOP.id}/messages", js({"recipient_id": "u1", "message_id": "mid.1"})
    )
    body = {"recipient": {"id": "u1"}, "message": {"text": "Halo 👋"}}
    assert await client.send(SHOP, body) == {"recipient_id": "u1", "message_id": "mid.1"}
    seen = graph.seen[0]
    assert json.loads(seen.body) == body
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}" and not seen.query


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "handler", [raw(b"oops", 500, "text/plain"), drop], ids=["http-500", "dropped"]
)
async def test_send_is_never_retried(
    graph: FakeGraph, client: GraphClient, sleeps: Sleeps, handler: Handler
) -> None:
    graph.route(
        "POST", f"/v25.0/{SHOP.id}/messages", handler, js({"recipient_id": "u1", "message_id": "m"})
    )
    with pytest.raises(SendOutcomeUnknownError):
        await client.send(SHOP, {"recipient": {"id": "u1"}, "message": {"text": "x"}})
    assert client.request_count == 1 and sleeps.waits == []


@pytest.mark.asyncio
async def test_send_outside_window(graph: FakeGraph, client: GraphClient) -> None:
    graph.route(
        "POST",
        f"/v25.0/{SHOP.id}/messages",
        js(
            {
                "error": {
                    "message": "This message is sent outside of allowed window.",
                    "code": 10,
                    "error_subcode": 2534022,
                }
            },
            400,
        ),
    )
    with pytest.raises(OutsideWindowError):
        await client.send(SHOP, {"recipient": {"id": "u1"}, "message": {"text": "x"}})
    assert client.request_count == 1


@pytest.mark.asyncio
async def test_send_to_closed_port_is_plain_transient(sleeps: Sleeps) -> None:
    async with GraphClient(TOKEN, base_url="http://127.0.0.1:9", sleep=sleeps) as c:
        with pytest.raises(TransientError) as info:
            await c.send(SHOP, {"recipient": {"id": "u1"}, "message": {"text": "x"}})
    # nothing left the machine, so the caller may safely try again
    assert not isinstance(info.value, SendOutcomeUnknownError)


# --- reads -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_conversation_messages_oldest_first(graph: FakeGraph, client: GraphClient) -> None:
    graph.route(
        "GET",
        "/v25.0/conv1",
        js(
            {
                "id": "conv1",
                "messages": {
                    "data": [
                        {
                            "id": "m3",
                            "created_time": "2024-05-01T10:00:03+0000",
                            "from": {"id": SHOP.id},
                            "message": "third",
                        },
                        {"id": "m2", "created_time": "not a time", "from": {"id": "u1"}},
                        {"created_time": "2024-05-01T10:00:02+0000", "from": {"id": "u1"}},
                        {
                            "id": "m1",
                            "created_time": "2024-05-01T10:00:01+0000",
                            "from": {"id": "u1"},
                            "message": "",
                            "shares": {"data": [{"link": "https://www.instagram.com/reel/abc/"}]},
                        },
                    ]
                },
            }
        ),
    )
    msgs = await client.conversation_messages("conv1", shop_id=SHOP.id)
    assert [m.id for m in msgs] == ["m1", "m3"]
    assert msgs[0].attachments[0].type == "reel" and msgs[1].is_from_shop
    fields = graph.seen[0].query["fields"]
    assert fields.startswith("messages.limit(20){id,created_time,from,to,message,attachments{")


@pytest.mark.asyncio
async def test_conversation_without_messages(graph: FakeGraph, client: GraphClient) -> None:
    graph.route("GET", "/v25.0/conv1", js({"id": "conv1", "messages": None}))
    assert await client.conversation_messages("conv1", shop_id=SHOP.id) == []


@pytest.mark.asyncio
async def test_old_message_is_unreadable(graph: FakeGraph, client: GraphClient) -> None:
    graph.route(
        "GET",
        "/v25.0/mid.old",
        js(
            {
                "error": {
                    "message": "This message has been deleted",
                    "code": 100,
                    "type": "IGApiException",
                }
            },
            400,
        ),
    )
    with pytest.raises(MessageUnreadableError):
        await client.message("mid.old", thread_id="conv1", shop_id=SHOP.id)
    assert client.request_count == 1


@pytest.mark.asyncio
async def test_profile(graph: FakeGraph, client: GraphClient) -> None:
    graph.route(
        "GET",
        "/v25.0/IGSID1",
        js(
            {
                "id": "IGSID1",
                "name": None,
                "username": "budi",
                "is_user_follow_business": "true",
                "follower_count": "12",
            }
        ),
    )
    contact = await client.profile("IGSID1")
    assert contact.username == "budi" and contact.name == "" and contact.follows_business
    assert contact.follower_count == 12 and contact.is_verified is None


# --- pacing ----------------------------------------------------------------------------------


class FakeTime:
    """A clock and a `sleep` that moves it: pacing is checked on the waits it asked for."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))
        self.now += seconds
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_conversations_calls_are_paced_at_two_per_second(graph: FakeGraph) -> None:
    graph.route("GET", "/v25.0/conv1", js({"id": "conv1", "messages": {"data": []}}))
    graph.route("GET", "/v25.0/IGSID1", js({"id": "IGSID1"}))
    time_ = FakeTime()
    budget = RateBudget(clock=time_.clock, sleep=time_.sleep)
    async with GraphClient(TOKEN, base_url=graph.url, budget=budget) as c:
        for _ in range(6):
            await c.read_thread("conv1", shop_id=SHOP.id)
        assert time_.waits == [0.5] * 5  # evenly spaced, no burst
        for _ in range(5):
            await c.profile("IGSID1")
        assert time_.waits == [0.5] * 5  # profile calls are not paced
    assert len([s for s in graph.seen if s.path == "/v25.0/conv1"]) == 6


@pytest.mark.asyncio
async def test_code_1_page_is_retried_smaller(graph: FakeGraph, sleeps: Sleeps) -> None:
    path = f"/v25.0/{SHOP.id}/conversations"

    async def picky(request: web.Request) -> web.StreamResponse:
        if int(request.query.get("limit", "25")) > 5:
            return web.json_response(
                {"error": {"message": "An unknown error occurred", "code": 1}}, status=500
            )
        return web.json_response({"data": [conv("c1")]})

    graph.route("GET", path, picky)
    async with GraphClient(
        TOKEN,
        base_url=graph.url,
        max_retries=0,
        sleep=sleeps,
        budget=RateBudget(conversations_per_second=None),
    ) as c:
        pages = [[r.ref.id for r in p] async for p in c.conversations(SHOP, page_size=20)]
        assert pages == [["c1"]]
    assert [s.query["limit"] for s in graph.seen] == ["20", "10", "5"]


@pytest.mark.asyncio
async def test_a_call_on_a_closed_client_is_a_transient_error_and_sends_nothing(
    graph: FakeGraph, client: GraphClient, sleeps: Sleeps
) -> None:
    """A new sign-in closes the old client while a pass may still use it: the pass gets a
    GraphError it already handles (never a RuntimeError that would end the poller)."""
    graph.route("GET", "/v25.0/me", js({"user_id": SHOP.id, "username": "shop"}))
    await client.aclose()
    with pytest.raises(TransientError) as raised:
        await client.me()
    assert "new sign-in" in str(raised.value.text)
    with pytest.raises(TransientError):
        await client.send(SHOP, {"recipient": {"id": "123"}, "message": {"text": "halo"}})
    assert graph.seen == [] and sleeps.waits == []  # nothing sent, no retry waited for
