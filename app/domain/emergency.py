"""平战转换: the vocabulary and pure rules of emergency mode (types, levels, receipts, prepared
lists), the input schemas of its commands and the receipt tally of a broadcast task.

Data and pure functions only: no database, no Qt, no I/O.
"""
from __future__ import annotations

from datetime import datetime

from app.domain.schema import Field

# type code (CLI) -> Chinese label
TYPES = {"typhoon": "台风", "flood": "防汛", "epidemic": "疫情", "fire": "火灾", "geological": "地质灾害",
         "mass_incident": "群体性事件", "other": "其他"}
# response level 1 (highest) .. 4
LEVELS = {1: "特别重大", 2: "重大", 3: "较大", 4: "一般"}
LEVEL_ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
# a target's answer to a broadcast task
RECEIPT_STATUS = {"acknowledged": "已收到", "in_progress": "处置中", "done": "已完成"}
# the tally of a task: one key per receipt status, plus targets without any receipt
TALLY_KEYS = ("acknowledged", "in_progress", "done", "none")
# prepared list of people to move
EVACUEE_KINDS = {"elderly_alone": "独居老人", "dilapidated": "危房住户", "geohazard": "地质灾害隐患点",
                 "worksite": "在建工地", "other": "其他"}
EVACUEE_STATUS = {"pending": "待转移", "moved": "已转移", "returned": "已返回"}
# emergency teams per 村社
TEAM_DUTIES = {"monitor": "监测预警", "evacuate": "转移", "rescue": "抢险", "logistics": "后勤"}

# The categories an intake operator most likely needs during an emergency of a type: offered first
# in the category picker (codes of the standard taxonomy; codes a town does not have are skipped).
CATEGORIES = {
    "typhoon": ("PA0501", "PA0506", "PA0207", "PA0204", "GG0207"),
    "flood": ("PA0501", "PA0506", "PA0204", "JJ0306", "GG0206"),
    "epidemic": ("PA0503", "GG0105", "GG0103"),
    "fire": ("PA0502", "PA0201", "PA0206", "PA0202"),
    "geological": ("PA0504", "PA0204", "PA0205"),
    "mass_incident": ("PA0505", "PA0302", "PA0110", "PA0103"),
    "other": ("PA0506",),
}

ALL = "all"


def title(kind: str, level: int) -> str:
    """The emergency's name, e.g. 防汛Ⅱ级应急响应."""
    return f"{TYPES.get(kind, kind)}{LEVEL_ROMAN.get(level, level)}级应急响应"


def level_label(level: int) -> str:
    return f"{LEVEL_ROMAN.get(level, level)}级（{LEVELS.get(level, '')}）"


def split_codes(value: str | None) -> list[str]:
    """"V01, V02,,V03" -> ["V01", "V02", "V03"] (order kept, duplicates dropped)."""
    out: list[str] = []
    for part in (value or "").replace("，", ",").split(","):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def latest_receipts(receipts) -> dict[str, object]:
    """target -> its latest receipt (by ``at``, then id); ``receipts`` have .target, .at, .id."""
    latest: dict[str, object] = {}
    for r in sorted(receipts, key=lambda r: (r.at, r.id)):
        latest[r.target] = r
    return latest


def tally(targets: list[str], receipts, due_at: datetime, now: datetime) -> dict:
    """Count each target once, by its latest receipt; ``overdue``: targets without a done receipt
    (latest status not done, or none at all) once the deadline has passed (now > due_at)."""
    latest = latest_receipts([r for r in receipts if r.target in targets])
    out = dict.fromkeys(TALLY_KEYS, 0)
    overdue = 0
    for target in targets:
        status = latest[target].status if target in latest else "none"
        out[status if status in out else "none"] += 1
        if status != "done" and now > due_at:
            overdue += 1
    out["overdue"] = overdue
    return out


def target_state(status: str | None, due_at: datetime, now: datetime) -> str:
    """A target's state on the board: its latest status, or ``overdue`` (red) past the deadline."""
    if status != "done" and now > due_at:
        return "overdue"
    return status or "none"


# -- inputs (validated by app.domain.schema; the services add who and when) -------------------
START_INPUT = (
    Field("type", "应急类型", "choice", required=True, choices=TYPES),
    Field("level", "响应级别", "int", required=True, low=1, high=4, message="响应级别应为 1-4（1 = 特别重大，4 = 一般）"),
    Field("area", "范围", "line", required=True, max_len=2000),
    Field("reason", "启动原因", "text", required=True, max_len=1000),
)
STOP_INPUT = (Field("reason", "结束原因", "text", required=True, max_len=1000),)
TASK_INPUT = (
    Field("title", "任务标题", "line", required=True, max_len=100),
    Field("instructions", "任务要求", "text", max_len=2000),
    Field("to", "下发对象", "line", required=True, max_len=4000),
    Field("due", "完成时限", "datetime", required=True, future_days=366),
)
RECEIPT_INPUT = (
    Field("target", "回执单位", "code", required=True, max_len=32),
    Field("status", "回执状态", "choice", required=True, choices=RECEIPT_STATUS),
    Field("count", "数量", "int", low=0, high=10**7),
    Field("note", "说明", "text", max_len=1000),
)
EVACUEE_INPUT = (
    Field("name", "姓名", "name", required=True, max_len=50),
    Field("village", "村社", "code", required=True, max_len=32),
    Field("grid", "网格", "code", max_len=32),
    Field("kind", "类别", "choice", required=True, choices=EVACUEE_KINDS),
    Field("phone", "联系电话", "code", max_len=30),
    Field("address", "住址", "line", max_len=200),
    Field("note", "备注", "line", max_len=200),
)
EVACUEE_SET_INPUT = (Field("status", "转移状态", "choice", required=True, choices=EVACUEE_STATUS),)
TEAM_INPUT = (
    Field("village", "村社", "code", required=True, max_len=32),
    Field("duty", "队伍类别", "choice", required=True, choices=TEAM_DUTIES),
    Field("staff", "网格人员", "code", max_len=32),
    Field("name", "姓名", "name", max_len=50),
    Field("phone", "联系电话", "code", max_len=30),
)
