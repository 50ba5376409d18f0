"""Two Instagram accounts in one igdesk: the real launcher (`run_gui`, its own qasync loop, Qt
offscreen) opens the first account's profile, the owner picks the second in the Accounts menu,
the window reopens on it; adding an account whose sign-in is abandoned goes back. Real
profiles synced against the sandbox, the account book in a temporary config folder."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from igdesk.accounts import AccountBook
from igdesk.cli import build_parser
from igdesk.single_instance import ProfileLock
from igdesk.ui.accounts_menu import AccountsMenu
from igdesk.ui.launch import run_gui
from igdesk.ui.main_window import MainWindow
from igdesk.ui.setup_assistant import SetupAssistant
from tests.sandbox_client import Sandbox


@pytest.fixture(autouse=True)
def igdesk_logger_restored() -> Iterator[None]:
    """`run_gui` sets up igdesk's logger (level, file handler, no propagation) as the app
    does; the tests after these must find it as it was."""
    logger = logging.getLogger("igdesk")
    level, handlers, propagate = logger.level, list(logger.handlers), logger.propagate
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(level)
    logger.propagate = propagate


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, world: Sandbox) -> AccountBook:
    """The default account book, in this test's folders; the sandbox's token for every run."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("IGDESK_ACCESS_TOKEN", world.token)
    return AccountBook.default()


def drive(steps: list[Callable[[], bool]]) -> QTimer:
    """Every 50 ms, run the first step; a step that returns True is done."""
    timer = QTimer()
    timer.setInterval(50)

    def tick() -> None:
        if steps and steps[0]():
            steps.pop(0)

    timer.timeout.connect(tick)
    timer.start()
    return timer


def window_on(folder: Path) -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if (
            isinstance(widget, MainWindow)
            and widget.isVisible()
            and widget.app.profile.directory.resolve() == folder.resolve()
            and widget.thread_model.rowCount() > 0
        ):
            return widget
    return None


def menu_of(window: QWidget) -> AccountsMenu:
    menu = window.findChild(AccountsMenu)
    assert menu is not None
    return menu


def test_the_owner_switches_to_another_account_and_back(
    qapp: QApplication, book: AccountBook, world: Sandbox, tmp_path: Path
) -> None:
    first, second = tmp_path / "toko-batik", tmp_path / "toko-kain"
    second.mkdir()
    book.remember(second)
    seen: list[Path] = []

    def pick(folder: Path) -> Callable[[], bool]:
        """On `folder`'s window, choose the other account in the Accounts menu."""

        def step() -> bool:
            window = window_on(folder)
            if window is None:
                return False
            seen.append(folder)
            menu = menu_of(window)
            menu.refresh()
            accounts = [action for action in menu.actions() if action.isCheckable()]
            assert [action.isChecked() for action in accounts].count(True) == 1
            (other,) = [action for action in accounts if not action.isChecked()]
            other.trigger()
            return True

        return step

    def quit_on(folder: Path) -> Callable[[], bool]:
        def step() -> bool:
            window = window_on(folder)
            if window is None:
                return False
            seen.append(folder)
            window.quit_action.trigger()
            return True

        return step

    args = build_parser().parse_args(["--profile", str(first), "--graph-url", world.url])
    timer = drive([pick(first), pick(second), quit_on(first)])
    try:
        assert run_gui(args, "en") == 0
    finally:
        timer.stop()
    assert seen == [first, second, first]
    names = {account.profile: account.username for account in book.accounts()}
    assert set(names) == {first.resolve(), second.resolve()}
    assert names[first.resolve()] and names[first.resolve()] == names[second.resolve()]


def test_a_new_account_whose_sign_in_is_abandoned_goes_back(
    qapp: QApplication,
    book: AccountBook,
    world: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = tmp_path / "toko-batik"
    seen: list[str] = []

    def add() -> bool:
        window = window_on(first)
        if window is None:
            return False
        monkeypatch.delenv("IGDESK_ACCESS_TOKEN")  # the new account has no token yet
        seen.append("first")
        menu_of(window).add_action.trigger()
        return True

    def abandon() -> bool:
        assistants = [w for w in QApplication.topLevelWidgets() if isinstance(w, SetupAssistant)]
        visible = [w for w in assistants if w.isVisible()]
        if not visible:
            return False
        seen.append("assistant")
        monkeypatch.setenv("IGDESK_ACCESS_TOKEN", world.token)
        visible[0].reject()
        return True

    def back_and_quit() -> bool:
        window = window_on(first)
        if window is None:
            return False
        seen.append("first again")
        window.quit_action.trigger()
        return True

    args = build_parser().parse_args(["--profile", str(first), "--graph-url", world.url])
    timer = drive([add, abandon, back_and_quit])
    try:
        assert run_gui(args, "en") == 0
    finally:
        timer.stop()
    assert seen == ["first", "assistant", "first again"]
    assert [a.profile for a in book.accounts()] == [first.resolve()]  # the empty one is gone
    assert not any(book.new_profiles.glob("account-*"))


def test_an_account_another_igdesk_is_syncing_goes_back_with_a_sentence(
    qapp: QApplication,
    book: AccountBook,
    world: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = tmp_path / "toko-batik", tmp_path / "toko-kain"
    second.mkdir()
    book.remember(second)
    held = ProfileLock(second)
    assert held.acquire("sync --watch")  # a headless igdesk keeps the other account in sync
    seen: list[str] = []
    before: list[MainWindow] = []

    def switch() -> bool:
        window = window_on(first)
        if window is None:
            return False
        seen.append("first")
        before.append(window)
        (other,) = [a for a in menu_of(window).actions() if a.isCheckable() and not a.isChecked()]
        other.trigger()
        return True

    def back_and_quit() -> bool:
        window = window_on(first)
        if window is None or window in before:  # the window opened again, on the first account
            return False
        seen.append("first again")
        window.quit_action.trigger()
        return True

    args = build_parser().parse_args(["--profile", str(first), "--graph-url", world.url])
    timer = drive([switch, back_and_quit])
    try:
        assert run_gui(args, "en") == 0
    finally:
        timer.stop()
        held.release()
    assert seen == ["first", "first again"]
    assert "is already working on this profile" in capsys.readouterr().err
