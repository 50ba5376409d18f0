"""`GraphClient`: the async Instagram Messaging API client for both account kinds.

Reads (`me`, `conversations`, `conversation_messages`, `message_ids`, `message`, `profile`) and
the Send API (`send`). Transport safety lives in `igdesk.graph.http`, paging safety in
`igdesk.graph.paging`, JSON → domain in `igdesk.graph.parse`. Errors: `igdesk.graph.errors`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx

from igdesk.domain import Account, Contact, ConversationRef, Message, Post
from igdesk.graph.errors import BadResponseError, TransientError
from igdesk.graph.flavour import INSTAGRAM_LOGIN, Flavour
from igdesk.graph.http import GraphHttp, Params
from igdesk.graph.paging import Pager
from igdesk.graph.parse import (
    parse_account,
    parse_conversation_ref,
    parse_message,
    parse_messages,
    parse_page_id,
    parse_posts,
    parse_profile,
    parse_time,
)
from igdesk.graph.ratelimit import CallKind, RateBudget
from igdesk.graph.values import as_dict, as_list, as_str

log = logging.getLogger("igdesk.graph")

MESSAGE_FIELDS = (
    "id,created_time,from,to,message,"
    "attachments{id,mime_type,name,size,image_data,video_data,file_url},"
    "shares,story,is_unsupported,is_deleted,reactions,sticker,reply_to"
)
MEDIA_FIELDS = "id,caption,media_type,media_url,permalink,timestamp"
#: The list call asks for a one-message preview (instagram-api.md) to see changes exactly.
CONVERSATION_FIELDS = "id,updated_time,participants,messages.limit(1){id,created_time}"
PROFILE_FIELDS = (
    "name,username,profile_pic,follower_count,is_user_follow_business,"
    "is_business_follow_user,is_verified_user"
)
_MEDIA_TYPES = frozenset({"audio", "video"})
#: Page size Graph uses when none is asked for (halving starts from here).
DEFAULT_PAGE_SIZE = 25


class GraphClient:
    """One account's connection to the Graph API (token in the Authorization header only)."""

    def __init__(
        self,
        token: str,
        *,
        flavour: Flavour = INSTAGRAM_LOGIN,
        base_url: str | None = None,
        api_version: str = "v25.0",
        budget: RateBudget | None = None,
        timeout: float = 30.0,
        max_body_bytes: int = 10 * 1024 * 1024,
        max_retries: int = 4,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.flavour = flavour
        self._root = (base_url or flavour.graph_host).rstrip("/")
        self._version = api_version.strip("/")
        self.budget = budget if budget is not None else RateBudget(sleep=sleep)
        self._http = GraphHttp(
            token,
            budget=self.budget,
            timeout=timeout,
            max_body_bytes=max_body_bytes,
            max_retries=max_retries,
            transport=transport,
            sleep=sleep,
        )
        #: Flavour B: the Page id learnt from `me()` (conversations and sends hang below it).
        self.page_id: str | None = None

    @property
    def request_count(self) -> int:
        """Every HTTP request sent so far, retries included."""
        return self._http.request_count

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- plumbing -------------------------------------------------------------------------

    def url(self, *segments: str) -> str:
        """`<root>/<version>/<segments…>`, each segment percent-encoded (no `/` smuggling)."""
        parts = []
        for seg in segments:
            if not seg or seg in (".", ".."):
                raise ValueError(f"bad path segment {seg!r}")
            parts.append(quote(seg, safe="=:@-_.~"))
        return "/".join([self._root, self._version, *parts])

    async def get_json(
        self, *segments: str, params: Params = None, kind: CallKind = CallKind.OTHER
    ) -> dict[str, Any]:
        """GET any Graph object (retried when safe) — for calls this class has no method for."""
        return await self._http.get(self.url(*segments), params, kind=kind)

    async def post_json(
        self, *segments: str, body: Mapping[str, Any] | None = None, kind: CallKind = CallKind.OTHER
    ) -> dict[str, Any]:
        """POST a JSON body once (never retried)."""
        return await self._http.post(self.url(*segments), json_body=body, kind=kind)

    def _owner(self, account: Account) -> str:
        return self.flavour.owner_path(account.id, self.page_id)

    # --- reads ----------------------------------------------------------------------------

    async def me(self) -> Account:
        """The signed-in shop account (IG_ID in `Account.id` for both flavours)."""
        raw = await self.get_json(
            "me", params={"fields": self.flavour.me_fields}, kind=CallKind.PROFILE
        )
        account = parse_account(raw, self.flavour)
        if self.flavour.via_page:
            self.page_id = parse_page_id(raw)
        return account

    async def conversations(
        self, account: Account, *, page_size: int | None = None, user_id: str | None = None
    ) -> AsyncIterator[list[ConversationRef]]:
        """Conversation refs page by page, newest first; each id once.

        The next page is requested only when the caller asks for it, so stopping early
        costs nothing.
        """
        params: dict[str, str | int] = {"platform": "instagram", "fields": CONVERSATION_FIELDS}
        if page_size:
            params["limit"] = page_size
        if user_id:
            params["user_id"] = user_id
        request = httpx.URL(self.url(self._owner(account), "conversations"), params=params)
        pager = Pager(request, "conversations")
        seen: set[str] = set()
        current: httpx.URL | None = request
        while current is not None:
            try:
                page = await self._http.get(
                    str(current), kind=CallKind.CONVERSATIONS, quick_fail_codes=_SHRINK_ON
                )
            except TransientError as err:
                # One bad thread can fail a whole page with code 1: ask for smaller pages.
                smaller = _smaller_page(current, err)
                if smaller is None:
                    raise
                log.warning(
                    "conversations page failed with code 1; retrying with limit=%s",
                    smaller.params.get("limit"),
                )
                current = smaller
                continue
            refs = []
            for item in self._page_items(page, "conversations"):
                ref = parse_conversation_ref(item)
                if ref is not None and ref.id not in seen:
                    seen.add(ref.id)
                    refs.append(ref)
            if refs:
                yield refs  # before judging `next`: a bad link must not cost the good page
            current = pager.next(page, current, len(refs))

    async def conversation_messages(
        self, conversation_id: str, *, shop_id: str, limit: int = 20
    ) -> list[Message]:
        """The newest `limit` messages of a thread in one request, returned oldest first."""
        fields = f"messages.limit({int(limit)}){{{MESSAGE_FIELDS}}}"
        raw = await self.get_json(
            conversation_id, params={"fields": fields}, kind=CallKind.CONVERSATIONS
        )
        edge = raw.get("messages")
        if edge is not None and not isinstance(edge, dict | list):
            raise BadResponseError("conversation.messages is neither an object nor a list")
        return parse_messages(edge, conversation_id, shop_id)

    async def message_ids(self, conversation_id: str) -> list[tuple[str, datetime]]:
        """Every message id of a thread (older than the 20 newest too), oldest first."""
        request = httpx.URL(
            self.url(conversation_id, "messages"), params={"fields": "id,created_time"}
        )
        pager = Pager(request, "message ids")
        found: dict[str, datetime] = {}
        current: httpx.URL | None = request
        while current is not None:
            page = await self._http.get(str(current), kind=CallKind.CONVERSATIONS)
            new = 0
            for item in self._page_items(page, "messages"):
                obj = as_dict(item) or {}
                mid = as_str(obj.get("id"))
                created = parse_time(obj.get("created_time"))
                if not mid or created is None:
                    log.warning(
                        "message id entry without id/created_time in %s; skipped", conversation_id
                    )
                    continue
                if mid not in found:
                    found[mid] = created
                    new += 1
            current = pager.next(page, current, new)
        return sorted(found.items(), key=lambda pair: pair[1])

    async def message(self, message_id: str, *, thread_id: str, shop_id: str) -> Message:
        """One message by id (only the 20 newest of a thread are readable)."""
        raw = await self.get_json(
            message_id, params={"fields": MESSAGE_FIELDS}, kind=CallKind.CONVERSATIONS
        )
        parsed = parse_message(raw, thread_id, shop_id)
        if parsed is None:
            raise BadResponseError("message answer has no id or no usable created_time")
        return parsed

    async def profile(self, user_id: str) -> Contact:
        """A customer's profile (needs their consent: they must have written first)."""
        raw = await self.get_json(user_id, params={"fields": PROFILE_FIELDS}, kind=CallKind.PROFILE)
        return parse_profile(raw, user_id)

    async def media(self, account: Account, *, limit: int = 25) -> list[Post]:
        """The shop's newest published posts (first page), for sharing in a chat."""
        raw = await self.get_json(
            account.id,
            "media",
            params={"fields": MEDIA_FIELDS, "limit": limit},
            kind=CallKind.OTHER,
        )
        return parse_posts(raw)

    # --- send -----------------------------------------------------------------------------

    async def send(self, account: Account, body: dict[str, Any]) -> dict[str, Any]:
        """POST one Send API body; returns `{recipient_id, message_id}` (sender actions: less).

        Never retried: a failure after the request may have left raises
        `SendOutcomeUnknownError`, and the caller reconciles before trying again.
        """
        return await self._http.post(
            self.url(self._owner(account), "messages"),
            json_body=body,
            kind=_send_kind(body),
            sending=True,
        )

    # --- helpers --------------------------------------------------------------------------

    @staticmethod
    def _page_items(page: dict[str, Any], what: str) -> list[Any]:
        data = page.get("data")
        if data is None:
            log.warning("%s page without data; treated as empty", what)
            return []
        if not isinstance(data, list):
            raise BadResponseError(f"{what} page: data is {type(data).__name__}, not a list")
        return as_list(data)


#: Error codes of a conversations page that a smaller page may avoid (one bad thread).
_SHRINK_ON = frozenset({1})


def _smaller_page(url: httpx.URL, err: TransientError) -> httpx.URL | None:
    """The same page asked with half the page size, after a code-1 failure; None at size 1."""
    if err.code not in _SHRINK_ON:
        return None
    try:
        size = int(url.params.get("limit") or DEFAULT_PAGE_SIZE)
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    if size <= 1:
        return None
    return url.copy_set_param("limit", str(size // 2))


def _send_kind(body: Mapping[str, Any]) -> CallKind:
    """Audio and video sends have their own, lower limit."""
    message = as_dict(body.get("message")) or {}
    items = as_list(message.get("attachments")) or [message.get("attachment")]
    for item in items:
        obj = as_dict(item)
        if obj is not None and as_str(obj.get("type")).lower() in _MEDIA_TYPES:
            return CallKind.SEND_MEDIA
    return CallKind.SEND
