"""Results and warnings (监测结果 · 预警): daily AQI, and warnings opened as loop tasks.

``compute_daily`` (the system) writes one ``AirDaily`` per air station and natural day (local
time, hours 00:00–23:00 by their start) from the hourly readings:

* SO2, NO2, PM10, PM2.5, CO: the 24-hour mean, only with at least 20 valid hours
  (``aqi.daily_mean_24h``); O3 1-hour: the day's largest hourly value, only with at least 20
  valid hours; O3 8-hour: the day's largest 8-hour moving average (``aqi.daily_max_8h``: at
  least 6 valid hours per window and 14 valid windows, unless one exceeds the limit);
* a pollutant without enough hours is left out and named in ``concentrations["missing"]``
  as ``{"valid": n, "needed": 20, "of": "hours"}`` (O3 8-hour: valid 8-hour windows of 14) —
  never averaged from what there is; with no pollutant left,
  ``aqi`` and ``level`` stay empty. The AQI is computed by ``compute_aqi(period="daily")`` with
  the edition in force on that day, which the row keeps.

``run_warnings`` (the system, hourly) raises four warnings (预警), each once per station and
period as an ``Alert`` that opens one loop task of type ``environment`` for the county's ecology
bureau (``<county>-EEB``; the city bureau ``settings.ENVIRONMENT_DEPARTMENT`` when the county has
none); a second run opens nothing again:

* heavy pollution day (重污染天): a station's daily AQI above 200 (level 5 or 6), the last
  ``LOOKBACK_DAYS`` days (or from ``since``); period = the day;
* section worse than its target (断面不达标): a section's monthly class (mean of each factor over
  the month's samples) worse than its target class, this month and the one before (or from
  ``since``); period = YYYY-MM;
* sudden jump (突变): an hourly value at least ``settings.ENVIRONMENT_JUMP_FACTOR`` (3) times the
  mean of the 24 hours before it (at least 20 of them valid) and above the pollutant's floor
  (:data:`JUMP_FLOORS`, about its grade-II limit), in the last 24 hours; period = the hour;
* silent station (站点离线): an active air station whose latest reading is more than
  ``settings.ENVIRONMENT_SILENT_HOURS`` hours old; period = that latest hour (one alert per
  silence). A station that never reported is not warned (it has not started).

``results_catch_up`` (the system) does both over the whole span of the stored readings, after a
bulk import such as the demo's. ``dashboard_view`` gives the dashboard figures a person may see
(``environment.view``; county staff only their county). Publishing the results as catalogue
datasets is in ``publish.py``; the hourly schedule in ``../tasks.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shuzhi.platform.accounts.models import Department
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.refusals import Refused, audit_refusal
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.loop import selectors as loop_selectors
from shuzhi.platform.loop import services as loop_services
from shuzhi.platform.loop.registry import TaskType
from shuzhi.platform.security.permissions import has_perm

from ..aqi import compute_aqi, daily_max_8h, daily_mean_24h, edition_for, moving_average_8h
from ..models import AirDaily, AirReading, Alert, Station, WaterSample
from ..selectors import results as selectors
from ..selectors.stations import county_of
from ..tasks import register

__all__ = [
    "ACTIONS",
    "JUMP_FLOORS",
    "TASK_TYPES",
    "ResultsRefused",
    "WarningsOutcome",
    "compute_daily",
    "dashboard_view",
    "register",
    "results_catch_up",
    "run_warnings",
]

TASK_TYPE: Final = "environment"
ACTIONS: dict[str, Any] = {
    "environment.daily_compute": _lazy("Daily air quality computed"),
    "environment.warnings_run": _lazy("Environment warnings run"),
    "environment.dashboard_view": _lazy("Environment dashboard viewed"),
    "environment.results_publish": _lazy("Environment results published as datasets"),
}
TASK_TYPES: list[Any] = [
    TaskType(TASK_TYPE, _lazy("Environment warning"), category="environment", deadline_days=3)
]

MIN_HOURS: Final = 20  # valid hours a 24-hour value needs
LOOKBACK_DAYS: Final = 7
# a jump must also exceed these (µg/m³, CO mg/m³): about the grade-II limits
JUMP_FLOORS: dict[str, float] = {
    "pm2_5": 75.0,
    "pm10": 150.0,
    "so2": 150.0,
    "no2": 200.0,
    "co": 10.0,
    "o3": 200.0,
}


class ResultsRefused(Refused):
    """A refused look at the results; nothing changed (the refusal is audited)."""


# --- who sees what ------------------------------------------------------------------------------


def _require_view(user: Any, *, county: str | None, request: HttpRequest | None) -> str | None:
    """The county to show (None: whole city); refuses (audited) without ``environment.view``
    or for another county than the person's own."""
    action = "environment.dashboard_view"
    if not has_perm(user, "environment.view"):
        audit_refusal(
            action=action,
            by=user,
            code="permission",
            request=request,
            outcome=Outcome.DENIED,
            details={"missing": "environment.view"},
        )
        raise ResultsRefused("permission", _("You may not see environment results."), status=403)
    own = county_of(user)
    if own is not None and county and county != own:
        audit_refusal(
            action=action,
            by=user,
            code="county",
            request=request,
            outcome=Outcome.DENIED,
            details={"county": county, "own": own},
        )
        raise ResultsRefused(
            "county", _("You see only your own county's results."), field="county", status=403
        )
    return own if own is not None else (county or None)


