"""The town workbook (one .xlsx, every sheet optional): its sheets and columns, the check of every
cell, and the plan of an import against what a store already holds.

Pure: no database, no file access. The reader (app.reference.xlsx) gives the rows as lists of
cell values; :func:`parse` turns a sheet into records, collecting every error with its sheet, Excel
row, column and a Chinese reason; :func:`plan` matches the records by 编码 against a snapshot of the
store (``Existing``) and says what to create, update, leave alone or (``--replace``) deactivate.
The workstation (app.reference.golive) and the district server (server.district_ref) apply a plan
each to their own store.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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


# -- the plan ------------------------------------------------------------------------------------

@dataclass
class Existing:
    """What a store holds, per entity: code -> {"id", "owner_level", "deleted", **fields}."""

    records: dict[str, dict[str, dict]] = field(default_factory=dict)

    def of(self, entity: str) -> dict[str, dict]:
        return self.records.setdefault(entity, {})


@dataclass
class Change:
    sheet: str
    entity: str
    code: str
    values: dict          # the fields to set (all of them for a new record)
    new: bool
    owner_level: str = "town"
    local_only: bool = False  # a district record made on a workstation: never pushed


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def report(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "warnings": [w.as_dict() for w in self.warnings], "errors": [e.as_dict() for e in self.errors]}


def holiday_code(level: str, day: str) -> str:
    return f"{level}-{day}"


def _same(old, new) -> bool:
    if old in ("", None) and new in ("", None):
        return True
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new or (old == new and type(old) is type(new))
    return old == new


def plan(parsed: Parsed, existing: Existing, level: str = "town", replace: Iterable[str] = ()) -> Plan:
    """Match the parsed records against ``existing``: every cross-reference checked against the
    file and the store together. ``replace``: sheets whose records missing from the file are
    deactivated. Errors in ``parsed`` are carried over; a plan with errors must not be applied."""
    p = Plan(errors=list(parsed.errors), warnings=list(parsed.warnings))
    replace = set(replace)
    for name in replace:
        if name not in BY_NAME:
            p.errors.append(Issue(name, None, None, f"--replace 的工作表「{name}」不存在（可选：{'、'.join(BY_NAME)}）"))
        elif name not in parsed.rows:
            p.errors.append(Issue(name, None, None, f"文件中没有工作表「{name}」，不能替换"))
    rows = parsed.rows
    for name in rows:
        p.created[name] = p.updated[name] = p.unchanged[name] = 0

    # 1. duplicates (codes are shared by the three grid sheets: one table)
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    dup_rows: set[tuple[str, int]] = set()
    for name, keys in parsed.keys.items():
        sheet = BY_NAME[name]
        key_col = "日期" if sheet.entity == "holiday" else "编码"
        for n, code in keys:
            k = (sheet.entity, code)
            if k in seen:
                other, first = seen[k]
                where = f"第 {first} 行" if other == name else f"「{other}」表第 {first} 行"
                p.errors.append(Issue(name, n, key_col, f"{key_col}「{code}」与{where}重复"))
                dup_rows.add((name, n))
            else:
                seen[k] = (name, n)

    # 2. what will exist once the import is written: the store's active records, less the replaced
    # ones missing from the file, plus the file's
    def active(entity, pred=lambda r: True):
        return {c: r for c, r in existing.of(entity).items() if not r.get("deleted") and pred(r)}

    def replaced(name: str, entity: str, pred) -> set[str]:
        if name not in replace or name not in rows:
            return set()
        in_file = {v["code"] for _n, v in rows[name]}
        return {c for c, r in active(entity, pred).items() if c not in in_file and _replaceable(r, level)}

    def grid_pred(lv):
        return lambda r: r.get("level") == lv

    gone = {("unit", c) for c in replaced("单位", "unit", lambda r: True)}
    for name, lv in (("村社", "village"), ("网格", "grid"), ("微网格", "micro")):
        gone |= {("grid", c) for c in replaced(name, "grid", grid_pred(lv))}
    gone |= {("staff", c) for c in replaced("人员", "staff", lambda r: True)}
    gone |= {("category", c) for c in replaced("事项分类", "category", lambda r: True)}
    gone |= {("rule", c) for c in replaced("责任清单", "rule", lambda r: True)}

    units = {c for c in active("unit") if ("unit", c) not in gone}
    units |= {c for _n, c in parsed.keys.get("单位", [])}  # rows with a bad cell too: no cascade of errors
    villages = {c for c, r in active("grid", grid_pred("village")).items() if ("grid", c) not in gone}
    villages |= {c for _n, c in parsed.keys.get("村社", [])}
    units |= villages  # a 村社 is a unit too
    grid_level = {c: r.get("level") for c, r in active("grid").items() if ("grid", c) not in gone}
    grid_village = {c: r.get("village_code") for c, r in active("grid").items()}
    for name, lv in (("村社", "village"), ("网格", "grid"), ("微网格", "micro")):
        for _n, c in parsed.keys.get(name, []):
            grid_level[c] = lv
    for _n, v in rows.get("村社", []):
        grid_village[v["code"]] = v["code"]
    for _n, v in rows.get("网格", []):
        grid_village[v["code"]] = v["parent_code"]
    for _n, v in rows.get("微网格", []):
        grid_village[v["code"]] = grid_village.get(v["parent_code"])
    categories = {c: r.get("name") for c, r in active("category").items() if ("category", c) not in gone}
    for _n, c in parsed.keys.get("事项分类", []):
        categories.setdefault(c, None)
    for _n, v in rows.get("事项分类", []):
        categories[v["code"]] = v["name"]

    def err(name, n, col, msg):
        p.errors.append(Issue(name, n, col, msg))

    # 3. each row: references, then create / update / unchanged
    for name, recs in rows.items():
        sheet = BY_NAME[name]
        present = parsed.present.get(name, set())
        for n, v in recs:
            if (name, n) in dup_rows:
                continue
            values = {k: v.get(k) for k in present}
            owner = level
            if name == "单位":
                owner = "district" if v["kind"] == "district" else "town"
                if level == "district" and owner != "district":
                    err(name, n, "类型", "区级只导入类型为「区级部门」的单位")
                    continue
            elif name in ("村社", "网格", "微网格"):
                values["level"] = sheet.level
                if sheet.level == "village":
                    values["parent_code"], values["village_code"] = None, v["code"]
                else:
                    want = "village" if sheet.level == "grid" else "grid"
                    col = "所属村社" if want == "village" else "所属网格"
                    if grid_level.get(v["parent_code"]) != want:
                        err(name, n, col, f"{col}「{v['parent_code']}」不存在")
                        continue
                    values["village_code"] = grid_village.get(v["parent_code"])
                old = existing.of("grid").get(v["code"])
                if old and old.get("level") != sheet.level and not old.get("deleted"):
                    err(name, n, "编码", f"编码「{v['code']}」已是{GRID_LEVEL_WORD.get(old.get('level'), old.get('level'))}，"
                                       f"不能再作{name}")
                    continue
            elif name == "人员":
                if v["grid_code"] not in grid_level:
                    err(name, n, "所属", f"所属「{v['grid_code']}」不是已有的网格、微网格或村社")
                    continue
                if v.get("unit_code") and v["unit_code"] not in units:
                    err(name, n, "单位", f"单位「{v['unit_code']}」不存在")
                    continue
                if v["role"] == LIAISON and not v.get("unit_code"):
                    err(name, n, "单位", "联络员须填写所在单位编码")
                    continue
            elif name == "事项分类":
                parent = v.get("parent_code")
                if parent and (parent not in categories or parent == v["code"]):
                    err(name, n, "上级编码", f"上级分类「{parent}」不存在")
                    continue
                old = existing.of("category").get(v["code"])
                owner = old["owner_level"] if old and level == "town" else level
            elif name == "责任清单":
                ref = v["category_code"]
                if ref not in categories:
                    named = [c for c, nm in categories.items() if nm == ref]
                    if len(named) != 1:
                        err(name, n, "事项分类", f"事项分类「{ref}」不存在" if not named
                            else f"名称为「{ref}」的事项分类有多个（{'、'.join(sorted(named))}），请填写编码")
                        continue
                    values["category_code"] = named[0]
                village, grid = v.get("village_code"), v.get("grid_code")
                if village and village not in villages:
                    err(name, n, "村社", f"村社「{village}」不存在")
                    continue
                if grid:
                    if grid_level.get(grid) not in ("grid", "micro"):
                        err(name, n, "网格", f"网格「{grid}」不存在")
                        continue
                    if village and grid_village.get(grid) != village:
                        err(name, n, "网格", f"网格「{grid}」不属于村社「{village}」")
                        continue
                if v["unit_code"] not in units:
                    err(name, n, "主办单位", f"主办单位「{v['unit_code']}」不存在")
                    continue
                unknown = [c for c in (v.get("co_units") or "").split(",") if c and c not in units]
                if unknown:
                    err(name, n, "协办单位", f"协办单位「{unknown[0]}」不存在")
                    continue
                if v["unit_code"] in (v.get("co_units") or "").split(","):
                    err(name, n, "协办单位", "协办单位不能与主办单位相同")
                    continue
            elif name == "节假日":
                values["code"] = holiday_code(level, v["day"])
                values["name"] = v.get("name") or ""
            code = values.get("code") or v["code"]
            _decide(p, name, n, sheet.entity, code, values, owner, existing, level)
        if name in replace:
            pred = grid_pred(sheet.level) if sheet.entity == "grid" else (lambda r: True)
            codes = sorted(c for (e, c) in gone if e == sheet.entity and c in active(sheet.entity, pred))
            if sheet.entity == "holiday":
                in_file = {holiday_code(level, v["day"]) for _n, v in recs}
                codes = sorted(c for c, r in active("holiday").items()
                               if c not in in_file and r.get("owner_level") == level)
            for code in codes:
                p.changes.append(Change(name, sheet.entity, code, {"deleted": True}, False, level))
                p.updated[name] += 1
            if codes:
                p.warnings.append(Issue(name, None, None, f"文件中没有的 {len(codes)} 条记录将停用"))

    # 4. a 村社 without a unit of its own gets one (the responsibility list names villages as units)
    file_units = {v["code"] for _n, v in rows.get("单位", [])}
    for _n, v in rows.get("村社", []):
        if v["code"] in file_units:
            continue
        old = existing.of("unit").get(v["code"])
        if old is None or old.get("deleted"):
            p.changes.append(Change("村社", "unit", v["code"], {"code": v["code"], "name": v["name"],
                                                              "kind": "village", "deleted": False}, old is None, level))
    return p


def _replaceable(record: dict, level: str) -> bool:
    return record.get("owner_level", "town") == level


def _decide(p: Plan, name: str, n: int, entity: str, code: str, values: dict, owner: str, existing: Existing,
            level: str) -> None:
    old = existing.of(entity).get(code)
    if old is None:
        full = {**values, "code": code, "deleted": False}
        local = level == "town" and owner == "district"
        if local:
            p.warnings.append(Issue(name, n, None, f"「{code}」是区级数据：仅在本机创建，同步后以区级为准"))
        p.changes.append(Change(name, entity, code, full, True, owner, local))
        p.created[name] += 1
        return
    diff = {k: val for k, val in values.items() if k != "code" and not _same(old.get(k), val)}
    if old.get("deleted"):
        diff["deleted"] = False
    if not diff:
        p.unchanged[name] += 1
        return
    if level == "town" and old.get("owner_level") == "district":
        p.warnings.append(Issue(name, n, None, f"「{code}」由区级维护，本表中的修改已忽略"))
        p.unchanged[name] += 1
        return
    p.changes.append(Change(name, entity, code, diff, False, old.get("owner_level", owner)))
    p.updated[name] += 1
