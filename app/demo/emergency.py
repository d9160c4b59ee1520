"""The demo town's prepared emergency lists (平战转换): a few people to move and an emergency team
(监测预警, 转移, 抢险, 后勤, from the staff roster) per 村社. Sample records with ids derived from
their codes, so every demo store holds the same ones (like the rest of the demo reference data)."""
from __future__ import annotations

import random

from sqlalchemy import select

from app.desk import Desk
from app.domain.emergency import TEAM_DUTIES
from app.domain.ids import stable_id
from app.store.models import EmergencyTeamMember, Evacuee

_PEOPLE = (("elderly_alone", "独居", "老人"), ("dilapidated", "危房", "住户"), ("geohazard", "隐患点", "住户"),
           ("worksite", "工地", "工人"))
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = ("阿婆", "阿公", "桂英", "秀兰", "建国", "福根", "小芳", "志强", "海燕", "金水")


def load_prepared_lists(desk: Desk, town: dict, seed: int = 20261127) -> int:
    """Add the demo lists once (nothing when they are there); returns the number of records added."""
    rnd = random.Random(seed)
    villages = [g for g in town["grids"] if g["level"] == "village"]
    grids = {}
    for g in town["grids"]:
        if g["level"] == "grid":
            grids.setdefault(g["parent"], []).append(g["code"])
    added = 0
    now = desk.now()
    with desk.db.tx() as s:
        if s.scalar(select(Evacuee.id).where(Evacuee.sample.is_(True)).limit(1)) is not None:
            return 0
        for v in villages:
            code = v["code"]
            rural = v["name"].endswith("村")
            kinds = _PEOPLE[:3] if rural else _PEOPLE[:2] + _PEOPLE[3:]
            for i, (kind, _word, _who) in enumerate(kinds, start=1):
                pcode = f"{code}-P{i:02d}"
                s.add(Evacuee(id=stable_id("evacuee", pcode), code=pcode,
                              name=rnd.choice(_SURNAMES) + rnd.choice(_GIVEN), owner_level="town", sample=True,
                              deleted=False, updated_at=now, village_code=code,
                              grid_code=(grids.get(code) or [None])[0], kind=kind,
                              phone=f"1390000{rnd.randrange(10000):04d}", address=f"{v['name']}{rnd.randint(1, 60)}号",
                              status="pending", status_at=now))
                added += 1
            staff = [p for p in town["staff"] if p["grid"] == code or p["grid"].startswith(code + "G")]
            for j, duty in enumerate(TEAM_DUTIES):
                if not staff:
                    break
                person = staff[j % len(staff)]
                tcode = f"{code}-T{j + 1:02d}"
                s.add(EmergencyTeamMember(id=stable_id("emergency_team", tcode), code=tcode, name=person["name"],
                                          owner_level="town", sample=True, deleted=False, updated_at=now,
                                          village_code=code, duty=duty, staff_code=person["code"],
                                          phone=person.get("phone")))
                added += 1
    return added
