"""``shuzhi environment results``: every day's AQI and the warnings, optionally published."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuzhi.domains.environment.models import AirDaily
from shuzhi.domains.environment.services.publish import DAILY
from shuzhi.platform.catalog.models import Dataset

from .results_helpers import air_day, counties, staff, station

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 4)


def test_results_computes_every_day_and_publishes_as_the_steward() -> None:
    kecheng, _q = counties()
    air_day(station("A1", kecheng), DAY, pm2_5=80.0)
    staff("eeb", "data_steward", "330800-EEB")
    out = io.StringIO()
    call_command("environment", "results", "--publish", "--user", "eeb", stdout=out)
    # PM2.5 80 µg/m³ over 24 hours on a day of HJ 633-2026 (its 60–115 band): IAQI 119
    assert AirDaily.objects.get(day=DAY).aqi == 119
    assert "1 station-days of AQI computed" in out.getvalue()
    assert Dataset.objects.filter(code=DAILY, status="published").exists()


def test_results_refuses_to_publish_for_a_user_without_the_right() -> None:
    counties()
    staff("clerk", "clerk", "330800-EEB")
    with pytest.raises(CommandError, match="--user clerk"):
        call_command("environment", "results", "--publish", "--user", "clerk", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such active user"):
        call_command(
            "environment", "results", "--publish", "--user", "nobody", stdout=io.StringIO()
        )
    assert not Dataset.objects.filter(code=DAILY).exists()
