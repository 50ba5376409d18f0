"""The real main window against the sandbox over loopback, with a real archive (pytest-qt)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from igdesk.app import App
from igdesk.config import Profile, Settings
from igdesk.domain import Folder, utc_now
from igdesk.i18n import Words
from igdesk.sandbox.testing import tiny_scenario
from igdesk.sandbox.threaded import ThreadedSandbox
from igdesk.ui.aio import TaskOwner
from igdesk.ui.images import ImageStore
from igdesk.ui.main_window import MainWindow
from igdesk.ui.tray import TrayNotifier

RunUntil = Any


class World:
    """The sandbox's side, for assertions and for making customers write."""

    def __init__(self, sandbox: ThreadedSandbox) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(base_url=sandbox.url, timeout=10)

    def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = self.http.get("/_sandbox/world").json()
        return data

    def thread_of(self, username: str) -> dict[str, Any]:
        return next(t for t in self.snapshot()["threads"] if t["customer"]["username"] == username)

    def writes(self, username: str, text: str) -> dict[str, Any]:
        reply = self.http.post(
            "/_sandbox/customer_message", json={"username": username, "text": text}
        )
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()
        return data

    def mark_seen_for(self, customer_id: str) -> list[dict[str, Any]]:
        return [
            action
            for action in self.snapshot()["sender_actions"]
            if action.get("action", action.get("sender_action")) == "mark_seen"
            and customer_id in str(action)
        ]

    def fault(self, kind: str, **spec: Any) -> None:
        self.http.post("/_sandbox/faults", json={"kind": kind, **spec}).raise_for_status()


@pytest.fixture
def world() -> Iterator[World]:
    scenario = tiny_scenario()
    scenario["threads"][0]["messages"] += [
        {
            "from": "customer",
            "ago": "20m",
            "attachments": [{"type": "image", "media": "batik_red"}],
        },
        {"from": "customer", "ago": "10m", "text": "<b>bold?</b><script>alert(1)</script>"},
    ]
    for username, age in (("hampir.habis", "22h30m"), ("sebentar.lagi", "21h30m")):
        scenario["threads"].append(
            {
                "customer": {"username": username, "name": username, "follows_business": True},
                "messages": [{"from": "customer", "ago": age, "text": "Masih bisa pesan?"}],
            }
        )
    sandbox = ThreadedSandbox(scenario)
    sandbox.start()
    side = World(sandbox)
    try:
        yield side
    finally:
        side.http.close()
        sandbox.stop()


@pytest.fixture
def window(qtbot: QtBot, run_until: RunUntil, world: World, tmp_path: Path) -> Iterator[MainWindow]:
    settings = Settings(notify_folders=["primary"])
    app = App(
        Profile(tmp_path / "profile"),
        graph_url=world.sandbox.url,
        token=world.sandbox.token,
        settings=settings,
    )
    run_until(qtbot, app.sync_once(), 30_000)
    tasks = TaskOwner("test-window")
    images = ImageStore(tmp_path / "images")
    tray = TrayNotifier(settings, use_system_tray=False)
    main = MainWindow(app, images=images, tasks=tasks, words=Words("en"), tray=tray)
    qtbot.addWidget(main)
    main.show()
    try:
        yield main
    finally:
        main.close()
        run_until(qtbot, tasks.cancel_all(), 5000)
        run_until(qtbot, images.aclose(), 5000)
        run_until(qtbot, app.aclose(), 5000)
        tray.hide()


