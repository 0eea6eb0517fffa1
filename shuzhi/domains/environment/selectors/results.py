"""What the readings show (监测结果): real-time AQI, monthly section classes, dashboard figures.

Read-only. Rules for missing hours (缺测) are those of :mod:`..aqi`:

* real-time AQI (实时报) at an hour: SO2, NO2, CO and O3 (1-hour) are that hour's values; PM2.5
  and PM10 are 24-hour moving averages (at least 20 valid hours of the 24) and O3 8-hour the
  8-hour moving average (at least 6 of 8); a pollutant without enough hours is left out;
* monthly section class (断面月度水质类别): the mean of each factor over the month's samples
  (a factor never measured is left out), classified by GB 3838-2002 single-factor evaluation;
* city and county daily figures: the mean, over the stations of the area with a valid daily
  value, of each pollutant's daily concentration, then ``compute_aqi(period="daily")`` — never a
  mean of AQIs, and a day with no valid station value has no figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shuzhi.platform.accounts.models import Division

from ..aqi import LEVELS, AqiResult, compute_aqi, moving_average_8h, moving_average_24h
from ..models import AirDaily, AirReading, Alert, Station, WaterSample
from ..water import CLASSES, classify

__all__ = [
    "AIR_FIELDS",
    "DAILY_KEYS",
    "WATER_FIELDS",
    "SectionMonth",
    "alert_list",
    "area_daily",
    "county_names",
    "dashboard",
    "is_worse",
    "realtime_aqi",
    "section_months",
]

# model field → pollutant key of the hourly record
AIR_FIELDS: dict[str, str] = {
    "pm2_5": "PM2.5",
    "pm10": "PM10",
    "so2": "SO2",
    "no2": "NO2",
    "co": "CO",
    "o3": "O3",
}
# the daily concentrations kept in AirDaily.concentrations (compute_aqi keys)
DAILY_KEYS: tuple[str, ...] = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h", "O3_1h")
WATER_FIELDS: dict[str, str] = {
    "ph": "pH",
    "do": "DO",
    "codmn": "CODMn",
    "cod": "COD",
    "bod5": "BOD5",
    "nh3_n": "NH3-N",
    "tp": "TP",
    "tn": "TN",
}


def county_names() -> dict[str, str]:
    """County code → name, for the counties that have a station."""
    codes = Station.objects.values_list("division_id", flat=True).distinct()
    return dict(
        Division.objects.filter(code__in=list(codes)).order_by("code").values_list("code", "name")
    )


# --- real-time AQI ------------------------------------------------------------------------------


def realtime_aqi(
    station: Station, *, at: datetime | None = None
) -> tuple[datetime, AqiResult] | None:
    """The real-time AQI (实时报) of an air station at the hour ``at`` (default: its latest
    reading), from the 24 hours ending there; ``None`` when it has no reading at that hour."""
    readings = AirReading.objects.filter(station=station)
    if at is None:
        latest = readings.order_by("-hour").first()
        if latest is None:
            return None
        at = latest.hour
    start = at - timedelta(hours=23)
    by_hour = {r.hour: r for r in readings.filter(hour__gte=start, hour__lte=at)}
    if at not in by_hour:
        return None
    hours = [start + timedelta(hours=i) for i in range(24)]

    def series(name: str) -> list[float | None]:
        return [getattr(by_hour[h], name) if h in by_hour else None for h in hours]

    now = by_hour[at]
    concentrations: dict[str, float | None] = {
        "SO2": now.so2,
        "NO2": now.no2,
        "CO": now.co,
        "O3_1h": now.o3,
        "PM2.5": moving_average_24h(series("pm2_5"))[-1],
        "PM10": moving_average_24h(series("pm10"))[-1],
        "O3_8h": moving_average_8h(series("o3"))[-1],
    }
    day = timezone.localtime(at).date()
    return at, compute_aqi(concentrations, period="hourly", day=day)


# --- water sections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionMonth:
    """A section's class for one month against its target (目标类别)."""

    station: Station
    month: str  # YYYY-MM
    samples: int
    means: dict[str, float]
    water_class: str | None
    limiting: tuple[str, ...]
    target: str
    worse: bool  # worse than the target (不达标)


def is_worse(water_class: str | None, target: str) -> bool:
    """True when ``water_class`` is worse than ``target`` (I best … 劣V worst)."""
    if not water_class or target not in CLASSES:
        return False
    return CLASSES.index(water_class) > CLASSES.index(target)


def _month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    after = date(year + (number == 12), number % 12 + 1, 1)
    return first, after


def _section(station: Station, month: str, samples: list[WaterSample]) -> SectionMonth:
    means: dict[str, float] = {}
    for name, factor in WATER_FIELDS.items():
        values = [getattr(s, name) for s in samples if getattr(s, name) is not None]
        if values:
            means[factor] = round(sum(values) / len(values), 4)
    result = classify(means, water_body=station.water_body or Station.WaterBody.RIVER)
    return SectionMonth(
        station=station,
        month=month,
        samples=len(samples),
        means=means,
        water_class=result.water_class,
        limiting=tuple(result.limiting_factors),
        target=station.target_class,
        worse=is_worse(result.water_class, station.target_class),
    )


