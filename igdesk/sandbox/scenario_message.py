"""Scenario messages: one message of a scenario thread, validated and built.

See scenario.py for the keys; this module also holds the validation helpers both use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from igdesk.sandbox.clock import parse_duration
from igdesk.sandbox.media import LIBRARY
from igdesk.sandbox.model import (
    Attachment,
    Customer,
    GenericTemplate,
    Message,
    Reaction,
    Share,
    Shop,
    Story,
    TemplateButton,
    numeric_id,
    opaque_id,
)

_MESSAGE_KEYS = {
    "id",
    "from",
    "ago",
    "text",
    "attachments",
    "shares",
    "story",
    "sticker",
    "reactions",
    "reply_to",
    "deleted",
    "unsupported",
    "template",
}
_TEMPLATE_KEYS = {"title", "subtitle", "image", "url", "buttons"}
_BUTTON_KEYS = {"type": None, "title": None, "url": "web_url", "payload": "postback"}
MAX_TEMPLATE_BUTTONS = 3


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message says where and why."""


def need(condition: bool, where: str, why: str) -> None:
    if not condition:
        raise ScenarioError(f"{where}: {why}")


def keys(obj: Any, allowed: set[str], where: str) -> dict[str, Any]:
    need(isinstance(obj, dict), where, "must be an object")
    unknown = sorted(set(obj) - allowed)
    need(not unknown, where, f"unknown key(s) {', '.join(unknown)}")
    return dict(obj)


def media_key(key: Any, where: str) -> str:
    need(
        isinstance(key, str) and key in LIBRARY,
        where,
        f"unknown media {key!r}; known: {', '.join(sorted(LIBRARY))}",
    )
    return str(key)


def _button(spec: Any, where: str) -> TemplateButton:
    data = keys(spec, set(_BUTTON_KEYS), where)
    kind = data.get("type")
    need(kind in ("web_url", "postback"), where, "type must be web_url or postback")
    title = data.get("title")
    need(isinstance(title, str) and bool(title), where, "title is required")
    needed = "url" if kind == "web_url" else "payload"
    need(isinstance(data.get(needed), str) and bool(data[needed]), where, f"{needed} is required")
    extra = [
        key for key, owner in _BUTTON_KEYS.items() if owner not in (None, kind) and key in data
    ]
    need(not extra, where, f"{kind} buttons have no {', '.join(extra)}")
    return TemplateButton(
        type="web_url" if kind == "web_url" else "postback",
        title=str(title),
        url=data.get("url"),
        payload=data.get("payload"),
    )


def _template(spec: Any, where: str, template_id: str) -> GenericTemplate:
    data = keys(spec, _TEMPLATE_KEYS, where)
    title = data.get("title")
    need(isinstance(title, str) and bool(title), where, "title is required")
    buttons = data.get("buttons", [])
    need(
        isinstance(buttons, list) and len(buttons) <= MAX_TEMPLATE_BUTTONS,
        f"{where}.buttons",
        f"must be a list of at most {MAX_TEMPLATE_BUTTONS} buttons",
    )
    for key in ("subtitle", "url"):
        need(isinstance(data.get(key, ""), str), f"{where}.{key}", "must be a string")
    image = data.get("image")
    return GenericTemplate(
        id=template_id,
        title=str(title),
        subtitle=data.get("subtitle") or None,
        image=None if image is None else media_key(image, f"{where}.image"),
        url=data.get("url") or None,
        buttons=[_button(b, f"{where}.buttons[{n}]") for n, b in enumerate(buttons)],
    )


