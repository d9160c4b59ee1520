"""``case export``: every case a case-list filter matches, to one .xlsx sheet, as the list shows
them to the acting user (phones and ID numbers masked as the role requires). Pages of 1,000 are
read along the list's keyset and streamed to the file: memory stays flat whatever the count."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from app.cases import queries
from app.desk import Actor, Desk
from app.domain.timezone import LOCAL_TZ
from app.domain.vocab import COLOUR_LABELS
from app.reference.xlsx import write_workbook
from app.store.audit import audit

HEADERS = ["案件编号", "状态", "受理时间", "渠道", "诉求类型", "标题", "诉求内容", "报告人", "联系电话",
           "事项分类", "村社", "网格", "地址", "紧急程度", "承办单位", "协办单位", "办结时限", "颜色", "办结时间"]
WIDTHS = [20, 8, 17, 10, 8, 30, 50, 10, 14, 14, 14, 20, 24, 8, 16, 20, 17, 6, 17]
PAGE = 1000


def _local(value: str | None) -> str | None:
    return datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else None


def case_row(c: dict) -> list:
    rep = c.get("reporter") or {}
    loc = c.get("location") or {}
    return [c["case_no"], c.get("state_label"), _local(c.get("received_at")), c.get("channel_label"),
            c.get("type_label"), c.get("title"), c.get("description"), rep.get("name"), rep.get("phone"),
            c.get("category_name"), loc.get("village_name"), loc.get("grid_name"), loc.get("address"),
            "加急" if c.get("urgency") == "urgent" else "一般", (c.get("unit") or {}).get("name"),
            "、".join(u["name"] or u["code"] for u in c.get("co_units") or []) or None,
            _local(c.get("due_at")), COLOUR_LABELS.get(c.get("color")), _local(c.get("closed_at"))]


def export_cases(desk: Desk, actor: Actor, filters: dict, output, sort: str = "received_desc",
                 progress: Callable[[int, int], None] | None = None, cancel: threading.Event | None = None) -> dict:
    first = queries.list_cases(desk, actor, filters, sort, PAGE)

    def rows():
        page = first
        while True:
            yield from (case_row(c) for c in page["items"])
            if not page["next"]:
                return
            page = queries.list_cases(desk, actor, filters, sort, PAGE, page["next"], with_total=False)

    n = write_workbook(output, [("案件", HEADERS, rows())], progress, first["total"], cancel, {"案件": WIDTHS})
    if not desk.db.readonly:  # names and phone numbers left the store: who, how many, which filters (not their values)
        with desk.db.tx() as s:
            audit(s, desk, actor.username, "export.cases", None, {"cases": n, "filters": sorted(filters or {})})
    return {"path": str(output), "cases": n}
