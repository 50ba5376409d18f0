"""Turn read-API JSON into domain objects, defensively.

The API's shapes vary (see instagram-api.md): fields go missing, `null` stands where an object
was expected, booleans arrive as "true", attachments come in the read-API shape or the webhook
shape. Every function here survives all of that; a message that cannot be placed (no id, no
usable time) is skipped with a log line rather than failing its whole page. Logs carry ids only,
never message text or names.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from igdesk.domain import (
    Account,
    Attachment,
    Contact,
    ConversationRef,
    Message,
    Post,
    Reaction,
    parse_graph_time,
)
from igdesk.graph.attachments import parse_attachments
from igdesk.graph.errors import AccountNotLinkedError, BadResponseError
from igdesk.graph.flavour import INSTAGRAM_LOGIN, Flavour
from igdesk.graph.values import as_bool, as_dict, as_int, as_list, as_str

log = logging.getLogger("igdesk.graph")


def parse_time(value: object) -> datetime | None:
    """A Graph time (`2022-07-12T19:11:07+0000`, ISO, or epoch s/ms) as aware UTC, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        seconds = value / 1000.0 if value > 1e11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            return parse_graph_time(value)
        except ValueError:
            return None
    return None


def _unwrap(raw: Any) -> dict[str, Any]:
    """The object itself, or the first item of a `{"data": [...]}` wrapper."""
    obj = as_dict(raw)
    if obj is None:
        return {}
    if "data" in obj and not any(k in obj for k in ("id", "user_id", "username")):
        items = as_list(obj.get("data"))
        first = as_dict(items[0]) if items else None
        return first or {}
    return obj


def parse_account(raw: Any, flavour: Flavour = INSTAGRAM_LOGIN) -> Account:
    """The shop's account from `/me` (flavour A: flat or `data[0]`; flavour B: the Page)."""
    obj = _unwrap(raw)
    if flavour.via_page:
        iba = as_dict(obj.get("instagram_business_account"))
        if iba is None or not as_str(iba.get("id")):
            raise AccountNotLinkedError("Page /me has no instagram_business_account")
        return Account(
            id=as_str(iba.get("id")),
            username=as_str(iba.get("username")),
            name=as_str(iba.get("name")),
            picture_url=as_str(iba.get("profile_picture_url")),
            account_type="BUSINESS",
        )
    account_id = as_str(obj.get("user_id"))
    if not account_id:
        # `id` is app-scoped; only good for /me. Better than nothing, but say so.
        account_id = as_str(obj.get("id"))
        if account_id:
            log.warning("/me has no user_id; falling back to the app-scoped id")
    if not account_id:
        raise BadResponseError("/me answer has neither user_id nor id")
    return Account(
        id=account_id,
        username=as_str(obj.get("username")),
        name=as_str(obj.get("name")),
        picture_url=as_str(obj.get("profile_picture_url")),
        account_type=as_str(obj.get("account_type")),
    )


def parse_page_id(raw: Any) -> str | None:
    """The Page id of a flavour-B `/me` answer."""
    return as_str(_unwrap(raw).get("id")) or None


def _contact(raw: Any) -> Contact | None:
    obj = as_dict(raw)
    if obj is None or not as_str(obj.get("id")):
        return None
    return Contact(
        id=as_str(obj.get("id")), username=as_str(obj.get("username")), name=as_str(obj.get("name"))
    )


def parse_conversation_ref(raw: Any) -> ConversationRef | None:
    """One row of the conversations list; None (logged) when it has no id.

    A missing or unreadable `updated_time` stays None, so the thread is judged by its newest
    message id rather than silently considered unchanged.
    """
    obj = as_dict(raw)
    if obj is None:
        log.warning("conversation entry is not an object; skipped")
        return None
    conv_id = as_str(obj.get("id"))
    if not conv_id:
        log.warning("conversation entry without id; skipped")
        return None
    updated = parse_time(obj.get("updated_time"))
    if updated is None:
        log.warning("conversation %s has no usable updated_time", conv_id)
    participants = tuple(
        c for c in (_contact(p) for p in as_list(obj.get("participants"))) if c is not None
    )
    return ConversationRef(
        id=conv_id,
        updated_time=updated,
        participants=participants,
        newest_message_id=_newest_message_id(obj),
    )


def _newest_message_id(conversation: dict[str, Any]) -> str | None:
    """The id in the list call's `messages.limit(1)` preview, if there is one."""
    messages = as_dict(conversation.get("messages"))
    previews = as_list(messages.get("data")) if messages else []
    first = as_dict(previews[0]) if previews else None
    return (as_str(first.get("id")) or None) if first else None


