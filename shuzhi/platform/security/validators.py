"""Django validators for the identifier checks, with each failure explained in the user's language.

The checks themselves (``identifiers.py``) are plain and return a machine code; this module turns
the code into a translated message for forms and APIs.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .identifiers import IdentifierCheck, check_credit_code, check_id_number

CREDIT_CODE_MESSAGES: dict[str, Promise] = {
    "empty": _("Enter a unified social credit code."),
    "bad_length": _("A unified social credit code has 18 characters."),
    "bad_character": _(
        "The code contains a character that is never used (I, O, S, V and Z are not allowed)."
    ),
    "bad_registration_authority": _("The first character is not a registration authority code."),
    "bad_division": _("Characters 3 to 8 must be a six-digit administrative division code."),
    "bad_check_char": _("The last character does not match the others: check for a typing error."),
}

ID_NUMBER_MESSAGES: dict[str, Promise] = {
    "empty": _("Enter an ID number."),
    "legacy_15_digit": _("This is an old 15-digit ID number; enter the 18-digit one."),
    "bad_length": _("An ID number has 18 characters."),
    "bad_character": _("Only digits are allowed, and X as the last character."),
    "bad_division": _("The first six digits are not an administrative division code."),
    "bad_birth_date": _("Digits 7 to 14 are not a real birth date."),
    "bad_check_char": _("The last character does not match the others: check for a typing error."),
}


def _raise_for(check: IdentifierCheck, messages: dict[str, Promise]) -> None:
    if not check.valid:
        raise ValidationError(str(messages.get(check.code, check.reason)), code=check.code)


def validate_credit_code(value: str) -> None:
    """Form and model validator for a unified social credit code (GB 32100-2015)."""
    _raise_for(check_credit_code(value), CREDIT_CODE_MESSAGES)


def validate_id_number(value: str) -> None:
    """Form and model validator for a citizen ID number (GB 11643-1999)."""
    _raise_for(check_id_number(value), ID_NUMBER_MESSAGES)
