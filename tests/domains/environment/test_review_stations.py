"""Review fixes of ``station_save``: a station lies in a county, at a real position."""

from __future__ import annotations

from typing import Any

import pytest

from shuzhi.domains.environment.models import Station
from shuzhi.domains.environment.services.readings import ReadingsRefused, station_save
from shuzhi.platform.audit.models import AuditEntry
from tests.factories import DivisionFactory

from .readings_city import City, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def city() -> City:
    return build()


def _save(city: City, **changes: Any) -> Station:
    values: dict[str, Any] = {
        "code": "3308A09",
        "name": "新站",
        "kind": "air",
        "division": city.kecheng,
        "latitude": 28.9,
        "longitude": 118.8,
    } | changes
    return station_save(by=city.steward, **values)


def test_a_station_in_a_town_or_the_city_is_refused(city: City) -> None:
    town = DivisionFactory(code="330802001", level="town", parent=city.kecheng)
    for division in (town, city.city):
        with pytest.raises(ReadingsRefused) as refused:
            _save(city, division=division)
        assert (refused.value.field, refused.value.status) == ("division", 422)
    assert not Station.objects.filter(code="3308A09").exists()
    assert AuditEntry.objects.filter(action="environment.station_save").count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"latitude": float("nan")}, "latitude"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": float("inf")}, "longitude"),
        ({"longitude": "abc"}, "longitude"),
        ({"longitude": -181}, "longitude"),
    ],
)
def test_a_position_off_the_globe_is_refused(
    city: City, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ReadingsRefused) as refused:
        _save(city, **changes)
    assert (refused.value.field, refused.value.status) == (field, 422)


def test_a_good_station_is_saved(city: City) -> None:
    assert _save(city).division_id == city.kecheng.code
