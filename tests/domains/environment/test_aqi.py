"""AQI per HJ 633-2012 and HJ 633-2026 (shuzhi.domains.environment.aqi)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from shuzhi.domains.environment import aqi
from shuzhi.domains.environment.aqi import (
    EDITION_2012,
    EDITION_2026,
    EDITIONS,
    IAQI_SCALE,
    InvalidConcentration,
    aqi_arrays,
    compute_aqi,
    daily_max_8h,
    daily_mean_24h,
    edition_for,
    level_for,
    mask_names,
    moving_average_8h,
    moving_average_24h,
)

OLD = date(2025, 6, 1)
NEW = date(2026, 6, 1)
WORKED = {"PM2.5": 80, "PM10": 120, "SO2": 20, "NO2": 45, "CO": 1.0, "O3_8h": 130}


def test_worked_example_of_standards_md() -> None:
    r = compute_aqi(WORKED, period="daily", day=OLD)
    assert r.aqi == 107
    assert (r.level, r.grade, r.category, r.color) == (3, "三级", "轻度污染", "#FF7E00")
    assert r.primary_pollutants == ("PM2.5",)
    assert r.exceeding_pollutants == ("PM2.5",)
    assert r.iaqi == {"PM2.5": 107, "PM10": 85, "SO2": 20, "NO2": 57, "CO": 25, "O3_8h": 75}
    assert r.edition == EDITION_2012


def test_worked_example_under_the_2026_edition() -> None:
    r = compute_aqi(WORKED, period="daily", day=NEW)
    assert r.edition == EDITION_2026
    assert r.iaqi["PM2.5"] == 119  # 100 + 50/55 × 20, rounded up
    assert r.iaqi["PM10"] == 100  # 120 is the new IAQI-100 breakpoint
    assert r.aqi == 119


@pytest.mark.parametrize(
    ("day", "edition"),
    [
        (date(2013, 1, 1), EDITION_2012),
        (date(2026, 2, 28), EDITION_2012),
        (date(2026, 3, 1), EDITION_2026),
        (date(2030, 1, 1), EDITION_2026),
    ],
)
def test_edition_by_date(day: date, edition: str) -> None:
    assert edition_for(day) == edition
    assert compute_aqi({"PM10": 150}, period="daily", day=day).edition == edition


def test_editions_differ_only_in_pm() -> None:
    old, new = EDITIONS[EDITION_2012][1], EDITIONS[EDITION_2026][1]
    assert {k for k in old if old[k] != new[k]} == {"PM2.5_24h", "PM10_24h"}
    assert compute_aqi({"PM10": 150}, period="daily", day=date(2026, 2, 28)).aqi == 100
    assert compute_aqi({"PM10": 150}, period="daily", day=date(2026, 3, 1)).aqi == 112
    assert compute_aqi({"PM2.5": 60}, period="hourly", day=date(2026, 2, 28)).aqi == 82
    assert compute_aqi({"PM2.5": 60}, period="hourly", day=date(2026, 3, 1)).aqi == 100


# Each breakpoint table, read through the pollutant and period that use it.
TABLE_USE = {
    "SO2_24h": ("SO2", "daily"),
    "SO2_1h": ("SO2", "hourly"),
    "NO2_24h": ("NO2", "daily"),
    "NO2_1h": ("NO2", "hourly"),
    "PM10_24h": ("PM10", "daily"),
    "CO_24h": ("CO", "daily"),
    "CO_1h": ("CO", "hourly"),
    "O3_1h": ("O3_1h", "daily"),
    "O3_8h": ("O3_8h", "daily"),
    "PM2.5_24h": ("PM2.5", "hourly"),
}
BOUNDARIES = [
    (edition, table, i)
    for edition, (_day, tables) in EDITIONS.items()
    for table, limits in tables.items()
    for i in range(len(limits))
]


@pytest.mark.parametrize(("edition", "table", "i"), BOUNDARIES)
def test_each_breakpoint_boundary(edition: str, table: str, i: int) -> None:
    limits = EDITIONS[edition][1][table]
    pollutant, period = TABLE_USE[table]
    on = compute_aqi({pollutant: limits[i]}, period=period, edition=edition)
    assert on.iaqi[pollutant] == IAQI_SCALE[i]  # a value on a breakpoint has its IAQI
    above = compute_aqi({pollutant: limits[i] + 0.001}, period=period, edition=edition)
    if i + 1 < len(limits):
        assert above.iaqi[pollutant] == IAQI_SCALE[i] + 1  # rounded up
    elif len(limits) == len(IAQI_SCALE):
        assert above.iaqi[pollutant] == 500  # above the top breakpoint: capped


@pytest.mark.parametrize(
    ("pollutant", "value", "daily", "hourly"),
    [
        ("SO2", 200, 108, 58),
        ("NO2", 150, 135, 75),
        ("CO", 5, 105, 50),
        ("PM2.5", 80, 107, 107),  # only 24-hour breakpoints
        ("O3_1h", 250, 125, 125),
    ],
)
def test_hourly_uses_one_hour_limits(pollutant: str, value: float, daily: int, hourly: int) -> None:
    assert compute_aqi({pollutant: value}, period="daily", day=OLD).aqi == daily
    assert compute_aqi({pollutant: value}, period="hourly", day=OLD).aqi == hourly


def test_so2_one_hour_above_800_uses_the_24_hour_sub_index() -> None:
    assert compute_aqi({"SO2": 800}, period="hourly", day=OLD).iaqi == {"SO2": 200}
    r = compute_aqi({"SO2": 900}, period="hourly", day=OLD)
    assert r.iaqi == {"SO2": 213}  # 200 + 100/800 × 100 on the 24-hour scale
    assert (r.level, r.category) == (5, "重度污染")


def test_o3_eight_hour_above_800_gives_way_to_the_one_hour_sub_index() -> None:
    assert compute_aqi({"O3_8h": 800}, period="daily", day=OLD).iaqi == {"O3_8h": 300}
    with_1h = compute_aqi({"O3_8h": 900, "O3_1h": 500}, period="daily", day=OLD)
    assert with_1h.iaqi == {"O3_1h": 225}
    assert with_1h.primary_pollutants == ("O3_1h",)
    alone = compute_aqi({"O3_8h": 900}, period="hourly", day=OLD)
    assert alone.iaqi == {"O3_8h": 350}  # read on the 1-hour scale


def test_values_above_the_top_breakpoint_are_500() -> None:
    r = compute_aqi({"PM2.5": 900, "CO": 70, "NO2": 100}, period="daily", day=OLD)
    assert r.iaqi["PM2.5"] == 500
    assert r.iaqi["CO"] == 500
    assert (r.aqi, r.level, r.category, r.color) == (500, 6, "严重污染", "#7E0023")
    assert r.primary_pollutants == ("PM2.5", "CO")


def test_primary_only_above_50_and_all_ties() -> None:
    low = compute_aqi({"PM2.5": 20, "PM10": 30}, period="daily", day=OLD)
    assert (low.aqi, low.category, low.primary_pollutants) == (30, "优", ())
    tie = compute_aqi({"PM2.5": 75, "PM10": 150, "NO2": 20}, period="daily", day=OLD)
    assert tie.aqi == 100
    assert tie.primary_pollutants == ("PM2.5", "PM10")
    assert tie.exceeding_pollutants == ()  # IAQI 100 does not exceed


def test_exceeding_pollutants() -> None:
    r = compute_aqi({"PM2.5": 80, "PM10": 160, "O3_8h": 170}, period="daily", day=OLD)
    assert r.iaqi == {"PM2.5": 107, "PM10": 105, "O3_8h": 110}
    assert r.exceeding_pollutants == ("PM2.5", "PM10", "O3_8h")
    assert r.primary_pollutants == ("O3_8h",)


@pytest.mark.parametrize(
    ("value", "level", "category", "color"),
    [
        (0, 1, "优", "#00E400"),
        (50, 1, "优", "#00E400"),
        (51, 2, "良", "#FFFF00"),
        (100, 2, "良", "#FFFF00"),
        (101, 3, "轻度污染", "#FF7E00"),
        (150, 3, "轻度污染", "#FF7E00"),
        (151, 4, "中度污染", "#FF0000"),
        (200, 4, "中度污染", "#FF0000"),
        (201, 5, "重度污染", "#99004C"),
        (300, 5, "重度污染", "#99004C"),
        (301, 6, "严重污染", "#7E0023"),
        (500, 6, "严重污染", "#7E0023"),
    ],
)
def test_levels(value: int, level: int, category: str, color: str) -> None:
    got = level_for(value)
    assert (got.level, got.category, got.color) == (level, category, color)


def test_missing_pollutants_are_left_out() -> None:
    r = compute_aqi({"PM2.5": 80, "PM10": None}, period="daily", day=OLD)
    assert r.iaqi == {"PM2.5": 107}
    empty = compute_aqi({}, period="daily", day=OLD)
    assert empty.aqi is None
    assert empty.iaqi == {}
    assert empty.primary_pollutants == ()


@pytest.mark.parametrize(
    ("concentrations", "field"),
    [
        ({"PM2.5": -1}, "PM2.5"),
        ({"PM10": "80"}, "PM10"),
        ({"CO": True}, "CO"),
        ({"NO2": float("nan")}, "NO2"),
        ({"O3": 100}, "O3"),
    ],
)
def test_bad_values_name_the_field(concentrations: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidConcentration) as caught:
        compute_aqi(concentrations, period="daily", day=OLD)
    assert caught.value.field == field


def test_unknown_period_or_edition() -> None:
    with pytest.raises(ValueError, match="period"):
        compute_aqi({"PM2.5": 1}, period="monthly", day=OLD)
    with pytest.raises(ValueError, match="edition"):
        compute_aqi({"PM2.5": 1}, period="daily", edition="HJ 633-1996")
    with pytest.raises(ValueError, match="day of the reading"):
        compute_aqi({"PM2.5": 1}, period="daily")


# --- vectorised ------------------------------------------------------------------------

SCALE = {
    "PM2.5": 600.0,
    "PM10": 700.0,
    "SO2": 3000.0,
    "NO2": 4000.0,
    "CO": 160.0,
    "O3_8h": 1000.0,
    "O3_1h": 1300.0,
}


@pytest.mark.parametrize("period", ["daily", "hourly"])
@pytest.mark.parametrize("edition", [EDITION_2012, EDITION_2026])
def test_arrays_match_the_scalar_function(period: str, edition: str) -> None:
    rng = np.random.default_rng(20260301)
    n = 4000
    data: dict[str, np.ndarray] = {}
    for pollutant, top in SCALE.items():
        # mostly low values, some high ones, exact breakpoints and integers, 15% missing
        values = np.where(rng.random(n) < 0.7, rng.random(n) * top / 5, rng.random(n) * top)
        values = np.where(rng.random(n) < 0.3, np.round(values), values)
        limits = np.array(sorted({v for t in EDITIONS[edition][1].values() for v in t}))
        values = np.where(rng.random(n) < 0.1, rng.choice(limits, n), values)
        values[rng.random(n) < 0.15] = np.nan
        data[pollutant] = values
    data["PM2.5"][:50] = np.nan  # some rows with nothing at all
    for pollutant in SCALE:
        data[pollutant][:20] = np.nan
    out = aqi_arrays(data, period=period, edition=edition)
    for i in range(n):
        given = {p: float(v[i]) for p, v in data.items() if not np.isnan(v[i])}
        r = compute_aqi(given, period=period, edition=edition)
        assert int(out["aqi"][i]) == (r.aqi if r.aqi is not None else -1), given
        assert int(out["level"][i]) == (r.level or 0)
        assert mask_names(int(out["primary"][i])) == list(r.primary_pollutants), given
        assert mask_names(int(out["exceeding"][i])) == list(r.exceeding_pollutants), given
        for pollutant in SCALE:
            assert int(out[f"iaqi:{pollutant}"][i]) == r.iaqi.get(pollutant, -1), given


def test_arrays_worked_example_and_errors() -> None:
    arrays = {k: np.array([float(v)]) for k, v in WORKED.items()}
    out = aqi_arrays(arrays, period="daily", edition=EDITION_2012)
    assert out["aqi"].tolist() == [107]
    assert out["primary"].tolist() == [1]
    assert out["exceeding"].tolist() == [1]
    with pytest.raises(InvalidConcentration):
        aqi_arrays({"PM2.5": np.array([-1.0])}, period="daily", edition=EDITION_2012)
    with pytest.raises(InvalidConcentration):
        aqi_arrays({"PM1": np.array([1.0])}, period="daily", edition=EDITION_2012)
    with pytest.raises(ValueError, match="period"):
        aqi_arrays({"PM2.5": np.array([1.0])}, period="weekly", edition=EDITION_2012)


# --- moving averages -------------------------------------------------------------------


def test_eight_hour_average_needs_six_valid_hours() -> None:
    hours: list[float | None] = [10, 20, 30, 40, 50, 60, 70, 80]
    assert moving_average_8h(hours)[-1] == 45
    assert moving_average_8h(hours)[:5] == [None] * 5  # the series starts: hours missing
    assert moving_average_8h(hours)[5] == 35  # six hours given
    two_missing: list[float | None] = [10, None, 30, None, 50, 60, 70, 80]
    assert moving_average_8h(two_missing)[-1] == 50
    three_missing: list[float | None] = [None, None, 30, None, 50, 60, 70, 80]
    assert moving_average_8h(three_missing)[-1] is None
    # the window moves: hours older than 8 no longer count
    assert moving_average_8h([1000.0] + [10.0] * 8)[-1] == 10


def test_24_hour_average_needs_twenty_valid_hours() -> None:
    day: list[float | None] = [float(h) for h in range(24)]
    assert daily_mean_24h(day) == 11.5
    four_missing = day[:20] + [None] * 4
    assert daily_mean_24h(four_missing) == 9.5
    five_missing = [None] + day[1:20] + [None] * 4
    assert daily_mean_24h(five_missing) is None
    series = [10.0] * 30
    assert moving_average_24h(series)[18] is None
    assert moving_average_24h(series)[19] == 10
    with pytest.raises(ValueError, match="24 hourly values"):
        daily_mean_24h(day[:23])


def test_daily_maximum_eight_hour_o3() -> None:
    day: list[float | None] = [50.0] * 24
    day[12:16] = [150.0, 170.0, 180.0, 160.0]
    assert daily_max_8h(day) == (50 * 4 + 660) / 8
    # fourteen valid windows (ending 07:00 … 20:00) are enough, thirteen are not
    assert daily_max_8h([100.0] * 19 + [None] * 5) == 100
    assert daily_max_8h([100.0] * 18 + [None] * 6) is None
    # unless the largest already exceeds 160
    assert daily_max_8h([170.0] * 18 + [None] * 6) == 170
    assert daily_max_8h([None] * 24) is None
    with pytest.raises(ValueError, match="24 hourly values"):
        daily_max_8h([1.0] * 25)


def test_module_lists_its_names() -> None:
    assert set(aqi.__all__) <= set(dir(aqi))
