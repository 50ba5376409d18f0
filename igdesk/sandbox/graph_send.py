"""The Send API: text and simple attachments, sender actions, the messaging window.

Rules enforced, as instagram-api.md states them: text ≤ 1000 UTF-8 bytes (code 100);
24 h after the customer's last message (code 10 / 2534022 outside); the HUMAN_AGENT tag
extends that to 7 days only when the scenario grants the Human Agent feature; an unknown
or unavailable recipient answers 551. Every attempt is recorded in ``world.sends`` and
every sender action in ``world.sender_actions``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from igdesk.domain import HUMAN_AGENT_WINDOW, MAX_TEXT_BYTES, STANDARD_WINDOW, text_bytes
from igdesk.sandbox.call import GraphCall
from igdesk.sandbox.errors import GraphError, param_error, rate_limited
from igdesk.sandbox.model import Attachment, Customer, Message, Reaction, Share, Thread
from igdesk.sandbox.state import SandboxState

SENDER_ACTIONS = ("typing_on", "typing_off", "mark_seen", "react", "unreact")
MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
_STAND_IN_MEDIA = {
    "image": "batik_blue",
    "video": "clip",
    "audio": "voice_m4a",
    "file": "invoice_pdf",
}


def outside_window() -> GraphError:
    return GraphError(
        "This message is sent outside of allowed window.",
        code=10,
        subcode=2534022,
        type="IGApiException",
    )


def unavailable() -> GraphError:
    return GraphError(
        "This person isn't available right now.", code=551, subcode=1545041, type="IGApiException"
    )


def _json_field(value: Any, name: str) -> Any:
    """Form-encoded sends carry `recipient`/`message` as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise param_error(f"Param {name} must be a JSON object") from None
    return value


def _recipient(state: SandboxState, body: dict[str, Any]) -> tuple[Customer, Thread]:
    recipient = _json_field(body.get("recipient"), "recipient")
    if not isinstance(recipient, dict) or not recipient.get("id"):
        raise param_error("param recipient[id] must be non-empty")
    customer = state.world.customers.get(str(recipient["id"]))
    thread = state.world.thread_of(customer.id) if customer else None
    if customer is None or thread is None or not customer.available:
        raise unavailable()
    if thread.last_customer_time() is None:
        raise unavailable()
    return customer, thread


def _check_window(state: SandboxState, thread: Thread, body: dict[str, Any]) -> None:
    messaging_type = body.get("messaging_type")
    tag = body.get("tag")
    if messaging_type is not None and messaging_type not in MESSAGING_TYPES:
        raise param_error("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
    if tag is not None and tag != "HUMAN_AGENT":
        raise param_error("Param tag must be one of {HUMAN_AGENT}")
    if tag is not None and messaging_type not in (None, "MESSAGE_TAG"):
        raise param_error("Param tag can only be used with messaging_type MESSAGE_TAG")
    last = thread.last_customer_time()
    assert last is not None  # _recipient refused threads the customer never wrote in
    age = state.clock.now() - last
    if age <= STANDARD_WINDOW:
        return
    if tag == "HUMAN_AGENT" and state.world.human_agent and age <= HUMAN_AGENT_WINDOW:
        return
    raise outside_window()


def _content(state: SandboxState, message: dict[str, Any], mid: str) -> dict[str, Any]:
    """Text or attachments of a send, validated, as Message constructor arguments."""
    text = message.get("text")
    raw = message.get("attachments", message.get("attachment"))
    if text is not None and raw is not None:
        raise param_error("Only one of message[text] or message[attachment] may be set")
    if text is not None:
        if not isinstance(text, str) or not text:
            raise param_error("param message[text] must be non-empty")
        if text_bytes(text) > MAX_TEXT_BYTES:
            raise param_error(
                "Length of param message[text] must be less than or equal to "
                f"{MAX_TEXT_BYTES} bytes"
            )
        return {"text": text}
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else None
    if not items:
        raise param_error("param message must contain text or an attachment")
    attachments: list[Attachment] = []
    shares: list[Share] = []
    sticker: str | None = None
    for number, item in enumerate(items):
        kind = str(item.get("type", "")) if isinstance(item, dict) else ""
        payload = item.get("payload") or {} if isinstance(item, dict) else {}
        if kind == "like_heart":
            sticker = "sticker_heart"
        elif kind == "MEDIA_SHARE" and payload.get("id"):
            shares.append(Share(id=f"{mid}.share{number}", kind="ig_post", media="batik_green"))
        elif kind in _STAND_IN_MEDIA and (payload.get("url") or payload.get("attachment_id")):
            attachments.append(
                Attachment(
                    id=f"{mid}.att{number}",
                    kind=kind,  # type: ignore[arg-type]
                    media=_STAND_IN_MEDIA[kind],
                )
            )
        else:
            raise param_error(f"Invalid attachment type or payload: {kind or 'missing'}")
    return {"attachments": attachments, "shares": shares, "sticker": sticker}


def _sender_action(
    state: SandboxState, thread: Thread, action: str, body: dict[str, Any], now: datetime
) -> None:
    if action not in SENDER_ACTIONS:
        raise param_error("Param sender_action must be one of {" + ", ".join(SENDER_ACTIONS) + "}")
    payload = _json_field(body.get("payload"), "payload") or {}
    if action == "mark_seen":
        thread.seen_marks.append(now)
    elif action in ("react", "unreact"):
        mid = payload.get("message_id") if isinstance(payload, dict) else None
        target = next((m for m in thread.messages if m.id == mid), None)
        if target is None:
            raise param_error("param payload[message_id] must be a message of this thread")
        shop_id = state.world.shop.ig_id
        for reaction in target.reactions:
            if shop_id in reaction.user_ids:
                reaction.user_ids.remove(shop_id)
        target.reactions = [r for r in target.reactions if r.user_ids]
        if action == "react":
            emoji = str(payload.get("reaction") or "love")
            name = "love" if emoji == "love" else None
            target.reactions.append(
                Reaction(emoji="❤️" if emoji == "love" else emoji, user_ids=[shop_id], name=name)
            )


def send(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """POST /<account>/messages."""
    world = state.world
    now = state.clock.now()
    body = call.body
    record: dict[str, Any] = {"time": state.now_text(), "body": body}
    action = body.get("sender_action")
    try:
        customer, thread = _recipient(state, body)
        record["recipient_id"] = customer.id
        record["thread_id"] = thread.id
        if not state.send_limit.hit(world.shop.ig_id):
            raise rate_limited(613)
        if action is not None:
            _sender_action(state, thread, str(action), body, now)
            world.sender_actions.append({**record, "action": action, "ok": True})
            return {"recipient_id": customer.id}
        message = _json_field(body.get("message"), "message")
        if not isinstance(message, dict):
            raise param_error("param message must be non-empty")
        mid = world.new_message_id(thread.id)
        content = _content(state, message, mid)
        _check_window(state, thread, body)
    except GraphError as error:
        if action is None:
            world.sends.append(
                {**record, "ok": False, "error_code": error.code, "error_subcode": error.subcode}
            )
        else:
            world.sender_actions.append(
                {**record, "action": action, "ok": False, "error_code": error.code}
            )
        raise
    sent = Message(
        id=mid,
        thread_id=thread.id,
        sender_id=world.shop.ig_id,
        recipient_id=customer.id,
        created_time=now,
        **content,
    )
    world.append(thread, sent)
    world.sends.append(
        {
            **record,
            "ok": True,
            "message_id": mid,
            "messaging_type": body.get("messaging_type"),
            "tag": body.get("tag"),
        }
    )
    return {"recipient_id": customer.id, "message_id": mid}
