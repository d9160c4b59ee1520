"""The demo town's full grid roster (issue 17): 一长三员 (网格长, 专职网格员, 兼职网格员, 网格指导员)
for every 基础网格, a 微网格长 for every micro-grid and a few department 联络员, added to the demo
town's staff (the records the demo already has keep their codes). Pure data: the demo loader
passes the town through ``with_full_roster`` before loading it; and the demo's 网格事项准入清单."""
from __future__ import annotations

import random

from app.domain import grids as gd
from app.domain.ids import stable_id
from app.store.models import GridAdmission

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
          "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "志强", "海燕", "晓明", "丽华", "国庆", "建国", "玉兰",
          "春梅", "永刚", "雪梅", "小红", "德明", "金凤", "立新")
FIRST_NEW = 2001  # staff codes GS2001… (the demo's own end far below)


def with_full_roster(town: dict, seed: int = 17) -> dict:
    """``town`` (the demo_town.json content) with the full roster added; idempotent."""
    staff = list(town.get("staff", []))
    if any(s.get("code", "") >= f"GS{FIRST_NEW:04d}" for s in staff):
        return town
    r = random.Random(seed)
    grids = town["grids"]
    have = {(s["grid"], s["role"]) for s in staff}
    n = FIRST_NEW

    def person(grid: str, role: str, unit: str | None = None) -> None:
        nonlocal n
        if (grid, role) in have:
            return
        entry = {"code": f"GS{n:04d}", "name": r.choice(_SURNAMES) + r.choice(_GIVEN), "phone": f"139{n:08d}",
                 "grid": grid, "role": role, "sample": True}
        if unit:
            entry["unit"] = unit
        staff.append(entry)
        have.add((grid, role))
        n += 1

    for g in grids:
        if g["level"] == "grid":
            for role in (gd.GRID_CHIEF, gd.FULL_TIME, gd.PART_TIME, gd.INSTRUCTOR):
                person(g["code"], role)
        elif g["level"] == "micro":
            person(g["code"], gd.MICRO_CHIEF)
    departments = [u["code"] for u in town["units"] if u["kind"] == "department"][:4]
    villages = [g["code"] for g in grids if g["level"] == "village"]
    for unit, village in zip(departments, villages, strict=False):
        person(village, gd.LIAISON, unit)
    return {**town, "staff": staff}


def demo_admissions() -> list[tuple[str, str, str]]:
    """(kind, name, note) of the demo's 网格事项准入清单."""
    return [(k, name, note) for k, (name, note) in gd.DEMO_ADMISSIONS.items()]


def seed_demo_admissions(session, now) -> int:
    """Put the demo's admission list into the store (in the demo loader's transaction; sample
    records like the rest of the demo reference data, pushed at enrolment like them)."""
    for kind, name, note in demo_admissions():
        rid = stable_id("grid_admission", kind)
        row = session.get(GridAdmission, rid) or GridAdmission(id=rid, code=kind, owner_level="town", sample=True,
                                                               deleted=False)
        row.name, row.note, row.updated_at = name, note, now
        session.add(row)
    return len(gd.DEMO_ADMISSIONS)