def _reactions(raw: Any) -> tuple[Reaction, ...]:
    """Reactions as `{"data":[{reaction, emoji?, users:[{id,username}]}]}` or a flat list."""
    out: list[Reaction] = []
    for item in as_list(raw):
        obj = as_dict(item)
        if obj is None:
            continue
        emoji = as_str(obj.get("emoji")) or as_str(obj.get("reaction"))
        if not emoji:
            continue
        users = as_list(obj.get("users"))
        ids = [as_str(u.get("id")) for u in (as_dict(x) for x in users) if u is not None]
        if not users:
            sender = as_dict(obj.get("from")) or as_dict(obj.get("sender")) or {}
            ids = [as_str(obj.get("user_id")) or as_str(sender.get("id"))]
        out.extend(Reaction(user_id=uid, emoji=emoji) for uid in ids if uid)
    return tuple(out)


def parse_message(raw: Any, thread_id: str, shop_id: str) -> Message | None:
    """One message of a thread; None (logged, never raised) when it cannot be placed."""
    obj = as_dict(raw)
    if obj is None:
        log.warning("message entry in thread %s is not an object; skipped", thread_id)
        return None
    mid = as_str(obj.get("id")) or as_str(obj.get("mid"))
    if not mid:
        log.warning("message without id in thread %s; skipped", thread_id)
        return None
    created = parse_time(obj.get("created_time"))
    if created is None:
        created = parse_time(obj.get("timestamp"))
    if created is None:
        log.warning("message %s in thread %s has no usable created_time; skipped", mid, thread_id)
        return None
    sender = as_dict(obj.get("from")) or as_dict(obj.get("sender")) or {}
    sender_id = as_str(sender.get("id"))
    attachments: list[Attachment] = parse_attachments(obj)
    reply_to: str | None = None
    reply = as_dict(obj.get("reply_to"))
    if reply is not None:
        reply_to = as_str(reply.get("mid")) or as_str(reply.get("id")) or None
    text = obj.get("message")
    if text is None:
        text = obj.get("text")
    return Message(
        id=mid,
        thread_id=thread_id,
        sender_id=sender_id,
        created_time=created,
        text=as_str(text),
        attachments=tuple(attachments),
        reply_to=reply_to,
        reactions=_reactions(obj.get("reactions")),
        is_from_shop=bool(shop_id) and sender_id == shop_id,
        deleted=as_bool(obj.get("is_deleted")) is True,
        unsupported=as_bool(obj.get("is_unsupported")) is True,
        raw=dict(obj),
    )


def parse_messages(raw: Any, thread_id: str, shop_id: str) -> list[Message]:
    """Every placeable message of a `{"data": [...]}` (or list), oldest first, ids unique."""
    seen: set[str] = set()
    out: list[Message] = []
    for item in as_list(raw):
        message = parse_message(item, thread_id, shop_id)
        if message is not None and message.id not in seen:
            seen.add(message.id)
            out.append(message)
    out.reverse()  # the API lists newest first; keep ties in that order, reversed
    out.sort(key=lambda m: m.created_time)
    return out


def parse_profile(raw: Any, user_id: str = "") -> Contact:
    """A customer's profile (User Profile API); fields that are null or absent stay unknown."""
    obj = as_dict(raw) or {}
    contact_id = as_str(obj.get("id")) or user_id
    if not contact_id:
        raise BadResponseError("profile answer without id")
    return Contact(
        id=contact_id,
        username=as_str(obj.get("username")),
        name=as_str(obj.get("name")),
        profile_pic=as_str(obj.get("profile_pic")),
        follows_business=as_bool(obj.get("is_user_follow_business")),
        business_follows=as_bool(obj.get("is_business_follow_user")),
        follower_count=as_int(obj.get("follower_count")),
        is_verified=as_bool(obj.get("is_verified_user")),
    )


def parse_posts(raw: Any) -> list[Post]:
    """`{"data":[{id, caption, media_type, media_url, permalink}]}` → posts; odd items skipped."""
    posts: list[Post] = []
    page = as_dict(raw) or {}
    for item in as_list(page.get("data")):
        obj = as_dict(item)
        if obj is None or not as_str(obj.get("id")):
            continue
        posts.append(
            Post(
                id=as_str(obj.get("id")),
                caption=as_str(obj.get("caption")),
                media_type=as_str(obj.get("media_type")),
                media_url=as_str(obj.get("media_url")),
                permalink=as_str(obj.get("permalink")),
            )
        )
    return posts
