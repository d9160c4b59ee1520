"""矛盾调处 services: one function per user action (open a dispute on a case, assign mediators,
record a session, close with its means, extend the clock, register a 卷宗 document, the follow-up
visit, the 司法确认 application). Each is one transaction with its audit entry and the outbox
entry of every synced record it writes; bad input raises a ValidationError naming the field and
writes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.cases.caselog import find_case
from app.desk import Actor, Desk
from app.domain import mediation as md
from app.domain.ids import new_id
from app.domain.schema import validate
from app.domain.validation import check_id_no, check_phone
from app.errors import ValidationError, WorkflowError
from app.mediation.common import MEDIATION_ROLES, find_dispute, next_number, require_role
from app.mediation.queries import dispute_view
from app.store.audit import audit
from app.store.models import Dispute, MediationSession, Mediator
from app.store.outbox import enqueue_record


def _parties(raw, today) -> list[dict]:
    """Each party as at intake: role, name, 身份证 (check digit), phone; one applicant at least and
    one respondent."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError("请填写当事人（申请人、被申请人）", field="parties")
    if len(raw) > 20:
        raise ValidationError("当事人最多 20 人", field="parties")
    out = []
    for i, p in enumerate(raw):
        where = f"parties.{i}"
        role = md.ROLES.get(p.get("role")) if isinstance(p, dict) else None
        if role and not str(p.get("name") or "").strip():
            raise ValidationError(f"请填写{role}姓名", field=f"{where}.name")
        party = validate(md.PARTY, p, path=where, label="当事人")
        if party.get("id_no"):
            party["id_no"] = check_id_no(party["id_no"], f"{where}.id_no", f"当事人「{party['name']}」的身份证号码",
                                         today=today)
        if party.get("phone"):
            party["phone"] = check_phone(party["phone"], f"{where}.phone", f"当事人「{party['name']}」的联系电话")
        out.append(party)
    roles = {p["role"] for p in out}
    if "applicant" not in roles:
        raise ValidationError("当事人中须有申请人（role: applicant）", field="parties")
    if "respondent" not in roles:
        raise ValidationError("当事人中须有被申请人（role: respondent）", field="parties")
    return out


def _difficulty(data: dict) -> tuple[str, str | None]:
    auto = md.computed_difficulty(data.get("persons") or 1, data.get("amount") or 0, bool(data.get("criminal_risk")))
    given = data.get("difficulty")
    if not given:
        return auto, None
    code = md.DIFFICULTY_CODES.get(given, given)
    if code != auto and not data.get("reason"):
        raise ValidationError(f"按涉及人数、金额和风险应定为「{md.DIFFICULTIES[auto]}」；手动定为「{md.DIFFICULTIES[code]}」"
                              "须填写定级理由（reason）", field="reason")
    return code, data.get("reason") if code != auto else None


def open_dispute(desk: Desk, actor: Actor, case_no: str, data: dict) -> dict:
    """``dispute open``: a dispute on a case (转调解 from the intake window, or any 纠纷 case)."""
    require_role(actor, MEDIATION_ROLES, "受理纠纷")
    now = desk.now()
    clean = validate(md.OPEN_INPUT, data, now=now, label="纠纷")
    parties = _parties(clean["parties"], now.date())
    difficulty, reason = _difficulty(clean)
    cal = desk.calendar()
    with desk.db.tx() as s:
        case = find_case(s, case_no)
        if s.scalar(select(Dispute.code).where(Dispute.case_no == case.case_no, Dispute.deleted.is_(False))):
            raise WorkflowError(f"案件 {case.case_no} 已转调解，不能重复受理", field="case_no")
        due = md.mediation_due(cal, now)
        rid = new_id()
        row = Dispute(id=rid, code=next_number(s, desk, Dispute, "TJ"), name=case.title[:100], owner_level="town",
                      sample=False, deleted=False, updated_at=now, case_no=case.case_no, type=clean["type"],
                      source=clean["source"], parties=parties, facts=clean.get("facts") or case.description,
                      amount=clean.get("amount") or 0, persons=clean.get("persons") or case.persons or 1,
                      difficulty=difficulty, difficulty_reason=reason,
                      criminal_risk=bool(clean.get("criminal_risk")), police_calls=clean.get("police_calls") or 0,
                      village=case.village, state="accepted", opened_at=now, due_at=due,
                      warn_at=md.mediation_warn(cal, now, due, desk.setting("yellow_days"),
                                                desk.setting("yellow_fraction")),
                      extension_days=0, co_mediators=[], documents=[])
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "dispute.open", row.code, {"case_no": case.case_no, "type": row.type})
        enqueue_record(s, desk, "dispute", row)
        return dispute_view(s, row, desk.refs(), now, actor)


