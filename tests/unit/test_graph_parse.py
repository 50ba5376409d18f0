"""Read-API JSON → domain objects, with every odd shape instagram-api.md warns about."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from igdesk.domain import Attachment, Reaction, TemplateButton
from igdesk.graph import FACEBOOK_PAGE, INSTAGRAM_LOGIN, AccountNotLinkedError, BadResponseError
from igdesk.graph.parse import (
    parse_account,
    parse_conversation_ref,
    parse_message,
    parse_messages,
    parse_profile,
    parse_time,
)

SHOP = "17841400000000001"
T = "2022-07-12T19:11:07+0000"


def msg(**fields: Any) -> dict[str, Any]:
    return {"id": "m1", "created_time": T, "from": {"id": "u1", "username": "budi"}, **fields}


def one(**fields: Any) -> Any:
    parsed = parse_message(msg(**fields), "t1", SHOP)
    assert parsed is not None
    return parsed


def test_times() -> None:
    assert parse_time(T) == datetime(2022, 7, 12, 19, 11, 7, tzinfo=UTC)
    assert parse_time("2022-07-12T21:11:07+0200") == datetime(2022, 7, 12, 19, 11, 7, tzinfo=UTC)
    assert parse_time("2022-07-12T19:11:07Z") == parse_time(T)
    assert parse_time(1657653067) == parse_time(T) == parse_time(1657653067000)
    bad: object
    for bad in (None, "", "yesterday", True, {}, []):
        assert parse_time(bad) is None


def test_account_instagram_login() -> None:
    raw = {
        "id": "app-scoped",
        "user_id": SHOP,
        "username": "shop",
        "name": None,
        "profile_picture_url": "https://cdn/p.jpg",
        "account_type": "BUSINESS",
        "new": 1,
    }
    account = parse_account(raw, INSTAGRAM_LOGIN)
    assert (account.id, account.username, account.name) == (SHOP, "shop", "")
    assert parse_account({"data": [raw]}).id == SHOP
    assert parse_account({"id": "app-scoped"}).id == "app-scoped"  # logged fallback
    with pytest.raises(BadResponseError):
        parse_account(None)
    with pytest.raises(BadResponseError):
        parse_account({"data": []})


def test_account_facebook_page() -> None:
    raw = {
        "id": "PAGE",
        "name": "Page",
        "instagram_business_account": {"id": SHOP, "username": "shop", "profile_picture_url": None},
    }
    account = parse_account(raw, FACEBOOK_PAGE)
    assert account.id == SHOP and account.username == "shop" and account.picture_url == ""
    for bad in ({"id": "PAGE"}, {"id": "PAGE", "instagram_business_account": None}):
        with pytest.raises(AccountNotLinkedError):
            parse_account(bad, FACEBOOK_PAGE)


def test_conversation_ref() -> None:
    ref = parse_conversation_ref(
        {
            "id": "c1",
            "updated_time": T,
            "extra": True,
            "participants": {
                "data": [{"id": "u1", "username": "budi"}, None, {"username": "noid"}, {"id": SHOP}]
            },
        }
    )
    assert ref is not None and ref.id == "c1" and ref.updated_time == parse_time(T)
    assert [p.id for p in ref.participants] == ["u1", SHOP]
    assert ref.participants[0].username == "budi"
    assert parse_conversation_ref({"updated_time": T}) is None
    assert parse_conversation_ref(None) is None
    odd = parse_conversation_ref({"id": 123, "updated_time": None, "participants": None})
    assert odd is not None and odd.id == "123" and odd.participants == ()
    assert odd.updated_time is None  # unknown time: judged by the newest message id


def test_text_message_and_direction() -> None:
    m = one(message="Halo kak", to={"data": [{"id": SHOP}]}, unknown_field={"x": 1})
    assert m.text == "Halo kak" and m.sender_id == "u1" and not m.is_from_shop
    assert m.thread_id == "t1" and m.raw["unknown_field"] == {"x": 1}
    assert one(**{"from": {"id": SHOP}}).is_from_shop
    anonymous = parse_message(msg(**{"from": None}), "t1", "")
    assert anonymous is not None and anonymous.sender_id == "" and not anonymous.is_from_shop
    assert one(message=None).text == ""


def test_skipped_messages_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "igdesk.graph")
    assert parse_message({"created_time": T, "message": "secret text"}, "t1", SHOP) is None
    assert parse_message({"id": "m2", "created_time": "garbage"}, "t1", SHOP) is None
    assert parse_message({"id": "m3"}, "t1", SHOP) is None
    assert parse_message(None, "t1", SHOP) is None
    assert parse_message("m4", "t1", SHOP) is None
    assert "secret text" not in caplog.text and "m2" in caplog.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        ("true", True),
        ("TRUE", True),
        (False, False),
        ("false", False),
        (None, False),
        ("maybe", False),
        (1, True),
    ],
)
def test_flags_as_bool_or_string(value: Any, expected: bool) -> None:
    assert one(is_deleted=value).deleted is expected
    assert one(is_unsupported=value).unsupported is expected


def test_read_api_attachments() -> None:
    m = one(
        message="",
        attachments={
            "data": [
                {
                    "id": "a1",
                    "mime_type": "image/jpeg",
                    "name": "p.jpg",
                    "size": "2048",
                    "image_data": {
                        "url": "https://cdn/i.jpg",
                        "preview_url": "https://cdn/i_s.jpg",
                        "width": 10,
                        "height": 10,
                    },
                },
                {"id": "a2", "video_data": {"url": "https://cdn/v.mp4", "preview_url": None}},
                {"id": "a3", "file_url": "https://cdn/voice.mp4", "mime_type": "audio/mpeg"},
                {
                    "id": "a4",
                    "file_url": "https://cdn/doc.pdf",
                    "mime_type": "application/pdf",
                    "name": "invoice.pdf",
                    "size": 99,
                },
                {"id": "a5", "file_url": "https://cdn/x"},
                {"id": "a6", "image_data": None},
                None,
                {"id": "a7"},
            ]
        },
    )
    assert m.attachments == (
        Attachment(
            "image", "https://cdn/i.jpg", "https://cdn/i_s.jpg", "image/jpeg", "p.jpg", 2048
        ),
        Attachment("video", "https://cdn/v.mp4", ""),
        Attachment("audio", "https://cdn/voice.mp4", "", "audio/mpeg"),
        Attachment("file", "https://cdn/doc.pdf", "", "application/pdf", "invoice.pdf", 99),
        Attachment("file", "https://cdn/x"),
    )
    assert one(attachments=None).attachments == ()
    assert one(attachments={"data": None}).attachments == ()


def test_webhook_shaped_attachments() -> None:
    m = one(
        attachments=[
            {"type": "image", "payload": {"url": "https://cdn/i"}},
            {"type": "ig_post", "payload": {"url": "https://cdn/p", "title": "Post"}},
            {"type": "share", "payload": {"url": "https://cdn/s"}},
            {"type": "ig_reel", "payload": {"url": "https://cdn/r", "title": "Reel"}},
            {"type": "story_mention", "payload": {"url": ""}},
            {"type": "like_heart", "payload": None},
        ]
    )
    assert [a.type for a in m.attachments] == [
        "image",
        "ig_post",
        "share",
        "reel",
        "story_mention",
        "sticker",
    ]


def test_shares_story_sticker_and_legacy_share() -> None:
    m = one(
        message="",
        shares={
            "data": [
                {"link": "https://www.instagram.com/reel/Cabc/", "name": "r"},
                {"link": "https://www.instagram.com/p/Cxyz/"},
                {"link": "https://cdn.fbsbx.com/share.jpg"},
                {"link": None},
            ]
        },
    )
    assert [a.type for a in m.attachments] == ["reel", "share", "share"]
    assert m.attachments[0].url == "https://www.instagram.com/reel/Cabc/"
    legacy = one(share={"link": "https://cdn/s.jpg"}, ig_post={"url": "https://cdn/p.jpg"})
    assert [a.type for a in legacy.attachments] == ["ig_post", "share"]
    story = one(story={"reply_to": {"link": "https://cdn/story.mp4", "id": "s1"}})
    assert story.attachments == (Attachment("story_reply", "https://cdn/story.mp4"),)
    expired = one(story={"mention": {"link": "", "id": "s2"}})
    assert expired.attachments == (Attachment("story_mention", ""),)
    assert one(story=None).attachments == ()
    assert one(sticker="https://cdn/st.png").attachments == (
        Attachment("sticker", "https://cdn/st.png"),
    )
    assert one(sticker={"url": "https://cdn/st.png"}).attachments[0].type == "sticker"
    webhook_story = one(reply_to={"story": {"url": "https://cdn/s", "id": "9"}})
    assert webhook_story.attachments == (Attachment("story_reply", "https://cdn/s"),)
    assert webhook_story.reply_to is None


CARD = Attachment(
    "template",
    "https://shop.example/p/1",
    "https://cdn/card.jpg",
    title="Batik shirt",
    subtitle="Rp 150.000",
    buttons=(TemplateButton("Buy now", "https://shop.example/buy"), TemplateButton("Ask us")),
)


def test_template_read_shape() -> None:
    template = {
        "title": "Batik shirt",
        "subtitle": "Rp 150.000",
        "image_url": "https://cdn/card.jpg",
        "url": "https://shop.example/p/1",
        "buttons": [
            {"type": "web_url", "title": "Buy now", "url": "https://shop.example/buy"},
            {"type": "postback", "title": "Ask us", "payload": "ASK"},
        ],
    }
    m = one(message="", attachments={"data": [{"id": "a1", "generic_template": template}]})
    assert m.attachments == (CARD,)
    # media_url for the image, a cta object (or list) instead of buttons
    cta = {**template, "image_url": None, "media_url": "https://cdn/card.jpg"}
    del cta["buttons"]
    cta["cta"] = {"title": "Buy now", "url": "https://shop.example/buy"}
    card = one(attachments={"data": [{"id": "a1", "generic_template": cta}]}).attachments[0]
    assert card.preview_url == "https://cdn/card.jpg"
    assert card.buttons == (TemplateButton("Buy now", "https://shop.example/buy"),)
    cta["cta"] = [{"text": "Open", "link": "https://shop.example/o"}, "junk", {"type": "web_url"}]
    card = one(attachments={"data": [{"id": "a1", "generic_template": cta}]}).attachments[0]
    assert card.buttons == (TemplateButton("Open", "https://shop.example/o"),)


def test_template_webhook_shape_one_card_per_element() -> None:
    element = {
        "title": "Batik shirt",
        "subtitle": "Rp 150.000",
        "image_url": "https://cdn/card.jpg",
        "default_action": {"type": "web_url", "url": "https://shop.example/p/1"},
        "buttons": [
            {"type": "web_url", "title": "Buy now", "url": "https://shop.example/buy"},
            {"type": "postback", "title": "Ask us", "payload": "ASK", "url": "ignored"},
        ],
    }
    payload = {"template_type": "generic", "elements": [element, {"title": "Sarung"}]}
    m = one(attachments=[{"type": "template", "payload": payload}])
    assert m.attachments == (CARD, Attachment("template", title="Sarung"))


def test_template_missing_pieces_and_garbage() -> None:
    bare = one(attachments={"data": [{"id": "a1", "generic_template": {"title": "Only"}}]})
    assert bare.attachments == (Attachment("template", title="Only"),)
    untitled = {"buttons": [{"type": "web_url", "url": "https://s.example/x"}]}
    card = one(attachments={"data": [{"generic_template": untitled}]}).attachments[0]
    assert (card.title, card.buttons) == (
        "",
        (TemplateButton("https://s.example/x", "https://s.example/x"),),
    )
    garbage: object
    for garbage in (None, "card", 7, [], {}, {"title": None, "buttons": "x"}, [None, 3]):
        got = one(attachments={"data": [{"id": "a1", "generic_template": garbage}]})
        assert got.attachments == (), garbage
    for payload in (None, "x", {"elements": "x"}, {"template_type": "generic", "elements": [{}]}):
        got = one(attachments=[{"type": "template", "payload": payload}])
        assert got.attachments == (), payload
    # A card beside an ordinary image: both kept, in order.
    mixed = one(
        attachments={
            "data": [
                {"id": "a1", "image_data": {"url": "https://cdn/i.jpg"}},
                {"id": "a2", "generic_template": {"title": 5, "subtitle": ["x"]}},
            ]
        }
    )
    assert [(a.type, a.title) for a in mixed.attachments] == [("image", ""), ("template", "5")]


def test_reply_to_and_unsupported() -> None:
    m = one(reply_to={"mid": "m0", "is_self_reply": True}, is_unsupported=True)
    assert m.reply_to == "m0" and m.unsupported
    assert one(reply_to=None).reply_to is None


def test_reactions_both_shapes() -> None:
    nested = one(
        reactions={
            "data": [
                {
                    "reaction": "love",
                    "emoji": "❤️",
                    "users": [{"id": "u1", "username": "budi"}, {"id": SHOP}],
                },
                {"reaction": "😂", "users": {"data": [{"id": "u2"}]}},
                {"reaction": None, "users": [{"id": "u3"}]},
                "junk",
            ]
        }
    )
    assert nested.reactions == (Reaction("u1", "❤️"), Reaction(SHOP, "❤️"), Reaction("u2", "😂"))
    flat = one(
        reactions=[
            {"reaction": "love", "emoji": "❤️", "user_id": "u1"},
            {"emoji": "😮", "from": {"id": "u2"}},
        ]
    )
    assert flat.reactions == (Reaction("u1", "❤️"), Reaction("u2", "😮"))
    assert one(reactions=None).reactions == ()


def test_parse_messages_oldest_first_and_unique() -> None:
    page = {
        "data": [
            msg(id="m3", created_time="2024-01-01T00:00:03+0000"),
            msg(id="m2", created_time="2024-01-01T00:00:02+0000"),
            msg(id="m2", created_time="2024-01-01T00:00:02+0000"),
            msg(id="bad", created_time=None),
            msg(id="m1", created_time="2024-01-01T00:00:01+0000"),
        ]
    }
    assert [m.id for m in parse_messages(page, "t1", SHOP)] == ["m1", "m2", "m3"]
    assert parse_messages(None, "t1", SHOP) == []


def test_profile() -> None:
    c = parse_profile(
        {
            "name": "Budi",
            "username": "budi",
            "profile_pic": None,
            "follower_count": 12,
            "is_user_follow_business": "false",
            "is_business_follow_user": True,
            "is_verified_user": "true",
        },
        "u1",
    )
    assert (c.id, c.name, c.username, c.profile_pic) == ("u1", "Budi", "budi", "")
    assert c.follows_business is False and c.business_follows is True and c.is_verified is True
    assert c.follower_count == 12
    bare = parse_profile(None, "u2")
    assert bare.id == "u2" and bare.follows_business is None and bare.follower_count is None
    with pytest.raises(BadResponseError):
        parse_profile({}, "")


def test_conversation_preview_gives_the_newest_message_id() -> None:
    ref = parse_conversation_ref(
        {"id": "c1", "updated_time": T, "messages": {"data": [{"id": "m9", "created_time": T}]}}
    )
    assert ref is not None and ref.newest_message_id == "m9"
    for odd in (None, {}, {"data": []}, {"data": [None]}, {"data": "x"}):
        parsed = parse_conversation_ref({"id": "c1", "updated_time": T, "messages": odd})
        assert parsed is not None and parsed.newest_message_id is None