def dashboard_view(
    *, by: Any, county: str | None, year: int, request: HttpRequest | None = None
) -> dict[str, Any]:
    """The dashboard figures a person may see (read only; refusals are audited)."""
    scope = _require_view(by, county=county, request=request)
    data = selectors.dashboard(county=scope, year=year)
    data["county"] = scope or ""
    data["locked"] = county_of(by) is not None
    return data


# --- daily AQI ----------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def _daily_figures(day: date, readings: dict[int, dict[str, float | None]]) -> dict[str, Any]:
    """The daily concentrations, AQI and missing pollutants of one station-day (hour → row)."""

    def values(name: str) -> list[float | None]:
        return [readings[h][name] if h in readings else None for h in range(24)]

    concentrations: dict[str, float] = {}
    missing: dict[str, dict[str, Any]] = {}

    def short(valid: int, needed: int = MIN_HOURS, of: str = "hours") -> dict[str, Any]:
        return {"valid": valid, "needed": needed, "of": of}

    for name, key in (("so2", "SO2"), ("no2", "NO2"), ("pm10", "PM10"), ("pm2_5", "PM2.5")):
        series = values(name)
        mean = daily_mean_24h(series)
        if mean is None:
            missing[key] = short(sum(v is not None for v in series))
        else:
            concentrations[key] = round(mean, 3)
    co = values("co")
    mean_co = daily_mean_24h(co)
    if mean_co is None:
        missing["CO"] = short(sum(v is not None for v in co))
    else:
        concentrations["CO"] = round(mean_co, 3)
    o3 = values("o3")
    valid_o3 = [v for v in o3 if v is not None]
    if len(valid_o3) >= MIN_HOURS:
        concentrations["O3_1h"] = max(valid_o3)
    else:
        missing["O3_1h"] = short(len(valid_o3))
    o3_8h = daily_max_8h(o3)
    if o3_8h is None:
        windows = sum(v is not None for v in moving_average_8h(o3)[7:])
        missing["O3_8h"] = short(windows, 14, "8-hour windows")
    else:
        concentrations["O3_8h"] = round(o3_8h, 3)
    result = compute_aqi(concentrations, period="daily", day=day)
    stored: dict[str, Any] = dict(concentrations)
    if missing:
        stored["missing"] = missing
    valid_hours = sum(
        1 for values in readings.values() if any(v is not None for v in values.values())
    )
    return {
        "aqi": result.aqi,
        "level": result.level,
        "primary": list(result.primary_pollutants),
        "exceeding": list(result.exceeding_pollutants),
        "iaqi": dict(result.iaqi),
        "concentrations": stored,
        "valid_hours": valid_hours,
        "edition": result.edition or edition_for(day),
    }


