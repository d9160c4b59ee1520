"""Background sync for the window: a round every ``sync_interval_seconds`` (QTimer) and on
demand, on the TaskManager's network pool, never blocking the GUI. State comes back as
``stateChanged(dict)`` ({state: online|offline|syncing|error, pending, last_success, conflicts,
error}) for the top-bar SyncIndicator; ``conflictsChanged(int)`` for the 冲突 page.

Wiring (in the window): ``ctrl = SyncController(ctx); ctrl.stateChanged.connect(indicator.on_sync_state);
indicator.syncRequested.connect(ctrl.sync_now); ctrl.start()``; ``install(ctx)`` does the first part
and keeps the controller in ``ctx.extras["sync"]``.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from app.errors import AppError
from app.sync.state import summary
from ui.context import UiContext


def _round(desk, cancel=None):
    from app.sync.engine import run_round  # requests: loaded with the first round, not at start
    from app.sync.transport import SyncError

    try:
        return run_round(desk, cancel=cancel)
    except SyncError as e:
        peer = desk.meta("lan.peer")  # the district is unreachable: the centre's relay, if one is chosen
        if not peer or e.code not in ("offline", "timeout"):
            raise
    from app.lan.peer import run_peer_round

    return run_peer_round(desk, peer) | {"via": "lan"}


def _summary(desk) -> dict:
    return summary(desk)


NOT_ENROLLED = "未注册区级服务器"
REASONS = {"offline": "网络不通", "timeout": "网络不通", "tls": "网络不通", "auth": "服务器拒绝", "version": "服务器拒绝",
           "http": "服务器拒绝", "must_resync": "服务器拒绝", "server_error": "服务器出错", "bad_reply": "服务器出错"}
EXPLAIN_NOT_ENROLLED = ("本工作站尚未注册到区级服务器，案件只保存在本机，不会上传。\n"
                        "请管理员在本机运行：towndesk enroll --server <区级服务器地址> --code <注册码>，"
                        "注册后指挥台会自动开始同步。")


def reason_of(error: BaseException | None, enrolled: bool = True, code: str | None = None) -> str:
    """Why the workstation is offline, in the indicator's words (by the error's code, else by
    its HTTP status: any 4xx is the server refusing, 5xx the server failing)."""
    if not enrolled:
        return NOT_ENROLLED
    code = code or getattr(error, "code", "") or ""
    if code in REASONS:
        return REASONS[code]
    status = getattr(error, "status", None) or 0
    if 400 <= status < 500:
        return "服务器拒绝"
    return "服务器出错" if status >= 500 else "同步出错"

class SyncController(QObject):
    stateChanged = Signal(dict)
    conflictsChanged = Signal(int)
    finished = Signal(dict)  # the round's summary ({} after a failure)

    def __init__(self, ctx: UiContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.last: dict = {}
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        ctx.bus.syncState.connect(self._on_event)
        # the pending count follows every local write (not only the next round or F5)
        self._pending_timer = QTimer(self)
        self._pending_timer.setSingleShot(True)
        self._pending_timer.setInterval(500)
        self._pending_timer.timeout.connect(self.publish_current)
        ctx.bus.caseChanged.connect(lambda _p: self.running or self._pending_timer.start())
        self.explained: list[str] = []  # what a click explained (tests read it)
        ctx.bus.conflictArrived.connect(lambda p: self.conflictsChanged.emit(int(p.get("count") or 0)))

    @property
    def interval_ms(self) -> int:
        return max(5, int(self.ctx.desk.setting("sync_interval_seconds"))) * 1000

    def start(self) -> None:
        """Start the periodic rounds (first one right away) if this workstation is enrolled."""
        self.publish_current()
        self.timer.start(self.interval_ms)
        if self.last.get("enrolled"):
            self.sync_now()

    def stop(self) -> None:
        self.timer.stop()

    def publish_current(self) -> None:
        self.last = _summary(self.ctx.desk)
        state = ("online" if self.last.get("last_success") and not self.last.get("last_error") else "offline") \
            if self.last.get("enrolled") else "offline"
        extra = {} if self.last.get("enrolled") else {"reason": NOT_ENROLLED, "error": EXPLAIN_NOT_ENROLLED}
        if state == "offline" and self.last.get("enrolled") and self.last.get("last_error"):
            extra = {"reason": self._last_reason or "同步出错", "error": self.last["last_error"]}
        self._emit({**self.last, "state": state, **extra})

    _last_reason: str | None = None

    def request_sync(self, parent=None) -> bool:
        """The indicator was clicked: sync now, or say why that cannot happen (not enrolled)."""
        if self.sync_now():
            return True
        if self.running:
            return False
        text = EXPLAIN_NOT_ENROLLED
        self.explained.append(text)
        box = QMessageBox(QMessageBox.Icon.Information, "无法同步", text, QMessageBox.StandardButton.NoButton, parent)
        box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.explain_box = box
        return False

    def sync_now(self) -> bool:
        """Start a round unless one is running or the workstation is not enrolled. True if started."""
        if self.running:
            return False
        if not self.ctx.desk.meta("sync.token"):
            self.ctx.desk.reload_meta()  # enrolled meanwhile by `towndesk enroll` in another process?
        if not self.ctx.desk.meta("sync.token"):
            self._emit({**_summary(self.ctx.desk), "state": "offline", "reason": NOT_ENROLLED,
                        "error": EXPLAIN_NOT_ENROLLED})
            return False
        self.running = True
        self._emit({**self.last, "state": "syncing"})
        self.ctx.tasks.run(_round, self.ctx.desk, kind="net", on_done=self._done, on_error=self._failed)
        return True

    def _done(self, out: dict) -> None:
        self.running = False
        self.last = _summary(self.ctx.desk)
        self._emit({**self.last, "state": "online", "summary": out})
        if out.get("new_conflicts"):
            self.conflictsChanged.emit(self.last.get("conflicts", 0))
        self.finished.emit(out)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.last = _summary(self.ctx.desk)
        message = error.message if isinstance(error, AppError) else "同步出错，稍后自动重试"
        offline = getattr(error, "code", "") in ("offline", "timeout", "tls")
        self._last_reason = reason_of(error)
        self._emit({**self.last, "state": "offline" if offline else "error", "error": message,
                    "reason": self._last_reason})
        self.finished.emit({})

    def _on_event(self, payload: dict) -> None:
        if payload.get("state") == "syncing":  # the controller announces syncing itself
            return
        if payload.get("state") in ("offline", "error") and not payload.get("reason"):  # a round run elsewhere
            payload = {**payload, "reason": reason_of(None, code=payload.get("code"))}
        self._emit(payload)

    def _emit(self, payload: dict) -> None:
        self.stateChanged.emit(dict(payload))


def install(ctx: UiContext, indicator=None) -> SyncController:
    """Create the window's controller once, wire the indicator (if given) and start it."""
    ctrl = ctx.extras.get("sync")
    if ctrl is None:
        ctrl = ctx.extras["sync"] = SyncController(ctx)
        if indicator is not None:
            ctrl.stateChanged.connect(indicator.on_sync_state)
            indicator.syncRequested.connect(lambda: ctrl.request_sync(indicator.window()))
        ctrl.start()
    return ctrl
