"""The residents' system (居民): person entity = resident; monthly rules of the Civil Affairs
Bureau (高龄津贴, 残疾人两项补贴). Formulas are vectorised over the whole population. Pure Python."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from .money import Money

__all__ = ["INPUTS", "VARIABLES", "Resident"]

Resident = build_entity(key="resident", plural="residents", label="Resident 居民", is_person=True)


class birth_date(Variable):
    value_type = datetime.date
    entity = Resident
    definition_period = DateUnit.ETERNITY
    label = "出生日期 Date of birth"


class county(Variable):
    value_type = int
    entity = Resident
    definition_period = DateUnit.ETERNITY
    label = "户籍区县代码 County of registration (GB/T 2260)"


class has_disability_certificate(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "持有效残疾人证 Holds a valid disability certificate on the month's first day"


class disability_grade(Variable):
    value_type = int
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "残疾等级（1最重，0无） Disability grade (1 most severe, 0 none)"


class low_income_household(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "最低生活保障家庭 In a minimum-living-allowance household"


class age(Variable):
    value_type = int
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "周岁（当月1日） Age in full years on the month's first day"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        born = person("birth_date", period)
        first = np.datetime64(period.start.date, "D")
        years = first.astype("datetime64[Y]").astype(int) - born.astype("datetime64[Y]").astype(int)
        # not yet had this year's birthday on the first: compare (month, day)
        born_month = born.astype("datetime64[M]").astype(int) % 12
        born_day = (born - born.astype("datetime64[M]")).astype(int)
        first_month = first.astype("datetime64[M]").astype(int) % 12
        first_mday = (first - first.astype("datetime64[M]")).astype(int)
        before_birthday = (born_month > first_month) | (
            (born_month == first_month) & (born_day > first_mday)
        )
        return years - before_birthday


class registered_in_quzhou(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "户籍在衢州市 Registered in Quzhou"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        city = parameters(period).elderly_allowance.city_division
        return person("county", period) // 100 == city


class age_reached(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "年满起领年龄 Reached the minimum age"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        return person("age", period) >= parameters(period).elderly_allowance.min_age


class elderly_allowance_eligible(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "符合高龄津贴 Eligible for the elderly allowance"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        return person("age_reached", period) * person("registered_in_quzhou", period)


class elderly_allowance(Money):
    value_type = float
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "高龄津贴（元/月） Elderly allowance (yuan a month)"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        scale = parameters(period).elderly_allowance.amount_by_age
        eligible = person("elderly_allowance_eligible", period)
        return np.where(eligible, scale.calc(person("age", period)), 0.0)


class severe_disability(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "重度残疾（一、二级） Severe disability (grade 1 or 2)"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        grade = person("disability_grade", period)
        top = parameters(period).disability_subsidies.care_max_grade
        return (grade >= 1) & (grade <= top)


class disability_living_eligible(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "困难残疾人生活补贴 Living subsidy applies"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        return person("has_disability_certificate", period) * person("low_income_household", period)


class disability_care_eligible(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "重度残疾人护理补贴 Care subsidy applies"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        return person("has_disability_certificate", period) * person("severe_disability", period)


class disability_subsidies_eligible(Variable):
    value_type = bool
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "符合残疾人两项补贴 Eligible for one of the two disability subsidies"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        return person("disability_living_eligible", period) | person(
            "disability_care_eligible", period
        )


class disability_subsidies(Money):
    value_type = float
    entity = Resident
    definition_period = DateUnit.MONTH
    label = "残疾人两项补贴（元/月） Disability subsidies (yuan a month)"

    def formula(person: Any, period: Any, parameters: Any) -> Any:
        p = parameters(period).disability_subsidies
        return (
            person("disability_living_eligible", period) * p.living_subsidy
            + person("disability_care_eligible", period) * p.care_subsidy
        )


INPUTS = (
    "birth_date",
    "county",
    "has_disability_certificate",
    "disability_grade",
    "low_income_household",
)
VARIABLES = (
    birth_date,
    county,
    has_disability_certificate,
    disability_grade,
    low_income_household,
    age,
    registered_in_quzhou,
    age_reached,
    elderly_allowance_eligible,
    elderly_allowance,
    severe_disability,
    disability_living_eligible,
    disability_care_eligible,
    disability_subsidies_eligible,
    disability_subsidies,
)
