"""Tests for credit-code and identity-number validators."""

from __future__ import annotations

import doctest
from datetime import date

import pytest

from shuzhi.platform.security import identifiers
from shuzhi.platform.security.identifiers import (
    CREDIT_CODE_ALPHABET,
    GB32100_2015_REGISTRATION_AUTHORITIES,
    check_credit_code,
    check_id_number,
    credit_code_check_char,
    id_number_check_char,
    id_number_facts,
    organisation_code_check_char,
    upgrade_id_number,
)

TODAY = date(2025, 6, 1)


def credit_code(authority_and_type: str, division: str, organisation8: str) -> str:
    """Build a fully valid credit code from its parts."""
    organisation = organisation8 + organisation_code_check_char(organisation8)
    body = authority_and_type + division + organisation
    return body + credit_code_check_char(body)


def id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


# --- unified social credit code ------------------------------------------------------------


def test_credit_code_weights_are_powers_of_three_mod_31() -> None:
    assert [pow(3, i, 31) for i in range(17)] == [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # published example
        credit_code("91", "330802", "MA28F3X1"),  # Quzhou Kecheng enterprise
        credit_code("92", "330881", "L1234567"),  # individual business, Jiangshan
        credit_code("12", "330800", "00252791"),  # public institution
        credit_code("53", "330824", "50000000"),  # social organisation
        credit_code("Y1", "330825", "HJKLMNPQ"),
        credit_code("N2", "330822", "00000000"),
        credit_code("A1", "100000", "TUWXY000"),
    ],
)
def test_valid_credit_codes_pass(code: str) -> None:
    result = check_credit_code(code)
    assert (result.valid, result.code, result.reason, result.warning) == (True, "ok", "", False)


def test_every_registration_authority_in_the_table_is_accepted() -> None:
    assert set(GB32100_2015_REGISTRATION_AUTHORITIES) == set("123456789ANY")
    for authority, (_, types) in GB32100_2015_REGISTRATION_AUTHORITIES.items():
        for organisation_type in types:
            code = credit_code(authority + organisation_type, "330800", "12345678")
            assert check_credit_code(code).valid, code


def test_credit_code_is_upper_cased_stripped_and_width_folded() -> None:
    full_width = "91350100".translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    result = check_credit_code(f"  {full_width}m000100y43\n")
    assert result.valid
    assert result.normalised == "91350100M000100Y43"


def test_credit_code_check_char_can_be_zero() -> None:
    body = next(
        body for n in range(10_000) if credit_code_check_char(body := f"91330800{n:08d}0") == "0"
    )
    assert check_credit_code(body + "0").valid


@pytest.mark.parametrize(
    ("code", "expected_code", "reason_part"),
    [
        ("", "empty", "no credit code"),
        ("   ", "empty", "no credit code"),
        ("91350100M000100Y4", "bad_length", "has 17"),
        ("91350100M000100Y433", "bad_length", "has 19"),
        ("91350100M0001O0Y43", "bad_character", "'O' at position 14"),
        ("91350100M000100Y4I", "bad_character", "'I' at position 18"),
        ("9135-100M000100Y43", "bad_character", "'-' at position 5"),
        ("B1350100M000100Y43", "bad_registration_authority", "'B' (position 1)"),
        ("913501A0M000100Y43", "bad_division", "'3501A0'"),
        ("91350100M000100Y44", "bad_check_char", "should be '3', found '4'"),
    ],
)
def test_invalid_credit_codes_name_the_failed_rule(
    code: str, expected_code: str, reason_part: str
) -> None:
    result = check_credit_code(code)
    assert not result.valid
    assert result.code == expected_code
    assert reason_part in result.reason


def test_bad_registration_authority_reason_lists_the_allowed_authorities() -> None:
    reason = check_credit_code("B1350100M000100Y43").reason
    for allowed in (
        "1 机构编制",
        "5 民政",
        "9 工商",
        "Y 其他",
        "A 中央军委改革和编制办公室",
        "N 农业",
    ):
        assert allowed in reason


def test_failed_organisation_code_check_is_a_warning_not_an_error() -> None:
    organisation8 = "MA28F3X1"
    wrong = next(c for c in "0123456789" if c != organisation_code_check_char(organisation8))
    body = "91330802" + organisation8 + wrong
    code = body + credit_code_check_char(body)
    result = check_credit_code(code)
    assert result.valid
    assert result.warning
    assert result.code == "org_code_check_warning"
    assert "GB 11714" in result.reason
    assert "pilot" in result.reason


