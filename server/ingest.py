"""Push: judge a batch of outbox entries against the server's own fold and write the verdicts.

One transaction per batch, holding the town's lock: entries are judged in order (in memory, with
app.domain.workflow), then accepted actions, record changes, change-log rows and every verdict are
written together. A resent entry gets its stored verdict back; the same entry id with another
payload gets a per-item 409. One bad entry never blocks the rest of the batch.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import time
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError as PydanticError
from sqlalchemy import bindparam, insert, select, update

from app.domain import entities
from app.domain import validation as v
from app.domain import workflow as wf
from app.domain.casefold import DEADLINE_KEYS, ActionRecord, CaseState, apply
from app.domain.ids import CASE_NO_RE
from app.domain.schema import EARLIEST, validate
from app.errors import AppError, NotFound, PermissionDenied, ValidationError, WorkflowError
from app.sync import protocol as P
from app.sync.wire import ActionData, fold_from_json, fold_to_json
from server import audit, directory, signatures
from server.auth import ApiError, Caller, check_chain, check_signature
from server.db import lock_town, now_iso
from server.models import Action, AuditEntry, Case, Change, Device, Received, Record, TownBlob
from server.scope import check_push as check_scope

log = logging.getLogger("towndesk.server")


class Batch:
    """In-memory state of one push: case folds, allocated sequence numbers, rows to write."""

    def __init__(self, session, town, caller: Caller, device: Device | None = None):
        self.s, self.town, self.caller, self.device = session, town, caller, device
        self.now = datetime.now(UTC)                 # the receipt time stamped on every change
        self.now_iso = self.now.isoformat()
        self.high_at = datetime.fromisoformat(device.high_at) if device is not None and device.high_at else None
        self.newest: datetime | None = None          # latest action time accepted in this batch
        self.audits: list[dict] = []                  # audit rows, written with the batch
        self.seq = town.last_seq
        self.count, self.xor = town.digest_count, town.digest_xor
        self.cases: dict[str, tuple[CaseState | None, bool]] = {}  # id -> (state, is_new)
        self.case_nos: set[str] = set()
        self.records: dict[tuple[str, str], dict | None] = {}
        self.actions, self.changes, self.received, self.blobs = [], [], [], set()
        self.touched_cases: dict[str, int] = {}
        self.foreign_ids: set[str] = set()
        self.prefetched = False
        self.users: dict[str, list] = {}          # directory history of this batch's actors
        self.units: set[str] | None = None        # the town's unit codes (loaded when needed)
        self.keys = signatures.Keys(session, town.code)  # device and user keys (loaded when needed)
        self.vouched: list[datetime] = []          # times of accepted user actions signed by their device

    def prefetch(self, entries: list[P.PushEntry]) -> None:
        """Load, in a few queries, the cases and records this batch touches."""
        town = self.town.code
        case_ids = list({str(e.payload.get("case_id")) for e in entries if e.entity == "action"})
        nos = [str((e.payload.get("payload") or {}).get("case_no")) for e in entries
               if e.entity == "action" and e.payload.get("kind") == "intake" and isinstance(e.payload.get("payload"), dict)]
        rec_ids = [e.entity_id for e in entries if e.entity != "action"]
        for start in range(0, len(case_ids), 500):
            for row in self.s.scalars(select(Case).where(Case.id.in_(case_ids[start:start + 500]))):
                self.cases[row.id] = (fold_from_json(row.fold) if row.town == town else None, False)
                if row.town != town:
                    self.foreign_ids.add(row.id)
        for cid in case_ids:
            self.cases.setdefault(cid, (None, False))
        for start in range(0, len(nos), 500):
            self.case_nos.update(self.s.scalars(select(Case.case_no).where(
                Case.town == town, Case.case_no.in_(nos[start:start + 500]))))
        for start in range(0, len(rec_ids), 500):
            for row in self.s.scalars(select(Record).where(Record.scope.in_([town, "*"]),
                                                            Record.id.in_(rec_ids[start:start + 500]))):
                key = (town, row.id)
                if key not in self.records or row.scope == "*":
                    self.records[key] = {"scope": row.scope, "owner_level": row.owner_level,
                                         "data": P_loads(row.data), "new": False}
        for rid in rec_ids:
            self.records.setdefault((town, rid), None)
        if self.device is not None:
            self.users = directory.load(self.s, town, {str(e.payload.get("actor")) for e in entries
                                                       if e.entity == "action"})
        self.prefetched = True

    def actor_entry(self, username: str, at: datetime):
        if username not in self.users:
            self.users.update(directory.load(self.s, self.town.code, [username]))
        return directory.as_of(self.users[username], at)

    def unit_exists(self, code: str) -> bool:
        if self.units is None:
            self.units = {json.loads(d).get("code") for d in self.s.scalars(select(Record.data).where(
                Record.scope.in_([self.town.code, "*"]), Record.entity == "unit", Record.deleted.is_(False)))}
        return code in self.units

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def case(self, case_id: str) -> CaseState | None:
        if case_id not in self.cases:
            row = self.s.scalar(select(Case).where(Case.id == case_id))
            if row is not None and row.town != self.town.code:
                row = None  # another town's case does not exist for this caller
            self.cases[case_id] = (fold_from_json(row.fold) if row else None, False)
        return self.cases[case_id][0]

    def case_id_taken(self, case_id: str) -> bool:
        if self.prefetched and case_id in self.cases:
            return self.cases[case_id][1] or case_id in self.foreign_ids or self.cases[case_id][0] is not None
        return self.s.scalar(select(Case.id).where(Case.id == case_id)) is not None

    def case_no_taken(self, case_no: str) -> bool:
        if case_no in self.case_nos:
            return True
        return not self.prefetched and self.s.scalar(
            select(Case.id).where(Case.town == self.town.code, Case.case_no == case_no)) is not None


def push(db, caller: Caller, req: P.PushRequest, chain: str | None, chain_next: str | None,
         commit_delay: float = 0.0, *, signature: str | None = None, body: bytes = b"") -> P.PushReply:
    with db.tx() as s:
        town = lock_town(s, caller.town)
        dev = s.get(Device, caller.device_id)
        if town is None or dev is None or dev.revoked_at:
            raise ApiError(401, "auth_revoked", "本工作站的同步授权已失效，请联系区级管理员重新注册")
        check_signature(dev, signature, chain, chain_next, body)
        check_chain(dev, chain, chain_next)
        dev.last_push_at = now_iso()
        b = Batch(s, town, caller, dev)
        b.keys.prepare(req.entries)  # actors' keys in one query; signatures verified ahead in threads
        ids = [e.id for e in req.entries]
        known = {r.id: r for r in s.scalars(select(Received).where(
            Received.town == town.code, Received.id.in_(ids)))} if ids else {}
        action_ids = [e.entity_id for e in req.entries if e.entity == "action"]
        existing = {a.id: a for a in s.scalars(select(Action).where(Action.id.in_(action_ids)))} \
            if action_ids else {}
        b.prefetch(req.entries)
        results = [_one(b, e, known, existing) for e in req.entries]
        _write(b)
        if b.newest is not None and (b.high_at is None or b.newest > b.high_at):
            dev.high_at = b.newest.isoformat()
        if commit_delay:
            time.sleep(commit_delay)  # test hook: hold the lock with allocated numbers uncommitted
        return P.PushReply(results=results, high=b.seq)


def _one(b: Batch, e: P.PushEntry, known: dict, existing: dict) -> P.Verdict:
    text = b.keys.canonical(e)  # P.canonical(e.payload), spelled once per push
    h = P.payload_hash(e.entity, e.entity_id, e.payload, text)
    prev = known.get(e.id)
    if prev is not None:
        if prev.hash != h:
            return P.Verdict(id=e.id, status="conflict", http=409, code="id_reused",
                             reason="同一条目编号对应的内容不同，已拒绝")
        return P.Verdict(id=e.id, status=prev.status, http=prev.http, server_seq=prev.server_seq,
                         code=prev.code, reason=prev.reason)
    size = len(text.encode())
    try:
        if size > P.MAX_ENTRY_BYTES:
            text = ""  # not kept: the verdict and the hash are enough to answer a resend
            raise ValidationError(f"条目过大（{size // 1024} KB，上限 {P.MAX_ENTRY_BYTES // 1024} KB），未被接受",
                                  field="payload", code="too_large")
        if e.entity == "action":
            verdict = _action(b, e, existing, text)
        else:
            verdict = _record(b, e)
    except AppError as err:
        verdict = P.Verdict(id=e.id, status="rejected", http=422, code=err.code, reason=err.message)
    except PydanticError as err:
        where = ".".join(str(x) for x in err.errors()[0]["loc"]) if err.errors() else "?"
        verdict = P.Verdict(id=e.id, status="rejected", http=422, code="invalid",
                            reason=f"数据格式不正确（{where}）")
    except Exception as err:  # noqa: BLE001 — a malformed entry must not fail the batch
        log.warning("entry %s rejected: %r", e.id, err)
        verdict = P.Verdict(id=e.id, status="rejected", http=422, code="invalid",
                            reason=f"数据格式不正确：{type(err).__name__}")
    row = dict(town=b.town.code, id=e.id, device_id=b.caller.device_id, entity=e.entity,
               entity_id=e.entity_id, hash=h, status=verdict.status, http=verdict.http,
               server_seq=verdict.server_seq, code=verdict.code, reason=verdict.reason,
               payload=text, at=now_iso())
    b.received.append(row)
    known[e.id] = Received(**row)
    return verdict


def _action(b: Batch, e: P.PushEntry, existing: dict, text: str) -> P.Verdict:
    a = ActionData.model_validate(e.payload)
    if a.id != e.entity_id:
        raise ValidationError("条目编号与操作编号不一致", field="id")
    h = P.payload_hash("action", a.id, e.payload, text)
    if a.id in existing:  # the same action resent under another entry id
        prev = existing[a.id]
        if prev.town == b.town.code and prev.hash == h:
            return P.Verdict(id=e.id, status="accepted", server_seq=prev.seq)
        return P.Verdict(id=e.id, status="conflict", http=409, code="id_reused", reason="操作编号重复且内容不同")
    state = b.case(a.case_id)
    new_case = False
    if a.kind == "intake":
        if state is not None or b.case_id_taken(a.case_id):
            raise WorkflowError("案件已存在，不能重复受理", field="action")
        _check_intake(b, a)
        new_case = True
    elif state is None:
        raise NotFound("案件在区级不存在（其受理登记未被接受）", field="case_id")
    check_scope(b, a, state)  # a unit workstation: only its unit's cases (server/scope.py)
    vouched = b.device is not None and signatures.check(b, e, a, text)  # the district's own actions need none
    _check_time(b, a)
    _check_actor(b, a)
    wf.judge(state.state if state else None, a.kind, a.actor_role, a.payload, actor_unit=a.actor_unit,
             case_unit=state.unit if state else None)
    for key in DEADLINE_KEYS:
        if key in a.payload:
            value = datetime.fromisoformat(str(a.payload[key]))
            if value.tzinfo is None:
                raise ValidationError("时限必须带时区", field=key)
    rec = ActionRecord(a.id, a.case_id, a.kind, a.at, a.actor, a.actor_role, a.payload, a.actor_unit)
    after = apply(dataclasses.replace(state) if state else None, rec)
    seq = b.next_seq()
    b.cases[a.case_id] = (after, new_case or b.cases.get(a.case_id, (None, False))[1])
    if new_case:
        b.case_nos.add(after.case_no)
    b.touched_cases[a.case_id] = seq
    data = text
    b.actions.append(dict(id=a.id, town=b.town.code, case_id=a.case_id, seq=seq, kind=a.kind,
                          device_id=a.device_id, hash=h, data=data))
    b.changes.append(dict(town=b.town.code, seq=seq, entity="action", entity_id=a.id, data=data,
                          received_at=b.now_iso))
    existing[a.id] = Action(id=a.id, town=b.town.code, hash=h, seq=seq)
    _note_time(b, a)
    if vouched:
        b.vouched.append(a.at)
    b.count += 1
    b.xor = P.to_signed64(b.xor ^ P.action_hash(a))  # its content (protocol.content_hash)
    if a.kind == "attach":
        b.blobs.add(str(a.payload["sha256"]))
    return P.Verdict(id=e.id, status="accepted", server_seq=seq)


def _check_time(b: Batch, a: ActionData) -> None:
    """The action's own time against the server's receipt time: more than FUTURE_MINUTES ahead is
    refused (and audited); before 2000 is refused. One dated before the latest action this device
    pushed earlier is accepted but audited as backdated (the device's clock went back, or the
    time was set by hand). District-made actions are the district's own and not checked."""
    if b.device is None:
        return
    if a.at > b.now + timedelta(minutes=P.FUTURE_MINUTES):
        audit.record(b.s, b.town.code, "future", device=b.caller.device_id, actor=a.actor, subject=a.id,
                     detail={"kind": a.kind, "at": a.at.isoformat(), "received_at": b.now_iso})
        raise ValidationError(f"操作时间 {a.at.isoformat()} 晚于服务器接收时间超过 {P.FUTURE_MINUTES} 分钟，"
                              "请检查本机时钟", field="at", code="future")
    if a.at < EARLIEST:
        raise ValidationError("操作时间早于 2000 年，未被接受", field="at")


