"""The enterprises' system (企业): person entity = enterprise; yearly rules (企业稳岗返还 of the
Human Resources and Social Security Bureau, 科技型中小企业奖励 of the Science and Technology
Bureau). The inputs of year ``Y`` describe the previous calendar year ``Y-1`` (上年度), which
``facts.py`` assembles. Pure Python."""

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from .money import Money

__all__ = ["INPUTS", "VARIABLES", "Enterprise"]

Enterprise = build_entity(
    key="enterprise", plural="enterprises", label="Enterprise 企业", is_person=True
)
# a layoff rate "exactly at the limit" must hold whatever the float rounding of the product
_EPSILON = 1e-9


def _input(name: str, kind: type, label: str, period: DateUnit = DateUnit.YEAR) -> type:
    base = Money if kind is float else Variable
    return type(
        name,
        (base,),
        {"value_type": kind, "entity": Enterprise, "definition_period": period, "label": label},
    )


county = _input("county", int, "注册地区县代码 County (GB/T 2260)", DateUnit.ETERNITY)
registered_active = _input("registered_active", bool, "登记状态为存续 Registered and active")
insured_at_start = _input("insured_at_start", int, "上年初参保职工人数 Insured employees, January")
insured_at_end = _input("insured_at_end", int, "上年末参保职工人数 Insured employees, December")
social_insurance_arrears = _input(
    "social_insurance_arrears", float, "上年末社保欠费（元） Arrears at the year end (yuan)"
)
unemployment_contributions = _input(
    "unemployment_contributions", float, "上年度失业保险缴费（元） Unemployment contributions"
)
on_tech_sme_list = _input("on_tech_sme_list", bool, "上年度入库科技型中小企业 On the list")
rd_expense = _input("rd_expense", float, "上年度研发费用（元） R&D spending (yuan)")


class layoff_rate(Money):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "上年度裁员率 Layoff rate of the previous year"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        start = enterprise("insured_at_start", period)
        end = enterprise("insured_at_end", period)
        lost = np.maximum(start - end, 0)
        return np.divide(lost, start, out=np.zeros(len(start)), where=start > 0)


class layoff_within_limit(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "裁员率不超过上限 Layoffs within the limit"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).job_retention_refund
        start = enterprise("insured_at_start", period)
        end = enterprise("insured_at_end", period)
        limit = np.where(
            start <= p.small_enterprise_max_employees,
            p.small_enterprise_layoff_rate_max,
            p.layoff_rate_max,
        )
        return (start > 0) & ((start - end) <= start * limit + _EPSILON)


class no_arrears(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "无社保欠费 No arrears"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        return enterprise("social_insurance_arrears", period) <= 0


class contributions_paid(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "缴纳失业保险 Paid unemployment insurance"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        return enterprise("unemployment_contributions", period) > 0


class job_retention_refund_eligible(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "符合稳岗返还 Eligible for the job-retention refund"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        return (
            enterprise("registered_active", period)
            & enterprise("layoff_within_limit", period)
            & enterprise("no_arrears", period)
            & enterprise("contributions_paid", period)
        )


class job_retention_refund(Money):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "稳岗返还（元） Job-retention refund (yuan)"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).job_retention_refund
        sme = enterprise("insured_at_start", period) <= p.sme_max_employees
        rate = np.where(sme, p.return_rate_sme, p.return_rate_large)
        paid = enterprise("unemployment_contributions", period)
        return np.where(enterprise("job_retention_refund_eligible", period), paid * rate, 0.0)


class registered_in_quzhou(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "注册地在衢州市 Registered in Quzhou"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        city = parameters(period).tech_sme_reward.city_division
        return enterprise("county", period) // 100 == city


class rd_expense_reached(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "研发费用达到标准 R&D spending reached the threshold"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        minimum = parameters(period).tech_sme_reward.rd_expense_min
        return enterprise("rd_expense", period) >= minimum


class tech_sme_reward_eligible(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "符合科技型中小企业奖励 Eligible for the technology-based SME reward"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        return (
            enterprise("on_tech_sme_list", period)
            & enterprise("registered_in_quzhou", period)
            & enterprise("rd_expense_reached", period)
        )


class tech_sme_reward(Money):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR
    label = "科技型中小企业奖励（元） Technology-based SME reward (yuan)"

    def formula(enterprise: Any, period: Any, parameters: Any) -> Any:
        reward = parameters(period).tech_sme_reward.reward
        return np.where(enterprise("tech_sme_reward_eligible", period), reward, 0.0)


INPUTS = (
    "county",
    "registered_active",
    "insured_at_start",
    "insured_at_end",
    "social_insurance_arrears",
    "unemployment_contributions",
    "on_tech_sme_list",
    "rd_expense",
)
VARIABLES = (
    county,
    registered_active,
    insured_at_start,
    insured_at_end,
    social_insurance_arrears,
    unemployment_contributions,
    on_tech_sme_list,
    rd_expense,
    layoff_rate,
    layoff_within_limit,
    no_arrears,
    contributions_paid,
    job_retention_refund_eligible,
    job_retention_refund,
    registered_in_quzhou,
    rd_expense_reached,
    tech_sme_reward_eligible,
    tech_sme_reward,
)