def test_a_bad_credit_check_char_stays_invalid_even_if_the_organisation_code_is_bad() -> None:
    body = "913308020000000A0"
    wrong = next(c for c in CREDIT_CODE_ALPHABET if c != credit_code_check_char(body))
    result = check_credit_code(body + wrong)
    assert (result.valid, result.code, result.warning) == (False, "bad_check_char", False)


@pytest.mark.parametrize(
    ("first8", "expected"),
    [("M000100Y", "4"), ("00000000", "0"), ("D2143569", "X"), ("00000001", "9")],
)
def test_organisation_code_check_char_follows_gb_11714(first8: str, expected: str) -> None:
    assert organisation_code_check_char(first8) == expected


@pytest.mark.parametrize("bad", ["1234567", "123456789", "1234567!"])
def test_check_char_functions_reject_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="organisation code"):
        organisation_code_check_char(bad)
    with pytest.raises(ValueError, match="credit code"):
        credit_code_check_char(bad)
    with pytest.raises(ValueError, match="'I' is not in the GB 32100 alphabet"):
        credit_code_check_char("91350100M000100YI")


# --- citizen identity number ---------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # published example
        "11010519491231002x",
        id_number("33080219900101123"),
        id_number("33088120000229456"),  # leap day
        id_number("81000019900101001"),  # Hong Kong residence permit
        id_number("33080219000101001"),  # earliest allowed birth date
        id_number("33080220250601001"),  # born today
    ],
)
def test_valid_id_numbers_pass(number: str) -> None:
    result = check_id_number(number, today=TODAY)
    assert (result.valid, result.code, result.reason) == (True, "ok", "")


@pytest.mark.parametrize(
    ("number", "expected_code", "reason_part"),
    [
        ("", "empty", "no identity number"),
        ("1101051949123100", "bad_length", "has 16"),
        ("110105491231002", "legacy_15_digit", "15-digit"),
        ("11010519491231002Y", "bad_character", "'Y' at position 18"),
        ("1101051949123100X2", "bad_character", "'X' at position 17"),
        (id_number("01010519491231002"), "bad_division", "'010105'"),
        (id_number("91010519491231002"), "bad_division", "province"),
        (id_number("99010519491231002"), "bad_division", "province"),
        (id_number("11010519490230002"), "bad_birth_date", "not a real date"),
        (id_number("11010519491301002"), "bad_birth_date", "not a real date"),
        (id_number("11010518991231002"), "bad_birth_date", "before 1900"),
        (id_number("11010520250602002"), "bad_birth_date", "in the future"),
        ("110105194912310021", "bad_check_char", "should be 'X', found '1'"),
    ],
)
def test_invalid_id_numbers_name_the_failed_rule(
    number: str, expected_code: str, reason_part: str
) -> None:
    result = check_id_number(number, today=TODAY)
    assert not result.valid
    assert result.code == expected_code
    assert reason_part in result.reason


def test_id_number_check_char_maps_every_remainder() -> None:
    remainders = {id_number_check_char(f"3308021990010100{n}") for n in range(10)} | {
        id_number_check_char(f"330802199001010{n:02d}") for n in range(100)
    }
    assert remainders == set("10X98765432")


def test_upgrade_inserts_19_and_adds_the_check_char() -> None:
    assert upgrade_id_number("110105491231002") == "11010519491231002X"
    assert upgrade_id_number(" 330802900101123 ") == "330802199001011232"


@pytest.mark.parametrize(
    ("old", "reason_part"),
    [
        ("11010549123100", "15 digits"),
        ("11010549123100X", "15 digits"),
        ("110105490230002", "not a real date"),
        ("010105491231002", "province"),
    ],
)
def test_upgrade_rejects_invalid_legacy_numbers_with_a_reason(old: str, reason_part: str) -> None:
    with pytest.raises(ValueError, match=reason_part):
        upgrade_id_number(old)


def test_facts_give_division_birth_date_and_sex() -> None:
    assert id_number_facts("11010519491231002X") == {
        "division_code": "110105",
        "birth_date": date(1949, 12, 31),
        "sex": "female",
    }
    assert id_number_facts(id_number("33082419900101123"))["sex"] == "male"


def test_facts_upgrade_a_legacy_number_first() -> None:
    assert id_number_facts("110105491231002")["birth_date"] == date(1949, 12, 31)


def test_facts_of_an_invalid_number_raise_with_the_reason() -> None:
    with pytest.raises(ValueError, match="should be 'X'"):
        id_number_facts("110105194912310021")


def test_module_docstring_examples_run() -> None:
    assert doctest.testmod(identifiers).failed == 0
