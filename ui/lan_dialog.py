"""局域网中继 dialog: the relays of this town found on the LAN (zeroconf, looked up off the UI
thread), the one this workstation falls back to while the district cannot be reached, and a
round with it now. Opened from the top bar's 局域网 button (Ctrl+Shift+L)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from app.errors import AppError
from ui.context import UiContext


def _find(desk):
    from app.lan.settings import find_relays  # zeroconf: loaded when the dialog looks

    return find_relays(desk)


def _set(desk, who, url):
    from app.lan.settings import set_peer

    return set_peer(desk, who, url)


def _peer_round(desk, url):
    from app.lan.peer import run_peer_round

    return run_peer_round(desk, url)


class LanDialog(QDialog):
    def __init__(self, ctx: UiContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("局域网中继")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("区级断网时，本中心各工作站经局域网中继互相同步（中继：towndesk lan serve）。\n"
                             "本镇街在局域网中发现的中继："))
        self.found = QListWidget()
        self.found.setObjectName("lanRelays")
        self.found.itemClicked.connect(lambda item: self.url.setText(item.data(Qt.ItemDataRole.UserRole)))
        lay.addWidget(self.found)
        row = QHBoxLayout()
        row.addWidget(QLabel("中继地址"))
        self.url = QLineEdit(ctx.desk.meta("lan.peer") or "")
        self.url.setObjectName("lanPeerUrl")
        self.url.setPlaceholderText("http://192.168.1.20:8710")
        row.addWidget(self.url, 1)
        lay.addLayout(row)
        self.status = QLabel("")
        self.status.setObjectName("lanStatus")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        buttons = QHBoxLayout()
        self.scan_button = QPushButton("查找中继")
        self.scan_button.clicked.connect(self.scan)
        self.use_button = QPushButton("断网时使用该中继")
        self.use_button.clicked.connect(self.use)
        self.sync_button = QPushButton("立即与中继同步")
        self.sync_button.clicked.connect(self.sync_now)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        for b in (self.scan_button, self.use_button, self.sync_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.relays: list[dict] = []
        self.scan()

    def scan(self) -> None:
        self.status.setText("正在查找局域网中的中继…")
        self.scan_button.setEnabled(False)
        self.ctx.tasks.run(_find, self.ctx.desk, kind="net", on_done=self._found, on_error=self._failed)

    def _found(self, relays: list[dict]) -> None:
        self.scan_button.setEnabled(True)
        self.relays = relays
        self.found.clear()
        for r in relays:
            item = QListWidgetItem(f"工作站 {r.get('workstation') or '?'} · {r['url']}")
            item.setData(Qt.ItemDataRole.UserRole, r["url"])
            self.found.addItem(item)
        self.status.setText(f"找到 {len(relays)} 个中继" if relays else "未找到中继：请确认中继已启动且在同一局域网，"
                                                                     "或直接填写地址")
        if relays and not self.url.text().strip():
            self.url.setText(relays[0]["url"])

    def use(self) -> None:
        who = self.ctx.actor.username if self.ctx.actor else "admin"
        self.ctx.tasks.run(_set, self.ctx.desk, who, self.url.text(), kind="write",
                           on_done=lambda out: self.status.setText(
                               f"断网时将与中继 {out['peer']} 同步" if out["peer"] else "已停用局域网中继"),
                           on_error=self._failed)

    def sync_now(self) -> None:
        url = self.url.text().strip()
        if not url:
            self.status.setText("请先选择或填写中继地址")
            return
        self.status.setText("正在与中继同步…")
        self.ctx.tasks.run(_peer_round, self.ctx.desk, url, kind="net", on_done=self._synced, on_error=self._failed)

    def _synced(self, out: dict) -> None:
        self.status.setText(f"已与中继同步：上传 {out['pushed']}（接受 {out['accepted']}），下载 {out['pulled']}")

    def _failed(self, error: BaseException) -> None:
        self.scan_button.setEnabled(True)
        self.status.setText(error.message if isinstance(error, AppError) else "操作失败，请稍后重试")
