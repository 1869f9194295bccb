"""One window per user and database: a second launch hands its file to the running one and exits.

Double-clicking a second ``.bdp`` used to start a second program on the same database. Now the first
window listens on a local socket (``QLocalServer``: a Unix socket in the temporary folder, a named pipe
on Windows); a later launch connects, sends the file it was given (or nothing: just come forward),
waits for the answer and exits 0. The running window comes to the front and opens the file as a
double-click would (the import with its checks and questions; ``ui.app.serve_window`` wires a window to
the server, since which import a file gets depends on the window).

The socket's name is a hash of the OS user, the database (the SQLite file's full path, or the server
URL without its password) and the window (clerk or 财政局): another user on the same machine, another
database (a bureau clerk trying a copy) or the 财政局 window beside the clerk's may run side by side,
since they share nothing a second window could trip over; only the same window on the same data is one.

A first program that crashed leaves its Unix socket file behind: connecting to it fails, so the new
launch starts and listens in its place (Qt puts a user-only socket in place over the old file; should
listening still report the address in use, the stale file is removed and listening tried again).
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from sqlalchemy.engine import make_url

from app.base.errors import BudgetDeskError
from app.store.audit import os_user
from db.engine import database_url, sqlite_path

log = logging.getLogger(__name__)

# How long a second launch waits to reach a running window; a listening window accepts at once.
CONNECT_TIMEOUT_MS = 5000
# How long it waits for that window's answer once connected. The window answers from its event loop,
# which is blocked while it opens the database or builds its first view: on a slow office PC that can
# take many seconds, and starting a second window meanwhile is exactly what this module prevents.
ANSWER_TIMEOUT_MS = 90_000
ANSWER = b"ok\n"


def database_identity(db: str | None) -> str:
    """The database as one string: the SQLite file's absolute path, or the server URL without password."""
    try:
        path = sqlite_path(db)
        if path is not None:
            return str(path.resolve())
        return make_url(database_url(db)).render_as_string(hide_password=True)
    except (BudgetDeskError, OSError, ValueError):
        return str(db)  # the launch will say what is wrong with it; keep the key stable meanwhile


def instance_name(db: str | None, bureau: bool = False) -> str:
    key = "\n".join((os_user(), database_identity(db), "bureau" if bureau else "clerk"))
    return "budgetdesk-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


class Handover(enum.Enum):
    HANDED = "handed"  # the running window has the file (or just comes to the front)
    NOBODY = "nobody"  # no window runs (or a crashed one left its socket file): this launch starts
    BUSY = "busy"  # a window is there but has not answered in ANSWER_TIMEOUT_MS: do not start another


def hand_over(name: str, open_file: str | None, connect_timeout_ms: int = CONNECT_TIMEOUT_MS,
              answer_timeout_ms: int = ANSWER_TIMEOUT_MS) -> Handover:
    """Give ``open_file`` to a window already running under ``name``."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(connect_timeout_ms):
        return Handover.NOBODY
    path = str(Path(open_file).expanduser().resolve()) if open_file else None  # the first has another cwd
    socket.write(json.dumps({"open": path}, ensure_ascii=False).encode("utf-8") + b"\n")
    socket.flush()
    answered = b""
    deadline = time.monotonic() + answer_timeout_ms / 1000
    while not answered.endswith(b"\n") and socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            break
        if socket.waitForReadyRead(min(left_ms, 1000)):
            answered += socket.readAll().data()
    connected = socket.state() == QLocalSocket.LocalSocketState.ConnectedState
    socket.disconnectFromServer()
    if answered == ANSWER:
        log.info("handed %s to the running window (%s)", path or "nothing", name)
        return Handover.HANDED
    if connected:
        log.warning("the running window on %s has not answered in %d s; not starting another",
                    name, answer_timeout_ms // 1000)
        return Handover.BUSY
    log.warning("the running window on %s went away without answering; starting in its place", name)
    return Handover.NOBODY


BUSY_MESSAGE = ("部门预算填报已经在运行，但暂时没有响应（可能正在打开数据库）。"
                "请稍候再试；如果一直没有响应，请关闭已运行的窗口后重新打开。")


class InstanceServer(QObject):
    """The first window's end: ``requested(path)`` (empty: just come to the front) on the GUI thread."""

    requested = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # this user only
        self.server.newConnection.connect(self._connected)
        self.served = False
        self.pending: list[str] = []  # asked for before the window was up (the database still opening)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            log.info("single instance: listening on %s", self.name)
            return True
        if self.server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            # hand_over could not reach it, so nobody is there: a crashed program's socket file
            log.warning("single instance: removing the stale socket %s", self.name)
            QLocalServer.removeServer(self.name)
            if self.server.listen(self.name):
                log.info("single instance: listening on %s", self.name)
                return True
        log.warning("single instance: cannot listen on %s: %s", self.name, self.server.errorString())
        return False  # the program still runs, only without the hand-over

    def _connected(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.setProperty("buffer", b"")
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        data = bytes(socket.property("buffer") or b"") + socket.readAll().data()
        socket.setProperty("buffer", data)
        if not data.endswith(b"\n"):
            return  # the rest is on its way
        try:
            path = json.loads(data.decode("utf-8")).get("open") or ""
        except (ValueError, AttributeError):
            log.warning("single instance: ignored a malformed request %r", data[:200])
            socket.disconnectFromServer()
            return
        socket.write(ANSWER)
        socket.flush()
        log.info("single instance: received %s", path or "a request to come to the front")
        if self.served:
            self.requested.emit(str(path))
        else:
            self.pending.append(str(path))

    def close(self) -> None:
        self.server.close()


def bring_forward(window) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
