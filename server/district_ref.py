"""District-owned reference data authored on the server: district units (区级部门), district
categories and the official holiday calendar, from the same workbook as a town's.

    towndesk-server --db URL ref import FILE.xlsx --level district [--dry-run] [--replace SHEET] [--json]

The records are kept with scope '*' (no town may change them: app.sync ingest refuses it) and every
change is appended to every town's change log, so that each workstation of each town pulls it like
any other change; a town added later gets the whole set in its log when it is created
(:func:`seed_town`). One transaction: a workbook with any error writes nothing.
"""
from __future__ import annotations

import argparse
import json

from sqlalchemy import select

from app.domain import entities
from app.domain import workbook as wbk
from app.domain.ids import stable_id
from app.reference.records import initials
from app.reference.xlsx import read_workbook
from app.sync import protocol as P
from server.db import lock_town
from server.models import Change, Record, Town

LEVEL = entities.DISTRICT


def register(sub) -> None:
    ref = sub.add_parser("ref", help="区级基础数据").add_subparsers(dest="ref_cmd", required=True)
    x = ref.add_parser("import", help="导入区级基础数据（区级部门、事项分类、节假日）")
    x.add_argument("file")
    x.add_argument("--level", choices=[LEVEL], required=True, help="district：区级数据，推送到所有镇街")
    x.add_argument("--dry-run", action="store_true")
    x.add_argument("--replace", action="append", default=[], metavar="SHEET")
    x.add_argument("--json", dest="json_out", action="store_true")


def run(db, args: argparse.Namespace) -> int:
    """The ``ref import`` command: prints the report (JSON, or lines); 2 when it has errors."""
    out = import_district(db, args.file, dry_run=args.dry_run, replace=args.replace)
    if args.json_out or out["errors"]:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print("已导入区级数据：" + "；".join(f"{s} 新增 {out['created'][s]}、更新 {out['updated'][s]}、"
                                        f"不变 {out['unchanged'][s]}" for s in out["created"]))
    return 2 if out["errors"] else 0


def snapshot(s) -> wbk.Existing:
    ex = wbk.Existing()
    for r in s.scalars(select(Record).where(Record.scope == "*")):
        data = json.loads(r.data)
        if data.get("code"):
            ex.of(r.entity)[data["code"]] = {**data, "id": r.id, "owner_level": r.owner_level, "deleted": r.deleted}
    return ex


def import_district(db, path, *, dry_run: bool = False, replace=()) -> dict:
    sheets = read_workbook(path)
    with db.tx() as s:
        p = wbk.plan(wbk.parse(sheets, LEVEL), snapshot(s), LEVEL, replace)
        if p.errors or dry_run:
            return p.report()
        write(s, p)
    return p.report()


def write(s, p: wbk.Plan) -> None:
    """Store the plan's records (scope '*') and append each change to every town's log."""
    changes = []
    for ch in p.changes:
        rid = stable_id(ch.entity, ch.code)
        row = s.get(Record, ("*", rid))
        fields = {k: v for k, v in ch.values.items() if k != "deleted"}
        if ch.entity == "category" and "name" in fields:
            fields["initials"] = initials(fields["name"])
        data = json.loads(row.data) if row is not None else {"code": ch.code, "deleted": False}
        data.update(fields)
        if "deleted" in ch.values:
            data["deleted"] = bool(ch.values["deleted"])
        if row is None:
            row = Record(scope="*", id=rid, entity=ch.entity, owner_level=LEVEL, seq=0)
            s.add(row)
        row.deleted, row.data = bool(data.get("deleted")), P.canonical(data)
        changes.append((ch.entity, rid, {"owner_level": LEVEL, "fields": fields, "deleted": row.deleted}))
    s.flush()
    for town in list(s.scalars(select(Town.code))):
        _append(s, town, changes)


def _append(s, town_code: str, changes: list[tuple[str, str, dict]]) -> None:
    if not changes:
        return
    town = lock_town(s, town_code)
    seq = town.last_seq
    rows = []
    for entity, rid, data in changes:
        seq += 1
        rows.append(Change(town=town_code, seq=seq, entity=entity, entity_id=rid, data=P.canonical(data)))
    s.add_all(rows)
    town.last_seq = seq
    s.flush()


def seed_town(s, town_code: str) -> None:
    """A new town's log starts with every district record (in the caller's transaction)."""
    s.flush()
    recs = list(s.scalars(select(Record).where(Record.scope == "*", Record.deleted.is_(False),
                                               Record.entity != "town").order_by(Record.entity, Record.id)))
    _append(s, town_code, [(r.entity, r.id, {"owner_level": r.owner_level, "fields": json.loads(r.data),
                                             "deleted": False}) for r in recs])
