"""Print preview dialog, printing through QPrinter offscreen, preview_case and the batch dialog."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("PySide6.QtPdfWidgets")

from PySide6.QtPrintSupport import QPrinter  # noqa: E402

from app.printing import jobs as printing  # noqa: E402
from tests.conftest import load_actors  # noqa: E402
from tests.dossier.conftest import flat, needs_poppler, pdf_pages, pdftext  # noqa: E402

pytestmark = needs_poppler


@pytest.fixture
def dossier_pdf(desk, people, dispatched_case, tmp_path):
    out = tmp_path / "d.pdf"
    printing.print_case(desk, people["director"], dispatched_case, "dossier", out)
    return out


@pytest.fixture
def ui_ctx(desk, people, qapp):
    from ui.tasks import TaskManager

    tasks = TaskManager(synchronous=True)
    yield SimpleNamespace(desk=desk, actor=people["director"], tasks=tasks)
    tasks.shutdown()


def test_preview_opens_and_navigates(qtbot, dossier_pdf):
    from ui.preview import PdfPreviewDialog

    dlg = PdfPreviewDialog(dossier_pdf, "案卷预览")
    qtbot.addWidget(dlg)
    dlg.show()
    pages = pdf_pages(dossier_pdf)
    assert dlg.page_count() == pages and dlg.current_page() == 0
    assert dlg.page_label.text() == f"/ {pages} 页" and not dlg.prev_btn.isEnabled()
    dlg.next_btn.click()
    assert dlg.current_page() == 1 and dlg.page_box.value() == 2
    dlg.page_box.setValue(pages)
    assert dlg.current_page() == pages - 1 and not dlg.next_btn.isEnabled()
    dlg.prev_btn.click()
    assert dlg.current_page() == pages - 2
    dlg.zoom_in_btn.click()
    first = dlg.zoom_factor()
    dlg.zoom_in_btn.click()
    assert dlg.zoom_factor() > first and dlg.zoom_label.text().endswith("%")
    dlg.zoom_out_btn.click()
    assert dlg.zoom_factor() == pytest.approx(first)
    dlg.fit_page_btn.click()
    assert dlg.zoom_label.text() == "整页"


def test_print_to_pdf_file_through_qprinter(qtbot, dossier_pdf, tmp_path):
    from ui.preview import PdfPreviewDialog, print_pdf

    target = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    printer.setResolution(150)
    assert print_pdf(dossier_pdf, printer) == pdf_pages(dossier_pdf)
    assert pdf_pages(target) == pdf_pages(dossier_pdf)
    dlg = PdfPreviewDialog(dossier_pdf)
    qtbot.addWidget(dlg)
    second = QPrinter(QPrinter.PrinterMode.HighResolution)
    second.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    second.setOutputFileName(str(tmp_path / "range.pdf"))
    second.setResolution(100)
    second.setPrintRange(QPrinter.PrintRange.PageRange)
    second.setFromTo(2, 3)
    assert dlg.print_to(second) == 2 and pdf_pages(tmp_path / "range.pdf") == 2


def test_save_as_copies_the_pdf(qtbot, dossier_pdf, tmp_path):
    from ui.preview import PdfPreviewDialog

    dlg = PdfPreviewDialog(dossier_pdf)
    qtbot.addWidget(dlg)
    saved = dlg.save_as(str(tmp_path / "copy"))
    assert saved.endswith("copy.pdf") and (tmp_path / "copy.pdf").read_bytes() == dossier_pdf.read_bytes()


def test_preview_case_generates_in_the_background_and_opens(qtbot, ui_ctx, dispatched_case):
    from ui.printing_actions import preview_case

    opened = []
    preview_case(ui_ctx, dispatched_case, "slip", on_open=opened.append)
    assert len(opened) == 1
    dlg = opened[0]
    qtbot.addWidget(dlg)
    assert dlg.page_count() == 1 and dispatched_case in dlg.windowTitle()
    path = dlg.path
    assert "交办单" in flat(pdftext(path))
    dlg.close_btn.click()
    assert not path.exists()  # the temporary file goes with the dialog


def test_batch_dialog_prints_with_progress(qtbot, demo_desk, tmp_path, qapp):
    from ui.printing_actions import BatchPrintDialog
    from ui.tasks import TaskManager

    ctx = SimpleNamespace(desk=demo_desk, actor=load_actors(demo_desk)["director"], tasks=TaskManager(synchronous=True))
    filters = {"state": "closed", "unit": "D01"}
    dlg = BatchPrintDialog(ctx, filters)
    qtbot.addWidget(dlg)
    total = printing.iter_case_numbers(demo_desk, ctx.actor, filters)[0]
    assert dlg.count_label.text() == f"符合条件的案件：{total} 件"
    dlg.start_btn.click()
    assert dlg.status.text() == "请先选择输出目录或文件"
    dlg.target.setText(str(tmp_path / "out"))
    dlg.start_btn.click()
    assert dlg.result_data["count"] == total and dlg.bar.value() == total
    assert dlg.status.text() == f"完成：共打印 {total} 件" and dlg.cancel_btn.text() == "关闭"
    assert len(list((tmp_path / "out").glob("*.pdf"))) == total
    ctx.tasks.shutdown()


def test_print_button_menu_enables_what_applies(qtbot, ui_ctx, desk, people, dispatched_case):
    from app.cases import queries
    from ui.printing_actions import print_button

    case = queries.show_case(desk, people["director"], dispatched_case)
    shown = {"case": case}
    button = print_button(ui_ctx, lambda: shown["case"])
    qtbot.addWidget(button)
    menu = button.menu()
    menu.aboutToShow.emit()
    enabled = {a.text(): a.isEnabled() for a in menu.actions() if a.data()}
    assert enabled == {"案卷": True, "受理回执（A5）": True, "受理回执（80 mm 小票）": True, "交办单": True,
                       "督办单": False}
    opened = []
    import ui.printing_actions as pa

    original = pa.preview_case
    pa.preview_case = lambda ctx, no, kind, parent=None, **kw: opened.append((no, kind, kw))
    try:
        button.watermark_action.setChecked(True)
        next(a for a in menu.actions() if a.text() == "受理回执（80 mm 小票）").trigger()
    finally:
        pa.preview_case = original
    assert opened == [(dispatched_case, "receipt", {"size": "80mm", "watermark": True})]
