"""The identifier checks of ``identifiers`` over many codes at once (批量校验), with numpy.

Ingestion checks millions of credit codes and identity numbers; checking them one by one in
Python costs more than reading the file. These functions take codes as an ``(n, 18)`` array
of ASCII bytes and tell, for each, whether it is *plainly valid*: exactly what
``check_credit_code`` / ``check_id_number`` accept with code ``"ok"`` and no normalising
(upper-case, half-width, no blanks). Everything else (invalid codes, codes that need
normalising, codes valid with a warning) is left to the one-at-a-time validators, which give
the reason. So these can only make a check faster, never change its outcome; a test compares
the two on random and mutated codes. (``warnings_ok`` also lets through codes accepted with a
warning, for callers that accept those too.)

>>> import numpy as np
>>> codes = as_matrix(["91350100M000100Y43", "91350100M000100Y44", "91350100m000100y43"])
>>> plainly_valid_credit_codes(codes).tolist()
[True, False, False]
>>> plainly_valid_id_numbers(as_matrix(["11010519491231002X"]), today=date(2026, 1, 1)).tolist()
[True]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt

from .identifiers import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    EARLIEST_BIRTH_DATE,
    GB32100_2015_REGISTRATION_AUTHORITIES,
    ID_CHECK_CHARS,
    ID_NUMBER_WEIGHTS,
    ORGANISATION_CODE_WEIGHTS,
    PROVINCE_PREFIXES,
)

__all__ = [
    "as_matrix",
    "credit_code_check_chars",
    "plainly_valid_credit_codes",
    "plainly_valid_id_numbers",
]

Matrix = npt.NDArray[np.uint8]
Flags = npt.NDArray[np.bool_]

_WIDTH = 18


def _table(pairs: dict[str, int]) -> npt.NDArray[np.int64]:
    """A 256-entry lookup from an ASCII byte to its value; -1 for bytes not in ``pairs``."""
    table = np.full(256, -1, dtype=np.int64)
    for char, value in pairs.items():
        table[ord(char)] = value
    return table


_CREDIT_VALUES = _table({char: i for i, char in enumerate(CREDIT_CODE_ALPHABET)})
_CREDIT_CHARS = np.frombuffer(CREDIT_CODE_ALPHABET.encode("ascii"), dtype=np.uint8)
_ORGANISATION_VALUES = _table(
    {char: i for i, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
)
_ORGANISATION_CHARS = np.frombuffer(b"0X987654321", dtype=np.uint8)  # by total % 11
_AUTHORITIES = _table(dict.fromkeys(GB32100_2015_REGISTRATION_AUTHORITIES, 1))
_DIGITS = _table({str(d): d for d in range(10)})
_ID_CHARS = np.frombuffer(ID_CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_PROVINCES = np.zeros(100, dtype=np.bool_)
_PROVINCES[[int(prefix) for prefix in PROVINCE_PREFIXES]] = True
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def as_matrix(codes: Sequence[str]) -> Matrix:
    """Codes of 18 ASCII characters as an ``(n, 18)`` byte array (for tests and small inputs).

    >>> as_matrix(["91350100M000100Y43"]).shape
    (1, 18)
    """
    if any(len(code) != _WIDTH or not code.isascii() for code in codes):
        raise ValueError("every code must be 18 ASCII characters")
    data = "".join(codes).encode("ascii")
    return np.frombuffer(data, dtype=np.uint8).reshape(len(codes), _WIDTH)


def _check_shape(codes: Matrix) -> None:
    if codes.ndim != 2 or codes.shape[1] != _WIDTH or codes.dtype != np.uint8:
        raise ValueError(
            f"expected an (n, {_WIDTH}) array of bytes, got {codes.shape} {codes.dtype}"
        )


def plainly_valid_credit_codes(codes: Matrix, *, warnings_ok: bool = False) -> Flags:
    """True where a credit code passes GB 32100-2015 as written, without a warning.

    Every character in the GB 32100 alphabet (upper-case), a known registration authority,
    a six-digit division code, the check character (position 18), and the embedded
    organisation code's GB 11714 check character (position 17) — unless ``warnings_ok``,
    which also lets through the codes ``check_credit_code`` accepts with a warning.
    """
    _check_shape(codes)
    values = _CREDIT_VALUES[codes]
    ok = np.all(values >= 0, axis=1)
    ok &= _AUTHORITIES[codes[:, 0]] > 0
    ok &= np.all(_DIGITS[codes[:, 2:8]] >= 0, axis=1)
    total = (np.where(values[:, :17] >= 0, values[:, :17], 0) * CREDIT_CODE_WEIGHTS).sum(axis=1)
    ok &= _CREDIT_CHARS[(31 - total % 31) % 31] == codes[:, 17]
    if warnings_ok:
        return ok
    organisation = _ORGANISATION_VALUES[codes[:, 8:16]]
    ok &= np.all(organisation >= 0, axis=1)
    weighted = (np.where(organisation >= 0, organisation, 0) * ORGANISATION_CODE_WEIGHTS).sum(
        axis=1
    )
    ok &= _ORGANISATION_CHARS[weighted % 11] == codes[:, 16]
    return ok


def credit_code_check_chars(codes: Matrix) -> tuple[Flags, Matrix]:
    """(flags, expected check characters): flags are true where a code as written passes every
    GB 32100 rule ``check_credit_code`` tests before the check character (alphabet, upper
    case, registration authority, division digits), so that its check character alone
    decides; the expected character (as a byte) is meaningful there only.

    >>> ok, expected = credit_code_check_chars(as_matrix(["91350100M000100Y44", "Z1350100M000100Y43"]))
    >>> ok.tolist(), bytes(expected[:1])
    ([True, False], b'3')
    """
    _check_shape(codes)
    values = _CREDIT_VALUES[codes]
    ok = np.all(values[:, :17] >= 0, axis=1) & (values[:, 17] >= 0)
    ok &= _AUTHORITIES[codes[:, 0]] > 0
    ok &= np.all(_DIGITS[codes[:, 2:8]] >= 0, axis=1)
    total = (np.where(values[:, :17] >= 0, values[:, :17], 0) * CREDIT_CODE_WEIGHTS).sum(axis=1)
    return ok, _CREDIT_CHARS[(31 - total % 31) % 31]


def plainly_valid_id_numbers(codes: Matrix, *, today: date | None = None) -> Flags:
    """True where an 18-character identity number passes GB 11643-1999 as written.

    Seventeen digits and a digit or upper-case X, a province-level prefix, a real birth date
    from 1900-01-01 to ``today``, and the check character.
    """
    _check_shape(codes)
    digits = _DIGITS[codes[:, :17]]
    ok = np.all(digits >= 0, axis=1)
    digits = np.where(digits >= 0, digits, 0)
    ok &= _PROVINCES[digits[:, 0] * 10 + digits[:, 1]]
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    real_month = (month >= 1) & (month <= 12)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    longest = _DAYS_IN_MONTH[np.where(real_month, month, 0)] + ((month == 2) & leap)
    ok &= real_month & (day >= 1) & (day <= longest)
    born = year * 10000 + month * 100 + day
    latest = today or date.today()
    earliest = EARLIEST_BIRTH_DATE
    ok &= born >= earliest.year * 10000 + earliest.month * 100 + earliest.day
    ok &= born <= latest.year * 10000 + latest.month * 100 + latest.day
    total = (digits * ID_NUMBER_WEIGHTS).sum(axis=1)
    ok &= _ID_CHARS[total % 11] == codes[:, 17]
    return ok
