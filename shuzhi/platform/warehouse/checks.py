"""Value checks (校验) for ingestion: the rules, one cell at a time, and the same rules per column.

``check_value`` is the rule book: it takes one raw cell and returns the typed value or the
reason it fails, in English that names the problem. ``ColumnChecker`` applies the same rules
to a whole Arrow column at once (the hot path of ingestion): vectorised Arrow compute decides
the cells that are plainly valid, and every other cell goes through ``check_value`` itself, so
the two can only differ in speed, never in outcome.

Rules shared by every type: surrounding blanks (space, tab, CR, LF, form feed, ideographic
space U+3000, no-break space) are ignored, and a cell that is then empty is null (空值).

>>> check_value(FieldSpec("kwh", "decimal", min_value=0, decimal_places=2), "12.5")
(Decimal('12.50'), None)
>>> check_value(FieldSpec("kwh", "decimal", min_value=0), "-3")
(None, 'below the minimum 0: -3')
>>> check_value(FieldSpec("n", "integer"), "12a")
(None, "not an integer: '12a'")
>>> check_value(FieldSpec("month", "date"), "2026-02-30")
(None, 'not a real date: 2026-02-30')
>>> check_value(FieldSpec("month", "date"), "2026/1/5")
(datetime.date(2026, 1, 5), None)
>>> check_value(FieldSpec("county", "string", code_values=frozenset({"330802"})), "330899")
(None, "not in code table: '330899'")
>>> check_value(FieldSpec("code", "string", semantic_type="credit_code"), "91350100M000100Y44")
(None, "check character (position 18) should be '3', found '4'")
>>> check_value(FieldSpec("name", "string", nullable=False), "  ")
(None, 'required value is missing')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shuzhi.platform.security.identifier_arrays import (
    credit_code_check_chars,
    plainly_valid_credit_codes,
    plainly_valid_id_numbers,
)
from shuzhi.platform.security.identifiers import (
    check_credit_code,
    check_id_number,
    credit_code_check_char_reason,
)

from .spec import DECLARED_DECIMAL_DIGITS, FieldSpec

__all__ = [
    "BLANKS",
    "DECIMAL_PRECISION",
    "DECIMAL_SCALE",
    "MISSING",
    "ColumnCheck",
    "ColumnChecker",
    "DecimalFormat",
    "arrow_type",
    "check_value",
    "decimal_format",
]

BLANKS = " \t\r\n\f\v\u3000\xa0"
MISSING = "required value is missing"

# Decimals without declared places are stored as DECIMAL(38, 10): 28 digits before the point,
# 10 after. Finer digits (typically float noise such as 0.30000000000000004 from a spreadsheet)
# are rounded half-even; a value that does not fit before the point is rejected. A field that
# declares its places is a DECIMAL(18, places), and more places than declared are refused.
DECIMAL_PRECISION = 38
DECIMAL_SCALE = 10
# A binary float holds 15 significant decimal digits; written out in full it shows 16 or 17
# (a spreadsheet's 112.99999999999999 for 100 × 1.13, or 0.1 + 0.2 = 0.30000000000000004).
_FLOAT_DIGITS = Context(prec=15)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_TRUE = frozenset({"true", "t", "yes", "y", "1", "是"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否"})

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_DATE_PART = (
    r"([0-9]{4})"
    r"(?:-([0-9]{1,2})-([0-9]{1,2})|/([0-9]{1,2})/([0-9]{1,2})|([0-9]{2})([0-9]{2}))"
)
_DATE = re.compile(_DATE_PART, re.ASCII)
_DATETIME = re.compile(
    _DATE_PART + r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?)?", re.ASCII
)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_DIVISION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}(?:[0-9]{3})?)?", re.ASCII)

_DATE_FORMATS = "YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD"


@dataclass(frozen=True)
class DecimalFormat:  # 数值格式
    """How a decimal field is stored, DECIMAL(precision, scale), and what fits in it."""

    precision: int
    scale: int
    declared: bool  # places declared by the catalogue: more places are refused, not rounded

    @property
    def quantum(self) -> Decimal:
        """The smallest step: 0.01 for two places."""
        return Decimal(1).scaleb(-self.scale)

    @property
    def limit(self) -> Decimal:
        """The first magnitude that does not fit before the point."""
        return Decimal(10) ** (self.precision - self.scale)

    @property
    def context(self) -> Context:
        """Enough digits to round any value that fits, and to notice one that does not."""
        return Context(prec=self.precision + 2)

    @property
    def fast_shape(self) -> str:
        """Plain decimals that fit as written, for Arrow's pattern match."""
        whole = f"^-?[0-9]{{1,{self.precision - self.scale}}}"
        return whole + (f"(\\.[0-9]{{1,{self.scale}}})?$" if self.scale else "$")