UNIT_KEYED = ("dispatch", "transfer", "cohandle")


def _check_actor(b: Batch, a: ActionData) -> None:
    """The actor, role and unit as the district's directory has them at the action's time; a unit
    named by a dispatch, transfer or co-handling request must exist in the town."""
    if b.device is None:
        return  # the district's own actions
    if (a.actor, a.actor_role) not in directory.SYSTEM_ACTORS:
        entry = b.actor_entry(a.actor, a.at)
        if entry is None:
            raise PermissionDenied(f"操作人「{a.actor}」不在区级用户目录中（或当时尚未添加），操作未被接受", field="actor")
        if not entry.active:
            raise PermissionDenied(f"用户「{a.actor}」在操作时已停用，操作未被接受", field="actor")
        if entry.role != a.actor_role or (entry.unit or None) != (a.actor_unit or None):
            role = wf.ROLE_LABELS.get(entry.role, entry.role)
            raise PermissionDenied(f"操作人「{a.actor}」的角色或单位与区级目录不符（目录中为{role}"
                                   f"{'，' + entry.unit if entry.unit else ''}），操作未被接受", field="actor_role")
    unit = a.payload.get("unit") if a.kind in UNIT_KEYED else None
    if isinstance(unit, str) and unit and not b.unit_exists(unit):
        raise ValidationError(f"单位「{unit}」在本镇街不存在", field="unit")


