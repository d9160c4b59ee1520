"""Start the window: CJK font, style, logging, open the store (splash if slow), login, main window."""
from __future__ import annotations

import gc
import logging
import sys
import threading

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QSplashScreen

from app.cases import overview
from app.demo.loader import load_demo
from app.desk import open_desk
from app.paths import data_dir as resolve_data_dir
from app.paths import resource_path
from app.store.memory import limit_page_cache
from ui import errors
from ui.bus import EventBridge
from ui.context import UiContext, make_settings
from ui.login import LoginDialog
from ui.tasks import TaskManager

log = logging.getLogger("towndesk.ui")
FONT_FAMILY_FALLBACK = "WenQuanYi Micro Hei"
_font_family: str | None = None


def register_font(app: QApplication) -> str:
    """Load the shipped CJK font and make it the application font (once per process)."""
    global _font_family
    if _font_family is None:
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", "wqy-microhei.ttc")))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _font_family = families[0] if families else FONT_FAMILY_FALLBACK
    font = QFont(_font_family, 10)
    app.setFont(font)
    return _font_family


def apply_style(app: QApplication) -> None:
    path = resource_path("styles", "towndesk.qss")
    if path.exists():
        app.setStyleSheet(path.read_text(encoding="utf-8"))


_translators: list = []


def install_translations(app: QApplication) -> list[str]:
    """Qt's own zh_CN translations (qtbase: file, print and message dialogs, context menus), and
    Chinese as the default locale (dates, numbers, the calendar popup). Returns the files loaded."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if _translators:
        return [t.filePath() for t in _translators]
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), str(resource_path("translations"))]
    loaded = []
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        for folder in folders:
            translator = QTranslator(app)
            if translator.load(name, folder):
                app.installTranslator(translator)
                _translators.append(translator)
                loaded.append(translator.filePath())
                break
    if not loaded:
        log.warning("Qt zh_CN translations not found in %s", folders)
    return loaded


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("towndesk")
    app.setApplicationDisplayName("镇街指挥台")
    app.setOrganizationName("towndesk")
    install_translations(app)
    register_font(app)
    apply_style(app)
    return app


def build_window(desk, actor, *, synchronous: bool = False, settings_path: str | None = None, info=None):
    """The main window for a logged-in actor (also used by tests, screenshots and benchmarks)."""
    from ui import keys
    from ui.window import MainWindow  # kept off the path to the login dialog

    keys.install()  # Return presses the focused button everywhere
    limit_page_cache(desk)
    info = info or overview.desk_info(desk)
    settings = make_settings(settings_path or str(desk.root / "window.ini"))
    ctx = UiContext(desk=desk, actor=actor, tasks=TaskManager(synchronous=synchronous), bus=EventBridge(),
                    settings=settings, town_name=info.get("town_name") or "")
    return MainWindow(ctx, info), ctx


def _open_store(app: QApplication, data_dir: str | None):
    """open_desk (migrations + backup) in a thread; a splash appears if it takes > 300 ms."""
    result: dict = {}

    def work() -> None:
        try:
            result["desk"] = open_desk(data_dir)
        except BaseException as e:  # noqa: BLE001 — shown to the user below
            result["error"] = e

    thread = threading.Thread(target=work, name="towndesk-open", daemon=True)
    thread.start()
    timer = QElapsedTimer()
    timer.start()
    splash = None
    while thread.is_alive():
        thread.join(0.02)
        if splash is None and timer.elapsed() > 300:
            pix = QPixmap(420, 160)
            pix.fill(QColor("#1f3a5f"))
            splash = QSplashScreen(pix)
            splash.showMessage("镇街指挥台\n正在打开数据（检查升级并备份）…",
                               Qt.AlignmentFlag.AlignCenter, QColor("white"))
            splash.show()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    if splash is not None:
        splash.close()
    if "error" in result:
        raise result["error"]
    return result["desk"]


def run_gui(data_dir: str | None) -> int:
    app = make_app()
    root = resolve_data_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    errors.install_logging(root)
    errors.install_excepthook()
    from ui import single

    instance = single.claim(root, app)  # one window per data folder
    if instance is None:
        print(f"指挥台已在运行（数据目录 {root}），已切换到该窗口。")
        return 0
    front: dict = {}
    instance.raiseRequested.connect(lambda: front.get("widget") and single.bring_to_front(front["widget"]))
    try:
        desk = _open_store(app, data_dir)
    except Exception as e:  # noqa: BLE001
        log.exception("could not open the store")
        QMessageBox.critical(None, "无法打开数据", f"无法打开数据目录 {root}：\n{getattr(e, 'message', e)}")
        return 1
    if desk.meta("town_code") is None and not _offer_demo(app, desk):
        return 1

    limit_page_cache(desk)
    info = overview.desk_info(desk)
    _preload_in_background(desk)
    login_tasks = TaskManager()
    dialog = LoginDialog(desk, login_tasks, info)
    front["widget"] = dialog
    if dialog.exec() != LoginDialog.DialogCode.Accepted or dialog.actor is None:
        login_tasks.shutdown()
        desk.close()
        return 0
    login_tasks.shutdown()
    window, ctx = build_window(desk, dialog.actor, info=info)
    from ui.sync_controller import install  # app.sync (pydantic) kept off the path to the login dialog

    install(ctx, window.sync_indicator)  # background sync every N seconds once enrolled
    front["widget"] = window
    window.show()
    window.show_handover_notice()  # the 交班记录 the previous user left here, if unread
    freeze_startup_heap()
    code = app.exec()
    instance.close()
    ctx.close()
    desk.close()
    return code


def freeze_startup_heap() -> None:
    """Move everything start-up allocated (modules, Qt wrappers, reference data) out of the cyclic
    collector's reach: a full collection then scans only what the session allocates, so it no
    longer pauses the window ~110 ms while scrolling a million-row list (measured on a 1M store)."""
    gc.collect()
    gc.freeze()


def _preload_in_background(desk) -> threading.Thread:
    """Warm the reference cache and the pickers' pinyin entries while the user logs in."""

    def work() -> None:
        try:  # imported here on purpose: the page modules load in this thread during login
            from ui.pages import page_classes
            from ui.widgets import pickers

            page_classes()  # import the page modules (QtCharts and friends load slowly)
            pickers.preload(desk.refs())
        except Exception:  # noqa: BLE001 — only a warm-up; the window builds them itself if needed
            log.exception("preload failed")

    thread = threading.Thread(target=work, name="towndesk-preload", daemon=True)
    thread.start()
    return thread


def _offer_demo(app: QApplication, desk) -> bool:
    """A fresh data dir: the first-run wizard (town, workstation, administrator, workbook), with
    the demo town one button away."""
    from ui.setup_wizard import SetupWizard  # only a fresh data dir needs the first-run wizard

    wizard = SetupWizard(desk)
    accepted = wizard.exec() == SetupWizard.DialogCode.Accepted
    wizard.tasks.shutdown()
    if not accepted:
        return desk.meta("town_code") is not None  # set up, then closed on the workbook page
    if not wizard.demo:
        return True

    tasks = TaskManager()
    done = {}
    tasks.run(load_demo, desk, 2000, progress_label="正在生成演示数据…", on_done=done.update,
              on_error=lambda e: done.update(error=e))
    tasks.wait_idle(600_000)
    tasks.shutdown()
    return "error" not in done
