"""Daily AQI from hourly readings, real-time AQI and monthly section classes (H)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shuzhi.domains.environment.aqi import compute_aqi
from shuzhi.domains.environment.models import AirDaily, AirReading, Station
from shuzhi.domains.environment.selectors.results import (
    area_daily,
    is_worse,
    realtime_aqi,
    section_months,
)
from shuzhi.domains.environment.selectors.stations import county_of
from shuzhi.domains.environment.services.results import compute_daily

from .results_helpers import air_day, counties, local_hour, staff, station, water

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 4)  # HJ 633-2026 in force


def test_daily_from_24_hours_matches_compute_aqi() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY, pm2_5=80.0)
    assert compute_daily(day_from=DAY, day_to=DAY) == 1
    daily = AirDaily.objects.get(station=st, day=DAY)
    expected = compute_aqi(
        {
            "PM2.5": 80.0,
            "PM10": 50.0,
            "SO2": 10.0,
            "NO2": 20.0,
            "CO": 0.8,
            "O3_1h": 80.0,
            "O3_8h": 80.0,
        },
        period="daily",
        day=DAY,
    )
    assert daily.aqi == expected.aqi == 119  # the 2026 edition's PM2.5 breakpoint
    assert daily.edition == "HJ 633-2026"
    assert daily.primary == ["PM2.5"]
    assert daily.exceeding == ["PM2.5"]
    assert daily.valid_hours == 24
    assert "missing" not in daily.concentrations
    assert daily.concentrations["O3_8h"] == 80.0


def test_edition_follows_the_day() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    before = date(2026, 2, 28)
    air_day(st, before, pm2_5=80.0)
    compute_daily(day_from=before, day_to=before)
    daily = AirDaily.objects.get(station=st, day=before)
    assert (daily.aqi, daily.edition) == (107, "HJ 633-2012")


def test_too_few_hours_leaves_the_aqi_empty_with_the_reason() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY, hours=12, pm2_5=300.0)  # 12 hours: no daily value at all
    compute_daily(day_from=DAY, day_to=DAY)
    daily = AirDaily.objects.get(station=st, day=DAY)
    assert daily.aqi is None
    assert daily.level is None
    assert daily.iaqi == {}
    assert daily.valid_hours == 12
    assert set(daily.concentrations["missing"]) == {
        "PM2.5",
        "PM10",
        "SO2",
        "NO2",
        "CO",
        "O3_1h",
        "O3_8h",
    }
    assert "PM2.5" not in daily.concentrations  # never averaged from what there is
    assert daily.concentrations["missing"]["PM2.5"] == {"valid": 12, "needed": 20, "of": "hours"}
    assert daily.concentrations["missing"]["O3_8h"]["valid"] == 7
    assert daily.edition == "HJ 633-2026"


def test_19_hours_miss_the_24_hour_means_but_o3_8h_stands() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY, hours=19, pm2_5=300.0)
    compute_daily(day_from=DAY, day_to=DAY)
    daily = AirDaily.objects.get(station=st, day=DAY)
    assert set(daily.iaqi) == {"O3_8h"}  # 14 valid 8-hour windows
    assert "PM2.5" in daily.concentrations["missing"]


def test_a_pollutant_with_too_few_hours_is_left_out() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY)
    AirReading.objects.filter(station=st, hour__gte=local_hour(DAY, 18)).update(pm2_5=None)
    compute_daily(day_from=DAY, day_to=DAY)
    daily = AirDaily.objects.get(station=st, day=DAY)
    assert "PM2.5" not in daily.iaqi
    assert "PM2.5" in daily.concentrations["missing"]
    assert daily.aqi is not None  # the other pollutants still count


def test_recompute_updates_not_duplicates_and_respects_local_days() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY)
    air_day(st, DAY + timedelta(days=1), pm10=200.0)
    assert compute_daily(day_from=DAY, day_to=DAY + timedelta(days=1)) == 2
    assert compute_daily(day_from=DAY, day_to=DAY + timedelta(days=1)) == 2
    assert AirDaily.objects.count() == 2
    assert AirDaily.objects.get(day=DAY).concentrations["PM10"] == 50.0
    with pytest.raises(ValueError, match="before"):
        compute_daily(day_from=DAY, day_to=DAY - timedelta(days=1))


def test_realtime_aqi_uses_moving_averages() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY, pm2_5=30.0)
    last = local_hour(DAY, 23)
    AirReading.objects.filter(station=st, hour=last).update(so2=600.0, pm2_5=300.0)
    at, result = realtime_aqi(st)  # type: ignore[misc]
    assert at == last
    assert result.period == "hourly"
    assert result.iaqi["SO2"] == compute_aqi({"SO2": 600.0}, period="hourly", day=DAY).iaqi["SO2"]
    # PM2.5 is the 24-hour moving average, not the single hour
    assert (
        result.iaqi["PM2.5"]
        == compute_aqi({"PM2.5": (23 * 30.0 + 300.0) / 24}, period="hourly", day=DAY).iaqi["PM2.5"]
    )
    assert realtime_aqi(st, at=last + timedelta(hours=1)) is None  # no reading that hour


def test_realtime_aqi_leaves_out_pm_without_20_hours() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY, hours=10)
    _at, result = realtime_aqi(st)  # type: ignore[misc]
    assert "PM2.5" not in result.iaqi
    assert "SO2" in result.iaqi
    assert realtime_aqi(station("A2", kecheng)) is None


def test_section_month_class_against_target() -> None:
    kecheng, _q = counties()
    st = station("W1", kecheng, kind="water", target_class="II")
    water(st, date(2026, 3, 2), nh3_n=0.4)
    water(st, date(2026, 3, 20), nh3_n=1.2)  # mean 0.8: class III
    only = Station.objects.filter(pk=st.pk)
    [row] = section_months(months=["2026-03"], stations=only)
    assert (row.water_class, row.target, row.worse, row.samples) == ("III", "II", True, 2)
    assert "NH3-N" in row.limiting
    assert section_months(months=["2026-04"], stations=only) == []  # no samples that month
    assert is_worse("劣V", "V")
    assert not is_worse("II", "III")
    assert not is_worse(None, "II")


def test_area_daily_averages_concentrations_not_aqis() -> None:
    kecheng, _q = counties()
    a, b = station("A1", kecheng), station("A2", kecheng)
    air_day(a, DAY, pm2_5=20.0)
    air_day(b, DAY, pm2_5=100.0)
    compute_daily(day_from=DAY, day_to=DAY)
    figures = area_daily(AirDaily.objects.all())[DAY]
    assert figures["means"]["PM2.5"] == 60.0
    assert figures["aqi"].aqi == compute_aqi(figures["means"], period="daily", day=DAY).aqi


def test_county_of_limits_county_staff_only() -> None:
    counties()
    assert county_of(staff("k", "clerk", "330802-EEB")) == "330802"
    assert county_of(staff("c", "clerk", "330800-EEB")) is None