def _note_time(b: Batch, a: ActionData) -> None:
    """After acceptance: the backdated flag and the device's high mark of action times."""
    if b.device is None:
        return
    if b.high_at is not None and a.at < b.high_at:
        detail = {"kind": a.kind, "case_id": a.case_id, "at": a.at.isoformat(),
                  "device_high_at": b.high_at.isoformat(), "received_at": b.now_iso}
        b.audits.append(audit.row(b.town.code, "backdated", device=b.caller.device_id, actor=a.actor, subject=a.id,
                                  at=b.now_iso, detail=detail))
    if b.newest is None or a.at > b.newest:
        b.newest = a.at


def _check_intake(b: Batch, a: ActionData) -> None:
    p = a.payload
    case_no = str(p.get("case_no") or "")
    if not CASE_NO_RE.match(case_no) or not case_no.startswith(b.town.code + "-"):
        raise ValidationError(f"案件编号「{case_no}」不属于本镇街", field="case_no")
    if p.get("town") != b.town.code:
        raise PermissionDenied("只能受理本镇街的案件", field="town")
    if b.case_no_taken(case_no):
        raise WorkflowError(f"案件编号 {case_no} 已被使用", field="case_no")
    for key in ("title", "description", "channel", "type"):
        if not isinstance(p.get(key), str):
            raise ValidationError(f"受理登记缺少{key}", field=key)
    if p.get("reporter_phone"):
        v.check_phone(str(p["reporter_phone"]))
    if p.get("reporter_id_no"):
        v.check_id_no(str(p["reporter_id_no"]))
    if "sha256" in p and not isinstance(p["sha256"], str):
        raise ValidationError("附件哈希格式不正确", field="sha256")