def compute_daily(*, day_from: date, day_to: date, stations: Any = None) -> int:
    """Write the ``AirDaily`` rows of ``day_from``…``day_to`` (inclusive) from the hourly
    readings (system); the number of rows written. Station-days without a reading are skipped.
    One station at a time, its rows written together (a re-run replaces them)."""
    if day_to < day_from:
        raise ValueError("day_to is before day_from")
    air = Station.objects.filter(kind=Station.Kind.AIR)
    if stations is not None:
        air = air.filter(pk__in=[getattr(s, "pk", s) for s in stations])
    start, end = _day_start(day_from), _day_start(day_to + timedelta(days=1))
    names = list(selectors.AIR_FIELDS)
    written = 0
    with transaction.atomic():
        for station_id in air.order_by("code").values_list("pk", flat=True):
            days: dict[date, dict[int, dict[str, float | None]]] = defaultdict(dict)
            readings = AirReading.objects.filter(
                station_id=station_id, hour__gte=start, hour__lt=end
            ).values_list("hour", *names)
            for hour, *values in readings.iterator(chunk_size=5000):
                local = timezone.localtime(hour)
                days[local.date()][local.hour] = dict(zip(names, values, strict=True))
            rows = [
                AirDaily(station_id=station_id, day=day, **_daily_figures(day, hours))
                for day, hours in sorted(days.items())
            ]
            AirDaily.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["station", "day"],
                update_fields=[
                    "aqi",
                    "level",
                    "primary",
                    "exceeding",
                    "iaqi",
                    "concentrations",
                    "valid_hours",
                    "edition",
                ],
            )
            written += len(rows)
        audit_record(
            action="environment.daily_compute",
            actor_name="system",
            details={"from": day_from.isoformat(), "to": day_to.isoformat(), "rows": written},
        )
    return written


# --- warnings -----------------------------------------------------------------------------------

RULES: Final = ("heavy", "target", "jump", "silent")


@dataclass
class WarningsOutcome:
    """What a warnings run did, by rule: alerts (and tasks) opened, and found already raised."""

    opened: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    already: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    task_ids: list[int] = field(default_factory=list)

    def as_report(self) -> dict[str, Any]:
        return {"opened": dict(self.opened), "already": dict(self.already)}


def _department(station: Station) -> Department | None:
    """The county's ecology bureau, else the city's; None when neither exists."""
    suffix = str(settings.ENVIRONMENT_DEPARTMENT).rpartition("-")[2]
    county = Department.objects.filter(code=f"{station.division_id}-{suffix}").first()
    return county or Department.objects.filter(code=settings.ENVIRONMENT_DEPARTMENT).first()


def _raise(
    outcome: WarningsOutcome,
    kind: str,
    station: Station,
    period: str,
    details: dict[str, Any],
    title: str,
    description: str,
) -> None:
    alert, created = Alert.objects.get_or_create(
        kind=kind, station=station, period=period, defaults={"details": details}
    )
    if not created and alert.task_id is not None:
        outcome.already[kind] += 1
        return
    source_ref = f"environment:{kind}:{station.code}:{period}"
    task = loop_selectors.open_task_for(source_ref)
    if task is None:
        task = loop_services.task_open(
            type_code=TASK_TYPE,
            title=title,
            division=station.division,
            description=description,
            category="environment",
            location=f"{station.name} ({station.code})",
            source="environment",
            source_ref=source_ref,
            department=_department(station),
            by=None,  # the system: the rule found the problem
        )
    alert.task_id = int(task.pk)
    alert.save(update_fields=["task_id"])
    outcome.opened[kind] += 1
    outcome.task_ids.append(int(task.pk))


