"""Turns world objects into the read API's JSON, honouring ``fields`` like Graph does.

Which fields each node type has, and the refusal of any other, live in nodes.py: callers check
the whole ``fields`` tree there first, so rendering only picks what was asked.

Shapes where Meta's documentation is thin (chosen here, relied on by tests):

- Unsent messages are left out of the read API altogether: ``is_deleted`` is a webhook key,
  not a field of the read API's Message node. An unsent message is in no ``messages`` edge
  (nested, ``/<thread>/messages``, the list call's ``messages.limit(1)`` preview), does not
  count among the 20 newest readable messages, and ``GET /<mid>`` answers "This message has
  been deleted." (code 100). Unsending moves the conversation's ``updated_time`` to the moment
  of the unsend: that is how a client notices, by reading the thread again and missing it.
- ``reactions``: ``{"data":[{"reaction":"love","emoji":"❤️","users":[{"id","username"}]}]}``;
  ``reaction`` is "love" for the heart (as in webhooks) and the emoji itself otherwise.
- ``sticker``: a URL string (Graph's Message node types it as string).
- ``story``: ``{"reply_to":{"link","id"}}`` or ``{"mention":{"link","id"}}``; ``link`` is ""
  once the story expired.
- ``is_unsupported``: present only when true.
- ``attachments`` without sub-fields gives ``id, mime_type, name, size`` only: media URLs
  (``image_data``, ``video_data``, ``file_url``) and ``generic_template`` must be asked for.
- Shares: ``shares.data[].link`` is the post's media URL (ig_post, reel) or a permalink
  (legacy share); ``message`` is "".
- Template messages (automated messages, ``message`` ""): one item of ``attachments.data``
  ``{"id", "generic_template": {"title", "subtitle"?, "image_url"?, "url"?, "buttons":
  [{"type":"web_url","title","url"} | {"type":"postback","title","payload"}]}}``;
  ``subtitle``, ``image_url`` (a sandbox media URL) and ``url`` (the default action) are left
  out when the card has none. ``generic_template{title,buttons}`` picks keys; without
  sub-fields it gives them all. The item has no ``mime_type``, ``name``, ``size`` or media
  URLs, so ``attachments{id,mime_type,...}`` without ``generic_template`` shows only ``id``:
  Meta's quirk, and a client that forgets the field reads an empty message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from igdesk.domain import format_graph_time
from igdesk.sandbox import fields as f
from igdesk.sandbox.errors import message_deleted
from igdesk.sandbox.media import PREVIEW_SUFFIX, MediaSigner, bytes_of, spec_of
from igdesk.sandbox.model import (
    Attachment,
    Customer,
    GenericTemplate,
    Message,
    Share,
    TemplateButton,
    Thread,
    World,
)
from igdesk.sandbox.paging import Key, paging_block, take_page

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


Specs = f.Specs


def select(obj: dict[str, Any], specs: Specs) -> dict[str, Any]:
    """Keep the requested keys of a flat object (``from{id}``)."""
    if specs is None:
        return obj
    return {s.name: obj[s.name] for s in specs if s.name in obj}


def user_ref(world: World, user_id: str, specs: Specs) -> dict[str, Any]:
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


def _button(button: TemplateButton) -> dict[str, Any]:
    if button.type == "web_url":
        return {"type": "web_url", "title": button.title, "url": button.url}
    return {"type": "postback", "title": button.title, "payload": button.payload}


def template_item(
    template: GenericTemplate, ctx: RenderContext, specs: tuple[f.FieldSpec, ...]
) -> dict[str, Any]:
    """The attachment item of a generic template: only ``id`` and ``generic_template``."""
    card: dict[str, Any] = {"title": template.title}
    if template.subtitle:
        card["subtitle"] = template.subtitle
    if template.image:
        card["image_url"] = ctx.media_url(template.id)
    if template.url:
        card["url"] = template.url
    card["buttons"] = [_button(b) for b in template.buttons]
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name == "id":
            out["id"] = template.id
        elif spec.name == "generic_template":
            out["generic_template"] = select(card, spec.children)
    return out


def _attachments(message: Message, ctx: RenderContext, spec: f.FieldSpec) -> dict[str, Any]:
    specs = spec.children or _DEFAULT_ATTACHMENT
    data = [_attachment(a, ctx, specs) for a in message.attachments]
    if message.template:
        data.append(template_item(message.template, ctx, specs))
    return {"data": data}


def _share(share: Share, ctx: RenderContext, specs: Specs) -> dict[str, Any]:
    link = ctx.media_url(share.id) if share.media else (share.link or "")
    out: dict[str, Any] = {"link": link}
    if share.name is not None:
        out["name"] = share.name
    if share.description is not None:
        out["description"] = share.description
    if specs is not None:
        out["id"] = share.id
    return select(out, specs)


def _story(message: Message, ctx: RenderContext, specs: Specs) -> dict[str, Any] | None:
    story = message.story
    assert story is not None
    item = {"link": ctx.media_url(story.id) if story.media else "", "id": story.id}
    if specs is None:
        return {story.kind: item}
    chosen = f.find(specs, story.kind)
    return None if chosen is None else {story.kind: select(item, chosen.children)}


def _reactions(message: Message, ctx: RenderContext, specs: Specs) -> dict[str, Any]:
    users_spec = f.find(specs, "users") if specs is not None else None
    data = []
    for reaction in message.reactions:
        users = [
            user_ref(ctx.world, uid, users_spec.children if users_spec else None)
            for uid in reaction.user_ids
        ]
        item = {"reaction": reaction.name or reaction.emoji, "emoji": reaction.emoji}
        data.append(select({**item, "users": users}, specs))
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
        return message.text
    if name == "attachments" and (message.attachments or message.template):
        return _attachments(message, ctx, spec)
    if name == "shares" and message.shares:
        return {"data": [_share(s, ctx, spec.children) for s in message.shares]}
    if name == "story" and message.story:
        return _story(message, ctx, spec.children)
    if name == "is_unsupported" and message.unsupported:
        return True
    if name == "reactions" and message.reactions:
        return _reactions(message, ctx, spec.children)
    if name == "sticker" and message.sticker:
        return ctx.media_url(f"{message.id}.sticker")
    if name == "reply_to" and message.reply_to:
        found = world.find_message(message.reply_to)
        self_reply = found is not None and found[1].sender_id == message.sender_id
        return select({"mid": message.reply_to, "is_self_reply": self_reply}, spec.children)
    return None


def render_message(
    message: Message, specs: Specs, ctx: RenderContext, readable: bool
) -> dict[str, Any]:
    """One message node (never an unsent one: the read API leaves those out).

    An unreadable (older than the 20 newest) message refuses detail fields."""
    chosen = specs or (f.FieldSpec("id"), f.FieldSpec("created_time"))
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


def edge_size(thread: Thread, spec: f.FieldSpec, ctx: RenderContext) -> int:
    """How many messages the first page of a nested ``messages`` edge carries."""
    return min(ctx.page_limit(spec.limit), len(thread.visible_newest_first()))


def render_messages_edge(
    thread: Thread,
    spec: f.FieldSpec,
    ctx: RenderContext,
    after: str | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """The ``messages`` edge of a conversation: newest first, cursor paged, unsent left out."""
    visible = thread.visible_newest_first()
    page = take_page(visible, message_key, ctx.page_limit(spec.limit), after, before)
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


def render_conversation(thread: Thread, specs: Specs, ctx: RenderContext) -> dict[str, Any]:
    chosen = specs or (f.FieldSpec("id"), f.FieldSpec("updated_time"))
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


def render_profile(customer: Customer, specs: Specs, ctx: RenderContext) -> dict[str, Any]:
    chosen = specs or (f.FieldSpec("name"), f.FieldSpec("id"))
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
