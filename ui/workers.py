"""Worker-side functions the window runs through the TaskManager: plain arguments in, plain data
out, and a case_changed event published after every write so lists and detail refresh."""
from __future__ import annotations

from app import events
from app.cases import attachments
from app.cases import dispatch
from app.cases import handling
from app.cases import intake


def _changed(case_nos: list[str]) -> None:
    events.publish(events.CASE_CHANGED, {"case_nos": case_nos})


def attach_file(desk, actor, case_no: str, path: str) -> dict:
    view = attachments.attach(desk, actor, case_no, path)
    _changed([case_no])
    return view


def take_in_case(desk, actor, data: dict, files: list[str]) -> dict:
    """Intake (with optional 即办) and its attachments; returns the case view."""
    view = intake.take_in(desk, actor, data)
    for path in files:
        view = {**view, **attachments.attach(desk, actor, view["case_no"], path), "routing": view.get("routing")}
    _changed([view["case_no"]])
    return view


def dispatch_cases(desk, actor, case_nos: list[str], unit: str, co_units: list[str], due_at, note: str) -> list:
    views = dispatch.dispatch_many(desk, actor, case_nos, unit, co_units, due_at, note)
    _changed(case_nos)
    return views


def act_on_cases(desk, actor, case_nos: list[str], kind: str, payload: dict) -> list:
    """The same action on several cases (one transaction each; stops at the first refusal)."""
    views = [handling.act(desk, actor, no, kind, payload) for no in case_nos]
    _changed(case_nos)
    return views
