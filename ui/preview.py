"""Print preview of a PDF inside the window (QtPdf): zoom, page navigation, print through the
system printer dialog, save as PDF. ``print_pdf`` prints any PDF file to a QPrinter by rendering
its pages with QPdfDocument.render (works offscreen too, e.g. to a PDF-file printer)."""
from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

MAX_PRINT_DPI = 300
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)


def print_pdf(source: str | Path | QPdfDocument, printer: QPrinter, progress=None) -> int:
    """Print the pages of a PDF (the printer's page range if one is set) to ``printer``.

    Each page is rendered at the printer's resolution (at most 300 dpi) and scaled to the printable
    area, keeping its aspect ratio. Returns the number of pages printed.
    """
    doc = source if isinstance(source, QPdfDocument) else QPdfDocument()
    if not isinstance(source, QPdfDocument) and doc.load(str(source)) != QPdfDocument.Error.None_:
        raise OSError(f"无法读取 PDF 文件：{source}")
    count = doc.pageCount()
    first, last = 0, count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage() - 1, min(count, printer.toPage() or count) - 1
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印（打印机不可用）")
    printed = 0
    try:
        area = printer.pageLayout().paintRectPixels(printer.resolution())
        for i in range(first, last + 1):
            if printed:
                printer.newPage()
            pts = doc.pagePointSize(i)
            image = doc.render(i, QSize(round(pts.width() * dpi / 72), round(pts.height() * dpi / 72)))
            scale = min(area.width() / image.width(), area.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            target = QRectF((area.width() - w) / 2, (area.height() - h) / 2, w, h)
            painter.drawImage(target, image)
            printed += 1
            if progress:
                progress(printed, last - first + 1)
    finally:
        painter.end()
    return printed


class PdfPreviewDialog(QDialog):
    """Preview of one PDF file. ``suggested_name``: the file name offered by 另存为."""

    pageChanged = Signal(int)

    def __init__(self, pdf_path: str | Path, title: str = "打印预览", parent=None,
                 suggested_name: str | None = None, delete_on_close: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 1000)
        self.path = Path(pdf_path)
        self.suggested_name = suggested_name or self.path.name
        self._delete_on_close = delete_on_close
        self.document = QPdfDocument(self)
        if self.document.load(str(self.path)) != QPdfDocument.Error.None_:
            raise OSError(f"无法读取 PDF 文件：{self.path}")
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.pageNavigator().currentPageChanged.connect(self._on_page)

        self.prev_btn = QPushButton("上一页")
        self.next_btn = QPushButton("下一页")
        self.page_box = QSpinBox()
        self.page_box.setRange(1, max(1, self.document.pageCount()))
        self.page_label = QLabel()
        self.zoom_out_btn = QPushButton("缩小")
        self.zoom_in_btn = QPushButton("放大")
        self.fit_width_btn = QPushButton("适合宽度")
        self.fit_page_btn = QPushButton("整页")
        self.zoom_label = QLabel()
        self.print_btn = QPushButton("打印…")
        self.save_btn = QPushButton("另存为 PDF…")
        self.close_btn = QPushButton("关闭")
        self.print_btn.setDefault(True)

        bar = QHBoxLayout()
        for w in (self.prev_btn, self.page_box, self.page_label, self.next_btn):
            bar.addWidget(w)
        bar.addSpacing(16)
        for w in (self.zoom_out_btn, self.zoom_label, self.zoom_in_btn, self.fit_width_btn, self.fit_page_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.print_btn, self.save_btn, self.close_btn):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        self.prev_btn.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_btn.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.page_box.valueChanged.connect(lambda v: self.go_to(v - 1))
        self.zoom_in_btn.clicked.connect(lambda: self.zoom(+1))
        self.zoom_out_btn.clicked.connect(lambda: self.zoom(-1))
        self.fit_width_btn.clicked.connect(lambda: self._set_mode(QPdfView.ZoomMode.FitToWidth))
        self.fit_page_btn.clicked.connect(lambda: self._set_mode(QPdfView.ZoomMode.FitInView))
        self.print_btn.clicked.connect(self.print_dialog)
        self.save_btn.clicked.connect(self.save_as)
        self.close_btn.clicked.connect(self.reject)
        for keys, fn in ((QKeySequence.StandardKey.Print, self.print_dialog), (QKeySequence.StandardKey.Save, self.save_as),
                         (QKeySequence.StandardKey.ZoomIn, lambda: self.zoom(+1)),
                         (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom(-1)),
                         (Qt.Key.Key_PageDown, lambda: self.go_to(self.current_page() + 1)),
                         (Qt.Key.Key_PageUp, lambda: self.go_to(self.current_page() - 1))):
            QShortcut(QKeySequence(keys), self, activated=fn)
        self._update_labels()

    # -- navigation and zoom ---------------------------------------------------------------------
    def page_count(self) -> int:
        return self.document.pageCount()

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to(self, page: int) -> None:
        page = max(0, min(self.page_count() - 1, page))
        if page != self.current_page():
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._update_labels()

    def zoom_factor(self) -> float:
        return self.view.zoomFactor()

    def zoom(self, step: int) -> None:
        now = self.zoom_factor()
        steps = [z for z in ZOOM_STEPS if (z > now + 1e-3 if step > 0 else z < now - 1e-3)]
        if not steps:
            return
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(steps[0] if step > 0 else steps[-1])
        self._update_labels()

    def _set_mode(self, mode) -> None:
        self.view.setZoomMode(mode)
        self._update_labels()

    def _on_page(self, page: int) -> None:
        self._update_labels()
        self.pageChanged.emit(page)

    def _update_labels(self) -> None:
        page, count = self.current_page(), self.page_count()
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.page_label.setText(f"/ {count} 页")
        self.prev_btn.setEnabled(page > 0)
        self.next_btn.setEnabled(page < count - 1)
        mode = self.view.zoomMode()
        self.zoom_label.setText("适合宽度" if mode == QPdfView.ZoomMode.FitToWidth else
                                "整页" if mode == QPdfView.ZoomMode.FitInView else f"{self.zoom_factor():.0%}")

    # -- output --------------------------------------------------------------------------------
    def print_to(self, printer: QPrinter) -> int:
        return print_pdf(self.document, printer)

    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.suggested_name)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        dialog.setMinMax(1, self.page_count())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                self.print_to(printer)
            except OSError as e:
                QMessageBox.warning(self, "打印失败", str(e))

    def save_as(self, target: str | None = None) -> str | None:
        if not target:
            from ui.files import in_documents

            target, _ = QFileDialog.getSaveFileName(self, "另存为 PDF", in_documents(self.suggested_name),
                                                    "PDF 文件 (*.pdf)")
        if not target:
            return None
        if not target.lower().endswith(".pdf"):
            target += ".pdf"
        shutil.copyfile(self.path, target)
        return target

    def done(self, result: int) -> None:
        self.document.close()
        if self._delete_on_close:
            self.path.unlink(missing_ok=True)
        super().done(result)
