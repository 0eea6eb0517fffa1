"""Surface water class per GB 3838-2002 (shuzhi.domains.environment.water)."""

from __future__ import annotations

import pytest

from shuzhi.domains.environment.water import (
    CLASSES,
    LIMITS,
    InvalidMeasurement,
    classify,
    factor_class,
)


def _first_class_with(limits: tuple[float, ...], i: int) -> str:
    """The better class wins on a shared limit."""
    return CLASSES[limits.index(limits[i])]


CASES = [(key, i) for key in LIMITS for i in range(5)]


@pytest.mark.parametrize(("key", "i"), CASES)
def test_value_on_a_limit_belongs_to_that_class(key: str, i: int) -> None:
    factor, body = ("TP", key.removeprefix("TP_")) if key.startswith("TP_") else (key, "lake")
    limits = LIMITS[key]
    assert factor_class(factor, limits[i], water_body=body) == _first_class_with(limits, i)
    worse = limits[i] - 0.001 if factor == "DO" else limits[i] + 0.001
    expected = "劣V" if i == 4 else CLASSES[i + 1]
    if i < 4 and limits[i + 1] == limits[i]:
        expected = CLASSES[i + 2]
    assert factor_class(factor, worse, water_body=body) == expected


def test_shared_limits_the_better_class_wins() -> None:
    assert factor_class("COD", 15, water_body="river") == "I"
    assert factor_class("COD", 15.5, water_body="river") == "III"
    assert factor_class("BOD5", 3, water_body="river") == "I"
    assert factor_class("BOD5", 3.2, water_body="river") == "III"


def test_dissolved_oxygen_higher_is_better() -> None:
    assert factor_class("DO", 9, water_body="river") == "I"
    assert factor_class("DO", 5.5, water_body="river") == "III"
    assert factor_class("DO", 1.5, water_body="river") == "劣V"
    assert factor_class("DO", 0, water_body="river") == "劣V"


def test_river_and_lake_phosphorus() -> None:
    assert factor_class("TP", 0.05, water_body="river") == "II"
    assert factor_class("TP", 0.05, water_body="lake") == "III"
    assert factor_class("TP", 0.3, water_body="lake") == "劣V"


def test_section_class_is_the_worst_factor() -> None:
    r = classify(
        {"DO": 6.5, "CODMn": 3.2, "COD": 18, "BOD5": 3.5, "NH3-N": 0.6, "TP": 0.12},
        water_body="river",
    )
    assert r.water_class == "III"
    assert r.limiting_factors == ("COD", "BOD5", "NH3-N", "TP")
    assert r.factor_classes == {
        "DO": "II",
        "CODMn": "II",
        "COD": "III",
        "BOD5": "III",
        "NH3-N": "III",
        "TP": "III",
    }


def test_worse_than_five_is_lie_v() -> None:
    r = classify({"DO": 7.6, "NH3-N": 2.5, "TP": 0.05}, water_body="river")
    assert (r.water_class, r.limiting_factors) == ("劣V", ("NH3-N",))
    assert r.as_dict()["class"] == "劣V"


def test_nitrogen_counts_for_lakes_only() -> None:
    lake = classify({"DO": 8, "TP": 0.01, "TN": 1.2}, water_body="lake")
    assert (lake.water_class, lake.limiting_factors) == ("IV", ("TN",))
    river = classify({"DO": 8, "TP": 0.01, "TN": 5.0}, water_body="river")
    assert river.water_class == "I"
    assert "TN" not in river.factor_classes
    assert river.ignored == ("TN",)


def test_ph_must_be_six_to_nine() -> None:
    assert classify({"pH": 7.2, "DO": 6}, water_body="river").water_class == "II"
    assert classify({"pH": 6, "DO": 8}, water_body="river").water_class == "I"
    assert classify({"pH": 9, "DO": 8}, water_body="river").water_class == "I"
    bad = classify({"pH": 5.5, "DO": 8}, water_body="river")
    assert (bad.water_class, bad.limiting_factors) == ("劣V", ("pH",))
    assert classify({"pH": 9.5}, water_body="lake").water_class == "劣V"


def test_nothing_given() -> None:
    r = classify({"DO": None}, water_body="lake")
    assert r.water_class is None
    assert r.limiting_factors == ()
    assert r.factor_classes == {}


@pytest.mark.parametrize(
    ("measurements", "field"),
    [
        ({"DO": -1}, "DO"),
        ({"COD": "15"}, "COD"),
        ({"TP": float("inf")}, "TP"),
        ({"TN": False}, "TN"),
        ({"Cr6+": 0.01}, "Cr6+"),
    ],
)
def test_bad_measurements_name_the_field(measurements: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidMeasurement) as caught:
        classify(measurements, water_body="lake")
    assert caught.value.field == field


def test_unknown_water_body() -> None:
    with pytest.raises(ValueError, match="water body"):
        classify({"DO": 8}, water_body="sea")
