"""Administrator operations behind ``towndesk-server``: towns, enrollment codes, enrollment
itself, revocation and district actions (上级交办, 督办) that come down to a town."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.domain import validation as v
from app.domain import workflow as wf
from app.domain.casefold import ActionRecord, apply
from app.domain.ids import case_no as make_case_no
from app.domain.ids import new_id
from app.domain.timezone import LOCAL_TZ
from app.sync import protocol as P
from app.sync.wire import ActionData, fold_to_json
from server import audit, scope
from server.auth import ApiError, issue_code, new_token, sha, take_code
from server.db import lock_town, now_iso
from server.district_ref import seed_town
from server.ingest import ingest_as_district
from server.models import Action, Case, Change, Device, Record, Town

TOWN_RE = re.compile(r"^[A-Z0-9]{1,8}$")
DISTRICT_WORKSTATION = "D0"  # case numbers of 上级交办 cases; never given to a device


def add_town(db, code: str, name: str) -> dict:
    code = code.strip().upper()
    if not TOWN_RE.match(code):
        raise ApiError(400, "invalid", "镇街代码应为 1-8 位大写字母或数字")
    if not name.strip():
        raise ApiError(400, "invalid", "请填写镇街名称")
    with db.tx() as s:
        row = s.get(Town, code)
        if row is None:
            s.add(Town(code=code, name=name.strip(), last_seq=0, min_seq=0, digest_count=0, digest_xor=0,
                       district_cases=0, created_at=now_iso()))
            seed_town(s, code)  # the district's units, categories and calendar start its change log
        else:
            row.name = name.strip()
    return {"town": code, "name": name.strip()}


def enroll_code(db, town: str, unit: str | None = None) -> str:
    """A one-time code; with ``unit`` it enrols a unit workstation (holds only that unit's cases)."""
    with db.tx() as s:
        if s.get(Town, town.upper()) is None:
            raise ApiError(404, "town_unknown", f"镇街 {town} 不存在，请先运行 town add")
        if unit is not None:
            unit = unit.strip()
            if not unit or not scope.unit_known(s, town.upper(), unit):
                raise ApiError(400, "unit_unknown", f"单位「{unit}」在镇街 {town.upper()} 不存在（请填写单位代码）")
        return issue_code(s, town.upper(), unit)


def revoke(db, device_id: str) -> dict:
    with db.tx() as s:
        dev = s.get(Device, device_id)
        if dev is None:
            raise ApiError(404, "device_unknown", f"设备 {device_id} 不存在")
        if not dev.revoked_at:
            dev.revoked_at = now_iso()
            audit.record(s, dev.town, "revoke", device=dev.id, subject=dev.workstation)
            publish_device(s, lock_town(s, dev.town), dev)
        return {"device": dev.id, "town": dev.town, "workstation": dev.workstation, "revoked_at": dev.revoked_at}


def devices(db, town: str | None = None) -> list[dict]:
    with db.read() as s:
        stmt = select(Device).order_by(Device.town, Device.workstation)
        if town:
            stmt = stmt.where(Device.town == town)
        return [{"device": d.id, "town": d.town, "workstation": d.workstation, "hostname": d.hostname,
                 "enrolled_at": d.enrolled_at, "revoked_at": d.revoked_at, "last_push_at": d.last_push_at,
                 "unit": d.unit}
                for d in s.scalars(stmt)]


def publish_device(s, town: Town, dev: Device) -> None:
    """The town's list of enrolled workstations travels as ``device`` records (the district's):
    a centre relay on the LAN admits only these, with their public keys. Written at enrolment and
    revocation, in the same transaction, under the town's lock."""
    data = {"id": dev.id, "code": dev.workstation, "name": (dev.hostname or dev.workstation)[:100],
            "owner_level": "district", "sample": False, "deleted": False, "updated_at": now_iso(),
            "public_key": dev.public_key, "revoked": bool(dev.revoked_at)}
    town.last_seq += 1
    row = s.get(Record, ("*", dev.id)) or s.get(Record, (town.code, dev.id))
    if row is None:
        s.add(Record(scope=town.code, id=dev.id, entity="device", owner_level="district", deleted=False,
                     seq=town.last_seq, data=P.canonical(data)))
    else:
        row.seq, row.data = town.last_seq, P.canonical(data)
    s.add(Change(town=town.code, seq=town.last_seq, entity="device", entity_id=dev.id, received_at=now_iso(),
                 data=P.canonical({"owner_level": "district", "fields": data, "deleted": False})))


def _free_workstation(s, town: str, hint: str | None) -> str:
    used = set(s.scalars(select(Device.workstation).where(Device.town == town))) | {DISTRICT_WORKSTATION}
    if hint and hint not in used:
        return hint
    for n in range(1, 100):
        if f"{n:02d}" not in used:
            return f"{n:02d}"
    for a in "ABCDEFGHJKLMNPQRSTUVWXYZ":
        for n in range(10):
            if f"{a}{n}" not in used:
                return f"{a}{n}"
    raise ApiError(409, "no_workstation_code", "本镇街的工作站代码已用完")


def enroll(db, req: P.EnrollRequest) -> P.EnrollReply:
    """Spend a one-time code: register the device, bind its token to device + town + database."""
    token = new_token()
    with db.tx() as s:
        code = take_code(s, req.code)
        town = lock_town(s, code.town)  # the device record below takes the town's next sequence number
        if req.town and req.town != town.code:
            raise ApiError(409, "town_mismatch", f"本机数据属于镇街 {req.town}，注册码属于镇街 {town.code}，不能注册")
        if code.unit and req.town:
            raise ApiError(409, "unit_needs_new_store", f"单位工作站（{code.unit}）只保存本单位的案件，须在新的数据目录中注册；"
                                                        "本机已有镇街数据，不能用单位注册码注册")
        dev = s.get(Device, req.device_id)
        if dev is not None and dev.town != town.code:
            raise ApiError(409, "device_other_town", "该设备已注册到其他镇街")
        if dev is not None and not dev.revoked_at:
            raise ApiError(409, "device_exists", "该设备已注册且授权有效，注册码不能接管已注册的工作站；"
                                                 "如需重新注册，请区级管理员先吊销其授权（towndesk-server revoke）")
        if dev is None:
            dev = Device(id=req.device_id, town=town.code, enrolled_at=now_iso(),
                         workstation=_free_workstation(s, town.code, req.workstation_hint))
            s.add(dev)
        dev.db_id, dev.token_hash, dev.chain_hash = req.db_id, sha(token), sha(req.chain)
        dev.hostname, dev.revoked_at = req.hostname, None
        dev.public_key, dev.high_at, dev.unit = req.public_key, None, code.unit or None
        code.device_id = dev.id
        audit.record(s, town.code, "enroll", device=dev.id, subject=dev.workstation,
                     detail={"hostname": req.hostname, "db_id": req.db_id, "signed": bool(req.public_key),
                             "unit": dev.unit})
        publish_device(s, town, dev)
        return P.EnrollReply(token=token, town=town.code, town_name=town.name, workstation=dev.workstation,
                             device_id=dev.id, protocol=P.PROTOCOL_VERSION, unit=dev.unit)


def district_assign(db, town: str, data: dict) -> dict:
    """上级交办: a new case for a town (intake by the district); its workstations pull it."""
    if not isinstance(data, dict):
        raise ApiError(400, "invalid", "交办内容应为 JSON 对象")
    description = v.require(data.get("description"), "description", "诉求内容")
    v.check_length(description, "description", "诉求内容", 4000, 4)
    title = (data.get("title") or "").strip() or description[:30]
    category = (data.get("category") or "").strip()
    if not category:
        raise ApiError(400, "invalid", "请填写事项分类（category）")
    phone = str((data.get("reporter") or {}).get("phone") or "").strip() or None
    if phone:
        phone = v.check_phone(phone)
    at = datetime.now(UTC)
    day = at.astimezone(LOCAL_TZ).date()
    with db.read() as s:
        if s.get(Town, town) is None:
            raise ApiError(404, "town_unknown", f"镇街 {town} 不存在")
        prefix = f"{town}-{day:%Y%m%d}-{DISTRICT_WORKSTATION}-"
        n = s.scalar(select(func.count()).select_from(Case).where(Case.town == town,
                                                                  Case.case_no.like(prefix + "%")))
    case_no = make_case_no(town, day, DISTRICT_WORKSTATION, n + 1)
    payload = {"case_no": case_no, "town": town, "channel": "district_assign", "type": data.get("type") or "help",
               "title": title, "description": description, "reporter_name": (data.get("reporter") or {}).get("name"),
               "reporter_phone": phone, "reporter_id_no": None, "anonymous": not phone, "persons": 1,
               "category": category, "village": data.get("village"), "grid": None, "address": data.get("address"),
               "urgency": data.get("urgency") or "normal", "major": bool(data.get("major"))}
    if data.get("instruction"):
        payload["instruction"] = str(data["instruction"])[:500]
    entry = _district_entry("intake", at, payload)
    verdict = ingest_as_district(db, town, [entry])[0]
    if verdict.status != "accepted":
        raise ApiError(400, verdict.code or "invalid", verdict.reason or "交办失败")
    return {"case_no": case_no, "case_id": entry.payload["case_id"], "town": town, "server_seq": verdict.server_seq}


def district_urge(db, town: str, case_no: str, level: str, instruction: str) -> dict:
    """区级督办 on a town's case."""
    with db.read() as s:
        row = s.scalar(select(Case).where(Case.town == town, Case.case_no == case_no))
    if row is None:
        raise ApiError(404, "case_unknown", f"案件 {case_no} 不存在")
    entry = _district_entry("urge", datetime.now(UTC), {"level": level, "instruction": instruction}, row.id)
    verdict = ingest_as_district(db, town, [entry])[0]
    if verdict.status != "accepted":
        raise ApiError(400, verdict.code or "invalid", verdict.reason or "督办失败")
    return {"case_no": case_no, "server_seq": verdict.server_seq}


def district_escalations(db, town: str | None = None) -> list[dict]:
    """上报: the towns' cases waiting for the district (state escalated), longest waiting first."""
    with db.read() as s:
        if town and s.get(Town, town) is None:
            raise ApiError(404, "town_unknown", f"镇街 {town} 不存在")
        q = select(Case.town, Case.fold).where(Case.state == wf.ESCALATED)
        rows = s.execute(q.where(Case.town == town) if town else q).all()
    out = []
    for town_code, fold in rows:
        c = json.loads(fold)
        out.append({"town": town_code, "case_no": c["case_no"], "title": c["title"], "category": c.get("category"),
                    "village": c.get("village"), "persons": c.get("persons"), "urgency": c.get("urgency"),
                    "major": c.get("major"), "received_at": c.get("received_at"),
                    "escalated_at": c.get("escalated_at"), "reason": c.get("last_reason")})
    out.sort(key=lambda r: (r["escalated_at"] or "", r["case_no"]))
    return out


def district_assign_down(db, town: str, case_no: str, instruction: str | None = None) -> dict:
    """上级交办 of an escalated case: it goes back to the town's 待分派 queue, with the district's
    instruction (领导批示) first when one is given."""
    with db.read() as s:
        row = s.scalar(select(Case).where(Case.town == town, Case.case_no == case_no))
    if row is None:
        raise ApiError(404, "case_unknown", f"案件 {case_no} 不存在")
    at = datetime.now(UTC)
    entries = [_district_entry("instruct", at, {"instruction": instruction[:500]}, row.id)] if instruction else []
    entries.append(_district_entry("assign_down", at, {}, row.id))
    verdicts = ingest_as_district(db, town, entries)
    bad = next((x for x in verdicts if x.status != "accepted"), None)
    if bad is not None:
        raise ApiError(400, bad.code or "invalid", bad.reason or "交办失败")
    return {"case_no": case_no, "server_seq": verdicts[-1].server_seq}


def _district_entry(kind: str, at, payload: dict, case_id: str | None = None) -> P.PushEntry:
    action_id = new_id()
    cid = case_id or new_id()
    data = {"id": action_id, "case_id": cid, "kind": kind, "at": at.isoformat(), "actor": "district",
            "actor_name": "区级指挥中心", "actor_role": "district", "actor_unit": None, "payload": payload,
            "device_id": "district"}
    return P.PushEntry(id=new_id(), device_seq=0, entity="action", entity_id=action_id, payload=data)


def void_change(db, town_code: str, seq: int, reason: str) -> dict:
    """Mark change ``seq`` of a town void: a new change of entity ``void`` names it, and the
    workstations drop it on their next pull (out of quarantine, or out of their case log). A voided
    action also leaves the district's log: its case is re-folded without it and the digest drops it.
    A voided record change stays merged in the district's copy of the record (the next change of the
    record overwrites it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApiError(400, "invalid", "请填写作废原因（--reason）")
    if len(reason) > 500:
        raise ApiError(400, "invalid", "作废原因不能超过 500 个字")
    with db.tx() as s:
        town = lock_town(s, town_code)
        if town is None:
            raise ApiError(404, "town_unknown", f"镇街 {town_code} 不存在")
        change = s.get(Change, (town.code, seq))
        if change is None:
            raise ApiError(404, "change_unknown", f"镇街 {town.code} 没有序号为 {seq} 的变更")
        if change.entity == P.VOID:
            raise ApiError(400, "invalid", f"变更 {seq} 本身是一条作废记录")
        if s.scalar(select(Change.seq).where(Change.town == town.code, Change.entity == P.VOID,
                                             Change.entity_id == str(seq))) is not None:
            raise ApiError(409, "already_void", f"变更 {seq} 已作废")
        case_id = None
        if change.entity == "action":
            row = s.get(Action, change.entity_id)
            if row is not None and row.town == town.code and row.seq == seq:
                case_id = row.case_id
                s.delete(row)
                s.flush()
                town.digest_count -= 1
                town.digest_xor = P.to_signed64(town.digest_xor ^ P.stored_text_hash(row.id, row.data))
                _refold_case(s, town.code, case_id)
        town.last_seq += 1
        s.add(Change(town=town.code, seq=town.last_seq, entity=P.VOID, entity_id=str(seq), received_at=now_iso(),
                     data=P.canonical({"seq": seq, "entity": change.entity, "id": change.entity_id, "reason": reason})))
        audit.record(s, town.code, "void", actor="district", subject=str(seq),
                     detail={"entity": change.entity, "id": change.entity_id, "reason": reason,
                             "void_seq": town.last_seq, "case_id": case_id})
        return {"town": town.code, "seq": seq, "entity": change.entity, "id": change.entity_id,
                "void_seq": town.last_seq, "reason": reason}


def _refold_case(s, town: str, case_id: str) -> None:
    """The district's fold of one case from its remaining accepted actions (after a void)."""
    state = None
    for a in s.scalars(select(Action).where(Action.town == town, Action.case_id == case_id).order_by(Action.seq)):
        try:
            d = ActionData.model_validate_json(a.data)
            state = apply(state, ActionRecord(d.id, d.case_id, d.kind, d.at, d.actor, d.actor_role, d.payload,
                                              d.actor_unit))
        except (KeyError, AssertionError, TypeError, ValueError, OverflowError):
            continue  # an action only an older server let in: it never changed a fold that counts
    row = s.get(Case, case_id)
    if row is None:
        return
    if state is None:
        s.delete(row)
    else:
        row.state, row.fold = state.state, fold_to_json(state)