def _record(b: Batch, e: P.PushEntry) -> P.Verdict:
    kind = entities.BY_NAME[e.entity]
    if kind.owner == entities.DISTRICT:  # e.g. towns: the district's alone, whatever the payload says
        raise PermissionDenied(f"{kind.label}信息由区级维护，本机修改未被接受", field=e.entity)
    payload = dict(e.payload)
    changed = payload.pop("_changed", None)
    seed = bool(payload.pop("_seed", False))  # an enrolling store's copy: fills gaps, never overwrites
    if e.entity == "user" and not seed:
        raise PermissionDenied("用户以区级目录为准：本机的用户修改未被接受，请联网修改（towndesk user add/set）",
                               field="user")
    if payload.get("id", e.entity_id) != e.entity_id:
        raise ValidationError("记录编号不一致", field="id")
    key = (b.town.code, e.entity_id)
    if key not in b.records:
        row = b.s.get(Record, ("*", e.entity_id)) or b.s.get(Record, key)
        b.records[key] = None if row is None else {"scope": row.scope, "owner_level": row.owner_level,
                                                   "data": P_loads(row.data), "new": False}
    cur = b.records[key]
    owner = cur["owner_level"] if cur else payload.get("owner_level", "town")
    if owner != "town" or (cur and cur["scope"] == "*"):
        raise PermissionDenied("区级基础数据只能由区级修改，本机修改未被接受", field=e.entity)
    clean = {k: val for k, val in payload.items() if k not in P.LOCAL_FIELDS and k != "id"
             and isinstance(k, str) and len(k) <= 40}
    validate(kind.fields, clean, mode="stored", label=kind.label)  # its declared schema (entities)
    if cur is None:
        if not clean.get("code"):
            raise ValidationError("新记录缺少代码", field="code")
        if e.entity == "user":
            _found_user(b, clean)
        diff = clean
        cur = b.records[key] = {"scope": b.town.code, "owner_level": "town", "data": {}, "new": True}
    elif seed:
        return P.Verdict(id=e.id, status="accepted", server_seq=None)
    else:
        fields = changed if isinstance(changed, list) else list(clean)
        diff = {k: clean[k] for k in fields if isinstance(k, str) and k in clean and cur["data"].get(k) != clean[k]}
    if not diff:
        return P.Verdict(id=e.id, status="accepted", server_seq=None)
    cur["data"].update(diff)
    seq = b.next_seq()
    cur["seq"], cur["entity"] = seq, e.entity
    shown = directory.public_fields(diff) if e.entity == "user" else diff
    b.changes.append(dict(town=b.town.code, seq=seq, entity=e.entity, entity_id=e.entity_id, data=P.canonical(
        {"owner_level": "town", "fields": shown, "deleted": bool(cur["data"].get("deleted", False))}),
        received_at=b.now_iso))
    return P.Verdict(id=e.id, status="accepted", server_seq=seq)


