from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from shuzhi.platform.warehouse.checks import MISSING, ColumnChecker, check_value
from shuzhi.platform.warehouse.spec import FieldSpec

CREDIT = FieldSpec("code", "string", semantic_type="credit_code")
PERSON = FieldSpec("id", "string", semantic_type="id_number")


@pytest.mark.parametrize(
    ("spec", "raw", "reason"),
    [
        (FieldSpec("n", "integer"), "12a", "not an integer: '12a'"),
        (FieldSpec("n", "integer"), "1.5", "not an integer: '1.5'"),
        (FieldSpec("n", "integer"), "1_000", "not an integer: '1_000'"),
        (FieldSpec("n", "integer"), "١٢", "not an integer: '١٢'"),
        (FieldSpec("n", "integer"), "9" * 20, f"integer out of range (64-bit): '{'9' * 20}'"),
        (FieldSpec("n", "integer", min_value=0), "-1", "below the minimum 0: -1"),
        (FieldSpec("n", "integer", max_value=10), "11", "above the maximum 10: 11"),
        (
            FieldSpec("n", "integer", code_values=frozenset({"1", "2"})),
            "03",
            "not in code table: '3'",
        ),
        (FieldSpec("x", "decimal"), "1,5", "not a decimal number: '1,5'"),
        (FieldSpec("x", "decimal"), "NaN", "not a decimal number: 'NaN'"),
        (FieldSpec("x", "decimal", min_value=0), "-0.01", "below the minimum 0: -0.01"),
        (FieldSpec("x", "decimal", max_value=99.5), "99.51", "above the maximum 99.5: 99.51"),
        (
            FieldSpec("x", "decimal"),
            "1" * 29,
            f"too large for a decimal (at most 28 digits before the point): '{'1' * 29}'",
        ),
        (
            FieldSpec("d", "date"),
            "2026-13",
            "not a date: '2026-13' (expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)",
        ),
        (FieldSpec("d", "date"), "2026-02-30", "not a real date: 2026-02-30"),
        (FieldSpec("d", "date"), "20250229", "not a real date: 20250229"),
        (FieldSpec("d", "date"), "0000-01-01", "not a real date: 0000-01-01"),
        (
            FieldSpec("t", "datetime"),
            "yesterday",
            "not a date and time: 'yesterday' "
            "(expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD, then HH:MM:SS)",
        ),
        (
            FieldSpec("t", "datetime"),
            "2026-01-01 25:00",
            "not a real date and time: 2026-01-01 25:00",
        ),
        (
            FieldSpec("b", "boolean"),
            "maybe",
            "not a yes/no value: 'maybe' (expected true/false, yes/no, 1/0 or 是/否)",
        ),
        (
            FieldSpec("s", "string", code_values=frozenset({"330802"})),
            "330899",
            "not in code table: '330899'",
        ),
        (CREDIT, "91350100M000100Y44", "check character (position 18) should be '3', found '4'"),
        (CREDIT, "91350100M000100Y4", "a credit code has 18 characters, this one has 17"),
        (PERSON, "110105194902300021", "birth date '19490230' (positions 7-14) is not a real date"),
        (
            FieldSpec("m", "string", semantic_type="mobile"),
            "12345678901",
            "not a mobile number: '12345678901' (11 digits starting 13 to 19 expected)",
        ),
        (
            FieldSpec("c", "string", semantic_type="division_code"),
            "33080",
            "not a division code: '33080' (6, 9 or 12 digits expected)",
        ),
        (FieldSpec("s", "string", nullable=False), "", MISSING),
        (FieldSpec("s", "string", nullable=False), None, MISSING),
        (FieldSpec("s", "string", nullable=False), " \u3000 ", MISSING),
    ],
)
def test_check_value_names_the_problem(spec: FieldSpec, raw: str | None, reason: str) -> None:
    assert check_value(spec, raw) == (None, reason)


