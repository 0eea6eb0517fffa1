"""Rows for the results, warnings and dashboard tests, created directly (no push, no import)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shuzhi.domains.environment.models import AirReading, Source, Station, WaterSample
from shuzhi.platform.accounts.models import Department, Division, User
from tests.factories import CountyFactory, DivisionFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
KECHENG, QUJIANG = "330802", "330803"


def counties() -> tuple[Division, Division]:
    city = DivisionFactory()
    kecheng = CountyFactory()
    qujiang = CountyFactory(code=QUJIANG, name="衢江区", name_en="Qujiang District", parent=city)
    return kecheng, qujiang


def bureau(code: str) -> Department:
    division = Division.objects.get(code=code.partition("-")[0])
    department, _created = Department.objects.get_or_create(
        code=code, defaults={"name": f"{division.name}生态环境局", "division": division}
    )
    return department


def staff(username: str, role: str, department: str) -> User:
    return UserFactory(username=username, roles=[role], department=bureau(department))


def station(code: str, county: Division, *, kind: str = "air", **extra: Any) -> Station:
    defaults: dict[str, Any] = {
        "name": f"站点{code}",
        "kind": kind,
        "division": county,
        "latitude": Decimal("28.95"),
        "longitude": Decimal("118.87"),
    }
    if kind == "water":
        defaults |= {"water_body": "river", "target_class": "III", "water_body_name": "衢江"}
    return Station.objects.create(code=code, **(defaults | extra))


def local_hour(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ) + timedelta(hours=hour)


def air_day(st: Station, day: date, *, hours: int = 24, **values: float | None) -> None:
    """``hours`` readings from 00:00 of ``day`` with the given values (defaults: a clean day)."""
    base: dict[str, float | None] = {
        "pm2_5": 30.0,
        "pm10": 50.0,
        "so2": 10.0,
        "no2": 20.0,
        "co": 0.8,
        "o3": 80.0,
    }
    AirReading.objects.bulk_create(
        AirReading(station=st, hour=local_hour(day, h), source=Source.PUSH, **(base | values))
        for h in range(hours)
    )


def water(st: Station, day: date, **values: float) -> WaterSample:
    base = {"ph": 7.2, "do": 7.0, "codmn": 3.0, "nh3_n": 0.3, "tp": 0.05}
    return WaterSample.objects.create(
        station=st, sampled_on=day, source=Source.FILE, **(base | values)
    )
