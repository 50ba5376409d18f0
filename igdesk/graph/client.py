"""`GraphClient`: the async Instagram Messaging API client for both account kinds.

Reads (`me`, `conversations` with or without each thread's messages, `read_thread`,
`message`, `profile`) and the Send API (`send`). Transport safety lives in `igdesk.graph.http`,
paging safety in `igdesk.graph.paging`, the fields asked for in `igdesk.graph.fields`, JSON →
domain in `igdesk.graph.parse`. Errors: `igdesk.graph.errors`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx

from igdesk.domain import Account, Contact, ConversationRef, Message, Post
from igdesk.graph.errors import BadResponseError, InvalidRequestError, TransientError
from igdesk.graph.fields import Node, ReadFields
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
)
from igdesk.graph.ratelimit import CallKind, RateBudget
from igdesk.graph.values import as_dict, as_list, as_str

log = logging.getLogger("igdesk.graph")

MEDIA_FIELDS = "id,caption,media_type,media_url,permalink,timestamp"
_MEDIA_TYPES = frozenset({"audio", "video"})
#: Page size Graph uses when none is asked for (halving starts from here).
DEFAULT_PAGE_SIZE = 25
#: Page size of a first sync that reads each conversation's messages with the list call:
#: 25 threads x 20 messages keeps an answer well within what Graph serves in one call.
NESTED_PAGE_SIZE = 25


@dataclass(frozen=True)
class ListedConversation:
    """One row of the conversations list, with its messages when they were read with it."""

    ref: ConversationRef
    #: The readable messages, oldest first; None when the list call carried only a preview.
    messages: list[Message] | None = None
    #: Whether messages older than the readable ones exist (None: the answer did not say).
    older_exists: bool | None = None


@dataclass(frozen=True)
class ThreadRead:
    """A conversation's readable messages (oldest first) and whether older ones exist."""

    messages: list[Message]
    older_exists: bool | None


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
        app_secret: str | None = None,
    ) -> None:
        """`app_secret`, when known, signs every call of the Facebook-Page flavour
        (`appsecret_proof`); the Instagram-Login flavour does not use it."""
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
            app_secret=app_secret if flavour.via_page else None,
        )
        #: Flavour B: the Page id learnt from `me()` (conversations and sends hang below it).
        self.page_id: str | None = None
        #: The read fields, narrowed by what this account's API refused (see `ReadFields`).
        self.fields = ReadFields()

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
        self,
        account: Account,
        *,
        nested: bool = False,
        page_size: int | None = None,
        user_id: str | None = None,
    ) -> AsyncIterator[list[ListedConversation]]:
        """Conversations page by page, newest first; each id once.

        `nested=True` reads each conversation's readable messages with the list call (one
        call a page, not one a thread). A page Graph cannot serve (code 1: one bad thread, or
        too much data) is asked again at half the size; a nested page that fails even at
        size 1 is listed without its messages from there on, for the caller to read them
        one by one. The next page is requested only when the caller asks for it, so stopping
        early costs nothing.
        """
        params: dict[str, str | int] = {"platform": "instagram"}
        if nested and not page_size:
            page_size = NESTED_PAGE_SIZE
        if page_size:
            params["limit"] = page_size
        if user_id:
            params["user_id"] = user_id
        request = httpx.URL(self.url(self._owner(account), "conversations"), params=params)
        pager = Pager(request, "conversations")
        seen: set[str] = set()
        current: httpx.URL | None = request
        while current is not None:
            fields = functools.partial(self.fields.conversation, nested=nested)
            asked = _NESTED_NODES if nested else (Node.CONVERSATION,)
            try:
                page, current = await self._read(
                    current, fields, asked, kind=CallKind.CONVERSATIONS, quick_fail=_SHRINK_ON
                )
            except TransientError as err:
                smaller = _smaller_page(current, err)
                if smaller is not None:
                    log.warning(
                        "conversations page failed with code 1; asking again with limit=%s",
                        smaller.params.get("limit"),
                    )
                    current = smaller
                    continue
                if not (nested and err.code in _SHRINK_ON):
                    raise
                log.warning("nested conversations page failed at size 1; listing without messages")
                nested = False
                current = current.copy_set_param("limit", str(page_size or DEFAULT_PAGE_SIZE))
                continue
            listed = []
            for item in self._page_items(page, "conversations"):
                row = self._listed(item, account, nested)
                if row is not None and row.ref.id not in seen:
                    seen.add(row.ref.id)
                    listed.append(row)
            if listed:
                yield listed  # before judging `next`: a bad link must not cost the good page
            current = pager.next(page, current, len(listed))

    def _listed(self, item: Any, account: Account, nested: bool) -> ListedConversation | None:
        ref = parse_conversation_ref(item)
        if ref is None:
            return None
        if not nested:
            return ListedConversation(ref)
        read = _thread_read(as_dict(item) or {}, ref.id, account.id)
        return ListedConversation(ref, read.messages, read.older_exists)

    async def read_thread(self, conversation_id: str, *, shop_id: str) -> ThreadRead:
        """A thread's readable messages (the newest 20) in one request."""
        raw, _ = await self._read(
            httpx.URL(self.url(conversation_id)),
            self.fields.messages,
            _MESSAGE_NODES,
            kind=CallKind.CONVERSATIONS,
        )
        return _thread_read(raw, conversation_id, shop_id)

    async def conversation_messages(self, conversation_id: str, *, shop_id: str) -> list[Message]:
        """The newest messages of a thread in one request, returned oldest first."""
        return (await self.read_thread(conversation_id, shop_id=shop_id)).messages

    async def message(self, message_id: str, *, thread_id: str, shop_id: str) -> Message:
        """One message by id (only the 20 newest of a thread are readable)."""
        raw, _ = await self._read(
            httpx.URL(self.url(message_id)),
            self.fields.message,
            _MESSAGE_NODES,
            kind=CallKind.CONVERSATIONS,
        )
        parsed = parse_message(raw, thread_id, shop_id)
        if parsed is None:
            raise BadResponseError("message answer has no id or no usable created_time")
        return parsed

    async def profile(self, user_id: str) -> Contact:
        """A customer's profile (needs their consent: they must have written first)."""
        raw, _ = await self._read(
            httpx.URL(self.url(user_id)),
            self.fields.profile,
            (Node.PROFILE,),
            kind=CallKind.PROFILE,
        )
        return parse_profile(raw, user_id)

    async def _read(
        self,
        url: httpx.URL,
        fields: Callable[[], str],
        asked: tuple[Node, ...],
        *,
        kind: CallKind,
        quick_fail: frozenset[int] = frozenset(),
    ) -> tuple[dict[str, Any], httpx.URL]:
        """GET `url` with `fields=fields()`; returns the answer and the URL that was asked.

        A field the account's API refuses is dropped (see `ReadFields`) and the call made
        once more, so a pass survives Meta not having a field we expected.
        """
        while True:
            asking = url.copy_set_param("fields", fields())
            try:
                page = await self._http.get(str(asking), kind=kind, quick_fail_codes=quick_fail)
            except InvalidRequestError as err:
                if err.code != 100 or not self.fields.refuse(err.technical, asked):
                    raise
                continue
            return page, asking

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
_MESSAGE_NODES = (Node.MESSAGE, Node.ATTACHMENT)
_NESTED_NODES = (Node.CONVERSATION, Node.MESSAGE, Node.ATTACHMENT)


def _thread_read(conversation: dict[str, Any], conversation_id: str, shop_id: str) -> ThreadRead:
    """The `messages` edge of a conversation object; its `paging.next` tells of older ones."""
    edge = conversation.get("messages")
    if edge is not None and not isinstance(edge, dict | list):
        raise BadResponseError("conversation.messages is neither an object nor a list")
    messages = parse_messages(edge, conversation_id, shop_id)
    older: bool | None = None
    if isinstance(edge, dict) and "paging" in edge:
        paging = as_dict(edge.get("paging")) or {}
        older = bool(as_str(paging.get("next")))
    return ThreadRead(messages, older)


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
