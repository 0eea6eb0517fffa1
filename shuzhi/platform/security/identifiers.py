"""Check characters and validators for national identifiers (代码校验).

* Unified social credit code (统一社会信用代码), GB 32100-2015, whose positions 9–17 are an
  organisation code (组织机构代码) with its own GB 11714-1997 check character.
* Citizen identity number (公民身份号码), GB 11643-1999, and the legacy 15-digit form.

Each validator returns an ``IdentifierCheck`` whose ``code`` says which rule failed and whose
``reason`` says it in plain English, so forms and ingestion quarantine can show both.

>>> check_credit_code("91350100M000100Y43")
IdentifierCheck(valid=True, code='ok', reason='', warning=False, normalised='91350100M000100Y43')
>>> check_credit_code("91350100M000100Y44").reason
"check character (position 18) should be '3', found '4'"
>>> check_id_number("11010519491231002x").normalised
'11010519491231002X'
>>> upgrade_id_number("110105491231002")
'11010519491231002X'
>>> id_number_facts("11010519491231002X")["sex"]
'female'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypedDict

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CREDIT_CODE_WEIGHTS",
    "EARLIEST_BIRTH_DATE",
    "GB32100_2015_REGISTRATION_AUTHORITIES",
    "ID_CHECK_CHARS",
    "ID_NUMBER_WEIGHTS",
    "ORGANISATION_CODE_WEIGHTS",
    "PROVINCE_PREFIXES",
    "IdNumberFacts",
    "IdentifierCheck",
    "check_credit_code",
    "check_id_number",
    "credit_code_check_char",
    "id_number_check_char",
    "id_number_facts",
    "organisation_code_check_char",
    "upgrade_id_number",
]


@dataclass(frozen=True)
class IdentifierCheck:
    """The outcome of checking one identifier (校验结果).

    ``code`` is ``"ok"`` or a machine reason code; ``reason`` is the English explanation
    (empty when ok); ``warning`` marks a value that is accepted but deserves a look;
    ``normalised`` is the cleaned value that was checked (stripped, upper-case, half-width).
    """

    valid: bool
    code: str
    reason: str
    warning: bool = False
    normalised: str = ""


def _normalise(value: str) -> str:
    # Full-width digits and letters arrive from Chinese input methods; fold them first.
    return unicodedata.normalize("NFKC", value).strip().upper()


def _fail(code: str, reason: str, normalised: str) -> IdentifierCheck:
    return IdentifierCheck(valid=False, code=code, reason=reason, normalised=normalised)


# --- Unified social credit code, GB 32100-2015 ---------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_CREDIT_CODE_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_ALPHABET)}
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, ...

# Registration authority (登记管理部门) → (name, {organisation type (机构类别): name}), as
# published for GB 32100-2015 including the A and N authorities. Public implementations list
# further types added later (e.g. 民政 54 村民委员会, 55 居民委员会), so an unlisted type is
# not rejected: the table serves descriptions and forms, not validation of position 2.
GB32100_2015_REGISTRATION_AUTHORITIES: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}

# Organisation code (组织机构代码), GB 11714-1997: digits keep their value, A–Z are 10–35.
_ORGANISATION_CODE_VALUES = {
    char: index for index, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100 check character (position 18) for the first 17 characters.

    >>> credit_code_check_char("91350100M000100Y4")
    '3'
    """
    body = _normalise(first17)
    if len(body) != 17:
        raise ValueError(f"need the first 17 characters of a credit code, got {len(body)}")
    bad = [char for char in body if char not in _CREDIT_CODE_VALUES]
    if bad:
        raise ValueError(f"character {bad[0]!r} is not in the GB 32100 alphabet")
    total = sum(
        _CREDIT_CODE_VALUES[char] * w for char, w in zip(body, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_check_char_reason(expected: str, found: str) -> str:
    """The reason a credit code fails on its check character alone (also built in bulk).

    >>> credit_code_check_char_reason("3", "4")
    "check character (position 18) should be '3', found '4'"
    """
    return f"check character (position 18) should be {expected!r}, found {found!r}"


def organisation_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character (position 9) of an organisation code.

    >>> organisation_code_check_char("M000100Y")
    '4'
    """
    body = _normalise(first8)
    if len(body) != 8:
        raise ValueError(f"need the first 8 characters of an organisation code, got {len(body)}")
    bad = [char for char in body if char not in _ORGANISATION_CODE_VALUES]
    if bad:
        raise ValueError(f"character {bad[0]!r} is not allowed in an organisation code")
    total = sum(
        _ORGANISATION_CODE_VALUES[char] * w
        for char, w in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_credit_code(code: str) -> IdentifierCheck:
    """Check a unified social credit code against GB 32100-2015.

    Codes: ``empty``, ``bad_length``, ``bad_character``, ``bad_registration_authority``,
    ``bad_division``, ``bad_check_char``; ``org_code_check_warning`` (valid, with
    ``warning=True``) when everything holds except the embedded organisation code's own
    GB 11714 check character, as with some codes issued in early pilot areas.

    >>> check_credit_code("91350100M000100Y4").code
    'bad_length'
    >>> check_credit_code("Z1350100M000100Y43").reason
    "character 'Z' at position 1 is not allowed: GB 32100 uses 0-9 and A-Z without I, O, S, V, Z"
    """
    value = _normalise(code)
    if not value:
        return _fail("empty", "no credit code given", value)
    if len(value) != 18:
        return _fail(
            "bad_length", f"a credit code has 18 characters, this one has {len(value)}", value
        )
    for position, char in enumerate(value, start=1):
        if char not in _CREDIT_CODE_VALUES:
            return _fail(
                "bad_character",
                f"character {char!r} at position {position} is not allowed: "
                "GB 32100 uses 0-9 and A-Z without I, O, S, V, Z",
                value,
            )
    if value[0] not in GB32100_2015_REGISTRATION_AUTHORITIES:
        allowed = ", ".join(
            f"{key} {name}" for key, (name, _) in GB32100_2015_REGISTRATION_AUTHORITIES.items()
        )
        return _fail(
            "bad_registration_authority",
            f"registration authority {value[0]!r} (position 1) is not one of: {allowed}",
            value,
        )
    if not value[2:8].isdigit():
        return _fail(
            "bad_division",
            f"positions 3-8 must be a six-digit division code, found {value[2:8]!r}",
            value,
        )
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        return _fail(
            "bad_check_char",
            credit_code_check_char_reason(expected, value[17]),
            value,
        )
    organisation_check = organisation_code_check_char(value[8:16])
    if value[16] != organisation_check:
        return IdentifierCheck(
            valid=True,
            code="org_code_check_warning",
            reason=(
                "the organisation code inside (positions 9-17) fails its GB 11714 check: "
                f"position 17 should be {organisation_check!r}, found {value[16]!r}; "
                "some codes issued in early pilot areas look like this"
            ),
            warning=True,
            normalised=value,
        )
    return IdentifierCheck(valid=True, code="ok", reason="", normalised=value)


# --- Citizen identity number, GB 11643-1999 ------------------------------------------------

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
# Province-level prefixes of GB/T 2260; 71 Taiwan, 81 Hong Kong, 82 Macao, and 83 for
# residence permits of Taiwan residents.
PROVINCE_PREFIXES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})  # fmt: skip
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

Sex = Literal["male", "female"]


class IdNumberFacts(TypedDict):
    """What a valid identity number states about its holder."""

    division_code: str  # 行政区划代码 where the number was issued
    birth_date: date
    sex: Sex


def id_number_check_char(first17: str) -> str:
    """Return the GB 11643 check character (position 18) for the first 17 digits.

    >>> id_number_check_char("11010519491231002")
    'X'
    """
    body = _normalise(first17)
    if len(body) != 17 or not body.isdecimal() or not body.isascii():
        raise ValueError("need the first 17 digits of an identity number")
    total = sum(int(digit) * w for digit, w in zip(body, ID_NUMBER_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def check_id_number(value: str, *, today: date | None = None) -> IdentifierCheck:
    """Check a citizen identity number against GB 11643-1999.

    Codes: ``empty``, ``legacy_15_digit`` (a pre-1999 number: convert it with
    ``upgrade_id_number``), ``bad_length``, ``bad_character``, ``bad_division``,
    ``bad_birth_date`` (not a real date, before 1900 or after ``today``), ``bad_check_char``.

    >>> check_id_number("11010519491231002X").valid
    True
    >>> check_id_number("110105194902300021").code
    'bad_birth_date'
    """
    number = _normalise(value)
    if not number:
        return _fail("empty", "no identity number given", number)
    if len(number) == 15 and number.isascii() and number.isdecimal():
        return _fail(
            "legacy_15_digit",
            "this is a 15-digit identity number in the pre-1999 format; upgrade it to 18 digits",
            number,
        )
    if len(number) != 18:
        return _fail(
            "bad_length",
            f"an identity number has 18 characters, this one has {len(number)}",
            number,
        )
    for position, char in enumerate(number, start=1):
        allowed = "0123456789X" if position == 18 else "0123456789"
        if char not in allowed:
            what = "a digit or X" if position == 18 else "a digit"
            return _fail(
                "bad_character",
                f"character {char!r} at position {position} is not allowed: it must be {what}",
                number,
            )
    if number[:2] not in PROVINCE_PREFIXES:
        return _fail(
            "bad_division",
            f"division code {number[:6]!r} (positions 1-6) does not start with a province code",
            number,
        )
    birth_problem = _birth_date_problem(number[6:14], today or date.today())
    if birth_problem:
        return _fail("bad_birth_date", birth_problem, number)
    expected = id_number_check_char(number[:17])
    if number[17] != expected:
        return _fail(
            "bad_check_char",
            f"check character (position 18) should be {expected!r}, found {number[17]!r}",
            number,
        )
    return IdentifierCheck(valid=True, code="ok", reason="", normalised=number)


def _birth_date_problem(digits: str, today: date) -> str:
    """Return why ``YYYYMMDD`` is not a plausible birth date, or "" if it is."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return f"birth date {digits!r} (positions 7-14) is not a real date"
    if born < EARLIEST_BIRTH_DATE:
        return f"birth date {born.isoformat()} is before 1900"
    if born > today:
        return f"birth date {born.isoformat()} is in the future"
    return ""


def upgrade_id_number(old15: str) -> str:
    """Convert a legacy 15-digit identity number to 18 digits (insert "19", add a check char).

    Raises ValueError, with the reason, if the input is not a valid 15-digit number.

    >>> upgrade_id_number("330802900101123")
    '330802199001011232'
    """
    number = _normalise(old15)
    if len(number) != 15 or not number.isascii() or not number.isdecimal():
        raise ValueError("a legacy identity number has exactly 15 digits")
    body = f"{number[:6]}19{number[6:]}"
    upgraded = body + id_number_check_char(body)
    result = check_id_number(upgraded)
    if not result.valid:
        raise ValueError(result.reason)
    return upgraded


def id_number_facts(value: str) -> IdNumberFacts:
    """Return the division code, birth date and sex stated by a valid identity number.

    A 15-digit legacy number is upgraded first; an invalid number raises ValueError with
    the reason.

    >>> id_number_facts("330802199001011232")
    {'division_code': '330802', 'birth_date': datetime.date(1990, 1, 1), 'sex': 'male'}
    """
    number = _normalise(value)
    if len(number) == 15:
        number = upgrade_id_number(number)
    result = check_id_number(number)
    if not result.valid:
        raise ValueError(result.reason)
    sex: Sex = "male" if int(number[16]) % 2 else "female"
    return IdNumberFacts(
        division_code=number[:6],
        birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        sex=sex,
    )
