from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shuzhi.platform.security.identifiers import check_credit_code, check_id_number
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


@pytest.mark.parametrize(("code", "value"), CREDIT_CODE_CASES.items())
def test_each_credit_code_failure_has_its_own_translated_message(code: str, value: str) -> None:
    assert check_credit_code(value).code == code
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_credit_code(value)
    assert info.value.code == code
    message = info.value.messages[0]
    with translation.override("en"):
        assert message != str(CREDIT_CODE_MESSAGES[code])  # the Chinese text, not the English


@pytest.mark.parametrize(("code", "value"), ID_NUMBER_CASES.items())
def test_each_id_number_failure_has_its_own_translated_message(code: str, value: str) -> None:
    assert check_id_number(value).code == code
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_id_number(value)
    assert info.value.code == code
    message = info.value.messages[0]
    with translation.override("en"):
        assert message != str(ID_NUMBER_MESSAGES[code])  # the Chinese text, not the English


def test_valid_identifiers_pass() -> None:
    validate_credit_code("91350100M000100Y43")
    validate_id_number("11010519491231002X")
