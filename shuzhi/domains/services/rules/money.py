"""Amounts of money in double precision (金额): OpenFisca keeps ``float`` variables as float32,
whose step is 0.125 yuan at a million; money and thresholds here are float64 instead."""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.variables import Variable

__all__ = ["Money"]


class Money(Variable):
    """A ``float`` variable stored as float64 (a subclass still declares ``value_type``:
    OpenFisca reads a variable's attributes from its own class only)."""

    value_type = float

    def __init__(self, baseline_variable: Any = None) -> None:
        super().__init__(baseline_variable)
        self.dtype = np.float64
