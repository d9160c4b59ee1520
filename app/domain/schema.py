"""Strict payload schemas and the one validator every path uses (CLI, window, services, server
ingest, pull apply).

A schema is a tuple of :class:`Field`. :func:`validate` returns a clean copy of the input (the
declared keys only, strings trimmed, free text without control characters) or raises a
ValidationError whose message names the field in Chinese and whose ``field`` is its key (nested
keys joined with "."). Nothing is coerced: "false" is not a boolean and "3" is not a number.

Two modes: ``input`` (what an operator or a script typed: free text is cleaned) and ``stored``
(an action payload that already went through a service, as it travels in sync: it must already
be clean, because changing it would change its hash; extra keys are kept but bounded).
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app.errors import ValidationError

TEXT_MAX = 2000          # notes, reasons, results, instructions
LINE_MAX = 200           # one-line free text (titles, addresses)
CODE_MAX = 64            # codes, ids, case numbers, unit names typed as codes
INT_LIMIT = 2**53        # beyond this JSON numbers stop being exact in most readers
MAX_DEPTH = 6            # nesting of free-form JSON values
MAX_ITEMS = 200          # items of a list, keys of a free-form object
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

# C0/C1 controls except tab and newline; bidi overrides and isolates; zero-width characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_STORED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what no keyboard types
_BIDI = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

TYPES = ("text", "line", "name", "code", "sha256", "int", "number", "bool", "choice", "datetime", "date",
         "codes", "object", "json")


@dataclass(frozen=True)
class Field:
    """One key of a payload.

    type: text (multi-line free text) | line (one-line free text) | name (a person's or place's
    name: control characters refused) | code | sha256 | int | number | bool | choice | datetime
    (ISO 8601 with a zone) | date (YYYY-MM-DD, or a datetime with a zone) | codes (list of codes)
    | object (nested ``fields``) | json (any JSON value, bounded).
    ``widget`` tells the action dialog how to ask for it when the type alone does not (unit,
    units, days).
    """

    key: str
    label: str
    type: str = "text"
    required: bool = False
    max_len: int | None = None
    min_len: int = 0
    low: float | None = None
    high: float | None = None
    choices: Mapping[str, str] | None = None
    fields: tuple[Field, ...] = ()
    max_items: int = 50
    future_days: float = 1          # datetime: how far past now a value may lie
    widget: str | None = None
    message: str | None = None      # replaces the generic message for a bad value

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    @property
    def limit(self) -> int:
        if self.max_len is not None:
            return self.max_len
        return {"text": TEXT_MAX, "line": LINE_MAX, "name": 50, "code": CODE_MAX}.get(self.type, TEXT_MAX)


def validate(schema: tuple[Field, ...], data, *, mode: str = "input", now: datetime | None = None,
             path: str = "", label: str = "内容") -> dict:
    """Check ``data`` (a JSON object) against ``schema``; returns the clean dict.

    Unknown keys are dropped in ``input`` mode; in ``stored`` mode they are kept after a bounds
    check (a newer workstation may add keys an older one does not know).
    """
    if not isinstance(data, dict):
        raise ValidationError(f"{label}应为 JSON 对象", field=path or "payload")
    now = now or datetime.now(UTC)
    out: dict = {}
    known = set()
    for f in schema:
        known.add(f.key)
        where = f"{path}.{f.key}" if path else f.key
        value = data.get(f.key)
        if _empty(value):
            if f.required:
                raise ValidationError(f"请填写{f.label}", field=where)
            if f.key in data and mode == "stored":
                out[f.key] = value
            continue
        out[f.key] = _value(f, value, where, mode, now)
    if mode == "stored":
        for key, value in data.items():
            if key in known:
                continue
            if not isinstance(key, str) or len(key) > 40 or _CONTROL.search(key) or _BIDI.search(key):
                raise ValidationError("内容含有无效的字段名", field=path or "payload")
            out[key] = check_json(value, f"{path}.{key}" if path else key, key)
    return out


def check_json(value, where: str, label: str, depth: int = 0):
    """Any JSON value within bounds: nesting, 64-bit integers, finite numbers, string length."""
    if depth > MAX_DEPTH:
        raise ValidationError(f"{label}嵌套层数过多（最多 {MAX_DEPTH} 层）", field=where)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValidationError(f"{label}的整数超出范围", field=where)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{label}的数字无效", field=where)
        return value
    if isinstance(value, str):
        if len(value) > TEXT_MAX:
            raise ValidationError(f"{label}不能超过{TEXT_MAX}个字（当前{len(value)}个字）", field=where)
        return value
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise ValidationError(f"{label}最多 {MAX_ITEMS} 项", field=where)
        return [check_json(v, where, label, depth + 1) for v in value]
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise ValidationError(f"{label}最多 {MAX_ITEMS} 项", field=where)
        return {str(k)[:40]: check_json(v, where, label, depth + 1) for k, v in value.items()}
    raise ValidationError(f"{label}格式不正确", field=where)


def clean_text(value: str, multiline: bool = True) -> str:
    """Free text without control or bidi characters (newline and tab kept when multi-line)."""
    text = _BIDI.sub("", _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))
    if not multiline:
        text = re.sub(r"[\n\t]+", " ", text)
    return text.strip()


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _fail(f: Field, where: str, default: str):
    raise ValidationError(f.message or default, field=where)


def _value(f: Field, value, where: str, mode: str, now: datetime):
    t = f.type
    if t in ("text", "line", "name", "code", "sha256", "choice", "datetime", "date") and not isinstance(value, str):
        if not (t in ("datetime", "date") and isinstance(value, datetime)):
            _fail(f, where, f"{f.label}应为文本" if t in ("text", "line", "name", "code") else _shape_message(f))
    if t in ("text", "line"):
        if mode == "stored":  # already cleaned by its service; older data may hold CR or bidi marks
            if _CONTROL_STORED.search(value):
                _fail(f, where, f"{f.label}含有控制字符")
            return _length(f, value.strip(), where)
        return _length(f, clean_text(value, multiline=t == "text"), where)
    if t in ("name", "code"):
        text = value.strip()
        if _CONTROL.search(text) or _BIDI.search(text) or (t == "name" and "\n" in text):
            _fail(f, where, f"{f.label}含有不允许的控制字符")
        return _length(f, text, where)
    if t == "sha256":
        if not _HEX64.fullmatch(value):
            _fail(f, where, f"{f.label}格式不正确")
        return value
    if t == "choice":
        if value not in (f.choices or {}):
            _fail(f, where, _shape_message(f))
        return value
    if t == "bool":
        if not isinstance(value, bool):
            _fail(f, where, f"{f.label}应为 true 或 false")
        return value
    if t in ("int", "number"):
        return _number(f, value, where)
    if t == "datetime":
        return _datetime(f, value, where, now)
    if t == "date":
        if isinstance(value, str) and _DAY.fullmatch(value):
            try:
                date.fromisoformat(value)
            except ValueError:
                _fail(f, where, _shape_message(f))
            return value
        return _datetime(f, value, where, now)
    if t == "codes":
        if not isinstance(value, list):
            _fail(f, where, f"{f.label}应为列表")
        if len(value) > f.max_items:
            _fail(f, where, f"{f.label}最多 {f.max_items} 项")
        item = Field(f.key, f.label, "code", max_len=f.max_len)
        return [_value(item, v, where, mode, now) for v in value]
    if t == "object":
        return validate(f.fields, value, mode=mode, now=now, path=where, label=f.label)
    return check_json(value, where, f.label)


def _shape_message(f: Field) -> str:
    if f.type == "choice":
        return f"{f.label}应为：" + "、".join(f"{k}（{v}）" for k, v in (f.choices or {}).items())
    if f.type == "date":
        return f"{f.label}格式应为 YYYY-MM-DD 或带时区的时间（如 2026-12-01T17:00:00+08:00）"
    if f.type == "datetime":
        return f"{f.label}应为带时区的时间（如 2026-12-01T09:00:00+08:00）"
    return f"{f.label}格式不正确"


def _length(f: Field, text: str, where: str) -> str:
    if len(text) > f.limit:
        _fail(f, where, f"{f.label}不能超过{f.limit}个字（当前{len(text)}个字）")
    if len(text) < f.min_len:
        _fail(f, where, f"{f.label}至少需要{f.min_len}个字（当前{len(text)}个字）")
    return text


def _number(f: Field, value, where: str):
    low = -INT_LIMIT if f.low is None else f.low
    high = INT_LIMIT if f.high is None else f.high
    kind = "整数" if f.type == "int" else "数字"
    ok_type = isinstance(value, int) if f.type == "int" else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or (isinstance(value, float) and not math.isfinite(value)) \
            or not low <= value <= high:
        _fail(f, where, f"{f.label}应为 {_num(low)} 至 {_num(high)} 的{kind}")
    return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _datetime(f: Field, value, where: str, now: datetime):
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except (ValueError, TypeError):
        _fail(f, where, _shape_message(f))
    if moment.tzinfo is None or moment.utcoffset() is None:
        _fail(f, where, f"{f.label}应带时区（如 2026-12-01T09:00:00+08:00）")
    if not EARLIEST <= moment <= now + timedelta(days=f.future_days):
        ahead = "明天" if f.future_days <= 1 else f"{int(f.future_days)} 天后"
        _fail(f, where, f"{f.label}应在 2000 年之后、不晚于{ahead}")
    return value if isinstance(value, str) else value.isoformat()
