"""Turns world objects into the read API's JSON, honouring ``fields`` like Graph does.

Shapes where Meta's documentation is thin (chosen here, relied on by tests):

- ``reactions``: ``{"data":[{"reaction":"love","emoji":"❤️","users":[{"id","username"}]}]}``;
  ``reaction`` is "love" for the heart (as in webhooks) and the emoji itself otherwise.
- ``sticker``: a URL string (Graph's Message node types it as string).
- ``story``: ``{"reply_to":{"link","id"}}`` or ``{"mention":{"link","id"}}``; ``link`` is ""
  once the story expired.
- ``is_deleted``: present only on unsent messages, as ``true`` or as the string ``"true"``
  (both are seen from Meta); their ``message`` is "" and they carry nothing else.
- ``is_unsupported``: present only when true.
- ``attachments`` without sub-fields gives ``id, mime_type, name, size`` only: media URLs
  (``image_data``, ``video_data``, ``file_url``) must be asked for.
- Shares: ``shares.data[].link`` is the post's media URL (ig_post, reel) or a permalink
  (legacy share); ``message`` is "".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from igdesk.domain import format_graph_time
from igdesk.sandbox import fields as f
from igdesk.sandbox.errors import message_deleted
from igdesk.sandbox.media import PREVIEW_SUFFIX, MediaSigner, bytes_of, spec_of
from igdesk.sandbox.model import Attachment, Customer, Message, Share, Thread, World
from igdesk.sandbox.paging import Key, paging_block, take_page

CONVERSATION_FIELDS = frozenset({"id", "updated_time", "participants", "messages", "is_owner"})
MESSAGE_FIELDS = frozenset(
    {
        "id",
        "created_time",
        "from",
        "to",
        "message",
        "attachments",
        "shares",
        "story",
        "is_unsupported",
        "reactions",
        "sticker",
        "reply_to",
        "is_deleted",
    }
)
ATTACHMENT_FIELDS = frozenset(
    {"id", "mime_type", "name", "size", "image_data", "video_data", "file_url"}
)
PROFILE_FIELDS = frozenset(
    {
        "id",
        "name",
        "username",
        "profile_pic",
        "follower_count",
        "is_user_follow_business",
        "is_business_follow_user",
        "is_verified_user",
    }
)
USER_FIELDS = frozenset({"id", "username"})
SHARE_FIELDS = frozenset({"link", "name", "description", "id"})
LISTING_FIELDS = frozenset({"id", "created_time"})
_DEFAULT_ATTACHMENT = (
    f.FieldSpec("id"),
    f.FieldSpec("mime_type"),
    f.FieldSpec("name"),
    f.FieldSpec("size"),
)


@dataclass
class RenderContext:
    """What rendering needs besides the object: where URLs point and what time it is."""

    world: World
    signer: MediaSigner
    base_url: str
    version_path: str  # "v25.0/" or ""
    carried_query: dict[str, str]  # parameters a `next` link keeps (access_token when given)
    now: datetime
    default_limit: int
    max_limit: int

    def media_url(self, ref: str) -> str:
        return self.signer.url(self.base_url, ref)

    def page_limit(self, requested: int | None) -> int:
        if requested is None:
            return self.default_limit
        return max(1, min(requested, self.max_limit))


def select(obj: dict[str, Any], specs: tuple[f.FieldSpec, ...] | None) -> dict[str, Any]:
    """Keep the requested keys of a flat object (``from{id}``)."""
    if specs is None:
        return obj
    return {s.name: obj[s.name] for s in specs if s.name in obj}


def user_ref(world: World, user_id: str, specs: tuple[f.FieldSpec, ...] | None) -> dict[str, Any]:
    shop = world.shop
    if user_id == shop.ig_id:
        return select({"username": shop.username, "id": shop.ig_id}, specs)
    customer = world.customers.get(user_id)
    username = customer.username if customer else ""
    return select({"username": username, "id": user_id}, specs)


def participants(thread: Thread, ctx: RenderContext, spec: f.FieldSpec) -> dict[str, Any]:
    people = [thread.customer.id, ctx.world.shop.ig_id]
    return {"data": [user_ref(ctx.world, pid, spec.children) for pid in people]}


def _attachment(
    att: Attachment, ctx: RenderContext, specs: tuple[f.FieldSpec, ...]
) -> dict[str, Any]:
    f.check_known(specs, ATTACHMENT_FIELDS, "MessageAttachment")
    media = spec_of(ctx.world.uploads, att.media)
    preview = att.id + PREVIEW_SUFFIX
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name == "id":
            out["id"] = att.id
        elif spec.name == "mime_type":
            out["mime_type"] = media.content_type
        elif spec.name == "name":
            out["name"] = att.name or media.file_name or f"{att.kind}-{att.id[-8:]}"
        elif spec.name == "size":
            out["size"] = len(bytes_of(ctx.world.uploads, att.media))
        elif spec.name == "image_data" and att.kind == "image":
            image = {
                "url": ctx.media_url(att.id),
                "preview_url": ctx.media_url(preview),
                "width": media.width,
                "height": media.height,
            }
            out["image_data"] = select(image, spec.children)
        elif spec.name == "video_data" and att.kind == "video":
            video = {"url": ctx.media_url(att.id), "preview_url": ctx.media_url(preview)}
            out["video_data"] = select(video, spec.children)
        elif spec.name == "file_url" and att.kind in ("audio", "file"):
            out["file_url"] = ctx.media_url(att.id)
    return out


def _share(
    share: Share, ctx: RenderContext, specs: tuple[f.FieldSpec, ...] | None
) -> dict[str, Any]:
    link = ctx.media_url(share.id) if share.media else (share.link or "")
    out: dict[str, Any] = {"link": link}
    if share.name is not None:
        out["name"] = share.name
    if share.description is not None:
        out["description"] = share.description
    if specs is not None:
        f.check_known(specs, SHARE_FIELDS, "Share")
        out["id"] = share.id
    return select(out, specs)


def _reactions(message: Message, ctx: RenderContext) -> dict[str, Any]:
    data = []
    for reaction in message.reactions:
        users = [user_ref(ctx.world, uid, None) for uid in reaction.user_ids]
        data.append(
            {
                "reaction": reaction.name or reaction.emoji,
                "emoji": reaction.emoji,
                "users": [{"id": u["id"], "username": u["username"]} for u in users],
            }
        )
    return {"data": data}


def _field_value(message: Message, spec: f.FieldSpec, ctx: RenderContext) -> Any:
    world = ctx.world
    name = spec.name
    if name == "id":
        return message.id
    if name == "created_time":
        return format_graph_time(message.created_time)
    if name == "from":
        return user_ref(world, message.sender_id, spec.children)
    if name == "to":
        return {"data": [user_ref(world, message.recipient_id, spec.children)]}
    if name == "message":
        return "" if message.deleted else message.text
    if message.deleted:
        return message.deleted if name == "is_deleted" else None
    if name == "attachments" and message.attachments:
        specs = spec.children or _DEFAULT_ATTACHMENT
        return {"data": [_attachment(a, ctx, specs) for a in message.attachments]}
    if name == "shares" and message.shares:
        return {"data": [_share(s, ctx, spec.children) for s in message.shares]}
    if name == "story" and message.story:
        story = message.story
        link = ctx.media_url(story.id) if story.media else ""
        return {story.kind: {"link": link, "id": story.id}}
    if name == "is_unsupported" and message.unsupported:
        return True
    if name == "reactions" and message.reactions:
        return _reactions(message, ctx)
    if name == "sticker" and message.sticker:
        return ctx.media_url(f"{message.id}.sticker")
    if name == "reply_to" and message.reply_to:
        found = world.find_message(message.reply_to)
        self_reply = found is not None and found[1].sender_id == message.sender_id
        return {"mid": message.reply_to, "is_self_reply": self_reply}
    return None


def render_message(
    message: Message, specs: tuple[f.FieldSpec, ...] | None, ctx: RenderContext, readable: bool
) -> dict[str, Any]:
    """One message node. An unreadable (older than 20) message refuses detail fields."""
    chosen = specs or (f.FieldSpec("id"), f.FieldSpec("created_time"))
    f.check_known(chosen, MESSAGE_FIELDS, "Message")
    if not readable and any(s.name not in LISTING_FIELDS for s in chosen):
        raise message_deleted()
    out: dict[str, Any] = {}
    for spec in chosen:
        value = _field_value(message, spec, ctx)
        if value is not None:
            out[spec.name] = value
    return out


def message_key(message: Message) -> Key:
    return (format_graph_time(message.created_time), message.id)


def render_messages_edge(
    thread: Thread,
    spec: f.FieldSpec,
    ctx: RenderContext,
    after: str | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """The ``messages`` edge of a conversation: newest first, cursor paged."""
    page = take_page(thread.newest_first(), message_key, ctx.page_limit(spec.limit), after, before)
    readable = thread.readable_ids()
    data = [render_message(m, spec.children, ctx, m.id in readable) for m in page.items]
    query = dict(ctx.carried_query)
    if spec.children is not None:
        query["fields"] = ",".join(_spec_text(c) for c in spec.children)
    query["limit"] = str(ctx.page_limit(spec.limit))
    out: dict[str, Any] = {"data": data}
    block = paging_block(page, ctx.base_url, f"{ctx.version_path}{thread.id}/messages", query)
    if block:
        out["paging"] = block
    return out


def _spec_text(spec: f.FieldSpec) -> str:
    text = spec.name + (f".limit({spec.limit})" if spec.limit is not None else "")
    if spec.children is not None:
        text += "{" + ",".join(_spec_text(c) for c in spec.children) + "}"
    return text


def render_conversation(
    thread: Thread, specs: tuple[f.FieldSpec, ...] | None, ctx: RenderContext
) -> dict[str, Any]:
    chosen = specs or (f.FieldSpec("id"), f.FieldSpec("updated_time"))
    f.check_known(chosen, CONVERSATION_FIELDS, "Conversation")
    out: dict[str, Any] = {}
    for spec in chosen:
        if spec.name == "id":
            out["id"] = thread.id
        elif spec.name == "updated_time":
            out["updated_time"] = format_graph_time(thread.updated_time)
        elif spec.name == "participants":
            out["participants"] = participants(thread, ctx, spec)
        elif spec.name == "messages":
            out["messages"] = render_messages_edge(thread, spec, ctx)
        elif spec.name == "is_owner":
            out["is_owner"] = True
    if "id" not in out:
        out["id"] = thread.id  # Graph always returns the node id
    return out


def render_profile(
    customer: Customer, specs: tuple[f.FieldSpec, ...] | None, ctx: RenderContext
) -> dict[str, Any]:
    chosen = specs or (f.FieldSpec("name"), f.FieldSpec("id"))
    f.check_known(chosen, PROFILE_FIELDS, "User")
    values: dict[str, Any] = {
        "id": customer.id,
        "name": customer.name,
        "username": customer.username,
        "profile_pic": ctx.media_url(f"avatar.{customer.id}") if customer.avatar else None,
        "follower_count": customer.follower_count,
        "is_user_follow_business": customer.follows_business,
        "is_business_follow_user": customer.business_follows,
        "is_verified_user": customer.verified,
    }
    out = {spec.name: values[spec.name] for spec in chosen}
    out.setdefault("id", customer.id)
    return out