@pytest.mark.parametrize(
    ("spec", "raw", "value"),
    [
        (FieldSpec("n", "integer"), " +42 ", 42),
        (FieldSpec("n", "integer", min_value=0.5), "1", 1),
        (FieldSpec("x", "decimal"), "12.50", Decimal("12.50")),
        (FieldSpec("x", "decimal"), "1.5E+3", Decimal("1.5E+3")),
        (FieldSpec("x", "decimal"), "0.30000000000000004", Decimal("0.3000000000")),
        (FieldSpec("x", "decimal"), ".5", Decimal("0.5")),
        (FieldSpec("d", "date"), "2026-01-05", date(2026, 1, 5)),
        (FieldSpec("d", "date"), "2026/1/5", date(2026, 1, 5)),
        (FieldSpec("d", "date"), "20260105", date(2026, 1, 5)),
        (FieldSpec("d", "date"), "2024-02-29", date(2024, 2, 29)),
        (FieldSpec("t", "datetime"), "2026-01-05 08:30:15", datetime(2026, 1, 5, 8, 30, 15)),
        (FieldSpec("t", "datetime"), "2026-01-05T08:30", datetime(2026, 1, 5, 8, 30)),
        (FieldSpec("t", "datetime"), "2026-01-05", datetime(2026, 1, 5)),
        (
            FieldSpec("t", "datetime"),
            "2026-01-05 08:30:15.5",
            datetime(2026, 1, 5, 8, 30, 15, 500000),
        ),
        (FieldSpec("b", "boolean"), "TRUE", True),
        (FieldSpec("b", "boolean"), "否", False),
        (CREDIT, "９１３５０１００ｍ０００１００ｙ４３", "91350100M000100Y43"),
        (PERSON, "11010519491231002x", "11010519491231002X"),
        (FieldSpec("s", "string"), "  柯城区 ", "柯城区"),
        (FieldSpec("s", "string"), "", None),
        (FieldSpec("n", "integer"), None, None),
    ],
)
def test_check_value_returns_the_typed_value(
    spec: FieldSpec, raw: str | None, value: object
) -> None:
    assert check_value(spec, raw) == (value, None)


def test_decimals_are_decimal_not_float() -> None:
    value, _ = check_value(FieldSpec("x", "decimal"), "0.1")
    assert isinstance(value, Decimal)
    assert value == Decimal("0.1")


# Every spec below sees every value: the column path must agree with check_value cell by cell.
TRICKY = [
    None,
    "",
    "  ",
    "0",
    "-0",
    "007",
    "+5",
    "-5",
    "12a",
    "1.5",
    "12.50",
    "1e3",
    "1.12345678901",
    "12.345",
    "12.340",
    "112.99999999999999",
    "0.30000000000000004",
    "99999999999999999.9",
    "99999999999999999999",
    "2026-01-05",
    "2026/01/05",
    "20260105",
    "2026-1-5",
    "2026-02-30",
    "0000-01-01",
    "2026-01-05 08:30:00",
    "2026-01-05T08:30:00",
    "2026-01-05 24:00:00",
    "true",
    "是",
    "330802",
    " 330802 ",
    "330899",
    "91350100M000100Y43",
    "91350100m000100y43",
    "91350100M000100Y44",
    "11010519491231002X",
    "13812345678",
]
SPECS = [
    FieldSpec("s", "string"),
    FieldSpec("s", "string", nullable=False),
    FieldSpec("s", "string", code_values=frozenset({"330802", "330803"})),
    FieldSpec("n", "integer"),
    FieldSpec("n", "integer", min_value=0, max_value=100, nullable=False),
    FieldSpec("n", "integer", code_values=frozenset({"7", "0"})),
    FieldSpec("x", "decimal"),
    FieldSpec("x", "decimal", min_value=0.5, max_value=1000),
    FieldSpec("x", "decimal", decimal_places=2),
    FieldSpec("x", "decimal", decimal_places=0, min_value=0.5),
    FieldSpec("d", "date"),
    FieldSpec("t", "datetime"),
    FieldSpec("b", "boolean"),
    CREDIT,
    PERSON,
    FieldSpec("m", "string", semantic_type="mobile"),
    FieldSpec("c", "string", semantic_type="division_code", code_values=frozenset({"330802"})),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.data_type}-{s.semantic_type}")
@pytest.mark.parametrize("repeat", [1, 40], ids=["distinct", "repeated"])
def test_column_checker_agrees_with_check_value(spec: FieldSpec, repeat: int) -> None:
    values = TRICKY * repeat  # repeated values take the dictionary path
    checked = ColumnChecker(spec).check(pa.array(values, pa.string()))
    got = list(
        zip(
            checked.values.to_pylist(),
            checked.invalid.to_pylist(),
            checked.reasons.to_pylist(),
            strict=True,
        )
    )
    for raw, (value, invalid, reason) in zip(values, got, strict=True):
        expected_value, expected_reason = check_value(spec, raw)
        assert (reason, invalid) == (expected_reason, expected_reason is not None), raw
        if expected_reason is None:  # blank text is null, not kept as written
            assert value == expected_value, raw