@cache
def _decimal_format(places: int | None) -> DecimalFormat:
    if places is None:
        return DecimalFormat(DECIMAL_PRECISION, DECIMAL_SCALE, declared=False)
    return DecimalFormat(DECLARED_DECIMAL_DIGITS, places, declared=True)


def decimal_format(spec: FieldSpec) -> DecimalFormat:
    """The storage of a decimal field: DECIMAL(38, 10), or DECIMAL(18, places) if declared.

    >>> decimal_format(FieldSpec("fee", "decimal", decimal_places=2))
    DecimalFormat(precision=18, scale=2, declared=True)
    """
    return _decimal_format(spec.decimal_places)


def arrow_type(spec: FieldSpec) -> pa.DataType:
    """Return the Arrow type a field's values are loaded as (before any encryption).

    >>> arrow_type(FieldSpec("kwh", "decimal"))
    Decimal128Type(decimal128(38, 10))
    >>> arrow_type(FieldSpec("kwh", "decimal", decimal_places=2))
    Decimal128Type(decimal128(18, 2))
    """
    if spec.data_type == "decimal":
        number = decimal_format(spec)
        return pa.decimal128(number.precision, number.scale)
    return {
        "string": pa.string(),
        "integer": pa.int64(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us"),
        "boolean": pa.bool_(),
    }[spec.data_type]


def _number(bound: float) -> str:
    """Show a bound as people write it: 0 rather than 0.0."""
    return str(int(bound)) if float(bound).is_integer() else repr(bound)


def _date_from(match: re.Match[str]) -> date:
    year, m1, d1, m2, d2, m3, d3 = match.groups()[:7]
    return date(int(year), int(m1 or m2 or m3), int(d1 or d2 or d3))


def _check_string(spec: FieldSpec, text: str) -> tuple[object, str | None]:
    value = text
    kind = spec.semantic_type
    if kind == "credit_code":
        credit = check_credit_code(text)
        if not credit.valid:
            return None, credit.reason
        value = credit.normalised
    elif kind == "id_number":
        person = check_id_number(text)
        if not person.valid:
            return None, person.reason
        value = person.normalised
    elif kind == "mobile" and not _MOBILE.fullmatch(text):
        return None, f"not a mobile number: {text!r} (11 digits starting 13 to 19 expected)"
    elif kind == "division_code" and not _DIVISION_CODE.fullmatch(text):
        return None, f"not a division code: {text!r} (6, 9 or 12 digits expected)"
    if spec.code_values is not None and value not in spec.code_values:
        return None, f"not in code table: {value!r}"
    return value, None


def _check_range(spec: FieldSpec, value: int | Decimal, text: str) -> str | None:
    # Compare exactly: ints and Decimals against the bound as written (Decimal of its repr).
    if spec.min_value is not None and value < Decimal(repr(spec.min_value)):
        return f"below the minimum {_number(spec.min_value)}: {text}"
    if spec.max_value is not None and value > Decimal(repr(spec.max_value)):
        return f"above the maximum {_number(spec.max_value)}: {text}"
    return None


def _check_integer(spec: FieldSpec, text: str) -> tuple[object, str | None]:
    if not _INTEGER.fullmatch(text):
        return None, f"not an integer: {text!r}"
    value = int(text)
    if not _INT64_MIN <= value <= _INT64_MAX:
        return None, f"integer out of range (64-bit): {text!r}"
    problem = _check_range(spec, value, text)
    if problem:
        return None, problem
    if spec.code_values is not None and str(value) not in spec.code_values:
        return None, f"not in code table: {str(value)!r}"
    return value, None


def _check_decimal(spec: FieldSpec, text: str) -> tuple[object, str | None]:
    if not _DECIMAL.fullmatch(text):
        return None, f"not a decimal number: {text!r}"
    number = decimal_format(spec)
    try:
        exact = Decimal(text)
        stored = exact.quantize(number.quantum, ROUND_HALF_EVEN, number.context)
    except InvalidOperation:
        stored = number.limit
    # copy_abs, not abs(): abs() rounds to the default context's 28 digits, which turned
    # 9999999999999999999999999999.99 into 1E+28 and refused a value that fits
    if stored.copy_abs() >= number.limit:
        digits = number.precision - number.scale
        return None, f"too large for a decimal (at most {digits} digits before the point): {text!r}"
    if number.declared and stored != exact:
        # a float's noise is rounded away, as at the places a spreadsheet shows; a value
        # written with more places than declared is refused
        noise = len(exact.as_tuple().digits) > _FLOAT_DIGITS.prec
        floated = _FLOAT_DIGITS.plus(exact) if noise else exact
        if floated != floated.quantize(number.quantum, context=number.context):
            if not number.scale:
                return None, f"a whole number expected (no decimal places): {text!r}"
            return None, f"more than {number.scale} decimal places: {text!r}"
        stored = floated.quantize(number.quantum, context=number.context)
    problem = _check_range(spec, exact, text)
    if problem:
        return None, problem
    # as stored: at the scale (12.50 for two places), as the column's text and tokens show it
    return stored, None


def _check_date(spec: FieldSpec, text: str) -> tuple[object, str | None]:
    match = _DATE.fullmatch(text)
    if not match:
        return None, f"not a date: {text!r} (expected {_DATE_FORMATS})"
    try:
        return _date_from(match), None
    except ValueError:
        return None, f"not a real date: {text}"


def _check_datetime(spec: FieldSpec, text: str) -> tuple[object, str | None]:
    match = _DATETIME.fullmatch(text)
    if not match:
        return None, f"not a date and time: {text!r} (expected {_DATE_FORMATS}, then HH:MM:SS)"
    hour, minute, second, fraction = match.groups()[7:]
    try:
        day = _date_from(match)
        return datetime(
            day.year,
            day.month,
            day.day,
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        ), None
    except ValueError:
        return None, f"not a real date and time: {text}"


def _check_boolean(spec: FieldSpec, text: str) -> tuple[object, str | None]:
    folded = text.lower()
    if folded in _TRUE:
        return True, None
    if folded in _FALSE:
        return False, None
    return None, f"not a yes/no value: {text!r} (expected true/false, yes/no, 1/0 or 是/否)"


_CHECKERS: dict[str, Callable[[FieldSpec, str], tuple[object, str | None]]] = {
    "string": _check_string,
    "integer": _check_integer,
    "decimal": _check_decimal,
    "date": _check_date,
    "datetime": _check_datetime,
    "boolean": _check_boolean,
}


def check_value(spec: FieldSpec, raw: str | None) -> tuple[object, str | None]:
    """Return ``(typed value, None)`` for a good cell, ``(None, reason)`` for a bad one.

    Null cells give ``(None, None)`` when the field is nullable. Dates accept YYYY-MM-DD,
    YYYY/MM/DD and YYYYMMDD; datetimes add `` HH:MM[:SS[.ffffff]]`` (or ``T``); decimals come
    back as ``Decimal`` (rounded to 10 places only if finer); credit codes and identity numbers
    are checked by the security kernel, whose ``reason`` is passed on, and come back
    normalised (upper-case, half-width).

    >>> check_value(FieldSpec("n", "integer", max_value=10), "11")
    (None, 'above the maximum 10: 11')
    >>> check_value(FieldSpec("ok", "boolean"), "是")
    (True, None)
    >>> check_value(FieldSpec("at", "datetime"), "2026-01-05T08:30")
    (datetime.datetime(2026, 1, 5, 8, 30), None)
    >>> check_value(FieldSpec("phone", "string", semantic_type="mobile"), "1381234567")
    (None, "not a mobile number: '1381234567' (11 digits starting 13 to 19 expected)")
    >>> check_value(FieldSpec("code", "string", semantic_type="credit_code"), "91350100m000100y43")
    ('91350100M000100Y43', None)
    """
    text = raw.strip(BLANKS) if raw is not None else ""
    if not text:
        return None, (None if spec.nullable else MISSING)
    return _CHECKERS[spec.data_type](spec, text)


# --- The same rules over a whole column -----------------------------------------------------

# Shapes whose Arrow parse is known to agree with check_value; anything else takes the slow
# path through check_value. Years are limited to 1000-2999 because Arrow accepts year 0.
_FAST_INTEGER = r"^-?[0-9]{1,18}$"
_FAST_DATE = r"^[12][0-9]{3}(-[0-9]{2}-[0-9]{2}|/[0-9]{2}/[0-9]{2}|[0-9]{4})$"
_FAST_DATETIME = r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$"

# Semantic checks run once per distinct value; results are remembered across batches up to
# this many values per field (enterprise codes repeat every month).
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class ColumnCheck:
    """The outcome for one column of a batch.

    ``values`` are typed (``arrow_type``) and null where the cell is null; where it is invalid
    they are null or, for text, the cell as written (such rows are quarantined, never loaded).
    ``invalid`` is true where the cell fails; ``reasons`` holds the reason there and null
    elsewhere.
    """

    values: pa.Array
    invalid: pa.BooleanArray
    reasons: pa.StringArray


class ColumnChecker:
    """Apply ``check_value``'s rules to Arrow string columns of one field, batch after batch."""

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec
        self.type = arrow_type(spec)
        # Outcomes of semantic checks by raw value: normalised value, or the reason it fails.
        self._good: dict[str, str] = {}
        self._bad: dict[str, str] = {}

    def check(self, column: pa.Array) -> ColumnCheck:
        """Check every cell of ``column`` (strings or nulls) and return values and reasons."""
        if not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        # Columns repeat values (months, county codes, enterprise codes): check each distinct
        # value once and spread the outcome back over the rows.
        # A sample tells mostly-distinct columns (amounts, names) apart, to skip the encoding.
        if pc.count_distinct(column.slice(0, 1024), mode="all").as_py() * 2 > min(
            len(column), 1024
        ):
            return self._check_cells(column)
        encoded = pc.dictionary_encode(column, null_encoding="encode")
        distinct = encoded.dictionary
        if len(distinct) * 2 > len(column):
            return self._check_cells(column)
        outcome = self._check_cells(distinct)
        indices = encoded.indices
        values = (
            column  # text kept as written: no copy of the column's strings
            if self.type == pa.string() and _kept_as_written(outcome, distinct)
            else pc.take(outcome.values, indices)
        )
        if not pc.any(outcome.invalid).as_py():  # the usual case: no reason to spread
            return ColumnCheck(values, _mask(len(column), []), pa.nulls(len(column), pa.string()))
        return ColumnCheck(
            values, pc.take(outcome.invalid, indices), pc.take(outcome.reasons, indices)
        )

    def _check_cells(self, column: pa.Array) -> ColumnCheck:
        spec = self.spec
        text = pc.utf8_trim(column, characters=BLANKS)
        empty = pc.fill_null(pc.equal(text, ""), True)
        if spec.data_type == "string" and spec.semantic_type in _SEMANTIC_BY_VALUE:
            values, invalid, reasons = self._by_distinct_value(text, empty)
        else:
            values, invalid, reasons = self._vectorised(text, empty)
        if spec.nullable:
            return ColumnCheck(values, invalid, reasons)
        return ColumnCheck(
            values,
            pc.or_(invalid, empty),
            pc.if_else(empty, pa.scalar(MISSING), reasons),
        )

    def _by_distinct_value(
        self, text: pa.Array, empty: pa.Array
    ) -> tuple[pa.Array, pa.Array, pa.Array]:
        present = pc.filter(text, pc.invert(empty))
        distinct = pc.unique(present)
        # Values the array checks pass as written need no Python; the rest go one by one.
        plain = _plainly_valid(self.spec, distinct)
        slow = np.flatnonzero(~plain)
        good, bad = self._good, self._bad
        if len(good) + len(bad) > _CACHE_LIMIT:
            good.clear()
            bad.clear()
        values: list[str | None] = []
        reasons: list[str | None] = []
        slow_values = pc.take(distinct, pa.array(slow, pa.int64()))
        known = _reasons_in_bulk(self.spec, slow_values)
        for raw, known_reason in zip(slow_values.to_pylist(), known, strict=True):
            if known_reason is not None:  # the common failure, its reason built in bulk
                values.append(None)
                reasons.append(known_reason)
                continue
            value = good.get(raw)
            reason = None if value is not None else bad.get(raw)
            if value is None and reason is None:
                checked, reason = check_value(self.spec, raw)
                if reason is None:
                    value = good[raw] = str(checked)
                else:
                    bad[raw] = reason
            values.append(value)
            reasons.append(reason)
        distinct_values: pa.Array = pc.cast(distinct, self.type)
        distinct_reasons: pa.Array = pa.nulls(len(distinct), pa.string())
        if len(slow):
            mask = pa.array(~plain, pa.bool_())
            distinct_values = pc.replace_with_mask(
                distinct_values, mask, pa.array(values, self.type)
            )
            distinct_reasons = pc.replace_with_mask(
                distinct_reasons, mask, pa.array(reasons, pa.string())
            )
        index = pc.index_in(text, value_set=distinct)
        taken = pc.take(distinct_values, index)
        why = pc.take(distinct_reasons, index)
        return taken, pc.is_valid(why), why

    def _vectorised(self, text: pa.Array, empty: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
        fast, fast_values = self._fast(text)
        fast = pc.and_(pc.fill_null(fast, False), pc.invert(empty))
        n = len(text)
        invalid = _mask(n, [])
        reasons = pa.nulls(n, pa.string())
        if pc.all(fast).as_py():  # the usual case: every cell plainly good, nothing to mask
            return fast_values, invalid, reasons
        values = pc.if_else(fast, fast_values, pa.scalar(None, self.type))
        slow = pc.and_(pc.invert(fast), pc.invert(empty))
        if not pc.any(slow).as_py():
            return values, invalid, reasons
        slow_index = pc.indices_nonzero(slow).to_pylist()
        outcomes = [check_value(self.spec, text[i].as_py()) for i in slow_index]
        good = [i for i, (_, reason) in zip(slow_index, outcomes, strict=True) if reason is None]
        if good:
            mask = _mask(n, good)
            good_values = [value for value, reason in outcomes if reason is None]
            values = pc.replace_with_mask(values, mask, pa.array(good_values, self.type))
        bad = [i for i, (_, reason) in zip(slow_index, outcomes, strict=True) if reason]
        if bad:
            mask = _mask(n, bad)
            bad_reasons = [reason for _, reason in outcomes if reason]
            invalid = mask
            reasons = pc.replace_with_mask(reasons, mask, pa.array(bad_reasons, pa.string()))
        return values, invalid, reasons

    def _fast(self, text: pa.Array) -> tuple[pa.Array, pa.Array]:
        """Return (cells known good, their typed values) using Arrow compute only."""
        spec = self.spec
        kind = spec.data_type
        if kind == "string":
            if spec.code_values is None:
                return pc.is_valid(text), text
            codes = pa.array(sorted(spec.code_values), pa.string())
            return pc.is_in(text, value_set=codes), text
        if kind == "boolean":
            folded = pc.utf8_lower(text)
            truthy = pc.is_in(folded, value_set=pa.array(sorted(_TRUE)))
            falsy = pc.is_in(folded, value_set=pa.array(sorted(_FALSE)))
            return pc.or_(truthy, falsy), truthy
        if kind in ("integer", "decimal"):
            numbers = _cast_all(text, self.type) if kind == "decimal" else None
            if numbers is not None:
                fast = self._in_range(numbers)
            else:
                shape = _FAST_INTEGER if kind == "integer" else decimal_format(spec).fast_shape
                fast = pc.match_substring_regex(text, shape)
                # Only cells of the plain shape are cast (the rest would fail the cast); when
                # all are (nulls aside, which cast to null), the text is cast as it is.
                shaped = (
                    text
                    if pc.all(fast).as_py()
                    else pc.if_else(fast, text, pa.scalar(None, pa.string()))
                )
                numbers = pc.cast(shaped, self.type)
                fast = pc.and_(fast, self._in_range(numbers))
            if spec.code_values is not None:
                codes = pa.array(sorted(spec.code_values), pa.string())
                fast = pc.and_(fast, pc.is_in(pc.cast(numbers, pa.string()), value_set=codes))
            return fast, numbers
        if kind == "date":
            fast = pc.match_substring_regex(text, _FAST_DATE)
            iso = pc.replace_substring_regex(
                pc.if_else(fast, text, pa.scalar(None, pa.string())),
                r"^([0-9]{4})[-/]?([0-9]{2})[-/]?([0-9]{2})$",
                r"\1-\2-\3",
            )
            return _round_trip(iso, "%Y-%m-%d", pa.date32())
        iso = pc.replace_substring(
            pc.if_else(
                pc.match_substring_regex(text, _FAST_DATETIME),
                text,
                pa.scalar(None, pa.string()),
            ),
            "T",
            " ",
        )
        return _round_trip(iso, "%Y-%m-%d %H:%M:%S", pa.timestamp("us"))

    def _in_range(self, numbers: pa.Array) -> pa.Array:
        """Cells within the bounds, exactly; any doubt leaves them to check_value."""
        spec = self.spec
        inside = pc.is_valid(numbers)
        for bound, compare in ((spec.min_value, pc.greater_equal), (spec.max_value, pc.less_equal)):
            if bound is None:
                continue
            scalar = _bound_scalar(bound, self.type, lower=compare is pc.greater_equal)
            if scalar is None:
                return _mask(len(numbers), [])
            inside = pc.and_(inside, pc.fill_null(compare(numbers, scalar), False))
        return inside


# Semantic checks that need Python per value; they are run once per distinct value, after
# the array checks below have let through the values that plainly pass.
_SEMANTIC_BY_VALUE = frozenset({"credit_code", "id_number", "mobile", "division_code"})
_PLAIN_SHAPES = {
    "mobile": "^" + _MOBILE.pattern + "$",
    "division_code": "^" + _DIVISION_CODE.pattern + "$",
}
_CODE_WIDTH = 18
_PLAIN_CODES: dict[str, Callable[[npt.NDArray[np.uint8]], npt.NDArray[np.bool_]]] = {
    # check_value accepts a credit code whose embedded organisation code fails (a warning)
    "credit_code": lambda codes: plainly_valid_credit_codes(codes, warnings_ok=True),
    "id_number": plainly_valid_id_numbers,
}


def _plainly_valid(spec: FieldSpec, distinct: pa.Array) -> npt.NDArray[np.bool_]:
    """Flags for distinct non-empty values that ``check_value`` would accept unchanged.

    False only means "ask ``check_value``": it may still accept the value (normalised).
    """
    kind = spec.semantic_type
    plain = np.zeros(len(distinct), dtype=np.bool_)
    if kind in _PLAIN_SHAPES:
        shape = pc.match_substring_regex(distinct, _PLAIN_SHAPES[kind])
        plain = pc.fill_null(shape, False).to_numpy(zero_copy_only=False)
    elif kind in _PLAIN_CODES:
        width = pc.equal(pc.binary_length(distinct), _CODE_WIDTH)
        fixed = pc.fill_null(width, False).to_numpy(zero_copy_only=False)
        if fixed.any():
            candidates = pc.filter(distinct, pa.array(fixed))
            plain[fixed] = _PLAIN_CODES[kind](_byte_matrix(candidates))
    if spec.code_values is not None and plain.any():
        known = pc.is_in(distinct, value_set=pa.array(sorted(spec.code_values), pa.string()))
        plain &= pc.fill_null(known, False).to_numpy(zero_copy_only=False)
    return plain


def _reasons_in_bulk(spec: FieldSpec, strings: pa.Array) -> list[str | None]:
    """For values ``_plainly_valid`` did not pass: the reason ``check_value`` would give where
    it is known from the arrays, else None (ask ``check_value``).

    A credit code of 18 characters that passes every rule before its check character, as
    written, and was not plainly valid fails on the check character alone: in a government
    export that is the usual bad code (a digit mistyped), found here without Python's one by
    one check (a test compares the two).
    """
    known: list[str | None] = [None] * len(strings)
    if spec.semantic_type != "credit_code" or not len(strings):
        return known
    width = pc.fill_null(pc.equal(pc.binary_length(strings), _CODE_WIDTH), False)
    fixed = np.flatnonzero(width.to_numpy(zero_copy_only=False))
    if not len(fixed):
        return known
    codes = _byte_matrix(pc.take(strings, pa.array(fixed, pa.int64())))
    only_check_char, expected = credit_code_check_chars(codes)
    for i in np.flatnonzero(only_check_char).tolist():
        known[int(fixed[i])] = credit_code_check_char_reason(
            chr(expected[i]), chr(codes[i, _CODE_WIDTH - 1])
        )
    return known


def _byte_matrix(strings: pa.Array) -> npt.NDArray[np.uint8]:
    """Strings of exactly ``_CODE_WIDTH`` bytes each, no nulls, as an (n, width) byte array."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    _, offsets, data = strings.buffers()
    start = np.frombuffer(offsets, dtype=np.int32)[strings.offset]
    size = len(strings) * _CODE_WIDTH
    matrix = np.frombuffer(data, dtype=np.uint8, count=size, offset=int(start))
    return matrix.reshape(len(strings), _CODE_WIDTH)


def _kept_as_written(outcome: ColumnCheck, distinct: pa.Array) -> bool:
    """Whether every valid value of ``distinct`` comes out as it went in (null as null): not
    trimmed, not normalised, not an empty text turned null."""
    same = pc.fill_null(pc.equal(outcome.values, distinct), False)
    both_null = pc.and_(pc.is_null(outcome.values), pc.is_null(distinct))
    return bool(pc.all(pc.or_(pc.or_(same, both_null), outcome.invalid)).as_py())


def _mask(n: int, indices: list[int]) -> pa.BooleanArray:
    """A boolean array of length ``n``, true at ``indices``."""
    flags = bytearray(n)
    for i in indices:
        flags[i] = 1
    return pc.cast(pa.Array.from_buffers(pa.uint8(), n, [None, pa.py_buffer(flags)]), pa.bool_())


_LONG_EXPONENT = "[eE][+-]?[0-9]{3}"


def _may_hold_long_exponent(text: pa.Array) -> bool:
    """Whether a cell has an exponent of three digits or more; the usual column, with no "e"
    in its bytes at all, is told by a memchr (the pattern match costs 2.4 ms per 50,000)."""
    buffers = text.buffers() if isinstance(text, pa.Array) else []
    if len(buffers) == 3 and buffers[2] is not None:
        data = buffers[2].to_pybytes()
        if b"e" not in data and b"E" not in data:
            return False
    return bool(pc.any(pc.match_substring_regex(text, _LONG_EXPONENT)).as_py())


def _cast_all(text: pa.Array, target: pa.DataType) -> pa.Array | None:
    """Every cell of ``text`` cast to the decimal ``target``, or None if any cell will not cast.

    Arrow's decimal parse takes what ``check_value``'s pattern takes (sign, digits, point,
    exponent) and fails, rather than rounds, on a digit beyond the scale or a value beyond the
    precision, so when the whole column casts every number is the exact one ``check_value``
    gives (a test compares the two). This skips the shape check of the usual all-good column
    (about a third of a decimal column's checking time); one odd cell sends the column the
    shape-checked way.
    """
    # Arrow 26 crashes the process casting an exponent of tens of millions (1e-30000000); no
    # exponent of three digits or more fits a decimal anyway, so such a column is not cast whole
    if _may_hold_long_exponent(text):
        return None
    try:
        return pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _round_trip(iso: pa.Array, pattern: str, target: pa.DataType) -> tuple[pa.Array, pa.Array]:
    """Parse ISO text; keep only values that format back to the same text (no 2026-02-30)."""
    # Whole seconds: with a finer unit Arrow's %S would print fractions and never match.
    parsed = pc.strptime(iso, format=pattern, unit="s", error_is_null=True)
    same = pc.fill_null(pc.equal(pc.strftime(parsed, format=pattern), iso), False)
    return same, pc.cast(parsed, target)


def _bound_scalar(bound: float, target: pa.DataType, *, lower: bool) -> pa.Scalar | None:
    """The bound as an exact scalar of ``target``, or None when it cannot be one."""
    if pa.types.is_integer(target):
        whole = math.ceil(bound) if lower else math.floor(bound)
        if not _INT64_MIN <= whole <= _INT64_MAX:
            return None
        return pa.scalar(whole, pa.int64())
    number = DecimalFormat(target.precision, target.scale, declared=True)
    exact = Decimal(repr(bound))
    if exact.copy_abs() >= number.limit:  # first: quantizing it would need too many digits
        return None
    if exact != exact.quantize(number.quantum, context=number.context):
        return None
    return pa.scalar(exact, target)
