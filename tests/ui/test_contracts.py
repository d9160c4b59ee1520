"""The window's shared contracts: TaskManager, EventBridge, page registry."""
from __future__ import annotations

import os
import threading

import pytest

from app import events
from app.errors import ValidationError


def test_task_manager_runs_off_the_gui_thread_and_delivers_on_it(qtbot):
    from ui.tasks import TaskManager

    tasks = TaskManager()
    gui = threading.get_ident()
    seen = {}

    def work(x):
        seen["worker"] = threading.get_ident()
        return x * 2

    tasks.run(work, 21, on_done=lambda r: seen.update(result=r, done_on=threading.get_ident()), kind="read")
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    assert seen["result"] == 42 and seen["done_on"] == gui and seen["worker"] != gui
    tasks.shutdown()


def test_task_manager_writes_are_serial_and_errors_reach_on_error(qtbot):
    from ui.tasks import TaskManager

    tasks = TaskManager()
    names, errors = set(), []
    for _ in range(5):
        tasks.run(lambda: names.add(threading.current_thread().name))
    tasks.run(lambda: (_ for _ in ()).throw(ValidationError("坏了", field="x")), on_error=errors.append)
    assert tasks.wait_idle(5000)
    assert len(names) == 1 and errors and errors[0].field == "x"
    tasks.shutdown()


def test_task_manager_synchronous_passes_progress_and_cancel(qtbot):
    from ui.tasks import TaskManager

    tasks = TaskManager(synchronous=True)
    got = []

    def work(n, progress=None, cancel=None):
        for i in range(n):
            progress(i + 1, n)
        return isinstance(cancel, threading.Event)

    tasks.run(work, 3, on_done=got.append, progress_label="处理中", cancellable=True)
    assert got == [True] and tasks.pending == 0


def test_unhandled_app_error_is_shown_calmly(qtbot):
    from ui import errors
    from ui.tasks import TaskManager

    errors.silent = True
    try:
        TaskManager(synchronous=True).run(lambda: (_ for _ in ()).throw(ValidationError("身份证号码校验位错误")))
        assert errors.shown[-1] == "身份证号码校验位错误"
    finally:
        errors.silent = False


def test_event_bridge_delivers_worker_events_on_gui_thread(qtbot):
    from ui.bus import EventBridge

    bridge = EventBridge()
    got = []
    bridge.caseChanged.connect(lambda p: got.append((p, threading.get_ident())))
    t = threading.Thread(target=events.publish, args=(events.CASE_CHANGED, {"case_nos": ["X"]}))
    t.start()
    t.join()
    qtbot.waitUntil(lambda: bool(got), timeout=3000)
    assert got[0] == ({"case_nos": ["X"]}, threading.get_ident())
    bridge.close()


def test_page_registry_lists_pages_in_order():
    from ui.pages import PAGES, page_classes

    classes = page_classes()
    assert [c.__module__ for c in classes] == [m for m in PAGES if m in {c.__module__ for c in classes}]
    for cls in classes:
        assert cls.key and cls.title


@pytest.mark.parametrize("role", ["intake", "unit"])
def test_page_registry_filters_by_role(role):
    from ui.pages import page_classes

    for cls in page_classes(role):
        assert cls.roles is None or role in cls.roles


EMITS = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    ping = Signal(object)
    flag = Signal(bool)

app = QCoreApplication([])
e = Emitter()
e.ping.connect(lambda _x: None)
e.flag.connect(lambda _x: None)
before = [sys.getrefcount(x) for x in (True, False, None)]
for i in range(20_000):
    e.ping.emit(i)
    e.flag.emit(i % 2 == 0)
after = [sys.getrefcount(x) for x in (True, False, None)]
print(before, after)
assert all(a >= b - 100 for a, b in zip(after, before)), (before, after)
"""


def test_many_emits_keep_the_singletons():
    """PySide6 6.12.0 lost a reference to True on every Python emit (the process aborted after a few
    thousand: "bool_dealloc"); ui/__init__ guarded it. On Qt 6.8 LTS the guard is gone: in a fresh
    interpreter without ``ui`` imported, 40,000 emits leave the refcounts of True/False/None alone."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", EMITS], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr[-2000:]

