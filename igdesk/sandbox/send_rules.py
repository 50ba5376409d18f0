"""The Send API's refusals that need no network: recipient, window, tags, text, reply_to.

Error choices, per instagram-api.md ("Send API", "messaging_type / tags / windows", "no
matching user", "sender actions and the window"):

- recipient id that is no customer of this shop: code 100, subcode 2018001, type
  IGApiException, "(#100) No matching user found"; a customer who is unavailable, or who never
  wrote to the shop (conversations must be started by the user): 551 "This person isn't
  available right now." (subcode 1545041).
- ``tag: HUMAN_AGENT`` when the world does not grant the Human Agent feature: code 10, no
  subcode, OAuthException, "(#10) Application does not have permission for this action",
  inside the 24 h window too (a permission is checked whatever the window), and told apart
  from the closed window by the missing subcode.
- outside the window: code 10, subcode 2534022 "This message is sent outside of allowed
  window." (24 h; 7 days with HUMAN_AGENT when the feature is granted). Sender actions
  (``typing_on``, ``typing_off``, ``mark_seen``, ``react``, ``unreact``) get the same refusal
  outside 24 h: no tag widens their window.
- a tag other than HUMAN_AGENT, MESSAGE_TAG without a tag, a tag with another messaging_type,
  an unknown messaging_type: code 100.
- text: not a string, empty or whitespace only, or over 1000 UTF-8 bytes: code 100.
- ``reply_to.mid`` that is not a (not unsent) message of the recipient's thread: code 100.

The window opens at the customer's last message (story replies are messages). Reactions and
postbacks would count too, but the world keeps no time for reactions and has no postbacks.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from igdesk.domain import HUMAN_AGENT_WINDOW, MAX_TEXT_BYTES, STANDARD_WINDOW, text_bytes
from igdesk.sandbox.errors import GraphError, no_permission, param_error
from igdesk.sandbox.model import Customer, Thread, World

MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
TAGS = ("HUMAN_AGENT",)


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


def no_matching_user() -> GraphError:
    return GraphError(
        "(#100) No matching user found", code=100, subcode=2018001, type="IGApiException"
    )


def json_field(value: Any, name: str) -> Any:
    """Form-encoded sends carry `recipient`/`message`/`payload` as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise param_error(f"Param {name} must be a JSON object") from None
    return value


def recipient(world: World, body: dict[str, Any]) -> tuple[Customer, Thread]:
    """The customer and thread a send goes to, or the refusal Meta gives."""
    value = json_field(body.get("recipient"), "recipient")
    if not isinstance(value, dict) or not value.get("id"):
        raise param_error("param recipient[id] must be non-empty")
    customer = world.customers.get(str(value["id"]))
    if customer is None:
        raise no_matching_user()
    thread = world.thread_of(customer.id)
    if thread is None or not customer.available or thread.last_customer_time() is None:
        raise unavailable()
    return customer, thread


def check_tagging(world: World, body: dict[str, Any]) -> None:
    """messaging_type and tag must make sense, and be granted, before the window is looked at."""
    messaging_type = body.get("messaging_type")
    tag = body.get("tag")
    if messaging_type is not None and messaging_type not in MESSAGING_TYPES:
        raise param_error("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
    if tag is not None and tag not in TAGS:
        raise param_error("Param tag must be one of {HUMAN_AGENT}")
    if tag is not None and messaging_type not in (None, "MESSAGE_TAG"):
        raise param_error("Param tag can only be used with messaging_type MESSAGE_TAG")
    if messaging_type == "MESSAGE_TAG" and tag is None:
        raise param_error("Param tag is required when messaging_type is MESSAGE_TAG")
    if tag == "HUMAN_AGENT" and not world.human_agent:
        raise no_permission()


def _age(thread: Thread, now: datetime) -> timedelta:
    last = thread.last_customer_time()
    assert last is not None  # recipient() refused threads the customer never wrote in
    return now - last


def check_window(world: World, thread: Thread, body: dict[str, Any], now: datetime) -> None:
    """24 h from the customer's last message; 7 days with HUMAN_AGENT if the feature is granted."""
    age = _age(thread, now)
    if age <= STANDARD_WINDOW:
        return
    if body.get("tag") == "HUMAN_AGENT" and world.human_agent and age <= HUMAN_AGENT_WINDOW:
        return
    raise outside_window()


def check_action_window(thread: Thread, now: datetime) -> None:
    """Sender actions: 24 h from the customer's last message, never widened."""
    if _age(thread, now) > STANDARD_WINDOW:
        raise outside_window()


def check_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise param_error("param message[text] must be a non-empty UTF-8 encoded string")
    if text_bytes(text) > MAX_TEXT_BYTES:
        raise param_error(
            f"Length of param message[text] must be less than or equal to {MAX_TEXT_BYTES} bytes"
        )
    return text


def reply_target(thread: Thread, body: dict[str, Any]) -> str | None:
    """The mid of an inline reply (``reply_to: {"mid": ...}``), checked against the thread."""
    value = json_field(body.get("reply_to"), "reply_to")
    if value is None:
        return None
    mid = value.get("mid") if isinstance(value, dict) else None
    if not isinstance(mid, str) or not any(m.id == mid for m in thread.visible_newest_first()):
        raise param_error("param reply_to[mid] must be a message of this conversation")
    return mid
