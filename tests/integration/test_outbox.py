"""Replies through the outbox against the sandbox: delivered once, never lost, never doubled."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from igdesk.app import App
from igdesk.config import Profile, Settings
from igdesk.domain import Folder
from igdesk.errors import IgdeskError
from igdesk.events import Event, SignInNeeded
from igdesk.graph.errors import HumanAgentNotAllowedError, NoMatchingUserError, UserUnavailableError
from igdesk.sandbox.testing import tiny_scenario
from igdesk.store import Archive
from igdesk.store.outbox import OutboxState
from igdesk.sync.outbox import sentence_of, window_closed_at
from igdesk.views import OutboxView
from tests.integration.conftest import Sandbox, start_sandbox

T = TypeVar("T")


class Shop:
    """An App on a synced tiny world, driven synchronously from the test."""

    def __init__(
        self,
        sandbox: Sandbox,
        directory: Path,
        *,
        human_agent: bool = False,
        settle: float = 0.0,
    ) -> None:
        self.sandbox = sandbox
        self.loop = asyncio.new_event_loop()
        self.app = App(
            Profile(directory),
            graph_url=sandbox.url,
            token=sandbox.token,
            settings=Settings(human_agent_allowed=human_agent),
        )
        self.app.outbox_settle_seconds = settle
        self.events: list[Event] = []
        self.app.events.subscribe(self.events.append)
        self.run(self.app.sync_once)
        self._archive: Archive | None = None

    @property
    def archive(self) -> Archive:
        """The profile's archive file, opened beside the App's own connections to check it."""
        if self._archive is None:
            self._archive = Archive.open(self.app.profile.archive_path)
        return self._archive

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def go() -> T:
            return await make()

        return self.loop.run_until_complete(go())

    def thread(self, username: str) -> str:
        threads = self.run(self.app.inbox.threads)
        return next(r.id for r in threads if r.contact_username == username)

    def send(self, thread_id: str, text: str) -> int:
        return self.run(lambda: self.app.replies.send_text(thread_id, text))

    def unsent(self, thread_id: str) -> list[OutboxView]:
        return self.run(lambda: self.app.inbox.unsent(thread_id))

    def flush(self) -> bool:
        return self.run(self.app.replies.flush_outbox)

    def sends(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.sandbox.world()["sends"]
        return data

    def close(self) -> None:
        self.run(self.app.aclose)
        self.loop.close()
        if self._archive is not None:
            self._archive.close()


@pytest.fixture
def shop(tiny_sandbox: Sandbox, tmp_path: Path) -> Iterator[Shop]:
    opened = Shop(tiny_sandbox, tmp_path / "profile")
    try:
        yield opened
    finally:
        opened.close()


def delivered_texts(shop: Shop, thread_id: str) -> list[str]:
    thread = next(t for t in shop.sandbox.world()["threads"] if t["id"] == thread_id)
    return [m["text"] for m in reversed(thread["messages"]) if m["from_shop"]]  # oldest first


def advance(sandbox: Sandbox, seconds: float) -> None:
    sandbox.control.post("/_sandbox/clock", json={"advance_seconds": seconds}).raise_for_status()


def test_a_reply_is_delivered_once_and_its_echo_makes_no_second_bubble(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    entry_id = shop.send(thread_id, "Siap kak, dikirim hari ini 📦")
    assert shop.archive.outbox.get(entry_id).state is OutboxState.PENDING  # type: ignore[union-attr]
    assert shop.flush() is False
    entry = shop.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.SENT and entry.message_id
    assert delivered_texts(shop, thread_id).count("Siap kak, dikirim hari ini 📦") == 1
    shop.run(shop.app.sync_once)  # the echo comes back through polling
    texts = [m.text for m in shop.archive.messages.of_thread(thread_id)]
    assert texts.count("Siap kak, dikirim hari ini 📦") == 1
    assert shop.archive.messages.get(entry.message_id) is not None


def test_empty_and_oversized_replies_are_refused_before_anything_is_stored(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    for text in ("", "   \n\t "):
        with pytest.raises(IgdeskError) as empty:
            shop.send(thread_id, text)
        assert "Write something" in empty.value.sentence("en")
    emoji_1001 = "😀" * 250 + "a"  # 1001 bytes
    with pytest.raises(IgdeskError) as big:
        shop.send(thread_id, emoji_1001)
    assert "1001 bytes" in big.value.sentence("en")
    shop.send(thread_id, "😀" * 250)  # exactly 1000 bytes is fine
    assert len(shop.unsent(thread_id)) == 1


def test_offline_send_waits_then_goes_out_in_order(shop: Shop, tmp_path: Path) -> None:
    thread_id = shop.thread("ani.follower")
    shop.sandbox.fault("drop", path="/messages", method="POST", count=-1)
    first = shop.send(thread_id, "satu")
    second = shop.send(thread_id, "dua")
    shop.flush()
    states = {e.id: e.state for e in shop.unsent(thread_id)}
    assert set(states) == {first, second}  # nothing lost, nothing marked sent
    shop.sandbox.clear_faults()
    for _ in range(3):
        if not shop.flush():
            break
    assert delivered_texts(shop, thread_id)[-2:] == ["satu", "dua"]
    assert delivered_texts(shop, thread_id).count("satu") == 1


def test_unknown_outcome_is_reconciled_not_resent(shop: Shop) -> None:
    """The request went out but the answer was lost: the reply must not go twice."""
    thread_id = shop.thread("ani.follower")
    shop.sandbox.fault("drop", path="/messages", method="POST", after_apply=True)
    entry_id = shop.send(thread_id, "Sudah kami kirim ya kak")
    shop.flush()
    assert shop.archive.outbox.get(entry_id).state is OutboxState.UNKNOWN  # type: ignore[union-attr]
    shop.flush()
    entry = shop.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.SENT
    assert delivered_texts(shop, thread_id).count("Sudah kami kirim ya kak") == 1


def test_server_error_before_sending_is_retried_after_checking(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    shop.sandbox.fault("server_error", path="/messages", method="POST")
    entry_id = shop.send(thread_id, "Coba lagi")
    for _ in range(3):
        if not shop.flush():
            break
    assert shop.archive.outbox.get(entry_id).state is OutboxState.SENT  # type: ignore[union-attr]
    assert delivered_texts(shop, thread_id).count("Coba lagi") == 1


def test_rate_limit_on_send_waits_and_sends_later(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    shop.sandbox.fault("rate_limit", path="/messages", method="POST", code=613, minutes=0)
    entry_id = shop.send(thread_id, "Pelan-pelan")
    assert shop.flush() is True
    assert shop.archive.outbox.get(entry_id).state is OutboxState.PENDING  # type: ignore[union-attr]
    assert shop.flush() is False
    assert delivered_texts(shop, thread_id).count("Pelan-pelan") == 1


def test_window_closed_between_typing_and_sending(shop: Shop) -> None:
    thread_id = shop.thread("bob.general")  # last customer message 5 h ago
    entry_id = shop.send(thread_id, "Maaf terlambat")
    advance(shop.sandbox, 20 * 3600)  # Meta's clock: now 25 h after the customer wrote
    shop.flush()
    entry = shop.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.FAILED
    assert "no longer reply" in sentence_of(entry.error, "en")
    assert sentence_of(entry.error, "id") != sentence_of(entry.error, "en")
    with pytest.raises(IgdeskError):  # the server's verdict now closes the composer too
        shop.send(thread_id, "lagi")
    assert delivered_texts(shop, thread_id).count("Maaf terlambat") == 0


def test_customer_unavailable_fails_with_a_sentence(tmp_path: Path) -> None:
    scenario = tiny_scenario()
    scenario["threads"].append(
        {
            "customer": {"username": "hilang", "name": "Hilang", "available": False},
            "messages": [{"from": "customer", "ago": "1h", "text": "halo"}],
        }
    )
    sandbox = start_sandbox(scenario)
    shop = Shop(sandbox, tmp_path / "p")
    try:
        thread_id = shop.thread("hilang")
        entry_id = shop.send(thread_id, "Halo kak")
        shop.flush()
        entry = shop.archive.outbox.get(entry_id)
        assert entry is not None and entry.state is OutboxState.FAILED
        assert "available" in sentence_of(entry.error, "en")
    finally:
        shop.close()
        sandbox.close()


def test_a_recipient_who_is_no_customer_fails_at_once_and_is_never_retried(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    stranger = "17800000000000999"  # no customer of this shop
    body = {"recipient": {"id": stranger}, "message": {"text": "Halo kak"}}
    entry_id = shop.archive.outbox.add(thread_id, stranger, "text", body)
    for _ in range(3):
        assert shop.flush() is False  # nothing left waiting for a retry
    entry = shop.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.FAILED
    refusals = [s for s in shop.sends() if s["body"]["recipient"]["id"] == stranger]
    assert len(refusals) == 1 and not refusals[0]["ok"]
    # Meta's "No matching user found" (100/2018001) has its own sentence; 2534014 the general one.
    expected = {2018001: NoMatchingUserError, 2534014: UserUnavailableError}
    error = expected[refusals[0]["error_subcode"]]
    assert sentence_of(entry.error, "en") == error.sentence("en")
    assert sentence_of(entry.error, "id") == error.sentence("id")
    assert window_closed_at(shop.archive, thread_id) is None


def test_human_agent_without_the_feature_fails_without_closing_the_window(
    tmp_path: Path,
) -> None:
    """The owner says they have Human Agent, Meta says the app does not: a sentence of its own,
    the reply kept for Retry/Delete, and no "window closed" verdict for the thread."""
    scenario = tiny_scenario(human_agent=False)
    scenario["threads"].append(
        {
            "customer": {"username": "waktu", "name": "Waktu", "follows_business": True},
            "messages": [{"from": "customer", "ago": "25h", "text": "Halo kak"}],
        }
    )
    sandbox = start_sandbox(scenario)
    shop = Shop(sandbox, tmp_path / "p", human_agent=True)
    try:
        thread_id = shop.thread("waktu")
        entry_id = shop.send(thread_id, "Maaf baru balas")
        assert shop.flush() is False
        entry = shop.archive.outbox.get(entry_id)
        assert entry is not None and entry.state is OutboxState.FAILED
        refused = shop.sends()[-1]
        assert refused["body"]["tag"] == "HUMAN_AGENT" and not refused["ok"]
        assert (refused["error_code"], refused["error_subcode"]) == (10, None)
        assert sentence_of(entry.error, "en") == HumanAgentNotAllowedError.sentence("en")
        assert sentence_of(entry.error, "id") == HumanAgentNotAllowedError.sentence("id")
        assert entry.body["message"] == {"text": "Maaf baru balas"}  # kept for Retry
        assert window_closed_at(shop.archive, thread_id) is None
        shop.run(lambda: shop.app.replies.retry_send(entry_id))
        shop.flush()
        entry = shop.archive.outbox.get(entry_id)
        assert entry is not None and entry.state is OutboxState.FAILED
        shop.run(lambda: shop.app.replies.delete_send(entry_id))
        assert shop.unsent(thread_id) == []
        assert delivered_texts(shop, thread_id) == []
    finally:
        shop.close()
        sandbox.close()


def test_expired_token_keeps_the_reply_and_asks_to_sign_in(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    shop.sandbox.fault("expired_token", path="/messages", method="POST")
    entry_id = shop.send(thread_id, "Token habis?")
    shop.flush()
    assert shop.archive.outbox.get(entry_id).state is OutboxState.PENDING  # type: ignore[union-attr]
    assert any(isinstance(e, SignInNeeded) for e in shop.events)
    shop.flush()
    assert delivered_texts(shop, thread_id).count("Token habis?") == 1


def test_reply_to_a_request_moves_it_to_general(shop: Shop) -> None:
    thread_id = shop.thread("cici.request")
    shop.send(thread_id, "Ready kak")
    shop.flush()
    assert shop.archive.threads.get(thread_id).folder is Folder.GENERAL  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("age", "human_agent", "sent", "tagged"),
    [
        ("23h59m", False, True, False),
        ("24h1m", False, False, False),
        ("24h1m", True, True, True),
        ("6d23h", True, True, True),
        ("7d1m", True, False, False),
    ],
)
def test_messaging_window_rules(
    tmp_path: Path, age: str, human_agent: bool, sent: bool, tagged: bool
) -> None:
    """igdesk and the sandbox agree on the window: tag only between 24 h and 7 days."""
    scenario = tiny_scenario(human_agent=True)
    scenario["threads"].append(
        {
            "customer": {"username": "waktu", "name": "Waktu", "follows_business": True},
            "messages": [{"from": "customer", "ago": age, "text": "Halo kak"}],
        }
    )
    sandbox = start_sandbox(scenario)
    shop = Shop(sandbox, tmp_path / "p", human_agent=human_agent)
    try:
        thread_id = shop.thread("waktu")
        try:
            entry_id = shop.send(thread_id, "Halo")
        except IgdeskError as refused:
            assert not sent, refused.sentence("en")  # the composer is closed: nothing queued
            assert shop.unsent(thread_id) == []
            return
        assert sent
        shop.flush()
        entry = shop.archive.outbox.get(entry_id)
        assert entry is not None
        assert entry.state is OutboxState.SENT, sentence_of(entry.error, "en")
        body = shop.sends()[-1]["body"]
        assert (body.get("messaging_type"), body.get("tag")) == (
            ("MESSAGE_TAG", "HUMAN_AGENT") if tagged else (None, None)
        )
    finally:
        shop.close()
        sandbox.close()


def test_crash_mid_send_then_restart_sends_at_most_once(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    """An entry left in `sending` by a killed process is reconciled on the next start."""
    directory = tmp_path / "p"
    first = Shop(tiny_sandbox, directory)
    thread_id = first.thread("ani.follower")
    entry_id = first.send(thread_id, "Setelah crash")
    # The request reached Meta; the process died before it could record the answer.
    account = first.archive.account.get()
    queued = first.archive.outbox.get(entry_id)
    assert account is not None and queued is not None
    first.run(lambda: first.app.client.send(account, queued.body))
    first.archive.outbox.update(entry_id, state=OutboxState.SENDING)
    first.close()

    second = Shop(tiny_sandbox, directory)
    try:

        async def restart() -> None:
            sender = second.app.replies._outbox_sender()
            task = asyncio.get_running_loop().create_task(sender.run())
            await asyncio.sleep(1.0)
            sender.stop()
            await task

        second.run(restart)
        entry = second.archive.outbox.get(entry_id)
        assert entry is not None and entry.state is OutboxState.SENT
        assert delivered_texts(second, thread_id).count("Setelah crash") == 1
    finally:
        second.close()


def test_photo_by_link_is_checked_then_delivered(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    row = shop.archive.threads.get(thread_id)
    contact = shop.archive.contacts.get(row.contact_id) if row else None
    assert contact is not None and contact.profile_pic  # a real PNG the sandbox serves
    entry_id = shop.run(
        lambda: shop.app.replies.send_file_url(thread_id, "image", [contact.profile_pic] * 2)
    )
    shop.flush()
    entry = shop.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.SENT, sentence_of(entry.error, "en")
    thread = next(t for t in shop.sandbox.world()["threads"] if t["id"] == thread_id)
    assert thread["messages"][0]["attachment_types"] == ["image", "image"]


def test_a_link_that_is_not_a_photo_is_refused_with_a_sentence(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    with pytest.raises(IgdeskError) as refused:
        shop.run(
            lambda: shop.app.replies.send_file_url(
                thread_id, "image", f"{shop.sandbox.url}/_sandbox/world"
            )
        )
    assert "allowed" in refused.value.sentence("en")
    with pytest.raises(IgdeskError) as broken:
        shop.run(lambda: shop.app.replies.send_file_url(thread_id, "file", ["ftp://example/x.pdf"]))
    assert "https://" in broken.value.sentence("en")
    assert shop.unsent(thread_id) == []


def test_react_and_unreact_to_a_customer_message(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    customer_message = next(
        m for m in shop.archive.messages.of_thread(thread_id) if not m.is_from_shop
    )
    shop.run(lambda: shop.app.replies.react(thread_id, customer_message.id, "❤️"))
    stored = shop.archive.messages.get(customer_message.id)
    assert stored is not None and [r.emoji for r in stored.reactions] == ["❤️"]
    actions = shop.sandbox.world()["sender_actions"]
    assert any("react" in str(a) and customer_message.id in str(a) for a in actions)
    shop.run(lambda: shop.app.replies.react(thread_id, customer_message.id, None))
    stored = shop.archive.messages.get(customer_message.id)
    assert stored is not None and stored.reactions == ()


SEND_IN_CHILD = """
import asyncio, sys
from pathlib import Path
from igdesk.app import App
from igdesk.config import Profile