def _heavy(outcome: WarningsOutcome, today: date, since: date) -> None:
    heavy = AirDaily.objects.filter(aqi__gt=200, day__gte=since, day__lte=today).select_related(
        "station", "station__division"
    )
    for daily in heavy.order_by("day", "station__code"):
        station = daily.station
        _raise(
            outcome,
            Alert.Kind.HEAVY_POLLUTION,
            station,
            daily.day.isoformat(),
            {"aqi": daily.aqi, "level": daily.level, "primary": daily.primary},
            _("Heavy pollution day at %(station)s on %(day)s")
            % {"station": station.name, "day": daily.day},
            _(
                "The daily AQI of %(station)s (%(code)s) was %(aqi)s on %(day)s (level %(level)s, "
                "%(edition)s); primary pollutants: %(primary)s. Find the sources and take the "
                "heavy-pollution measures."
            )
            % {
                "station": station.name,
                "code": station.code,
                "aqi": daily.aqi,
                "day": daily.day,
                "level": daily.level,
                "edition": daily.edition,
                "primary": ", ".join(daily.primary) or "—",
            },
        )


def _months(since: date, today: date) -> list[str]:
    months, day = [], since.replace(day=1)
    while day <= today:
        months.append(f"{day:%Y-%m}")
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _target(outcome: WarningsOutcome, today: date, since: date) -> None:
    rows = selectors.section_months(
        months=_months(since, today),
        stations=Station.objects.filter(active=True).exclude(target_class=""),
    )
    for row in rows:
        if not row.worse:
            continue
        station = row.station
        _raise(
            outcome,
            Alert.Kind.BELOW_TARGET,
            station,
            row.month,
            {
                "class": row.water_class,
                "target": row.target,
                "limiting": list(row.limiting),
                "samples": row.samples,
            },
            _("Section %(station)s worse than its target in %(month)s")
            % {"station": station.name, "month": row.month},
            _(
                "The water of section %(station)s (%(code)s) was class %(class)s in %(month)s "
                "(mean of %(samples)s samples, GB 3838-2002), worse than its target class "
                "%(target)s; limiting factors: %(limiting)s. Find the sources upstream."
            )
            % {
                "station": station.name,
                "code": station.code,
                "class": row.water_class,
                "month": row.month,
                "samples": row.samples,
                "target": row.target,
                "limiting": ", ".join(row.limiting) or "—",
            },
        )


def _hour_label(hour: datetime) -> str:
    return f"{timezone.localtime(hour):%Y-%m-%dT%H:00}"


def _jumps(outcome: WarningsOutcome, now: datetime) -> None:
    factor = float(settings.ENVIRONMENT_JUMP_FACTOR)
    since = now - timedelta(hours=24)
    recent = AirReading.objects.filter(
        hour__gt=since, hour__lte=now, station__kind=Station.Kind.AIR
    )
    station_ids = sorted(set(recent.values_list("station_id", flat=True)))
    for station in Station.objects.filter(pk__in=station_ids).select_related("division"):
        rows = {
            r.hour: r
            for r in AirReading.objects.filter(
                station=station, hour__gt=since - timedelta(hours=24), hour__lte=now
            )
        }
        for hour in sorted(h for h in rows if h > since):
            before = [rows.get(hour - timedelta(hours=i)) for i in range(1, 25)]
            jumped: dict[str, dict[str, float]] = {}
            for name, floor in JUMP_FLOORS.items():
                value = getattr(rows[hour], name)
                previous = [getattr(r, name) for r in before if r is not None]
                previous = [v for v in previous if v is not None]
                if value is None or len(previous) < MIN_HOURS:
                    continue
                mean = sum(previous) / len(previous)
                if value > floor and value >= factor * mean:
                    jumped[name] = {"value": value, "mean_24h": round(mean, 3)}
            if not jumped:
                continue
            period = _hour_label(hour)
            names = ", ".join(selectors.AIR_FIELDS[n] for n in jumped)
            _raise(
                outcome,
                Alert.Kind.JUMP,
                station,
                period,
                {"parameters": {selectors.AIR_FIELDS[n]: v for n, v in jumped.items()}},
                _("Sudden jump at %(station)s at %(hour)s: %(names)s")
                % {"station": station.name, "hour": period, "names": names},
                _(
                    "At %(station)s (%(code)s) the hourly value of %(names)s at %(hour)s was at "
                    "least %(factor)s times the mean of the 24 hours before it. Check the "
                    "instrument and look for a pollution event."
                )
                % {
                    "station": station.name,
                    "code": station.code,
                    "names": names,
                    "hour": period,
                    "factor": settings.ENVIRONMENT_JUMP_FACTOR,
                },
            )