def titles(model: QAbstractItemModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def open_by_username(main: MainWindow, username: str) -> str:
    thread_id = str(thread_id_of(main, username))
    main.open_thread(thread_id)
    return thread_id


def thread_id_of(main: MainWindow, username: str) -> str:
    for row in main.app.archive.threads():
        if row.contact_username == username:
            return row.id
    raise AssertionError(f"no thread with {username}")


def test_folders_and_counts_follow_the_rules(window: MainWindow) -> None:
    window.show_folder(Folder.PRIMARY)
    assert sorted(titles(window.thread_model)) == ["Ani", "Eka", "hampir.habis", "sebentar.lagi"]
    window.show_folder(Folder.GENERAL)
    assert titles(window.thread_model) == ["Bob"]
    window.show_folder(Folder.REQUESTS)
    assert [r.contact_username for r in map(window.thread_model.thread_at, range(1))] == [
        "cici.request"
    ]
    assert window.requests_notice.isVisible()
    counts = window.app.archive.unread_counts()
    for row, folder in enumerate((Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS)):
        assert window.folder_model.count(folder) == counts.get(folder, 0)
        assert window.folder_model.index(row, 0).isValid()
    total = sum(counts.get(f, 0) for f in (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS))
    assert window.windowTitle() == f"igdesk ({total})"


def test_opening_a_request_does_not_mark_it_seen(
    window: MainWindow, world: World, qtbot: QtBot
) -> None:
    customer = world.thread_of("cici.request")["customer"]["id"]
    open_by_username(window, "cici.request")
    qtbot.wait(300)
    assert world.mark_seen_for(customer) == []
    row = window.app.archive.thread(thread_id_of(window, "cici.request"))
    assert row is not None and row.unread == 1  # still unread: requests wait for a decision


def test_opening_an_accepted_thread_marks_it_read_and_seen(
    window: MainWindow, world: World, qtbot: QtBot
) -> None:
    customer = world.thread_of("ani.follower")["customer"]["id"]
    thread_id = open_by_username(window, "ani.follower")
    qtbot.waitUntil(lambda: bool(world.mark_seen_for(customer)), timeout=5000)
    row = window.app.archive.thread(thread_id)
    assert row is not None and row.unread == 0


def test_accept_moves_a_request_and_then_marks_it_seen(
    window: MainWindow, world: World, qtbot: QtBot
) -> None:
    customer = world.thread_of("cici.request")["customer"]["id"]
    thread_id = open_by_username(window, "cici.request")
    window.conversation.accept_button.menu().actions()[1].trigger()  # "Accept to General"
    qtbot.waitUntil(lambda: window.app.archive.thread(thread_id).folder is Folder.GENERAL)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: bool(world.mark_seen_for(customer)), timeout=5000)
    window.show_folder(Folder.GENERAL)
    assert window.thread_model.row_of(thread_id) is not None


def test_deny_undo_and_restore_from_denied(window: MainWindow, qtbot: QtBot) -> None:
    thread_id = open_by_username(window, "cici.request")
    window.thread_view.setFocus()
    qtbot.keyClick(window.thread_view, Qt.Key.Key_D)
    assert window.app.archive.thread(thread_id).folder is Folder.DENIED  # type: ignore[union-attr]
    assert window.thread_model.row_of(thread_id) is None
    assert window.undo_button.isVisible()
    window.undo_button.click()
    assert window.app.archive.thread(thread_id).folder is Folder.REQUESTS  # type: ignore[union-attr]
    assert window.thread_model.row_of(thread_id) is not None
    window.conversation.deny_button.click()
    window.show_folder(Folder.DENIED)
    assert window.thread_model.row_of(thread_id) is not None
    window.open_thread(thread_id)
    window.conversation.restore_button.click()
    assert window.app.archive.thread(thread_id).folder is Folder.REQUESTS  # type: ignore[union-attr]


def test_move_between_primary_and_general(window: MainWindow) -> None:
    thread_id = open_by_username(window, "ani.follower")
    window.conversation.move_button.click()
    assert window.app.archive.thread(thread_id).folder is Folder.GENERAL  # type: ignore[union-attr]
    assert window.thread_model.row_of(thread_id) is None  # left the Primary list


def test_new_message_appears_in_place_without_a_reset(
    window: MainWindow, world: World, qtbot: QtBot, run_until: RunUntil
) -> None:
    window.show_folder(Folder.PRIMARY)
    model = window.thread_model
    resets: list[bool] = []
    moves: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.rowsMoved.connect(lambda *_: moves.append(True))
    bottom = model.thread_at(model.rowCount() - 1)
    thread_id = open_by_username(window, bottom.contact_username)
    before = window.conversation.model.rowCount()
    world.writes(bottom.contact_username, "Kak, jadi pesan 2 ya")
    run_until(qtbot, window.app.sync_once(), 15_000)
    assert resets == []
    assert moves, "the thread moved to the top"
    assert model.thread_at(0).id == thread_id
    assert window.conversation.model.rowCount() > before


