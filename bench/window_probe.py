"""A child process of bench/run.py: igdesk's window on a bench archive, timed from process start.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/window_probe.py PROFILE T0 [--switch ID ...]

T0 is the parent's `time.time()` just before it started this process, so the figure includes
the interpreter's start and every import. The window is built as `igdesk` builds it (the App on
the profile, the MainWindow, `reload_all`) but without a sign-in or a sync: the archive is
what is shown. Prints one JSON line:

- `start_s`: process start until the thread list's viewport has painted with rows in it;
- `switch_ms` per thread id given: selecting it (the window's own `_choose`) until the
  conversation's viewport has painted its messages, then `resize_ms`: a resize until painted
  again (each repeated `--repeat` times, switching away to another thread in between);
- `search_ms` per query given (`--search`): typed into the search box and Enter pressed until
  the results list has painted that query's first page; `search_stall_ms`: how late a 5 ms
  timer on the event loop woke while those searches ran (p99 and the longest);
- `rss_mb`: the process's peak resident memory at the end.
"""

from __future__ import annotations

# ruff: noqa: E402  (the clock starts before the imports it measures)
import time

_STARTED = time.time()  # the interpreter is up (what came before is Python's own start)

import argparse
import asyncio
import json
import os
import resource
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import qasync
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from igdesk.app import open_app
from igdesk.i18n import Words
from igdesk.ui.aio import TaskOwner
from igdesk.ui.images import ImageStore
from igdesk.ui.main_window import MainWindow

_IMPORTED = time.time()


class PaintWatch(QObject):
    """Resolves a future once `widget` has painted and `ready()` holds."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        self._waiting: list[tuple[object, asyncio.Future[float]]] = []
        widget.installEventFilter(self)

    def next_paint(self, ready: object = None) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((ready, future))
        self._widget.update()
        return future

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._waiting:
            still = []
            for ready, future in self._waiting:
                if ready is None or ready():  # type: ignore[operator]
                    # Resolved after this paint event is handled: the paint is in the figure.
                    asyncio.get_running_loop().call_soon(_resolve, future)
                else:
                    still.append((ready, future))
            self._waiting = still
        return False


def _resolve(future: asyncio.Future[float]) -> None:
    if not future.done():
        future.set_result(time.perf_counter())


async def run(args: argparse.Namespace) -> dict[str, object]:
    result: dict[str, object] = {}
    async with open_app(Path(args.profile)) as app:
        words = Words("en")
        tasks = TaskOwner("window")
        images = ImageStore(app.profile.cache_dir / "images")
        window = MainWindow(app, images=images, tasks=tasks, words=words)
        built = time.time()
        threads = PaintWatch(window.thread_view.viewport())
        painted = threads.next_paint(lambda: window.thread_model.rowCount() > 0)
        window.show()
        await window.reload_all()
        loaded = time.time()
        await painted
        result["start_s"] = time.time() - args.t0
        result["phases_s"] = {
            "python": _STARTED - args.t0,
            "imports": _IMPORTED - _STARTED,
            "window": built - _IMPORTED,
            "read": loaded - built,
            "paint": time.time() - loaded,
        }
        result["rows_loaded"] = window.thread_model.rowCount()
        conversation = PaintWatch(window.conversation.view.viewport())
        switch: dict[str, list[float]] = {}
        resize: dict[str, list[float]] = {}
        for thread_id in args.switch:
            for _ in range(args.repeat):
                for target in (args.away, thread_id):
                    shown = conversation.next_paint(
                        lambda t=target: _showing(window, t)  # type: ignore[misc]
                    )
                    started = time.perf_counter()
                    window._choose(target)
                    ms = (await asyncio.wait_for(shown, 30) - started) * 1000
                shown_ms = ms
                switch.setdefault(thread_id, []).append(shown_ms)
                width = window.width()
                again = conversation.next_paint()
                started = time.perf_counter()
                window.resize(width - 120 if width > 1200 else width + 120, window.height())
                resize.setdefault(thread_id, []).append((await again - started) * 1000)
        if args.switch:
            result["rss_after_switch_mb"] = _peak_rss_mb()
        result["switch_ms"] = switch
        result["resize_ms"] = resize
        if args.search:
            result["search_ms"], stall = await _searches(window, args.search)
            result["search_stall_ms"] = stall
        window.close()
        await tasks.cancel_all()
        await images.aclose()
    result["rss_mb"] = _peak_rss_mb()
    return result


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _searches(
    window: MainWindow, queries: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Each query typed and entered, timed until its results are painted; the loop's stall."""
    results = PaintWatch(window.search_view.viewport())
    resets: list[int] = [0]
    window.search_model.modelReset.connect(lambda: resets.__setitem__(0, resets[0] + 1))
    stall = _Stall()
    timings: dict[str, float] = {}
    for query in queries:
        seen = resets[0]
        painted = results.next_paint(lambda seen=seen: resets[0] > seen)  # type: ignore[misc]
        window.search_box.blockSignals(True)  # typed at once: no search per keystroke here
        window.search_box.setText(query)
        window.search_box.blockSignals(False)
        started = time.perf_counter()
        QTest.keyClick(window.search_box, Qt.Key.Key_Return)
        timings[query] = (await asyncio.wait_for(painted, 30) - started) * 1000
    return timings, stall.stop()


class _Stall(QObject):
    """Wakes every 5 ms on the Qt loop and keeps how late each wake-up was."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = QElapsedTimer()
        self._clock.start()
        self._last = 0
        self.late: list[int] = []
        self._timer = QTimer(self, interval=5)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = self._clock.elapsed()
        self.late.append(max(now - self._last - 5, 0))
        self._last = now

    def stop(self) -> dict[str, float]:
        self._timer.stop()
        self._tick()
        late = sorted(self.late) or [0]
        return {"p99": float(late[min(len(late) - 1, round(0.99 * (len(late) - 1)))]),
                "max": float(late[-1])}  # fmt: skip


def _showing(window: MainWindow, thread_id: str) -> bool:
    current = window.conversation.current
    return current is not None and current.id == thread_id and window.conversation.model.rowCount()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("t0", type=float)
    parser.add_argument("--switch", nargs="*", default=[])
    parser.add_argument("--away", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--search", nargs="*", default=[])
    args = parser.parse_args()
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setQuitOnLastWindowClosed(False)  # as igdesk's launch does
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(run(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