def _silent(outcome: WarningsOutcome, now: datetime) -> None:
    hours = int(settings.ENVIRONMENT_SILENT_HOURS)
    stations = (
        Station.objects.filter(kind=Station.Kind.AIR, active=True)
        .select_related("division")
        .annotate(last_hour=Max("air_readings__hour"))  # one query, not one per station
        .filter(last_hour__lte=now - timedelta(hours=hours))  # never reported: no warning
    )
    for station in stations.order_by("code"):
        last_hour = station.last_hour
        period = _hour_label(last_hour)
        _raise(
            outcome,
            Alert.Kind.SILENT,
            station,
            period,
            {"last_reading": last_hour.isoformat(), "hours": hours},
            _("Station %(station)s silent since %(hour)s")
            % {"station": station.name, "hour": period},
            _(
                "Station %(station)s (%(code)s) has sent no reading since %(hour)s, more than "
                "%(hours)s hours. Check its instrument, power and network."
            )
            % {"station": station.name, "code": station.code, "hour": period, "hours": hours},
        )


def run_warnings(
    *, today: date | None = None, now: datetime | None = None, since: date | None = None
) -> WarningsOutcome:
    """Raise the four warnings (system); each alert once, each with one loop task. Heavy days
    and section months are looked for from ``since`` (default: ``LOOKBACK_DAYS`` before
    ``today`` for days, the month before ``today``'s for sections)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    day_since = since or today - timedelta(days=LOOKBACK_DAYS)
    month_since = since or (today.replace(day=1) - timedelta(days=1))
    outcome = WarningsOutcome()
    with transaction.atomic():
        _heavy(outcome, today, day_since)
        _target(outcome, today, month_since)
        _jumps(outcome, now)
        _silent(outcome, now)
        audit_record(
            action="environment.warnings_run", actor_name="system", details=outcome.as_report()
        )
    return outcome


def results_catch_up() -> dict[str, Any]:
    """Compute every day that has readings and raise the warnings over the whole span of the
    readings (system; after a bulk import such as the demo's): rows written and the report."""
    hours = AirReading.objects.order_by("hour").values_list("hour", flat=True)
    days = WaterSample.objects.order_by("sampled_on").values_list("sampled_on", flat=True)
    first_hour, last_hour, first_sample = hours.first(), hours.last(), days.first()
    starts = [d for d in (first_sample, first_hour and timezone.localdate(first_hour)) if d]
    if not starts:
        return {"daily_rows": 0, **WarningsOutcome().as_report()}
    rows = 0
    now = timezone.now()
    if first_hour is not None and last_hour is not None:
        rows = compute_daily(
            day_from=timezone.localdate(first_hour), day_to=timezone.localdate(last_hour)
        )
        now = min(now, last_hour + timedelta(hours=1))
    outcome = run_warnings(today=timezone.localdate(now), now=now, since=min(starts))
    return {"daily_rows": rows, **outcome.as_report()}