def _mediator(s, code: str, field: str) -> Mediator:
    m = s.scalar(select(Mediator).where(Mediator.code == code, Mediator.deleted.is_(False)))
    if m is None:
        raise ValidationError(f"调解员「{code}」不存在（ref list mediators 可查）", field=field)
    return m


def _open_row(s, key: str) -> Dispute:
    row = find_dispute(s, key)
    if row.state == "closed":
        raise WorkflowError(f"纠纷 {row.code} 已结案", field="no")
    return row


def _save(s, desk: Desk, actor: Actor, row, action: str, detail: dict | None = None) -> dict:
    row.updated_at = desk.now()
    enqueue_record(s, desk, "dispute", row)  # before the flush: its ``_changed`` names what this change touched
    audit(s, desk, actor.username, action, row.code, detail)
    s.flush()
    return dispute_view(s, row, desk.refs(), desk.now(), actor)


def assign(desk: Desk, actor: Actor, key: str, mediator: str, co: list[str] | tuple = ()) -> dict:
    """``dispute assign``: the lead mediator and any co-mediators; the dispute is then 调解中."""
    require_role(actor, MEDIATION_ROLES, "指派调解员")
    co = [c.strip() for c in co if c and c.strip()]
    if mediator in co:
        raise ValidationError("协助调解员不能与主调解员相同", field="co")
    with desk.db.tx() as s:
        row = _open_row(s, key)
        _mediator(s, (mediator or "").strip(), "mediator")
        for c in co:
            _mediator(s, c, "co")
        row.mediator, row.co_mediators = mediator.strip(), list(dict.fromkeys(co))
        if row.state == "accepted":
            row.state = "mediating"
        return _save(s, desk, actor, row, "dispute.assign", {"mediator": row.mediator, "co": row.co_mediators})


def record_session(desk: Desk, actor: Actor, key: str, data: dict) -> dict:
    """``dispute session``: one 调解 session (append-only); without an outcome it is a planned
    session (巡回调解 schedule)."""
    require_role(actor, MEDIATION_ROLES, "记录调解")
    now = desk.now()
    clean = validate(md.SESSION_INPUT, data, now=now, label="调解记录")
    names = clean["attendees"]
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names) or len(names) > 50:
        raise ValidationError("参加人员应为姓名列表（如 [\"张三\", \"李四\"]），最多 50 人", field="attendees")
    names = [validate(md.PARTY[1:2], {"name": n}, label="参加人员")["name"] for n in names]
    at = datetime.fromisoformat(clean["at"])
    if clean.get("outcome") and at > now + timedelta(days=1):  # the tolerance of every other time field
        raise ValidationError("尚未举行的调解（时间在将来）不能填写调解结果；巡回调解安排请不填结果", field="outcome")
    if clean.get("outcome") and not clean.get("record"):
        raise ValidationError("请填写调解笔录", field="record")
    refs = desk.refs()
    if clean.get("village") and clean["village"] not in {v.code for v in refs.villages()}:
        raise ValidationError(f"村社「{clean['village']}」不存在", field="village")
    with desk.db.tx() as s:
        row = _open_row(s, key)
        rid = new_id()
        n = len(list(s.scalars(select(MediationSession.id).where(MediationSession.dispute_id == row.id)))) + 1
        sess = MediationSession(id=rid, code=rid.replace("-", ""), name=f"{row.code} 第{n}次调解"[:100],
                                owner_level="town", sample=False, deleted=False, updated_at=now, dispute_id=row.id,
                                dispute_no=row.code, at=at, place=clean["place"],
                                village=clean.get("village") or row.village, attendees=names,
                                record=clean.get("record"), outcome=clean.get("outcome"), mediator=row.mediator,
                                actor=actor.username)
        s.add(sess)
        s.flush()
        enqueue_record(s, desk, "med_session", sess)
        if row.state == "accepted" and clean.get("outcome"):
            row.state = "mediating"
        out = _save(s, desk, actor, row, "dispute.session", {"session": sess.code, "outcome": sess.outcome})
        out["session"] = {"code": sess.code, "no": n, "at": sess.at.isoformat(), "outcome": sess.outcome}
        return out


def _agreement(raw) -> dict:
    if not isinstance(raw, dict):
        raise ValidationError("调解协议应为 JSON 对象：{\"facts\", \"terms\": [..], \"performance\"}", field="agreement")
    if not raw.get("terms"):
        raise ValidationError("调解协议须列明协议内容（terms）", field="agreement.terms")
    ag = validate(md.AGREEMENT, raw, path="agreement", label="调解协议")
    terms = ag["terms"]
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms) or len(terms) > 30:
        raise ValidationError("协议内容应为条款列表（每条一段文字，最多 30 条）", field="agreement.terms")
    ag["terms"] = [validate(md.AGREEMENT[0:1], {"facts": t}, label="协议条款")["facts"] for t in terms]
    return ag


