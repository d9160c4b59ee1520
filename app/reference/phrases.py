"""常用语: saved texts for the free-text fields operators type again and again (办理结果, 退回理由,
督办要求, 回访记录, 派单/转办说明). The centre's lists are kept by the admin; each user keeps a
personal list. A few built-in phrases are offered while a list is empty. Found by text or pinyin
initials (``jsbj`` → 已上门核实…). Personal phrases stay on this workstation (table ``phrases``,
integer ids); the centre's are a synced reference record (``centre_phrases``, entity ``phrase``,
string ids) that reaches every workstation of the town. Every change in one transaction with its
audit entry (and, for a centre phrase, its outbox entry)."""
from __future__ import annotations

from sqlalchemy import select

from app.desk import Actor, Desk
from app.domain import workflow as wf
from app.domain.ids import new_id
from app.domain.schema import Field, validate
from app.errors import PermissionDenied, ValidationError
from app.reference.records import initials
from app.store.audit import audit
from app.store.models import CentrePhrase, Phrase
from app.store.outbox import enqueue_record

FIELDS = {"result": "办理结果", "return_reason": "退回理由", "urge": "督办要求", "callback": "回访记录",
          "dispatch_note": "派单/转办说明"}

# Which action dialog input takes which list: (action kind, field key) -> phrase field.
ACTION_FIELDS = {("request_close", "result"): "result", ("answer", "result"): "result",
                 ("return", "reason"): "return_reason", ("urge", "instruction"): "urge",
                 ("callback", "note"): "callback", ("dispatch", "note"): "dispatch_note",
                 ("transfer", "reason"): "dispatch_note"}

BUILT_IN = {
    "result": ["已联系诉求人并上门核实，问题已解决，诉求人表示认可。", "已协调相关单位现场处理，问题已整改到位。",
               "经核实，该事项不属于本单位职责，已告知诉求人相关办理渠道。"],
    "return_reason": ["该事项不属于本单位职责范围，请重新分派。", "地址信息不详，无法核实，请补充具体位置。"],
    "urge": ["请于今日内联系诉求人并反馈办理进展。", "该件已超期，请立即办理并书面说明超期原因。"],
    "callback": ["诉求人对办理结果表示满意。", "多次电话联系未接通，已短信告知办理结果。",
                 "诉求人表示问题已解决，但对办理时效有意见。"],
    "dispatch_note": ["请于签收后两个工作日内联系诉求人。", "请会同属地村社共同处理。"],
}
MAX_TEXT = 500
LIMIT = 50


def _field(field: str) -> str:
    if field not in FIELDS:
        raise ValidationError("常用语类别应为：" + "、".join(f"{k}（{v}）" for k, v in FIELDS.items()), field="field")
    return field


def _matches(text: str, keys: str, q: str) -> bool:
    return not q or q in text or q in keys


def list_phrases(desk: Desk, actor: Actor | None, field: str, q: str = "") -> list[dict]:
    """The user's own phrases first (most used first), then the centre's; the built-in ones when the
    centre has none for this field. Each: {id (None for built-in), text, scope: mine|centre|built_in}."""
    field = _field(field)
    q = (q or "").strip().lower()
    owner = actor.username if actor else None
    with desk.db.read() as s:
        mine = s.scalars(select(Phrase).where(Phrase.field == field, Phrase.owner == owner)
                         .order_by(Phrase.uses.desc(), Phrase.id)).all() if owner else []
        centre = s.scalars(select(CentrePhrase).where(CentrePhrase.field == field, CentrePhrase.deleted.is_(False))
                           .order_by(CentrePhrase.uses.desc(), CentrePhrase.code)).all()
    out = [{"id": r.id, "text": r.text, "scope": "mine"} for r in mine if _matches(r.text.lower(), r.keys, q)]
    out += [{"id": r.id, "text": r.text, "scope": "centre"} for r in centre if _matches(r.text.lower(), r.keys, q)]
    if not centre:
        out += [{"id": None, "text": t, "scope": "built_in"} for t in BUILT_IN.get(field, [])
                if _matches(t.lower(), initials(t), q)]
    return out[:LIMIT]


