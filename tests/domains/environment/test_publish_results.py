"""The results as catalogue datasets (H)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.domains.environment.services.publish import DAILY, SECTIONS, results_publish
from shuzhi.domains.environment.services.results import compute_daily
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.warehouse.selectors import current_version

from .results_helpers import air_day, counties, staff, station, water

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 4)


def test_steward_publishes_daily_aqi_and_section_classes() -> None:
    kecheng, _q = counties()
    air_day(station("A1", kecheng), DAY, pm2_5=80.0)
    air_day(station("A2", kecheng), DAY, hours=12)  # no AQI: an empty figure, not a failure
    compute_daily(day_from=DAY, day_to=DAY)
    water(station("W1", kecheng, kind="water", target_class="II"), DAY, tp=0.25)
    steward = staff("eeb", "data_steward", "330800-EEB")
    versions = results_publish(by=steward)
    assert versions == {DAILY: 1, SECTIONS: 1}
    assert results_publish(by=steward) == {DAILY: 2, SECTIONS: 2}
    daily = Dataset.objects.get(code=DAILY)
    assert daily.owner.code == "330800-EEB"
    assert daily.status == "published"
    assert current_version(daily).rows_loaded == 2  # type: ignore[union-attr]
    sections = Dataset.objects.get(code=SECTIONS)
    assert current_version(sections).rows_loaded == 1  # type: ignore[union-attr]


def test_only_the_city_bureau_steward_publishes() -> None:
    counties()
    with pytest.raises(PermissionDenied):
        results_publish(by=staff("kc", "data_steward", "330802-EEB"))  # wrong department
    with pytest.raises(PermissionDenied):
        results_publish(by=staff("clerk", "clerk", "330800-EEB"))  # wrong role
    assert not Dataset.objects.filter(code__in=[DAILY, SECTIONS]).exists()


def test_lineage_from_the_readings_datasets() -> None:
    from shuzhi.demo import datasets
    from shuzhi.demo.management.commands.demo import Command
    from shuzhi.platform.catalog.models import (
        CodeEntry,
        CodeTable,
        LineageEdge,
        ThematicWarehouse,
        Theme,
    )
    from shuzhi.platform.catalog.reference import load_reference_data
    from shuzhi.platform.catalog.services import dataset_publish

    counties()
    steward = staff("eeb", "data_steward", "330800-EEB")
    load_reference_data(Theme, ThematicWarehouse, CodeTable)
    table = CodeTable.objects.get(code="gbt2260")
    CodeEntry.objects.get_or_create(table=table, code="330800", defaults={"name": "衢州市"})
    for definition in (datasets.AIR_QUALITY, datasets.SURFACE_WATER):
        dataset_publish(dataset=Command.register_dataset(definition, steward), by=steward)
    results_publish(by=steward)
    edges = {
        (e.source.code, e.target.code)
        for e in LineageEdge.objects.select_related("source", "target")
    }
    assert ("air_quality_hourly", DAILY) in edges
    assert ("surface_water_monthly", SECTIONS) in edges
    assert Dataset.objects.get(code=DAILY).theme_id == "environment"