def _found_user(b: Batch, data: dict) -> None:
    """A seeded user enters the directory only from the store that founded the town's directory
    (the first enrolled store with users); later stores' users must be added online."""
    town = b.town
    if town.directory_device is None and not directory.has_users(b.s, town.code):
        town.directory_device = b.caller.device_id
    if town.directory_device != b.caller.device_id:
        raise PermissionDenied(f"用户「{data.get('code')}」不在区级目录中：新用户须由管理员联网添加", field="user")
    if data.get("role") not in wf.USER_ROLES:
        raise ValidationError("用户角色不正确", field="role")
    directory.founding_entry(b.s, town.code, data, f"seed:{b.caller.device_id}")
    b.users[str(data.get("code"))] = [directory.Entry(datetime.fromisoformat(directory.FOUNDED), data["role"],
                                                      data.get("unit_code") or None, bool(data.get("active", True)))]


def P_loads(text: str) -> dict:
    return json.loads(text)


def _write(b: Batch) -> None:
    """Write the batch with executemany over the Core tables (one statement per kind)."""
    s, town = b.s, b.town.code
    if b.actions:
        s.execute(insert(Action.__table__), b.actions)
    new_cases, case_updates = [], []
    for case_id, seq in b.touched_cases.items():
        state, is_new = b.cases[case_id]
        values = dict(state=state.state, fold=fold_to_json(state), last_seq=seq)
        if is_new:
            new_cases.append(dict(id=case_id, town=town, case_no=state.case_no, **values))
        else:
            case_updates.append(dict(_id=case_id, **values))
    if new_cases:
        s.execute(insert(Case.__table__), new_cases)
    if case_updates:
        t = Case.__table__
        s.execute(update(t).where(t.c.id == bindparam("_id")), case_updates)
    for (scope, rid), rec in b.records.items():
        if rec is None or "seq" not in rec:
            continue
        values = dict(entity=rec["entity"], owner_level=rec["owner_level"], seq=rec["seq"],
                      deleted=bool(rec["data"].get("deleted", False)), data=P.canonical(rec["data"]))
        if rec["new"]:
            s.execute(insert(Record.__table__).values(scope=scope, id=rid, **values))
            rec["new"] = False
        else:
            s.execute(update(Record.__table__).where(Record.scope == scope, Record.id == rid).values(**values))
    if b.changes:
        s.execute(insert(Change.__table__), b.changes)
    if b.received:
        s.execute(insert(Received.__table__), b.received)
    if b.vouched:
        signatures.vouched_audit(b, len(b.vouched), min(b.vouched), max(b.vouched))
    if b.audits:
        s.execute(insert(AuditEntry.__table__), b.audits)
    for sha in b.blobs:
        if s.get(TownBlob, (town, sha)) is None:
            s.add(TownBlob(town=town, sha256=sha))
    b.town.last_seq, b.town.digest_count, b.town.digest_xor = b.seq, b.count, b.xor


def ingest_as_district(db, town_code: str, entries: list[P.PushEntry]) -> list[P.Verdict]:
    """Write district-made actions (上级交办, 督办) into a town's log through the same judge."""
    with db.tx() as s:
        town = lock_town(s, town_code)
        if town is None:
            raise ApiError(404, "town_unknown", f"镇街 {town_code} 不存在")
        b = Batch(s, town, Caller("district", town_code, "D0", "district"))
        existing = {a.id: a for a in s.scalars(select(Action).where(
            Action.id.in_([e.entity_id for e in entries])))}
        results = [_one(b, e, {}, existing) for e in entries]
        _write(b)
        return results