def test_column_checker_remembers_semantic_outcomes_across_batches() -> None:
    checker = ColumnChecker(CREDIT)
    first = checker.check(pa.array(["91350100M000100Y43", "bad"]))
    second = checker.check(pa.array(["bad", "91350100M000100Y43"]))
    assert first.invalid.to_pylist() == [False, True]
    assert second.invalid.to_pylist() == [True, False]
    assert second.reasons[0].as_py() == "a credit code has 18 characters, this one has 3"


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"data_type": "float"}, "unknown data type 'float'"),
        ({"data_type": "integer", "semantic_type": "credit_code"}, "needs data type 'string'"),
        ({"data_type": "date", "code_values": frozenset({"x"})}, "string and integer fields only"),
        ({"data_type": "string", "min_value": 0}, "integer and decimal fields only"),
        ({"data_type": "integer", "min_value": 5, "max_value": 1}, "minimum 5 is above maximum 1"),
        ({"data_type": "decimal", "max_value": float("inf")}, "finite number"),
        ({"data_type": "integer", "decimal_places": 2}, "decimal fields only"),
        ({"data_type": "decimal", "decimal_places": 11}, "from 0 to 10"),
        ({"data_type": "decimal", "decimal_places": -1}, "from 0 to 10"),
        ({"data_type": "decimal", "decimal_places": 2.0}, "whole number"),
    ],
)
def test_field_spec_rejects_rules_that_cannot_apply(kwargs: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        FieldSpec("f", **kwargs)


@pytest.mark.parametrize("name", ["", "__row", "id__token", " padded"])
def test_field_spec_rejects_reserved_or_empty_names(name: str) -> None:
    with pytest.raises(ValueError, match="field"):
        FieldSpec(name, "string")


# Columns Arrow casts to decimals whole take the cast-only path (no shape check): every cell
# there must still agree with check_value, whatever form the number is written in.
CASTABLE = [
    "0",
    "-0",
    "+5",
    "007",
    ".5",
    "5.",
    "1e3",
    "1E+3",
    "1.5e2",
    "1e-3",
    "-12.50",
    "0.5",
    "1000",
    "1000.0000000001",
    "0.4999999999",
    "9999999999999999999999999999.99",
    "-9999999999999999999999999999.9999999999",
    None,
]


@pytest.mark.parametrize(
    "spec",
    [
        FieldSpec("x", "decimal"),
        FieldSpec("x", "decimal", min_value=0.5, max_value=1000, nullable=False),
        FieldSpec("x", "decimal", min_value=0),
        FieldSpec("x", "decimal", decimal_places=2),
        FieldSpec("x", "decimal", decimal_places=0, min_value=0),
    ],
    ids=["plain", "bounded", "non-negative", "two-places", "whole"],
)
@pytest.mark.parametrize("cells", ["castable", "fit-declared"])
def test_a_column_cast_whole_agrees_with_check_value(spec: FieldSpec, cells: str) -> None:
    values = CASTABLE if cells == "castable" else FIT_DECLARED
    checked = ColumnChecker(spec).check(pa.array(values, pa.string()))
    for raw, value, reason in zip(
        values, checked.values.to_pylist(), checked.reasons.to_pylist(), strict=True
    ):
        expected_value, expected_reason = check_value(spec, raw)
        assert reason == expected_reason, raw
        if expected_reason is None and expected_value is not None:
            assert value == expected_value, raw


# Numbers about the limits of DECIMAL(18, 2) and DECIMAL(18, 0), for the columns of
# declared places (those Arrow casts whole take the cast-only path).
FIT_DECLARED = ["0", "-0", "+5", "007", "5.", "1e3", "1.5e2", "-12.50", "12.340", "1000"]
FIT_DECLARED += ["9999999999999999.99", "-999999999999999999", "0.5", None]


def test_declared_places_refuse_finer_values_and_bound_the_digits_before_the_point() -> None:
    fee = FieldSpec("fee", "decimal", decimal_places=2)
    assert check_value(fee, "12.340") == (Decimal("12.34"), None)
    assert check_value(fee, "12.345") == (None, "more than 2 decimal places: '12.345'")
    assert check_value(fee, "9999999999999999.99") == (Decimal("9999999999999999.99"), None)
    assert check_value(fee, "10000000000000000")[1] == (
        "too large for a decimal (at most 16 digits before the point): '10000000000000000'"
    )
    # a float written out in full: its noise goes, at the 15 digits a float holds
    assert check_value(fee, "112.99999999999999") == (Decimal("113.00"), None)
    assert check_value(fee, "0.30000000000000004") == (Decimal("0.30"), None)
    assert check_value(fee, "12.3400000001")[1] == "more than 2 decimal places: '12.3400000001'"
    whole = FieldSpec("n", "decimal", decimal_places=0)
    assert check_value(whole, "1.5")[1] == "a whole number expected (no decimal places): '1.5'"
    assert check_value(whole, "1.0") == (Decimal("1"), None)
    # undeclared places still round finer digits, as before
    assert check_value(FieldSpec("x", "decimal"), "0.30000000000000004")[1] is None


def test_a_bound_beyond_the_declared_digits_does_not_break_the_column_check() -> None:
    rate = FieldSpec("rate", "decimal", decimal_places=8, min_value=0, max_value=1e12)
    checked = ColumnChecker(rate).check(pa.array(["1", "2.5", "-1"]))
    assert checked.values.to_pylist()[:2] == [Decimal(1), Decimal("2.5")]
    assert checked.reasons.to_pylist() == [None, None, "below the minimum 0: -1"]


def test_a_huge_exponent_is_checked_without_arrows_cast() -> None:
    # Arrow 26's string-to-decimal cast ends the process (SIGSEGV) on 1e-30000000: run apart
    script = (
        "import pyarrow as pa\n"
        "from shuzhi.platform.warehouse.checks import ColumnChecker\n"
        "from shuzhi.platform.warehouse.spec import FieldSpec\n"
        "for places in (None, 2):\n"
        "    spec = FieldSpec('x', 'decimal', decimal_places=places)\n"
        "    checked = ColumnChecker(spec).check(pa.array(['1e-30000000', '1.5']))\n"
        "    print(checked.reasons.to_pylist())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[None, None]",  # rounded to 0 at ten places, as any finer digits are
        "[\"more than 2 decimal places: '1e-30000000'\", None]",
    ]


def test_a_value_with_more_than_28_significant_digits_below_the_limit_fits() -> None:
    # abs() in the default 28-digit context once rounded this up to 1E+28 and refused it
    value, reason = check_value(FieldSpec("x", "decimal"), "9999999999999999999999999999.99")
    assert reason is None
    assert value == Decimal("9999999999999999999999999999.99")


def _mutated_credit_codes(count: int) -> list[str]:
    """Valid codes and codes broken each way check_credit_code tells apart."""
    import random

    from shuzhi.platform.security.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_char

    rng = random.Random(7)
    codes = []
    for n in range(count):
        body = rng.choice("91Y5") + rng.choice("123") + f"{rng.randrange(10**6):06d}"
        body += "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
        code = body + credit_code_check_char(body)
        kind = n % 9
        if kind == 1:  # the check character mistyped
            code = code[:-1] + rng.choice(CREDIT_CODE_ALPHABET.replace(code[-1], ""))
        elif kind == 2:  # lower case: valid once normalised
            code = code.lower()
        elif kind == 3:  # a letter GB 32100 leaves out, anywhere
            at = rng.randrange(18)
            code = code[:at] + rng.choice("IOSVZ") + code[at + 1 :]
        elif kind == 4:  # an unknown registration authority
            code = "Z" + code[1:] if n % 2 else "4" + code[1:]
        elif kind == 5:  # a letter in the division code
            code = code[:4] + "A" + code[5:]
        elif kind == 6:  # too short or too long
            code = code[:17] if n % 2 else code + "1"
        elif kind == 7:  # full-width digits (18 characters, more bytes)
            code = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        elif kind == 8:  # six Chinese characters: 18 bytes, not 18 ASCII characters
            code = "统一社会信用"
        codes.append(code)
    return codes


def test_credit_code_reasons_found_in_bulk_agree_with_check_value() -> None:
    values = _mutated_credit_codes(900)
    checked = ColumnChecker(CREDIT).check(pa.array(values, pa.string()))
    reasons = checked.reasons.to_pylist()
    assert sum(reason is not None for reason in reasons) > 400
    for raw, reason in zip(values, reasons, strict=True):
        assert reason == check_value(CREDIT, raw)[1], raw


@pytest.mark.parametrize(("places", "zero"), [(10, "0e9"), (2, "0e17"), (None, "0e29")])
def test_a_zero_with_a_large_exponent_is_stored_at_the_scale(places: int | None, zero: str) -> None:
    # check_value once returned Decimal('0E+29') as written, which Arrow could not hold
    spec = FieldSpec("x", "decimal", decimal_places=places)
    checked = ColumnChecker(spec).check(pa.array([zero, "1.5e0", "x"]))
    assert checked.values.to_pylist()[:2] == [Decimal(0), Decimal("1.5")]
    assert checked.reasons.to_pylist() == [None, None, "not a decimal number: 'x'"]
