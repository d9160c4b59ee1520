"""The main window: top bar, left navigation, pages, case detail, status bar, idle lock."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from app.cases import overview
from app.domain.timezone import LOCAL_TZ
from app.domain.workflow import ROLE_LABELS
from ui import keys
from ui.about import add_about_entry
from ui.case_detail import CaseDetailView
from ui.context import UiContext
from ui.idle import IdleWatcher
from ui.login import LoginForm
from ui.pages import page_classes
from ui.widgets.calendar_banner import CalendarBanner
from ui.widgets.emergency_banner import EmergencyBanner
from ui.widgets.sync_indicator import SyncIndicator


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext, info: dict | None = None):
        super().__init__()
        self.ctx = ctx
        self.info = info or {"town_name": ctx.town_name, "demo": False, "demo_users": [], "idle_lock_minutes": 15}
        self.setWindowTitle(f"镇街指挥台 — {self.info.get('town_name') or ''}")
        self.setObjectName("mainWindow")
        self.pages: list = []
        self.classes: list[type] = []
        self._built: dict[int, object] = {}
        self._history: list[int] = []

        self.top = self._top_bar()
        self.nav = QListWidget()
        self.nav.setObjectName("navList")
        self.nav.setFixedWidth(150)
        self.nav.currentRowChanged.connect(self.show_page)
        self.stack = QStackedWidget()
        self.detail = CaseDetailView(ctx)
        self.detail.back.connect(self.go_back)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.work = QWidget()
        col = QVBoxLayout(self.work)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(self.top)
        self.calendar_banner = CalendarBanner(ctx)  # the coming days rest on a guessed calendar
        col.addWidget(self.calendar_banner)
        self.emergency_banner = EmergencyBanner(ctx, chrome=(self.top, self.nav))  # 平战转换: red chrome
        col.addWidget(self.emergency_banner)
        col.addWidget(body, 1)
        self.lock_screen = QWidget()  # filled when locking
        self.outer = QStackedWidget()
        self.outer.addWidget(self.work)
        self.outer.addWidget(self.lock_screen)
        self.setCentralWidget(self.outer)
        self._status_bar()
        self._shortcuts()

        self.idle = IdleWatcher(float(self.info.get("idle_lock_minutes") or 0), self)
        self.idle.idle.connect(self.lock)
        self.ctx.bus.syncState.connect(self.sync_indicator.on_sync_state)
        self.ctx.bus.caseChanged.connect(self._cases_changed)
        self._build_pages()
        self.restore_layout()
        add_about_entry(self)  # 关于 (F1): version, data directory, log file

    # -- chrome --------------------------------------------------------------------------------
    def _top_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("topBar")
        bar.setFixedHeight(46)
        lay = QHBoxLayout(bar)
        lay.setContentsMargins(14, 0, 14, 0)
        town = QLabel(f"{self.info.get('town_name') or ''} · 综合信息指挥台")
        town.setObjectName("townName")
        self.sync_indicator = SyncIndicator()
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clockLabel")
        lock = QPushButton("锁定")
        lock.setToolTip("锁定屏幕 (Ctrl+L)")
        lock.clicked.connect(self.lock)
        self.handover_button = QPushButton("交接班")
        self.handover_button.setObjectName("handoverButton")
        self.handover_button.setToolTip("写交班记录，注销并切换用户 (Ctrl+Shift+Q)")
        self.handover_button.clicked.connect(self.start_handover)
        lay.addWidget(town)
        if self.info.get("demo"):
            demo = QLabel("（演示数据）")
            lay.addWidget(demo)
        lay.addStretch(1)
        self.lan_button = QPushButton("局域网")
        self.lan_button.setObjectName("lanButton")
        self.lan_button.setToolTip("局域网中继：区级断网时本中心互相同步 (Ctrl+Shift+L)")
        self.lan_button.clicked.connect(self.open_lan)
        lay.addWidget(self.lan_button)
        for w in (self.sync_indicator, self.user_label, self.clock_label, self.handover_button, lock):
            lay.addSpacing(12)
            lay.addWidget(w)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._update_clock)
        self._tick.start(15_000)
        self._update_clock()
        return bar

    def _update_clock(self) -> None:
        now = self.ctx.desk.now().astimezone(LOCAL_TZ)
        weekday = "一二三四五六日"[now.weekday()]
        self.clock_label.setText(f"{now:%Y-%m-%d} 周{weekday} {now:%H:%M}")

    def _status_bar(self) -> None:
        bar = QStatusBar()
        self.count_labels = {}
        for key, text, colour in (("open", "在办", "#1f3a5f"), ("yellow", "黄灯", "#b7791f"),
                                  ("red", "红灯", "#c62828")):
            label = QLabel(f"{text} —")
            label.setObjectName(f"count_{key}")
            label.setStyleSheet(f"color: {colour}; padding: 0 10px;")
            label.setProperty("caption", text)
            bar.addPermanentWidget(label)
            self.count_labels[key] = label
        self.busy_label = QLabel("")
        bar.addWidget(self.busy_label)
        self.ctx.tasks.busyChanged.connect(lambda b: self.busy_label.setText("正在处理…" if b else ""))
        self.setStatusBar(bar)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(400)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._page_timer = QTimer(self)
        self._page_timer.setSingleShot(True)
        self._page_timer.setInterval(400)
        self._page_timer.timeout.connect(self._refresh_page_on_screen)
        self._counts_refresh = QTimer(self)
        self._counts_refresh.timeout.connect(self.refresh_counts)
        self._counts_refresh.start(60_000)

    def refresh_counts(self) -> None:
        self.ctx.tasks.run(overview.status_counts, self.ctx.desk, kind="read", on_done=self._show_counts,
                           on_error=lambda e: None)

    def _show_counts(self, counts: dict) -> None:
        for key, label in self.count_labels.items():
            label.setText(f"{label.property('caption')} {counts.get(key, 0):,}")

    def _shortcuts(self) -> None:
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.lock)
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, activated=self.start_handover)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh_and_sync)
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, activated=self.open_lan)
        QShortcut(QKeySequence("F1"), self, activated=lambda: keys.show_sheet(self))  # 快捷键 + 关于
        for i in range(9):
            QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self, activated=lambda i=i: self.select_page(i))

    def open_lan(self):
        """The 局域网中继 dialog (relays found by zeroconf, the fallback relay, a round now)."""
        from ui.lan_dialog import LanDialog

        self.lan_dialog = LanDialog(self.ctx, self)
        self.lan_dialog.open()
        return self.lan_dialog

    def refresh_and_sync(self) -> None:
        """F5: refresh the page and, on an enrolled workstation, start a sync round now."""
        self.refresh_current()
        controller = self.ctx.extras.get("sync")
        if controller is not None:
            controller.sync_now()

    # -- pages ---------------------------------------------------------------------------------
    def _build_pages(self) -> None:
        """Navigation for the actor's role; each page is built the first time it is shown."""
        for page in self.pages:
            self.stack.removeWidget(page)
            page.deleteLater()
        self.stack.removeWidget(self.detail)
        self.nav.blockSignals(True)
        self.nav.clear()
        self.classes = page_classes(self.ctx.role)
        self.pages = []
        self._built: dict[int, object] = {}
        for cls in self.classes:
            placeholder = QWidget()
            self.pages.append(placeholder)
            self.stack.addWidget(placeholder)
            self.nav.addItem(cls.title)
        self.stack.addWidget(self.detail)
        self.nav.blockSignals(False)
        actor = self.ctx.actor
        self.user_label.setText(f"{actor.name}（{ROLE_LABELS.get(actor.role, actor.role)}）" if actor else "")
        self._history = []
        self.nav.setCurrentRow(0)
        self.show_page(0, force=True)
        self.refresh_counts()

    def _ensure_page(self, index: int):
        page = self._built.get(index)
        if page is None:
            page = self.classes[index](self.ctx)
            page.openCase.connect(self.open_case)
            page.openList.connect(self.open_list)
            placeholder = self.pages[index]
            self.stack.insertWidget(self.stack.indexOf(placeholder), page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[index] = page
            self._built[index] = page
        return page

    def built_pages(self) -> list:
        return list(self._built.values())

    def page(self, key: str):
        index = next((i for i, c in enumerate(self.classes) if c.key == key), -1)
        return self._ensure_page(index) if index >= 0 else None

    def select_page(self, index_or_key) -> None:
        index = index_or_key if isinstance(index_or_key, int) else \
            next((i for i, c in enumerate(self.classes) if c.key == index_or_key), -1)
        if 0 <= index < len(self.classes):
            self.nav.setCurrentRow(index)
            self.show_page(index)

    def show_page(self, index: int, force: bool = False) -> None:
        if not 0 <= index < len(self.classes):
            return
        fresh = index not in self._built
        page = self._ensure_page(index)
        if force or fresh or self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
            page.refresh()
            if page.focusProxy() is not None and not self.nav.hasFocus():
                page.setFocus()  # keyboard: into the page's table (待分派, 案件查询)

    def current_page(self):
        return self.stack.currentWidget()

    def refresh_current(self) -> None:
        """F5: the page on screen queries again (``reload`` where a page has one), and the counts."""
        w = self.stack.currentWidget()
        if w is self.detail:
            self.detail.reload()
        elif hasattr(w, "reload"):
            w.reload()
        elif hasattr(w, "refresh"):
            w.refresh()
        self.refresh_counts()

    def _cases_changed(self, payload: dict) -> None:
        """A write committed (here, in another window or by sync): counts, the page on screen and
        the case on screen follow. Pages off screen refresh when shown (show_page)."""
        self._counts_timer.start()
        self._page_timer.start()
        shown = (self.detail.case or {}).get("case_no")
        if shown and shown in (payload.get("case_nos") or ()) and self.stack.currentWidget() is self.detail \
                and not (self.detail.dialog and self.detail.dialog.isVisible()):
            self.detail.reload()

    def _refresh_page_on_screen(self) -> None:
        w = self.stack.currentWidget()
        if w is self.detail or self.locked or not getattr(w, "lists_cases", False):
            return  # pages that show cases say so; the case list and the queue follow changes themselves
        if w in self._built.values():
            w.refresh()

    def open_case(self, case_no: str) -> None:
        self._history.append(self.nav.currentRow())
        self.stack.setCurrentWidget(self.detail)
        self.detail.timeline.setFocus()  # focus inside the detail at once (Esc, Ctrl+P)
        self.detail.load(case_no)
        if self.detail.case and self.detail.case.get("case_no") == case_no:
            self.detail.focus_first()

    def open_list(self, filters: dict) -> None:
        page = self.page("cases")
        if page is None:
            return
        self.select_page("cases")
        page.apply_filters(filters)

    def go_back(self) -> None:
        index = self._history.pop() if self._history else 0
        self.show_page(max(index, 0))
        self.stack.currentWidget().setFocus()

    # -- user and lock -------------------------------------------------------------------------
    def set_actor(self, actor) -> None:
        """Switch the logged-in user (pages and buttons follow the new role)."""
        self.ctx.actor = actor
        self.detail.clear()
        self._build_pages()

    # -- 交接班: handover, 注销, the next user -------------------------------------------------------
    def start_handover(self):
        """交接班: the leaving user writes the 交班记录, then the window asks for the next user."""
        from ui.handover import HandoverDialog

        if self.locked or self.ctx.actor is None:
            return None
        self.handover_dialog = HandoverDialog(self.ctx, self)
        self.handover_dialog.handedOver.connect(lambda _r: self.log_out())
        self.handover_dialog.open()
        return self.handover_dialog

    def log_out(self) -> None:
        """注销: pages and the case on screen go; the login form takes any user."""
        self.detail.clear()
        self.lock(any_user=True)

    def show_handover_notice(self) -> None:
        """After a login: the unread 交班记录 another user left on this workstation, if any."""
        from app.supervision import handover

        if self.ctx.actor is not None:
            self.ctx.tasks.run(handover.latest_unread, self.ctx.desk, self.ctx.actor, kind="read",
                               on_done=self._show_handover, on_error=lambda e: None)

    def _show_handover(self, record: dict | None) -> None:
        from ui.handover import HandoverNotice

        if record is None or self.locked:
            return
        self.handover_notice = HandoverNotice(self.ctx, record, self)
        self.handover_notice.open()

    def lock(self, any_user: bool = False) -> None:
        if self.outer.currentWidget() is not self.work or self.ctx.actor is None:
            return
        old = self.lock_screen
        self.lock_screen = QWidget()
        lay = QVBoxLayout(self.lock_screen)
        lay.addStretch(1)
        form = LoginForm(self.ctx.desk, self.ctx.tasks, self.info,
                         locked_user=None if any_user else self.ctx.actor.username)
        self.logged_out = any_user
        form.setMaximumWidth(420)
        form.loggedIn.connect(self.unlock)
        self.lock_form = form
        lay.addWidget(form, alignment=Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        self.outer.insertWidget(1, self.lock_screen)
        self.outer.removeWidget(old)
        old.deleteLater()
        self.outer.setCurrentWidget(self.lock_screen)
        (form.username if any_user else form.password).setFocus()

    @property
    def locked(self) -> bool:
        return self.outer.currentWidget() is not self.work

    def unlock(self, actor) -> None:
        handed_over = getattr(self, "logged_out", False)
        self.logged_out = False
        if handed_over or actor.username != (self.ctx.actor.username if self.ctx.actor else None):
            self.set_actor(actor)
        self.outer.setCurrentWidget(self.work)
        self.idle.reset()
        if handed_over:
            self.show_handover_notice()

    # -- persistence ---------------------------------------------------------------------------
    def restore_layout(self) -> None:
        """The remembered geometry if it still fits this screen, else a size fitted to the screen."""
        geometry = self.ctx.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        area = self._screen_area()
        if geometry is None or (area is not None and not area.contains(self.frameGeometry())):
            self.fit_to_screen()

    def _screen_area(self):
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def fit_to_screen(self) -> None:
        """Small screens (up to 1440×900, e.g. 1366×768) get the whole available area; larger ones
        a comfortable 1600×1000 at most, centred. Never larger than the screen."""
        area = self._screen_area()
        if area is None:
            self.resize(1280, 760)
            return
        frame_w = self.frameGeometry().width() - self.geometry().width()
        frame_h = self.frameGeometry().height() - self.geometry().height()
        if area.width() <= 1440 or area.height() <= 900:
            w, h = area.width() - frame_w, area.height() - frame_h
        else:
            w, h = min(1600, int(area.width() * 0.85)), min(1000, int(area.height() * 0.9))
        self.resize(w, h)
        self.move(area.x() + (area.width() - w - frame_w) // 2, area.y() + (area.height() - h - frame_h) // 2)

    def save_layout(self) -> None:
        self.ctx.settings.setValue("window/geometry", self.saveGeometry())
        for page in self.built_pages():
            if hasattr(page, "save_layout"):
                page.save_layout()
        self.ctx.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 — Qt override
        self.save_layout()
        self.idle.stop()
        super().closeEvent(event)
