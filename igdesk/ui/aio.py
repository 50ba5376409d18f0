"""The one way the UI starts async work (`TaskOwner`) and the one channel for user messages.

Widgets never call `asyncio.create_task` themselves: they own a `TaskOwner`, which keeps a
reference to every task (so none is garbage-collected while pending), names it, forgets it when
it ends, routes its failure to a handler or to the user-message channel, and cancels everything
when its owner closes. Any layer of the UI reports a problem to the shop owner with `info()`,
`warning()` or `error()`; one widget (the status bar, a banner) listens to `messages().message`.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from igdesk.graph.redact import redact
from igdesk.i18n import N_, Text, Words

log = logging.getLogger("igdesk.ui.aio")

T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]

INFO = "info"
WARNING = "warning"
ERROR = "error"

_FALLBACK = N_("Something went wrong. Try again; if it keeps happening, the log has the details.")


class UserMessages(QObject):
    """The single channel for sentences meant for the shop owner (qutebrowser's message.py idea).

    `message(level, text, details)`: level is "info", "warning" or "error"; text is a plain,
    translated sentence, never a traceback; details is the technical side (redacted) that the
    window keeps a click away, or "".
    """

    message = Signal(str, str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: The owner's language, for sentences made here (set once when the window starts).
        self.language = "en"


_channel: UserMessages | None = None


def messages() -> UserMessages:
    """The process-wide message channel (created on first use, never at import time)."""
    global _channel
    if _channel is None:
        _channel = UserMessages()
    return _channel


def info(text: str, details: str = "") -> None:
    messages().message.emit(INFO, text, details)


def warning(text: str, details: str = "") -> None:
    messages().message.emit(WARNING, text, details)


def error(text: str, details: str = "") -> None:
    messages().message.emit(ERROR, text, details)


def report(exc: BaseException) -> None:
    """Tell the owner about a failure of work they started: its sentence, details a click away."""
    error(user_sentence(exc), technical_details(exc))


def technical_details(exc: BaseException) -> str:
    """The failure's kind and technical text, redacted (no token ever reaches the screen)."""
    technical = getattr(exc, "technical", "") or str(exc)
    text = f"{type(exc).__name__}: {technical}" if technical else type(exc).__name__
    return redact(text)


def user_sentence(exc: BaseException, lang: str | None = None) -> str:
    """The sentence to show for an error: its own catalogue message (`text`), else a generic
    one."""
    words = Words(lang or messages().language)
    text = getattr(exc, "text", None)
    return words.text(text) if isinstance(text, Text) else words(_FALLBACK)


def install_asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Let `loop` finalize abandoned async generators; returns a function restoring the old hooks.

    asyncio's own `run_forever` installs these hooks; qasync's loop does not. Without them an
    async generator left early (httpx's body iterators when a download is abandoned) is closed
    synchronously by the garbage collector, fails with "async generator ignored GeneratorExit"
    and leaks its connection. With them, its `aclose()` runs as a task on the loop.
    """
    previous = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(
        firstiter=getattr(loop, "_asyncgen_firstiter_hook"),  # noqa: B009 - asyncio internals
        finalizer=getattr(loop, "_asyncgen_finalizer_hook"),  # noqa: B009
    )

    def restore() -> None:
        sys.set_asyncgen_hooks(*previous)

    return restore


class TaskOwner:
    """Owns the asyncio tasks started on behalf of one object (a window, a store, a dialog).

    `start()` needs a running event loop (the qasync loop); `cancel_all()` is awaited when the
    owner closes, after which `start()` refuses new work.
    """

    def __init__(self, name: str = "", *, on_error: ErrorHandler | None = None) -> None:
        self._name = name
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()
        self._handlers: dict[asyncio.Task[Any], ErrorHandler | None] = {}
        self._closed = False

    @property
    def tasks(self) -> frozenset[asyncio.Task[Any]]:
        """The tasks still running."""
        return frozenset(self._tasks)

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        return len(self._tasks)

    def start(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        name: str,
        on_error: ErrorHandler | None = None,
    ) -> asyncio.Task[T]:
        """Run `coro` as a named task owned by this object.

        A failure (anything but cancellation) goes to `on_error`, else to the owner's handler,
        else to the log and the user-message channel.
        """
        if self._closed:
            coro.close()
            raise RuntimeError(f"task owner {self._name!r} is closed; cannot start {name!r}")
        loop = asyncio.get_running_loop()
        full_name = f"{self._name}:{name}" if self._name else name
        task = loop.create_task(coro, name=full_name)
        self._tasks.add(task)
        self._handlers[task] = on_error
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        handler = self._handlers.pop(task, None) or self._on_error
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if handler is not None:
            try:
                handler(exc)
            except Exception:
                log.exception("error handler of task %s failed", task.get_name())
            return
        log.error("task %s failed", task.get_name(), exc_info=exc)
        report(exc)

    async def cancel_all(self) -> None:
        """Cancel every task and wait until each has finished; later `start()` calls fail."""
        self._closed = True
        current = asyncio.current_task()
        while True:
            pending = [task for task in self._tasks if task is not current and not task.done()]
            if not pending:
                break
            for task in pending:
                task.cancel()
            # return_exceptions: one task's failure must not stop the others being awaited.
            await asyncio.gather(*pending, return_exceptions=True)


async def run_dialog(dialog: QDialog) -> bool:
    """Show a dialog with `open()` (never `exec()`: no nested loop inside async code) and wait
    until it closes; True when it was accepted."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not done.done():
            done.set_result(result)

    dialog.finished.connect(finished)
    try:
        dialog.open()
        return await done == QDialog.DialogCode.Accepted.value
    finally:
        dialog.finished.disconnect(finished)
