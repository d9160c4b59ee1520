"""The plan of a workbook import against what a store already holds (see the package doc)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.workbook.sheets import BY_NAME, GRID_LEVEL_WORD, LIAISON, Issue, Parsed


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