def test_notifications_only_when_enabled_for_that_folder(
    window: MainWindow, world: World, qtbot: QtBot, run_until: RunUntil
) -> None:
    assert window.tray is not None
    shown: list[str] = []
    window.tray.shown.connect(shown.append)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    world.writes("ani.follower", "While you look: no desktop notification")
    run_until(qtbot, window.app.sync_once(), 15_000)
    assert shown == []
    other = QWidget()  # the owner switches to another window
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow(), timeout=3000)
    world.writes("ani.follower", "Primary: notify")  # notifications are on for Primary only
    world.writes("bob.general", "General: stay quiet")
    run_until(qtbot, window.app.sync_once(), 15_000)
    assert shown == [thread_id_of(window, "ani.follower")]


def test_search_opens_the_right_message(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClicks(window.search_box, "pesan 13")  # only the 20 newest of eka.long's are stored
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.search_model.rowCount() >= 1
    hit = window.search_model.hit_at(0)
    window.search_view.activated.emit(window.search_model.index(0, 0))
    assert window.conversation.current is not None
    assert window.conversation.current.id == hit.thread_id
    current = window.conversation.view.currentIndex()
    assert window.conversation.model.row_of(hit.message_id) == current.row()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.middle.currentIndex() == 0


def test_html_looking_text_is_shown_literally(window: MainWindow) -> None:
    thread_id = open_by_username(window, "ani.follower")
    texts = [m.text for m in window.conversation.model.messages()]
    assert "<b>bold?</b><script>alert(1)</script>" in texts
    assert window.conversation.title.textFormat() == Qt.TextFormat.PlainText
    assert window.app.archive.thread(thread_id) is not None


def test_every_model_passes_the_model_tester(window: MainWindow, qtmodeltester: Any) -> None:
    open_by_username(window, "eka.long")
    for model in (
        window.folder_model,
        window.thread_model,
        window.conversation.model,
        window.search_model,
    ):
        qtmodeltester.check(model)


def test_keyboard_switches_folders_and_threads(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.folder is Folder.GENERAL
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.folder is Folder.PRIMARY
    window.thread_view.setFocus()
    qtbot.keyClick(window.thread_view, Qt.Key.Key_J)
    first = window.thread_view.currentIndex().row()
    qtbot.keyClick(window.thread_view, Qt.Key.Key_J)
    assert window.thread_view.currentIndex().row() == min(
        first + 1, window.thread_model.rowCount() - 1
    )
    for widget in (window.search_box, window.folder_view, window.thread_view):
        assert widget.accessibleName()


def test_sandbox_going_away_says_offline_without_dialogs(
    window: MainWindow, world: World, qtbot: QtBot, run_until: RunUntil
) -> None:
    rows_before = window.thread_model.rowCount()
    world.sandbox.stop()
    window.app.start_polling()
    qtbot.waitUntil(lambda: "Offline" in window.status_label.text(), timeout=60_000)
    assert window.thread_model.rowCount() == rows_before  # the archive stays readable
    assert not window.banner.isVisible()


def test_expired_token_shows_a_banner_and_keeps_the_archive(
    window: MainWindow, world: World, qtbot: QtBot
) -> None:
    rows_before = window.thread_model.rowCount()
    world.fault("expired_token", count=-1)
    window.app.start_polling()
    window.app.refresh()
    qtbot.waitUntil(window.banner.isVisible, timeout=20_000)
    assert "Sign in again" in window.banner_label.text()
    assert window.thread_model.rowCount() == rows_before


def test_expired_image_link_is_refreshed_on_retry(
    window: MainWindow, world: World, qtbot: QtBot
) -> None:
    open_by_username(window, "ani.follower")
    message = next(m for m in window.conversation.model.messages() if m.attachments)
    old_url = message.attachments[0].url
    world.http.post("/_sandbox/clock", json={"advance_seconds": 2 * 3600}).raise_for_status()
    assert window.images.state(old_url) in ("loading", "failed", "ready")
    qtbot.waitUntil(lambda: window.images.state(old_url) != "loading", timeout=10_000)
    window.message_delegate.retry_requested.emit(old_url)  # the owner clicks "retry"
    qtbot.waitUntil(
        lambda: window.conversation.model.message(message.id).attachments[0].url != old_url,  # type: ignore[union-attr]
        timeout=10_000,
    )
    fresh = window.conversation.model.message(message.id)
    assert fresh is not None
    new_url = fresh.attachments[0].url
    qtbot.waitUntil(lambda: window.images.state(new_url) == "ready", timeout=10_000)


def test_send_a_reply_delivered_once_and_echoed_once(
    window: MainWindow, world: World, qtbot: QtBot, run_until: RunUntil
) -> None:
    thread_id = open_by_username(window, "ani.follower")
    window.app.start_sending()
    window.composer.set_text("Terima kasih kak 🙏")
    qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    assert window.composer.text() == ""
    qtbot.waitUntil(
        lambda: (
            "Terima kasih kak 🙏"
            in [m["text"] for m in world.thread_of("ani.follower")["messages"]]
        ),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: not window.conversation.outbox.isVisible(), timeout=10_000)
    run_until(qtbot, window.app.sync_once(), 15_000)  # the echo comes back through polling
    shown = [m.text for m in window.conversation.model.messages()]
    assert shown.count("Terima kasih kak 🙏") == 1
    stored = [m.text for m in window.app.archive.messages(thread_id)]
    assert stored.count("Terima kasih kak 🙏") == 1


def test_closed_window_keeps_the_composer_closed_with_a_reason(window: MainWindow) -> None:
    open_by_username(window, "eka.long")  # the customer last wrote two days ago
    assert not window.composer.can_reply()
    window.composer.set_text("halo")
    assert not window.composer.can_send()


def test_draft_survives_switching_threads(window: MainWindow) -> None:
    first = open_by_username(window, "ani.follower")
    window.composer.set_text("Draf untuk Ani")
    open_by_username(window, "bob.general")
    assert window.app.archive.draft(first) == "Draf untuk Ani"
    open_by_username(window, "ani.follower")
    assert window.composer.text() == "Draf untuk Ani"


def test_ending_soon_lists_closing_windows_soonest_first(
    window: MainWindow, qtbot: QtBot, qtmodeltester: Any
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.middle.currentWidget() is window.ending_view
    names = [
        window.ending_model.thread_at(row).contact_username
        for row in range(window.ending_model.rowCount())
    ]
    assert names == ["hampir.habis", "sebentar.lagi"]  # 1.5 h left, then 2.5 h
    qtmodeltester.check(window.ending_model)
    window.ending_view.setCurrentIndex(window.ending_model.index(0, 0))
    assert window.conversation.current is not None
    assert window.conversation.current.contact_username == "hampir.habis"


def test_a_partly_done_pass_says_so_in_the_status_bar_and_clears_when_read(
    window: MainWindow, world: World, qtbot: QtBot, run_until: RunUntil
) -> None:
    thread = world.thread_of("bob.general")
    world.writes("bob.general", "Kak, sudah transfer")
    world.writes("ani.follower", "Ditunggu ya kak")
    world.fault("malformed_json", count=-1, path=thread["id"])
    run_until(qtbot, window.app.sync_once(), 30_000)
    qtbot.waitUntil(lambda: "could not be read" in window.status_label.text(), timeout=5_000)
    assert window.status_label.text().startswith(
        "1 conversation could not be read: Instagram's answer could not be read."
    )
    assert window.thread_model.rowCount() >= 4  # what was read is shown; nothing was lost

    world.http.delete("/_sandbox/faults").raise_for_status()
    window.app.syncer.clock = lambda: utc_now() + timedelta(minutes=5)  # its turn has come
    run_until(qtbot, window.app.sync_once(), 30_000)
    qtbot.waitUntil(lambda: "could not be read" not in window.status_label.text(), timeout=5_000)
