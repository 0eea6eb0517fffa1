from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise

from shuzhi.platform.security.identifiers import (
    IdentifierCheck,
    check_credit_code,
    check_id_number,
)
from shuzhi.platform.security.validators import (
    CREDIT_CODE_MESSAGES,
    ID_NUMBER_MESSAGES,
    validate_credit_code,
    validate_id_number,
)

CREDIT_CODE_CASES = {
    "empty": "",
    "bad_length": "91350100M000100Y4",
    "bad_character": "91350100M000100YI3",
    "bad_registration_authority": "01350100M000100Y43",
    "bad_division": "9135A100M000100Y43",
    "bad_check_char": "91350100M000100Y44",
}
ID_NUMBER_CASES = {
    "empty": "",
    "legacy_15_digit": "110105491231002",
    "bad_length": "1101051949123100",
    "bad_character": "11010519491231002Y",
    "bad_division": "99010519491231002X",
    "bad_birth_date": "11010519491331002X",
    "bad_check_char": "110105194912310021",
}


CASES = [
    (check_credit_code, validate_credit_code, CREDIT_CODE_MESSAGES, code, value)
    for code, value in CREDIT_CODE_CASES.items()
] + [
    (check_id_number, validate_id_number, ID_NUMBER_MESSAGES, code, value)
    for code, value in ID_NUMBER_CASES.items()
]


@pytest.mark.parametrize(("check", "validate", "messages", "code", "value"), CASES)
def test_each_failure_has_its_own_translated_message(
    check: Callable[[str], IdentifierCheck],
    validate: Callable[[str], None],
    messages: dict[str, Promise],
    code: str,
    value: str,
) -> None:
    assert check(value).code == code
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate(value)
    assert info.value.code == code
    message = info.value.messages[0]
    with translation.override("en"):
        assert message != str(messages[code])  # the Chinese text, not the English


def test_valid_identifiers_pass() -> None:
    validate_credit_code("91350100M000100Y43")
    validate_id_number("11010519491231002X")
