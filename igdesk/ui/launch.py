"""Starting the window: one QApplication, the qasync loop, the App and, with --sandbox, a sandbox.

Everything started here is stopped here, in order, when the window closes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from igdesk.app import App, open_app
from igdesk.errors import IgdeskError
from igdesk.graph.errors import GraphError, TokenError
from igdesk.i18n import Words
from igdesk.logsetup import setup_logging
from igdesk.ui import aio, crash
from igdesk.ui.aio import TaskOwner, install_asyncgen_hooks
from igdesk.ui.icons import app_icon
from igdesk.ui.images import ImageStore
from igdesk.ui.main_window import MainWindow
from igdesk.ui.screenshot import save_screenshot
from igdesk.ui.sign_in import connect
from igdesk.ui.tray import TrayNotifier

log = logging.getLogger("igdesk.ui")

#: In the sandbox window a simulated customer writes about this often (seconds).
SANDBOX_CUSTOMER_EVERY = 45.0
GC_INTERVAL_MS = 10_000


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
            code: int = loop.run_until_complete(_run(args, lang, qt_app))
            return code
    finally:
        collector.stop()
        gc.enable()
        restore_hooks()
        asyncio.set_event_loop(None)


async def _run(args: argparse.Namespace, lang: str, qt_app: QApplication) -> int:
    simulate = None if args.screenshot else SANDBOX_CUSTOMER_EVERY
    async with open_app(
        args.profile,
        graph_url=args.graph_url,
        sandbox=args.sandbox,
        simulate_every=simulate,
        webhooks=args.sandbox,  # the demo: messages arrive at once, polling is a safety net
    ) as app:
        setup_logging(app.profile.log_path, verbose=args.verbose)
        words = Words(lang)  # after the log is set up: a damaged catalogue is logged there
        aio.messages().language = words.lang
        if not app.has_token() and await connect(app, words) is None:
            return 1  # the owner closed the setup assistant without signing in
        tasks = TaskOwner("window")
        images = ImageStore(app.profile.cache_dir / "images")
        tray = TrayNotifier(app.settings, words=words)
        window = MainWindow(app, images=images, tasks=tasks, words=words, tray=tray)
        restore_crash_hooks = crash.install(
            crash.CrashReporter(words, window), asyncio.get_running_loop()
        )
        closed = asyncio.Event()
        qt_app.lastWindowClosed.connect(closed.set)
        window.signing.quit_requested.connect(closed.set)  # signed out, local data deleted
        window.show()
        try:
            await window.reload_all()  # what the archive holds, before the first sync
            await _first_sync(app, window, words)
            if args.screenshot is not None:
                await save_screenshot(window, args.screenshot)
                return 0
            app.start_polling()
            app.replies.start_sending()
            if app.settings.webhooks_enabled and not args.sandbox:  # the tunnel, for Meta
                tasks.start(app.webhooks.connect_account(app.settings), name="webhooks")
            await closed.wait()
            return 0
        finally:
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
