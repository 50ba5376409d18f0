"""A big inbox in the real window: the thread list and a long conversation are read a page at a
time, as the owner scrolls, and stay right while the App announces changes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from igdesk.domain import Contact, Folder, Message, utc_now
from igdesk.inbox import PAGE as FIRST_MESSAGES
from igdesk.store import Archive
from igdesk.ui.conversation import PAGE as OLDER_MESSAGES
from igdesk.ui.main_window import MainWindow
from igdesk.ui.models.threads import PAGE as THREAD_PAGE
from tests.gui.conftest import RunUntil, thread_id_of

EXTRA_THREADS = 2 * THREAD_PAGE + 30
LONG = FIRST_MESSAGES + OLDER_MESSAGES + 40


def add_old_threads(path: Path, count: int) -> list[str]:
    """`count` Primary threads, older than the synced ones, each with one unread message."""
    start = utc_now() - timedelta(days=400)
    ids = []
    with Archive.open(path) as archive, archive.transaction():
        for n in range(count):
            thread, customer = f"old-thread-{n:04d}", f"old-customer-{n:04d}"
            archive.contacts.upsert(Contact(customer, f"pelanggan{n}", f"Pelanggan {n}"))
            archive.threads.create(thread, customer, Folder.PRIMARY, start)
            at = start + timedelta(minutes=n)
            archive.messages.upsert(
                thread, [Message(f"{thread}-m", thread, customer, at, text=f"Halo kak {n}")]
            )
            ids.append(thread)
    return ids


def primary_ids(path: Path) -> list[str]:
    with Archive.open(path, reader=True) as archive:
        return [row.id for row in archive.threads.newest_first(Folder.PRIMARY)]


def scroll_threads_to_the_end(window: MainWindow, qtbot: QtBot) -> None:
    model, view = window.thread_model, window.thread_view
    while not model.complete:
        count = model.rowCount()
        view.scrollToBottom()
        qtbot.waitUntil(
            lambda count=count: model.rowCount() > count or model.complete, timeout=5000
        )


def test_thread_list_reads_pages_as_the_owner_scrolls(
    window: MainWindow, qtbot: QtBot, run_until: RunUntil
) -> None:
    path = window.app.profile.archive_path
    old = add_old_threads(path, EXTRA_THREADS)
    run_until(qtbot, window.reload_all(), 10_000)
    model = window.thread_model
    assert model.rowCount() == THREAD_PAGE and not model.complete
    with Archive.open(path, reader=True) as archive:
        counts = archive.threads.unread_counts()
    assert counts[Folder.PRIMARY] >= EXTRA_THREADS
    assert window.folder_model.count(Folder.PRIMARY) == counts[Folder.PRIMARY]

    # A customer writes in the oldest thread (below every page read): it comes to the top.
    oldest = old[0]
    with Archive.open(path) as archive:
        now = utc_now()
        customer = "old-customer-0000"
        archive.messages.upsert(oldest, [Message("news", oldest, customer, now, text="Masih?")])
    # A thread below the pages read changes without moving up: it is left for its page.
    with Archive.open(path) as archive:
        archive.threads.mark_read(old[5])
    run_until(qtbot, window.app.inbox.announce([oldest, old[5]]), 5000)
    assert model.thread_at(0).id == oldest
    assert model.row_of(old[5]) is None
    assert model.rowCount() == THREAD_PAGE + 1

    scroll_threads_to_the_end(window, qtbot)
    assert model.thread_ids() == primary_ids(path)  # each once, in the archive's order
    read_row = model.thread_at(model.row_of(old[5]))  # type: ignore[arg-type]
    assert read_row.unread == 0
    with Archive.open(path, reader=True) as archive:
        assert (
            window.folder_model.count(Folder.PRIMARY)
            == archive.threads.unread_counts()[Folder.PRIMARY]
        )

    # Another folder and back: the first page again, then the rest as before.
    run_until(qtbot, window.show_folder(Folder.GENERAL), 5000)
    assert [model.thread_at(r).folder for r in range(model.rowCount())] == [Folder.GENERAL]
    run_until(qtbot, window.show_folder(Folder.PRIMARY), 5000)
    assert model.rowCount() == THREAD_PAGE
    scroll_threads_to_the_end(window, qtbot)
    assert model.thread_ids() == primary_ids(path)


def test_a_long_conversation_loads_older_messages_as_the_owner_scrolls_up(
    window: MainWindow, qtbot: QtBot, run_until: RunUntil
) -> None:
    path = window.app.profile.archive_path
    thread = thread_id_of(window, "ani.follower")
    with Archive.open(path) as archive:
        stored = len(archive.messages.of_thread(thread))
        customer = archive.threads.get(thread).contact_id  # type: ignore[union-attr]
        start = utc_now() - timedelta(days=200)
        history = [
            Message(f"history-{k:04d}", thread, customer, start + timedelta(hours=k),
                    text=f"Pesan lama nomor {k}, kak")
            for k in range(LONG)
        ]  # fmt: skip
        archive.messages.upsert(thread, history)
    total = stored + LONG
    run_until(qtbot, window.open_thread(thread), 10_000)
    pane = window.conversation
    qtbot.waitUntil(lambda: pane.model.message_count() == FIRST_MESSAGES, timeout=5000)
    bar = pane.view.verticalScrollBar()
    last = pane.model.index(pane.model.rowCount() - 1, 0)
    assert pane.view.viewport().rect().intersects(pane.view.visualRect(last))  # the newest shown
    qtbot.wait(200)
    assert pane.model.message_count() == FIRST_MESSAGES  # nothing more read until asked

    newest_shown = pane.model.newest_message()
    bar.setValue(bar.minimum())  # the owner scrolls to the top
    qtbot.waitUntil(
        lambda: pane.model.message_count() == FIRST_MESSAGES + OLDER_MESSAGES, timeout=5000
    )
    assert bar.value() > bar.minimum()  # what was on screen stays there: no jump to the top
    bar.setValue(bar.minimum())
    qtbot.waitUntil(lambda: pane.model.message_count() == total, timeout=5000)
    assert not pane.model.has_older
    messages = pane.model.messages()
    assert messages[0].id == "history-0000" and pane.model.newest_message() == newest_shown
    times = [(m.created_time, m.id) for m in messages]
    assert len({m.id for m in messages}) == total and times == sorted(times, key=lambda t: t[0])
