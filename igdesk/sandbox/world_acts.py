"""What people do to the world at run time, each change followed by its webhook event.

The control API (act_routes.py) and the customer simulator call these. Each function checks
its request (ValueError with a readable reason, nothing changed), changes the world, then
emits the webhook event (webhook_events.py), which the hub delivers in the background.

Message content (``customer_writes``, ``shop_writes``), exactly one of:

- ``text`` (a customer's may go with ``story: {"kind": "reply_to", "media"?}``: a story reply);
- ``attachments``: ``[{"type": image|video|audio|file, "media"?}]``;
- ``share``: ``{"kind": ig_post|share|reel, "media"? | "link"?, "name"?}`` (the shop: only
  ``{"post_id"}``, one of its posts);
- ``story: {"kind": "mention", "media"?}`` (customers only; ``media: null`` = expired);
- ``sticker``: true (the heart) or a media key.

plus an optional ``reply_to`` (the mid of a not-unsent message of the thread).

Choices the sheet leaves open: an edit changes the text the read API shows, at most 5 edits
per message (Messenger's limit), and does not move the thread's ``updated_time``; postbacks,
referrals, reactions and reads do not open the messaging window (the world keeps no time for
them, so the sandbox stays on the strict side); a postback leaves no message in the thread.
The shop writing "from the Instagram app" has no 24 h window and needs no token.
"""

from __future__ import annotations

from typing import Any

from igdesk.domain import format_graph_time
from igdesk.sandbox import webhook_events as events
from igdesk.sandbox.media import LIBRARY
from igdesk.sandbox.model import (
    Attachment,
    Customer,
    DeletedFlag,
    Message,
    Reaction,
    Share,
    Story,
    Thread,
    World,
    numeric_id,
)
from igdesk.sandbox.state import SandboxState

DEFAULT_MEDIA = {"image": "batik_red", "video": "clip", "audio": "voice_wav", "file": "invoice_pdf"}
MAX_EDITS = 5


def _media(key: Any) -> str:
    if key not in LIBRARY:
        raise ValueError(f"unknown media {key!r}")
    return str(key)


def find_customer(world: World, spec: dict[str, Any], *, create: bool = False) -> Customer:
    """The customer named by ``customer_id`` or ``username``; with `create`, an unknown
    username gives a new Customer that is not yet in the world (the caller adds it)."""
    if spec.get("customer_id"):
        customer = world.customers.get(str(spec["customer_id"]))
        if customer is None:
            raise ValueError(f"no customer with id {spec['customer_id']}")
        return customer
    if not spec.get("username"):
        raise ValueError("give customer_id or username")
    found = world.customer_by_username(str(spec["username"]))
    if found is not None:
        return found
    if not create:
        raise ValueError(f"no customer @{spec['username']}")
    username = str(spec["username"]).lstrip("@")
    return Customer(
        id=numeric_id("igsid:" + username),
        username=username,
        name=spec.get("name", username),
        follows_business=bool(spec.get("follows_business", False)),
        avatar="avatar_1",
    )


def _share(world: World, spec: Any, mid: str, from_shop: bool) -> Share:
    if not isinstance(spec, dict):
        raise ValueError("share must be an object")
    if from_shop:
        post = world.post(str(spec.get("post_id")))
        if post is None:
            raise ValueError("the shop shares one of its posts: give post_id")
        return Share(id=f"{mid}.share0", kind="ig_post", media=post.media)
    kind = spec.get("kind", "ig_post")
    if kind not in ("ig_post", "share", "reel"):
        raise ValueError("share kind must be ig_post, share or reel")
    media = _media(spec["media"]) if spec.get("media") else None
    link = spec.get("link")
    if media is None and not link:
        media = "batik_blue"
    return Share(id=f"{mid}.share0", kind=kind, media=media, link=link, name=spec.get("name"))


def _story(spec: Any, mid: str, from_shop: bool) -> Story:
    if from_shop or not isinstance(spec, dict) or spec.get("kind") not in ("reply_to", "mention"):
        raise ValueError('story must be {"kind": "reply_to"|"mention"} (customers only)')
    media = spec.get("media", "story_1")
    return Story(
        id=numeric_id(f"story:{mid}", 17),
        kind=spec["kind"],
        media=None if media is None else _media(media),
    )


