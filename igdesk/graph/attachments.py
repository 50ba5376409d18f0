"""Attachments of a read-API message (or a webhook-shaped one) as `domain.Attachment`s.

Sources, in order: `attachments` (read shape `{data:[{image_data|video_data|file_url,…}]}` or
webhook shape `[{type, payload{url}}]`), `ig_post`/`share` objects, `shares.data[].link`,
`story.reply_to` / `story.mention`, webhook `reply_to.story`, and `sticker`.

Template (automated) messages become one "template" attachment per card: read shape
`{generic_template: {title, subtitle, image_url|media_url, url, buttons|cta}}`, webhook/send
shape `{type: "template", payload: {template_type, elements: [{…, default_action{url}}]}}`.
"""

from __future__ import annotations

from typing import Any

from igdesk.domain import Attachment, TemplateButton
from igdesk.graph.values import as_dict, as_int, as_list, as_str

# Webhook attachment types → our types.
_WEBHOOK_TYPES = {
    "image": "image",
    "media": "image",
    "video": "video",
    "audio": "audio",
    "file": "file",
    "share": "share",
    "ig_post": "ig_post",
    "reel": "reel",
    "ig_reel": "reel",
    "story_mention": "story_mention",
    "story": "story_reply",
    "ig_story": "story_reply",
    "like_heart": "sticker",
    "sticker": "sticker",
}


def _kind_from_mime(mime: str, default: str) -> str:
    major = mime.split("/", 1)[0].strip().lower()
    if major in ("image", "video", "audio"):
        return major
    return default


def _read_shape(obj: dict[str, Any]) -> Attachment | None:
    mime = as_str(obj.get("mime_type"))
    name = as_str(obj.get("name"))
    size = as_int(obj.get("size"))
    image = as_dict(obj.get("image_data"))
    video = as_dict(obj.get("video_data"))
    if image is not None:
        url = as_str(image.get("url")) or as_str(image.get("animated_gif_url"))
        return Attachment("image", url, as_str(image.get("preview_url")), mime, name, size)
    if video is not None:
        return Attachment(
            "video", as_str(video.get("url")), as_str(video.get("preview_url")), mime, name, size
        )
    file_url = as_str(obj.get("file_url"))
    if file_url or mime:
        return Attachment(_kind_from_mime(mime, "file"), file_url, "", mime, name, size)
    return None


def _webhook_shape(obj: dict[str, Any]) -> Attachment | None:
    kind = as_str(obj.get("type")).lower()
    payload = as_dict(obj.get("payload")) or {}
    url = as_str(payload.get("url")) or as_str(payload.get("link"))
    our = _WEBHOOK_TYPES.get(kind)
    if our is None:
        return Attachment(kind or "file", url) if url else None
    return Attachment(our, url, "", "", as_str(payload.get("title")))


def _link_kind(link: str) -> str:
    """The read API gives a shared post or reel only as `shares.data[].link`, often a bare media
    URL, so only a reel permalink can be told apart; everything else is a shared post."""
    lowered = link.lower()
    if "/reel/" in lowered or "/reels/" in lowered:
        return "reel"
    return "share"


def _shared(obj: dict[str, Any] | None, default: str) -> Attachment | None:
    if obj is None:
        return None
    link = as_str(obj.get("link")) or as_str(obj.get("url"))
    payload = as_dict(obj.get("payload"))
    if not link and payload is not None:
        link = as_str(payload.get("url"))
    if not link:
        return None
    kind = default if default != "share" else _link_kind(link)
    return Attachment(kind, link, "", "", as_str(obj.get("name")) or as_str(obj.get("title")))


def _objects(value: object) -> list[dict[str, Any]]:
    """The objects of a list, a `{"data": [...]}` edge, or of one lone object."""
    if isinstance(value, dict) and not isinstance(value.get("data"), list):
        return [value]
    return [obj for obj in map(as_dict, as_list(value)) if obj is not None]