def add_phrase(desk: Desk, actor: Actor, field: str, text: str, centre: bool = False) -> dict:
    """Save a phrase to the user's own list, or (admin only) to the centre's list."""
    field = _field(field)
    text = (text or "").strip()
    if not text:
        raise ValidationError("常用语内容不能为空", field="text")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"常用语不能超过 {MAX_TEXT} 字", field="text")
    text = validate((Field("text", "常用语内容", "text", max_len=MAX_TEXT, required=True),), {"text": text})["text"]
    if centre and actor.role != wf.ADMIN:
        raise PermissionDenied("中心常用语由管理员维护", field="centre")
    if centre:
        return _add_centre(desk, actor, field, text)
    owner = actor.username
    with desk.db.tx() as s:
        exists = s.scalar(select(Phrase.id).where(Phrase.field == field, Phrase.text == text, Phrase.owner == owner))
        if exists:
            return {"id": exists, "text": text, "scope": "mine"}
        row = Phrase(field=field, owner=owner, text=text, keys=initials(text), uses=0, created_at=desk.now())
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "phrase_add", str(row.id), {"field": field, "centre": False})
        return {"id": row.id, "text": text, "scope": "mine"}


def _add_centre(desk: Desk, actor: Actor, field: str, text: str) -> dict:
    """A centre phrase: a town-owned reference record, queued for the district in the same
    transaction (the town's other workstations get it on their next sync)."""
    with desk.db.tx() as s:
        row = s.scalar(select(CentrePhrase).where(CentrePhrase.field == field, CentrePhrase.text == text))
        if row is not None and not row.deleted:
            return {"id": row.id, "text": text, "scope": "centre"}
        if row is None:
            rid = new_id()
            row = CentrePhrase(id=rid, code=rid.replace("-", ""), owner_level="town", sample=False, field=field,
                               text=text, uses=0)
            s.add(row)
        row.name, row.keys, row.deleted, row.updated_at = " ".join(text.split())[:40], initials(text), False, desk.now()
        s.flush()
        audit(s, desk, actor.username, "phrase_add", row.id, {"field": field, "centre": True})
        enqueue_record(s, desk, "phrase", row)
        return {"id": row.id, "text": text, "scope": "centre"}


def delete_phrase(desk: Desk, actor: Actor, phrase_id: int | str) -> None:
    """Delete one of the user's own phrases, or (admin) a centre phrase (a synced tombstone)."""
    if isinstance(phrase_id, str):
        with desk.db.tx() as s:
            row = s.get(CentrePhrase, phrase_id)
            if row is None or row.deleted:
                raise ValidationError("常用语不存在", field="id")
            if actor.role != wf.ADMIN:
                raise PermissionDenied("只能删除自己的常用语（中心常用语由管理员维护）", field="id")
            row.deleted, row.updated_at = True, desk.now()
            s.flush()
            audit(s, desk, actor.username, "phrase_delete", phrase_id, {"field": row.field, "centre": True})
            enqueue_record(s, desk, "phrase", row)
        return
    with desk.db.tx() as s:
        row = s.get(Phrase, phrase_id)
        if row is None:
            raise ValidationError("常用语不存在", field="id")
        if (row.owner is None and actor.role != wf.ADMIN) or (row.owner is not None and row.owner != actor.username):
            raise PermissionDenied("只能删除自己的常用语（中心常用语由管理员维护）", field="id")
        s.delete(row)
        audit(s, desk, actor.username, "phrase_delete", str(phrase_id), {"field": row.field})


def note_used(desk: Desk, phrase_id: int | str | None) -> None:
    """A phrase was picked: it moves up in its list (on this workstation: ``uses`` never travels)."""
    if not phrase_id:
        return
    with desk.db.tx() as s:
        row = s.get(CentrePhrase if isinstance(phrase_id, str) else Phrase, phrase_id)
        if row is not None:
            row.uses += 1
