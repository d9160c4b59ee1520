"""Worker-side functions the window runs through the TaskManager: plain arguments in, plain data
out. The services publish what changed after each commit (app.events), so nothing here has to."""
from __future__ import annotations

from app.cases import attachments, handling, intake, overview


def attach_file(desk, actor, case_no: str, path: str) -> dict:
    return attachments.attach(desk, actor, case_no, path)


def take_in_case(desk, actor, data: dict, files: list[str]) -> dict:
    """Intake (with optional 即办) and its attachments, in one transaction; returns the case view."""
    return intake.take_in(desk, actor, data, files=files)


def take_in_unless_repeat(desk, actor, data: dict, files: list[str]) -> dict:
    """保存 in one step on the writer: the repeat check first; a possible repeat writes nothing and
    returns {"ask": the side panel's preview with its repeat cases} (the window asks 合并 / 关联 /
    仍新建 before any automatic dispatch), else the intake as ``take_in_case``."""
    repeats = overview.save_repeats(desk, data) if not data.get("instant") else []
    if repeats:  # the whole side panel's answer with them (routing, history): the panel shows it as asked
        return {"ask": overview.intake_preview(desk, data)}
    return take_in_case(desk, actor, data, files)


def act_on_cases(desk, actor, case_nos: list[str], kind: str, payload: dict) -> list:
    """The same action on several cases, all or nothing (the first refusal names its case)."""
    return handling.act_many(desk, actor, case_nos, kind, payload).views


def take_in_repeat(desk, actor, data: dict, files: list[str], decision: str, into: str | None) -> dict:
    """Intake of a flagged repeat as the operator decided (合并 / 关联 / 仍新建), in one transaction."""
    return handling.take_in_repeat(desk, actor, data, decision, into, files=files)