def build_content(
    world: World, thread: Thread | None, spec: dict[str, Any], mid: str, *, from_shop: bool
) -> dict[str, Any]:
    """Message keyword arguments from a write request; ValueError when it is not one message."""
    story = _story(spec["story"], mid, from_shop) if spec.get("story") is not None else None
    given = [key for key in ("text", "attachments", "share", "sticker") if spec.get(key)]
    if story is not None and story.kind == "mention":
        given.append("mention")
    if len(given) != 1 or (story is not None and story.kind == "reply_to" and given != ["text"]):
        raise ValueError(
            "give exactly one of text, attachments, share, sticker or a story mention "
            "(a story reply goes with text)"
        )
    attachments = []
    for number, item in enumerate(spec.get("attachments") or []):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in DEFAULT_MEDIA:
            raise ValueError("attachment type must be image, video, audio or file")
        media = _media(item.get("media", DEFAULT_MEDIA[kind]))
        attachments.append(Attachment(id=f"{mid}.att{number}", kind=kind, media=media))
    sticker = spec.get("sticker")
    reply_to = spec.get("reply_to")
    visible = thread.visible_newest_first() if thread else []
    if reply_to is not None and not any(m.id == reply_to for m in visible):
        raise ValueError("reply_to must be a message of this thread that was not unsent")
    return {
        "text": str(spec.get("text") or ""),
        "attachments": attachments,
        "shares": [_share(world, spec["share"], mid, from_shop)] if spec.get("share") else [],
        "story": story,
        "sticker": ("sticker_heart" if sticker is True else _media(sticker)) if sticker else None,
        "reply_to": reply_to,
    }


def _write(
    state: SandboxState, customer: Customer, spec: dict[str, Any], from_shop: bool
) -> dict[str, Any]:
    """Validate first, then change the world: a refused request leaves no trace."""
    world = state.world
    mid = world.new_message_id(world.thread_id_for(customer.id))
    content = build_content(world, world.thread_of(customer.id), spec, mid, from_shop=from_shop)
    if customer.id not in world.customers:
        world.add_customer(customer)
    thread = world.thread_for(customer)
    shop = world.shop.ig_id
    message = Message(
        id=mid,
        thread_id=thread.id,
        sender_id=shop if from_shop else customer.id,
        recipient_id=customer.id if from_shop else shop,
        created_time=state.clock.now(),
        **content,
    )
    world.append(thread, message)
    events.emit_message(state, message)
    return {
        "thread_id": thread.id,
        "message_id": message.id,
        "customer_id": customer.id,
        "created_time": format_graph_time(message.created_time),
    }


def customer_writes(state: SandboxState, spec: dict[str, Any]) -> dict[str, Any]:
    """A customer writes now; unknown usernames become new customers with a new thread."""
    return _write(state, find_customer(state.world, spec, create=True), spec, from_shop=False)


def shop_writes(state: SandboxState, spec: dict[str, Any]) -> dict[str, Any]:
    """The shop writes from the Instagram app: no token, no window; the webhook is an echo."""
    return _write(state, find_customer(state.world, spec), spec, from_shop=True)


def unsend(state: SandboxState, mid: str, flag: DeletedFlag | None = None) -> Thread:
    """The sender takes a message back; the webhook says ``is_deleted`` (`flag`, or alternating)."""
    if flag not in (None, True, "true"):
        raise ValueError('deleted_as must be true or "true"')
    thread = state.world.unsend(mid, state.clock.now())
    message = next(m for m in thread.messages if m.id == mid)
    events.emit_unsend(state, message, flag)
    return thread


def _visible(world: World, mid: Any) -> tuple[Thread, Message]:
    found = world.find_message(str(mid))
    if found is None or found[1].deleted:
        raise ValueError(f"no message {mid} (or it was unsent)")
    return found


