"""The real main window against the sandbox over loopback, with a real archive (pytest-qt)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from igdesk.domain import Folder, Message, utc_now
from igdesk.events import MessagesAdded
from igdesk.store import Archive
from igdesk.ui.main_window import MainWindow
from tests.gui.conftest import RunUntil, open_by_username, settle, thread_id_of
from tests.sandbox_client import Sandbox


def titles(model: QAbstractItemModel) -> list[str]:
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_folders_and_counts_follow_the_rules(
    window: MainWindow, qtbot: QtBot, run_until: RunUntil, stored: Archive
) -> None:
    run_until(qtbot, window.show_folder(Folder.PRIMARY))
    assert sorted(titles(window.thread_model)) == ["Ani", "Eka", "hampir.habis", "sebentar.lagi"]
    run_until(qtbot, window.show_folder(Folder.GENERAL))
    assert titles(window.thread_model) == ["Bob"]
    run_until(qtbot, window.show_folder(Folder.REQUESTS))
    assert [r.contact_username for r in map(window.thread_model.thread_at, range(1))] == [
        "cici.request"
    ]
    assert window.requests_notice.isVisible()
    counts = stored.threads.unread_counts()
    for row, folder in enumerate((Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS)):
        assert window.folder_model.count(folder) == counts.get(folder, 0)
        assert window.folder_model.index(row, 0).isValid()
    total = sum(counts.get(f, 0) for f in (Folder.PRIMARY, Folder.GENERAL, Folder.REQUESTS))
    assert window.windowTitle() == f"igdesk ({total})"


def test_opening_a_request_does_not_mark_it_seen(
    window: MainWindow, world: Sandbox, qtbot: QtBot, stored: Archive
) -> None:
    customer = world.thread_of("cici.request")["customer"]["id"]
    open_by_username(window, qtbot, "cici.request")
    qtbot.wait(300)
    assert world.mark_seen_for(customer) == []
    row = stored.threads.get(thread_id_of(window, "cici.request"))
    assert row is not None and row.unread == 1  # still unread: requests wait for a decision


def test_opening_an_accepted_thread_marks_it_read_and_seen(
    window: MainWindow, world: Sandbox, qtbot: QtBot, stored: Archive
) -> None:
    customer = world.thread_of("ani.follower")["customer"]["id"]
    thread_id = open_by_username(window, qtbot, "ani.follower")
    qtbot.waitUntil(lambda: bool(world.mark_seen_for(customer)), timeout=5000)
    row = stored.threads.get(thread_id)
    assert row is not None and row.unread == 0


def test_accept_moves_a_request_and_then_marks_it_seen(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil, stored: Archive
) -> None:
    customer = world.thread_of("cici.request")["customer"]["id"]
    thread_id = open_by_username(window, qtbot, "cici.request")
    window.conversation.accept_button.menu().actions()[1].trigger()  # "Accept to General"
    qtbot.waitUntil(lambda: stored.threads.get(thread_id).folder is Folder.GENERAL)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: bool(world.mark_seen_for(customer)), timeout=5000)
    run_until(qtbot, window.show_folder(Folder.GENERAL))
    assert window.thread_model.row_of(thread_id) is not None


def test_deny_undo_and_restore_from_denied(
    window: MainWindow, qtbot: QtBot, run_until: RunUntil, stored: Archive
) -> None:
    thread_id = open_by_username(window, qtbot, "cici.request")
    window.thread_view.setFocus()
    qtbot.keyClick(window.thread_view, Qt.Key.Key_D)
    settle(qtbot, window)
    assert stored.threads.get(thread_id).folder is Folder.DENIED  # type: ignore[union-attr]
    assert window.thread_model.row_of(thread_id) is None
    assert window.undo_button.isVisible()
    window.undo_button.click()
    settle(qtbot, window)
    assert stored.threads.get(thread_id).folder is Folder.REQUESTS  # type: ignore[union-attr]
    assert window.thread_model.row_of(thread_id) is not None
    window.conversation.deny_button.click()
    settle(qtbot, window)
    run_until(qtbot, window.show_folder(Folder.DENIED))
    assert window.thread_model.row_of(thread_id) is not None
    run_until(qtbot, window.open_thread(thread_id))
    window.conversation.restore_button.click()
    settle(qtbot, window)
    assert stored.threads.get(thread_id).folder is Folder.REQUESTS  # type: ignore[union-attr]


def test_move_between_primary_and_general(
    window: MainWindow, qtbot: QtBot, stored: Archive
) -> None:
    thread_id = open_by_username(window, qtbot, "ani.follower")
    window.conversation.move_button.click()
    settle(qtbot, window)
    assert stored.threads.get(thread_id).folder is Folder.GENERAL  # type: ignore[union-attr]
    assert window.thread_model.row_of(thread_id) is None  # left the Primary list


def test_new_message_appears_in_place_without_a_reset(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    run_until(qtbot, window.show_folder(Folder.PRIMARY))
    model = window.thread_model
    resets: list[bool] = []
    moves: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.rowsMoved.connect(lambda *_: moves.append(True))
    bottom = model.thread_at(model.rowCount() - 1)
    thread_id = open_by_username(window, qtbot, bottom.contact_username)
    before = window.conversation.model.rowCount()
    world.writes(bottom.contact_username, "Kak, jadi pesan 2 ya")
    run_until(qtbot, window.app.sync_once(), 15_000)
    settle(qtbot, window)
    assert resets == []
    assert moves, "the thread moved to the top"
    assert model.thread_at(0).id == thread_id
    assert window.conversation.model.rowCount() > before


def test_notifications_only_when_enabled_for_that_folder(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
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
    settle(qtbot, window)
    assert window.search_model.rowCount() >= 1
    hit = window.search_model.hit_at(0)
    window.search_view.activated.emit(window.search_model.index(0, 0))
    settle(qtbot, window)
    assert window.conversation.current is not None
    assert window.conversation.current.id == hit.thread_id
    current = window.conversation.view.currentIndex()
    assert window.conversation.model.row_of(hit.message_id) == current.row()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.middle.currentIndex() == 0


def test_html_looking_text_is_shown_literally(
    window: MainWindow, qtbot: QtBot, stored: Archive
) -> None:
    thread_id = open_by_username(window, qtbot, "ani.follower")
    texts = [m.text for m in window.conversation.model.messages()]
    assert "<b>bold?</b><script>alert(1)</script>" in texts
    assert window.conversation.title.textFormat() == Qt.TextFormat.PlainText
    assert stored.threads.get(thread_id) is not None


def test_every_model_passes_the_model_tester(
    window: MainWindow, qtmodeltester: Any, qtbot: QtBot
) -> None:
    open_by_username(window, qtbot, "eka.long")
    for model in (
        window.folder_model,
        window.thread_model,
        window.conversation.model,
        window.search_model,
    ):
        qtmodeltester.check(model)


def test_keyboard_switches_folders_and_threads(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.folder is Folder.GENERAL
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.folder is Folder.PRIMARY
    window.thread_view.setFocus()
    qtbot.keyClick(window.thread_view, Qt.Key.Key_J)
    settle(qtbot, window)
    first = window.thread_view.currentIndex().row()
    qtbot.keyClick(window.thread_view, Qt.Key.Key_J)
    settle(qtbot, window)
    assert window.thread_view.currentIndex().row() == min(
        first + 1, window.thread_model.rowCount() - 1
    )
    for widget in (window.search_box, window.folder_view, window.thread_view):
        assert widget.accessibleName()


def test_sandbox_going_away_says_offline_without_dialogs(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    rows_before = window.thread_model.rowCount()
    world.threaded.stop()
    window.app.start_polling()
    qtbot.waitUntil(lambda: "Offline" in window.status_label.text(), timeout=60_000)
    assert window.thread_model.rowCount() == rows_before  # the archive stays readable
    assert not window.banner.isVisible()


def test_expired_token_shows_a_banner_and_keeps_the_archive(
    window: MainWindow, world: Sandbox, qtbot: QtBot
) -> None:
    rows_before = window.thread_model.rowCount()
    world.fault("expired_token", count=-1)
    window.app.start_polling()
    window.app.refresh()
    qtbot.waitUntil(window.banner.isVisible, timeout=20_000)
    assert "Sign in again" in window.banner_label.text()
    assert window.thread_model.rowCount() == rows_before


def test_expired_image_link_is_refreshed_on_retry(
    window: MainWindow, world: Sandbox, qtbot: QtBot
) -> None:
    open_by_username(window, qtbot, "ani.follower")
    message = next(m for m in window.conversation.model.messages() if m.attachments)
    old_url = message.attachments[0].url
    world.control.post("/_sandbox/clock", json={"advance_seconds": 2 * 3600}).raise_for_status()
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
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil, stored: Archive
) -> None:
    thread_id = open_by_username(window, qtbot, "ani.follower")
    window.app.replies.start_sending()
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
    kept = [m.text for m in stored.messages.of_thread(thread_id)]
    assert kept.count("Terima kasih kak 🙏") == 1


def test_closed_window_keeps_the_composer_closed_with_a_reason(
    window: MainWindow, qtbot: QtBot
) -> None:
    open_by_username(window, qtbot, "eka.long")  # the customer last wrote two days ago
    assert not window.composer.can_reply()
    window.composer.set_text("halo")
    assert not window.composer.can_send()


def test_draft_survives_switching_threads(
    window: MainWindow, qtbot: QtBot, run_until: RunUntil
) -> None:
    first = open_by_username(window, qtbot, "ani.follower")
    window.composer.set_text("Draf untuk Ani")
    open_by_username(window, qtbot, "bob.general")
    assert run_until(qtbot, window.app.inbox.draft(first)) == "Draf untuk Ani"  # waits the save
    open_by_username(window, qtbot, "ani.follower")
    assert window.composer.text() == "Draf untuk Ani"


def test_ending_soon_lists_closing_windows_soonest_first(
    window: MainWindow, qtbot: QtBot, qtmodeltester: Any
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.middle.currentWidget() is window.ending_view
    names = [
        window.ending_model.thread_at(row).contact_username
        for row in range(window.ending_model.rowCount())
    ]
    assert names == ["hampir.habis", "sebentar.lagi"]  # 1.5 h left, then 2.5 h
    qtmodeltester.check(window.ending_model)
    window.ending_view.setCurrentIndex(window.ending_model.index(0, 0))
    settle(qtbot, window)
    assert window.conversation.current is not None
    assert window.conversation.current.contact_username == "hampir.habis"


def test_a_partly_done_pass_says_so_in_the_status_bar_and_clears_when_read(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
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

    world.control.delete("/_sandbox/faults").raise_for_status()
    window.app.syncer.clock = lambda: utc_now() + timedelta(minutes=5)  # its turn has come
    run_until(qtbot, window.app.sync_once(), 30_000)
    qtbot.waitUntil(lambda: "could not be read" not in window.status_label.text(), timeout=5_000)


def test_a_message_announced_while_its_thread_opens_is_shown(
    window: MainWindow, qtbot: QtBot, run_until: RunUntil
) -> None:
    """Opening a thread of another folder reads the conversation, then the folder; a message
    stored and announced in between is not in that read, and must still be shown."""
    thread_id = thread_id_of(window, "bob.general")
    run_until(qtbot, window.show_folder(Folder.PRIMARY))
    stored_while_opening: list[bool] = []

    def customer_writes_now(*_: object) -> None:  # the folder switch of the opening
        if stored_while_opening:
            return
        with Archive.open(window.app.profile.archive_path) as archive:
            contact = archive.threads.get(thread_id).contact_id  # type: ignore[union-attr]
            new = Message(
                id="m-while-opening",
                thread_id=thread_id,
                sender_id=contact,
                created_time=utc_now(),
                text="Masih ada kak?",
            )
            archive.messages.upsert(thread_id, [new])
        window.app.events.emit(MessagesAdded(thread_id, ("m-while-opening",)))
        stored_while_opening.append(True)

    window.folder_view.selectionModel().currentChanged.connect(customer_writes_now)
    run_until(qtbot, window.open_thread(thread_id))
    settle(qtbot, window)
    assert stored_while_opening
    assert window.conversation.current is not None
    assert window.conversation.current.id == thread_id
    texts = [m.text for m in window.conversation.model.messages()]
    assert texts[-1] == "Masih ada kak?"
