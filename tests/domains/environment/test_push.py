"""POST /api/v1/environment/readings/air and /water: a station pushes with its own key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from shuzhi.domains.environment.models import AirReading, RejectedReading, Source, WaterSample
from shuzhi.domains.environment.services import readings
from shuzhi.domains.environment.services.readings import station_key_issue
from shuzhi.platform.audit.models import AuditEntry

from .readings_city import City, build

pytestmark = pytest.mark.django_db

AIR = "/api/v1/environment/readings/air"
WATER = "/api/v1/environment/readings/water"
GOOD = {"PM2.5": 35, "PM10": 60, "SO2": 8, "NO2": 30, "CO": 0.7, "O3": 80}


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()  # the refused-push budget per address is kept in the cache


@pytest.fixture
def city() -> City:
    return build()


@pytest.fixture
def air_key(city: City) -> str:
    return station_key_issue(by=city.steward, station=city.air)


@pytest.fixture
def water_key(city: City) -> str:
    return station_key_issue(by=city.steward, station=city.water)


def _hour(back: int) -> str:
    """An hour ``back`` hours before the current one, written with +08:00."""
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=back)
    return start.astimezone(timezone.get_fixed_timezone(480)).isoformat()


def _push(client: Client, url: str, body: Any, key: str | None) -> Any:
    headers = {"HTTP_X_STATION_KEY": key} if key is not None else {}
    return client.post(url, body, content_type="application/json", **headers)


def test_good_rows_are_stored_without_a_session(client: Client, city: City, air_key: str) -> None:
    body = {"station": "3308A01", "readings": [{"hour": _hour(2), **GOOD}, {"hour": _hour(1)}]}
    body["readings"][1].update({"PM2.5": 40, "CO": None})
    response = _push(client, AIR, body, air_key)
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 2, "rejected": []}
    rows = list(AirReading.objects.filter(station=city.air))
    assert [r.source for r in rows] == [Source.PUSH, Source.PUSH]
    assert (rows[0].pm2_5, rows[0].co) == (35, 0.7)
    assert (rows[1].pm2_5, rows[1].co, rows[1].so2) == (40, None, None)
    assert rows[0].hour.minute == 0
    assert rows[1].hour - rows[0].hour == timedelta(hours=1)
    entry = AuditEntry.objects.filter(action="environment.readings_push").latest("pk")
    assert entry.details["stored"] == 2


def test_missing_key_is_401_and_recorded(client: Client, city: City, air_key: str) -> None:
    body = {"station": "3308A01", "readings": [{"hour": _hour(1), **GOOD}]}
    response = _push(client, AIR, body, None)
    assert response.status_code == 401
    assert response.json()["error"]["details"]["field"] == "X-Station-Key"
    assert AirReading.objects.count() == 0
    rejected = RejectedReading.objects.get()
    assert (rejected.station_code, rejected.field) == ("3308A01", "X-Station-Key")
    assert rejected.reason.startswith("missing_key")


@pytest.mark.parametrize(
    "tamper", ["wrong_secret", "other_station", "garbage", "old_key", "huge", "prefix_only"]
)
def test_wrong_key_is_403(
    client: Client, city: City, air_key: str, water_key: str, tamper: str
) -> None:
    key = {
        "wrong_secret": air_key[:-4] + "AAAA",
        "other_station": water_key,
        "garbage": "not-a-key",
        "old_key": air_key,
        "huge": air_key + "A" * 5000,
        "prefix_only": air_key.rsplit("_", 1)[0] + "_",
    }[tamper]
    if tamper == "old_key":
        station_key_issue(by=city.steward, station=city.air)  # a new key retires the old
    body = {"station": "3308A01", "readings": [{"hour": _hour(1), **GOOD}]}
    response = _push(client, AIR, body, key)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_key"
    assert AirReading.objects.count() == 0
    assert RejectedReading.objects.get().reason.startswith("wrong_key")
    denied = AuditEntry.objects.filter(action="environment.readings_push").latest("pk")
    assert denied.outcome == "denied"


def test_unknown_station_is_403(client: Client, city: City, air_key: str) -> None:
    body = {"station": "NOPE", "readings": [{"hour": _hour(1), **GOOD}]}
    response = _push(client, AIR, body, air_key)
    assert response.status_code == 403
    # answered as a wrong key (no oracle of which codes exist); recorded as what it was
    assert response.json()["error"]["code"] == "wrong_key"
    rejected = RejectedReading.objects.get()
    assert (rejected.station_code, rejected.field) == ("NOPE", "X-Station-Key")
    assert rejected.reason.startswith("unknown_station")


def test_a_station_without_a_key_accepts_nothing(client: Client, city: City) -> None:
    body = {"station": "3308A01", "readings": [{"hour": _hour(1), **GOOD}]}
    assert _push(client, AIR, body, "env__").status_code == 403
    assert _push(client, AIR, body, "env_x_y").status_code == 403


def test_an_air_key_does_not_push_water(client: Client, city: City, air_key: str) -> None:
    body = {"station": "3308A01", "samples": [{"date": "2025-01-01", "pH": 7}]}
    response = _push(client, WATER, body, air_key)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_kind"


def test_each_bad_row_is_rejected_with_field_and_reason(
    client: Client, city: City, air_key: str
) -> None:
    future = (timezone.now() + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    AirReading.objects.create(
        station=city.air, hour=datetime.fromisoformat(_hour(9)), pm2_5=1, source=Source.PUSH
    )
    rows: list[Any] = [
        {"hour": _hour(1), **GOOD},  # 0 stored
        {"hour": future.isoformat(), **GOOD},  # 1 future
        {"hour": _hour(3).replace(":00:00", ":30:00", 1), **GOOD},  # 2 half past
        {"hour": "2025-01-01T08:00:00", **GOOD},  # 3 no offset
        {"hour": _hour(1), **GOOD},  # 4 twice in batch
        {"hour": _hour(9), **GOOD},  # 5 already stored
        {"hour": _hour(4), **GOOD, "PM10": -1},  # 6 negative
        {"hour": _hour(5), **GOOD, "SO2": "12"},  # 7 not a number
        {"hour": _hour(6), **GOOD, "CO": 151},  # 8 out of range
        {"hour": _hour(7), **GOOD, "Pb": 1},  # 9 unknown field
        {"hour": _hour(8)},  # 10 no values
        "PM2.5=35",  # 11 not an object
        {"hour": "yesterday", **GOOD},  # 12 not a time
        {"PM2.5": 1},  # 13 no hour
        {"hour": _hour(10), **GOOD, "O3": True},  # 14 a boolean is not a number
        {"hour": _hour(11), **GOOD},  # 15 stored
    ]
    response = _push(client, AIR, {"station": "3308A01", "readings": rows}, air_key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["stored"] == 2
    assert data["rejected"] == [
        {"row": 1, "field": "hour", "reason": "in the future"},
        {"row": 2, "field": "hour", "reason": "not on the hour"},
        {"row": 3, "field": "hour", "reason": "no UTC offset"},
        {"row": 4, "field": "hour", "reason": "duplicate in batch"},
        {"row": 5, "field": "hour", "reason": "already stored"},
        {"row": 6, "field": "PM10", "reason": "negative"},
        {"row": 7, "field": "SO2", "reason": "not a number"},
        {"row": 8, "field": "CO", "reason": "out of range (at most 150)"},
        {"row": 9, "field": "Pb", "reason": "unknown field"},
        {"row": 10, "field": "", "reason": "no values"},
        {"row": 11, "field": "", "reason": "not an object"},
        {"row": 12, "field": "hour", "reason": "not an ISO-8601 time"},
        {"row": 13, "field": "hour", "reason": "missing"},
        {"row": 14, "field": "O3", "reason": "not a number"},
    ]
    assert data["stored"] + len(data["rejected"]) == len(rows)  # counts reconcile
    assert AirReading.objects.filter(source=Source.PUSH).count() == 1 + 2
    kept = RejectedReading.objects.filter(station_code="3308A01", source=Source.PUSH)
    assert kept.count() == 14
    assert kept.get(field="CO").payload["CO"] == 151
    assert kept.get(reason="not an object").payload == {"row": "PM2.5=35"}


def test_not_a_finite_number_is_rejected(client: Client, city: City, air_key: str) -> None:
    hour = _hour(1)
    body = '{"station": "3308A01", "readings": [{"hour": "' + hour + '", "PM2.5": NaN}]}'
    response = _push(client, AIR, body, air_key)
    assert response.json()["rejected"] == [{"row": 0, "field": "PM2.5", "reason": "not a number"}]


def test_water_samples(client: Client, city: City, water_key: str) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    rows = [
        {"date": "2025-03-10", "pH": 7.4, "DO": 8.1, "NH3-N": 0.2, "TP": 0.05},
        {"date": "2025-04-10", "pH": 15},
        {"date": tomorrow, "pH": 7},
        {"date": "2025-02-30", "pH": 7},
        {"date": "2025-03-10", "pH": 7},
        {"date": "2025-05-10T00:00:00", "pH": 7},
    ]
    response = _push(client, WATER, {"station": "3308W19", "samples": rows}, water_key)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "stored": 1,
        "rejected": [
            {"row": 1, "field": "pH", "reason": "out of range (at most 14)"},
            {"row": 2, "field": "date", "reason": "in the future"},
            {"row": 3, "field": "date", "reason": "not a date (YYYY-MM-DD)"},
            {"row": 4, "field": "date", "reason": "duplicate in batch"},
            {"row": 5, "field": "date", "reason": "not a date (YYYY-MM-DD)"},
        ],
    }
    sample = WaterSample.objects.get()
    assert (sample.ph, sample.do, sample.nh3_n, sample.cod) == (7.4, 8.1, 0.2, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "body"),
        ([1, 2], "body"),
        ({"readings": []}, "station"),
        ({"station": 12, "readings": []}, "station"),
        ({"station": "3308A01"}, "readings"),
        ({"station": "3308A01", "readings": [], "extra": 1}, "extra"),
    ],
)
def test_a_malformed_body_names_the_field(
    client: Client, city: City, air_key: str, body: Any, field: str
) -> None:
    response = _push(client, AIR, body, air_key)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == field


def test_readings_must_be_a_list_of_at_most_500(client: Client, city: City, air_key: str) -> None:
    response = _push(client, AIR, {"station": "3308A01", "readings": {"hour": 1}}, air_key)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "readings"
    rows = [{"hour": _hour(i + 1), **GOOD} for i in range(501)]
    response = _push(client, AIR, {"station": "3308A01", "readings": rows}, air_key)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "readings"
    assert AirReading.objects.count() == 0


def test_nothing_is_half_stored_on_a_crash(
    city: City, air_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(RejectedReading.objects, "bulk_create", crash)
    rows = [{"hour": _hour(1), **GOOD}, {"hour": _hour(2), "PM10": -5}]
    with pytest.raises(RuntimeError):
        readings.readings_push(kind="air", station_code="3308A01", raw_key=air_key, rows=rows)
    assert AirReading.objects.count() == 0


def test_the_hour_is_stored_in_utc(city: City, air_key: str) -> None:
    now = datetime(2026, 3, 4, 12, 30, tzinfo=UTC)
    rows = [{"hour": "2026-03-04T20:00:00+08:00", "PM2.5": 10}]
    result = readings.readings_push(
        kind="air", station_code="3308A01", raw_key=air_key, rows=rows, now=now
    )
    assert result.stored == 1
    assert AirReading.objects.get().hour == datetime(2026, 3, 4, 12, tzinfo=UTC)


def test_refusals_from_one_address_are_limited(
    client: Client, city: City, air_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readings, "REFUSED_PER_MINUTE", 2)
    body = {"station": "3308A01", "readings": [{"hour": _hour(1), **GOOD}]}
    statuses = [_push(client, AIR, body, "env_bad_key").status_code for _ in range(4)]
    assert statuses == [403, 403, 429, 429]
    assert RejectedReading.objects.count() == 2  # nothing more written past the budget
    assert _push(client, AIR, body, air_key).status_code == 200  # the right key still works


def test_a_concurrent_batch_storing_an_hour_first_is_retried(
    city: City, air_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hour = datetime.fromisoformat(_hour(1))
    AirReading.objects.create(station=city.air, hour=hour, pm2_5=1, source=Source.PUSH)
    real = readings._stored_times
    calls: list[int] = []

    def blind_once(*args: Any) -> set[Any]:
        calls.append(1)
        return set() if len(calls) == 1 else real(*args)  # the other batch is not yet seen

    monkeypatch.setattr(readings, "_stored_times", blind_once)
    rows = [{"hour": _hour(1), **GOOD}, {"hour": _hour(2), **GOOD}]
    result = readings.readings_push(kind="air", station_code="3308A01", raw_key=air_key, rows=rows)
    assert result.stored == 1
    assert result.rejected == [{"row": 0, "field": "hour", "reason": "already stored"}]
    assert len(calls) == 2
    assert AirReading.objects.get(hour=hour).pm2_5 == 1
    assert RejectedReading.objects.count() == 1


def test_a_body_too_large_is_413(client: Client, city: City, air_key: str) -> None:
    body = {"station": "3308A01", "readings": [], "padding": "x" * (600 * 1024)}
    response = _push(client, AIR, body, air_key)
    assert response.status_code == 413
    assert AirReading.objects.count() == 0
