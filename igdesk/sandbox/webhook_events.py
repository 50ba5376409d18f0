"""The ``messaging[]`` items of webhook deliveries, built from the world, and their emission.

Every item is ``{"sender":{"id"},"recipient":{"id"},"timestamp":<ms>,<event-key>:{...}}``
(instagram-api.md, "Envelope (A)"). Inbound: sender = the customer (IGSID), recipient = the
shop (IG_ID); the shop's own messages: sender = shop, recipient = customer, ``is_echo: true``.

Shapes where the sheet is thin (chosen here, relied on by tests):

- ``message``: ``mid``, then ``is_echo`` (shop), ``text`` (when there is one),
  ``attachments``, ``reply_to``, ``is_unsupported``. A message's ``timestamp`` is its
  ``created_time``; other events carry the moment they happened.
- attachments: ``image|video|audio|file`` → ``{"type", "payload": {"url"}}`` (a signed sandbox
  media URL that expires like Meta's CDN links); a sticker is an ``image``; ``ig_post`` →
  ``{"ig_post_media_id", "title", "url"}`` (Meta's post-share payload; ``share`` was removed
  from payloads on Apr 27, 2026, so only worlds that model a legacy share get
  ``{"type":"share","payload":{"url"}}``); a reel → ``ig_reel`` ``{"url","title",
  "reel_video_id"}``; a story mention → ``story_mention`` ``{"url"}`` (``""`` once expired).
  Template messages are not delivered (the sheet shows no webhook template shape; the
  world's templates are scenario history only).
- story reply: ``reply_to: {"story": {"url", "id"}}`` beside the text; inline reply:
  ``reply_to: {"mid"}``.
- unsend: ``{"mid", "is_deleted": true | "true"}`` from the original sender, at the moment of
  the unsend; a shop message's unsend is an echo (``is_echo`` too: UNSURE, the sheet says echoes
  are "sent by the business"). Unless a flag is given, unsends alternate ``true`` and
  ``"true"`` (the sheet: both occur), starting with the bool.
- ``reaction``: ``{"mid","action":"react","reaction","emoji"}``; ``reaction`` is Messenger's
  name for the emoji (love, smile, wow, sad, angry, like, dislike; other for the rest);
  ``unreact`` carries ``mid`` and ``action`` only. Only the customer's reactions are
  delivered: the sheet documents reaction webhooks for the person who reacts to the business
  and echoes only for messages, so the shop's ``react``/``unreact`` sender actions (and
  ``mark_seen``, typing) send nothing.
- ``read``: ``{"mid"}`` of the shop message the customer saw; ``message_edit``: ``{"mid",
  "text", "num_edit"}`` with ``num_edit`` an integer (Messenger's reference types it so).
- ``postback``: ``{"mid", "title", "payload"}`` with a fresh ``mid``; ``referral``: ``{"ref",
  "source", "type": "OPEN_THREAD"}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from igdesk.sandbox.model import DeletedFlag, Message, Post, Share, World, numeric_id
from igdesk.sandbox.state import SandboxState

REACTION_NAMES = {
    "❤️": "love",
    "❤": "love",
    "😆": "smile",
    "😂": "smile",
    "😮": "wow",
    "😢": "sad",
    "😠": "angry",
    "👍": "like",
    "👎": "dislike",
}


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _people(sender: str, recipient: str, moment: datetime) -> dict[str, Any]:
    return {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": ms(moment)}


def _url(state: SandboxState, ref: str) -> str:
    return state.signer.url(state.base_url, ref)


def _post_of(world: World, share: Share) -> Post | None:
    return next((p for p in world.posts if share.media and p.media == share.media), None)


def _share(state: SandboxState, share: Share) -> dict[str, Any]:
    url = _url(state, share.id) if share.media else (share.link or "")
    title = share.name or ""
    if share.kind == "share":
        return {"type": "share", "payload": {"url": url}}
    if share.kind == "reel":
        reel_id = numeric_id(f"reel:{share.id}", 17)
        payload = {"url": url, "title": title, "reel_video_id": reel_id}
        return {"type": "ig_reel", "payload": payload}
    post = _post_of(state.world, share)
    media_id = post.id if post else numeric_id(f"post:{share.id}", 17)
    title = title or (post.caption if post else "")
    payload = {"ig_post_media_id": media_id, "title": title, "url": url}
    return {"type": "ig_post", "payload": payload}


def attachments(state: SandboxState, message: Message) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"type": a.kind, "payload": {"url": _url(state, a.id)}} for a in message.attachments
    ]
    if message.sticker:
        out.append({"type": "image", "payload": {"url": _url(state, f"{message.id}.sticker")}})
    out += [_share(state, share) for share in message.shares]
    story = message.story
    if story is not None and story.kind == "mention":
        url = _url(state, story.id) if story.media else ""
        out.append({"type": "story_mention", "payload": {"url": url}})
    return out


def _sides(state: SandboxState, message: Message) -> tuple[str, str, bool]:
    echo = message.sender_id == state.world.shop.ig_id
    return message.sender_id, message.recipient_id, echo


def message_item(state: SandboxState, message: Message) -> dict[str, Any]:
    sender, recipient, echo = _sides(state, message)
    body: dict[str, Any] = {"mid": message.id}
    if echo:
        body["is_echo"] = True
    if message.text:
        body["text"] = message.text
    found = attachments(state, message)
    if found:
        body["attachments"] = found
    story = message.story
    if story is not None and story.kind == "reply_to":
        url = _url(state, story.id) if story.media else ""
        body["reply_to"] = {"story": {"url": url, "id": story.id}}
    elif message.reply_to:
        body["reply_to"] = {"mid": message.reply_to}
    if message.unsupported:
        body["is_unsupported"] = True
    return {**_people(sender, recipient, message.created_time), "message": body}


def emit_message(state: SandboxState, message: Message) -> None:
    """A new message (customer) or its echo (shop): field ``messages``."""
    state.webhooks.emit("messages", message_item(state, message))


def emit_unsend(state: SandboxState, message: Message, flag: DeletedFlag | None = None) -> None:
    sender, recipient, echo = _sides(state, message)
    body: dict[str, Any] = {"mid": message.id}
    if echo:
        body["is_echo"] = True
    body["is_deleted"] = next(state.webhooks.deleted_flags) if flag is None else flag
    item = {**_people(sender, recipient, state.clock.now()), "message": body}
    state.webhooks.emit("messages", item)


def emit_reaction(
    state: SandboxState, reactor: str, other: str, mid: str, emoji: str | None
) -> None:
    """``emoji`` None is an unreact."""
    body: dict[str, Any] = {"mid": mid, "action": "react" if emoji else "unreact"}
    if emoji:
        body["reaction"] = REACTION_NAMES.get(emoji, "other")
        body["emoji"] = emoji
    item = {**_people(reactor, other, state.clock.now()), "reaction": body}
    state.webhooks.emit("message_reactions", item)


def emit_read(state: SandboxState, customer_id: str, mid: str) -> None:
    shop = state.world.shop.ig_id
    item = {**_people(customer_id, shop, state.clock.now()), "read": {"mid": mid}}
    state.webhooks.emit("messaging_seen", item)


def emit_edit(state: SandboxState, message: Message, edits: int) -> None:
    sender, recipient, _echo = _sides(state, message)
    body = {"mid": message.id, "text": message.text, "num_edit": edits}
    item = {**_people(sender, recipient, state.clock.now()), "message_edit": body}
    state.webhooks.emit("message_edit", item)


def emit_postback(state: SandboxState, customer_id: str, title: str, payload: str) -> str:
    """A tap on a postback button or an icebreaker; returns the postback's mid."""
    shop = state.world.shop.ig_id
    mid = state.world.new_message_id(f"postback:{customer_id}")
    body = {"mid": mid, "title": title, "payload": payload}
    item = {**_people(customer_id, shop, state.clock.now()), "postback": body}
    state.webhooks.emit("messaging_postbacks", item)
    return mid


def emit_referral(state: SandboxState, customer_id: str, ref: str, source: str) -> None:
    shop = state.world.shop.ig_id
    body = {"ref": ref, "source": source, "type": "OPEN_THREAD"}
    item = {**_people(customer_id, shop, state.clock.now()), "referral": body}
    state.webhooks.emit("messaging_referral", item)
