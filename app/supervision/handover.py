"""交班记录 (handover at 注销/切换用户): what the leaving user hands over — the open red cases,
the 督办 still waiting for a reply, and a note — shown to the next user who logs in here.

Stored locally (table ``handovers``), one transaction with its audit entry; not synced."""
from __future__ import annotations

from sqlalchemy import select

from app.desk import Actor, Desk
from app.errors import ValidationError
from app.store.audit import audit
from app.store.models import Handover, User
from app.supervision import board

MAX_NOTE = 2000
LISTED = 20  # red cases and 督办 listed by name; the counts cover all of them


def snapshot(desk: Desk) -> dict:
    """What a shift hands over right now: open red cases and pending 督办 (counts and the first few)."""
    red = board.board(desk, colour="red", limit=LISTED)
    urges = board.open_urges(desk, limit=500)
    pending = [u for u in urges["items"] if not u["replied"]]
    return {"red_count": red["red"],
            "red": [{"case_no": c["case_no"], "title": c["title"], "unit_name": c["unit_name"] or "",
                     "overdue_days": c["overdue_days"]} for c in red["cases"]],
            "urge_count": len(pending),
            "urges": [{"case_no": u["case_no"], "title": u["title"], "unit_name": u["unit_name"] or "",
                       "level_label": u["level_label"], "reply_by": u["reply_by"],
                       "reply_overdue": u["reply_overdue"]} for u in pending[:LISTED]]}


def hand_over(desk: Desk, actor: Actor, note: str = "") -> dict:
    """Record the leaving user's handover (note and the snapshot). Returns it."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"交班记录不能超过 {MAX_NOTE} 字", field="note")
    summary = snapshot(desk)
    at = desk.now()
    with desk.db.tx() as s:
        row = Handover(at=at, from_user=actor.username, note=note, summary=summary)
        s.add(row)
        s.flush()
        audit(s, desk, actor.username, "handover", str(row.id), {"note": note[:200], "red": summary["red_count"],
                                                                   "urges": summary["urge_count"]})
        return _view(row, s)


def latest_unread(desk: Desk, actor: Actor) -> dict | None:
    """The newest handover another user left that nobody has read yet (None if there is none)."""
    with desk.db.read() as s:
        row = s.scalars(select(Handover).where(Handover.read_by.is_(None), Handover.from_user != actor.username)
                        .order_by(Handover.at.desc(), Handover.id.desc()).limit(1)).first()
        return _view(row, s) if row else None


def mark_read(desk: Desk, actor: Actor, handover_id: int) -> None:
    """The next user has seen the handover (and every older unread one)."""
    with desk.db.tx() as s:
        row = s.get(Handover, handover_id)
        if row is None:
            raise ValidationError("交班记录不存在", field="handover")
        for old in s.scalars(select(Handover).where(Handover.read_by.is_(None), Handover.id <= handover_id)):
            old.read_by, old.read_at = actor.username, desk.now()
        audit(s, desk, actor.username, "handover_read", str(handover_id))


def _view(row: Handover, s) -> dict:
    name = s.scalar(select(User.name).where(User.code == row.from_user)) or row.from_user
    return {"id": row.id, "at": row.at.isoformat(), "from_user": row.from_user, "from_name": name,
            "note": row.note, **row.summary}
