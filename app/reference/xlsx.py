"""Reading and writing .xlsx files with the field's libraries: python-calamine reads (fast, Rust),
openpyxl writes in write-only mode (rows streamed to disk: memory stays flat for 100k rows).

A file that cannot be read is one ValidationError naming the file; a written file appears under
its name only when complete (written next to it, then renamed), so a cancelled export leaves
nothing behind.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from app.errors import AppError, ValidationError

MAX_ROWS = 200_000  # per sheet: beyond this a town workbook is not a town workbook


class Cancelled(AppError):
    code = "cancelled"
    english = "cancelled"


def read_workbook(path) -> dict[str, list[list]]:
    """Every sheet as rows of cell values (row i of the list is Excel row i + 1)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"文件不存在：{path}", field="file")
    try:
        from python_calamine import CalamineWorkbook  # loaded on use: only imports read workbooks
    except ImportError:  # pragma: no cover - the dependency is declared; openpyxl as a fallback
        return _read_openpyxl(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        out = {}
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            if sheet.height > MAX_ROWS:
                raise ValidationError(f"工作表「{name}」超过 {MAX_ROWS} 行", field="file")
            rows = sheet.to_python(skip_empty_area=False)
            out[name] = [[None if v == "" else v for v in row] for row in rows]
        return out
    except AppError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever the reader says of a broken file
        raise ValidationError(f"无法读取 Excel 文件 {path.name}：{type(e).__name__}（请确认是 .xlsx 文件）",
                              field="file") from None


def _read_openpyxl(path: Path) -> dict[str, list[list]]:
    import openpyxl  # loaded on use

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001
        raise ValidationError(f"无法读取 Excel 文件 {path.name}：{type(e).__name__}", field="file") from None
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def write_workbook(path, sheets: Iterable[tuple[str, list[str], Iterable[list]]],
                   progress: Callable[[int, int], None] | None = None, total: int = 0,
                   cancel: threading.Event | None = None, widths: dict[str, list[int]] | None = None) -> int:
    """Write ``(sheet name, headers, rows)`` in order; returns the number of data rows. ``progress``
    is called every 1,000 rows; a set ``cancel`` stops the export (checked before each row) and removes the partial file."""
    import openpyxl  # loaded on use: exports only
    from openpyxl.styles import Font

    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    done = 0
    try:
        for name, headers, rows in sheets:
            ws = wb.create_sheet(name)
            for i, w in enumerate((widths or {}).get(name, [])):
                ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = w
            head = []
            for h in headers:
                c = openpyxl.cell.WriteOnlyCell(ws, value=h)
                c.font = bold
                head.append(c)
            ws.append(head)
            for row in rows:
                if cancel is not None and cancel.is_set():
                    raise Cancelled("已取消导出")
                ws.append(row)
                done += 1
                if progress and done % 1000 == 0:
                    progress(done, total)
        if cancel is not None and cancel.is_set():
            raise Cancelled("已取消导出")
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as e:
        _discard(wb)
        raise ValidationError(f"无法写入文件 {path}：{e.strerror}", field="output") from None
    except BaseException:
        _discard(wb)
        raise
    finally:
        if tmp.exists():
            tmp.unlink()
    if progress:
        progress(done, total)
    return done


def _discard(wb) -> None:
    """Close the sheets' temporary streams of an abandoned write-only workbook."""
    for ws in wb.worksheets:
        try:
            if not ws.closed:
                ws.close()
        except Exception:  # noqa: BLE001 - only tidying up after a failure
            pass
