"""The array checks agree with the one-at-a-time validators on every code they are shown."""

from __future__ import annotations

import doctest
import random
from datetime import date

import numpy as np
import pytest

from shuzhi.platform.security import identifier_arrays
from shuzhi.platform.security.identifier_arrays import (
    as_matrix,
    plainly_valid_credit_codes,
    plainly_valid_id_numbers,
)
from shuzhi.platform.security.identifiers import (
    CREDIT_CODE_ALPHABET,
    check_credit_code,
    check_id_number,
    credit_code_check_char,
    id_number_check_char,
    organisation_code_check_char,
)

TODAY = date(2025, 6, 1)
# Characters a mutation may bring in: the alphabet, letters it leaves out, lower case.
NOISE = CREDIT_CODE_ALPHABET + "IOSVZaxyX "


def test_doctests() -> None:
    assert doctest.testmod(identifier_arrays).failed == 0


def _credit_codes(rng: random.Random, count: int) -> list[str]:
    codes = []
    for _ in range(count):
        authority = rng.choice("123456789ANY")
        kind = rng.choice("1239")
        division = f"{rng.randrange(1_000_000):06d}"
        organisation8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        body = authority + kind + division + organisation8
        if rng.random() < 0.8:  # most embed a correct organisation check character
            body += organisation_code_check_char(organisation8)
        else:
            body += rng.choice(CREDIT_CODE_ALPHABET)
        code = body + credit_code_check_char(body)
        if rng.random() < 0.5:  # then spoil some at one position
            position = rng.randrange(18)
            code = code[:position] + rng.choice(NOISE) + code[position + 1 :]
        codes.append(code)
    return codes


def _id_numbers(rng: random.Random, count: int) -> list[str]:
    numbers = []
    for _ in range(count):
        province = rng.choice(["11", "33", "65", "83", "00", "99", "19"])
        year = rng.choice([1899, 1900, 1960, 2000, 2024, 2025, 2026])
        month = rng.randrange(0, 14)
        day = rng.randrange(0, 32)
        body = f"{province}0802{year:04d}{month:02d}{day:02d}{rng.randrange(1000):03d}"
        number = body + id_number_check_char(body)
        if rng.random() < 0.3:
            position = rng.randrange(18)
            number = number[:position] + rng.choice("0123456789Xx ") + number[position + 1 :]
        numbers.append(number)
    return numbers


def _plain(valid: bool, code: str, normalised: str, result_code: str) -> bool:
    return valid and result_code == "ok" and normalised == code


def test_credit_codes_agree_with_the_validator() -> None:
    codes = _credit_codes(random.Random(32100), 20_000)
    fast = plainly_valid_credit_codes(as_matrix(codes)).tolist()
    lenient = plainly_valid_credit_codes(as_matrix(codes), warnings_ok=True).tolist()
    expected = []
    accepted = []
    for code in codes:
        result = check_credit_code(code)
        expected.append(_plain(result.valid, code, result.normalised, result.code))
        accepted.append(result.valid and result.normalised == code)
    assert fast == expected
    assert lenient == accepted
    assert sum(lenient) > sum(fast)
    # The sample covers both outcomes and the warning case.
    assert 0 < sum(fast) < len(fast)
    assert any(check_credit_code(code).warning for code in codes)


def test_id_numbers_agree_with_the_validator() -> None:
    numbers = _id_numbers(random.Random(11643), 20_000)
    fast = plainly_valid_id_numbers(as_matrix(numbers), today=TODAY).tolist()
    expected = []
    for number in numbers:
        result = check_id_number(number, today=TODAY)
        expected.append(_plain(result.valid, number, result.normalised, result.code))
    assert fast == expected
    assert 0 < sum(fast) < len(fast)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("110105194902290021", False),  # 1949 was not a leap year
        ("110105200002290021", True),  # 2000 was
        ("110105190002290021", False),  # 1900 was not
        ("110105202506010021", True),  # born today
        ("110105202506020021", False),  # tomorrow
    ],
)
def test_birth_dates_at_the_edges(number: str, valid: bool) -> None:
    fixed = number[:17] + id_number_check_char(number[:17])
    assert plainly_valid_id_numbers(as_matrix([fixed]), today=TODAY).tolist() == [valid]
    assert check_id_number(fixed, today=TODAY).valid is valid


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="18 ASCII"):
        as_matrix(["91350100M000100Y4"])
    with pytest.raises(ValueError, match="expected an"):
        plainly_valid_credit_codes(np.zeros((2, 17), dtype=np.uint8))
