"""Channel feeds: cases handed over by 越平安 (mini program), 12345, 网络问政 and 公安民意感知 as a
file — a JSON array, JSON lines, or an .xlsx whose header row has the same keys (nested keys
dotted: ``reporter.phone``, ``location.village``) — keyed by the channel's own id.

Each item carries the keys of ``case add`` plus a required ``external_id`` and an optional
``received_at`` (a time with its zone, not in the future). The file is treated as hostile: a size
and row limit, bad JSON refused as a whole, every row checked on its own. Good rows are taken in
(each in its own transaction with its audit and outbox entries: one bad row never undoes another);
a row whose (channel, external_id) is already a case in this store is skipped (importing the same
file twice creates nothing new; two workstations importing the same file while both are offline
each take it in — the cases meet at the next sync and both stay, like any two intakes); bad rows are reported with their row number and the reason in Chinese.

Row numbers: the item's position in a JSON array (1 = first item), the line number in a JSON
lines file, the sheet row in an .xlsx (the header is row 1, the first item row 2).
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.cases import intake
from app.desk import Actor, Desk
from app.domain import grids as gd
from app.errors import AppError, ValidationError
from app.store.audit import audit
from app.store.models import Case


def _read(path: Path) -> list[tuple[int, object]]:
    """(row number, item) pairs of a feed file; a file that cannot be read at all is refused."""
    if not path.is_file():
        raise ValidationError(f"文件不存在：{path}", field="file")
    size = path.stat().st_size
    if size > gd.FEED_MAX_BYTES:
        raise ValidationError(f"文件过大（{size / 1048576:.1f} MB），单个文件不超过 "
                              f"{gd.FEED_MAX_BYTES // 1048576} MB", field="file")
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("文件不是 UTF-8 编码的 JSON（Excel 文件请用 .xlsx）", field="file") from None
    stripped = raw.strip()
    if not stripped:
        raise ValidationError("文件为空", field="file")
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as e:
            raise ValidationError(f"JSON 格式错误：第 {e.lineno} 行第 {e.colno} 列", field="file") from None
        except RecursionError:
            raise ValidationError("JSON 嵌套层数过多", field="file") from None
        return list(enumerate(items, 1))
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            out.append((n, _Bad(f"JSON 格式错误（第 {e.colno} 列）")))
        except RecursionError:
            out.append((n, _Bad("JSON 嵌套层数过多")))
    return out


class _Bad:
    """A row that could not even be parsed (JSON lines): reported with its reason."""

    def __init__(self, message: str):
        self.message = message


def _read_xlsx(path: Path) -> list[tuple[int, object]]:
    from app.reference.xlsx import read_workbook  # only feed files in Excel need the reader

    sheets = read_workbook(path)
    rows = next(iter(sheets.values()), [])
    if not rows:
        raise ValidationError("Excel 文件没有内容", field="file")
    head = [str(h).strip() if h is not None else "" for h in rows[0]]
    if "external_id" not in head:
        raise ValidationError("Excel 第 1 行应为表头，且须有 external_id 列", field="file")
    out = []
    for n, row in enumerate(rows[1:], 2):
        if all(v is None for v in row):
            continue
        item: dict = {}
        for key, value in zip(head, row, strict=False):
            if not key or value is None:
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if key != "persons" and not isinstance(value, str | bool):  # a cell typed as a number or date
                value = str(value)
            outer, _, inner = key.partition(".")
            if inner:
                item.setdefault(outer, {})
                if isinstance(item[outer], dict):
                    item[outer][inner] = value
            else:
                item[key] = value
        out.append((n, item))
    return out


def _external_id(item: dict) -> str:
    value = item.get("external_id")
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError("缺少渠道编号 external_id", field="external_id")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError("渠道编号 external_id 应为字符串", field="external_id")
    value = value.strip()
    if not value or len(value) > 64 or any(ord(ch) < 32 or ch.isspace() for ch in value):
        raise ValidationError("渠道编号 external_id 应为 1 至 64 个字符，不含空白", field="external_id")
    return value


def _received_at(item: dict, now: datetime) -> datetime | None:
    value = item.get("received_at")
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValidationError("受理时间 received_at 应为带时区的时间文本，如 2026-11-20T09:30:00+08:00",
                              field="received_at")
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"受理时间 received_at 格式不正确：{value[:40]}", field="received_at") from None
    if at.tzinfo is None:
        raise ValidationError("受理时间 received_at 须带时区（如 +08:00）", field="received_at")
    if at > now:
        raise ValidationError("受理时间 received_at 不能晚于现在", field="received_at")
    if at.year < 2000:
        raise ValidationError("受理时间 received_at 不合理", field="received_at")
    return at


def import_feed(desk: Desk, actor: Actor, path, channel: str) -> dict:
    """``feed import FILE --channel C``: {"created": [{row, external_id, case_no}],
    "skipped_existing": [{row, external_id, case_no}], "errors": [{row, message}]}."""
    if channel not in gd.FEED_CHANNELS:
        raise ValidationError("渠道应为：" + "、".join(f"{k}（{v}）" for k, v in gd.FEED_CHANNELS.items()),
                              field="channel")
    path = Path(path)
    items = _read(path)
    if len(items) > gd.FEED_MAX_ROWS:
        raise ValidationError(f"条数过多（{len(items)}），单个文件不超过 {gd.FEED_MAX_ROWS} 条", field="file")
    created, skipped, errors = [], [], []
    seen: dict[str, int] = {}
    now = desk.now()
    for row, item in items:
        try:
            if isinstance(item, _Bad):
                raise ValidationError(item.message, field="row")
            if not isinstance(item, dict):
                raise ValidationError("每一条应为 JSON 对象", field="row")
            ext = _external_id(item)
            if item.get("channel") not in (None, "", channel):
                raise ValidationError(f"渠道「{item.get('channel')}」与导入渠道「{channel}」不符", field="channel")
            if ext in seen:
                raise ValidationError(f"渠道编号「{ext}」与第 {seen[ext]} 条重复", field="external_id")
            seen[ext] = row
            existing = _existing(desk, channel, ext)
            if existing:
                skipped.append({"row": row, "external_id": ext, "case_no": existing})
                continue
            at = _received_at(item, now)
            data = {k: v for k, v in item.items() if k not in ("external_id", "received_at", "channel")}
            data["channel"] = channel
            view = intake.take_in(desk, actor, data, at=at, external_id=ext)
            created.append({"row": row, "external_id": ext, "case_no": view["case_no"]})
        except AppError as e:
            errors.append({"row": row, "message": e.message})
    if created:
        with desk.db.tx() as s:
            audit(s, desk, actor.username, "feed.import", channel,
                  {"created": len(created), "skipped": len(skipped), "errors": len(errors)})
    return {"channel": channel, "file": path.name, "created": created, "skipped_existing": skipped,
            "errors": errors}


def _existing(desk: Desk, channel: str, ext: str) -> str | None:
    with desk.db.read() as s:
        return s.scalar(select(Case.case_no).where(Case.channel == channel, Case.external_id == ext))