def customer_reacts(state: SandboxState, spec: dict[str, Any]) -> dict[str, Any]:
    """``{"message_id", "emoji"?: "❤️", "action"?: "react"|"unreact"}`` by the thread's customer."""
    thread, message = _visible(state.world, spec.get("message_id"))
    action = spec.get("action", "react")
    emoji = str(spec.get("emoji") or "❤️")
    if action not in ("react", "unreact"):
        raise ValueError("action must be react or unreact")
    who = thread.customer.id
    had = any(who in r.user_ids for r in message.reactions)
    if action == "unreact" and not had:
        raise ValueError("the customer has no reaction on this message")
    for reaction in message.reactions:
        if who in reaction.user_ids:
            reaction.user_ids.remove(who)
    message.reactions = [r for r in message.reactions if r.user_ids]
    if action == "react":
        name = events.REACTION_NAMES.get(emoji)
        message.reactions.append(Reaction(emoji=emoji, user_ids=[who], name=name))
    shop = state.world.shop.ig_id
    events.emit_reaction(state, who, shop, message.id, emoji if action == "react" else None)
    return {"message_id": message.id, "action": action}


def customer_edits(state: SandboxState, spec: dict[str, Any]) -> dict[str, Any]:
    """``{"message_id", "text"}``: the customer edits one of their text messages."""
    thread, message = _visible(state.world, spec.get("message_id"))
    text = spec.get("text")
    if message.sender_id != thread.customer.id or not message.text:
        raise ValueError("only the customer's own text messages can be edited")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    if message.edits >= MAX_EDITS:
        raise ValueError(f"a message can be edited at most {MAX_EDITS} times")
    message.text = text
    message.edits += 1
    events.emit_edit(state, message, message.edits)
    return {"message_id": message.id, "num_edit": message.edits}


def customer_reads(state: SandboxState, spec: dict[str, Any]) -> dict[str, Any]:
    """The customer sees the shop's message (``message_id``, default the newest one)."""
    customer = find_customer(state.world, spec)
    thread = state.world.thread_of(customer.id)
    shop = state.world.shop.ig_id
    mine = [m for m in thread.visible_newest_first() if m.sender_id == shop] if thread else []
    wanted = spec.get("message_id")
    seen = next((m for m in mine if m.id == wanted or not wanted), None)
    if seen is None:
        raise ValueError("no message of the shop to read in this customer's thread")
    events.emit_read(state, customer.id, seen.id)
    return {"message_id": seen.id}


def customer_postback(state: SandboxState, spec: dict[str, Any]) -> dict[str, Any]:
    """A tap on a template's postback button (``message_id``, ``button``?) or an icebreaker
    (``customer_id|username``, ``title``, ``payload``)."""
    if spec.get("message_id"):
        thread, message = _visible(state.world, spec["message_id"])
        buttons = message.template.buttons if message.template else []
        postbacks = [b for b in buttons if b.type == "postback"]
        index = spec.get("button", 0)
        if not isinstance(index, int) or not 0 <= index < len(postbacks):
            raise ValueError("the message has no such postback button")
        customer_id, title = thread.customer.id, postbacks[index].title
        payload = postbacks[index].payload or ""
    else:
        customer_id = find_customer(state.world, spec).id
        if not isinstance(spec.get("title"), str) or not isinstance(spec.get("payload"), str):
            raise ValueError("an icebreaker needs title and payload strings")
        title, payload = spec["title"], spec["payload"]
    mid = events.emit_postback(state, customer_id, title, payload)
    return {"mid": mid, "title": title, "payload": payload}


def customer_referral(state: SandboxState, spec: dict[str, Any]) -> dict[str, Any]:
    """The customer opens the thread through an ig.me link with ``ref``."""
    customer = find_customer(state.world, spec, create=True)
    ref = spec.get("ref")
    if not isinstance(ref, str) or not ref:
        raise ValueError("ref must be a non-empty string")
    if customer.id not in state.world.customers:
        state.world.add_customer(customer)
    source = str(spec.get("source", "SHORTLINK"))
    events.emit_referral(state, customer.id, ref, source)
    return {"customer_id": customer.id, "ref": ref, "source": source}
