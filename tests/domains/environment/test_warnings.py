"""Warnings → alerts → one loop task each for the county ecology bureau (H)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from shuzhi.domains.environment.models import AirDaily, AirReading, Alert
from shuzhi.domains.environment.services.results import compute_daily, run_warnings
from shuzhi.platform.loop.models import Task

from .results_helpers import air_day, bureau, counties, local_hour, station, water

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 4)
NOON_NEXT = local_hour(DAY + timedelta(days=1), 12)


def _run(**kw: Any) -> Any:
    return run_warnings(
        today=kw.pop("today", DAY + timedelta(days=1)), now=kw.pop("now", NOON_NEXT)
    )


def test_heavy_pollution_day_opens_one_task_for_the_county_bureau() -> None:
    kecheng, _q = counties()
    county_eeb = bureau("330802-EEB")
    bureau("330800-EEB")
    st = station("A1", kecheng)
    air_day(st, DAY, pm2_5=200.0)  # AQI 250: heavily polluted
    compute_daily(day_from=DAY, day_to=DAY)
    assert AirDaily.objects.get().aqi == 250
    outcome = run_warnings(today=DAY, now=local_hour(DAY, 23) + timedelta(minutes=30))
    assert outcome.opened["heavy"] == 1
    alert = Alert.objects.get(kind="heavy")
    assert alert.period == "2026-03-04"
    assert alert.details["aqi"] == 250
    task = Task.objects.get(pk=alert.task_id)
    assert task.department == county_eeb
    assert task.division_id == "330802"
    assert task.type_code == "environment"
    assert task.source_ref == "environment:heavy:A1:2026-03-04"


def test_second_run_opens_nothing() -> None:
    kecheng, _q = counties()
    bureau("330802-EEB")
    st = station("A1", kecheng)
    air_day(st, DAY, pm2_5=200.0)
    compute_daily(day_from=DAY, day_to=DAY)
    first = run_warnings(today=DAY, now=local_hour(DAY, 23))
    tasks = Task.objects.count()
    second = run_warnings(today=DAY, now=local_hour(DAY, 23))
    assert sum(second.opened.values()) == 0
    assert second.already["heavy"] == 1
    assert Task.objects.count() == tasks == sum(first.opened.values())
    assert Alert.objects.count() == tasks


def test_clean_day_and_too_few_hours_raise_nothing() -> None:
    kecheng, _q = counties()
    air_day(station("A1", kecheng), DAY)  # clean
    air_day(station("A2", kecheng), DAY, hours=12, pm2_5=400.0)  # too few hours for a daily
    compute_daily(day_from=DAY, day_to=DAY)
    outcome = run_warnings(today=DAY, now=local_hour(DAY, 23))
    assert outcome.opened["heavy"] == 0
    assert not Alert.objects.filter(kind="heavy").exists()


def test_city_bureau_when_the_county_has_none() -> None:
    _k, qujiang = counties()
    city_eeb = bureau("330800-EEB")
    st = station("A9", qujiang)
    air_day(st, DAY, pm2_5=200.0)
    compute_daily(day_from=DAY, day_to=DAY)
    run_warnings(today=DAY, now=local_hour(DAY, 23))
    assert Task.objects.get().department == city_eeb


def test_section_worse_than_target() -> None:
    kecheng, _q = counties()
    bureau("330802-EEB")
    bad = station("W1", kecheng, kind="water", target_class="II")
    good = station("W2", kecheng, kind="water", target_class="III")
    water(bad, DAY, tp=0.25)  # TP class IV (river)
    water(good, DAY)
    outcome = run_warnings(today=DAY, now=local_hour(DAY, 12))
    assert outcome.opened["target"] == 1
    alert = Alert.objects.get(kind="target")
    assert (alert.station, alert.period) == (bad, "2026-03")
    assert alert.details["class"] == "IV"
    assert alert.details["target"] == "II"
    assert run_warnings(today=DAY, now=local_hour(DAY, 12)).opened["target"] == 0


def test_sudden_jump_needs_factor_floor_and_history() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY, pm2_5=30.0)
    air_day(st, DAY + timedelta(days=1), hours=13, pm2_5=30.0)
    AirReading.objects.filter(station=st, hour=local_hour(DAY + timedelta(days=1), 10)).update(
        pm2_5=150.0,  # 5× the mean and above 75
        so2=25.0,  # 2.5×: not a jump
    )
    AirReading.objects.filter(station=st, hour=local_hour(DAY + timedelta(days=1), 11)).update(
        no2=70.0  # 3.5× but below its floor of 200
    )
    outcome = _run()
    assert outcome.opened["jump"] == 1
    alert = Alert.objects.get(kind="jump")
    assert alert.period == "2026-03-05T10:00"
    assert set(alert.details["parameters"]) == {"PM2.5"}
    assert _run().opened["jump"] == 0


def test_no_jump_without_24_hours_of_history() -> None:
    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY + timedelta(days=1), hours=13, pm2_5=30.0)
    AirReading.objects.filter(station=st, hour=local_hour(DAY + timedelta(days=1), 12)).update(
        pm2_5=300.0
    )
    assert _run().opened["jump"] == 0


def test_silent_station(settings: Any) -> None:
    settings.ENVIRONMENT_SILENT_HOURS = 6
    kecheng, _q = counties()
    quiet = station("A1", kecheng)
    air_day(quiet, DAY, hours=5)  # last reading 04:00
    station("A2", kecheng)  # never reported: not warned
    recent = station("A3", kecheng)
    air_day(recent, DAY, hours=10)  # last 09:00
    station("A4", kecheng, active=False)
    outcome = run_warnings(today=DAY, now=local_hour(DAY, 12))
    assert outcome.opened["silent"] == 1
    alert = Alert.objects.get(kind="silent")
    assert (alert.station, alert.period) == (quiet, "2026-03-04T04:00")
    assert run_warnings(today=DAY, now=local_hour(DAY, 13)).opened["silent"] == 0


def test_hourly_schedule_runs_daily_and_warnings() -> None:
    from shuzhi.domains.environment import tasks

    kecheng, _q = counties()
    air_day(station("A1", kecheng), DAY)
    report = tasks.run_now()
    assert set(report) == {"daily_rows", "opened", "already"}


def test_catch_up_computes_the_whole_span_and_warns_once() -> None:
    from shuzhi.domains.environment.services.results import results_catch_up

    kecheng, _q = counties()
    st = station("A1", kecheng)
    air_day(st, DAY - timedelta(days=20), pm2_5=200.0)  # long before: outside the hourly lookback
    air_day(st, DAY)
    water(
        station("W1", kecheng, kind="water", target_class="II"), DAY - timedelta(days=40), tp=0.25
    )
    report = results_catch_up()
    assert report["daily_rows"] == 2
    assert report["opened"]["heavy"] == 1
    assert report["opened"]["target"] == 1
    assert report["opened"]["silent"] == 0  # "now" is the hour after the last reading
    again = results_catch_up()
    assert sum(again["opened"].values()) == 0


def test_the_hourly_schedule_is_registered() -> None:
    from shuzhi.platform.loop.schedule import _STARTERS

    assert "environment.hourly" in _STARTERS
