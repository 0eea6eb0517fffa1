"""Tests for masking field values by semantic type."""

from __future__ import annotations

import doctest

import pytest

from shuzhi.platform.security import masking
from shuzhi.platform.security.masking import SemanticType, is_masked_type, mask

S = SemanticType


@pytest.mark.parametrize(
    ("semantic_type", "value", "expected"),
    [
        (S.PERSON_NAME, "张三丰", "张**"),
        (S.PERSON_NAME, "段誉", "段*"),
        (S.PERSON_NAME, "欧阳娜娜", "欧***"),
        (S.PERSON_NAME, "张", "*"),
        (S.PERSON_NAME, " 张三 ", "张*"),
        (S.ID_NUMBER, "51343620000320711X", "5***************1X"),
        (S.ID_NUMBER, "110105491231002", "1************02"),
        (S.ID_NUMBER, "11010549123100", "**************"),
        (S.ID_NUMBER, "12", "**"),
        (S.ID_NUMBER_REGION, "51343620000320711X", "513436********711X"),
        (S.ID_NUMBER_REGION, "5134362000", "**********"),
        (S.MOBILE, "18049531999", "180****1999"),
        (S.MOBILE, "1804953199", "**********"),
        (S.MOBILE, "180495", "******"),
        (S.MOBILE, "+8618049531999", "+86*******1999"),
        (S.LANDLINE, "0570-3012345", "0570******45"),
        (S.LANDLINE, "05703012345", "0570*****45"),
        (S.LANDLINE, "3012345", "*******"),
        (S.ADDRESS, "浙江省衢州市柯城区荷花街道1号", "浙江省衢州市柯********"),
        (S.ADDRESS, "衢州市柯城区", "******"),
        (S.ADDRESS, "衢州市柯城区荷花街道", "衢州********"),
        (S.BANK_CARD, "6222021234567890123", "6222***********0123"),
        (S.BANK_CARD, "622202123456", "6222****3456"),
        (S.BANK_CARD, "62220212345", "***********"),
        (S.PLATE, "苏D4XY70", "苏D4***0"),
        (S.PLATE, "浙HD12345", "浙HD****5"),
        (S.PLATE, "苏D4XY7", "******"),
        (S.EMAIL, "zhangsan@example.com", "z*******@example.com"),
        (S.EMAIL, "a@example.com", "*@example.com"),
        (S.EMAIL, "a.b@c@example.com", "a****@example.com"),
        (S.EMAIL, "not-an-email", "************"),
        (S.EMAIL, "@example.com", "************"),
        (S.IPV4, "192.168.1.10", "192.*.*.*"),
        (S.IPV4, "10.0.0.1", "10.*.*.*"),
        (S.IPV4, "192.168.1", "*********"),
        (S.IPV4, "999.1.1.1", "*********"),
        (S.BIRTH_DATE, "1990-05-17", "1990-**-**"),
        (S.BIRTH_DATE, "1990/5/17", "1990/*/**"),
        (S.BIRTH_DATE, "19900517", "1990****"),
        (S.BIRTH_DATE, "May 1990", "********"),
    ],
)
def test_masked_types_keep_only_what_the_rule_allows(
    semantic_type: SemanticType, value: str, expected: str
) -> None:
    assert mask(value, semantic_type) == expected


@pytest.mark.parametrize(
    ("semantic_type", "value"),
    [
        (S.CREDIT_CODE, "91350100M000100Y43"),
        (S.DIVISION_CODE, "330802"),
        (S.INDUSTRY_CODE, "C2614"),
        (S.DATE, "2025-06-01"),
        (S.AMOUNT, "1234.50"),
        (S.TEXT, " 任意文本 "),
    ],
)
def test_unmasked_types_return_the_value_unchanged(semantic_type: SemanticType, value: str) -> None:
    assert mask(value, semantic_type) == value
    assert not is_masked_type(semantic_type)


@pytest.mark.parametrize("semantic_type", list(SemanticType))
def test_none_stays_none_and_empty_stays_empty_for_every_type(
    semantic_type: SemanticType,
) -> None:
    assert mask(None, semantic_type) is None
    assert mask("", semantic_type) == ""


@pytest.mark.parametrize("semantic_type", list(SemanticType))
def test_semantic_types_are_accepted_by_their_string_value(semantic_type: SemanticType) -> None:
    assert mask("18049531999", semantic_type.value) == mask("18049531999", semantic_type)


def test_masking_keeps_the_length_except_for_ipv4() -> None:
    for semantic_type in SemanticType:
        if semantic_type is not S.IPV4:
            assert len(mask("x" * 20, semantic_type) or "") == 20


def test_unknown_semantic_type_raises_value_error_listing_known_types() -> None:
    with pytest.raises(ValueError, match=r"unknown semantic type 'passport'.*person_name"):
        mask("E12345678", "passport")
    with pytest.raises(ValueError, match="unknown semantic type"):
        mask(None, "passport")
    with pytest.raises(ValueError, match="unknown semantic type"):
        is_masked_type("passport")


def test_required_semantic_type_values() -> None:
    assert {member.value for member in SemanticType} >= {
        "person_name", "id_number", "id_number_region", "mobile", "landline", "address",
        "bank_card", "plate", "email", "ipv4", "credit_code", "division_code", "industry_code",
        "date", "amount", "text",
    }  # fmt: skip


def test_module_docstring_examples_run() -> None:
    assert doctest.testmod(masking).failed == 0
