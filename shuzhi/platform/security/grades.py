"""Data security grades (数据分级) and national importance levels.

Grades follow DB33/T 2351-2021 (Zhejiang public-data classification): L1 is opened directly,
L2 and L3 only as restricted opening (受限开放: department approval, de-identified) and L4
never. L3 and L4 fields are stored SM4-encrypted. Importance levels follow GB/T 43697-2024.

>>> Grade.L3.code, Grade.L3.label_zh
('L3', '较敏感数据')
>>> requires_encryption(Grade.L3), may_open(Grade.L4), may_open_unconditionally(Grade.L1)
(True, False, True)
>>> Grade.from_code("l2")
<Grade.L2: 2>
>>> Importance.CORE.label_zh
'核心数据'
"""

from __future__ import annotations

import enum

__all__ = [
    "Grade",
    "Importance",
    "may_open",
    "may_open_unconditionally",
    "requires_approval_to_open",
    "requires_encryption",
]


class Grade(enum.IntEnum):
    """Security grade of a dataset or field (数据安全级别), DB33/T 2351-2021."""

    L1 = 1
    L2 = 2
    L3 = 3
    L4 = 4

    @classmethod
    def from_code(cls, code: str) -> Grade:
        """Return the grade for ``"L1"`` … ``"L4"`` (case and surrounding space ignored)."""
        try:
            return cls[code.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown data grade {code!r}; expected L1, L2, L3 or L4") from None

    @property
    def code(self) -> str:
        """The grade as written in catalogues: ``"L1"`` … ``"L4"``."""
        return self.name

    @property
    def label_zh(self) -> str:
        """The grade's name in DB33/T 2351-2021."""
        return _GRADE_LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        """The grade's name in English."""
        return _GRADE_LABELS_EN[self]


_GRADE_LABELS_ZH = {
    Grade.L1: "不敏感数据",
    Grade.L2: "低敏感数据",
    Grade.L3: "较敏感数据",
    Grade.L4: "敏感数据",
}
_GRADE_LABELS_EN = {
    Grade.L1: "Not sensitive",
    Grade.L2: "Low sensitivity",
    Grade.L3: "Moderately sensitive",
    Grade.L4: "Sensitive",
}


def requires_encryption(grade: Grade) -> bool:
    """Tell whether values of this grade are stored encrypted (L3 and L4)."""
    return Grade(grade) >= Grade.L3


def may_open_unconditionally(grade: Grade) -> bool:
    """Tell whether data of this grade may be opened to the public directly (only L1)."""
    return Grade(grade) == Grade.L1


def requires_approval_to_open(grade: Grade) -> bool:
    """Tell whether opening needs department approval and de-identification (L2 and L3)."""
    return Grade(grade) in (Grade.L2, Grade.L3)


def may_open(grade: Grade) -> bool:
    """Tell whether data of this grade may be opened at all, with conditions (never L4)."""
    return Grade(grade) != Grade.L4


class Importance(enum.StrEnum):
    """National importance level of data (数据重要程度), GB/T 43697-2024."""

    GENERAL = "general"
    IMPORTANT = "important"
    CORE = "core"

    @property
    def label_zh(self) -> str:
        """The level's name in GB/T 43697-2024."""
        return _IMPORTANCE_LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        """The level's name in English."""
        return _IMPORTANCE_LABELS_EN[self]


_IMPORTANCE_LABELS_ZH = {
    Importance.GENERAL: "一般数据",
    Importance.IMPORTANT: "重要数据",
    Importance.CORE: "核心数据",
}
_IMPORTANCE_LABELS_EN = {
    Importance.GENERAL: "General data",
    Importance.IMPORTANT: "Important data",
    Importance.CORE: "Core data",
}