def section_months(
    *, months: Iterable[str], stations: QuerySet[Station] | None = None
) -> list[SectionMonth]:
    """Every section's class in each of ``months`` where it has samples."""
    wanted = sorted(set(months))
    if not wanted:
        return []
    first, _unused = _month_bounds(wanted[0])
    _unused2, after = _month_bounds(wanted[-1])
    sections = stations if stations is not None else Station.objects.all()
    sections = sections.filter(kind=Station.Kind.WATER).select_related("division")
    grouped: dict[tuple[int, str], list[WaterSample]] = defaultdict(list)
    samples = WaterSample.objects.filter(
        station__in=sections, sampled_on__gte=first, sampled_on__lt=after
    )
    for sample in samples:
        month = f"{sample.sampled_on:%Y-%m}"
        if month in wanted:
            grouped[(sample.station_id, month)].append(sample)
    by_pk = {s.pk: s for s in sections}
    return [
        _section(by_pk[pk], month, rows)
        for (pk, month), rows in sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


# --- dashboards ---------------------------------------------------------------------------------


def area_daily(
    dailies: Iterable[AirDaily | tuple[date, dict[str, Any]]],
) -> dict[date, dict[str, Any]]:
    """Per day: the mean daily concentration of each pollutant over the stations with a valid
    value, and the AQI computed from those means. ``dailies``: rows or (day, concentrations)."""
    sums: dict[date, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for daily in dailies:
        day, concentrations = (
            (daily.day, daily.concentrations) if isinstance(daily, AirDaily) else daily
        )
        for key in DAILY_KEYS:
            value = concentrations.get(key)
            if isinstance(value, (int, float)):
                sums[day][key].append(float(value))
    out: dict[date, dict[str, Any]] = {}
    for day in sorted(sums):
        means = {k: round(sum(v) / len(v), 3) for k, v in sums[day].items() if v}
        if not means:
            continue
        out[day] = {"means": means, "aqi": compute_aqi(means, period="daily", day=day)}
    return out


def alert_list(*, county: str | None = None, limit: int = 50) -> QuerySet[Alert]:
    alerts = Alert.objects.select_related("station", "station__division")
    if county:
        alerts = alerts.filter(station__division_id=county)
    return alerts[:limit]


def _months_back(today: date, count: int) -> list[str]:
    months = []
    year, month = today.year, today.month
    for _i in range(count):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def dashboard(*, county: str | None, year: int, today: date | None = None) -> dict[str, Any]:
    """The figures of the environment dashboard for the city (``county`` None) or one county."""
    today = today or timezone.localdate()
    names = county_names()
    stations = Station.objects.all()
    if county:
        stations = stations.filter(division_id=county)
    dailies = list(
        AirDaily.objects.filter(
            station__in=stations.filter(kind=Station.Kind.AIR), day__year=year
        ).values_list("station_id", "day", "concentrations")
    )
    area = area_daily((day, c) for _pk, day, c in dailies)
    calendar = [[d.isoformat(), r["aqi"].aqi] for d, r in area.items() if r["aqi"].aqi is not None]
    trend_days = [d.isoformat() for d in area]
    trends = {key: [area[d]["means"].get(key) for d in area] for key in DAILY_KEYS}
    # exceedance statistics (超标统计): days by level per county, from the county's daily figures
    by_county: dict[str, list[tuple[date, dict[str, Any]]]] = defaultdict(list)
    station_county = dict(stations.values_list("pk", "division_id"))
    for pk, day, concentrations in dailies:
        by_county[station_county[pk]].append((day, concentrations))
    exceedance = []
    for code in sorted(by_county):
        counts = [0] * len(LEVELS)
        for figures in area_daily(by_county[code]).values():
            level = figures["aqi"].level
            if level:
                counts[level - 1] += 1
        exceedance.append(
            {
                "county": code,
                "name": names.get(code, code),
                "levels": counts,
                "days": sum(counts),
                "exceeding": sum(counts[2:]),
            }
        )
    # section classes: the latest month with samples among the last twelve
    latest: dict[int, SectionMonth] = {}
    for row in section_months(months=_months_back(today, 12), stations=stations):
        latest[row.station.pk] = row  # months ascending: the last one wins
    sections = sorted(latest.values(), key=lambda r: r.station.code)
    realtime = []
    for station in stations.filter(kind=Station.Kind.AIR, active=True).order_by("code"):
        found = realtime_aqi(station)
        realtime.append(
            {
                "station": station,
                "at": found[0] if found else None,
                "result": found[1] if found else None,
            }
        )
    return {
        "year": year,
        "calendar": calendar,
        "max_aqi": max([v for _d, v in calendar], default=0),
        "trend_days": trend_days,
        "trends": trends,
        "exceedance": exceedance,
        "levels": LEVELS,
        "sections": sections,
        "sections_worse": sum(1 for s in sections if s.worse),
        "air_stations": stations.filter(kind=Station.Kind.AIR).count(),
        "water_stations": stations.filter(kind=Station.Kind.WATER).count(),
        "alerts": list(alert_list(county=county)),
        "realtime": realtime,
        "county_names": names,
    }
