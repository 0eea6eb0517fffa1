"""Every reason shape the engine and the kernel produce reads in Chinese on a Chinese page."""

from __future__ import annotations

import pytest
from django.utils import translation

from shuzhi.platform.warehouse.messages import translate_ingest_error, translate_reason
from shuzhi.platform.warehouse.spec import IngestError

REASONS = [
    "required value is missing",
    "not a mobile number: '123' (11 digits starting 13 to 19 expected)",
    "not a division code: '33' (6, 9 or 12 digits expected)",
    "not in code table: '330899'",
    "not an integer: '12a'",
    "integer out of range (64-bit): '99999999999999999999'",
    "not a decimal number: 'abc'",
    "too large for a decimal (at most 28 digits before the point): '1e40'",
    "not a date: '2024-13' (expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)",
    "not a real date: 2024-02-30",
    "not a yes/no value: 'maybe' (expected true/false, yes/no, 1/0 or 是/否)",
    "below the minimum 0: -5",
    "above the maximum 100: 101",
    "duplicate key (credit_code, month): same as row 3",
    "a credit code has 18 characters, this one has 17",
    "character 'I' at position 5 is not allowed: GB 32100 uses 0-9 and A-Z without I, O, S, V, Z",
    "registration authority '0' (position 1) is not one of: 1 机构编制",
    "positions 3-8 must be a six-digit division code, found '33A802'",
    "check character (position 18) should be '3', found '4'",
    "this is a 15-digit identity number in the pre-1999 format; upgrade it to 18 digits",
    "division code '990105' (positions 1-6) does not start with a province code",
    "birth date '19491331' (positions 7-14) is not a real date",
    "more than 2 decimal places: '12.345'",
    "a whole number expected (no decimal places): '1.5'",
]


@pytest.mark.parametrize("reason", REASONS)
def test_each_reason_shape_is_translated(reason: str) -> None:
    with translation.override("zh-hans"):
        shown = translate_reason(reason)
    assert shown != reason
    assert any("\u4e00" <= ch <= "\u9fff" for ch in shown), shown


@pytest.mark.parametrize(
    "reason",
    ["more than 2 decimal places: '12.345'", "not a real date: 2024-02-30", "not an integer: 'x'"],
)
def test_a_redacted_reason_is_translated_without_its_value(reason: str) -> None:
    from shuzhi.platform.warehouse.engine import redact_reason

    redacted = redact_reason(reason)  # as stored for a field graded L3-L4
    with translation.override("zh-hans"):
        shown = translate_reason(redacted)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in shown), shown
    assert shown.endswith("***")


def test_quoted_values_are_kept() -> None:
    with translation.override("zh-hans"):
        assert "'12a'" in translate_reason("not an integer: '12a'")


def test_unknown_shapes_pass_through() -> None:
    assert translate_reason("something new") == "something new"


def test_whole_file_errors_keep_the_file_and_place() -> None:
    error = IngestError(
        "power.csv", "missing column 'kwh'; unexpected column 'foo'", location="header"
    )
    with translation.override("zh-hans"):
        shown = translate_ingest_error(error)
    assert shown.startswith("power.csv")
    assert "'kwh'" in shown
    assert "'foo'" in shown
    assert "missing" not in shown
