"""The rules the engine knows (规则目录): one per benefit policy (``BenefitPolicy.code``).

Each rule names the variables that decide it (eligibility, amount), the conditions a grant's
explanation lists, and the parameters its YAML must carry with their types. Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["RULES", "Condition", "Rule"]

# a parameter's type: a whole number, a number, or a single-amount scale (brackets of
# ``threshold`` → ``amount``)
ParamType = Literal["int", "number", "scale"]


@dataclass(frozen=True)
class Condition:  # 条件
    code: str  # stable, e.g. "age_at_least"
    variable: str  # the boolean engine variable that tells whether it held
    label: str  # zh-hans, as the beneficiary reads it
    label_en: str
    value: str = ""  # the engine variable whose value is shown beside it (default: itself)


@dataclass(frozen=True)
class Rule:  # 规则
    code: str
    name: str
    name_en: str
    system: Literal["resident", "enterprise"]  # the engine's person entity
    period: Literal["month", "year"]
    eligible: str  # boolean variable
    amount: str  # yuan variable
    conditions: tuple[Condition, ...]
    parameters: tuple[tuple[str, ParamType], ...]


RULES: Final[dict[str, Rule]] = {
    rule.code: rule
    for rule in (
        Rule(
            code="elderly_allowance",
            name="高龄津贴",
            name_en="Elderly allowance",
            system="resident",
            period="month",
            eligible="elderly_allowance_eligible",
            amount="elderly_allowance",
            conditions=(
                Condition(
                    "age_at_least",
                    "age_reached",
                    "年满起领年龄（按当月1日计）",
                    "Reached the minimum age on the month's first day",
                    "age",
                ),
                Condition(
                    "registered_in_quzhou",
                    "registered_in_quzhou",
                    "户籍在衢州市",
                    "Registered in Quzhou",
                    "county",
                ),
            ),
            parameters=(("min_age", "int"), ("city_division", "int"), ("amount_by_age", "scale")),
        ),
        Rule(
            code="disability_subsidies",
            name="残疾人两项补贴",
            name_en="Two disability subsidies",
            system="resident",
            period="month",
            eligible="disability_subsidies_eligible",
            amount="disability_subsidies",
            conditions=(
                Condition(
                    "disability_certificate",
                    "has_disability_certificate",
                    "持有效残疾人证",
                    "Holds a valid disability certificate",
                ),
                Condition(
                    "low_income_household",
                    "low_income_household",
                    "属最低生活保障家庭（生活补贴）",
                    "Lives in a minimum-living-allowance household (living subsidy)",
                ),
                Condition(
                    "severe_disability",
                    "severe_disability",
                    "残疾等级为一、二级（护理补贴）",
                    "Disability grade 1 or 2 (care subsidy)",
                    "disability_grade",
                ),
            ),
            parameters=(
                ("living_subsidy", "number"),
                ("care_subsidy", "number"),
                ("care_max_grade", "int"),
            ),
        ),
        Rule(
            code="job_retention_refund",
            name="企业稳岗返还",
            name_en="Job-retention refund",
            system="enterprise",
            period="year",
            eligible="job_retention_refund_eligible",
            amount="job_retention_refund",
            conditions=(
                Condition(
                    "registered_active",
                    "registered_active",
                    "登记状态为存续",
                    "Registered and active",
                ),
                Condition(
                    "layoff_within_limit",
                    "layoff_within_limit",
                    "上年度裁员率不超过上限",
                    "Last year's layoff rate within the limit",
                    "layoff_rate",
                ),
                Condition(
                    "no_arrears",
                    "no_arrears",
                    "无社会保险费欠缴",
                    "No social-insurance arrears",
                    "social_insurance_arrears",
                ),
                Condition(
                    "contributions_paid",
                    "contributions_paid",
                    "上年度缴纳失业保险费",
                    "Paid unemployment insurance last year",
                    "unemployment_contributions",
                ),
            ),
            parameters=(
                ("layoff_rate_max", "number"),
                ("small_enterprise_max_employees", "int"),
                ("small_enterprise_layoff_rate_max", "number"),
                ("sme_max_employees", "int"),
                ("return_rate_sme", "number"),
                ("return_rate_large", "number"),
            ),
        ),
        Rule(
            code="tech_sme_reward",
            name="科技型中小企业奖励",
            name_en="Technology-based SME reward",
            system="enterprise",
            period="year",
            eligible="tech_sme_reward_eligible",
            amount="tech_sme_reward",
            conditions=(
                Condition(
                    "on_tech_sme_list",
                    "on_tech_sme_list",
                    "上年度入库科技型中小企业",
                    "On last year's technology-based SME list",
                ),
                Condition(
                    "registered_in_quzhou",
                    "registered_in_quzhou",
                    "注册地在衢州市",
                    "Registered in Quzhou",
                    "county",
                ),
                Condition(
                    "rd_expense_at_least",
                    "rd_expense_reached",
                    "上年度研发费用达到标准",
                    "Last year's R&D spending reached the threshold",
                    "rd_expense",
                ),
            ),
            parameters=(
                ("rd_expense_min", "number"),
                ("city_division", "int"),
                ("reward", "number"),
            ),
        ),
    )
}
