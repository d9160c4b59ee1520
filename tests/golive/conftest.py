"""Go-live fixtures: workbooks written with openpyxl as an office would, and the CLI in-process."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from app.domain import workbook as wbk


def write_xlsx(path: Path, sheets: dict[str, list[list]], headers: dict[str, list] | None = None) -> Path:
    """``sheets``: name -> data rows; the header row is the sheet's own unless ``headers`` says."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append((headers or {}).get(name) or list(wbk.BY_NAME[name].headers))
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def cli(capsys, *argv) -> tuple[int, object]:
    from app.cli import main

    rc = main(list(argv))
    out = capsys.readouterr().out
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, out


# A town nobody has heard of: two departments, one district unit, one village with a grid and a
# micro-grid, staff, a town category and two lines of the responsibility list.
TOWN = {
    "单位": [["D1", "综合执法中队", "镇街部门", "0575-88120001"], ["D2", "平安办", "镇街部门", None],
           ["Q9", "区生态环境分局", "区级部门", None]],
    "村社": [["C1", "东湖村", "村", 420]],
    "网格": [["C1G1", "东湖村第一网格", "C1", 210]],
    "微网格": [["C1G1M1", "东湖村第一网格1号微网格", "C1G1", 35, "1-3幢"]],
    "人员": [["S1", "王小明", "13800001234", "网格长", "C1G1", None],
             ["S2", "李芳", 13800005678, "联络员", "C1G1M1", "D2"]],
    "事项分类": [["TX01", "河道漂浮物", "JJ03", "经济生态", "举报", 2, "是"]],
    "责任清单": [["L1", "企业偷排", None, None, "D1", "D2、Q9", 3],
              ["L2", "TX01", "C1", None, "C1", None, None]],
    "节假日": [["2027-02-08", "休", "春节"], ["2027-02-20", "班", "春节调休上班"]],
}


@pytest.fixture
def fresh_desk(tmp_path, clock):
    """An empty store initialised for another town (the taxonomy only: no demo)."""
    from app.admin.setup import init_store
    from app.desk import open_desk

    d = open_desk(tmp_path / "fresh", clock=clock)
    init_store(d, "XQ", "西桥镇", "01", admin_password="admin-pass-1")
    yield d
    d.close()


# ten mistakes, one per row (tests/golive/test_workbook.py checks where each is reported)
TEN_MISTAKES_BOOK = {
    "单位": [["D1", "综合执法中队", "镇街部门", "12"], ["D1", "重复的单位", "镇街部门", None], ["D3", "某站", "办事处", None]],
    "村社": [["C1", "东湖村", "村", "很多"]],
    "网格": [["C1G1", "东湖村第一网格", "C9", 10]],
    "微网格": [["M1", "", "C1G1", 3, None]],
    "人员": [["S1", "王小明", "13800001234", "组长", "C1G1", None]],
    "事项分类": [["TX01", "河道漂浮物", "NOPE", "经济生态", None, 2, "是"]],
    "责任清单": [["L1", "企业偷排", None, None, "ZZ1", None, None]],
    "节假日": [["2027-02-30", "休", None]],
}
