"""稳评 services: 立项 (with the plan and the indicator template), 意见征集 records, 评分, 结论, and
the follow-up re-assessment after the decision (``follow_up_of`` a concluded assessment). One
function per user action, one transaction each with its audit and outbox entries."""
from __future__ import annotations

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import assessment as A
from app.domain.ids import new_id
from app.domain.loops import judge
from app.domain.schema import validate
from app.errors import NotFound, ValidationError, WorkflowError
from app.risk.numbering import next_number
from app.store.audit import audit
from app.store.models import Assessment, AssessmentOpinion
from app.store.outbox import enqueue_record


def add_assessment(desk: Desk, actor: Actor, data: dict) -> dict:
    """立项: ``{"assessment_no", "state": "draft", "follow_up_of"}``."""
    clean = validate(A.ADD_INPUT, data, now=desk.now())
    judge(A.STEPS["add"], None, actor.role, A.STATE_LABELS, what="评估")
    template = A.check_template(clean.get("template"))
    now = desk.now()
    with desk.db.tx() as s:
        parent = clean.get("follow_up_of")
        if parent:
            before = _get(s, parent)
            if before.state != A.CONCLUDED:
                raise WorkflowError(f"评估「{parent}」尚未出具结论，不能复评", field="follow_up_of")
            if clean.get("template") is None:
                template = before.template
        rid = new_id()
        row = Assessment(id=rid, code=next_number(s, desk, Assessment, "WP"), name=clean["matter"], owner_level="town",
                         sample=False, deleted=False, updated_at=now, body=clean["body"], plan=clean["plan"],
                         template=template, state=A.DRAFT, scores={}, conclusion_note="", follow_up_of=parent,
                         created_at=now, created_by=actor.username)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "assessment.add", row.code, {"follow_up_of": parent})
        enqueue_record(s, desk, "assessment", row)
        return {"assessment_no": row.code, "state": row.state, "follow_up_of": parent}


def add_opinion(desk: Desk, actor: Actor, number: str, data: dict) -> dict:
    """意见征集 record (visit, forum, questionnaire, notice, hearing) with its counts."""
    clean = validate(A.OPINION_INPUT, data, now=desk.now())
    support, oppose = clean.get("support", 0), clean.get("oppose", 0)
    if support + oppose > clean["participants"]:
        raise ValidationError("支持人数与反对人数之和不能超过参与人数", field="support")
    now = desk.now()
    with desk.db.tx() as s:
        row = _get(s, number)
        row.state = judge(A.STEPS["opinion"], row.state, actor.role, A.STATE_LABELS, what="评估")
        row.updated_at = now
        oid = new_id()
        op = AssessmentOpinion(id=oid, code=oid.replace("-", ""), name=A.METHODS[clean["method"]], owner_level="town",
                               sample=False, deleted=False, updated_at=now, assessment_no=row.code,
                               method=clean["method"], held_on=clean["date"][:10], participants=clean["participants"],
                               support=support, oppose=oppose, summary=clean["summary"], at=now, actor=actor.username)
        s.add(op)
        s.flush()
        audit(s, desk, actor.username, "assessment.opinion", row.code, {"method": clean["method"]})
        enqueue_record(s, desk, "assessment_opinion", op)
        enqueue_record(s, desk, "assessment", row)
        return {"assessment_no": row.code, "state": row.state, "opinions": _count(s, row.code)}


def score_assessment(desk: Desk, actor: Actor, number: str, data: dict) -> dict:
    """评分 on the assessment's own template: ``{"assessment_no", "state", "dimensions", "total",
    "level", "suggested"}``."""
    clean = validate(A.SCORE_INPUT, data, now=desk.now())
    with desk.db.tx() as s:
        row = _get(s, number)
        state = judge(A.STEPS["score"], row.state, actor.role, A.STATE_LABELS, what="评估")
        result = A.score(row.template, clean["scores"])
        row.state, row.scores, row.total, row.level = state, {**result, "note": clean.get("note", "")}, \
            result["total"], result["level"]
        row.scored_at = row.updated_at = desk.now()
        audit(s, desk, actor.username, "assessment.score", row.code, {"total": result["total"], "level": result["level"]})
        enqueue_record(s, desk, "assessment", row)
        return {"assessment_no": row.code, "state": state, "dimensions": result["dimensions"], "total": result["total"],
                "level": result["level"], "level_label": A.LEVELS[result["level"]], "suggested": result["suggested"]}


def conclude(desk: Desk, actor: Actor, number: str, data: dict) -> dict:
    """结论 (实施 / 暂缓实施 / 不实施) with its reasons."""
    clean = validate(A.CONCLUDE_INPUT, data, now=desk.now())
    with desk.db.tx() as s:
        row = _get(s, number)
        row.state = judge(A.STEPS["conclude"], row.state, actor.role, A.STATE_LABELS, what="评估")
        row.conclusion, row.conclusion_note = clean["conclusion"], clean["note"]
        row.concluded_at = row.updated_at = desk.now()
        audit(s, desk, actor.username, "assessment.conclude", row.code, {"conclusion": row.conclusion})
        enqueue_record(s, desk, "assessment", row)
        return {"assessment_no": row.code, "state": row.state, "level": row.level, "total": row.total,
                "conclusion": row.conclusion, "conclusion_label": A.CONCLUSIONS[row.conclusion]}


def _get(s, number: str) -> Assessment:
    row = s.scalar(select(Assessment).where(Assessment.code == number, Assessment.deleted.is_(False)))
    if row is None:
        raise NotFound(f"评估「{number}」不存在", field="assessment_no")
    return row


def _count(s, number: str) -> int:
    return len(list(s.scalars(select(AssessmentOpinion.id).where(AssessmentOpinion.assessment_no == number))))


def show_assessment(desk: Desk, number: str) -> dict:
    """The assessment with its opinion records, scores and re-assessments."""
    with desk.db.read() as s:
        row = _get(s, number)
        ops = list(s.scalars(select(AssessmentOpinion).where(AssessmentOpinion.assessment_no == number)
                             .order_by(AssessmentOpinion.held_on, AssessmentOpinion.at)))
        follow = list(s.scalars(select(Assessment.code).where(Assessment.follow_up_of == number)))
        return {**_summary(row), "plan": row.plan, "template": row.template, "scores": row.scores,
                "conclusion_note": row.conclusion_note, "follow_ups": follow,
                "opinions": [{"method": o.method, "method_label": A.METHODS.get(o.method, o.method), "date": o.held_on,
                              "participants": o.participants, "support": o.support, "oppose": o.oppose,
                              "summary": o.summary} for o in ops]}


def _summary(row: Assessment) -> dict:
    return {"assessment_no": row.code, "matter": row.name, "body": row.body, "state": row.state,
            "state_label": A.STATE_LABELS.get(row.state, row.state), "total": row.total, "level": row.level,
            "level_label": A.LEVELS.get(row.level or "", ""), "conclusion": row.conclusion,
            "conclusion_label": A.CONCLUSIONS.get(row.conclusion or "", ""), "follow_up_of": row.follow_up_of,
            "created_at": row.created_at.isoformat(),
            "concluded_at": row.concluded_at.isoformat() if row.concluded_at else None}


def list_assessments(desk: Desk) -> list[dict]:
    with desk.db.read() as s:
        return [_summary(r) for r in s.scalars(select(Assessment).where(Assessment.deleted.is_(False))
                                               .order_by(Assessment.created_at.desc(), Assessment.code.desc()))]
