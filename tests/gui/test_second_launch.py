"""A second launch while the first window is busy syncing: it hands over and exits; the window
comes forward with the asked thread. The first window is this test's real window (its profile
claimed as igdesk/ui/launch.py does); the second is a real `igdesk` process."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from igdesk.ui.instance import Claim, claim
from igdesk.ui.main_window import MainWindow
from tests.gui.conftest import RunUntil, thread_id_of
from tests.sandbox_client import Sandbox

pytestmark = pytest.mark.slow


def _args(window: MainWindow, screenshot: Path | None = None) -> argparse.Namespace:
    return argparse.Namespace(
        profile=window.app.profile.directory, sandbox=False, thread=None, screenshot=screenshot
    )


def test_a_second_launch_while_the_first_is_syncing_brings_it_forward(
    window: MainWindow, world: Sandbox, qtbot: QtBot, run_until: RunUntil
) -> None:
    claimed = claim(_args(window), "en", wait_s=0)
    assert isinstance(claimed, Claim) and claimed.server is not None
    claimed.server.set_handler(lambda request: window.bring_forward(request.thread))
    wanted = thread_id_of(window, "bob.general")
    try:
        world.fault("slow", path="/conversations", seconds=8)
        sync = asyncio.ensure_future(window.app.sync_once())
        env = {k: v for k, v in os.environ.items() if not k.startswith("IGDESK_")}
        env["QT_QPA_PLATFORM"] = "offscreen"
        second = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "igdesk",
                "--lang",
                "en",
                "--profile",
                str(window.app.profile.directory),
                "--thread",
                wanted,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=30_000)
            out, err = second.communicate(timeout=10)
        finally:
            if second.poll() is None:
                second.kill()
                second.communicate()
        assert second.returncode == 0, err
        assert out.strip() == "igdesk is already open: its window was brought to the front."
        assert not sync.done(), "the window answered while its sync was still running"
        qtbot.waitUntil(
            lambda: (
                window.conversation.current is not None and window.conversation.current.id == wanted
            ),
            timeout=10_000,
        )
        run_until(qtbot, sync, 30_000)
    finally:
        claimed.release()


def test_a_window_that_does_not_answer_is_a_sentence(
    window: MainWindow, capsys: pytest.CaptureFixture[str]
) -> None:
    claimed = claim(_args(window), "en", wait_s=0)
    assert isinstance(claimed, Claim)
    try:
        # This thread is the first window's, and it is blocked here: nobody answers.
        assert claim(_args(window), "en", wait_s=0) == 1
        line = capsys.readouterr().err.strip()
        assert line == (
            f"igdesk is already running for this profile (process {os.getpid()}) but does not "
            "answer. If it is stuck, end that process, then open igdesk again."
        )
    finally:
        claimed.release()


def test_a_screenshot_run_does_not_hand_over(
    window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claimed = claim(_args(window), "en", wait_s=0)
    assert isinstance(claimed, Claim)
    try:
        assert claim(_args(window, tmp_path / "shot.png"), "en", wait_s=0) == 1
        assert capsys.readouterr().err.strip() == (
            f"igdesk is already open on this profile (process {os.getpid()}). Close it to take "
            "a screenshot, or use another --profile."
        )
        assert not (tmp_path / "shot.png").exists()
    finally:
        claimed.release()
