"""The sandbox as tests drive it: one running sandbox on loopback and its control endpoints.

Shared by the integration tests (`tiny_sandbox`) and the window tests (`world`): the same
class, the same helpers, for synchronous test code.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from igdesk.sandbox.recorder import Recorded, WebhookRecorder
from igdesk.sandbox.testing import MESSAGING_FIELDS
from igdesk.sandbox.threaded import ThreadedSandbox


class Sandbox:
    """A running sandbox plus its control endpoints, for synchronous test code."""

    def __init__(self, threaded: ThreadedSandbox) -> None:
        self.threaded = threaded
        self.url = threaded.url
        self.token = threaded.token
        self.control = httpx.Client(base_url=threaded.url, timeout=30)

    def world(self) -> dict[str, Any]:
        reply = self.control.get("/_sandbox/world")
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def fault(self, kind: str, **spec: Any) -> None:
        self.control.post("/_sandbox/faults", json={"kind": kind, **spec}).raise_for_status()

    def clear_faults(self) -> None:
        self.control.delete("/_sandbox/faults").raise_for_status()

    def customer_writes(self, **spec: Any) -> dict[str, Any]:
        reply = self.control.post("/_sandbox/customer_message", json=spec)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def writes(self, username: str, text: str) -> dict[str, Any]:
        """The customer called `username` writes `text` (a new username starts a thread)."""
        return self.customer_writes(username=username, text=text)

    def thread_of(self, username: str) -> dict[str, Any]:
        """The sandbox's thread with the customer called `username`."""
        return next(t for t in self.world()["threads"] if t["customer"]["username"] == username)

    def mark_seen_for(self, customer_id: str) -> list[dict[str, Any]]:
        """Every `mark_seen` sender action the shop sent to this customer."""
        return [
            action
            for action in self.world()["sender_actions"]
            if action.get("action", action.get("sender_action")) == "mark_seen"
            and customer_id in str(action)
        ]

    def requests(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.control.get("/_sandbox/requests").json()
        return data

    def clear_requests(self) -> None:
        self.control.delete("/_sandbox/requests").raise_for_status()

    def close(self) -> None:
        self.control.close()
        self.threaded.stop()

    def patch_world(self, **changes: Any) -> dict[str, Any]:
        """PATCH /_sandbox/world (human_agent, require_app_secret, missing_fields,
        max_nested_messages); returns the settings as they now are."""
        reply = self.control.patch("/_sandbox/world", json=changes)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def set_missing_fields(self, missing: dict[str, list[str]]) -> None:
        """Fields this world's API lacks, e.g. {"Message": ["reply_to"]}; {} restores all."""
        self.patch_world(missing_fields=missing)

    def require_app_secret(self, on: bool = True) -> None:
        """Page-token calls must carry appsecret_proof (Instagram Login tokens never do)."""
        self.patch_world(require_app_secret=on)

    def set_max_nested_messages(self, cap: int) -> None:
        """How many nested messages one conversations page may carry (Meta-like default 500)."""
        self.patch_world(max_nested_messages=cap)

    def unsend(self, message_id: str) -> dict[str, Any]:
        """The sender takes a message back: it leaves the read API, updated_time moves."""
        reply = self.control.post("/_sandbox/unsend", json={"message_id": message_id})
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    # -- webhooks: the app's callback, the account's subscription, deliveries, knobs, and the
    # acts that send events (igdesk/sandbox/webhook_control.py, act_routes.py) --------------

    @contextlib.contextmanager
    def webhook_receiver(
        self,
        fields: list[str] | None = None,
        *,
        verify_token: str = "verify-me",
        subscribe: bool = True,
    ) -> Iterator[WebhookRecorder]:
        """A WebhookRecorder on the sandbox's loop, set as the app's callback for `fields`
        (MESSAGING_FIELDS by default) and, with `subscribe`, the account subscribed too."""
        recorder = WebhookRecorder(verify_token)
        self.threaded.call(recorder.start())
        try:
            chosen = fields or MESSAGING_FIELDS
            self.configure_webhook(recorder.url, verify_token, chosen).raise_for_status()
            if subscribe:
                self.subscribe_account(chosen)
            yield recorder
        finally:
            self.control.delete("/_sandbox/webhook")
            self.threaded.call(recorder.stop())

    def wait_webhook_posts(
        self, recorder: WebhookRecorder, count: int, timeout: float = 10.0
    ) -> list[Recorded]:
        """The first `count` POSTs the receiver got, waiting for them."""
        return self.threaded.call(recorder.wait_posts(count, timeout), timeout + 5)

    def wait_webhook_items(
        self, recorder: WebhookRecorder, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """The first `count` messaging items, however they were batched into POSTs."""
        return self.threaded.call(recorder.wait_items(count, timeout), timeout + 5)

    def configure_webhook(
        self, callback_url: str, verify_token: str, fields: list[str]
    ) -> httpx.Response:
        """The dashboard step (with its verification GET); 400 with the reason if refused."""
        hook = {"callback_url": callback_url, "verify_token": verify_token, "fields": fields}
        return self.control.post("/_sandbox/webhook", json=hook)

    def subscribe_account(self, fields: list[str]) -> None:
        """``POST /me/subscribed_apps`` as a client does it; empty fields unsubscribe."""
        params = {"access_token": self.token, "subscribed_fields": ",".join(fields)}
        if fields:
            self.control.post("/me/subscribed_apps", params=params).raise_for_status()
        else:
            self.control.delete("/me/subscribed_apps", params=params).raise_for_status()

    def webhook_status(self) -> dict[str, Any]:
        data: dict[str, Any] = self.control.get("/_sandbox/webhook").json()
        return data

    def webhook_settings(self, **settings: Any) -> dict[str, Any]:
        """speed, batch_window, batch_max, timeout, signing_secret, disable_after, ..."""
        reply = self.control.patch("/_sandbox/webhook", json=settings)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def webhook_knobs(self, **knobs: Any) -> dict[str, Any]:
        """duplicate, reorder, standby, batch (+ same_entry) for the next deliveries."""
        reply = self.control.post("/_sandbox/webhook/knobs", json=knobs)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def webhook_deliveries(self, since: int = 0) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.control.get(
            "/_sandbox/webhook/deliveries", params={"since": since}
        ).json()
        return data

    def webhook_test(self, field: str = "messages") -> dict[str, Any]:
        """The dashboard's Test button for `field`; the attempt's record."""
        reply = self.control.post("/_sandbox/webhook/test", json={"field": field})
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def flush_webhooks(self) -> None:
        self.control.post("/_sandbox/webhook/flush").raise_for_status()

    def act(self, name: str, **spec: Any) -> dict[str, Any]:
        """``POST /_sandbox/<name>``: shop_message, customer_reaction, customer_edit,
        customer_read, customer_postback, customer_referral."""
        reply = self.control.post(f"/_sandbox/{name}", json=spec)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def shop_writes(self, **spec: Any) -> dict[str, Any]:
        """The shop writes from the Instagram app (an echo webhook, no Send API call)."""
        return self.act("shop_message", **spec)

    def customer_reacts(self, message_id: str, emoji: str = "❤️", unreact: bool = False) -> None:
        action = "unreact" if unreact else "react"
        self.act("customer_reaction", message_id=message_id, emoji=emoji, action=action)

    def customer_edits(self, message_id: str, text: str) -> dict[str, Any]:
        return self.act("customer_edit", message_id=message_id, text=text)

    def customer_reads(self, **spec: Any) -> dict[str, Any]:
        return self.act("customer_read", **spec)

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock (and Meta time: retries due by then go out)."""
        reply = self.control.post("/_sandbox/clock", json={"advance_seconds": seconds})
        reply.raise_for_status()


def start_sandbox(world: dict[str, Any] | Path | None) -> Sandbox:
    threaded = ThreadedSandbox(world)
    threaded.start()
    return Sandbox(threaded)
