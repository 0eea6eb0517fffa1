"""readings_from_warehouse: the current versions of air_quality_hourly and surface_water_monthly
upserted as file readings, with the push's row checks; who may run it."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shuzhi.demo import datasets
from shuzhi.demo.management.commands.demo import Command
from shuzhi.domains.environment.models import AirReading, RejectedReading, Source, WaterSample
from shuzhi.domains.environment.services.readings import (
    ReadingsRefused,
    readings_from_warehouse,
)
from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset, ThematicWarehouse, Theme
from shuzhi.platform.catalog.reference import load_reference_data
from shuzhi.platform.catalog.services import dataset_publish
from shuzhi.platform.warehouse.services import ingest

from .readings_city import JIANGSHAN, KECHENG, City, build

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 12, 3, 0, 30, tzinfo=UTC)  # 08:30 in Quzhou
AIR_ROWS = [
    # station, hour (local), pm2_5, co
    ("3308A01", "2024-12-02 06:00:00", "35", "0.7"),
    ("3308A01", "2024-12-02 07:00:00", "40", "0.8"),
    ("3308A01", "2024-12-02 08:00:00", "", ""),  # down for calibration: no values
    ("3308A01", "2024-12-03 09:00:00", "20", "0.5"),  # after NOW: in the future
    ("3308A01", "2024-12-02 09:00:00", "30", "200"),  # CO out of range
    ("3308A99", "2024-12-02 06:00:00", "35", "0.7"),  # no such station
    ("3308W19", "2024-12-02 06:00:00", "35", "0.7"),  # a water section
]


@pytest.fixture
def city() -> City:
    return build()


def _dataset(city: City, definition: datasets.DatasetDef) -> Dataset:
    load_reference_data(Theme, ThematicWarehouse, CodeTable)
    table = CodeTable.objects.get(code="gbt2260")
    for code in ("330800", KECHENG, JIANGSHAN):
        CodeEntry.objects.get_or_create(table=table, code=code, defaults={"name": code})
    dataset = Command.register_dataset(definition, city.steward)
    return dataset_publish(dataset=dataset, by=city.steward)


def _load(
    city: City, dataset: Dataset, definition: Any, rows: list[dict[str, str]], path: Path
) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=definition.field_names, restval="")
        writer.writeheader()
        writer.writerows(rows)
    report = ingest(dataset=dataset, path=path, by=city.steward)
    assert report.rows_quarantined == 0, report.quarantine[:2]


def _air_rows(rows: list[tuple[str, str, str, str]]) -> list[dict[str, str]]:
    return [
        {
            "station_code": code,
            "station_name": "站",
            "county_code": KECHENG,
            "observed_at": hour,
            "pm2_5": pm,
            "co": co,
            "so2": "5" if pm else "",
        }
        for code, hour, pm, co in rows
    ]


@pytest.fixture
def air(city: City, tmp_path: Path) -> Dataset:
    dataset = _dataset(city, datasets.AIR_QUALITY)
    _load(city, dataset, datasets.AIR_QUALITY, _air_rows(AIR_ROWS), tmp_path / "air.csv")
    return dataset


def test_air_rows_are_loaded_and_bad_ones_rejected(city: City, air: Dataset) -> None:
    report = readings_from_warehouse(by=city.steward, kind="air", now=NOW)
    assert (report.rows, report.created, report.updated, report.unchanged) == (7, 2, 0, 0)
    assert report.rejected == 5
    assert report.reconciles
    assert report.version == 1
    assert report.reasons == {
        "no values": 1,
        "in the future": 1,
        "out of range (at most 150)": 1,
        "unknown station": 1,
        "not an air station": 1,
    }
    rows = list(AirReading.objects.filter(station=city.air))
    assert [r.source for r in rows] == [Source.FILE, Source.FILE]
    assert rows[0].hour == datetime(2024, 12, 1, 22, tzinfo=UTC)  # 06:00 in Quzhou
    assert (rows[0].pm2_5, rows[0].co, rows[0].so2, rows[0].o3) == (35, 0.7, 5, None)
    rejected = RejectedReading.objects.filter(source=Source.FILE)
    assert rejected.count() == 5
    unknown = rejected.get(station_code="3308A99")
    assert (unknown.field, unknown.reason) == ("station_code", "unknown station")
    assert unknown.payload["dataset"] == "air_quality_hourly"
    assert unknown.payload["values"]["PM2.5"] == 35
    entry = AuditEntry.objects.filter(action="environment.readings_sync").latest("pk")
    assert entry.details["created"] == 2


def test_a_second_run_changes_nothing(city: City, air: Dataset) -> None:
    readings_from_warehouse(by=city.steward, kind="air", now=NOW)
    report = readings_from_warehouse(by=city.steward, kind="air", now=NOW)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 2, 5)
    assert AirReading.objects.count() == 2
    assert RejectedReading.objects.count() == 5  # not written twice for the same version


def test_a_new_version_updates_and_the_file_wins_over_a_push(
    city: City, air: Dataset, tmp_path: Path
) -> None:
    readings_from_warehouse(by=city.steward, kind="air", now=NOW)
    pushed = AirReading.objects.create(
        station=city.air, hour=datetime(2024, 12, 2, 1, tzinfo=UTC), pm2_5=1, source=Source.PUSH
    )
    rows = [
        ("3308A01", "2024-12-02 06:00:00", "36", "0.7"),  # changed
        ("3308A01", "2024-12-02 07:00:00", "40", "0.8"),  # same
        ("3308A01", "2024-12-02 09:00:00", "30", "0.9"),  # the pushed hour
    ]
    _load(city, air, datasets.AIR_QUALITY, _air_rows(rows), tmp_path / "air2.csv")
    report = readings_from_warehouse(by=city.steward, kind="air", now=NOW)
    assert (report.version, report.created, report.updated, report.unchanged) == (2, 0, 2, 1)
    pushed.refresh_from_db()
    assert (pushed.source, pushed.pm2_5, pushed.co) == (Source.FILE, 30, 0.9)
    assert AirReading.objects.get(hour=datetime(2024, 12, 1, 22, tzinfo=UTC)).pm2_5 == 36


def test_water_samples(city: City, tmp_path: Path) -> None:
    dataset = _dataset(city, datasets.SURFACE_WATER)
    base = {
        "section_name": "清湖",
        "water_body": "江山港",
        "water_body_type": "河流",
        "county_code": JIANGSHAN,
        "target_class": "II",
    }
    rows = [
        base | {"section_code": "3308W19", "sampled_on": "2024-11-10", "ph": "7.4", "do": "8.2"},
        base | {"section_code": "3308W19", "sampled_on": "2024-12-10", "ph": "7.1", "tp": "60"},
        base | {"section_code": "3308W77", "sampled_on": "2024-11-10", "ph": "7.4"},
        base | {"section_code": "3308A01", "sampled_on": "2024-11-10", "ph": "7.4"},
    ]
    _load(city, dataset, datasets.SURFACE_WATER, rows, tmp_path / "water.csv")
    report = readings_from_warehouse(by=city.steward, kind="water", now=NOW)
    assert (report.rows, report.created, report.rejected) == (4, 1, 3)
    assert report.reasons == {
        "in the future": 1,
        "unknown station": 1,
        "not a water section": 1,
    }
    sample = WaterSample.objects.get()
    assert (sample.sampled_on.isoformat(), sample.ph, sample.do, sample.source) == (
        "2024-11-10",
        7.4,
        8.2,
        Source.FILE,
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [("clerk", "forbidden"), ("other_steward", "forbidden"), ("county_steward", "wrong_county")],
)
def test_only_the_city_bureau_steward_loads(city: City, air: Dataset, who: str, code: str) -> None:
    user: User = getattr(city, who)
    with pytest.raises(ReadingsRefused) as refused:
        readings_from_warehouse(by=user, kind="air", now=NOW)
    assert (refused.value.code, refused.value.status) == (code, 403)
    assert AirReading.objects.count() == 0
    entry = AuditEntry.objects.filter(action="environment.readings_sync").latest("pk")
    assert entry.details["code"] == code


def test_no_dataset_no_sync(city: City) -> None:
    with pytest.raises(ReadingsRefused) as refused:
        readings_from_warehouse(by=city.steward, kind="water", now=NOW)
    assert (refused.value.code, refused.value.status) == ("no_data", 409)


# --- the demo loader and the command ----------------------------------------------------------


def _demo_city(city: City, tmp_path: Path) -> None:
    """The demo's counties and the steward's account name, and both datasets with the first
    rows of the demo generators (real file format, spoilt rows included)."""
    from itertools import islice

    from shuzhi.demo import rows as demo_rows
    from tests.factories import CountyFactory

    for code in ("330803", "330822", "330824", "330825"):
        CountyFactory(code=code, name=code, parent=city.city)
    city.steward.username = "eeb_steward"
    city.steward.save(update_fields=["username"])
    for definition, generator, count in (
        (datasets.AIR_QUALITY, demo_rows.air_quality_hourly, 800),
        (datasets.SURFACE_WATER, demo_rows.surface_water_monthly, 300),
    ):
        dataset = _dataset(city, definition)
        table = CodeTable.objects.get(code="gbt2260")
        for code in ("330803", "330822", "330824", "330825"):
            CodeEntry.objects.get_or_create(table=table, code=code, defaults={"name": code})
        path = tmp_path / f"{definition.code}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=definition.field_names, restval="")
            writer.writeheader()
            writer.writerows(islice(generator(scale=1), count))
        assert ingest(dataset=dataset, path=path, by=city.steward).rows_loaded > count * 0.9


def test_the_demo_loader(city: City, tmp_path: Path) -> None:
    from io import StringIO

    from shuzhi.demo.environment import load_environment
    from shuzhi.domains.environment.models import Station

    _demo_city(city, tmp_path)
    out = StringIO()
    load_environment(out)
    assert Station.objects.filter(kind="air").count() == 12
    assert Station.objects.filter(kind="water").count() == 20
    for station in Station.objects.all():
        assert Decimal("28.6") <= station.latitude <= Decimal("29.3"), station.code
        assert Decimal("118.3") <= station.longitude <= Decimal("119.3"), station.code
    lake = Station.objects.get(code="3308W06")
    assert (lake.water_body, lake.water_body_name, lake.target_class) == ("lake", "乌溪江", "I")
    assert AirReading.objects.filter(source=Source.FILE).count() > 700
    assert WaterSample.objects.filter(source=Source.FILE).count() > 250
    text = out.getvalue()
    assert "32 monitoring stations" in text
    assert "air_quality_hourly v1" in text
    readings_before = AirReading.objects.count()
    rejected_before = RejectedReading.objects.count()
    load_environment(out)  # again: nothing new
    assert AirReading.objects.count() == readings_before
    assert RejectedReading.objects.count() == rejected_before
    assert Station.objects.count() == 32


def test_the_demo_loader_without_the_steward(city: City) -> None:
    from io import StringIO

    from shuzhi.demo.environment import load_environment

    out = StringIO()
    load_environment(out)
    assert "skipped" in out.getvalue()


def test_the_command(city: City, air: Dataset) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    from shuzhi.domains.environment import keys

    out = StringIO()
    call_command("environment", "stations", stdout=out)
    assert "3308A01" in out.getvalue()
    assert "2 stations" in out.getvalue()
    out = StringIO()
    call_command("environment", "issue-key", "3308A01", "--user", "eeb_steward", stdout=out)
    raw = out.getvalue().splitlines()[-1]
    city.air.refresh_from_db()
    assert keys.key_matches(raw, prefix=city.air.key_prefix, hashed=city.air.key_hash)
    out = StringIO()
    call_command("environment", "sync", "--kind", "air", "--user", "eeb_steward", stdout=out)
    assert "air_quality_hourly v1: 7 rows" in out.getvalue()
    with pytest.raises(CommandError, match="forbidden"):
        call_command("environment", "sync", "--user", "eeb_clerk")
    with pytest.raises(CommandError, match="no such station"):
        call_command("environment", "issue-key", "NOPE", "--user", "eeb_steward")
    with pytest.raises(CommandError, match="no such active user"):
        call_command("environment", "sync", "--user", "nobody")
