"""A child process of bench/run.py: the floor of the window's figures, a bare PySide6 script.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/floor_probe.py ARCHIVE T0 [--switch ID ...]

No igdesk import at all: sqlite3 reads the same rows of the same file (the newest page of
Primary: names and the last message's text), a QStringListModel holds them and a QListView
shows them. Prints one JSON line with the same figures as window_probe.py: `start_s` (process
start to the list painted), `switch_ms` / `resize_ms` (the newest page of a thread's message
texts, word-wrapped, into a QListView until painted; a resize until painted again),
`search_ms` (FTS5 matches of the query's words, or a scan for an emoji, first 50 texts into a
QListView until painted; no ranking, no snippets, no names) and `rss_mb`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QStringListModel
from PySide6.QtWidgets import QApplication, QListView

#: Rows of the first page (what the window's thread list reads first) and messages per thread.
THREAD_PAGE = 100
MESSAGE_PAGE = 60  # igdesk.inbox.PAGE: the same rows the window reads

_THREADS = """
SELECT coalesce(nullif(c.name, ''), c.username), coalesce(m.text, '')
FROM threads AS t JOIN contacts AS c ON c.id = t.contact_id
LEFT JOIN messages AS m ON m.seq = t.preview_seq
WHERE t.folder = 'primary' ORDER BY t.sort_at DESC, t.id DESC LIMIT ?
"""
_MESSAGES = """
SELECT text FROM (SELECT text, created_time FROM messages WHERE thread_id = ?
                  ORDER BY created_time DESC LIMIT ?) ORDER BY created_time
"""


_SEARCH_WORDS = """
SELECT m.text FROM messages_fts JOIN messages AS m ON m.seq = messages_fts.rowid
WHERE messages_fts MATCH ? LIMIT 50
"""
_SEARCH_SYMBOL = "SELECT text FROM messages WHERE instr(text, ?) > 0 LIMIT 50"


def search(conn: sqlite3.Connection, query: str) -> list[str]:
    words = [w for w in query.split() if any(ch.isalnum() for ch in w)]
    if not words:
        return [text for (text,) in conn.execute(_SEARCH_SYMBOL, (query.strip(),))]
    match = " ".join('"' + w.replace('"', '""') + '"' for w in words) + "*"
    return [text for (text,) in conn.execute(_SEARCH_WORDS, (match,))]


class Painted(QObject):
    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.at = 0.0
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.at:
            self.at = -1.0  # set after this paint is handled
        return False


def wait_painted(app: QApplication, painted: Painted) -> float:
    painted.at = 0.0
    while painted.at == 0.0:
        app.processEvents()
    app.processEvents()
    return time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("t0", type=float)
    parser.add_argument("--switch", nargs="*", default=[])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--search", nargs="*", default=[])
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    conn = sqlite3.connect(f"file:{args.archive}?mode=ro", uri=True)
    rows = [f"{name}\n{text}" for name, text in conn.execute(_THREADS, (THREAD_PAGE,))]
    view = QListView()
    view.setUniformItemSizes(True)
    view.setModel(QStringListModel(rows))
    view.resize(1280, 800)
    painted = Painted(view)
    view.show()
    wait_painted(app, painted)
    result: dict[str, object] = {"start_s": time.time() - args.t0, "rows_loaded": len(rows)}
    messages = QListView()
    messages.setWordWrap(True)
    messages.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    messages.setResizeMode(QListView.ResizeMode.Adjust)
    messages.resize(800, 700)
    model = QStringListModel()
    messages.setModel(model)
    on_messages = Painted(messages)
    messages.show()
    wait_painted(app, on_messages)
    switch: dict[str, list[float]] = {}
    resize: dict[str, list[float]] = {}
    for thread_id in args.switch:
        for _ in range(args.repeat):
            model.setStringList([])
            wait_painted(app, on_messages)
            started = time.perf_counter()
            texts = [text for (text,) in conn.execute(_MESSAGES, (thread_id, MESSAGE_PAGE))]
            model.setStringList(texts)
            messages.scrollToBottom()
            switch.setdefault(thread_id, []).append(
                (wait_painted(app, on_messages) - started) * 1000
            )
            width = messages.width()
            started = time.perf_counter()
            messages.resize(width - 120 if width > 700 else width + 120, messages.height())
            resize.setdefault(thread_id, []).append(
                (wait_painted(app, on_messages) - started) * 1000
            )
    result["switch_ms"] = switch
    result["resize_ms"] = resize
    timings: dict[str, float] = {}
    for query in args.search:
        started = time.perf_counter()
        model.setStringList(search(conn, query))
        timings[query] = (wait_painted(app, on_messages) - started) * 1000
    result["search_ms"] = timings
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
