"""Review fixes of the station push: numbers and times that gave a 500, offsets that are not on
the hour in Shanghai, the station-code oracle, and a flood of batches with a valid key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from shuzhi.domains.environment import keys
from shuzhi.domains.environment.models import AirReading, RejectedReading
from shuzhi.domains.environment.services import readings
from shuzhi.domains.environment.services.readings import station_key_issue

from .readings_city import City, build
from .test_push import AIR, GOOD, _hour, _push

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


@pytest.fixture
def city() -> City:
    return build()


@pytest.fixture
def air_key(city: City) -> str:
    return station_key_issue(by=city.steward, station=city.air)


def _rejected(client: Client, key: str, row: dict[str, Any]) -> dict[str, Any]:
    response = _push(client, AIR, {"station": "3308A01", "readings": [row]}, key)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stored"] == 0
    (item,) = body["rejected"]
    return item


def test_an_integer_beyond_any_float_is_a_rejected_row(client: Client, air_key: str) -> None:
    huge = "1" + "0" * 400
    text = '{"station": "3308A01", "readings": [{"hour": "' + _hour(1) + '", "PM2.5": '
    response = client.post(
        AIR,
        text + huge + "}]}",
        content_type="application/json",
        HTTP_X_STATION_KEY=air_key,
    )
    assert response.status_code == 200, response.content
    assert response.json()["rejected"][0]["field"] == "PM2.5"
    assert RejectedReading.objects.count() == 1


@pytest.mark.parametrize("hour", ["0001-01-01T00:00:00+08:00", "0001-01-01T05:00:00+14:00"])
def test_year_one_with_an_offset_is_a_rejected_row(client: Client, air_key: str, hour: str) -> None:
    item = _rejected(client, air_key, {"hour": hour, **GOOD})
    assert item["field"] == "hour"


def test_an_offset_of_half_an_hour_is_not_on_the_hour(client: Client, air_key: str) -> None:
    hour = _hour(3).replace("+08:00", "+05:30")  # 08:00+05:30 is 10:30 in Shanghai
    item = _rejected(client, air_key, {"hour": hour, **GOOD})
    assert (item["field"], item["reason"]) == ("hour", "not on the hour")
    assert AirReading.objects.count() == 0


def test_an_unknown_station_is_answered_as_a_wrong_key(
    client: Client, city: City, air_key: str
) -> None:
    body = {"readings": [{"hour": _hour(1), **GOOD}]}
    unknown = _push(client, AIR, {"station": "NOPE", **body}, air_key)
    wrong = _push(client, AIR, {"station": "3308A01", **body}, air_key[:-4] + "AAAA")
    assert unknown.status_code == wrong.status_code == 403
    assert unknown.json() == wrong.json()  # nothing tells which codes exist


def test_a_station_without_a_key_matches_nothing() -> None:
    key = keys.new_key()
    assert keys.key_matches(key.raw, prefix=key.prefix, hashed=key.hash)
    assert not keys.key_matches(key.raw, prefix="", hashed="")
    assert not keys.key_matches(key.raw, prefix=key.prefix, hashed="")


def test_a_station_key_cannot_flood_the_tables(
    client: Client, air_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readings, "PUSHES_PER_MINUTE", 2)
    bad = {"station": "3308A01", "readings": [{"hour": "x"}] * 10}
    assert _push(client, AIR, bad, air_key).status_code == 200
    assert _push(client, AIR, bad, air_key).status_code == 200
    third = _push(client, AIR, bad, air_key)
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "too_many_requests"
    assert RejectedReading.objects.count() == 20


def test_the_section_tooltip_escapes_station_names() -> None:
    script = Path(readings.__file__).parent.parent / "static" / "environment" / "environment.js"
    text = script.read_text(encoding="utf-8")
    assert "s.name + " not in text
    assert "esc(s.name)" in text
    assert "echarts.format.encodeHTML" in text


def test_year_9999_behind_utc_is_in_the_future(client: Client, air_key: str) -> None:
    item = _rejected(client, air_key, {"hour": "9999-12-31T23:00:00-08:00", **GOOD})
    assert (item["field"], item["reason"]) == ("hour", "in the future")


@pytest.mark.parametrize("value", [True, "35", [35], {"v": 35}, 1e309])
def test_a_value_of_another_json_type_is_a_rejected_row(
    client: Client, air_key: str, value: Any
) -> None:
    item = _rejected(client, air_key, {"hour": _hour(1), "PM2.5": value})
    assert item["field"] == "PM2.5"


def test_an_inactive_station_accepts_nothing(client: Client, city: City, air_key: str) -> None:
    city.air.active = False
    city.air.save(update_fields=["active"])
    body = {"station": "3308A01", "readings": [{"hour": _hour(1), **GOOD}]}
    response = _push(client, AIR, body, air_key)
    assert response.status_code == 403
    assert AirReading.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        '{"station": "\\ud800", "readings": []}',
        '{"station": "3308A01", "readings": [{"\\udfff": 1, "hour": "HOUR"}]}',
        '{"station": "3308A01", "readings": [{"hour": "HOUR\\ud800", "PM2.5": 1}]}',
    ],
)
def test_a_lone_surrogate_is_a_422(client: Client, air_key: str, body: str) -> None:
    response = client.post(
        AIR,
        body.replace("HOUR", _hour(1)),
        content_type="application/json",
        HTTP_X_STATION_KEY=air_key,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "body"
