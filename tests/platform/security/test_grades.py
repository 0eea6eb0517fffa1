"""Tests for data grades (DB33/T 2351-2021) and importance levels (GB/T 43697-2024)."""

from __future__ import annotations

import doctest

import pytest

from shuzhi.platform.security import grades
from shuzhi.platform.security.grades import (
    Grade,
    Importance,
    may_open,
    may_open_unconditionally,
    requires_approval_to_open,
    requires_encryption,
)


def test_grades_are_ordered_integers_one_to_four() -> None:
    assert [int(grade) for grade in Grade] == [1, 2, 3, 4]
    assert Grade.L1 < Grade.L2 < Grade.L3 < Grade.L4


@pytest.mark.parametrize(
    ("grade", "code", "label_zh"),
    [
        (Grade.L1, "L1", "不敏感数据"),
        (Grade.L2, "L2", "低敏感数据"),
        (Grade.L3, "L3", "较敏感数据"),
        (Grade.L4, "L4", "敏感数据"),
    ],
)
def test_grade_codes_and_chinese_labels_follow_db33_t_2351(
    grade: Grade, code: str, label_zh: str
) -> None:
    assert grade.code == code
    assert grade.label_zh == label_zh
    assert grade.label_en
    assert Grade.from_code(code) is grade
    assert Grade.from_code(f" {code.lower()} ") is grade


@pytest.mark.parametrize("code", ["", "L0", "L5", "3", "high"])
def test_unknown_grade_codes_raise_value_error(code: str) -> None:
    with pytest.raises(ValueError, match="unknown data grade"):
        Grade.from_code(code)


@pytest.mark.parametrize(
    ("grade", "encrypted", "open_directly", "needs_approval", "openable"),
    [
        (Grade.L1, False, True, False, True),
        (Grade.L2, False, False, True, True),
        (Grade.L3, True, False, True, True),
        (Grade.L4, True, False, False, False),
    ],
)
def test_what_each_grade_allows(
    grade: Grade, encrypted: bool, open_directly: bool, needs_approval: bool, openable: bool
) -> None:
    assert requires_encryption(grade) is encrypted
    assert may_open_unconditionally(grade) is open_directly
    assert requires_approval_to_open(grade) is needs_approval
    assert may_open(grade) is openable


def test_grade_rules_accept_plain_integers_from_the_database() -> None:
    assert requires_encryption(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a valid Grade"):
        may_open(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("importance", "value", "label_zh"),
    [
        (Importance.GENERAL, "general", "一般数据"),
        (Importance.IMPORTANT, "important", "重要数据"),
        (Importance.CORE, "core", "核心数据"),
    ],
)
def test_importance_levels_follow_gb_t_43697(
    importance: Importance, value: str, label_zh: str
) -> None:
    assert importance == value
    assert Importance(value) is importance
    assert importance.label_zh == label_zh
    assert importance.label_en


def test_module_docstring_examples_run() -> None:
    assert doctest.testmod(grades).failed == 0
