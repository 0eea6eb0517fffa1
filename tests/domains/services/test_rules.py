"""The rules engine (OpenFisca) per rule, with boundary cases, and the parameter checks."""

from __future__ import annotations

import numpy as np
import pytest

from shuzhi.domains.services.rules import (
    RULES,
    ParameterError,
    default_parameters,
    evaluate,
    parse_parameters,
)


def _residents(**columns: list) -> dict[str, np.ndarray]:
    n = len(next(iter(columns.values())))
    base = {
        "birth_date": np.array(["1990-01-01"] * n, dtype="datetime64[D]"),
        "county": np.full(n, 330802),
        "has_disability_certificate": np.zeros(n, dtype=bool),
        "disability_grade": np.zeros(n, dtype=np.int64),
        "low_income_household": np.zeros(n, dtype=bool),
    }
    for name, values in columns.items():
        base[name] = np.asarray(values, dtype=base[name].dtype)
    return base


def _enterprises(**columns: list) -> dict[str, np.ndarray]:
    n = len(next(iter(columns.values())))
    base = {
        "county": np.full(n, 330802),
        "registered_active": np.ones(n, dtype=bool),
        "insured_at_start": np.full(n, 100),
        "insured_at_end": np.full(n, 100),
        "social_insurance_arrears": np.zeros(n),
        "unemployment_contributions": np.full(n, 1000.0),
        "on_tech_sme_list": np.zeros(n, dtype=bool),
        "rd_expense": np.zeros(n),
    }
    for name, values in columns.items():
        base[name] = np.asarray(values, dtype=base[name].dtype)
    return base


def test_elderly_allowance_age_on_the_first_of_the_month_and_bands() -> None:
    inputs = _residents(
        birth_date=[
            "1946-11-01",
            "1946-11-02",
            "1947-01-01",
            "1936-11-01",
            "1926-11-01",
            "1936-05-01",
        ],
    )
    out = evaluate("resident", inputs, "2026-11", codes=["elderly_allowance"])["elderly_allowance"]
    # exactly 80 on 1 November; 79 (birthday on the 2nd); 79; 90; 100; 90
    assert out.eligible.tolist() == [True, False, False, True, True, True]
    assert out.amount.tolist() == [100.0, 0.0, 0.0, 200.0, 500.0, 200.0]
    held, age = out.conditions["age_at_least"]
    assert age.tolist()[:2] == [80, 79]
    assert held.tolist()[:2] == [True, False]


def test_elderly_allowance_needs_registration_in_quzhou() -> None:
    inputs = _residents(birth_date=["1930-01-01", "1930-01-01"], county=[330881, 330102])
    out = evaluate("resident", inputs, "2026-11", codes=["elderly_allowance"])["elderly_allowance"]
    assert out.eligible.tolist() == [True, False]
    held, county = out.conditions["registered_in_quzhou"]
    assert held.tolist() == [True, False]
    assert county.tolist() == [330881, 330102]


def test_leap_day_birthday_counts_from_the_first_of_march() -> None:
    inputs = _residents(birth_date=["1944-02-29", "1944-02-29"])
    feb = evaluate("resident", inputs, "2024-02", codes=["elderly_allowance"])
    mar = evaluate("resident", inputs, "2024-03", codes=["elderly_allowance"])
    assert feb["elderly_allowance"].conditions["age_at_least"][1].tolist() == [79, 79]
    assert mar["elderly_allowance"].conditions["age_at_least"][1].tolist() == [80, 80]


def test_disability_subsidies_grade_two_against_three_and_low_income() -> None:
    inputs = _residents(
        has_disability_certificate=[True, True, True, True, False, True],
        disability_grade=[2, 3, 1, 3, 1, 4],
        low_income_household=[False, False, True, True, True, False],
    )
    out = evaluate("resident", inputs, "2026-11", codes=["disability_subsidies"])
    rule = out["disability_subsidies"]
    # care (grade 2); nothing (grade 3, not low income); both; living; no certificate; nothing
    assert rule.eligible.tolist() == [True, False, True, True, False, False]
    assert rule.amount.tolist() == [270.0, 0.0, 540.0, 270.0, 0.0, 0.0]
    assert rule.conditions["severe_disability"][0].tolist()[:2] == [True, False]


def test_job_retention_layoff_rate_exactly_at_the_limit_and_arrears() -> None:
    inputs = _enterprises(
        insured_at_start=[1000, 1000, 20, 20, 100, 100, 0],
        insured_at_end=[945, 944, 16, 15, 100, 100, 0],
        social_insurance_arrears=[0, 0, 0, 0, 0.01, 0, 0],
        unemployment_contributions=[10000, 10000, 1000, 1000, 1000, 1000, 0],
        registered_active=[True, True, True, True, True, False, True],
    )
    rule = evaluate("enterprise", inputs, "2026", codes=["job_retention_refund"])[
        "job_retention_refund"
    ]
    # 5.5 % exactly (large: 30 %); 5.6 %; 20 % exactly (small limit, SME 60 %); 25 %; arrears;
    # revoked; nobody insured
    assert rule.eligible.tolist() == [True, False, True, False, False, False, False]
    assert rule.amount.tolist() == [3000.0, 0.0, 600.0, 0.0, 0.0, 0.0, 0.0]
    assert rule.conditions["layoff_within_limit"][1][0] == pytest.approx(0.055)
    assert rule.conditions["no_arrears"][0].tolist()[4] is False


