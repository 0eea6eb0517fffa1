"""Review fixes of the results: a station's backlog of older days gets its daily rows; the
publication of the results is audited as such."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shuzhi.domains.environment import tasks
from shuzhi.domains.environment.models import AirDaily, AirReading
from shuzhi.domains.environment.services.publish import results_publish
from shuzhi.platform.audit.models import AuditEntry

from .results_helpers import air_day, counties, staff, station

pytestmark = pytest.mark.django_db


def test_the_hourly_run_computes_the_days_of_a_late_backlog() -> None:
    kecheng, _q = counties()
    late, other = station("A1", kecheng), station("A2", kecheng)
    old = timezone.localdate() - timedelta(days=5)
    air_day(late, old)  # received now: the station was offline and sends its backlog
    air_day(other, old - timedelta(days=1))
    AirReading.objects.filter(station=other).update(
        received_at=timezone.now() - timedelta(days=5)  # received back then: already computed
    )
    tasks.run_now()
    daily = AirDaily.objects.get(station=late, day=old)
    assert daily.aqi is not None
    assert daily.valid_hours == 24
    assert not AirDaily.objects.filter(station=other).exists()


def test_publishing_the_results_is_audited() -> None:
    kecheng, _q = counties()
    air_day(station("A1", kecheng), timezone.localdate() - timedelta(days=2))
    tasks.run_now()
    steward = staff("eeb", "data_steward", "330800-EEB")
    versions = results_publish(by=steward)
    entry = AuditEntry.objects.get(action="environment.results_publish")
    assert entry.outcome == "success"
    assert entry.actor == steward.username
    assert entry.details["versions"] == versions
