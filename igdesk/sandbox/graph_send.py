"""The Send API: ``POST /<account>/messages`` (messages and sender actions) and, for Page
tokens, ``POST /<PAGE_ID>/message_attachments`` (reusable attachment ids).

A send is checked in this order, each refusal in the Graph envelope: rate (613, usage
headers at 100 %), recipient (100/2018001 or 551), messaging_type/tag (100; HUMAN_AGENT
without the feature 10 without subcode), body (100), ``reply_to`` (100), window (10/2534022),
attachment fetch (100/2018047). A sender action: rate, recipient, action name (100), window
(10/2534022, 24 h, no tag widens it), then its payload (100). See send_rules.py
and send_media.py for the exact rules. Rate: 100 sends/s per account for text, links,
reactions, stickers, shares, images and files; 10/s for audio and video (instagram-api.md
section 4). 613 rather than 80006: the limit is a per-account call-rate limit on one API,
which Graph reports as 613 ("Calls to this api have exceeded the rate limit"); 80006 is the
Messenger business-use-case code and the sheet marks it UNSURE. Like the conversations limit,
it is a sliding window with a little slack: a burst is refused, a steady client never is.

A successful send appends a shop message whose id is the returned ``message_id`` (the echo's
``mid``), so the thread moves to the top and polling sees it, and queues its webhook echo
(``is_echo: true``, sender = shop, recipient = customer, ``mid`` = ``message_id``; field
``messages``), delivered in the background after the answer. Sender actions (``react``,
``unreact``, ``mark_seen``, typing) have no webhook: the sheet documents echoes for messages
only and reaction webhooks for the customer's reactions (see webhook_events.py).

Every attempt, refused or not, is recorded in ``world.sends`` (``time``, ``body``, ``ok``,
``error_code``, ``error_subcode``, ``detail``) and every sender action in
``world.sender_actions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from igdesk.sandbox import webhook_events
from igdesk.sandbox.call import GraphCall
from igdesk.sandbox.errors import GraphError, param_error, rate_limited
from igdesk.sandbox.model import Attachment, Message, Reaction, Share, Thread
from igdesk.sandbox.send_media import (
    Plan,
    UploadFailure,
    obtain,
    peek_bucket,
    plan_message,
    reusable_id,
    wanted_file,
)
from igdesk.sandbox.send_rules import (
    check_action_window,
    check_tagging,
    check_window,
    json_field,
    outside_window,
    recipient,
    reply_target,
    unavailable,
)
from igdesk.sandbox.state import SandboxState

__all__ = ["outside_window", "send", "unavailable", "upload_attachment"]

SENDER_ACTIONS = ("typing_on", "typing_off", "mark_seen", "react", "unreact")


def _rate_gate(state: SandboxState, bucket: str) -> None:
    account = state.world.shop.ig_id
    limit = state.send_media_limit if bucket == "media" else state.send_limit
    if not limit.hit(account):
        error = rate_limited(613)
        error.headers = state.usage.headers(account, throttled=True)
        raise error


def _sender_action(
    state: SandboxState, thread: Thread, action: str, body: dict[str, Any], now: datetime
) -> None:
    if action not in SENDER_ACTIONS:
        raise param_error("Param sender_action must be one of {" + ", ".join(SENDER_ACTIONS) + "}")
    check_action_window(thread, now)
    payload = json_field(body.get("payload"), "payload") or {}
    if action == "mark_seen":
        thread.seen_marks.append(now)
    elif action in ("react", "unreact"):
        mid = payload.get("message_id") if isinstance(payload, dict) else None
        target = next((m for m in thread.visible_newest_first() if m.id == mid), None)
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


def _failure(record: dict[str, Any], error: GraphError) -> dict[str, Any]:
    failed = {**record, "ok": False, "error_code": error.code, "error_subcode": error.subcode}
    failed["detail"] = error.reason if isinstance(error, UploadFailure) else error.message
    return failed


async def send(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """POST /<account>/messages."""
    world = state.world
    body = call.body
    record: dict[str, Any] = {"time": state.now_text(), "body": body}
    action = body.get("sender_action")
    try:
        raw = None if action is not None else json_field(body.get("message"), "message")
        _rate_gate(state, "text" if action is not None else peek_bucket(raw))
        customer, thread = recipient(world, body)
        record["recipient_id"] = customer.id
        record["thread_id"] = thread.id
        if action is not None:
            _sender_action(state, thread, str(action), body, state.clock.now())
            world.sender_actions.append({**record, "action": action, "ok": True})
            return {"recipient_id": customer.id}
        check_tagging(world, body)
        plan = plan_message(world, raw)
        reply_to = reply_target(thread, body)
        check_window(world, thread, body, state.clock.now())
        keys = await obtain(world, plan.files, state.options.fetch_timeout)
    except GraphError as error:
        if action is None:
            world.sends.append(_failure(record, error))
        else:
            world.sender_actions.append(
                {
                    **record,
                    "action": action,
                    "ok": False,
                    "error_code": error.code,
                    "error_subcode": error.subcode,
                }
            )
        raise
    mid = world.new_message_id(thread.id)
    sent = _message(state, plan, keys, mid, thread, reply_to)
    world.append(thread, sent)
    webhook_events.emit_message(state, sent)
    answer = {"recipient_id": customer.id, "message_id": mid}
    if len(plan.files) == 1 and plan.files[0].reusable and plan.files[0].url:
        answer["attachment_id"] = reusable_id(world, plan.files[0].kind, keys[0])
    world.sends.append(
        {
            **record,
            "ok": True,
            "message_id": mid,
            "messaging_type": body.get("messaging_type"),
            "tag": body.get("tag"),
            "reply_to": reply_to,
            "post_id": plan.post.id if plan.post else None,
            "content": [w.kind for w in plan.files]
            or (["text"] if plan.text else ["sticker"] if plan.sticker else ["share"]),
        }
    )
    return answer


def _message(
    state: SandboxState, plan: Plan, keys: list[str], mid: str, thread: Thread, reply_to: str | None
) -> Message:
    attachments = [
        Attachment(id=f"{mid}.att{number}", kind=wanted.kind, media=key)  # type: ignore[arg-type]
        for number, (wanted, key) in enumerate(zip(plan.files, keys, strict=True))
    ]
    shares = [Share(id=f"{mid}.share0", kind="ig_post", media=plan.post.media)] if plan.post else []
    return Message(
        id=mid,
        thread_id=thread.id,
        sender_id=state.world.shop.ig_id,
        recipient_id=thread.customer.id,
        created_time=state.clock.now(),
        text=plan.text,
        attachments=attachments,
        shares=shares,
        sticker=plan.sticker,
        reply_to=reply_to,
    )


async def upload_attachment(state: SandboxState, call: GraphCall) -> dict[str, Any]:
    """POST /<PAGE_ID>/message_attachments (Attachment Upload API, Page flavour):
    ``{"platform":"instagram","message":{"attachment":{"type","payload":{"url",
    "is_reusable":true}}}}`` → ``{"attachment_id": "<id>"}`` usable as ``payload.attachment_id``.
    """
    if (call.param("platform") or "").lower() != "instagram":
        raise param_error("Param platform must be instagram")
    message = json_field(call.body.get("message"), "message")
    item = message.get("attachment") if isinstance(message, dict) else None
    wanted = wanted_file(item, "message[attachment]", ("image", "audio", "video", "file"))
    if wanted.url is None:
        raise param_error("param message[attachment][payload][url] must be a valid URL")
    keys = await obtain(state.world, [wanted], state.options.fetch_timeout)
    return {"attachment_id": reusable_id(state.world, wanted.kind, keys[0])}
