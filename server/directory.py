"""The town user directory: the district server's word on who may act, with which role and unit.

A town's users are founded by the first enrolled store's copy (its user records, sent as seeds);
after that they change only through this module: ``towndesk-server user add|set`` (district
administrators) and ``POST /api/v1/users`` (a town administrator, online, with their password).
Every change is a history row (role, unit, active from a server time), a change of the user's
record in the town's change log (so every workstation takes the new role on its next sync) and an
audit entry. User records pushed by workstations are refused.

The ingest judges each action with its actor's entry as of the action's time (``as_of``).
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.domain import workflow as wf
from app.domain.ids import stable_id
from app.domain.schema import EARLIEST
from app.reference.users import hash_password, verify_password  # scrypt, the workstation's own format
from app.sync import protocol as P
from server import audit
from server.auth import ApiError
from server.db import lock_town, now_iso
from server.models import Change, DirectoryEntry, Record, UserKey

FOUNDED = EARLIEST.isoformat()  # a founding copy's users were in force for all earlier offline work
SYSTEM_ACTORS = {("system", wf.SYSTEM)}  # the workstation's own automatic routing (自动派单)


@dataclass(frozen=True)
class Entry:
    valid_from: datetime
    role: str
    unit: str | None
    active: bool


def load(session, town: str, usernames) -> dict[str, list[Entry]]:
    """History of the given users, oldest first."""
    names = sorted(set(usernames))
    out: dict[str, list[Entry]] = {n: [] for n in names}
    for start in range(0, len(names), 500):
        for r in session.execute(select(DirectoryEntry.username, DirectoryEntry.valid_from, DirectoryEntry.role,
                                        DirectoryEntry.unit, DirectoryEntry.active)
                                 .where(DirectoryEntry.town == town, DirectoryEntry.username.in_(names[start:start + 500]))
                                 .order_by(DirectoryEntry.username, DirectoryEntry.valid_from, DirectoryEntry.id)):
            out[r.username].append(Entry(datetime.fromisoformat(r.valid_from), r.role, r.unit, bool(r.active)))
    return out


def as_of(history: list[Entry], at: datetime) -> Entry | None:
    found = None
    for e in history:
        if e.valid_from <= at:
            found = e
        else:
            break
    return found


def has_users(session, town: str) -> bool:
    return session.scalar(select(DirectoryEntry.id).where(DirectoryEntry.town == town).limit(1)) is not None


def founding_entry(session, town: str, data: dict, by: str) -> None:
    """A user of the founding copy enters the directory (in force for all earlier work)."""
    session.add(DirectoryEntry(town=town, username=str(data.get("code"))[:32], role=str(data.get("role"))[:16],
                               unit=data.get("unit_code") or None, active=bool(data.get("active", True)),
                               valid_from=FOUNDED, changed_by=by[:40]))


def _check(role: str | None, unit: str | None, session, town: str) -> None:
    if role is not None and role not in wf.USER_ROLES:
        raise ApiError(400, "invalid", "角色应为：" + "、".join(f"{r}（{wf.ROLE_LABELS[r]}）" for r in wf.USER_ROLES))
    if unit:
        units = {json.loads(d).get("code") for d in session.scalars(select(Record.data).where(
            Record.scope.in_([town, "*"]), Record.entity == "unit", Record.deleted.is_(False)))}
        if unit not in units:
            raise ApiError(400, "invalid", f"单位「{unit}」不存在")


def set_user(db, town_code: str, username: str, *, by: str, role: str | None = None, unit: str | None = None,
             active: bool | None = None, name: str | None = None, password: str | None = None,
             create: bool = False, device: str | None = None) -> dict:
    """Add (``create``) or change a town user; returns the user as the directory now has it."""
    username = (username or "").strip()
    if not 2 <= len(username) <= 32 or any(c.isspace() for c in username):
        raise ApiError(400, "invalid", "用户名应为 2-32 个字符，不含空格")
    if password is not None and not 6 <= len(password) <= 128:
        raise ApiError(400, "invalid", "密码应为 6-128 个字符")
    now = now_iso()
    with db.tx() as s:
        town = lock_town(s, town_code)
        if town is None:
            raise ApiError(404, "town_unknown", f"镇街 {town_code} 不存在")
        rows = [r for r in s.scalars(select(Record).where(Record.scope == town.code, Record.entity == "user"))
                if json.loads(r.data).get("code") == username]
        row = rows[0] if rows else None
        if create and row is not None:
            raise ApiError(409, "exists", f"用户名「{username}」已存在")
        if not create and row is None:
            raise ApiError(404, "user_unknown", f"用户「{username}」不存在")
        if create and (role is None or password is None):
            raise ApiError(400, "invalid", "添加用户须给出 --role 与 --password")
        _check(role, unit, s, town.code)
        current = json.loads(row.data) if row else {}
        new_role = role or current.get("role")
        new_unit = unit if unit is not None else current.get("unit_code")
        if new_role == wf.UNIT and not new_unit:
            raise ApiError(400, "invalid", "承办单位用户必须指定单位（--unit）")
        if new_role != wf.UNIT:
            new_unit = None
        diff = {"role": new_role, "unit_code": new_unit}
        if active is not None:
            diff["active"] = active
        if name:
            diff["name"] = name.strip()[:50]
        if password is not None:
            diff["password_hash"] = hash_password(password)
        if create:
            diff.update({"code": username, "name": diff.get("name") or username, "active": True,
                         "owner_level": "town", "deleted": False, "sample": False})
        diff["updated_at"] = now
        diff = {k: v for k, v in diff.items() if current.get(k) != v}
        town.last_seq += 1
        seq = town.last_seq
        merged = current | diff
        if row is None:
            rid = stable_id("user", f"{town.code}:{username}")
            s.add(Record(scope=town.code, id=rid, entity="user", owner_level="town", deleted=False, seq=seq,
                         data=P.canonical(merged | {"id": rid})))
        else:
            rid, row.seq, row.data = row.id, seq, P.canonical(merged)
        s.add(Change(town=town.code, seq=seq, entity="user", entity_id=rid, received_at=now,
                     data=P.canonical({"owner_level": "town", "fields": public_fields(diff), "deleted": False})))
        s.add(DirectoryEntry(town=town.code, username=username, role=merged["role"], unit=merged.get("unit_code"),
                             active=bool(merged.get("active", True)), valid_from=now, changed_by=by[:40]))
        shown = {k: v for k, v in diff.items() if k not in ("password_hash", "updated_at")}
        if "password_hash" in diff:
            shown["password"] = "已设置"
        audit.record(s, town.code, "user.add" if create else "user.set", device=device, actor=by, subject=username,
                     detail=shown)
        return {"town": town.code, "username": username, "name": merged.get("name"), "role": merged["role"],
                "unit": merged.get("unit_code"), "active": bool(merged.get("active", True)), "server_seq": seq,
                "valid_from": now}


def public_fields(fields: dict) -> dict:
    """A user record's fields as the change log carries them: never the password hash (it stays in
    the server's record; a workstation keeps only the verifiers of users who logged in on it)."""
    return {k: v for k, v in fields.items() if k != "password_hash"}