def build_message(
    spec: Any,
    where: str,
    thread_id: str,
    index: int,
    customer: Customer,
    shop: Shop,
    now: datetime,
    earlier: list[Message],
) -> Message:
    """One scenario message (`earlier`: the thread's messages before it, for `reply_to`)."""
    data = keys(spec, _MESSAGE_KEYS, where)
    sender = data.get("from")
    need(sender in ("customer", "shop"), where, 'from must be "customer" or "shop"')
    try:
        ago = parse_duration(str(data.get("ago", "")))
    except ValueError as error:
        raise ScenarioError(f"{where}.ago: {error}") from None
    mid = str(data.get("id") or opaque_id("aWdfZAGl0ZA", "scenario", thread_id, index))
    attachments = _attachments(data, where, mid)
    shares = _shares(data, where, mid)
    story = _story(data, where, mid)
    reactions = _reactions(data, where, customer, shop)
    reply_to = _reply_to(data, where, earlier)
    need(
        not (data.get("text") and (attachments or shares)),
        where,
        "text cannot go with attachments or shares: Instagram sends them as separate messages",
    )
    template = None
    if data.get("template") is not None:
        need(
            not (data.get("text") or attachments or shares),
            f"{where}.template",
            "a template message has no text, attachments or shares",
        )
        template = _template(data["template"], f"{where}.template", f"{mid}.att0")
    deleted = data.get("deleted", False)
    need(deleted in (True, False, "true"), f"{where}.deleted", 'must be true, false or "true"')
    from_customer = sender == "customer"
    return Message(
        id=mid,
        thread_id=thread_id,
        sender_id=customer.id if from_customer else shop.ig_id,
        recipient_id=shop.ig_id if from_customer else customer.id,
        created_time=now - ago,
        text=str(data.get("text", "")),
        attachments=attachments,
        shares=shares,
        story=story,
        sticker=media_key(data["sticker"], f"{where}.sticker") if data.get("sticker") else None,
        reactions=reactions,
        reply_to=reply_to,
        deleted=deleted,
        unsupported=bool(data.get("unsupported", False)),
        template=template,
    )


def _attachments(data: dict[str, Any], where: str, mid: str) -> list[Attachment]:
    attachments = []
    for number, item in enumerate(data.get("attachments") or []):
        spot = f"{where}.attachments[{number}]"
        need(
            isinstance(item, dict) and item.get("type") in ("image", "video", "audio", "file"),
            spot,
            "type must be image, video, audio or file",
        )
        attachments.append(
            Attachment(
                id=f"{mid}.att{number}",
                kind=item["type"],
                media=media_key(item.get("media"), spot),
                name=str(item.get("name", "")),
            )
        )
    return attachments


def _shares(data: dict[str, Any], where: str, mid: str) -> list[Share]:
    shares = []
    for number, item in enumerate(data.get("shares") or []):
        spot = f"{where}.shares[{number}]"
        need(
            isinstance(item, dict) and item.get("kind") in ("ig_post", "share", "reel"),
            spot,
            "kind must be ig_post, share or reel",
        )
        media = media_key(item["media"], spot) if item.get("media") else None
        need(media is not None or bool(item.get("link")), spot, "give media or link")
        shares.append(
            Share(
                id=f"{mid}.share{number}",
                kind=item["kind"],
                media=media,
                link=item.get("link"),
                name=item.get("name"),
                description=item.get("description"),
            )
        )
    return shares


def _story(data: dict[str, Any], where: str, mid: str) -> Story | None:
    item = data.get("story")
    if item is None:
        return None
    need(
        isinstance(item, dict) and item.get("kind") in ("reply_to", "mention"),
        f"{where}.story",
        "kind must be reply_to or mention",
    )
    media = item.get("media")
    return Story(
        id=numeric_id(f"story:{mid}", 17),
        kind=item["kind"],
        media=None if media is None else media_key(media, f"{where}.story"),
    )


def _reactions(data: dict[str, Any], where: str, customer: Customer, shop: Shop) -> list[Reaction]:
    reactions = []
    for number, item in enumerate(data.get("reactions") or []):
        spot = f"{where}.reactions[{number}]"
        need(
            isinstance(item, dict) and isinstance(item.get("emoji"), str), spot, "emoji is required"
        )
        by = item.get("by", "customer")
        need(by in ("customer", "shop", "both"), spot, "by must be customer, shop or both")
        users = {
            "customer": [customer.id],
            "shop": [shop.ig_id],
            "both": [customer.id, shop.ig_id],
        }[by]
        reactions.append(Reaction(emoji=item["emoji"], user_ids=users, name=item.get("name")))
    return reactions


def _reply_to(data: dict[str, Any], where: str, earlier: list[Message]) -> str | None:
    """The id of the earlier message `reply_to` names by its index (None: not a reply)."""
    index = data.get("reply_to")
    if index is None:
        return None
    need(
        isinstance(index, int) and 0 <= index < len(earlier),
        f"{where}.reply_to",
        "must be the index of an earlier message of this thread",
    )
    return earlier[int(index)].id