def test_tech_sme_reward_threshold_list_and_city() -> None:
    inputs = _enterprises(
        on_tech_sme_list=[True, True, False, True],
        rd_expense=[500000, 499999.99, 900000, 900000],
        county=[330802, 330802, 330802, 330102],
    )
    rule = evaluate("enterprise", inputs, "2026", codes=["tech_sme_reward"])["tech_sme_reward"]
    assert rule.eligible.tolist() == [True, False, False, False]
    assert rule.amount.tolist() == [50000.0, 0.0, 0.0, 0.0]


def test_money_keeps_cents_on_large_amounts() -> None:
    inputs = _enterprises(
        insured_at_start=[1000], insured_at_end=[1000], unemployment_contributions=[12345678.9]
    )
    rule = evaluate("enterprise", inputs, "2026", codes=["job_retention_refund"])
    assert rule["job_retention_refund"].amount.tolist() == [3703703.67]


def test_a_changed_parameter_changes_the_outcome() -> None:
    text = default_parameters("elderly_allowance").replace(
        "    2020-01-01: 80\n", "    2020-01-01: 75\n", 1
    )
    inputs = _residents(birth_date=["1950-01-01"])
    before = evaluate("resident", inputs, "2026-11", codes=["elderly_allowance"])
    after = evaluate(
        "resident",
        inputs,
        "2026-11",
        codes=["elderly_allowance"],
        parameters={"elderly_allowance": parse_parameters("elderly_allowance", text)},
    )
    assert before["elderly_allowance"].eligible.tolist() == [False]
    # eligible from 75, but the first amount band still starts at 80: 0 yuan
    assert after["elderly_allowance"].eligible.tolist() == [True]


def test_dated_parameters_apply_from_their_date() -> None:
    text = default_parameters("tech_sme_reward").replace(
        "reward:\n  description: 一次性奖励（元） One-off reward (yuan)\n  values:\n"
        "    2020-01-01: 50000\n",
        "reward:\n  description: x\n  values:\n    2020-01-01: 50000\n    2027-01-01: 80000\n",
    )
    parameters = {"tech_sme_reward": parse_parameters("tech_sme_reward", text)}
    inputs = _enterprises(on_tech_sme_list=[True], rd_expense=[600000])
    for year, amount in (("2026", 50000.0), ("2027", 80000.0)):
        out = evaluate("enterprise", inputs, year, codes=["tech_sme_reward"], parameters=parameters)
        assert out["tech_sme_reward"].amount.tolist() == [amount]


@pytest.mark.parametrize("code", sorted(RULES))
def test_the_shipped_parameters_parse(code: str) -> None:
    data = parse_parameters(code, default_parameters(code))
    assert {name for name, _kind in RULES[code].parameters} <= set(data)


def test_yaml_that_does_not_parse_names_the_line() -> None:
    with pytest.raises(ParameterError) as caught:
        parse_parameters("elderly_allowance", "min_age:\n  values:\n    2020-01-01: [80\n")
    assert caught.value.line == 4
    assert "第 4 行" in caught.value.message
    assert "line 4" in caught.value.message_en


def test_a_missing_parameter_is_named() -> None:
    text = default_parameters("disability_subsidies").replace("care_subsidy:", "care_subsidy_x:")
    with pytest.raises(ParameterError) as caught:
        parse_parameters("disability_subsidies", text)
    assert caught.value.parameter == "care_subsidy"
    assert "care_subsidy" in caught.value.message
    assert "missing" in caught.value.message_en


def test_a_parameter_of_the_wrong_type_is_named_with_its_line() -> None:
    text = default_parameters("elderly_allowance").replace(
        "    2020-01-01: 80\n", "    2020-01-01: eighty\n", 1
    )
    with pytest.raises(ParameterError) as caught:
        parse_parameters("elderly_allowance", text)
    assert caught.value.parameter == "min_age"
    assert caught.value.line == text.splitlines().index("min_age:") + 1


def test_a_scale_without_brackets_is_refused() -> None:
    text = "min_age:\n  values:\n    2020-01-01: 80\ncity_division:\n  values:\n    2020-01-01: 3308\namount_by_age:\n  values:\n    2020-01-01: 100\n"
    with pytest.raises(ParameterError) as caught:
        parse_parameters("elderly_allowance", text)
    assert caught.value.parameter == "amount_by_age"


def test_a_rule_of_the_other_system_is_refused() -> None:
    with pytest.raises(ValueError, match="not all of the resident system"):
        evaluate("resident", _residents(county=[330802]), "2026-11", codes=["tech_sme_reward"])
