"""Webhook bodies → typed events: every kind in instagram-api.md's shapes, batches, bad input.

Expected values are written out from the sheet's examples, never computed by the parser.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from igdesk.domain import Attachment, Message, TemplateButton
from igdesk.webhooks import (
    Channel,
    HandoverEvent,
    MessageEditEvent,
    MessageEvent,
    PayloadError,
    PayloadErrorReason,
    PostbackEvent,
    ReactionEvent,
    ReadEvent,
    Referral,
    ReferralEvent,
    StoryRef,
    UnknownEvent,
    parse_payload,
    to_message,
)

SHOP = "17841400000000001"  # IG_ID
CUSTOMER = "6543210987654321"  # IGSID
TS = 1569262485349


def item(event_key: str, obj: Any, *, ts: Any = TS, echo: bool = False) -> dict[str, Any]:
    sender, recipient = (SHOP, CUSTOMER) if echo else (CUSTOMER, SHOP)
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": ts,
        event_key: obj,
    }


def entry(*items: dict[str, Any], key: str = "messaging", **extra: Any) -> dict[str, Any]:
    return {"id": SHOP, "time": 1569262486134, key: list(items), **extra}


def body(*entries: dict[str, Any]) -> bytes:
    return json.dumps({"object": "instagram", "entry": list(entries)}).encode()


def messages(raw: bytes) -> list[MessageEvent]:
    events = parse_payload(raw)
    assert all(isinstance(e, MessageEvent) for e in events)
    return [e for e in events if isinstance(e, MessageEvent)]


def one(event_key: str, obj: Any, **kwargs: Any) -> Any:
    events = parse_payload(body(entry(item(event_key, obj, **kwargs))))
    assert len(events) == 1
    return events[0]


# --- message -----------------------------------------------------------------------------


def test_text_message_from_a_customer() -> None:
    event = one("message", {"mid": "m-1", "text": "Halo, masih ada?"})
    assert event == MessageEvent(
        shop_id=SHOP,
        sender_id=CUSTOMER,
        recipient_id=SHOP,
        timestamp=TS,
        mid="m-1",
        text="Halo, masih ada?",
    )
    assert event.channel is Channel.MESSAGING and not event.standby
    assert (event.from_shop, event.customer_id) == (False, CUSTOMER)
    assert event.time == datetime(2019, 9, 23, 18, 14, 45, 349000, tzinfo=UTC)
    assert event.raw["message"]["text"] == "Halo, masih ada?"


def test_echo_is_the_shops_own_send() -> None:
    event = one("message", {"mid": "m-2", "text": "Ada kak", "is_echo": True}, echo=True)
    assert (event.is_echo, event.is_self) == (True, False)
    assert (event.sender_id, event.recipient_id) == (SHOP, CUSTOMER)
    assert (event.from_shop, event.customer_id) == (True, CUSTOMER)


def test_echo_flag_alone_makes_it_the_shops() -> None:
    # Even when the ids do not say so (an entry.id in another form), is_echo decides.
    raw = item("message", {"mid": "m-3", "is_echo": True}, echo=True)
    raw["sender"] = {"id": "page-scoped"}
    (event,) = parse_payload(body(entry(raw)))
    assert (event.from_shop, event.customer_id) == (True, CUSTOMER)


def test_message_to_self_has_echo_and_self() -> None:
    raw = item("message", {"mid": "m-4", "text": "tes", "is_echo": True, "is_self": True})
    raw["sender"] = raw["recipient"] = {"id": SHOP}
    (event,) = messages(body(entry(raw)))
    assert (event.is_echo, event.is_self, event.from_shop, event.customer_id) == (
        True,
        True,
        True,
        SHOP,
    )


@pytest.mark.parametrize(
    ("value", "deleted"),
    [(True, True), ("true", True), ("TRUE", True), (False, False), ("false", False), (None, False)],
)
def test_is_deleted_as_bool_or_string(value: object, deleted: bool) -> None:
    event = one("message", {"mid": "m-5", "is_deleted": value})
    assert event.is_deleted is deleted


def test_unsupported_quick_reply_and_referral() -> None:
    event = one(
        "message",
        {
            "mid": "m-6",
            "text": "Size M",
            "is_unsupported": "true",
            "quick_reply": {"payload": "SIZE_M"},
            "referral": {
                "ref": "promo",
                "ad_id": "120200",
                "source": "ADS",
                "type": "OPEN_THREAD",
                "ads_context_data": {
                    "ad_title": "Sale",
                    "photo_url": "https://cdn/ad.jpg",
                    "video_url": "https://cdn/ad.mp4",
                },
            },
        },
    )
    assert event.is_unsupported is True
    assert event.quick_reply_payload == "SIZE_M"
    assert event.referral == Referral(
        "promo", "ADS", "OPEN_THREAD", "120200", "Sale", "https://cdn/ad.jpg", "https://cdn/ad.mp4"
    )
    assert one("message", {"mid": "m-7"}).quick_reply_payload is None


def test_reply_to_a_message_and_to_a_story() -> None:
    inline = one("message", {"mid": "m-8", "text": "yes", "reply_to": {"mid": "m-1"}})
    assert (inline.reply_to_mid, inline.reply_to_story) == ("m-1", None)
    story = one(
        "message",
        {
            "mid": "m-9",
            "text": "cute!",
            "reply_to": {"story": {"url": "https://cdn/s", "id": "s1"}},
        },
    )
    assert (story.reply_to_mid, story.reply_to_story) == (None, StoryRef("https://cdn/s", "s1"))
    assert story.attachments == (Attachment("story_reply", "https://cdn/s"),)


@pytest.mark.parametrize(
    ("webhook_type", "ours"),
    [
        ("image", "image"),
        ("media", "image"),
        ("video", "video"),
        ("audio", "audio"),
        ("file", "file"),
        ("share", "share"),
        ("ig_post", "ig_post"),
        ("ig_reel", "reel"),
        ("reel", "reel"),
        ("story_mention", "story_mention"),
        ("ig_story", "story_reply"),
        ("story", "story_reply"),
        ("sticker", "sticker"),
        ("like_heart", "sticker"),
    ],
)
def test_attachment_types(webhook_type: str, ours: str) -> None:
    url = f"https://cdn/{webhook_type}"
    event = one(
        "message", {"mid": "m-10", "attachments": [{"type": webhook_type, "payload": {"url": url}}]}
    )
    assert event.attachments == (Attachment(ours, url),)


def test_reel_title_and_several_attachments_in_order() -> None:
    event = one(
        "message",
        {
            "mid": "m-11",
            "attachments": [
                {
                    "type": "ig_reel",
                    "payload": {"url": "https://r", "title": "Drop", "reel_video_id": "9"},
                },
                {"type": "image", "payload": {"url": "https://i"}},
                {"type": "brand_new_type", "payload": {"url": "https://n"}},
            ],
        },
    )
    assert event.attachments == (
        Attachment("reel", "https://r", name="Drop"),
        Attachment("image", "https://i"),
        Attachment("brand_new_type", "https://n"),
    )


def test_template_attachment() -> None:
    template = {
        "type": "template",
        "payload": {
            "template_type": "generic",
            "elements": [
                {
                    "title": "Kaos",
                    "subtitle": "Rp 99.000",
                    "image_url": "https://cdn/k.jpg",
                    "default_action": {"type": "web_url", "url": "https://shop/k"},
                    "buttons": [
                        {"type": "web_url", "url": "https://shop/buy", "title": "Beli"},
                        {"type": "postback", "payload": "INFO", "title": "Info"},
                    ],
                }
            ],
        },
    }
    event = one("message", {"mid": "m-12", "attachments": [template]})
    assert event.attachments == (
        Attachment(
            "template",
            "https://shop/k",
            "https://cdn/k.jpg",
            title="Kaos",
            subtitle="Rp 99.000",
            buttons=(TemplateButton("Beli", "https://shop/buy"), TemplateButton("Info")),
        ),
    )


# --- other kinds -------------------------------------------------------------------------


def test_reaction_and_unreaction() -> None:
    react = one(
        "reaction", {"mid": "m-1", "action": "react", "reaction": "love", "emoji": "\u2764\ufe0f"}
    )
    assert react == ReactionEvent(
        shop_id=SHOP,
        sender_id=CUSTOMER,
        recipient_id=SHOP,
        timestamp=TS,
        mid="m-1",
        action="react",
        reaction="love",
        emoji="❤️",
    )
    unreact = one("reaction", {"mid": "m-1", "action": "unreact"})
    assert (unreact.action, unreact.reaction, unreact.emoji) == ("unreact", None, None)


def test_read_by_mid_or_watermark() -> None:
    assert one("read", {"mid": "m-1"}) == ReadEvent(
        shop_id=SHOP, sender_id=CUSTOMER, recipient_id=SHOP, timestamp=TS, mid="m-1"
    )
    watermark = one("read", {"watermark": 1569262485000})
    assert (watermark.mid, watermark.watermark) == (None, 1569262485000)


def test_message_edit() -> None:
    event = one("message_edit", {"mid": "m-1", "text": "Halo kak", "num_edit": "2"})
    assert isinstance(event, MessageEditEvent)
    assert (event.mid, event.text, event.num_edit) == ("m-1", "Halo kak", 2)


def test_postback() -> None:
    event = one("postback", {"mid": "m-13", "title": "Lihat katalog", "payload": "CATALOG"})
    assert isinstance(event, PostbackEvent)
    assert (event.mid, event.title, event.payload) == ("m-13", "Lihat katalog", "CATALOG")


def test_referral() -> None:
    event = one(
        "referral", {"ref": "summer", "source": "https://ig.me/m/shop", "type": "OPEN_THREAD"}
    )
    assert isinstance(event, ReferralEvent)
    assert event.referral == Referral("summer", "https://ig.me/m/shop", "OPEN_THREAD")


@pytest.mark.parametrize(
    ("key", "obj", "expected"),
    [
        (
            "pass_thread_control",
            {"previous_owner_app_id": "1", "new_owner_app_id": "2", "metadata": "m"},
            ("1", "2", "", "m"),
        ),
        (
            "take_thread_control",
            {"previous_owner_app_id": "2", "new_owner_app_id": "1", "metadata": ""},
            ("2", "1", "", ""),
        ),
        (
            "request_thread_control",
            {"requested_owner_app_id": "3", "metadata": "x"},
            ("", "", "3", "x"),
        ),
    ],
)
def test_handover(key: str, obj: dict[str, str], expected: tuple[str, ...]) -> None:
    event = one(key, obj)
    assert isinstance(event, HandoverEvent)
    assert event.action == key
    assert (
        event.previous_owner_app_id,
        event.new_owner_app_id,
        event.requested_owner_app_id,
        event.metadata,
    ) == expected
    assert event.control == obj and event.raw[key] == obj


@pytest.mark.parametrize(
    ("key", "obj", "reason"),
    [
        ("optin", {"type": "notification_messages"}, "unknown_kind"),
        ("brand_new_event", {"x": [1, {"y": None}]}, "unknown_kind"),
        ("message", "just text", "message_not_object"),
        ("message", {"text": "no mid"}, "message_without_mid"),
        ("reaction", None, "reaction_not_object"),
        ("reaction", {"action": "react"}, "reaction_without_mid"),
        ("read", {}, "read_without_mid"),
        ("message_edit", {"text": "x"}, "message_edit_without_mid"),
        ("pass_thread_control", [], "pass_thread_control_not_object"),
    ],
)
def test_unknown_is_kept_raw(key: str, obj: Any, reason: str) -> None:
    event = one(key, obj)
    assert isinstance(event, UnknownEvent)
    assert event.reason == reason
    assert event.keys == tuple(sorted(("sender", "recipient", "timestamp", key)))
    assert event.raw[key] == obj
    assert (event.sender_id, event.timestamp) == (CUSTOMER, TS)


def test_unknown_keys_next_to_a_known_kind_are_kept() -> None:
    event = one("message", {"mid": "m-14", "text": "hi", "new_flag": {"a": 1}})
    assert event.raw["message"]["new_flag"] == {"a": 1}


def test_events_are_frozen() -> None:
    event = one("message", {"mid": "m-1"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.mid = "m-2"


# --- batches, standby, changes, order ----------------------------------------------------


def test_every_entry_and_every_item_standby_marked() -> None:
    other_shop = "17841400000000002"
    events = parse_payload(
        body(
            entry(
                item("message", {"mid": "a"}, ts=TS),
                item("read", {"mid": "a"}, ts=TS + 1),
                standby=[item("message", {"mid": "b"}, ts=TS + 2)],
            ),
            {"id": other_shop, "time": TS, "messaging": [item("message", {"mid": "c"}, ts=TS + 3)]},
        )
    )
    assert [(type(e).__name__, e.channel, e.shop_id) for e in events] == [
        ("MessageEvent", Channel.MESSAGING, SHOP),
        ("ReadEvent", Channel.MESSAGING, SHOP),
        ("MessageEvent", Channel.STANDBY, SHOP),
        ("MessageEvent", Channel.MESSAGING, other_shop),
    ]
    assert [e.standby for e in events] == [False, False, True, False]


def test_dashboard_test_payload_in_changes_form() -> None:
    # The dashboard's "Test" button: seconds as a string, made-up ids, entry.id "0".
    raw = {
        "object": "instagram",
        "entry": [
            {
                "id": "0",
                "time": 1527459824,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "sender": {"id": "12334"},
                            "recipient": {"id": "23245"},
                            "timestamp": "1527459824",
                            "message": {"mid": "random_mid", "text": "random_text"},
                        },
                    },
                    {
                        "field": "message_reactions",
                        "value": {
                            "sender": {"id": "12334"},
                            "recipient": {"id": "23245"},
                            "timestamp": "1527459825",
                            "reaction": {"mid": "random_mid", "action": "react", "emoji": "😀"},
                        },
                    },
                    {
                        "field": "comments",
                        "value": {"id": "c1", "text": "nice", "from": {"id": "9"}},
                    },
                    {"field": "messages", "value": "not an object"},
                ],
            }
        ],
    }
    # The comment and the odd change take entry.time: a tie with the message, kept in order.
    message, comment, odd, reaction = parse_payload(json.dumps(raw).encode())
    assert isinstance(message, MessageEvent)
    assert (message.channel, message.change_field, message.mid, message.text) == (
        Channel.CHANGES,
        "messages",
        "random_mid",
        "random_text",
    )
    assert (message.timestamp, message.shop_id, message.customer_id) == (
        1527459824000,
        "0",
        "12334",
    )
    assert isinstance(reaction, ReactionEvent) and reaction.change_field == "message_reactions"
    assert isinstance(comment, UnknownEvent)
    assert (comment.change_field, comment.reason, comment.raw["id"]) == (
        "comments",
        "unknown_kind",
        "c1",
    )
    assert isinstance(odd, UnknownEvent) and odd.reason == "change_value_not_object"
    assert odd.timestamp == 1527459824000  # from entry.time


def test_ordered_by_timestamp_ties_in_delivery_order() -> None:
    events = messages(
        body(
            entry(
                item("message", {"mid": "late"}, ts=TS + 50),
                item("message", {"mid": "tie-1"}, ts=TS),
                item("message", {"mid": "no-time"}, ts=None),  # entry.time stands in
            ),
            entry(
                item("message", {"mid": "early"}, ts=TS - 50),
                item("message", {"mid": "tie-2"}, ts=TS),
                item("message", {"mid": "ms-string"}, ts=str(TS + 10)),
            ),
            {"id": SHOP, "messaging": [item("message", {"mid": "never"}, ts="soon")]},
        )
    )
    assert [e.mid for e in events] == [
        "early",
        "tie-1",
        "tie-2",
        "ms-string",
        "late",
        "no-time",
        "never",
    ]
    assert events[-2].timestamp == 1569262486134
    assert events[-1].timestamp is None and events[-1].time is None


def test_a_thousand_events_in_one_body() -> None:
    items = [
        item("message", {"mid": f"m-{n}", "text": "x"}, ts=TS + (n * 7919) % 1000)
        for n in range(1000)
    ]
    events = parse_payload(body(entry(*items)))
    assert len(events) == 1000
    assert len({e.dedupe_key for e in events}) == 1000
    stamps = [e.timestamp or 0 for e in events]
    assert stamps == sorted(stamps)


def test_two_mib_body_is_parsed_whole() -> None:
    # Decision: the parser has no size cap; the receiver answers 413 above 1 MiB before parsing.
    items = [item("message", {"mid": f"m-{n}", "text": "a" * 1000}) for n in range(2100)]
    raw = body(entry(*items))
    assert len(raw) > 2 * 1024 * 1024
    assert len(parse_payload(raw)) == 2100


def test_shop_id_given_by_the_caller_wins_over_entry_id() -> None:
    raw = body(
        entry(item("message", {"mid": "m-1", "is_echo": True}, echo=True)) | {"id": "page-1"}
    )
    (event,) = parse_payload(raw, shop_id=SHOP)
    assert (event.shop_id, event.from_shop, event.customer_id) == (SHOP, True, CUSTOMER)
    (by_entry,) = parse_payload(raw)
    assert by_entry.shop_id == "page-1"


def test_odd_content_inside_a_valid_envelope_is_skipped_not_raised() -> None:
    raw: dict[str, Any] = {
        "object": "instagram",
        "entry": [
            "not an entry",
            None,
            {"id": SHOP, "messaging": {"data": [item("message", {"mid": "x"})]}},  # not a list
            {"id": SHOP, "messaging": [1, "two", None, [], item("message", {"mid": "kept"})]},
            {"id": SHOP, "standby": None, "changes": "nope"},
            {"id": SHOP, "messaging": [{"message": {"mid": "no-ids"}}]},
        ],
    }
    events = parse_payload(json.dumps(raw).encode())
    assert [e.mid for e in events if isinstance(e, MessageEvent)] == ["kept", "no-ids"]
    assert (events[1].sender_id, events[1].recipient_id) == ("", "")
    assert parse_payload(body()) == []
    assert parse_payload(body(entry())) == []


# --- bad bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe{}", PayloadErrorReason.NOT_UTF8),
        (b'{"object":"instagram","entry":[{"id":"\xc3"}]}', PayloadErrorReason.NOT_UTF8),
        (b"", PayloadErrorReason.NOT_JSON),
        (b"{", PayloadErrorReason.NOT_JSON),
        (b"object=instagram", PayloadErrorReason.NOT_JSON),
        ('\ufeff{"object":"instagram","entry":[]}'.encode(), PayloadErrorReason.NOT_JSON),
        (b'{"object":"instagram","entry":[{"time":NaN}]}', PayloadErrorReason.NOT_JSON),
        (
            b'{"object":"instagram","entry":[],"n":' + b"9" * 5000 + b"}",
            PayloadErrorReason.NOT_JSON,
        ),
        (b"[" * 100_000 + b"]" * 100_000, PayloadErrorReason.NOT_JSON),
        (b'[{"object":"instagram","entry":[]}]', PayloadErrorReason.NOT_AN_OBJECT),
        (b'"instagram"', PayloadErrorReason.NOT_AN_OBJECT),
        (b"1569262485349", PayloadErrorReason.NOT_AN_OBJECT),
        (b"null", PayloadErrorReason.NOT_AN_OBJECT),
        (b'{"object":"page","entry":[]}', PayloadErrorReason.WRONG_OBJECT),
        (b'{"entry":[]}', PayloadErrorReason.WRONG_OBJECT),
        (b'{"object":"instagram"}', PayloadErrorReason.MISSING_ENTRY),
        (b'{"object":"instagram","entry":{"id":"1"}}', PayloadErrorReason.ENTRY_NOT_A_LIST),
        (b'{"object":"instagram","entry":null}', PayloadErrorReason.ENTRY_NOT_A_LIST),
        (
            b'{"object":"instagram","entry":[{"messaging":[{"x":'
            + b"[" * 60
            + b"]" * 60
            + b"}]}]}",
            PayloadErrorReason.TOO_DEEP,
        ),
    ],
)
def test_bad_bodies_raise_one_typed_error(raw: bytes, reason: PayloadErrorReason) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_payload(raw)
    assert caught.value.reason is reason
    assert reason.value in str(caught.value)


def test_depth_of_real_shapes_is_far_from_the_limit() -> None:
    nested = b"[" * 59 + b"]" * 59  # 64 levels with the envelope: accepted
    raw = b'{"object":"instagram","entry":[{"messaging":[{"x":' + nested + b"}]}]}"
    assert isinstance(parse_payload(raw)[0], UnknownEvent)


def test_escaped_emoji_pairs_decode_and_lone_surrogates_are_replaced() -> None:
    raw = (
        b'{"object":"instagram","entry":[{"id":"1","messaging":['
        b'{"timestamp":1,"message":{"mid":"a","text":"\\ud83d\\ude00 ok"}},'
        b'{"timestamp":2,"message":{"mid":"b","text":"bad \\ud800 half"}}]}]}'
    )
    first, second = messages(raw)
    assert first.text == "😀 ok"
    assert second.text == "bad \ufffd half"
    second.text.encode("utf-8")  # storable
    json.dumps(second.raw, ensure_ascii=False).encode("utf-8")


# --- dedupe keys ---------------------------------------------------------------------------


def test_dedupe_keys() -> None:
    raw = body(
        entry(
            item("message", {"mid": "m-1", "text": "hi"}),
            item("message", {"mid": "m-1", "is_deleted": True}, ts=TS + 1),
            item("reaction", {"mid": "m-1", "action": "react", "emoji": "❤"}, ts=TS + 2),
            item("reaction", {"mid": "m-1", "action": "unreact"}, ts=TS + 3),
            item("message_edit", {"mid": "m-1", "text": "hey", "num_edit": 1}, ts=TS + 4),
            item("read", {"mid": "m-1"}, ts=TS + 5),
            item("optin", {"x": 1}, ts=TS + 6),
        )
    )
    first = [e.dedupe_key for e in parse_payload(raw)]
    assert first == [e.dedupe_key for e in parse_payload(raw)]  # a retried delivery repeats
    assert len(set(first)) == len(first)  # a reaction or an unsend is not "m-1" again
    assert first[0] == "message:m-1" and first[1] == "message:m-1:deleted"
    assert first[4] == "message_edit:m-1:1"
    assert all(k.isascii() and "hi" not in k and "hey" not in k for k in first)


# --- logs ----------------------------------------------------------------------------------


def test_logs_carry_no_text_or_names(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="igdesk")
    secret_words = "Rahasia alamat rumah saya"
    raw = {
        "object": "instagram",
        "entry": [
            {"id": SHOP, "messaging": [item("message", {"mid": "m-1", "text": secret_words}), 7]},
            {"id": SHOP, "messaging": "x"},
            "y",
            {
                "id": SHOP,
                "messaging": [
                    item("message", {"mid": "m-2", "text": "bad \ud800 " + secret_words})
                ],
            },
        ],
    }
    parse_payload(json.dumps(raw).encode())
    assert caplog.records  # the skips were told
    assert "Rahasia" not in caplog.text


# --- to the domain ---------------------------------------------------------------------------


def test_to_message_inbound_echo_and_story_reply() -> None:
    inbound = one("message", {"mid": "m-1", "text": "Halo", "reply_to": {"mid": "m-0"}})
    message = to_message(inbound, shop_id=SHOP, thread_id="t-1")
    assert message == Message(
        id="m-1",
        thread_id="t-1",
        sender_id=CUSTOMER,
        created_time=datetime(2019, 9, 23, 18, 14, 45, 349000, tzinfo=UTC),
        text="Halo",
        reply_to="m-0",
    )
    assert message is not None and message.raw["message"]["mid"] == "m-1"
    echo = one("message", {"mid": "m-2", "text": "Ada", "is_echo": True}, echo=True)
    shop_message = to_message(echo, shop_id=SHOP, thread_id="t-1")
    assert shop_message is not None and shop_message.is_from_shop
    story = one("message", {"mid": "m-3", "reply_to": {"story": {"url": "https://s", "id": "1"}}})
    story_message = to_message(story, shop_id="", thread_id="t-1")  # the event's shop id
    assert story_message is not None
    assert story_message.attachments == (Attachment("story_reply", "https://s"),)
    assert (story_message.reply_to, story_message.is_from_shop) == (None, False)


def test_to_message_unsend_and_unsupported() -> None:
    gone = one(
        "message",
        {
            "mid": "m-1",
            "text": "oops",
            "is_deleted": "true",
            "attachments": [{"type": "image", "payload": {"url": "https://i"}}],
        },
    )
    message = to_message(gone, shop_id=SHOP, thread_id="t-1")
    assert message is not None
    assert (message.deleted, message.text, message.attachments) == (True, "", ())
    odd = to_message(
        one("message", {"mid": "m-2", "is_unsupported": True}), shop_id=SHOP, thread_id="t"
    )
    assert odd is not None and odd.unsupported


def test_to_message_without_a_usable_time(caplog: pytest.LogCaptureFixture) -> None:
    raw = body(
        {"id": SHOP, "messaging": [item("message", {"mid": "m-1", "text": "Rahasia"}, ts=None)]}
    )
    (event,) = messages(raw)
    assert to_message(event, shop_id=SHOP, thread_id="t-1") is None
    assert "m-1" in caplog.text and "Rahasia" not in caplog.text
    arrival = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    message = to_message(event, shop_id=SHOP, thread_id="t-1", received_at=arrival)
    assert message is not None and message.created_time == arrival
    far = one("message", {"mid": "m-2"}, ts=10**20)  # out of datetime's range
    assert far.time is None
    assert to_message(far, shop_id=SHOP, thread_id="t-1") is None
