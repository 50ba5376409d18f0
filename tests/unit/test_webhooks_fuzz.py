"""Fuzzing the webhook parser: whatever the body, events or `PayloadError`, nothing else.

Each event that comes out must also be safe to use downstream: its dedupe key, time, raw item
(UTF-8 storable JSON) and, for a message, the domain `Message`. Example counts stay modest so the
file runs in a few seconds; no example database is written.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from igdesk.domain import Message
from igdesk.webhooks import MessageEvent, PayloadError, WebhookEvent, parse_payload, to_message

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Keys the parser looks at, so random trees reach its branches, not only "unknown".
KEYS = (
    "object",
    "entry",
    "id",
    "time",
    "messaging",
    "standby",
    "changes",
    "field",
    "value",
    "sender",
    "recipient",
    "timestamp",
    "message",
    "mid",
    "text",
    "attachments",
    "type",
    "payload",
    "url",
    "title",
    "elements",
    "buttons",
    "default_action",
    "reply_to",
    "story",
    "is_echo",
    "is_self",
    "is_deleted",
    "is_unsupported",
    "quick_reply",
    "referral",
    "ads_context_data",
    "reaction",
    "action",
    "emoji",
    "read",
    "watermark",
    "message_edit",
    "num_edit",
    "postback",
    "pass_thread_control",
    "take_thread_control",
    "request_thread_control",
    "generic_template",
    "sticker",
    "shares",
    "data",
)

# Surrogates included: json.dumps escapes them, so lone `\ud800`s reach the parser.
TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
    | st.sampled_from(["instagram", "true", "react", "unreact", "template", "image", "ig_post"])
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | TEXT, children, max_size=5)
    ),
    max_leaves=25,
)

VALID: dict[str, Any] = {
    "object": "instagram",
    "entry": [
        {
            "id": "17841400000000001",
            "time": 1569262486134,
            "messaging": [
                {
                    "sender": {"id": "654321"},
                    "recipient": {"id": "17841400000000001"},
                    "timestamp": 1569262485349,
                    "message": {
                        "mid": "m-1",
                        "text": "Halo",
                        "attachments": [{"type": "ig_reel", "payload": {"url": "https://r"}}],
                        "reply_to": {"story": {"url": "https://s", "id": "s1"}},
                        "is_deleted": "true",
                        "quick_reply": {"payload": "P"},
                        "referral": {"ref": "r", "ads_context_data": {"ad_title": "t"}},
                    },
                },
                {
                    "sender": {"id": "654321"},
                    "recipient": {"id": "17841400000000001"},
                    "timestamp": 1569262485350,
                    "reaction": {"mid": "m-1", "action": "react", "emoji": "❤"},
                },
            ],
            "standby": [{"timestamp": 1, "pass_thread_control": {"new_owner_app_id": "1"}}],
            "changes": [
                {"field": "messages", "value": {"message_edit": {"mid": "m", "num_edit": 1}}}
            ],
        }
    ],
}
VALID_BYTES = json.dumps(VALID).encode()


def check(body: bytes) -> None:
    """Events (each usable downstream) or PayloadError; any other exception fails the test."""
    try:
        events = parse_payload(body)
    except PayloadError:
        return
    stamps = [e.timestamp for e in events if e.timestamp is not None]
    assert stamps == sorted(stamps)
    for event in events:
        assert isinstance(event, WebhookEvent)
        assert isinstance(event.dedupe_key, str)
        _ = (event.time, event.customer_id, event.from_shop)
        json.dumps(dict(event.raw), ensure_ascii=False).encode("utf-8")
        if isinstance(event, MessageEvent):
            message = to_message(event, shop_id="17841400000000001", thread_id="t")
            assert message is None or isinstance(message, Message)
            if message is not None:
                message.text.encode("utf-8")


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(body: bytes) -> None:
    check(body)


@FUZZ
@given(JSON)
def test_arbitrary_json_documents(document: object) -> None:
    check(json.dumps(document).encode())


@FUZZ
@given(JSON, st.sampled_from(["entry", "entry_item", "items", "item", "message", "attachments"]))
def test_arbitrary_json_inside_a_valid_envelope(tree: object, where: str) -> None:
    item: dict[str, Any] = {"sender": {"id": "1"}, "timestamp": 1, "message": {"mid": "m"}}
    if where == "entry":
        document: object = {"object": "instagram", "entry": tree}
    elif where == "entry_item":
        document = {"object": "instagram", "entry": [tree]}
    elif where == "items":
        document = {"object": "instagram", "entry": [{"id": "1", "messaging": tree}]}
    elif where == "item":
        document = {"object": "instagram", "entry": [{"id": "1", "standby": [tree]}]}
    elif where == "message":
        document = {"object": "instagram", "entry": [{"messaging": [item | {"message": tree}]}]}
    else:
        message = {"mid": "m", "attachments": tree, "reply_to": tree, "sticker": tree}
        document = {"object": "instagram", "entry": [{"messaging": [item | {"message": message}]}]}
    check(json.dumps(document).encode())


def _mutate(node: object, data: st.DataObject) -> object:
    """The valid payload with some subtrees replaced by arbitrary JSON, others descended into."""
    if data.draw(st.integers(0, 9)) == 0:
        return data.draw(JSON)
    if isinstance(node, dict):
        return {key: _mutate(value, data) for key, value in node.items()}
    if isinstance(node, list):
        return [_mutate(value, data) for value in node]
    return node


@FUZZ
@given(st.data())
def test_structurally_mutated_valid_payloads(data: st.DataObject) -> None:
    check(json.dumps(_mutate(VALID, data)).encode())


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID_BYTES) - 1), st.binary(max_size=3)), max_size=4))
def test_byte_mutated_valid_payloads(edits: list[tuple[int, bytes]]) -> None:
    body = bytearray(VALID_BYTES)
    for position, replacement in edits:
        body[position : position + len(replacement)] = replacement
    check(bytes(body))


def test_the_valid_sample_parses() -> None:
    kinds = sorted(type(e).__name__ for e in parse_payload(VALID_BYTES))
    assert kinds == ["HandoverEvent", "MessageEditEvent", "MessageEvent", "ReactionEvent"]
