"""GUI test helpers: a qasync loop per test (`qloop`) and `run_until` to drive it with qtbot;
the real main window on a synced sandbox world (`world`, `window`, `stored`).

pytest-qt knows nothing of asyncio, so each test that runs coroutines asks for `qloop`: a
`qasync.QEventLoop(qapp, already_running=True)`, i.e. asyncio callbacks run whenever Qt
processes events (`qtbot.waitUntil`, `qtbot.waitSignal`, `qtbot.wait`). Usage::

    def test_x(qtbot, qloop, run_until):
        task = owner.start(work(), name="work")
        assert run_until(qtbot, task, 2000) == 42      # or run_until(qtbot, coro(), 2000)
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from igdesk.app import App
from igdesk.config import Profile, Settings
from igdesk.i18n import Words
from igdesk.sandbox.testing import tiny_scenario
from igdesk.store import Archive
from igdesk.ui.aio import TaskOwner, install_asyncgen_hooks
from igdesk.ui.images import ImageStore
from igdesk.ui.main_window import MainWindow
from igdesk.ui.tray import TrayNotifier
from tests.sandbox_client import Sandbox, start_sandbox

RunUntil = Callable[..., Any]


def run_until(qtbot: QtBot, awaitable_or_task: Awaitable[Any], timeout_ms: int = 5000) -> Any:
    """Drive the Qt (and so the qasync) loop until the awaitable is done; its result or error.

    On timeout the task is cancelled (and given a moment to unwind) and qtbot's
    `TimeoutError` is raised.
    """
    loop = asyncio.get_running_loop()  # the qloop fixture sets it; a clear error otherwise
    task = asyncio.ensure_future(awaitable_or_task, loop=loop)
    try:
        qtbot.waitUntil(task.done, timeout=timeout_ms)
    except BaseException:
        task.cancel()
        _drain(QApplication.instance(), [task], deadline_s=1.0)  # type: ignore[arg-type]
        raise
    return task.result()


def _drain(app: QApplication, tasks: list[asyncio.Future[Any]], deadline_s: float) -> None:
    end = time.monotonic() + deadline_s
    while not all(task.done() for task in tasks) and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)


def _mark_stopped(loop: Any) -> None:
    """Stop the loop without `QApplication.exit()`.

    `QEventLoop.stop()` calls `QCoreApplication.exit()`, which leaves Qt's per-thread
    "quit now" flag set while no `QCoreApplication.exec()` runs: every later `QEventLoop.exec()`
    (what `qtbot.waitSignal` uses) would then return at once. With `already_running=True`
    nothing else happens in `stop()` but clearing qasync's running flag, so do only that.
    """
    loop._QEventLoop__is_running = False  # qasync's private flag (the class is _QEventLoop)


def _delete_qt_objects(loop: Any) -> None:
    """Delete the closed loop's QObjects now, on the UI thread.

    Otherwise the garbage collector may free them later from whichever Python thread it happens
    to run in (a test server, a decoding worker); a QObject with live timers destroyed off its
    thread leaves Qt a dangling timer, and the next timer pass crashes the process.
    """
    for name in ("_timer", "_QEventLoop__call_soon_signaller"):
        qobject = getattr(loop, name, None)
        if qobject is not None and shiboken6.isValid(qobject):
            shiboken6.delete(qobject)
    gc.collect()  # this test's garbage, collected here on the UI thread


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync event loop running on pytest-qt's QApplication, for one test."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    restore_hooks = install_asyncgen_hooks(loop)
    try:
        yield loop
    finally:
        stuck = _cancel_leftovers(qapp, loop)
        shutdown = loop.create_task(loop.shutdown_asyncgens())
        _drain(qapp, [shutdown], deadline_s=1.0)
        stuck += _cancel_leftovers(qapp, loop)
        restore_hooks()
        _mark_stopped(loop)
        loop.close()
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)
        qapp.aboutToQuit.disconnect(loop._after_run_forever)  # qasync connected it; frees the loop
        _delete_qt_objects(loop)
        assert not stuck, f"tasks did not finish when cancelled: {stuck}"


def _cancel_leftovers(app: QApplication, loop: asyncio.AbstractEventLoop) -> list[str]:
    """Cancel what the test left running (and what cancelling it spawns); the names still stuck."""
    leftovers: list[asyncio.Task[Any]] = []
    for _ in range(5):
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        if not pending:
            break
        for task in pending:
            task.cancel()
        leftovers += pending
        _drain(app, list(pending), deadline_s=2.0)
        app.processEvents()  # lets callbacks scheduled by the cancellations create their tasks
    return [task.get_name() for task in leftovers if not task.done()]


@pytest.fixture(name="run_until")
def run_until_fixture(qloop: asyncio.AbstractEventLoop) -> RunUntil:
    """`run_until(qtbot, awaitable_or_task, timeout_ms=5000)`, with a qloop ensured."""
    return run_until


# --- the main window on a synced sandbox world ------------------------------------------


@pytest.fixture
def world() -> Iterator[Sandbox]:
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
    sandbox = start_sandbox(scenario)
    try:
        yield sandbox
    finally:
        sandbox.close()


@pytest.fixture
def window(
    qtbot: QtBot, run_until: RunUntil, world: Sandbox, tmp_path: Path
) -> Iterator[MainWindow]:
    settings = Settings(notify_folders=["primary"])
    app = App(
        Profile(tmp_path / "profile"),
        graph_url=world.url,
        token=world.token,
        settings=settings,
    )
    run_until(qtbot, app.sync_once(), 30_000)
    tasks = TaskOwner("test-window")
    images = ImageStore(tmp_path / "images")
    tray = TrayNotifier(settings, use_system_tray=False)
    main = MainWindow(app, images=images, tasks=tasks, words=Words("en"), tray=tray)
    qtbot.addWidget(main)
    main.show()
    run_until(qtbot, main.reload_all(), 10_000)
    try:
        yield main
    finally:
        main.close()
        run_until(qtbot, tasks.cancel_all(), 5000)
        run_until(qtbot, images.aclose(), 5000)
        run_until(qtbot, app.aclose(), 5000)
        tray.hide()


@pytest.fixture
def stored(window: MainWindow) -> Iterator[Archive]:
    """The profile's archive file, read beside the window to check what it saved."""
    archive = Archive.open(window.app.profile.archive_path, reader=True)
    try:
        yield archive
    finally:
        archive.close()


def settle(qtbot: QtBot, main: MainWindow) -> None:
    """Wait until the work the window started (its reads, the owner's changes) is done."""
    qtbot.waitUntil(lambda: not main.tasks.tasks, timeout=10_000)


def open_by_username(main: MainWindow, qtbot: QtBot, username: str) -> str:
    thread_id = str(thread_id_of(main, username))
    run_until(qtbot, main.open_thread(thread_id), 10_000)
    return thread_id


def thread_id_of(main: MainWindow, username: str) -> str:
    with Archive.open(main.app.profile.archive_path, reader=True) as archive:
        for row in archive.threads.newest_first():
            if row.contact_username == username:
                return row.id
    raise AssertionError(f"no thread with {username}")
