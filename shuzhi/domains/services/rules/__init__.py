"""The rules engine of 免申即享 (benefits without applying): OpenFisca-core tax-benefit systems.

Two systems, one per kind of beneficiary: ``residents`` (person entity = resident; monthly
rules of the Civil Affairs Bureau) and ``enterprises`` (person entity = enterprise; yearly
rules of the HR and social-security and the science bureaus). Formulas are code (variables
here); what a policy version changes is its parameters (dated YAML, ``parameters/<code>.yaml``
is version 1). Pure Python and numpy: no Django. See docs/adr/0007-rules-engine.md.
"""

from .catalogue import RULES, Condition, Rule
from .engine import Outcome, build_system, evaluate
from .params import ParameterError, default_parameters, parse_parameters

__all__ = [
    "RULES",
    "Condition",
    "Outcome",
    "ParameterError",
    "Rule",
    "build_system",
    "default_parameters",
    "evaluate",
    "parse_parameters",
]
