from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "ALLUPPER1234567", "1234567890123", "password123"],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Quzhou@2026", "衢州Digital-2026", "k7#mPq2vLx9w"])
def test_strong_passwords_are_accepted(password: str) -> None:
    validate_password(password)


def test_complexity_message_is_in_chinese_by_default() -> None:
    with pytest.raises(ValidationError) as info:
        validate_password("abcdefghijkl")
    assert any("至少" in message for message in info.value.messages)
