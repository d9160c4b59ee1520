"""Window actions for printing: preview one case's document (generated off the GUI thread) and
the batch dialog (progress bar and cancel) for the dossiers of a filtered case list."""
from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
)

from app.printing import jobs as printing
from ui.files import documents_dir

KIND_LABELS = printing.KINDS
opened: list = []  # the preview dialogs opened, newest last (tests read the PDF on screen)


def preview_case(ctx, case_no: str, kind: str = "dossier", parent=None, *, size: str | None = None,
                 watermark: bool = False, on_open=None):
    """Generate the ``kind`` document of ``case_no`` in the background, then open the preview.

    ``on_open(dialog)`` is called with the dialog once shown (tests use it). Returns the Future.
    """
    from ui.preview import PdfPreviewDialog  # QtPdf loads with the first preview

    label = KIND_LABELS.get(kind, kind)
    tmp_dir = Path(tempfile.mkdtemp(prefix="towndesk-print-"))

    def work():
        return printing.print_case(ctx.desk, ctx.actor, case_no, kind, tmp_dir / f"{case_no}-{label}.pdf",
                                   watermark=watermark, size=size)

    def done(res):
        dialog = PdfPreviewDialog(res["path"], f"{label}预览 — {res['case_no']}", parent,
                                  suggested_name=f"{res['case_no']}-{label}.pdf", delete_on_close=True)
        fit_to_screen(dialog)
        dialog.show()
        opened.append(dialog)
        del opened[:-5]
        if on_open:
            on_open(dialog)

    # Documents are read work; the audit entry is one small write at the end.
    return ctx.tasks.run(work, on_done=done, kind="read", progress_label=f"正在生成{label}…")


MENU = [  # (text, kind, size)
    ("案卷", "dossier", None), ("受理回执（A5）", "receipt", "a5"), ("受理回执（80 mm 小票）", "receipt", "80mm"),
    ("交办单", "slip", None), ("督办单", "supervision", None),
]


def applicable(case: dict | None, kind: str) -> bool:
    """Whether ``kind`` can be printed for ``case`` (a slip needs a dispatch, a 督办单 an urge)."""
    if not case:
        return False
    kinds = {a["kind"] for a in case.get("actions", ())}
    return {"slip": bool(kinds & {"dispatch", "transfer"}), "supervision": "urge" in kinds}.get(kind, True)


def fit_to_screen(dialog, width: int = 900, height: int = 1000) -> None:
    """Size a dialog to at most its wish and at most 92 % of the available screen, centred on it."""
    screen = (dialog.parentWidget().screen() if dialog.parentWidget() else None) or dialog.screen()
    if screen is None:
        dialog.resize(width, height)
        return
    area = screen.availableGeometry()
    w, h = min(width, int(area.width() * 0.92)), min(height, int(area.height() * 0.92))
    dialog.resize(w, h)
    dialog.move(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2)


def print_button(ctx, current_case, parent=None, default=("dossier", None)) -> QToolButton:
    """A 打印 button with a menu of the documents of the shown case.

    ``current_case()`` returns the case dict on screen (or None); entries that do not apply are
    disabled each time the menu opens. Ctrl+P anywhere inside ``parent`` previews the ``default``
    document (kind, size) of that case at once.
    """
    button = QToolButton(parent)
    button.setText("打印 (Ctrl+P)")
    button.setToolTip("打印案卷、回执、交办单、督办单；Ctrl+P 直接预览" + KIND_LABELS.get(default[0], ""))
    button.setObjectName("printButton")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    for text, kind, size in MENU:
        act = menu.addAction(text)
        act.setData(kind)
        act.triggered.connect(lambda _=False, k=kind, z=size: _preview_current(ctx, current_case, k, z, button))
    menu.addSeparator()
    mark = menu.addAction("加“内部资料”水印")
    mark.setCheckable(True)
    mark.setObjectName("watermark")
    button.watermark_action = mark

    def refresh():
        case = current_case()
        for act in menu.actions():
            if act.data():
                act.setEnabled(applicable(case, act.data()))

    menu.aboutToShow.connect(refresh)
    button.setMenu(menu)
    if parent is not None:
        QShortcut(QKeySequence("Ctrl+P"), parent, context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
                  activated=lambda: _preview_current(ctx, current_case, default[0], default[1], button))
    return button


