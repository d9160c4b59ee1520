"""The town workbook's sheets and columns and the check of every cell (see the package doc)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.mediation import MEDIATOR_KINDS
from app.domain.schema import Field, validate
from app.domain.validation import check_phone
from app.domain.vocab import CASE_TYPES
from app.errors import AppError

UNIT_KINDS = {"镇街部门": "department", "村社": "village", "站所": "station", "区级部门": "district"}
VILLAGE_KINDS = {"社区": "community", "村": "village"}
STAFF_ROLES = ("网格长", "专职网格员", "兼职网格员", "网格指导员", "微网格长", "联络员", "微网格联络员")
LIAISON = "联络员"
PLATFORMS = {"党建统领": "DJ", "经济生态": "JJ", "平安法治": "PA", "公共服务": "GG"}
CASE_TYPE_WORDS = {w: c for c, w in CASE_TYPES.items()}
YES_NO = {"是": True, "否": False}
DAY_KINDS = {"休": False, "班": True}
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}")
_SPLIT = re.compile(r"[、,，;；\s]+")
NOTES_SHEET = "说明"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str          # code | name | line | int | number | choice | phone | date | codes | yesno | ref
    required: bool = False
    choices: Mapping[str, object] | None = None
    max_len: int = 100
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    entity: str        # unit | grid | staff | category | rule | holiday | mediator
    level: str | None  # grid level (village | grid | micro) for the three grid sheets
    columns: tuple[Column, ...]
    note: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


def _c(header, key, kind="code", required=False, choices=None, max_len=100, note=""):
    return Column(header, key, kind, required, choices, max_len, note)


_CODE = _c("编码", "code", required=True, note="字母、数字、- _ .，最长 32 位；按编码新建或更新")
_NAME = _c("名称", "name", "name", required=True)
_HOUSEHOLDS = _c("户数", "households", "int")
DAYS = "办结时限(工作日)"

SHEETS: tuple[Sheet, ...] = (
    Sheet("单位", "unit", None, (_CODE, _NAME, _c("类型", "kind", "choice", True, UNIT_KINDS), _c("电话", "phone", "phone")),
          "承办单位：镇街部门、村社、站所、区级部门（区级部门以区级服务器为准）"),
    Sheet("村社", "grid", "village", (_CODE, _NAME, _c("类型", "kind", "choice", False, VILLAGE_KINDS), _HOUSEHOLDS),
          "社区或村；同时作为承办单位（单位表中没有时自动添加）"),
    Sheet("网格", "grid", "grid", (_CODE, _NAME, _c("所属村社", "parent_code", required=True), _HOUSEHOLDS)),
    Sheet("微网格", "grid", "micro", (_CODE, _NAME, _c("所属网格", "parent_code", required=True), _HOUSEHOLDS,
                                   _c("范围", "scope", "line", note="如 3幢、商务楼5层"))),
    Sheet("人员", "staff", None, (_CODE, _c("姓名", "name", "name", True), _c("手机", "phone", "phone"),
                                 _c("角色", "role", "choice", True, {r: r for r in STAFF_ROLES}),
                                 _c("所属", "grid_code", required=True, note="网格、微网格或村社编码"),
                                 _c("单位", "unit_code", note="联络员所在单位编码"))),
    Sheet("事项分类", "category", None, (_CODE, _NAME, _c("上级编码", "parent_code"),
                                     _c("平台", "platform", "choice", True, PLATFORMS),
                                     _c("诉求类型", "case_type", "choice", False, CASE_TYPE_WORDS),
                                     _c(DAYS, "handle_days", "number"), _c("自动派单", "auto_dispatch", "yesno")),
          "区级分类以区级服务器为准；镇街可增加本镇分类"),
    Sheet("责任清单", "rule", None, (_CODE, _c("事项分类", "category_code", "ref", True, note="分类编码或名称"),
                                 _c("村社", "village_code"), _c("网格", "grid_code"),
                                 _c("主办单位", "unit_code", required=True),
                                 _c("协办单位", "co_units", "codes", note="多个用、或,分隔"),
                                 _c(DAYS, "handle_days", "number", note="留空按事项分类的时限")),
          "村社、网格留空表示全镇适用"),
    Sheet("节假日", "holiday", None, (_c("日期", "day", "date", True, note="YYYY-MM-DD"),
                                   _c("类型", "workday", "choice", True, DAY_KINDS, note="休 或 班（调休上班）"),
                                   _c("说明", "name", "line")),
          "国务院办公厅公布的放假安排；区级录入后各镇街同步"),
    Sheet("调解员", "mediator", None, (_CODE, _c("姓名", "name", "name", True), _c("手机", "phone", "phone"),
                                   _c("类型", "kind", "choice", True, MEDIATOR_KINDS),
                                   _c("所属组织", "org", "line", note="如 府山街道人民调解委员会")),
          "矛盾调处的调解员：专职调解员、法院诉前调解团队、村（社区）调解员、律师"),
)
BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
DISTRICT_SHEETS = ("单位", "事项分类", "节假日")  # what the district server imports
GRID_LEVEL_WORD = {"village": "村社", "grid": "网格", "micro": "微网格", "building": "楼栋", "floor": "楼层"}


@dataclass
class Issue:
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Parsed:
    """The records of one workbook: per sheet, ``(excel_row, values)``; ``present``: the keys of
    the columns the sheet has (a missing optional column leaves that field alone)."""

    rows: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)
    keys: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # every row's 编码/日期, valid or not
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


# -- cells ---------------------------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as text: whole numbers without ``.0`` (a phone typed as a number), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _number(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if x == x and abs(x) != float("inf") else None


def check_cell(col: Column, raw) -> object:
    """The clean value of one cell (None when blank); raises AppError with the reason."""
    text = cell_text(raw)
    if not text:
        if col.required:
            raise AppError(f"请填写{col.header}")
        return None
    k = col.kind
    if k == "code":
        if not CODE_RE.fullmatch(text):
            raise AppError(f"{col.header}「{text[:40]}」格式不正确（字母、数字、- _ .，最长 32 位）")
        return text
    if k in ("name", "line", "ref"):
        kind = "name" if k == "name" else "line"
        return validate((Field("v", col.header, kind, max_len=col.max_len),), {"v": text})["v"]
    if k in ("int", "number"):
        x = _number(text)
        if x is None or x < 0:
            raise AppError(f"{col.header}应为不小于 0 的数字，而不是「{text[:20]}」")
        if k == "int":
            if not x.is_integer() or x > 10**7:
                raise AppError(f"{col.header}应为整数")
            return int(x)
        if x > 365:
            raise AppError(f"{col.header}不能超过 365")
        return int(x) if x.is_integer() else x
    if k == "choice":
        choices = col.choices or {}
        if text in choices:
            return choices[text]
        if text in choices.values() and isinstance(text, str):  # the stored code itself
            return text
        raise AppError(f"{col.header}应为：{' | '.join(choices)}，而不是「{text[:20]}」")
    if k == "yesno":
        if text not in YES_NO:
            raise AppError(f"{col.header}应为 是 或 否，而不是「{text[:20]}」")
        return YES_NO[text]
    if k == "phone":
        return check_phone(text, col.key, col.header)
    if k == "date":
        day = text[:10] if len(text) > 10 and text[10] == " " and text.endswith("00:00:00") else text
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                raise ValueError
            return date.fromisoformat(day).isoformat()
        except ValueError:
            raise AppError(f"{col.header}「{text[:20]}」不是有效日期（应为 YYYY-MM-DD）") from None
    if k == "codes":
        codes = [c for c in _SPLIT.split(text) if c]
        bad = [c for c in codes if not CODE_RE.fullmatch(c)]
        if bad:
            raise AppError(f"{col.header}中「{bad[0][:40]}」格式不正确")
        return ",".join(dict.fromkeys(codes))
    raise AssertionError(k)


def parse(sheets: Mapping[str, list[list]], level: str = "town") -> Parsed:
    """Check every cell of every known sheet. ``sheets``: sheet name -> rows (lists of cell values,
    the first the headers)."""
    out = Parsed()
    for name, rows in sheets.items():
        sheet = BY_NAME.get(name)
        if sheet is None:
            if name != NOTES_SHEET:
                out.warnings.append(Issue(name, None, None, f"未知的工作表「{name}」，已忽略"))
            continue
        if level == "district" and name not in DISTRICT_SHEETS:
            out.errors.append(Issue(name, 1, None, f"区级只导入{'、'.join(DISTRICT_SHEETS)}，「{name}」由镇街维护"))
            continue
        _parse_sheet(sheet, rows, out)
    return out


def _parse_sheet(sheet: Sheet, rows: list[list], out: Parsed) -> None:
    header = [cell_text(v) for v in (rows[0] if rows else [])]
    where: dict[str, int] = {}
    for i, h in enumerate(header):
        if not h:
            continue
        if h in where:
            out.errors.append(Issue(sheet.name, 1, h, f"列「{h}」重复"))
        elif h not in sheet.headers:
            out.warnings.append(Issue(sheet.name, 1, h, f"未知的列「{h}」，已忽略"))
        else:
            where[h] = i
    missing = [c for c in sheet.columns if c.header not in where]
    for c in missing:
        if c.required or c.key == "code":
            out.errors.append(Issue(sheet.name, 1, c.header, f"缺少列「{c.header}」（第一行应为：{'、'.join(sheet.headers)}）"))
        else:
            out.warnings.append(Issue(sheet.name, 1, c.header, f"缺少列「{c.header}」，该项保持不变"))
    if any(c.required for c in missing):
        return
    cols = [c for c in sheet.columns if c.header in where]
    out.present[sheet.name] = {c.key for c in cols}
    records = out.rows.setdefault(sheet.name, [])
    for n, row in enumerate(rows[1:], start=2):
        cells = {c.key: (row[where[c.header]] if where[c.header] < len(row) else None) for c in cols}
        if all(not cell_text(v) for v in cells.values()):
            continue  # a blank line
        values, ok = {}, True
        for c in cols:
            try:
                values[c.key] = check_cell(c, cells[c.key])
            except AppError as e:
                out.errors.append(Issue(sheet.name, n, c.header, e.message))
                ok = False
        key = values.get("day" if sheet.entity == "holiday" else "code")
        if key:
            out.keys.setdefault(sheet.name, []).append((n, key))
        if ok:
            records.append((n, values))