def close_dispute(desk: Desk, actor: Actor, key: str, data: dict) -> dict:
    """``dispute close``: the means (调解 with an agreement, 补偿, 赔偿, 诉讼, 仲裁) and success, or
    failure with its reason. An agreement opens the 30-day 司法确认 window."""
    require_role(actor, MEDIATION_ROLES, "纠纷结案")
    if isinstance(data, dict) and not data.get("means"):
        raise ValidationError("结案须选择化解方式（means）：" + "、".join(f"{k}（{v}）" for k, v in md.MEANS.items()),
                              field="means")
    now = desk.now()
    clean = validate(md.CLOSE_INPUT, data, now=now, label="结案")
    agreement = _agreement(clean["agreement"]) if clean.get("agreement") is not None else None
    if clean["means"] == "mediation" and clean["success"] and agreement is None:
        raise ValidationError("调解成功须附调解协议（agreement：facts、terms、performance）", field="agreement")
    if not clean["success"] and not clean.get("reason"):
        raise ValidationError("调解不成须填写原因（reason）", field="reason")
    with desk.db.tx() as s:
        row = _open_row(s, key)
        row.state, row.means, row.success, row.closed_at = "closed", clean["means"], clean["success"], now
        row.agreement = agreement
        row.fail_reason = clean.get("reason") if not clean["success"] else None
        row.judicial_due_at = md.judicial_due(now) if agreement is not None and clean["success"] else None
        return _save(s, desk, actor, row, "dispute.close", {"means": row.means, "success": row.success})


def extend(desk: Desk, actor: Actor, key: str, days: float, consent: bool) -> dict:
    """Extend the 30-day clock by ``days`` working days, with both parties' consent."""
    require_role(actor, MEDIATION_ROLES, "延长调解期限")
    if not consent:
        raise ValidationError("延长调解期限须经双方当事人同意（--consent）", field="consent")
    if not isinstance(days, int | float) or not 0 < days <= md.MAX_EXTENSION_DAYS:
        raise ValidationError(f"延长天数应为 1 至 {md.MAX_EXTENSION_DAYS} 个工作日", field="days")
    cal = desk.calendar()
    with desk.db.tx() as s:
        row = _open_row(s, key)
        if row.extension_days + days > md.MAX_EXTENSION_DAYS:
            raise ValidationError(f"累计延长不能超过 {md.MAX_EXTENSION_DAYS} 个工作日", field="days")
        row.extension_days += days
        row.due_at = md.mediation_due(cal, row.opened_at, row.extension_days)
        row.warn_at = md.mediation_warn(cal, row.opened_at, row.due_at, desk.setting("yellow_days"),
                                        desk.setting("yellow_fraction"))
        return _save(s, desk, actor, row, "dispute.extend", {"days": days})


def register_document(desk: Desk, actor: Actor, key: str, kind: str) -> dict:
    """A 卷宗 document kept on paper is registered as present (权利义务告知书, 调查记录)."""
    require_role(actor, MEDIATION_ROLES, "登记卷宗材料")
    if kind not in md.REGISTERED_DOCS:
        raise ValidationError("材料应为：" + "、".join(f"{k}（{v}）" for k, v in md.REGISTERED_DOCS.items()), field="kind")
    with desk.db.tx() as s:
        row = find_dispute(s, key)
        if kind not in (row.documents or []):
            row.documents = [*(row.documents or []), kind]
        return _save(s, desk, actor, row, "dispute.document", {"kind": kind})


def follow_up(desk: Desk, actor: Actor, key: str, note: str, performed: bool) -> dict:
    """The follow-up visit on performance (回访记录), after a successful close."""
    require_role(actor, MEDIATION_ROLES, "回访")
    note = validate(md.SESSION_INPUT[3:4], {"record": note}, label="回访记录").get("record")
    if not note:
        raise ValidationError("请填写回访记录", field="note")
    with desk.db.tx() as s:
        row = find_dispute(s, key)
        if row.state != "closed" or not row.success:
            raise WorkflowError("化解成功结案后才能回访履行情况", field="no")
        row.visited_at, row.visit_note, row.performed = desk.now(), note, bool(performed)
        return _save(s, desk, actor, row, "dispute.visit", {"performed": bool(performed)})


def apply_judicial(desk: Desk, actor: Actor, key: str) -> dict:
    """Both parties applied for 司法确认: the reminder stops."""
    require_role(actor, MEDIATION_ROLES, "登记司法确认申请")
    with desk.db.tx() as s:
        row = find_dispute(s, key)
        if row.judicial_due_at is None:
            raise WorkflowError("只有达成调解协议的纠纷可以申请司法确认", field="no")
        row.judicial_applied_at = desk.now()
        return _save(s, desk, actor, row, "dispute.judicial", None)
