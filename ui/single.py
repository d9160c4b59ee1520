"""One window per data folder: the first window listens on a local socket named after the folder
(and the OS user); a second launch on the same folder asks it to come to the front and exits."""
from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket


def server_name(data_dir: str | Path) -> str:
    key = f"{getpass.getuser()}|{Path(data_dir).resolve()}"
    return "towndesk-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


class SingleInstance(QObject):
    """Held by the running window; ``raiseRequested`` fires when another launch knocks."""

    raiseRequested = Signal()

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._knock)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)  # a socket left behind by a window that crashed
        return self.server.listen(self.name)

    def _knock(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            conn.readyRead.connect(conn.readAll)
            conn.disconnected.connect(conn.deleteLater)
            self.raiseRequested.emit()

    def close(self) -> None:
        self.server.close()


def ask_running_window(name: str, timeout_ms: int = 800) -> bool:
    """True if a window already holds ``name`` (it has been asked to come to the front)."""
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(timeout_ms):
        return False
    sock.write(b"raise\n")
    sock.waitForBytesWritten(timeout_ms)
    sock.disconnectFromServer()
    return True


def claim(data_dir: str | Path, parent: QObject | None = None) -> SingleInstance | None:
    """The data folder for this process, or None when another window has it (and was raised)."""
    name = server_name(data_dir)
    if ask_running_window(name):
        return None
    instance = SingleInstance(name, parent)
    instance.listen()
    return instance


def bring_to_front(widget) -> None:
    widget.showNormal() if widget.isMinimized() else widget.show()
    widget.raise_()
    widget.activateWindow()
