"""The accounting standard: fuel factors, grid choice, units, the calculator, grade helpers."""

from __future__ import annotations

import pytest

from shuzhi.domains.carbon import standard
from shuzhi.domains.carbon.standard import DEFAULT_FACTORS, FactorTable, GridFactorDef


@pytest.mark.parametrize(
    ("fuel", "factor"),
    [
        ("raw_coal", 1.9003),
        ("fuel_oil", 3.1705),
        ("gasoline", 2.9251),
        ("diesel", 3.0959),
        ("lpg", 3.1013),
        ("natural_gas", 21.622),
    ],
)
def test_fuel_factors_match_the_standards_table(fuel: str, factor: float) -> None:
    assert DEFAULT_FACTORS.fuel_factor(fuel) == pytest.approx(factor, abs=6e-4)


def test_hundred_tonnes_of_raw_coal() -> None:
    result = standard.calculate(
        [{"source": "raw_coal", "quantity": 100, "unit": "t"}], DEFAULT_FACTORS, 2023, "330800"
    )
    assert result.total_tco2 == pytest.approx(190.03, abs=0.01)
    assert result.by_source == {"raw_coal": pytest.approx(190.03, abs=0.01)}
    assert result.grid is None


def test_all_sources_and_units_add_up() -> None:
    activities = [
        {"source": "natural_gas", "quantity": 20_000, "unit": "Nm3"},  # 2 × 10^4 Nm3
        {"source": "natural_gas", "quantity": 1, "unit": "10^4Nm3"},
        {"source": "electricity", "quantity": 1000, "unit": "MWh"},
        {"source": "heat", "quantity": 100, "unit": "GJ"},
        {"source": "exported_electricity", "quantity": 50_000, "unit": "kWh"},
        {"source": "exported_heat", "quantity": 10, "unit": "GJ"},
        {"source": "diesel", "quantity": 500, "unit": "kg"},
    ]
    r = standard.calculate(activities, DEFAULT_FACTORS, year=2023, region="110000")
    gas = 389.31 * 15.3 / 1000 * 0.99 * 44 / 12
    assert r.by_source["natural_gas"] == pytest.approx(3 * gas, abs=0.01)
    assert r.by_source["electricity"] == pytest.approx(530.6)  # national 2023
    assert r.by_source["heat"] == pytest.approx(11.0)
    assert r.by_source["exported_electricity"] == pytest.approx(-50 * 0.5306, abs=0.01)
    assert r.by_source["exported_heat"] == pytest.approx(-1.1)
    assert r.by_source["diesel"] == pytest.approx(0.5 * 3.0959, abs=0.01)
    assert r.total_tco2 == pytest.approx(sum(r.by_source.values()), abs=0.03)
    assert r.grid is not None
    assert (r.grid.region, r.grid.year, r.grid.fallback) == ("national", 2023, "national")


@pytest.mark.parametrize(
    ("year", "region", "expected"),
    [
        (2022, "330000", ("330000", 2022, 0.5153, "exact")),
        (2024, "330000", ("330000", 2022, 0.5153, "earlier_year")),
        (2021, "330802", ("330000", 2021, 0.5422, "province")),
        (2023, "330800", ("330000", 2022, 0.5153, "province")),
        (2023, "320500", ("east_china", 2023, 0.5500, "east_china")),
        (2021, "320500", ("national", 2021, 0.5568, "national")),
        (2022, "110000", ("national", 2022, 0.5366, "national")),
        (2030, "national", ("national", 2023, 0.5306, "national")),
        (2015, "330800", ("national", 2021, 0.5568, "later_year")),
    ],
)
def test_grid_factor_fallback(year: int, region: str, expected: tuple[object, ...]) -> None:
    g = standard.grid_factor(DEFAULT_FACTORS, year, region)
    assert (g.region, g.year, g.value, g.fallback) == expected
    assert g.source


def test_a_city_factor_wins_over_the_province() -> None:
    table = FactorTable(
        version="t",
        fuels=DEFAULT_FACTORS.fuels,
        grid=(*DEFAULT_FACTORS.grid, GridFactorDef(2020, "330800", 0.6, "city study")),
    )
    assert standard.grid_factor(table, 2023, "330800").fallback == "earlier_year"
    assert standard.grid_factor(table, 2023, "330881").region == "330800"
    assert standard.grid_factor(table, 2023, "330881").fallback == "city"


def test_invalid_activities_are_all_listed() -> None:
    with pytest.raises(standard.InvalidActivities) as caught:
        standard.calculate(
            [
                {"source": "raw_coal", "quantity": 1, "unit": "t"},
                {"source": "peat", "quantity": 1, "unit": "t"},
                {"source": "electricity", "quantity": 1, "unit": "GJ"},
                {"source": "diesel", "quantity": -2, "unit": "t"},
                {"source": "natural_gas", "quantity": "lots", "unit": "Nm3"},
            ],
            DEFAULT_FACTORS,
            2023,
            "330800",
        )
    codes = [(p["index"], p["code"]) for p in caught.value.problems]
    assert codes == [
        (1, "unknown_source"),
        (2, "unknown_unit"),
        (3, "negative_quantity"),
        (4, "not_a_number"),
    ]
    assert caught.value.valid["natural_gas"] == ["10^4Nm3", "Nm3"]
    assert set(caught.value.valid) == set(standard.SOURCES)


def test_every_default_factor_names_its_source() -> None:
    assert all(f.source for f in DEFAULT_FACTORS.fuels.values())
    assert all(g.source for g in DEFAULT_FACTORS.grid)
    domains = {a.domain for a in DEFAULT_FACTORS.activities}
    assert domains == {"energy", "buildings", "transport", "agriculture", "household"}
    assert all(a.source for a in DEFAULT_FACTORS.activities)
    assert any(a.value < 0 for a in DEFAULT_FACTORS.activities)  # the forest sink


def test_settings_parsers_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="WEIGHTS"):
        standard.parse_weights(["1", "1"])
    with pytest.raises(ValueError, match="WEIGHTS"):
        standard.parse_weights(["0", "0", "0"])
    with pytest.raises(ValueError, match="CUTS"):
        standard.parse_cuts(["0.5", "0.25", "0.75"])
    with pytest.raises(ValueError, match="CUTS"):
        standard.parse_cuts(["0.25", "0.5", "1"])