async def main() -> None:
    app = App(Profile(Path(sys.argv[1])), graph_url=sys.argv[2], token=sys.argv[3])
    thread_id = sys.argv[4]
    await app.replies.send_text(thread_id, "Dikirim lalu mati")
    print("queued", flush=True)
    await app.replies.flush_outbox()
    await app.aclose()

asyncio.run(main())
"""


def test_kill_9_mid_send_then_restart_sends_exactly_once(
    tiny_sandbox: Sandbox, tmp_path: Path
) -> None:
    """A real process killed while its send is in flight: after restart the reply is sent
    once, or clearly marked; never twice."""
    import subprocess
    import sys
    import time

    directory = tmp_path / "p"
    first = Shop(tiny_sandbox, directory)
    thread_id = first.thread("ani.follower")
    first.close()  # the child process owns the profile now
    tiny_sandbox.fault("slow", path="/messages", method="POST", seconds=3)
    tiny_sandbox.clear_requests()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SEND_IN_CHILD,
            str(directory),
            tiny_sandbox.url,
            tiny_sandbox.token,
            thread_id,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "queued"
        deadline = time.monotonic() + 20
        while not any(r["method"] == "POST" for r in tiny_sandbox.requests()):
            assert time.monotonic() < deadline, "the send never reached the sandbox"
            time.sleep(0.05)
    finally:
        child.kill()  # SIGKILL while the request is in flight (the sandbox is still 'slow')
        child.wait()
        if child.stdout is not None:
            child.stdout.close()

    # The killed request is still landing at Meta (3 s): a restart must not take the
    # conversation's silence as "not sent" before the request could have arrived.
    restarted = Shop(tiny_sandbox, directory, settle=5.0)
    try:

        async def restart() -> None:
            sender = restarted.app.replies._outbox_sender()  # the startup path under test
            task = asyncio.get_running_loop().create_task(sender.run())
            for _ in range(150):
                await asyncio.sleep(0.1)
                states = {e.state for e in restarted.archive.outbox.entries(thread_id=thread_id)}
                if states <= {OutboxState.SENT, OutboxState.FAILED}:
                    break
            sender.stop()
            await task

        restarted.run(restart)
        entries = restarted.archive.outbox.entries(thread_id=thread_id)
        assert len(entries) == 1
        assert entries[0].state in (OutboxState.SENT, OutboxState.FAILED)
        assert delivered_texts(restarted, thread_id).count("Dikirim lalu mati") == 1
    finally:
        restarted.close()


def test_eleven_photos_are_refused_and_a_post_can_be_shared(tmp_path: Path) -> None:
    scenario = tiny_scenario()
    scenario["posts"] = [{"caption": "Batik merah, ready!", "media": "batik_red", "ago": "2d"}]
    sandbox = start_sandbox(scenario)
    shop = Shop(sandbox, tmp_path / "p")
    try:
        share_a_post(shop)
    finally:
        shop.close()
        sandbox.close()


def share_a_post(shop: Shop) -> None:
    thread_id = shop.thread("ani.follower")
    with pytest.raises(IgdeskError) as too_many:
        shop.run(
            lambda: shop.app.replies.send_file_url(thread_id, "image", ["https://x/a.png"] * 11)
        )
    assert "1 to 10" in too_many.value.sentence("en")
    posts = shop.run(shop.app.replies.shop_posts)
    assert posts, "the sandbox shop has posts"
    entry_id = shop.run(lambda: shop.app.replies.share_post(thread_id, posts[0].id))
    shop.flush()
    entry = shop.archive.outbox.get(entry_id)
    assert entry is not None and entry.state is OutboxState.SENT, sentence_of(entry.error, "en")
    body = shop.sends()[-1]["body"]
    assert body["message"] == {
        "attachment": {"type": "MEDIA_SHARE", "payload": {"id": posts[0].id}}
    }


def test_a_photo_over_the_size_limit_is_refused_before_sending(shop: Shop) -> None:
    """A link whose file is larger than Instagram's 8 MB image limit: a sentence, no send."""
    import http.server
    import threading

    class BigPicture(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(9_000_000))
            self.end_headers()  # the body is never needed: the header already says too big

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BigPicture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/big.png"
        thread_id = shop.thread("ani.follower")
        with pytest.raises(IgdeskError) as refused:
            shop.run(lambda: shop.app.replies.send_file_url(thread_id, "image", [url]))
        assert "8 MB" in refused.value.sentence("en")
        assert shop.unsent(thread_id) == []
    finally:
        server.shutdown()
        server.server_close()
