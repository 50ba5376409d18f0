"""Bench of the inbox models and delegates, offscreen: prints figures, asserts nothing.

    .venv/bin/python bench/bench_models.py

Reset of 10,000 threads, 1,000 incremental apply() calls, loading 5,000 messages, and
painting while scrolling a QListView of 10,000 threads and one of 5,000 messages.
"""

from __future__ import annotations

import os
import random
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QListView

from igdesk.domain import Attachment, Folder, Message, Reaction
from igdesk.ui.delegates.message_delegate import MessageDelegate
from igdesk.ui.delegates.thread_delegate import ThreadDelegate
from igdesk.ui.models.messages import MessageListModel
from igdesk.ui.models.threads import ThreadListModel
from igdesk.views import ThreadView

T0 = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = [
    "halo",
    "kak",
    "ready",
    "stok",
    "ukuran",
    "M",
    "warna",
    "merah",
    "berapa",
    "ongkir",
    "ke",
    "Bandung",
    "ya",
    "terima",
    "kasih",
]


def _thread(n: int, rng: random.Random) -> ThreadView:
    at = T0 + timedelta(minutes=n)
    return ThreadView(
        id=f"t{n:06d}", contact_id=f"c{n}", folder=Folder.PRIMARY, contact_name=f"Customer {n}",
        contact_username=f"user{n}", avatar_url="", sort_time=at, last_customer_message_at=at,
        unread=rng.choice((0, 0, 1, 3)), history_gap=False, created_at=T0,
        last_message_text=" ".join(rng.sample(WORDS, 6)),
        last_message_attachment_types=("image",) if n % 7 == 0 else (),
        last_message_is_from_shop=n % 3 == 0,
    )  # fmt: skip


def _message(n: int, rng: random.Random) -> Message:
    words = rng.randint(2, 60)
    attachments = (Attachment("image", f"https://cdn.example/{n}.jpg"),) if n % 25 == 0 else ()
    reactions = (Reaction("c1", "❤️"),) if n % 40 == 0 else ()
    return Message(
        id=f"m{n:06d}", thread_id="t1", sender_id="c1" if n % 2 else "shop",
        created_time=T0 + timedelta(minutes=17 * n), is_from_shop=n % 2 == 0,
        text=" ".join(rng.choice(WORDS) for _ in range(words)), attachments=attachments,
        reactions=reactions, reply_to=f"m{n - 3:06d}" if n % 30 == 0 and n > 3 else None,
    )  # fmt: skip


def _timed(label: str, started: float, extra: str = "") -> None:
    print(f"{label:48s} {(time.perf_counter() - started) * 1000:9.1f} ms {extra}")


def _scroll(view: QListView, frames: int) -> tuple[float, int]:
    bar = view.verticalScrollBar()
    started = time.perf_counter()
    for frame in range(frames):
        bar.setValue(bar.maximum() * frame // max(frames - 1, 1))
        view.viewport().grab()
    return time.perf_counter() - started, frames


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    rng = random.Random(7)
    rows = [_thread(n, rng) for n in range(10_000)]

    model = ThreadListModel(Folder.PRIMARY)
    started = time.perf_counter()
    model.reset_rows(rows)
    _timed("reset_rows, 10,000 threads", started)

    started = time.perf_counter()
    for step in range(1_000):
        row = rows[rng.randrange(len(rows))]
        model.apply([replace(row, sort_time=T0 + timedelta(days=30, seconds=step))])
    _timed("1,000 apply() calls (one thread moves to top)", started)

    started = time.perf_counter()
    for _step in range(1_000):
        row = rows[rng.randrange(len(rows))]
        model.apply([replace(row, unread=row.unread + 1)])
    _timed("1,000 apply() calls (in-place update)", started)

    messages = [_message(n, rng) for n in range(5_000)]
    conversation = MessageListModel()
    started = time.perf_counter()
    conversation.load(messages, has_older=False, history_gap=True)
    _timed("load, 5,000 messages", started, f"({conversation.rowCount()} rows)")

    started = time.perf_counter()
    older = MessageListModel()
    older.load(messages[-50:], has_older=True, history_gap=True)
    for end in range(len(messages) - 50, 0, -50):
        older.prepend_older(messages[max(end - 50, 0) : end], has_older=end > 50)
    _timed("prepend_older, 99 pages of 50", started)

    thread_view = QListView()
    thread_view.setUniformItemSizes(True)
    thread_view.setItemDelegate(ThreadDelegate())
    thread_view.setModel(model)
    thread_view.resize(380, 800)
    thread_view.show()
    app.processEvents()
    seconds, frames = _scroll(thread_view, 200)
    _timed("scroll 10,000 threads, 200 frames", time.perf_counter() - seconds,
           f"({seconds / frames * 1000:.1f} ms/frame)")  # fmt: skip

    message_view = QListView()
    message_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    message_view.setResizeMode(QListView.ResizeMode.Adjust)
    message_view.setItemDelegate(MessageDelegate())
    message_view.resize(600, 800)
    started = time.perf_counter()
    message_view.setModel(conversation)
    message_view.show()
    app.processEvents()
    message_view.scrollToBottom()
    app.processEvents()
    _timed("first layout of 5,000 messages (view shown)", started)
    seconds, frames = _scroll(message_view, 200)
    _timed("scroll 5,000 messages, 200 frames", time.perf_counter() - seconds,
           f"({seconds / frames * 1000:.1f} ms/frame)")  # fmt: skip
    started = time.perf_counter()
    message_view.resize(700, 800)
    app.processEvents()
    message_view.viewport().grab()
    _timed("relayout 5,000 messages after a resize", started)
    started = time.perf_counter()
    conversation.append_or_update([_message(5_000 + n, rng) for n in range(10)])
    app.processEvents()
    message_view.viewport().grab()
    _timed("append 10 new messages and repaint", started)


if __name__ == "__main__":
    main()
