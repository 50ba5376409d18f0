"""Starting the window: one QApplication, the qasync loop, the App and, with --sandbox, a sandbox.

Everything started here is stopped here, in order, when the window closes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from igdesk.accounts import AccountBook
from igdesk.app import App, open_app
from igdesk.domain import Folder
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError, TokenError
from igdesk.i18n import Words
from igdesk.logsetup import log_path, setup_logging
from igdesk.ui import aio, crash
from igdesk.ui.accounts_menu import attach
from igdesk.ui.aio import TaskOwner, install_asyncgen_hooks
from igdesk.ui.icons import app_icon
from igdesk.ui.images import MB, ImageStore
from igdesk.ui.instance import Claim, claim, tell
from igdesk.ui.main_window import MainWindow
from igdesk.ui.screenshot import save_screenshot
from igdesk.ui.sign_in import connect
from igdesk.ui.tray import TrayNotifier
from igdesk.ui.tray_life import TrayLife

log = logging.getLogger("igdesk.ui")

#: In the sandbox window a simulated customer writes about this often (seconds).
SANDBOX_CUSTOMER_EVERY = 45.0
GC_INTERVAL_MS = 10_000
EXIT_NOT_SIGNED_IN = 1


def run_gui(args: argparse.Namespace, lang: str) -> int:
    """Run the window until it closes; returns the process exit code."""
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("igdesk")
    qt_app.setWindowIcon(app_icon())
    qt_app.setQuitOnLastWindowClosed(False)  # the loop ends when _run returns, not before
    loop = qasync.QEventLoop(qt_app)
    asyncio.set_event_loop(loop)
    restore_hooks = install_asyncgen_hooks(loop)  # qasync does not: httpx streams need them
    # Python threads (image decoding, a sandbox) could otherwise run the collector and free
    # QObjects off the UI thread; collect here, on the UI thread, instead.
    gc.disable()
    collector = QTimer(interval=GC_INTERVAL_MS)
    collector.timeout.connect(gc.collect)
    collector.start()
    try:
        with loop:
            return _run_accounts(args, lang, qt_app, loop)
    finally:
        collector.stop()
        gc.enable()
        restore_hooks()
        asyncio.set_event_loop(None)


def _run_accounts(
    args: argparse.Namespace, lang: str, qt_app: QApplication, loop: qasync.QEventLoop
) -> int:
    """The window on one account's profile after another, as the owner switches (Accounts
    menu); a new account whose sign-in was abandoned, or one open in another igdesk, goes back
    to the one before."""
    book = None if args.sandbox or args.screenshot else AccountBook.default()
    came_from: Path | None = None
    while True:
        claimed = claim(args, lang)  # one window per profile: a later launch hands over here
        if isinstance(claimed, int):
            if came_from is None:
                return claimed
            # The chosen account is open elsewhere (brought forward, or a sentence said why):
            # this window goes back to the account it was on.
            args.profile, came_from = came_from, None
            continue
        try:
            result: int | Switch = loop.run_until_complete(_run(args, lang, qt_app, claimed, book))
        except (GraphError, IgdeskError) as error:  # e.g. an archive this igdesk cannot open
            log.info("the window could not start: %s", type(error).__name__)
            return tell(Words(lang).text(error.text), failed=True)
        finally:
            claimed.release()
        if isinstance(result, Switch):
            args.profile, came_from = result.to, result.came_from
            continue
        if result == EXIT_NOT_SIGNED_IN and came_from is not None and book is not None:
            _drop_if_never_signed_in(book, Path(args.profile))
            args.profile, came_from = came_from, None
            continue
        return result


@dataclass(frozen=True)
class Switch:
    """The owner chose another account: the window reopens on its profile."""

    came_from: Path
    to: Path


def _drop_if_never_signed_in(book: AccountBook, folder: Path) -> None:
    """A profile igdesk made for a new account that never signed in is removed again (a
    folder the owner chose, or one with an account, is left alone)."""
    folder = folder.resolve()
    never = any(a.profile == folder and not a.username for a in book.accounts())
    if never and folder.parent == book.new_profiles.resolve():
        book.forget(folder)
        shutil.rmtree(folder, ignore_errors=True)


async def _run(
    args: argparse.Namespace,
    lang: str,
    qt_app: QApplication,
    claimed: Claim,
    book: AccountBook | None,
) -> int | Switch:
    simulate = None if args.screenshot else SANDBOX_CUSTOMER_EVERY
    async with open_app(
        args.profile,
        graph_url=args.graph_url,
        sandbox=args.sandbox,
        simulate_every=simulate,
        webhooks=args.sandbox,  # the demo: messages arrive at once, polling is a safety net
    ) as app:
        log_problem = setup_logging(log_path(app.profile), verbose=args.verbose)
        words = Words(lang)  # after the log is set up: a damaged catalogue is logged there
        aio.messages().language = words.lang
        await app.inbox.account()  # opens the archive: one it cannot open stops before a window
        if not app.has_token() and await connect(app, words) is None:
            return EXIT_NOT_SIGNED_IN  # the owner closed the setup assistant
        if app.settings.language and app.settings.language != words.lang and not args.lang:
            words = Words(app.settings.language)  # chosen in the setup assistant
            aio.messages().language = words.lang
        tasks = TaskOwner("window")
        images = ImageStore(
            app.profile.cache_dir / "images", disk_cap=app.settings.image_cache_mb * MB
        )
        tray = TrayNotifier(app.settings, words=words)
        window = MainWindow(app, images=images, tasks=tasks, words=words, tray=tray)
        restore_crash_hooks = crash.install(
            crash.CrashReporter(words, window), asyncio.get_running_loop()
        )
        closed = asyncio.Event()
        qt_app.lastWindowClosed.connect(closed.set)
        window.signing.quit_requested.connect(closed.set)  # signed out, local data deleted
        life = TrayLife(
            window,
            tray,
            app.settings,
            app.profile.settings_path,
            words,
            quit_action=window.quit_action,
        )
        life.ended.connect(closed.set)

        def show_folder(folder: Folder) -> None:  # chosen in the tray menu
            life.bring_back()
            window.start_showing(folder)

        tray.show_folder.connect(show_folder)
        if claimed.server is not None:
            claimed.server.set_handler(lambda request: window.bring_forward(request.thread))
        switch: list[Switch] = []
        if book is not None:
            accounts = attach(window, book, app.profile.directory, words)

            def switch_to(folder: Path) -> None:
                switch.append(Switch(app.profile.directory, folder))
                closed.set()

            accounts.switch_requested.connect(switch_to)
        window.show()
        if log_problem is not None:
            aio.warning(words.text(log_problem))
        try:
            await window.reload_all()  # what the archive holds, before the first sync
            await _first_sync(app, window, words)
            if book is not None:
                account = await app.inbox.account()
                book.remember(app.profile.directory, account.username if account else "")
            if args.thread:
                window.bring_forward(args.thread)
            if args.screenshot is not None:
                await save_screenshot(window, args.screenshot)
                return 0
            app.start_polling()
            app.replies.start_sending()
            if app.settings.webhooks_enabled and not args.sandbox:  # the tunnel, for Meta
                tasks.start(app.webhooks.connect_account(app.settings), name="webhooks")
            await closed.wait()
            return switch[0] if switch else 0
        finally:
            life.closing_for_real()  # else the tray would only hide it, its draft unsaved
            window.close()
            restore_crash_hooks()
            await tasks.cancel_all()
            await images.aclose()
            tray.hide()


async def _first_sync(app: App, window: MainWindow, words: Words) -> None:
    """Sync before showing news; a failure leaves the archive readable and says why."""
    try:
        await app.sync_once()
    except (GraphError, IgdeskError) as error:
        window.status_label.setText(words.text(error.text))
        if isinstance(error, TokenError):
            window.signing.sign_in_needed(error.text)
    await window.reload_all()
