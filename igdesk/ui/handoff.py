"""A later launch hands its request to the running window over a local socket, then exits.

The window holding a profile's lock (igdesk/single_instance.py) listens on a QLocalServer named
after the profile; a second `igdesk` for the same profile connects with a QLocalSocket, sends
one JSON line (`{"thread": id or null, "argv": [...]}`) and waits for "ok". The window then comes
forward and opens the thread, if one was asked for. Requests that arrive before the window
exists (it is still starting) are kept and delivered when a handler is set.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger("igdesk.ui.handoff")

MAX_REQUEST = 64 * 1024
REPLY_OK = b"ok\n"


@dataclass(frozen=True)
class Request:
    """What a later launch asks of the running window."""

    thread: str | None
    argv: tuple[str, ...]


def encode(request: Request) -> bytes:
    return json.dumps({"thread": request.thread, "argv": list(request.argv)}).encode() + b"\n"


def decode(line: bytes) -> Request | None:
    try:
        data = json.loads(line)
        thread, argv = data.get("thread"), data.get("argv", [])
        if thread is not None and not isinstance(thread, str):
            return None
        if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
            return None
    except (ValueError, AttributeError):
        return None
    return Request(thread, tuple(argv))


class HandoffServer(QObject):
    """Listens for later launches of the same profile (only the lock's holder runs one)."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._handler: Callable[[Request], None] | None = None
        self._pending: list[Request] = []

    def listen(self) -> bool:
        """Start listening; a socket file a crashed window left behind is removed first (safe:
        the caller holds the profile's lock, so no live window owns that name)."""
        QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("later launches cannot reach this window: %s", self._server.errorString())
        return False

    def set_handler(self, handler: Callable[[Request], None]) -> None:
        """Deliver requests to `handler` from now on (and those that came before)."""
        self._handler = handler
        pending, self._pending = self._pending, []
        for request in pending:
            handler(request)

    def close(self) -> None:
        self._server.close()

    @Slot()
    def _on_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_REQUEST:
                socket.abort()
            return
        request = decode(bytes(socket.readLine(MAX_REQUEST).data()))
        if request is None:
            log.info("ignored a malformed request from a later launch")
            socket.abort()
            return
        socket.write(REPLY_OK)
        socket.flush()
        socket.disconnectFromServer()
        log.info("a later launch asked to come forward")
        if self._handler is None:
            self._pending.append(request)
        else:
            self._handler(request)


def hand_off(name: str, request: Request, *, timeout_ms: int = 3000) -> bool:
    """Send `request` to the window listening on `name`; whether it took it."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    try:
        socket.write(encode(request))
        if not socket.waitForBytesWritten(timeout_ms):
            return False
        reply = b""
        while not reply.endswith(b"\n") and socket.waitForReadyRead(timeout_ms):
            reply += bytes(socket.readAll().data())
        return reply == REPLY_OK
    finally:
        socket.abort()
