"""Evaluating rules over a population (计算): builds the OpenFisca tax-benefit system of residents
or of enterprises with the given parameters and calculates, vectorised, every rule asked for.

>>> import numpy as np
>>> inputs = {"birth_date": np.array(["1946-11-01", "1946-11-02"], dtype="datetime64[D]"),
...           "county": np.array([330802, 330802])}
>>> out = evaluate("resident", inputs, "2026-11", codes=["elderly_allowance"])
>>> out["elderly_allowance"].eligible.tolist(), out["elderly_allowance"].amount.tolist()
([True, False], [100.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from openfisca_core.parameters import ParameterNode
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from . import enterprises, residents
from .catalogue import RULES
from .params import default_parameters, parse_parameters

__all__ = ["Outcome", "build_system", "evaluate"]

System = Literal["resident", "enterprise"]
_MODULES = {"resident": residents, "enterprise": enterprises}
_ENTITIES = {"resident": residents.Resident, "enterprise": enterprises.Enterprise}


@dataclass(frozen=True)
class Outcome:  # 计算结果: one rule over the population, aligned with the input arrays
    eligible: np.ndarray  # bool
    amount: np.ndarray  # float, yuan (0 where not eligible)
    conditions: dict[str, tuple[np.ndarray, np.ndarray]]  # condition code → (held, value)


def build_system(parameters: Mapping[str, Any], system: System) -> TaxBenefitSystem:
    """The tax-benefit system of ``system`` with the parameter trees of every rule (code →
    parsed YAML mapping; a rule not given uses its version-1 parameters)."""
    tree = {
        code: parameters[code]
        if code in parameters
        else parse_parameters(code, default_parameters(code))
        for code in RULES
    }
    tbs = TaxBenefitSystem([_ENTITIES[system]])
    tbs.parameters = ParameterNode("", data=tree)
    tbs.add_variables(*_MODULES[system].VARIABLES)
    return tbs


def evaluate(
    system: System,
    inputs: Mapping[str, np.ndarray],
    period: str,
    *,
    codes: Iterable[str],
    parameters: Mapping[str, Any] | None = None,
    explain: bool = True,
) -> dict[str, Outcome]:
    """Calculate the rules ``codes`` (all of ``system``) over the population in ``inputs``
    (input variable → array, all of one length) for ``period`` ("2026-11" or "2026")."""
    wanted = [RULES[code] for code in codes]
    if any(rule.system != system for rule in wanted):
        raise ValueError(f"rules {[r.code for r in wanted]} are not all of the {system} system")
    count = len(next(iter(inputs.values()))) if inputs else 0
    tbs = build_system(parameters or {}, system)
    simulation = SimulationBuilder().build_default_simulation(tbs, count)
    for name in _MODULES[system].INPUTS:
        if name not in inputs:
            continue
        variable = tbs.get_variable(name)
        when = "eternity" if variable.definition_period == "eternity" else period
        simulation.set_input(name, when, np.asarray(inputs[name]))
    found: dict[str, Outcome] = {}
    for rule in wanted:
        conditions = {}
        if explain:
            for condition in rule.conditions:
                held = simulation.calculate(condition.variable, period)
                value_name = condition.value or condition.variable
                value_period = (
                    "eternity"
                    if tbs.get_variable(value_name).definition_period == "eternity"
                    else period
                )
                conditions[condition.code] = (held, simulation.calculate(value_name, value_period))
        found[rule.code] = Outcome(
            eligible=np.asarray(simulation.calculate(rule.eligible, period), dtype=bool),
            amount=np.round(np.asarray(simulation.calculate(rule.amount, period)), 2),
            conditions=conditions,
        )
    return found
