"""Unit tests of the sandbox's webhook pieces: Meta's bytes, signatures, the retry schedule,
callback and settings checks, Meta time, and acts that change nothing when refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from igdesk.sandbox import world_acts
from igdesk.sandbox.clock import SandboxClock
from igdesk.sandbox.scenario import build_world
from igdesk.sandbox.state import SandboxOptions, SandboxState
from igdesk.sandbox.testing import tiny_scenario
from igdesk.sandbox.webhook_control import parse_settings
from igdesk.sandbox.webhook_wire import (
    encode,
    headers,
    sample_fields,
    sample_payload,
    signature_256,
    signature_sha1,
)
from igdesk.sandbox.webhooks import RETRY_DELAYS, WebhookRefused, check_callback


def _state() -> SandboxState:
    clock = SandboxClock()
    world = build_world(tiny_scenario(), clock.now())
    return SandboxState(world=world, clock=clock, options=SandboxOptions())


def test_encode_escapes_unicode_and_slashes_compactly() -> None:
    body = encode({"text": "ä/😊", "n": [1, True]})
    assert body == b'{"text":"\\u00e4\\/\\ud83d\\ude0a","n":[1,true]}'
    assert json.loads(body) == {"text": "ä/😊", "n": [1, True]}
    assert body != json.dumps(json.loads(body)).encode()  # re-serializing changes the bytes


def test_signatures_are_lowercase_hex_hmacs_of_the_exact_bytes() -> None:
    body = b'{"object":"instagram"}'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature_256("s3cret", body) == "sha256=" + expected
    assert expected == expected.lower()
    assert signature_sha1("s3cret", body) == "sha1=" + hmac.new(b"s3cret", body, "sha1").hexdigest()
    sent = headers("s3cret", body, legacy_sha1=False)
    assert sent["X-Hub-Signature-256"] == "sha256=" + expected
    assert "X-Hub-Signature" not in sent
    assert sent["Content-Type"] == "application/json"


def test_retry_schedule_is_immediate_then_sparser_within_36_hours() -> None:
    assert RETRY_DELAYS[0] == 0
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert 30 * 3600 < sum(RETRY_DELAYS) <= 36 * 3600


def test_dashboard_samples_use_changes_form() -> None:
    payload = sample_payload("messages", 1754520281)
    assert payload == {
        "object": "instagram",
        "entry": [
            {
                "id": "0",
                "time": 1754520281,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "sender": {"id": "12334"},
                            "recipient": {"id": "23245"},
                            "timestamp": "1527459824",
                            "message": {"mid": "random_mid", "text": "random_text"},
                        },
                    }
                ],
            }
        ],
    }
    for field in sample_fields():
        change = sample_payload(field, 1)["entry"][0]["changes"][0]
        assert change["field"] == field and change["value"]
    with pytest.raises(ValueError):
        sample_payload("nonsense", 1)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://shop.example.com/webhook", True),
        ("http://127.0.0.1:8080/webhook", True),
        ("http://localhost/webhook", True),
        ("http://[::1]:9000/webhook", True),
        ("http://shop.example.com/webhook", False),
        ("ftp://127.0.0.1/webhook", False),
        ("webhook", False),
    ],
)
def test_callbacks_must_be_https_or_loopback(url: str, ok: bool) -> None:
    if ok:
        check_callback(url)
    else:
        with pytest.raises(WebhookRefused, match="https"):
            check_callback(url)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"speed": 0},
        {"speed": True},
        {"batch_max": 1001},
        {"batch_window": -1},
        {"signing_secret": "page"},
        {"legacy_sha1": "no"},
        {"retry_delays": [1, -2]},
        {"colour": "red"},
        [],
    ],
)
def test_bad_settings_are_refused(body: Any) -> None:
    with pytest.raises(ValueError):
        parse_settings(body)


def test_settings_parse() -> None:
    parsed = parse_settings({"speed": 1000, "disable_after": None, "retry_delays": [0, 5]})
    assert parsed == {"speed": 1000.0, "disable_after": None, "retry_delays": (0.0, 5.0)}


def test_meta_time_runs_at_speed_and_jumps_with_the_sandbox_clock() -> None:
    state = _state()
    hub = state.webhooks
    before = hub.meta_now()
    state.clock.advance(3600)
    assert hub.meta_now() - before >= 3600
    hub.update(speed=1e6)
    assert hub.settings.speed == 1e6
    assert hub.meta_now() >= before + 3600  # a new speed never moves Meta time back


def test_events_without_a_callback_are_counted_not_queued() -> None:
    state = _state()
    result = world_acts.customer_writes(state, {"username": "ani.follower", "text": "Halo"})
    status = state.webhooks.status()
    assert status["pending_events"] == 0
    [suppressed] = status["suppressed"]
    assert suppressed["reason"] == "no callback configured"
    assert suppressed["item"]["message"]["mid"] == result["message_id"]


@pytest.mark.parametrize(
    "spec",
    [
        {"username": "new.person", "text": "x", "attachments": [{"type": "image"}]},
        {"username": "new.person"},
        {"username": "new.person", "story": {"kind": "reply_to"}},
        {"username": "new.person", "text": "x", "story": {"kind": "mention"}},
        {"username": "new.person", "attachments": [{"type": "sticker"}]},
        {"username": "new.person", "text": "x", "reply_to": "no-such-mid"},
        {"username": "new.person", "share": {"kind": "story"}},
        {"username": "new.person", "sticker": "no_such_media"},
    ],
)
def test_refused_writes_leave_no_trace(spec: dict[str, Any]) -> None:
    state = _state()
    customers, threads = len(state.world.customers), len(state.world.threads)
    with pytest.raises(ValueError):
        world_acts.customer_writes(state, spec)
    assert (len(state.world.customers), len(state.world.threads)) == (customers, threads)
    assert not state.webhooks.status()["suppressed"]


def test_edits_stop_after_five() -> None:
    state = _state()
    mid = world_acts.customer_writes(state, {"username": "bob.general", "text": "v0"})["message_id"]
    for number in range(1, 6):
        done = world_acts.customer_edits(state, {"message_id": mid, "text": f"v{number}"})
        assert done["num_edit"] == number
    with pytest.raises(ValueError, match="at most 5"):
        world_acts.customer_edits(state, {"message_id": mid, "text": "v6"})
    found = state.world.find_message(mid)
    assert found is not None and found[1].text == "v5"


def test_the_simulator_writes_reacts_and_reads() -> None:
    from igdesk.sandbox.simulator import CustomerSimulator

    state = _state()
    simulator = CustomerSimulator(state, every=1.0, seed=3)
    acts = [simulator.act_once() for _ in range(60)]
    assert {"write", "react", "read"} <= set(acts)
    assert acts.count("write") > len(acts) / 2
    fields = [s["field"] for s in state.webhooks.status()["suppressed"]]
    assert {"messages", "message_reactions", "messaging_seen"} <= set(fields)
