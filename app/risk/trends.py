"""Case trends raise risks: the rules (settings ``trend_*``) read the recent cases and propose
risks with the cases linked; the director accepts one (a risk with source ``case_trend``) or
dismisses it (remembered: the same cases are not proposed again). Both answers are synced
records (``risk_decision``)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import risk as R
from app.domain.ids import new_id
from app.domain.schema import Field, validate
from app.domain.states import ADMIN, DIRECTOR
from app.errors import NotFound, PermissionDenied
from app.risk.register import add_risk
from app.store.audit import audit
from app.store.models import Case, RiskDecision
from app.store.outbox import enqueue_record

DECIDE_INPUT = (Field("key", "研判建议", "line", required=True, max_len=100), Field("note", "说明", "text"),
                Field("level", "风险等级", "choice", choices=R.LEVELS))


def rules_of(desk: Desk) -> R.TrendRules:
    return R.TrendRules(cluster_cases=desk.setting("trend_cluster_cases"), cluster_days=desk.setting("trend_cluster_days"),
                        category_depth=desk.setting("trend_category_depth"),
                        repeat_petitions=desk.setting("trend_repeat_petitions"),
                        repeat_days=desk.setting("trend_repeat_days"))


def proposals(desk: Desk, rules: R.TrendRules | None = None, include_decided: bool = False) -> list[dict]:
    """The open proposals at ``desk.now()`` (answered ones left out unless ``include_decided``)."""
    rules = rules or rules_of(desk)
    now = desk.now()
    days = max(rules.cluster_days if rules.cluster_cases else 0, rules.repeat_days if rules.repeat_petitions else 0)
    if days <= 0:
        return []
    refs = desk.refs()
    cols = (Case.case_no, Case.category, Case.village, Case.received_at, Case.reporter_id_no, Case.reporter_phone,
            Case.reporter_name, Case.persons, Case.state)
    with desk.db.read() as s:
        rows = s.execute(select(*cols).where(Case.received_at >= now - timedelta(days=days),
                                             Case.received_at <= now).order_by(Case.received_at)).all()
        decided = [(d.name, list(d.case_nos or [])) for d in s.scalars(select(RiskDecision).where(
            RiskDecision.deleted.is_(False)))]
    cases = [R.TrendCase(r.case_no, r.category, r.village, r.received_at, r.reporter_id_no or r.reporter_phone,
                         r.reporter_name, r.persons or 1, r.state == "merged") for r in rows]
    found = R.find_trends(cases, now, rules, refs.category_parents,
                          {c.code: c.name for c in refs.categories.values()},
                          {g.code: g.name for g in refs.villages()})
    if not include_decided:
        found = [p for p in found if not R.suppressed(p, decided)]
    return found


def _find(desk: Desk, actor: Actor, key: str) -> dict:
    if actor.role not in (DIRECTOR, ADMIN):
        raise PermissionDenied("研判建议由值班长采纳或忽略", field="as")
    found = next((p for p in proposals(desk) if p["key"] == key), None)
    if found is None:
        raise NotFound(f"没有待研判的建议「{key}」（可能已处理或已不满足规则）", field="key")
    return found


def accept(desk: Desk, actor: Actor, data: dict) -> dict:
    """Accept a proposal: a risk (source case_trend, the cases linked) and the decision, in one
    transaction. Returns the risk's ``{risk_no, state, color, unit}`` and the ``key``."""
    clean = validate(DECIDE_INPUT, data, now=desk.now())
    p = _find(desk, actor, clean["key"])
    risk_input = {"source": "case_trend", "type": p["type"], "title": p["title"], "description": p["description"],
                  "village": p["village"], "persons": p["persons"], "level": clean.get("level") or p["level"],
                  "case_nos": p["case_nos"]}
    if p["category"]:
        risk_input["category"] = p["category"]
    with desk.db.tx() as s:
        out = add_risk(desk, actor, risk_input, session=s)
        _decide(s, desk, actor, p, "accepted", out["risk_no"], clean.get("note") or "")
    return {**out, "key": p["key"], "case_nos": p["case_nos"]}


def dismiss(desk: Desk, actor: Actor, data: dict) -> dict:
    """Dismiss a proposal: remembered, so the same cases are not proposed again."""
    clean = validate(DECIDE_INPUT, data, now=desk.now())
    p = _find(desk, actor, clean["key"])
    with desk.db.tx() as s:
        _decide(s, desk, actor, p, "dismissed", None, clean.get("note") or "")
    return {"key": p["key"], "decision": "dismissed", "case_nos": p["case_nos"]}


def _decide(s, desk: Desk, actor: Actor, p: dict, decision: str, risk_no: str | None, note: str) -> None:
    rid = new_id()
    row = RiskDecision(id=rid, code=rid.replace("-", ""), name=p["key"][:100], owner_level="town", sample=False,
                       deleted=False, updated_at=desk.now(), rule=p["rule"], decision=decision,
                       case_nos=p["case_nos"], risk_no=risk_no, at=desk.now(), actor=actor.username, note=note)
    s.add(row)
    s.flush()
    audit(s, desk, actor.username, f"risk.proposal_{decision}", p["key"], {"cases": len(p["case_nos"]),
                                                                         "risk_no": risk_no})
    enqueue_record(s, desk, "risk_decision", row)
