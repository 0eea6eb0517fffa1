"""Password complexity rule (等保 2.0 level 3: length plus mixed character classes)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    """Require characters from at least ``min_classes`` of: upper, lower, digit, symbol."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(count)d of: upper-case letters, "
                    "lower-case letters, digits and symbols."
                ),
                code="password_too_simple",
                params={"count": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least %(count)d of: upper-case letters, lower-case letters, digits, symbols."
        ) % {"count": self.min_classes}
