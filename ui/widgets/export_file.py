"""Export buttons: ask where to save, then run the export off the UI thread with a progress
dialog and 取消 (a cancelled export leaves no file)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget

from ui import errors
from ui.files import in_documents


def ask_path(parent: QWidget, default_name: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "导出为 Excel", in_documents(default_name), "Excel 文件 (*.xlsx)")
    if not path:
        return None
    return path if path.lower().endswith(".xlsx") else path + ".xlsx"


def run_export(ctx, parent: QWidget, fn: Callable, *args, path: str, on_done: Callable | None = None) -> None:
    """``fn(*args, path, progress=, cancel=)`` on the read pool with progress and cancel."""
    def done(out: dict) -> None:
        if on_done:
            on_done(out)
        elif not errors.silent:
            QMessageBox.information(parent, "导出完成", f"已导出到 {out.get('path', path)}")

    ctx.tasks.run(fn, *args, path, kind="read", progress_label="正在导出…", cancellable=True, on_done=done)


def export_button(ctx, parent: QWidget, fn: Callable, *args, default_name: str, label: str = "导出 Excel…",
                  path_for: Callable[[], str | None] | None = None) -> QPushButton:
    """A button that exports with ``fn`` (``path_for`` replaces the save dialog, e.g. in tests)."""
    button = QPushButton(label)
    button.setObjectName("exportButton")

    def clicked() -> None:
        path = (path_for or (lambda: ask_path(parent, default_name)))()
        if path:
            run_export(ctx, parent, fn, *args, path=path)

    button.clicked.connect(clicked)
    return button
