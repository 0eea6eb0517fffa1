"""Masking (脱敏) of field values by semantic type, following common Chinese practice.

The rules are those in STANDARDS.md "Masking conventions" (as in hutool's DesensitizedUtil).
Each masked character becomes ``*`` and the length is kept, except for IPv4, which always
shows as ``a.*.*.*``. A value too short to be genuine is masked entirely rather than letting
the keep-first/keep-last rule reveal most of it.

>>> mask("张三丰", SemanticType.PERSON_NAME)
'张**'
>>> mask("18012341999", "mobile")
'180****1999'
>>> mask("苏D4XY70", SemanticType.PLATE)
'苏D4***0'
>>> mask("192.168.1.10", SemanticType.IPV4)
'192.*.*.*'
>>> mask(None, SemanticType.ADDRESS) is None
True
>>> mask("91330800MA28F3X12K", SemanticType.CREDIT_CODE)
'91330800MA28F3X12K'
"""

from __future__ import annotations

import enum
import ipaddress
from typing import NamedTuple

__all__ = ["MASK_CHAR", "SemanticType", "is_masked_type", "mask"]

MASK_CHAR = "*"


class SemanticType(enum.StrEnum):
    """What a field's values mean, which decides how they are masked (语义类型)."""

    PERSON_NAME = "person_name"  # 姓名
    ID_NUMBER = "id_number"  # 身份证号
    ID_NUMBER_REGION = "id_number_region"  # 身份证号, region kept visible
    MOBILE = "mobile"  # 手机号
    LANDLINE = "landline"  # 座机号
    ADDRESS = "address"  # 地址
    BANK_CARD = "bank_card"  # 银行卡号
    PLATE = "plate"  # 车牌号
    EMAIL = "email"  # 电子邮箱
    IPV4 = "ipv4"  # IPv4 地址
    CREDIT_CODE = "credit_code"  # 统一社会信用代码 (public for legal entities)
    DIVISION_CODE = "division_code"  # 行政区划代码
    INDUSTRY_CODE = "industry_code"  # 行业代码 (GB/T 4754)
    DATE = "date"  # 日期
    BIRTH_DATE = "birth_date"  # 出生日期: the year stays visible
    AMOUNT = "amount"  # 金额
    TEXT = "text"  # 文本


class _KeepEnds(NamedTuple):
    """Keep ``first`` and ``last`` characters of values at least ``min_length`` long."""

    first: int
    last: int
    min_length: int


# min_length is the shortest genuine value: 15-digit legacy ID numbers, 11-digit mobiles,
# an area code plus a 7-digit local number, 12-digit cards, 7-character plates.
_KEEP_ENDS: dict[SemanticType, _KeepEnds] = {
    SemanticType.ID_NUMBER: _KeepEnds(first=1, last=2, min_length=15),
    SemanticType.ID_NUMBER_REGION: _KeepEnds(first=6, last=4, min_length=15),
    SemanticType.MOBILE: _KeepEnds(first=3, last=4, min_length=11),
    SemanticType.LANDLINE: _KeepEnds(first=4, last=2, min_length=10),
    SemanticType.BANK_CARD: _KeepEnds(first=4, last=4, min_length=12),
    SemanticType.PLATE: _KeepEnds(first=3, last=1, min_length=7),
}
_ADDRESS_MASKED_TAIL = 8

_MASKED_TYPES = frozenset(
    {
        *_KEEP_ENDS,
        SemanticType.PERSON_NAME,
        SemanticType.ADDRESS,
        SemanticType.EMAIL,
        SemanticType.IPV4,
        SemanticType.BIRTH_DATE,
    }
)


def _semantic_type(semantic_type: SemanticType | str) -> SemanticType:
    try:
        return SemanticType(semantic_type)
    except ValueError:
        known = ", ".join(member.value for member in SemanticType)
        raise ValueError(f"unknown semantic type {semantic_type!r}; known types: {known}") from None


def is_masked_type(semantic_type: SemanticType | str) -> bool:
    """Tell whether values of ``semantic_type`` are changed by ``mask``.

    >>> is_masked_type("mobile"), is_masked_type(SemanticType.AMOUNT)
    (True, False)
    """
    return _semantic_type(semantic_type) in _MASKED_TYPES


def mask(value: str | None, semantic_type: SemanticType | str) -> str | None:
    """Return ``value`` masked for display according to ``semantic_type``.

    ``None`` stays ``None``; types that are not masked return the value unchanged; surrounding
    space is dropped before masking. An unknown semantic type raises ValueError.

    >>> mask("110105194912310021", SemanticType.ID_NUMBER)
    '1***************21'
    >>> mask("110105194912310021", SemanticType.ID_NUMBER_REGION)
    '110105********0021'
    >>> mask("上海市浦东新区世纪大道100号", SemanticType.ADDRESS)
    '上海市浦东新区********'
    >>> mask("1990-05-17", SemanticType.BIRTH_DATE)
    '1990-**-**'
    """
    kind = _semantic_type(semantic_type)
    if value is None or kind not in _MASKED_TYPES:
        return value
    text = value.strip()
    if kind is SemanticType.PERSON_NAME:
        return text[:1] + MASK_CHAR * (len(text) - 1) if len(text) > 1 else MASK_CHAR * len(text)
    if kind is SemanticType.ADDRESS:
        visible = max(len(text) - _ADDRESS_MASKED_TAIL, 0)
        return text[:visible] + MASK_CHAR * (len(text) - visible)
    if kind is SemanticType.EMAIL:
        return _mask_email(text)
    if kind is SemanticType.IPV4:
        return _mask_ipv4(text)
    if kind is SemanticType.BIRTH_DATE:
        return _mask_birth_date(text)
    return _mask_keep_ends(text, _KEEP_ENDS[kind])


def _mask_keep_ends(text: str, rule: _KeepEnds) -> str:
    if len(text) < rule.min_length:
        return MASK_CHAR * len(text)
    hidden = len(text) - rule.first - rule.last
    return text[: rule.first] + MASK_CHAR * hidden + text[len(text) - rule.last :]


def _mask_email(text: str) -> str:
    """Keep the first character of the local part and the whole domain."""
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return MASK_CHAR * len(text)
    if len(local) == 1:
        return f"{MASK_CHAR}@{domain}"
    return f"{local[0]}{MASK_CHAR * (len(local) - 1)}@{domain}"


def _mask_birth_date(text: str) -> str:
    """Keep the year of a YYYY-MM-DD (or YYYY/MM/DD, YYYYMMDD) date; mask anything else."""
    if len(text) >= 8 and text[:4].isdigit():
        return text[:4] + "".join(c if c in "-/" else MASK_CHAR for c in text[4:])
    return MASK_CHAR * len(text)


def _mask_ipv4(text: str) -> str:
    """Keep the first octet of a dotted-quad address; mask anything else entirely."""
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return MASK_CHAR * len(text)
    first_octet = str(address).split(".", 1)[0]
    return f"{first_octet}.*.*.*"
