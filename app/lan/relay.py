"""The centre relay's judge and log (``towndesk lan serve``): while the district is unreachable,
one workstation takes its peers' pushes and serves their pulls with the district's guarantees.

- **Idempotent ids.** Every entry id's verdict is kept (``lan_verdicts``): a resent entry gets
  it back; the same id with another payload gets a per-item 409, as at the district.
- **Per-item verdicts.** Entries of a batch are judged in order, one bad entry never blocks the
  rest; the whole batch and its verdicts are written in ONE transaction (a relay killed in the
  middle keeps all of it or none of it).
- **The declared workflow.** An action is judged with ``app.domain.workflow.judge`` against the
  relay's fold of its case: the district-accepted log this store holds, then the relay's accepted
  entries in relay order (``lan_cases``). An intake needs a free case number of the town. The
  district stays the authority: it judges every entry again when the relay hands it on.
- **Ordered changes, own sequence, digest.** Accepted entries get the relay's sequence number
  (``lan_entries.seq``); pages are read in one read transaction; the last page carries the
  count and XOR hash of the relay's action ids, the same digest the district serves.

Entries are stored exactly as pushed (``lan_entries.entry``, every field kept: a signature a
newer build adds travels on unchanged) and handed on to the district with their original ids.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import ValidationError as PydanticError
from sqlalchemy import func, insert, select, text

from app.domain import entities
from app.domain import workflow as wf
from app.domain.casefold import ActionRecord, apply
from app.domain.ids import CASE_NO_RE
from app.errors import AppError, NotFound, PermissionDenied, ValidationError, WorkflowError
from app.lan.base import RelayError, hold, take_write_lock
from app.store.models import Case, CaseAction, LanCase, LanEntry, LanVerdict
from app.sync import protocol as P
from app.sync.decode import decode
from app.sync.refold import fold_accepted
from app.sync.wire import ActionData, fold_from_json, fold_to_json

_E = LanEntry.__table__


class Relay:
    def __init__(self, desk):
        self.desk = desk
        self.town = desk.meta("town_code")
        if not self.town:
            raise RelayError(409, "not_enrolled", "本工作站尚未初始化或注册，不能作为局域网中继")

    # -- push --------------------------------------------------------------------------------
    def push(self, device_id: str, raw_entries: list) -> dict:
        """Judge a batch in order and write it with its verdicts in one transaction."""
        if not isinstance(raw_entries, list) or len(raw_entries) > P.MAX_BATCH_ENTRIES:
            raise RelayError(422, "invalid_body", f"上传内容应为不超过 {P.MAX_BATCH_ENTRIES} 条的列表")
        now = datetime.now(UTC).isoformat()
        with self.desk.db.tx() as s:
            take_write_lock(s)
            s.execute(text("PRAGMA defer_foreign_keys = ON"))  # held case rows are built after their actions
            batch = _Batch(s, self.town)
            results = [batch.one(device_id, raw, now) for raw in raw_entries]
            high = s.scalar(select(func.max(LanEntry.seq))) or 0
            if batch.logged and device_id != self.desk.device_id:
                # the relay's own workstation sees its peers' work at once, not at its next round
                hold(s, decode(P.ChangesPage(changes=batch.logged, next=high, more=False, high=high)))
        return {"results": results, "high": high}

    def absorb_own(self) -> None:
        """The relay workstation's own outbox joins the log before a page is served, so that its
        peers see its work within their round (the same step as its own peer round's push)."""
        from app.lan.peer import push_outbox

        me = self.desk.device_id
        push_outbox(self.desk, lambda entries: P.PushReply.model_validate(self.push(me, entries)), f"lan.{me}.")

    # -- pull --------------------------------------------------------------------------------
    def page(self, after: int, limit: int) -> dict:
        """Changes after ``after`` in relay order, in one read transaction; the digest on the last."""
        limit = max(1, min(int(limit), P.PAGE_MAX))
        self.absorb_own()
        with self.desk.db.read() as s:
            high = s.scalar(select(func.max(LanEntry.seq))) or 0
            if after > high or after < 0:
                raise RelayError(410, "must_resync", "同步位置已失效（中继的数据已重置），需要完整重新同步")
            rows = s.execute(select(_E.c.seq, _E.c.entity, _E.c.entity_id, _E.c.entry, _E.c.received_at)
                             .where(_E.c.seq > after, _E.c.seq <= high).order_by(_E.c.seq).limit(limit)).all()
            nxt = rows[-1].seq if rows else high
            more = nxt < high
            digest = None if more else _digest(s, high)
        changes = [{"seq": r.seq, "entity": r.entity, "id": r.entity_id, "data": change_data(r.entity, r.entry),
                    "received_at": r.received_at} for r in rows]
        out = {"changes": changes, "next": nxt, "more": more, "high": high}
        if digest is not None:
            out["digest"] = digest
        return out

    def digest(self) -> dict:
        with self.desk.db.read() as s:
            return _digest(s, s.scalar(select(func.max(LanEntry.seq))) or 0)


def change_data(entity: str, entry_text: str) -> dict:
    """What a change carries: an action as pushed, a record as {owner_level, fields, deleted}."""
    payload = json.loads(entry_text)["payload"]
    if entity == "action":
        return payload
    fields = {k: v for k, v in payload.items() if k not in ("_changed", "_seed") and k not in P.LOCAL_FIELDS}
    changed = payload.get("_changed")
    if isinstance(changed, list):
        fields = {k: v for k, v in fields.items() if k in changed or k in ("id", "code")}
    return {"owner_level": payload.get("owner_level") or "town", "fields": fields,
            "deleted": bool(payload.get("deleted", False))}


def _digest(s, high: int) -> dict:
    count, xor = 0, 0
    for (aid,) in s.execute(select(_E.c.entity_id).where(_E.c.entity == "action", _E.c.seq <= high)):
        count += 1
        xor ^= P.id_hash(aid)
    return {"upto": high, "count": count, "hash": P.digest_hex(xor)}


class _Batch:
    def __init__(self, s, town: str):
        self.s, self.town = s, town
        self.folds: dict[str, object] = {}
        self.logged: list[P.Change] = []  # what this batch added to the log, as changes

    def one(self, device_id: str, raw, now: str) -> dict:
        entry_id = str(raw.get("id")) if isinstance(raw, dict) else "?"
        try:
            e = P.PushEntry.model_validate(raw)
        except PydanticError as err:
            where = ".".join(str(x) for x in err.errors()[0]["loc"]) if err.errors() else "?"
            return _verdict(entry_id[:36], "rejected", 422, code="invalid", reason=f"数据格式不正确（{where}）")
        text = P.canonical(e.payload)
        h = P.payload_hash(e.entity, e.entity_id, e.payload, text)
        prev = self.s.get(LanVerdict, e.id)
        if prev is not None:
            if prev.hash != h:
                return _verdict(e.id, "conflict", 409, code="id_reused", reason="同一条目编号对应的内容不同，已拒绝")
            return _verdict(e.id, prev.status, prev.http, prev.seq, prev.code, prev.reason)
        if len(text.encode()) > P.MAX_ENTRY_BYTES:
            return self._keep(e.id, h, _verdict(e.id, "rejected", 422, code="too_large", reason="条目过大，未被接受"))
        try:
            if e.entity == "action":
                seq = self._action(e, h, raw, device_id, now)
            else:
                seq = self._record(e, raw, device_id, now)
            verdict = _verdict(e.id, "accepted", 200, seq)
        except AppError as err:
            verdict = _verdict(e.id, "rejected", 422, code=err.code, reason=err.message)
        except PydanticError as err:
            where = ".".join(str(x) for x in err.errors()[0]["loc"]) if err.errors() else "?"
            verdict = _verdict(e.id, "rejected", 422, code="invalid", reason=f"数据格式不正确（{where}）")
        return self._keep(e.id, h, verdict)

    def _keep(self, entry_id: str, h: str, v: dict) -> dict:
        self.s.execute(insert(LanVerdict.__table__).values(
            entry_id=entry_id, hash=h, status=v["status"], http=v["http"], seq=v["server_seq"], code=v["code"],
            reason=v["reason"]))
        return v

    def _log(self, e: P.PushEntry, raw: dict, device_id: str, now: str) -> int:
        entry = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
        result = self.s.execute(insert(_E).values(
            entry_id=e.id, device_id=device_id, entity=e.entity, entity_id=e.entity_id, entry=entry, received_at=now))
        seq = int(result.inserted_primary_key[0])
        self.logged.append(P.Change(seq=seq, entity=e.entity, id=e.entity_id, data=change_data(e.entity, entry),
                                    received_at=now))
        return seq

    def _action(self, e: P.PushEntry, h: str, raw: dict, device_id: str, now: str) -> int | None:
        a = ActionData.model_validate(e.payload)
        if a.id != e.entity_id:
            raise ValidationError("条目编号与操作编号不一致", field="id")
        earlier = self.s.execute(select(_E.c.seq, _E.c.entry).where(_E.c.entity_id == a.id,
                                                                      _E.c.entity == "action")).first()
        if earlier is not None:  # the same action under another entry id
            same = P.payload_hash("action", a.id, json.loads(earlier.entry)["payload"]) == h
            if same:
                return earlier.seq
            raise WorkflowError("操作编号重复且内容不同", field="id", code="id_reused")
        if self.s.scalar(select(CaseAction.id).where(CaseAction.id == a.id, CaseAction.status == "accepted")):
            return None  # the district has it already: nothing to relay
        state = self._fold(a.case_id)
        if a.kind == "intake":
            if state is not None:
                raise WorkflowError("案件已存在，不能重复受理", field="action")
            self._check_intake(a)
        elif state is None:
            raise NotFound("案件在中继和区级都不存在（其受理登记未被接受）", field="case_id")
        wf.judge(state.state if state else None, a.kind, a.actor_role, a.payload, actor_unit=a.actor_unit,
                 case_unit=state.unit if state else None)
        after = apply(state, ActionRecord(a.id, a.case_id, a.kind, a.at, a.actor, a.actor_role, a.payload,
                                          a.actor_unit))
        self.folds[a.case_id] = after
        self.s.merge(LanCase(id=a.case_id, case_no=after.case_no, fold=fold_to_json(after)))
        return self._log(e, raw, device_id, now)

    def _check_intake(self, a: ActionData) -> None:
        p = a.payload
        case_no = str(p.get("case_no") or "")
        if not CASE_NO_RE.match(case_no) or not case_no.startswith(self.town + "-"):
            raise ValidationError(f"案件编号「{case_no}」不属于本镇街", field="case_no")
        if p.get("town") != self.town:
            raise PermissionDenied("只能受理本镇街的案件", field="town")
        taken = self.s.scalar(select(LanCase.id).where(LanCase.case_no == case_no)) or self.s.scalar(
            select(Case.id).where(Case.case_no == case_no, Case.id != a.case_id))
        if taken:
            raise WorkflowError(f"案件编号 {case_no} 已被使用", field="case_no")

    def _fold(self, case_id: str):
        """The relay's state of a case: its own fold, else the district-accepted log held here."""
        if case_id in self.folds:
            return self.folds[case_id]
        row = self.s.get(LanCase, case_id)
        if row is not None:
            state = fold_from_json(row.fold)
        else:
            acts = self.s.scalars(select(CaseAction).where(CaseAction.case_id == case_id,
                                                           CaseAction.status == "accepted")
                                  .order_by(CaseAction.server_seq)).all()
            state = fold_accepted([ActionRecord(x.id, x.case_id, x.kind, x.at, x.actor, x.actor_role,
                                                x.payload or {}, x.actor_unit) for x in acts]) if acts else None
        self.folds[case_id] = state
        return state

    def _record(self, e: P.PushEntry, raw: dict, device_id: str, now: str) -> int:
        kind = entities.BY_NAME[e.entity]
        if kind.owner == entities.DISTRICT or e.payload.get("owner_level") == entities.DISTRICT:
            raise PermissionDenied(f"{kind.label}信息由区级维护，本机修改未被接受", field=e.entity)
        if e.entity == "user" and not e.payload.get("_seed"):
            raise PermissionDenied("用户以区级目录为准：本机的用户修改未被接受，请联网修改", field="user")
        return self._log(e, raw, device_id, now)


def _verdict(entry_id: str, status: str, http: int, seq: int | None = None, code: str | None = None,
             reason: str | None = None) -> dict:
    return {"id": entry_id, "status": status, "http": http, "server_seq": seq, "code": code, "reason": reason}