def _preview_current(ctx, current_case, kind, size, button):
    case = current_case()
    if case:
        preview_case(ctx, case["case_no"], kind, button.window(), size=size,
                     watermark=button.watermark_action.isChecked())


class _Relay(QObject):
    progress = Signal(int, int)


class BatchPrintDialog(QDialog):
    """Print the dossiers of the cases matching ``filters`` (the keys of queries.list_cases)."""

    finished_batch = Signal(dict)

    def __init__(self, ctx, filters: dict, parent=None, total: int | None = None):
        super().__init__(parent)
        self.ctx, self.filters = ctx, dict(filters)
        self.setWindowTitle("批量打印案卷")
        self.result_data: dict | None = None
        self._cancel = threading.Event()
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_progress)

        self.count_label = QLabel("符合条件的案件：" + (f"{total} 件" if total is not None else "统计中…"))
        self.per_case = QRadioButton("每件一个 PDF 文件（输出到目录）")
        self.one_file = QRadioButton("合并为一个 PDF 文件")
        self.per_case.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.per_case)
        group.addButton(self.one_file)
        self.target = QLineEdit()
        self.target.setPlaceholderText("输出目录或文件")
        self.browse = QPushButton("选择…")
        self.watermark = QCheckBox("加“内部资料”水印")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.status = QLabel("")
        self.start_btn = QPushButton("开始打印")
        self.cancel_btn = QPushButton("取消")
        self.start_btn.setDefault(True)

        where = QHBoxLayout()
        where.addWidget(self.target, 1)
        where.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.count_label)
        form.addRow(self.per_case)
        form.addRow(self.one_file)
        form.addRow("输出到：", where)
        form.addRow(self.watermark)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_btn)
        buttons.addWidget(self.cancel_btn)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        from ui.keys import submit_on_ctrl_enter

        submit_on_ctrl_enter(self, self.start)
        self.browse.clicked.connect(self._browse)
        self.start_btn.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self._cancel_or_close)
        if total is None:
            ctx.tasks.run(lambda: printing.iter_case_numbers(ctx.desk, ctx.actor, self.filters)[0],
                          on_done=lambda n: self.count_label.setText(f"符合条件的案件：{n} 件"), kind="read")

    def _browse(self) -> None:
        if self.one_file.isChecked():
            path, _ = QFileDialog.getSaveFileName(self, "保存为", str(Path(documents_dir()) / "案卷.pdf"),
                                                  "PDF 文件 (*.pdf)")
        else:
            path = QFileDialog.getExistingDirectory(self, "选择输出目录", documents_dir())
        if path:
            self.target.setText(path)

    def start(self) -> None:
        target = self.target.text().strip()
        if not target:
            self.status.setText("请先选择输出目录或文件")
            return
        self._cancel.clear()
        self.start_btn.setEnabled(False)
        self.cancel_btn.setText("取消")
        self.status.setText("正在打印…")
        one = self.one_file.isChecked()
        kwargs = {"out_file": target, "one_file": True} if one else {"out_dir": target}
        desk, actor, filters, cancel = self.ctx.desk, self.ctx.actor, self.filters, self._cancel
        relay, watermark = self._relay, self.watermark.isChecked()

        def work():
            return printing.print_batch(desk, actor, filters, progress=relay.progress.emit, cancel=cancel,
                                        watermark=watermark, **kwargs)

        self._running = True
        self.ctx.tasks.run(work, on_done=self._done, on_error=self._failed, kind="read")

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.status.setText(f"已打印 {done} / {total} 件")

    def _done(self, res: dict) -> None:
        self._running = False
        self.result_data = res
        self.start_btn.setEnabled(True)
        self.cancel_btn.setText("关闭")
        self.status.setText(f"已取消：完成 {res['count']} 件" if res["cancelled"] else f"完成：共打印 {res['count']} 件")
        self.finished_batch.emit(res)

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self.start_btn.setEnabled(True)
        self.status.setText(getattr(exc, "message", None) or f"打印失败：{exc}")

    def _cancel_or_close(self) -> None:
        if getattr(self, "_running", False):
            self._cancel.set()
            self.status.setText("正在取消…")
        else:
            self.reject()