def _button(obj: dict[str, Any]) -> TemplateButton | None:
    """A `web_url` button keeps its link; a `postback` one is words only (never opened)."""
    kind = as_str(obj.get("type")).lower()
    url = "" if kind == "postback" else as_str(obj.get("url")) or as_str(obj.get("link"))
    title = as_str(obj.get("title")) or as_str(obj.get("text")) or as_str(obj.get("label"))
    if not (title or url):
        return None
    return TemplateButton(title or url, url)


def _card(element: dict[str, Any]) -> Attachment | None:
    """One card of a template; None when it carries nothing to show."""
    default = as_dict(element.get("default_action")) or {}
    url = as_str(element.get("url")) or as_str(default.get("url"))
    image = as_str(element.get("image_url")) or as_str(element.get("media_url"))
    title = as_str(element.get("title")) or as_str(element.get("text"))
    subtitle = as_str(element.get("subtitle"))
    raw_buttons = element.get("buttons") if "buttons" in element else element.get("cta")
    buttons = tuple(b for b in map(_button, _objects(raw_buttons)) if b is not None)
    if not (url or image or title or subtitle or buttons):
        return None
    return Attachment("template", url, image, title=title, subtitle=subtitle, buttons=buttons)


def _template_cards(template: object) -> list[Attachment]:
    """Cards of a template: one object, a list of them, or an object holding `elements`."""
    cards: list[Attachment] = []
    for obj in _objects(template):
        elements = _objects(obj["elements"]) if "elements" in obj else [obj]
        cards.extend(card for card in map(_card, elements) if card is not None)
    return cards


def _item(obj: dict[str, Any]) -> list[Attachment]:
    """The attachments one item of `attachments` stands for (a template: one per card)."""
    if "generic_template" in obj:
        cards = _template_cards(obj.get("generic_template"))
        if cards:
            return cards
    webhook = "type" in obj and "payload" in obj
    if webhook and as_str(obj.get("type")).lower() == "template":
        return _template_cards(obj.get("payload"))
    att = _webhook_shape(obj) if webhook else _read_shape(obj)
    return [] if att is None else [att]


def parse_attachments(msg: dict[str, Any]) -> list[Attachment]:
    """Every attachment of one message, whatever shape each came in."""
    out: list[Attachment] = []
    for item in as_list(msg.get("attachments")):
        obj = as_dict(item)
        if obj is not None:
            out.extend(_item(obj))
    # ig_post first, then the legacy share (instagram-api.md: "ig_post first").
    for key, kind in (("ig_post", "ig_post"), ("share", "share")):
        att = _shared(as_dict(msg.get(key)), kind)
        if att is not None:
            out.append(att)
    for item in as_list(msg.get("shares")):
        att = _shared(as_dict(item), "share")
        if att is not None:
            out.append(att)
    story = as_dict(msg.get("story")) or {}
    for key, kind in (("reply_to", "story_reply"), ("mention", "story_mention")):
        part = as_dict(story.get(key))
        if part is not None:
            out.append(Attachment(kind, as_str(part.get("link")) or as_str(part.get("url"))))
    reply_story = as_dict((as_dict(msg.get("reply_to")) or {}).get("story"))
    if reply_story is not None and not any(a.type == "story_reply" for a in out):
        out.append(Attachment("story_reply", as_str(reply_story.get("url"))))
    out.extend(_sticker(msg.get("sticker")))
    return out


def _sticker(raw: object) -> list[Attachment]:
    if isinstance(raw, str) and raw:
        return [Attachment("sticker", raw)]
    obj = as_dict(raw)
    if obj is None:
        return []
    image = as_dict(obj.get("image_data")) or {}
    url = as_str(obj.get("url")) or as_str(obj.get("link")) or as_str(image.get("url"))
    return [Attachment("sticker", url, as_str(image.get("preview_url")))]
