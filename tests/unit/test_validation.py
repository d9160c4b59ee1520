"""Unit tests for app.domain.validation."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.validation import (
    USCC_ALPHABET,
    check_id_no,
    check_length,
    check_phone,
    check_uscc,
    id_check_char,
    require,
    uscc_check_char,
)
from app.errors import ValidationError

TODAY = date(2026, 3, 1)


def _err(fn, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return info.value


# --- require / check_length ---------------------------------------------------------------


def test_require_strips():
    assert require("  张三 ", "reporter.name", "报告人姓名") == "张三"


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_require_empty(value):
    e = _err(require, value, "reporter.name", "报告人姓名")
    assert e.message == "请填写报告人姓名"
    assert e.field == "reporter.name"
    assert e.code == "invalid"


def test_check_length_ok_and_counts_characters():
    assert check_length(" 路灯不亮 ", "case.title", "标题", max_len=4) == "路灯不亮"
    assert check_length(None, "case.note", "备注", max_len=10) == ""


def test_check_length_too_long():
    e = _err(check_length, "一二三四五", "case.title", "标题", 4)
    assert e.message == "标题不能超过4个字（当前5个字）"
    assert e.field == "case.title"


def test_check_length_too_short_and_empty():
    e = _err(check_length, "短", "case.content", "事件描述", 500, min_len=5)
    assert e.message == "事件描述至少需要5个字（当前1个字）"
    e = _err(check_length, "  ", "case.content", "事件描述", 500, min_len=5)
    assert e.message == "请填写事件描述"


# --- ID number ----------------------------------------------------------------------------

VALID_IDS = [
    "11010519491231002X",  # example printed in GB 11643-1999
    "330602199003071238",  # computed: Shaoxing Yuecheng, 1990-03-07
    "330682200002290022",  # computed: leap day 2000-02-29
    "330602198506150013",
]


@pytest.mark.parametrize("id_no", VALID_IDS)
def test_id_valid(id_no):
    assert check_id_no(id_no, today=TODAY) == id_no


def test_id_lowercase_x_and_whitespace():
    assert check_id_no("  11010519491231002x \n", today=TODAY) == "11010519491231002X"


def test_id_fullwidth_digits_are_folded():
    assert check_id_no("３３０６０２１９９００３０７１２３８", today=TODAY) == "330602199003071238"


def test_id_check_char_algorithm():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("33060219900307123") == "8"


@pytest.mark.parametrize("bad", ["33060219900307123", "3306021990030712388", "330602900307123"])
def test_id_wrong_length(bad):
    e = _err(check_id_no, bad, today=TODAY)
    assert e.message == f"身份证号码应为18位，当前为{len(bad)}位"
    assert e.field == "reporter.id_no"


@pytest.mark.parametrize("bad", ["33060219900307123A", "3306021990030X1238", "33060219900307 238"])
def test_id_bad_characters(bad):
    e = _err(check_id_no, bad, today=TODAY)
    assert e.message == "身份证号码只能由17位数字和最后1位数字或X组成"


def test_id_impossible_birth_date():
    # 2001-02-29 does not exist; check char is valid so only the date is wrong.
    first17 = "33060220010229002"
    e = _err(check_id_no, first17 + id_check_char(first17), today=TODAY)
    assert e.message == "身份证号码中的出生日期20010229不是有效日期"


def test_id_month_13():
    first17 = "33060219901301002"
    e = _err(check_id_no, first17 + id_check_char(first17), today=TODAY)
    assert "出生日期19901301不是有效日期" in e.message


def test_id_birth_before_1900():
    # Second example printed in GB 11643-1999: born 1880, check char correct.
    e = _err(check_id_no, "440524188001010014", today=TODAY)
    assert e.message == "身份证号码中的出生日期18800101早于1900年"


def test_id_birth_in_future():
    first17 = "33060220260302001"
    id_no = first17 + id_check_char(first17)
    e = _err(check_id_no, id_no, today=TODAY)
    assert e.message == "身份证号码中的出生日期20260302晚于今天"
    assert check_id_no(id_no, today=date(2026, 3, 2)) == id_no  # born today is fine


def test_id_bad_check_digit_names_the_field():
    e = _err(check_id_no, "330602199003071239", "reporter.id_no", "报告人身份证号码", today=TODAY)
    assert e.message == "报告人身份证号码校验位不正确"
    assert e.field == "reporter.id_no"


def test_id_empty():
    assert _err(check_id_no, "").message == "请填写身份证号码"


def test_id_default_today_accepts_old_birth():
    assert check_id_no("11010519491231002X") == "11010519491231002X"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_any_single_digit_change_is_caught(first17):
    # Only well-formed birth dates matter for this property: fix them.
    first17 = first17[:6] + "19800101" + first17[14:]
    good = first17 + id_check_char(first17)
    assert check_id_no(good, today=TODAY) == good
    for pos in (0, 5, 14, 16):
        digit = str((int(good[pos]) + 1) % 10)
        bad = good[:pos] + digit + good[pos + 1 :]
        with pytest.raises(ValidationError):
            check_id_no(bad, today=TODAY)


# --- phone --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("86-19912345678", "19912345678"),
        ("１５９１２３４５６７８", "15912345678"),
    ],
)
def test_phone_mobile(raw, expected):
    assert check_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0575-88123456", "0575-88123456"),
        ("057588123456", "0575-88123456"),
        ("0575 8812 3456", "0575-88123456"),
        ("010-88123456", "010-88123456"),
        ("01088123456", "010-88123456"),
        ("021-6123456", "021-6123456"),
        ("0571-8512345", "0571-8512345"),
        ("0575-88123456-123", "0575-88123456-123"),
        ("0575-88123456 转 8001", "0575-88123456-8001"),
    ],
)
def test_phone_landline(raw, expected):
    assert check_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "110", "95598", "96345"])
def test_phone_service_numbers_rejected(raw):
    e = _err(check_phone, raw)
    assert e.field == "reporter.phone"
    assert e.message == f"联系电话不能填写{raw}等服务号码，请填写报告人本人的手机号码或固定电话"


@pytest.mark.parametrize(
    "raw",
    [
        "12812345678",  # second digit 2 is not a mobile prefix
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "0575-0123456",  # local number may not start with 0
        "0575-88123456-1234567",  # extension too long
        "88123456",  # no area code
        "4008123456",
        "phone",
        "0575",
    ],
)
def test_phone_invalid(raw):
    e = _err(check_phone, raw, "reporter.phone", "报告人联系电话")
    assert e.message.startswith("报告人联系电话格式不正确")


def test_phone_empty():
    assert _err(check_phone, " ").message == "请填写联系电话"


# --- USCC ---------------------------------------------------------------------------------

PUBLIC_USCC = [
    # Published codes (sample from documentation and registered companies); all pass the check.
    "91350100M000100Y43",
    "9144030071526726XG",
    "914403001922038216",
    "91330100799655058B",
    "91110108551385082Q",
]
COMPUTED_USCC = [
    # Computed with the GB 32100-2015 algorithm for Shaoxing (330602) style codes.
    "91330602MA2BCDEF0M",
    "91330602MA2D4F8K1G",
    "123306020025123459",  # 事业单位 (1 2 ...)
]


@pytest.mark.parametrize("code", PUBLIC_USCC + COMPUTED_USCC)
def test_uscc_valid(code):
    assert check_uscc(code) == code


def test_uscc_check_char_values():
    assert uscc_check_char("91330602MA2BCDEF0") == "M"
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_uscc_check_char_zero_when_31():
    # Construct a prefix whose weighted sum is a multiple of 31 -> check char "0".
    prefix = "1" + "0" * 16  # weight 1 * value 1 = 1; adjust last position (weight 28)
    for c in USCC_ALPHABET:
        candidate = prefix[:16] + c
        if uscc_check_char(candidate) == "0":
            assert check_uscc(candidate + "0") == candidate + "0"
            break
    else:  # pragma: no cover - the search always succeeds
        pytest.fail("no prefix with check char 0 found")


def test_uscc_lowercase_and_whitespace():
    assert check_uscc("  91330602ma2bcdef0m ") == "91330602MA2BCDEF0M"


def test_uscc_wrong_length():
    e = _err(check_uscc, "91330602MA2BCDEF0")
    assert e.message == "统一社会信用代码应为18位，当前为17位"
    assert e.field == "org.uscc"


def test_uscc_forbidden_letters():
    e = _err(check_uscc, "91330602MA2BCDEFOI")
    assert e.message.startswith("统一社会信用代码含有不允许的字符：I、O")


def test_uscc_bad_check_char():
    e = _err(check_uscc, "91330602MA2BCDEF0N", "org.uscc", "单位统一社会信用代码")
    assert e.message == "单位统一社会信用代码校验位不正确"


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17), st.integers(0, 16))
def test_uscc_single_change_is_caught(first17, pos):
    good = first17 + uscc_check_char(first17)
    assert check_uscc(good) == good
    old = USCC_ALPHABET.index(good[pos])
    new = USCC_ALPHABET[(old + 1) % 31]
    with pytest.raises(ValidationError):
        check_uscc(good[:pos] + new + good[pos + 1 :])
