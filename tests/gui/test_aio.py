"""TaskOwner and the user-message channel, on a real qasync loop driven by pytest-qt."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from igdesk.errors import IgdeskError
from igdesk.i18n import Text
from igdesk.ui import aio


async def _answer(value: int) -> int:
    await asyncio.sleep(0.01)
    return value


async def _boom(exc: BaseException) -> None:
    await asyncio.sleep(0)
    raise exc


async def _forever() -> None:
    await asyncio.Event().wait()


def test_run_until_returns_result_and_raises_error(qtbot: QtBot, run_until: Any) -> None:
    assert run_until(qtbot, _answer(7), 2000) == 7
    with pytest.raises(ValueError, match="bad"):
        run_until(qtbot, _boom(ValueError("bad")), 2000)


def test_run_until_times_out_and_cancels(qtbot: QtBot, run_until: Any) -> None:
    task = asyncio.get_running_loop().create_task(_forever())
    with pytest.raises(qtbot.TimeoutError):
        run_until(qtbot, task, 100)
    assert task.cancelled()


def test_start_names_keeps_and_forgets_tasks(qtbot: QtBot, run_until: Any) -> None:
    owner = aio.TaskOwner("window")
    task = owner.start(_answer(3), name="answer")
    assert task.get_name() == "window:answer"
    assert task in owner.tasks
    assert run_until(qtbot, task, 2000) == 3
    assert len(owner) == 0


def test_errors_go_to_the_handler(qtbot: QtBot, run_until: Any) -> None:
    seen: list[BaseException] = []
    owner = aio.TaskOwner("w", on_error=seen.append)
    per_task: list[BaseException] = []
    t1 = owner.start(_boom(KeyError("k")), name="one")
    t2 = owner.start(_boom(ValueError("v")), name="two", on_error=per_task.append)
    qtbot.waitUntil(lambda: t1.done() and t2.done(), timeout=2000)
    assert [type(e) for e in seen] == [KeyError]
    assert [type(e) for e in per_task] == [ValueError]


def test_unhandled_errors_reach_the_user_channel(
    qtbot: QtBot, run_until: Any, caplog: pytest.LogCaptureFixture
) -> None:
    owner = aio.TaskOwner("w")
    failure = IgdeskError(Text("The shop is closed."), technical="closed")
    with qtbot.waitSignal(aio.messages().message, timeout=2000) as blocker:
        owner.start(_boom(failure), name="fails")
    assert blocker.args == ["error", "The shop is closed.", "IgdeskError: closed"]
    with qtbot.waitSignal(aio.messages().message, timeout=2000) as blocker:
        owner.start(_boom(RuntimeError("internal detail")), name="fails2")
    level, text, details = blocker.args
    assert level == "error" and "internal detail" not in text and "Try again" in text
    assert details == "RuntimeError: internal detail"  # a click away, never in the sentence
    assert any("w:fails2" in r.getMessage() for r in caplog.records)


def test_cancellation_is_not_an_error(qtbot: QtBot, run_until: Any) -> None:
    seen: list[BaseException] = []
    owner = aio.TaskOwner("w", on_error=seen.append)
    task = owner.start(_forever(), name="f")
    qtbot.wait(10)
    task.cancel()
    qtbot.waitUntil(task.done, timeout=1000)
    assert seen == [] and len(owner) == 0


def test_cancel_all_leaves_nothing_pending(
    qtbot: QtBot, run_until: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = aio.TaskOwner("w")
    tasks = [owner.start(_forever(), name=f"t{i}") for i in range(5)]
    qtbot.wait(10)
    run_until(qtbot, owner.cancel_all(), 2000)
    assert all(t.cancelled() for t in tasks)
    assert len(owner) == 0
    with pytest.raises(RuntimeError, match="closed"):
        owner.start(_answer(1), name="late")
    del tasks, owner
    gc.collect()
    assert not [r for r in caplog.records if "destroyed but it is pending" in r.getMessage()]


def test_waitsignal_still_works_after_a_qloop_test(qtbot: QtBot) -> None:
    # The qloop teardown must not leave Qt's "quit now" flag set (see conftest._mark_stopped).
    timer = QTimer()
    timer.setSingleShot(True)
    with qtbot.waitSignal(timer.timeout, timeout=1000):
        timer.start(30)


def test_info_and_error_helpers(qtbot: QtBot) -> None:
    got: list[tuple[str, str]] = []

    def collect(level: str, text: str, _details: str) -> None:
        got.append((level, text))

    aio.messages().message.connect(collect)
    try:
        aio.info("Synced.")
        aio.warning("Slow network.")
        aio.error("Offline.")
    finally:
        aio.messages().message.disconnect(collect)
    assert got[-3:] == [("info", "Synced."), ("warning", "Slow network."), ("error", "Offline.")]