def _password_ok(session, town: str, username: str, password: str) -> bool:
    for data in session.scalars(select(Record.data).where(Record.scope == town, Record.entity == "user")):
        d = json.loads(data)
        if d.get("code") == username:
            return verify_password(password, str(d.get("password_hash") or ""))
    return False


def login(db, caller, username: str, password: str, public_key: str) -> dict | None:
    """An online login: the user is active in the town's directory now and the password matches;
    ``public_key`` is registered as the user's key on the calling device. None when refused."""
    try:
        if len(base64.b64decode(public_key, validate=True)) != 32:
            raise ValueError
    except ValueError:
        raise ApiError(400, "invalid", "登录公钥格式不正确", {"field": "public_key"}) from None
    with db.tx() as s:
        entry = as_of(load(s, caller.town, [username])[username], datetime.now(UTC))
        if entry is None or not entry.active or not _password_ok(s, caller.town, username, password):
            return None
        known = s.scalar(select(UserKey).where(UserKey.town == caller.town, UserKey.username == username,
                                               UserKey.public_key == public_key))
        if known is None:
            s.add(UserKey(town=caller.town, username=username, device_id=caller.device_id, public_key=public_key,
                          created_at=now_iso()))
            audit.record(s, caller.town, "user.key", device=caller.device_id, actor=username, subject=username)
        elif known.device_id != caller.device_id:
            raise ApiError(409, "key_other_device", "该签名密钥已登记在其他工作站", {"field": "public_key"})
        name = next((json.loads(d).get("name") for d in s.scalars(select(Record.data).where(
            Record.scope == caller.town, Record.entity == "user")) if json.loads(d).get("code") == username), None)
        return {"town": caller.town, "username": username, "name": name or username, "role": entry.role,
                "unit": entry.unit, "active": entry.active}


def admin_ok(db, town: str, username: str, password: str) -> bool:
    """True when ``username`` is an active administrator of the town now and the password matches
    the directory's hash."""
    with db.read() as s:
        entry = as_of(load(s, town, [username])[username], datetime.now(UTC))
        if entry is None or not entry.active or entry.role != wf.ADMIN:
            return False
        return _password_ok(s, town, username, password)


def self_ok(db, town: str, username: str, password: str) -> bool:
    """True when ``username`` is an active user of the town now and the password matches (a user
    changing their own password)."""
    with db.read() as s:
        entry = as_of(load(s, town, [username])[username], datetime.now(UTC))
        return entry is not None and entry.active and _password_ok(s, town, username, password)
