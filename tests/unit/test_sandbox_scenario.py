"""Scenario loading: validation messages and the bundled world's contents."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from igdesk.domain import utc_now
from igdesk.sandbox import ScenarioError, World, load_scenario
from igdesk.sandbox.control import content_types
from igdesk.sandbox.scenario import DEFAULT_SCENARIO
from igdesk.sandbox.testing import ORDER_CARD, tiny_scenario


def _thread(**message: object) -> dict[str, object]:
    return {
        "threads": [
            {
                "customer": {"username": "x"},
                "messages": [{"from": "customer", "ago": "1h", **message}],
            }
        ]
    }


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"threadz": []}, "unknown key(s) threadz"),
        (_thread(ago="yesterday"), "threads[0].messages[0].ago"),
        (_thread(attachments=[{"type": "image", "media": "nope"}]), "unknown media 'nope'"),
        (_thread(reply_to=3), "index of an earlier message"),
        (_thread(deleted="yes"), "deleted"),
        (_thread(frm="shop"), "unknown key(s) frm"),
        (
            {"threads": [{"customer": "ghost", "messages": [{"from": "shop", "ago": "1h"}]}]},
            "no customer named 'ghost'",
        ),
        ({"threads": [{"customer": {"username": "x"}, "messages": []}]}, "at least one message"),
        (
            _thread(text="hi", attachments=[{"type": "image", "media": "photo"}]),
            "separate messages",
        ),
        (_thread(text="hi", template={"title": "t"}), "no text, attachments or shares"),
        (_thread(template={"subtitle": "s"}), "template: title is required"),
        (_thread(template={"title": "t", "image": "nope"}), "template.image: unknown media"),
        (
            _thread(template={"title": "t", "buttons": [{"type": "call", "title": "c"}]}),
            "buttons[0]: type must be web_url or postback",
        ),
        (
            _thread(template={"title": "t", "buttons": [{"type": "web_url", "title": "w"}]}),
            "buttons[0]: url is required",
        ),
        (
            _thread(
                template={
                    "title": "t",
                    "buttons": [{"type": "postback", "title": "p", "payload": "x", "url": "u"}],
                }
            ),
            "postback buttons have no url",
        ),
        (
            _thread(template={"title": "t", "buttons": [{"type": "postback"}] * 4}),
            "at most 3 buttons",
        ),
        ({"missing_fields": {"Mesage": ["reply_to"]}}, "unknown node type 'Mesage'"),
        ({"missing_fields": {"Message": ["is_deleted"]}}, "no such field(s) is_deleted"),
        ({"require_app_secret": "yes"}, "require_app_secret: must be true or false"),
    ],
)
def test_bad_scenarios_say_where(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        World.from_scenario(data)
    assert fragment in str(caught.value)


def test_bad_json_file_reports_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"threads": [\n  {"customer": }\n]}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"line 2, column"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.json")


def test_tiny_world() -> None:
    world = World.from_scenario(tiny_scenario())
    now = utc_now()
    assert len(world.threads) == 5
    assert len(world.listed_threads(now)) == 4  # the 31-day-old request is not listed
    long_thread = next(t for t in world.threads.values() if t.customer.username == "eka.long")
    assert len(long_thread.readable_ids()) == 20


def test_bundled_scenario_has_everything_the_brief_asks_for() -> None:
    world = World.from_scenario(load_scenario(DEFAULT_SCENARIO))
    now = utc_now()
    threads = list(world.threads.values())
    assert len(world.customers) >= 40
    listed = world.listed_threads(now)
    hidden = [t for t in threads if not t.listed(now)]
    assert len(hidden) >= 3 and all(t.is_request() for t in hidden)
    messages = [m for t in threads for m in t.messages]
    kinds = Counter(k for m in messages for k in content_types(m))
    for kind in (
        "image",
        "video",
        "audio",
        "file",
        "ig_post",
        "share",
        "reel",
        "story_reply",
        "story_mention",
        "sticker",
    ):
        assert kinds[kind] >= 1, kind
    assert any(m.story and m.story.kind == "mention" and m.story.media is None for m in messages)
    assert {m.deleted for m in messages} >= {True, "true", False}
    cards = [m for m in messages if m.template]
    assert len(cards) == 1 and cards[0].sender_id == world.shop.ig_id and not cards[0].text
    assert [b.type for b in cards[0].template.buttons] == ["web_url", "postback"]  # type: ignore[union-attr]
    assert "generic_template" in kinds
    assert any(m.unsupported for m in messages)
    assert any(m.reactions for m in messages) and any(m.reply_to for m in messages)
    assert any(len(t.messages) >= 30 for t in threads)
    assert any(c.name is None and c.avatar is None for c in world.customers.values())
    assert any(c.verified for c in world.customers.values())
    assert world.human_agent
    texts = [m.text for m in messages]
    assert any(len(t) >= 3000 for t in texts)
    assert any("<script>" in t for t in texts)
    assert any("\u0627" <= ch <= "\u06ff" for t in texts for ch in t)  # Arabic (RTL)
    last_times = [t.last_customer_time() for t in threads]
    ages = [(now - last).total_seconds() / 3600 for last in last_times if last is not None]
    for low, high in ((22.5, 24), (24, 26), (24 * 5.5, 24 * 7), (24 * 7, 24 * 9)):
        assert any(low < age < high for age in ages), (low, high)
    folders = Counter(
        "requests" if t.is_request() else "primary" if t.customer.follows_business else "general"
        for t in listed
    )
    assert min(folders.values()) >= 3 and len(folders) == 3


def test_bundled_scenario_is_what_the_generator_makes() -> None:
    import importlib.util

    tool = Path(__file__).resolve().parents[2] / "tools" / "make_scenario.py"
    spec = importlib.util.spec_from_file_location("make_scenario", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.scenario() == json.loads(DEFAULT_SCENARIO.read_text(encoding="utf-8"))


def test_world_switches_from_the_scenario() -> None:
    world = World.from_scenario(
        {**tiny_scenario(), "require_app_secret": True, "missing_fields": {"Message": ["sticker"]}}
    )
    assert world.require_app_secret and world.missing_fields == {"Message": frozenset({"sticker"})}
    plain = World.from_scenario(tiny_scenario())
    assert not plain.require_app_secret and plain.missing_fields == {}
    ani = next(t for t in plain.threads.values() if t.customer.username == "ani.follower")
    with_card = World.from_scenario(tiny_scenario(template=True))
    ani_card = next(t for t in with_card.threads.values() if t.customer.username == "ani.follower")
    assert len(ani_card.messages) == len(ani.messages) + 1
    card = ani_card.messages[1]  # oldest first: between the customer's hello and the reply
    assert card.template is not None and card.template.title == ORDER_CARD["title"]
