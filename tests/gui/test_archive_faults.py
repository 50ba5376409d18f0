"""The window while its archive misbehaves: another process holding the write lock, the file
removed or made read-only. A real SQLite file, a real sandbox over loopback, a real window."""

from __future__ import annotations

import asyncio
import os

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from igdesk.domain import Folder
from igdesk.store import Archive
from igdesk.ui.main_window import MainWindow
from tests.archive_lock import write_lock_held
from tests.gui.conftest import RunUntil, open_by_username, settle, thread_id_of
from tests.sandbox_client import Sandbox

LOCK_SECONDS = 5.0


@pytest.mark.slow
def test_window_stays_responsive_while_another_process_holds_the_write_lock(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil, stored: Archive
) -> None:
    ticks: list[bool] = []
    timer = QTimer(interval=50)
    timer.timeout.connect(lambda: ticks.append(True))
    timer.start()
    world.writes("ani.follower", "Kak, ready stok?")
    path = window.app.profile.archive_path
    with write_lock_held(path, LOCK_SECONDS) as holder:
        sync = asyncio.ensure_future(window.app.sync_once())  # its writes wait for the lock
        window.conversation.move_requested.emit(thread_id_of(window, "bob.general"), "primary")
        open_by_username(window, qtbot, "eka.long")  # reads do not wait
        opened_during_lock = holder.poll() is None
        ticks_before = len(ticks)
        qtbot.waitUntil(
            lambda: holder.poll() is not None, timeout=int(LOCK_SECONDS * 1000) + 10_000
        )
        ticked_during_lock = len(ticks) - ticks_before
    timer.stop()
    summary = run_until(qtbot, sync, 30_000)  # the work waited, then completed
    settle(qtbot, window)
    assert opened_during_lock, "opening a thread waited for the other process"
    assert window.conversation.current is not None
    assert window.conversation.current.contact_username == "eka.long"
    assert ticked_during_lock > 1, "the Qt loop stopped turning while the lock was held"
    assert summary.new_messages == 1
    assert stored.threads.get(thread_id_of(window, "bob.general")).folder is Folder.PRIMARY  # type: ignore[union-attr]
    ani = stored.threads.get(thread_id_of(window, "ani.follower"))
    assert ani is not None and ani.last_message_text == "Kak, ready stok?"


def test_archive_file_removed_while_open_says_so_in_the_status_bar(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    bob = thread_id_of(window, "bob.general")
    os.remove(window.app.profile.archive_path)
    world.writes("ani.follower", "Masih ada?")
    window.app.start_polling()
    qtbot.waitUntil(lambda: "removed or moved" in window.status_label.text(), timeout=15_000)
    run_until(qtbot, window.open_thread(bob), 10_000)  # what it showed stays readable
    assert window.folder is Folder.GENERAL and window.thread_model.row_of(bob) is not None
    assert window.conversation.current is not None and window.conversation.current.id == bob


def test_archive_file_made_read_only_says_so_until_writable_again(
    window: MainWindow, world: Sandbox, qtbot: QtBot
) -> None:
    path = window.app.profile.archive_path
    os.chmod(path, 0o444)
    try:
        world.writes("ani.follower", "Halo?")
        window.app.start_polling()
        qtbot.waitUntil(lambda: "read-only" in window.status_label.text(), timeout=15_000)
    finally:
        os.chmod(path, 0o644)
    window.app.refresh()
    qtbot.waitUntil(lambda: "read-only" not in window.status_label.text(), timeout=15_000)
    qtbot.waitUntil(
        lambda: window.thread_model.thread_at(0).last_message_text == "Halo?", timeout=15_000
    )
