"""Field validators for data typed by operators: ID numbers, phone numbers, credit codes, text.

Contract shared by every function here:

* input is a ``str`` (``None`` counts as empty); surrounding whitespace is stripped; in codes and
  numbers full-width characters (``１３８…``, ``－``) are folded to ASCII (NFKC), while free text
  (require, check_length) keeps its characters;
* on success the *normalised* value is returned;
* on failure a :class:`~app.errors.ValidationError` is raised whose ``field`` is the ``field``
  argument and whose Simplified Chinese message names the field by its ``label``
  (e.g. "报告人身份证号码校验位不正确").

Pure: no I/O. The only clock read is ``date.today()`` in :func:`check_id_no`, and callers may pass
``today`` explicitly.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from app.errors import ValidationError

__all__ = [
    "require",
    "check_length",
    "check_id_no",
    "check_phone",
    "check_uscc",
]


def _clean(value: object) -> str:
    """``None`` -> ""; otherwise NFKC-normalised ``str(value)`` with surrounding whitespace removed."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _strip(value: object) -> str:
    """Free text keeps its characters (Chinese uses full-width punctuation); only trims."""
    return "" if value is None else str(value).strip()


def require(value: str | None, field: str, label: str) -> str:
    """Return ``value`` stripped; raise ``ValidationError("请填写{label}")`` when it is empty/None."""
    text = _strip(value)
    if not text:
        raise ValidationError(f"请填写{label}", field=field)
    return text


def check_length(value: str | None, field: str, label: str, max_len: int, min_len: int = 0) -> str:
    """Return ``value`` stripped if ``min_len <= len <= max_len`` (counted in characters).

    ``None`` counts as "". An empty value with ``min_len > 0`` gives "请填写{label}".
    """
    text = _strip(value)
    n = len(text)
    if min_len > 0 and n == 0:
        raise ValidationError(f"请填写{label}", field=field)
    if n < min_len:
        raise ValidationError(f"{label}至少需要{min_len}个字（当前{n}个字）", field=field)
    if n > max_len:
        raise ValidationError(f"{label}不能超过{max_len}个字（当前{n}个字）", field=field)
    return text


# --- 居民身份证号码 GB 11643-1999 -----------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_MAP = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def id_check_char(first17: str) -> str:
    """Check character (0-9 or X) of the 17 leading digits of a resident ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_MAP[total % 11]


def check_id_no(
    value: str | None,
    field: str = "reporter.id_no",
    label: str = "身份证号码",
    *,
    today: date | None = None,
) -> str:
    """Validate an 18-character PRC resident ID number and return it with an uppercase ``X``.

    Checks, each with its own message: presence; length 18; 17 digits + digit/X; birth date
    (characters 7-14, YYYYMMDD) is a real date between 1900-01-01 and ``today`` (default
    ``date.today()``); the GB 11643-1999 check character.
    """
    text = require(_clean(value), field, label).upper()
    if len(text) != 18:
        raise ValidationError(f"{label}应为18位，当前为{len(text)}位", field=field)
    if not _ID_SHAPE.fullmatch(text):
        raise ValidationError(f"{label}只能由17位数字和最后1位数字或X组成", field=field)
    raw_birth = text[6:14]
    try:
        birth = date(int(raw_birth[:4]), int(raw_birth[4:6]), int(raw_birth[6:]))
    except ValueError:
        raise ValidationError(f"{label}中的出生日期{raw_birth}不是有效日期", field=field) from None
    if birth.year < 1900:
        raise ValidationError(f"{label}中的出生日期{raw_birth}早于1900年", field=field)
    if birth > (today or date.today()):
        raise ValidationError(f"{label}中的出生日期{raw_birth}晚于今天", field=field)
    if id_check_char(text[:17]) != text[17]:
        raise ValidationError(f"{label}校验位不正确", field=field)
    return text


# --- 电话号码 ---------------------------------------------------------------------------------

_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
# Area codes: 010 and 02x are three digits, every other one is four digits (0 + 3 digits).
# Local numbers are 7-8 digits and never start with 0 or 1. Extension: "-123" or "转123".
_LANDLINE = re.compile(r"(010|02\d|0[3-9]\d\d)-?([2-9]\d{6,7})(?:(?:-|转)(\d{1,6}))?")
_SHORT_SERVICE = re.compile(r"[1-9]\d{2,5}")


def check_phone(value: str | None, field: str = "reporter.phone", label: str = "联系电话") -> str:
    """Validate a reporter's phone number and return it normalised.

    * mobile ``1[3-9]`` + 9 digits, optionally prefixed ``+86``/``86``, spaces and dashes allowed
      -> the 11 digits, e.g. "13812345678";
    * landline with area code (``0575-88123456``, ``057588123456``, ``010 8812 3456``) and an
      optional extension (``-123`` or ``转123``) -> "0575-88123456" / "0575-88123456-123";
    * short service numbers (110, 12345, 95598 …) are rejected: they are not the reporter's phone.
    """
    text = require(_clean(value), field, label)
    no_space = re.sub(r"\s+", "", text)
    compact = no_space.replace("-", "")
    mobile = _MOBILE.fullmatch(compact)
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(no_space)
    if landline:
        area, local, ext = landline.groups()
        return f"{area}-{local}" + (f"-{ext}" if ext else "")
    if _SHORT_SERVICE.fullmatch(compact):
        raise ValidationError(
            f"{label}不能填写{compact}等服务号码，请填写报告人本人的手机号码或固定电话", field=field
        )
    raise ValidationError(
        f"{label}格式不正确，请填写11位手机号码或带区号的固定电话（如0575-88123456）", field=field
    )


# --- 统一社会信用代码 GB 32100-2015 ------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_INDEX = {c: i for i, c in enumerate(USCC_ALPHABET)}


def uscc_check_char(first17: str) -> str:
    """Check character of the 17 leading characters of a unified social credit code."""
    total = sum(_USCC_INDEX[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(value: str | None, field: str = "org.uscc", label: str = "统一社会信用代码") -> str:
    """Validate an 18-character unified social credit code and return it uppercased.

    Characters must come from ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z); the last character
    must equal the GB 32100-2015 check character (31 - sum mod 31, with 31 -> 0).
    """
    text = require(_clean(value), field, label).upper()
    if len(text) != 18:
        raise ValidationError(f"{label}应为18位，当前为{len(text)}位", field=field)
    bad = sorted({c for c in text if c not in _USCC_INDEX})
    if bad:
        shown = "、".join(bad)
        raise ValidationError(
            f"{label}含有不允许的字符：{shown}（只能使用数字和除I、O、S、V、Z以外的大写字母）",
            field=field,
        )
    if uscc_check_char(text[:17]) != text[17]:
        raise ValidationError(f"{label}校验位不正确", field=field)
    return text
