"""The synchronous Sandbox helpers for webhooks (tests/integration/conftest.py), as client
tests use them: a receiver on the threaded sandbox's loop, acts, retries by the clock."""

from __future__ import annotations

from tests.integration.conftest import Sandbox


def test_receiver_acts_and_echoes(tiny_sandbox: Sandbox) -> None:
    tiny_sandbox.webhook_settings(batch_window=0)
    with tiny_sandbox.webhook_receiver() as recorder:
        written = tiny_sandbox.customer_writes(username="ani.follower", text="Halo kak")
        phone = tiny_sandbox.shop_writes(customer_id=written["customer_id"], text="Halo Ani")
        tiny_sandbox.customer_reacts(phone["message_id"])
        tiny_sandbox.customer_edits(written["message_id"], "Halo kakak")
        tiny_sandbox.customer_reads(customer_id=written["customer_id"])
        items = tiny_sandbox.wait_webhook_items(recorder, 5)
        assert [
            next(k for k in i if k not in ("sender", "recipient", "timestamp")) for i in items
        ] == [
            "message",
            "message",
            "reaction",
            "message_edit",
            "read",
        ]
        assert items[1]["message"] == {
            "mid": phone["message_id"],
            "is_echo": True,
            "text": "Halo Ani",
        }
        log = tiny_sandbox.webhook_deliveries()
        assert {d["outcome"] for d in log} == {"delivered"}
        assert sum(d["events"] for d in log) == 5
        assert tiny_sandbox.webhook_deliveries(since=1) == log[1:]
    assert tiny_sandbox.webhook_status()["subscription"] is None


def test_retries_wait_for_the_sandbox_clock(tiny_sandbox: Sandbox) -> None:
    tiny_sandbox.webhook_settings(batch_window=0)
    with tiny_sandbox.webhook_receiver() as recorder:
        recorder.script(500, 500)
        tiny_sandbox.customer_writes(username="bob.general", text="Halo?")
        tiny_sandbox.wait_webhook_posts(recorder, 2)
        tiny_sandbox.advance_clock(20)
        third = tiny_sandbox.wait_webhook_posts(recorder, 3)[2]
        assert third.status == 200
        assert [d["outcome"] for d in tiny_sandbox.webhook_deliveries()] == [
            "retry",
            "retry",
            "delivered",
        ]
        assert tiny_sandbox.webhook_test("message_reactions")["status"] == 200


def test_refused_callbacks_and_empty_subscriptions(tiny_sandbox: Sandbox) -> None:
    with tiny_sandbox.webhook_receiver(["messages"], subscribe=False) as recorder:
        refused = tiny_sandbox.configure_webhook(recorder.url, "not-the-token", ["messages"])
        assert refused.status_code == 400
        tiny_sandbox.customer_writes(username="ani.follower", text="x")
        reasons = [s["reason"] for s in tiny_sandbox.webhook_status()["suppressed"]]
        assert reasons == ["account not subscribed (subscribed_apps is empty)"]
        tiny_sandbox.subscribe_account(["messages"])
        tiny_sandbox.webhook_knobs(duplicate=1)
        tiny_sandbox.customer_writes(username="ani.follower", text="y")
        first, second = tiny_sandbox.wait_webhook_posts(recorder, 2)
        assert first.body == second.body
        tiny_sandbox.subscribe_account([])
        assert tiny_sandbox.world()["subscribed_fields"] == []
