"""Background work (ARCHITECTURE.md section 6).

``TaskManager.run(fn, *args, on_done=None, on_error=None, kind="write"|"read"|"net",
progress_label=None, cancellable=False)``: writes go to ONE single-worker executor (one writer, no
lock fights), reads to a small pool, network calls to their own pool. Results and errors come back
on the GUI thread through a queued signal. ``fn`` gets plain arguments and returns plain data; if
it accepts keyword arguments ``progress`` and/or ``cancel`` they are passed (``progress(done,
total)`` callable, ``cancel`` a threading.Event). With ``progress_label`` a progress dialog appears
when the work takes longer than ~300 ms.

``synchronous=True`` (tests) runs everything inline on the calling thread, deterministically.
"""
from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog

from ui.errors import present_error

KINDS = {"write": 1, "read": 2, "net": 2}


def _accepts(fn: Callable, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


class TaskManager(QObject):
    busyChanged = Signal(bool)
    _deliver = Signal(object)  # a zero-argument callable to run on the GUI thread

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False):
        super().__init__(parent)
        self.synchronous = synchronous
        self._executors = {k: ThreadPoolExecutor(n, thread_name_prefix=f"towndesk-{k}") for k, n in KINDS.items()}
        self._pending = 0
        self._deliver.connect(self._run_callable, Qt.ConnectionType.QueuedConnection)

    # -- public ------------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        return self._pending

    def run(self, fn: Callable, *args, on_done: Callable | None = None, on_error: Callable | None = None,
            kind: str = "write", progress_label: str | None = None, cancellable: bool = False) -> Future:
        if kind not in self._executors:
            raise ValueError(f"unknown task kind: {kind}")
        cancel = threading.Event()
        kwargs = {}
        dialog = self._progress_dialog(progress_label, cancellable, cancel) if progress_label else None
        if _accepts(fn, "cancel"):
            kwargs["cancel"] = cancel
        if _accepts(fn, "progress"):
            kwargs["progress"] = self._progress_callback(dialog)
        self._set_pending(+1)
        if self.synchronous:
            future: Future = Future()
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as e:  # noqa: BLE001 — reported below like any task error
                future.set_exception(e)
            self._finish(future, on_done, on_error, dialog)
            return future
        future = self._executors[kind].submit(fn, *args, **kwargs)
        future.add_done_callback(lambda f: self._deliver.emit(lambda: self._finish(f, on_done, on_error, dialog)))
        return future

    def wait_idle(self, timeout_ms: int = 10_000) -> bool:
        """Process events until every task has delivered its result (tests, shutdown)."""
        timer = QElapsedTimer()
        timer.start()
        while self._pending and timer.elapsed() < timeout_ms:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return self._pending == 0

    def shutdown(self) -> None:
        for ex in self._executors.values():
            ex.shutdown(wait=True, cancel_futures=True)

    # -- internals ---------------------------------------------------------------------------
    def _set_pending(self, delta: int) -> None:
        before = self._pending
        self._pending += delta
        if (before == 0) != (self._pending == 0):
            self.busyChanged.emit(self._pending > 0)

    def _run_callable(self, fn: Callable) -> None:
        fn()

    def _finish(self, future: Future, on_done, on_error, dialog) -> None:
        self._set_pending(-1)
        if dialog is not None:
            dialog.reset()
            dialog.deleteLater()
        exc = future.exception()
        if exc is None:
            if on_done is not None:
                on_done(future.result())
            return
        if on_error is not None:
            on_error(exc)
        else:
            present_error(exc)

    def _progress_dialog(self, label: str, cancellable: bool, cancel: threading.Event) -> QProgressDialog | None:
        if self.synchronous:
            return None
        dialog = QProgressDialog(label, "取消" if cancellable else None, 0, 0)
        dialog.setWindowTitle("请稍候")
        dialog.setMinimumDuration(300)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(cancel.set)
        return dialog

    def _progress_callback(self, dialog: QProgressDialog | None) -> Callable[[int, int], None]:
        def progress(done: int, total: int) -> None:
            if dialog is None:
                return

            def update() -> None:
                try:
                    dialog.setMaximum(max(total, 0))
                    dialog.setValue(min(done, total) if total else 0)
                except RuntimeError:  # dialog already deleted: the task finished meanwhile
                    pass

            if self.synchronous:
                update()
            else:
                self._deliver.emit(update)

        return progress
