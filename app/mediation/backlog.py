"""积案 register: a hard backlog case gets its 专班 (a town leader as lead, members, units, a plan,
a deadline), progress entries, and 实质性化解 judged by the explicit checklist. One function per
user action, each one transaction with its audit and outbox entries."""
from __future__ import annotations

from sqlalchemy import select

from app.cases.caselog import find_case
from app.desk import Actor, Desk
from app.domain import mediation as md
from app.domain.ids import new_id
from app.domain.schema import Field, validate
from app.errors import ValidationError, WorkflowError
from app.mediation.common import LEADERS, MEDIATION_ROLES, find_backlog, next_number, require_role
from app.mediation.queries import backlog_view
from app.store.audit import audit
from app.store.models import Backlog, BacklogStep
from app.store.outbox import enqueue_record

NOTE = (Field("note", "进展情况", "text", required=True, max_len=2000),)


def add_backlog(desk: Desk, actor: Actor, case_no: str, data: dict) -> dict:
    """``backlog add``: register a case as 积案 with its 专班."""
    require_role(actor, LEADERS, "积案登记")
    now = desk.now()
    clean = validate(md.BACKLOG_INPUT, data, now=now, label="积案")
    members = clean["members"]
    if not isinstance(members, list) or not members or not all(isinstance(m, str) and m.strip() for m in members) \
            or len(members) > 30:
        raise ValidationError("专班成员应为姓名列表（如 [\"张三\", \"李四\"]），最多 30 人", field="members")
    members = [validate((Field("name", "专班成员", "name", required=True),), {"name": m})["name"] for m in members]
    refs = desk.refs()
    for u in clean["units"]:
        if u not in refs.units:
            raise ValidationError(f"责任单位「{u}」不存在", field="units")
    with desk.db.tx() as s:
        case = find_case(s, case_no)
        if s.scalar(select(Backlog.code).where(Backlog.case_no == case.case_no, Backlog.deleted.is_(False))):
            raise WorkflowError(f"案件 {case.case_no} 已登记为积案", field="case_no")
        rid = new_id()
        row = Backlog(id=rid, code=next_number(s, desk, Backlog, "JA"), name=case.title[:100], owner_level="town",
                      sample=False, deleted=False, updated_at=now, case_no=case.case_no,
                      kind=clean.get("kind") or "信访积案", lead=clean["lead"], members=members,
                      units=list(dict.fromkeys(clean["units"])), village=case.village, plan=clean["plan"],
                      due=clean["due"][:10], state="open", registered_at=now, checklist=[])
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "backlog.add", row.code, {"case_no": case.case_no})
        enqueue_record(s, desk, "backlog", row)
        return backlog_view(row, refs)


def add_progress(desk: Desk, actor: Actor, key: str, note: str) -> dict:
    """``backlog progress``: one progress entry (append-only)."""
    require_role(actor, MEDIATION_ROLES, "积案进展登记")
    now = desk.now()
    text = validate(NOTE, {"note": note}, label="进展")["note"]
    with desk.db.tx() as s:
        row = find_backlog(s, key)
        if row.state != "open":
            raise WorkflowError(f"积案 {row.code} 已实质性化解", field="no")
        rid = new_id()
        step = BacklogStep(id=rid, code=rid.replace("-", ""), name=" ".join(text.split())[:40], owner_level="town",
                           sample=False, deleted=False, updated_at=now, backlog_id=row.id, backlog_no=row.code,
                           at=now, note=text, actor=actor.username)
        s.add(step)
        s.flush()
        audit(s, desk, actor.username, "backlog.progress", row.code, None)
        enqueue_record(s, desk, "backlog_step", step)
        return {"backlog_no": row.code, "case_no": row.case_no, "state": row.state, "at": now.isoformat(),
                "note": text}


def parse_checklist(raw: str | list | None) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else list(raw or [])
    items = [i.strip() for i in items if i and i.strip()]
    bad = [i for i in items if i not in md.CHECKLIST]
    if bad:
        raise ValidationError(f"核验项「{bad[0]}」不存在；应为：" + "、".join(f"{k}（{v}）" for k, v in md.CHECKLIST.items()),
                              field="checklist")
    return [k for k in md.CHECKLIST if k in items]


def resolve(desk: Desk, actor: Actor, key: str, checklist) -> dict:
    """``backlog resolve``: 实质性化解 only when every item of the checklist holds (事实已查清, 处理依法
    合规, 问题已解决, 信访人满意, 化解已审批); otherwise nothing is written."""
    require_role(actor, LEADERS, "积案化解审批")
    items = parse_checklist(checklist)
    missing = [v for k, v in md.CHECKLIST.items() if k not in items]
    if missing:
        raise ValidationError("实质性化解须逐项核验，尚缺：" + "、".join(missing), field="checklist")
    with desk.db.tx() as s:
        row = find_backlog(s, key)
        if row.state == "resolved":
            raise WorkflowError(f"积案 {row.code} 已实质性化解", field="no")
        row.state, row.checklist, row.resolved_at, row.updated_at = "resolved", items, desk.now(), desk.now()
        enqueue_record(s, desk, "backlog", row)  # before the flush: ``_changed`` names the fields touched
        audit(s, desk, actor.username, "backlog.resolve", row.code, {"checklist": items})
        s.flush()
        return backlog_view(row, desk.refs())
