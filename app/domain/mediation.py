"""矛盾调处 (dispute mediation) rules: the vocabulary with its Chinese labels, the input schemas,
the difficulty and 三色 rules, the 30-day mediation clock on the working calendar, the 司法确认
window and the mediation 卷宗's completeness check.

Pure: no database, no Qt, no I/O.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from app.domain.calendar import WorkCalendar
from app.domain.deadlines import colour as clock_colour
from app.domain.deadlines import warn_at
from app.domain.schema import Field

# -- vocabulary (the CLI takes these Chinese labels exactly) -------------------------------------
DISPUTE_TYPES = ("婚姻家庭", "邻里", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "征地拆迁",
                 "环境污染", "劳动争议", "消费", "医疗", "道路交通事故", "物业", "其他")
SOURCES = ("当事人申请", "主动调解", "公安移交", "法院委托", "政府指定")
ROLES = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
DIFFICULTIES = {"simple": "简单", "normal": "一般", "major": "重大疑难"}
DIFFICULTY_CODES = {v: k for k, v in DIFFICULTIES.items()}
STATES = {"accepted": "已受理", "mediating": "调解中", "closed": "已结案"}
OPEN_STATES = ("accepted", "mediating")
OUTCOMES = {"continue": "继续调解", "agreed": "达成协议", "failed": "调解不成"}
MEANS = {"mediation": "调解", "compensation": "补偿", "indemnity": "赔偿", "litigation": "诉讼",
         "arbitration": "仲裁"}
PRE_LITIGATION_MEANS = ("mediation", "compensation", "indemnity")  # 诉前化解: ended without court or arbitration
MEDIATOR_KINDS = {"专职调解员": "professional", "法院诉前调解团队": "court", "村（社区）调解员": "village",
                  "律师": "lawyer"}
MEDIATOR_KIND_WORDS = {v: k for k, v in MEDIATOR_KINDS.items()}
COLOURS = {"red": "红", "yellow": "黄", "green": "绿"}
GRADE_LEADS = {"red": "镇领导包案", "yellow": "班子成员领办", "green": "网格员跟踪回访"}
BACKLOG_KINDS = ("信访积案", "拆迁积案", "劳资积案", "其他积案")
CHECKLIST = {"facts": "事实已查清", "lawful": "处理依法合规", "solved": "问题已解决", "satisfied": "信访人满意",
             "approved": "化解已审批"}
BACKLOG_STATES = {"open": "化解中", "resolved": "已实质性化解"}

# -- the clock --------------------------------------------------------------------------------
MEDIATION_DAYS = 30        # 调解期限（工作日）; extendable with both parties' consent
MAX_EXTENSION_DAYS = 30
JUDICIAL_DAYS = 30         # 司法确认: apply within 30 days of the agreement taking effect
JUDICIAL_SOON_DAYS = 7     # the reminder turns urgent this many days before the window closes
MAJOR_PERSONS = 10
MAJOR_AMOUNT = 100_000
SIMPLE_PERSONS = 2
SIMPLE_AMOUNT = 10_000
REPEAT_POLICE_CALLS = 2    # 多次报警

# -- the 卷宗, in the prescribed order: (key, title) -------------------------------------------
DOSSIER_ORDER = (("application", "申请书/受理登记表"), ("notice", "权利义务告知书"), ("survey", "调查记录"),
                 ("record", "调解笔录"), ("agreement", "调解协议书"), ("visit", "回访记录"))
REGISTERED_DOCS = {"notice": "权利义务告知书", "survey": "调查记录"}  # registered by hand (dispute doc)

PARTY = (Field("role", "当事人身份", "choice", required=True, choices=ROLES),
         Field("name", "当事人姓名", "name", required=True, max_len=50),
         Field("id_no", "身份证号码", "code", max_len=18),
         Field("phone", "联系电话", "code", max_len=30),
         Field("address", "住址", "line", max_len=200))

OPEN_INPUT = (
    Field("type", "纠纷类型", "choice", required=True, choices={t: t for t in DISPUTE_TYPES}),
    Field("source", "纠纷来源", "choice", required=True, choices={s: s for s in SOURCES}),
    Field("parties", "当事人", "json", required=True),
    Field("amount", "涉及金额（元）", "number", low=0, high=10**12),
    Field("persons", "涉及人数", "int", low=1, high=100_000),
    Field("difficulty", "难易程度", "choice", choices={**DIFFICULTIES, **{v: v for v in DIFFICULTIES.values()}}),
    Field("reason", "定级理由", "text", max_len=500),
    Field("criminal_risk", "有民转刑风险", "bool"),
    Field("police_calls", "报警次数", "int", low=0, high=1000),
    Field("facts", "纠纷事实与争议焦点", "text", max_len=2000),
)
SESSION_INPUT = (
    Field("at", "调解时间", "datetime", required=True, future_days=90),
    Field("place", "调解地点", "line", required=True, max_len=100),
    Field("attendees", "参加人员", "json", required=True),
    Field("record", "调解笔录", "text", max_len=2000),
    Field("outcome", "调解结果", "choice", choices=OUTCOMES),
    Field("village", "村社", "code", max_len=32),
)
AGREEMENT = (Field("facts", "纠纷事实与争议焦点", "text", required=True, max_len=2000),
             Field("responsibility", "各方责任", "text", max_len=1000),
             Field("terms", "协议内容", "json", required=True),
             Field("performance", "履行方式与期限", "text", required=True, max_len=500),
             Field("copies", "协议书份数", "int", low=1, high=10))
CLOSE_INPUT = (
    Field("means", "化解方式", "choice", required=True, choices=MEANS),
    Field("success", "是否化解成功", "bool", required=True),
    Field("agreement", "调解协议", "json"),
    Field("reason", "调解不成的原因", "text", max_len=1000),
)
BACKLOG_INPUT = (
    Field("lead", "包案领导", "name", required=True, max_len=50),
    Field("members", "专班成员", "json", required=True),
    Field("units", "责任单位", "codes", required=True, max_len=32, max_items=20),
    Field("plan", "化解方案", "text", required=True, max_len=2000),
    Field("due", "化解期限", "date", required=True),
    Field("kind", "积案类别", "choice", choices={k: k for k in BACKLOG_KINDS}),
)


def computed_difficulty(persons: int, amount: float, criminal_risk: bool) -> str:
    """重大疑难: ≥ 10 people, ≥ 100,000 yuan or a risk of turning criminal; 简单: at most two people
    and under 10,000 yuan; else 一般. Returns the code."""
    if persons >= MAJOR_PERSONS or amount >= MAJOR_AMOUNT or criminal_risk:
        return "major"
    if persons <= SIMPLE_PERSONS and amount < SIMPLE_AMOUNT:
        return "simple"
    return "normal"


def grade(*, state: str, success: bool | None, difficulty: str, criminal_risk: bool, police_calls: int,
          failed_sessions: int) -> str:
    """三色 grading: 红 (repeated police calls, failed mediations, criminal risk: a town leader leads);
    黄 (重大疑难: a leadership member takes it); 绿 (resolved or ordinary: the grid worker follows up)."""
    if state == "closed":
        return "green" if success else "red"
    if criminal_risk or police_calls >= REPEAT_POLICE_CALLS or failed_sessions > 0:
        return "red"
    return "yellow" if difficulty == "major" else "green"


_RANK = {"green": 0, "yellow": 1, "red": 2}


def dispute_colour(now: datetime, *, state: str, due: datetime | None, warn: datetime | None, grade_colour: str) -> str:
    """The colour shown for a dispute: the worse of its 三色 grade and its mediation clock (an open
    dispute past its 30 working days is red; inside the warning window yellow)."""
    clock = clock_colour(now, due, warn) if state in OPEN_STATES else "green"
    return max(grade_colour, clock, key=_RANK.__getitem__)


def mediation_due(cal: WorkCalendar, opened: datetime, extension_days: float = 0) -> datetime:
    """30 working days (plus any agreed extension) from acceptance, on the working calendar."""
    return cal.add_workdays(opened, MEDIATION_DAYS + extension_days)


def mediation_warn(cal: WorkCalendar, opened: datetime, due: datetime, yellow_days: float = 1.0,
                   yellow_fraction: float = 0.2) -> datetime:
    return warn_at(cal, opened, due, yellow_days, yellow_fraction)


def judicial_due(agreed_at: datetime) -> datetime:
    """The last moment to apply for 司法确认: 30 days after the agreement took effect."""
    return agreed_at + timedelta(days=JUDICIAL_DAYS)


def judicial_reminder(now: datetime, due: datetime | None, applied: bool) -> dict | None:
    """The 司法确认 reminder: None when no agreement or already applied; else the days left and a
    level (pending | soon | overdue) with its Chinese text."""
    if due is None or applied:
        return None
    left = due - now
    days = math.ceil(left / timedelta(days=1))  # whole days left, a started day counting as one
    if left < timedelta(0):
        return {"level": "overdue", "days_left": days, "text": "司法确认申请期限已过，请告知当事人可另行起诉或重新调解"}
    level = "soon" if days <= JUDICIAL_SOON_DAYS else "pending"
    return {"level": level, "days_left": days,
            "text": f"调解协议达成后 30 日内可共同申请司法确认，还剩 {days} 天"}


def missing_documents(*, has_record: bool, closed: bool, success: bool | None, means: str | None,
                      registered: set[str], visited: bool) -> list[str]:
    """The 卷宗's missing documents in the prescribed order (titles). The 协议书 is due for a
    mediation that ended with an agreement; the 回访记录 once the dispute is closed successfully."""
    have = {"application"} | set(registered)
    if has_record:
        have.add("record")
    needed = ["application", "notice", "survey", "record"]
    if closed and success and means == "mediation":
        needed.append("agreement")
        have.add("agreement")
    if closed and success:
        needed.append("visit")
        if visited:
            have.add("visit")
    titles = dict(DOSSIER_ORDER)
    return [titles[k] for k, _t in DOSSIER_ORDER if k in needed and k not in have]


def dossier_items(*, has_record: bool, closed: bool, success: bool | None, means: str | None,
                  registered: set[str], visited: bool) -> list[dict]:
    """Every 卷宗 item in order with its status: present | missing | n/a."""
    missing = set(missing_documents(has_record=has_record, closed=closed, success=success, means=means,
                                    registered=registered, visited=visited))
    out = []
    for key, title in DOSSIER_ORDER:
        applicable = key not in ("agreement", "visit") or (closed and success and (key == "visit" or means == "mediation"))
        status = "missing" if title in missing else ("present" if applicable else "n/a")
        out.append({"key": key, "title": title, "status": status})
    return out
