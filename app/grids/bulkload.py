"""Generated grid reports in bulk (tests and benchmarks, like the demo's generated cases): each a
case folded from its own intake (and, when solved, ``grid_solve``) action, written through the raw
bulk path (app.store.bulk: cases, search documents, the hash-chained action log) with its
``grid_reports`` row. Nothing is queued for sync: generated data, as the demo's cases."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.desk import Desk
from app.domain.casefold import ActionRecord, apply
from app.domain.ids import case_no as make_case_no
from app.domain.ids import new_id
from app.domain.timezone import LOCAL_TZ
from app.store import bulk, search
from app.store.models import CaseCounter, GridReport
from app.store.types import to_sql_dt

BATCH = 5000


@dataclass(frozen=True)
class Spec:
    at: datetime           # received (reported) at
    reporter: str          # staff code
    grid: str              # 基础网格 code
    village: str
    outcome: str           # solved | passed
    category: str = "PA0101"
    micro: str | None = None


def load_reports(desk: Desk, specs: list[Spec]) -> int:
    """Write ``specs`` as grid-report cases; returns how many were written."""
    with desk.db.read() as s:
        counters = defaultdict(int, {c.day: c.last for c in s.scalars(select(CaseCounter))})
    columns = [c.key for c in GridReport.__table__.columns]
    raw = desk.db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        for start in range(0, len(specs), BATCH):
            cases, actions, docs, reports = [], [], [], []
            for sp in specs[start:start + BATCH]:
                day = sp.at.astimezone(LOCAL_TZ).date()
                counters[f"{day:%Y%m%d}"] += 1
                no = make_case_no(desk.town_code, day, desk.workstation, counters[f"{day:%Y%m%d}"])
                cid = new_id()
                payload = {"case_no": no, "town": desk.town_code, "channel": "grid_report", "type": "help",
                           "title": f"网格事件 {no}", "description": "网格员巡查发现的事件（生成数据）",
                           "anonymous": False, "persons": 1, "category": sp.category, "village": sp.village,
                           "grid": sp.micro or sp.grid, "urgency": "normal", "major": False, "repeat_of": []}
                recs = [ActionRecord(new_id(), cid, "intake", sp.at, "intake", "intake", payload)]
                if sp.outcome == "solved":
                    recs.append(ActionRecord(new_id(), cid, "grid_solve", sp.at, "intake", "intake",
                                             {"result": "当场解决"}))
                state = None
                for r in recs:
                    r.actor_name = "受理员"
                    state = apply(state, r)
                cases.append(bulk.state_tuple(state))
                docs.append(search.document(state.to_dict()))
                actions.extend(bulk.action_tuple(r, desk.device_id) for r in recs)
                reports.append({"id": cid, "code": no, "name": payload["title"], "owner_level": "town", "sample": 1,
                                "deleted": 0, "updated_at": to_sql_dt(sp.at), "case_id": cid,
                                "reporter_staff": sp.reporter, "village_code": sp.village, "grid_code": sp.grid,
                                "micro_code": sp.micro, "outcome": sp.outcome, "reported_at": to_sql_dt(sp.at)})
            conn.execute("BEGIN")
            bulk.insert_batch(conn, cases, actions, docs)
            conn.executemany(f"INSERT INTO grid_reports ({','.join(columns)}) VALUES "
                             f"({','.join('?' * len(columns))})", [tuple(r[c] for c in columns) for r in reports])
            conn.executemany("INSERT OR REPLACE INTO case_counters(day, last) VALUES (?, ?)", list(counters.items()))
            conn.execute("COMMIT")
    finally:
        raw.close()
    return len(specs)
