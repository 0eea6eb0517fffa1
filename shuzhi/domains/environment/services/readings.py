"""Stations, their push keys and their readings (监测站点与监测数据).

- ``station_save``: create or change a station (``environment.manage``, an EEB steward; a county
  bureau's steward only in its county).
- ``station_key_issue``: a new push key for a station, returned once (``env_<prefix>_<secret>``);
  the old one stops working at once.
- ``readings_push``: a station's batch of air readings or water samples, authenticated by its
  own key (no user session). A wrong key or an unknown station refuses the whole batch (401 /
  403, audited, one ``RejectedReading``; past ``REFUSED_PER_MINUTE`` refusals from one address
  in a minute, 429 and nothing written). Each bad row is rejected into ``RejectedReading`` with
  the field and the reason; the good rows are stored; all in one transaction (retried once
  when a concurrent batch stored one of its hours first).
- ``readings_from_warehouse``: the current version of ``air_quality_hourly`` or
  ``surface_water_monthly`` upserted as ``source=file`` readings, with the same row checks; a
  code that names no station is rejected (stations are set up first, see the demo).

Row checks (both ways in): the time must be given — an hour with a UTC offset, on the hour
(minutes and seconds zero), or a date YYYY-MM-DD — and not in the future; a station-hour (air) or
station-day (water) is stored once (a second one in the batch, or one already stored, is a
duplicate; files update what they loaded before); values are numbers (or null: not measured),
not negative, at most ``AIR_LIMITS`` / ``WATER_LIMITS`` (instrument ranges, well above any
breakpoint of HJ 633 or limit of GB 3838), pH 0–14; a row with no value at all is rejected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final, NoReturn

from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.refusals import Refused, audit_refusal
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset, Status
from shuzhi.platform.opendata.ratelimit import over_limit
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.engine import version_rows
from shuzhi.platform.warehouse.selectors import current_version

from .. import keys
from ..models import AirReading, RejectedReading, Source, Station, WaterSample
from ..selectors.results import AIR_FIELDS, WATER_FIELDS
from ..selectors.stations import county_of, is_bureau_steward

ACTIONS: dict[str, Any] = {
    "environment.station_save": gettext_lazy("Monitoring station saved"),
    "environment.station_key_issue": gettext_lazy("Station push key issued"),
    "environment.readings_push": gettext_lazy("Station readings pushed"),
    "environment.readings_sync": gettext_lazy("Readings loaded from the warehouse"),
}
TASK_TYPES: tuple[Any, ...] = ()

MAX_ROWS: Final = 500  # per pushed batch
REFUSED_PER_MINUTE: Final = 30  # refused pushes (key, station) recorded per address and minute
PUSHES_PER_MINUTE: Final = 60  # accepted batches per station and address (a leaked key floods)
DATASETS: Final = {"air": "air_quality_hourly", "water": "surface_water_monthly"}

# name in the push → (model field, upper limit); all ≥ 0. µg/m³, CO mg/m³.
AIR_LIMITS: Final = {
    "PM2.5": ("pm2_5", 2000.0),
    "PM10": ("pm10", 2000.0),
    "SO2": ("so2", 2620.0),
    "NO2": ("no2", 3840.0),
    "CO": ("co", 150.0),
    "O3": ("o3", 1200.0),
}
# mg/L; pH has no unit, 0–14.
WATER_LIMITS: Final = {
    "pH": ("ph", 14.0),
    "DO": ("do", 20.0),
    "CODMn": ("codmn", 100.0),
    "COD": ("cod", 1000.0),
    "BOD5": ("bod5", 500.0),
    "NH3-N": ("nh3_n", 100.0),
    "TP": ("tp", 50.0),
    "TN": ("tn", 100.0),
}
# warehouse column → push name: the time, then each model field's pollutant key
_AIR_COLUMNS: Final = {"observed_at": "hour", **AIR_FIELDS}
_WATER_COLUMNS: Final = {"sampled_on": "date", **WATER_FIELDS}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReadingsRefused(Refused):
    """A refused station or readings step (see :class:`Refused`)."""


@dataclass(frozen=True)
class _Spec:
    kind: str
    time_key: str  # in the push: "hour" or "date"
    time_field: str  # on the model: "hour" or "sampled_on"
    limits: dict[str, tuple[str, float]]
    model: type[models.Model]


_SPECS: Final = {
    "air": _Spec("air", "hour", "hour", AIR_LIMITS, AirReading),
    "water": _Spec("water", "date", "sampled_on", WATER_LIMITS, WaterSample),
}


@dataclass
class PushResult:
    stored: int
    rejected: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"stored": self.stored, "rejected": self.rejected}


@dataclass
class SyncReport:
    kind: str
    dataset: str
    version: int | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.rows == self.created + self.updated + self.unchanged + self.rejected


class _Bad(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


# --- permission -----------------------------------------------------------------------------


def _refuse(
    action: str,
    by: Any,
    code: str,
    message: str,
    request: HttpRequest | None,
    *,
    status: int = 403,
    field_name: str = "",
    target: object = None,
    **details: Any,
) -> NoReturn:
    audit_refusal(
        action=action,
        by=by,
        code=code,
        request=request,
        target=target,
        details={**({"field": field_name} if field_name else {}), **details},
    )
    raise ReadingsRefused(code, message, field=field_name, status=status)


def _require_manage(
    by: Any,
    action: str,
    request: HttpRequest | None,
    *,
    county: str | None = None,
    city_only: bool = False,
) -> None:
    """Refuse unless ``by`` stewards an EEB; a county bureau only its own county."""
    if not is_bureau_steward(by):
        _refuse(action, by, "forbidden", _("Only an ecology bureau's data steward may."), request)
    own = county_of(by)
    if own is not None and (city_only or (county is not None and county != own)):
        message = (
            _("Only the city bureau loads the city-wide datasets.")
            if city_only
            else _("This station is outside your county.")
        )
        _refuse(action, by, "wrong_county", message, request, county=county or "")


# --- stations and keys ----------------------------------------------------------------------


def station_save(
    *,
    by: Any,
    code: str,
    name: str,
    kind: str,
    division: Division,
    latitude: Decimal | float,
    longitude: Decimal | float,
    water_body: str = "",
    water_body_name: str = "",
    target_class: str = "",
    request: HttpRequest | None = None,
) -> Station:
    """Create the station ``code`` or change it (kind and code never change)."""
    action = "environment.station_save"
    _require_manage(by, action, request, county=division.code)
    code = code.strip()
    if not code or len(code) > 32:
        _refuse(
            action,
            by,
            "invalid",
            _("code must be 1–32 characters."),
            request,
            status=422,
            field_name="code",
        )
    if kind not in Station.Kind.values:
        _refuse(
            action,
            by,
            "invalid",
            _("kind must be air or water."),
            request,
            status=422,
            field_name="kind",
        )
    if kind == Station.Kind.WATER and water_body not in Station.WaterBody.values:
        _refuse(
            action,
            by,
            "invalid",
            _("water_body must be river or lake."),
            request,
            status=422,
            field_name="water_body",
        )
    if target_class and target_class not in ("I", "II", "III", "IV", "V"):
        _refuse(
            action,
            by,
            "invalid",
            _("target_class must be I, II, III, IV or V."),
            request,
            status=422,
            field_name="target_class",
        )
    if division.level != Division.Level.COUNTY:
        # county scoping, dashboards and the county bureau's tasks all key on the county
        _refuse(
            action,
            by,
            "invalid",
            _("division must be a county."),
            request,
            status=422,
            field_name="division",
        )
    for field_name, given, bound in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        try:
            number = float(given)
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if not -bound <= number <= bound:  # NaN too: Decimal("NaN").quantize raises
            _refuse(
                action,
                by,
                "invalid",
                _("%(field)s must be a number within its range.") % {"field": field_name},
                request,
                status=422,
                field_name=field_name,
            )
    values = {
        "name": name.strip()[:100],
        "division": division,
        "latitude": Decimal(str(latitude)).quantize(Decimal("0.000001")),
        "longitude": Decimal(str(longitude)).quantize(Decimal("0.000001")),
        "water_body": water_body if kind == Station.Kind.WATER else "",
        "water_body_name": water_body_name.strip()[:60],
        "target_class": target_class if kind == Station.Kind.WATER else "",
    }
    station = Station.objects.filter(code=code).first()
    if station is not None:
        if station.kind != kind:
            _refuse(
                action,
                by,
                "invalid",
                _("A station keeps its kind."),
                request,
                status=422,
                field_name="kind",
            )
        own = county_of(by)
        if own is not None and station.division_id != own:
            _refuse(
                action,
                by,
                "wrong_county",
                _("This station is outside your county."),
                request,
                county=station.division_id,
            )
    with transaction.atomic():  # refusals above are audited outside it: they must stay
        if station is not None:
            for name_, value in values.items():
                setattr(station, name_, value)
            station.save()
            created = False
        else:
            station = Station.objects.create(code=code, kind=kind, **values)
            created = True
        audit_record(
            action=action,
            actor=by,
            target=station,
            request=request,
            details={"code": code, "kind": kind, "created": created},
        )
    return station


def station_key_issue(*, by: Any, station: Station, request: HttpRequest | None = None) -> str:
    """A new push key for ``station``; the raw key is returned once, only its hash is kept."""
    action = "environment.station_key_issue"
    _require_manage(by, action, request, county=station.division_id)
    key = keys.new_key()
    with transaction.atomic():
        station.key_prefix = key.prefix
        station.key_hash = key.hash
        station.key_issued_at = timezone.now()
        station.save(update_fields=["key_prefix", "key_hash", "key_issued_at"])
        audit_record(
            action=action,
            actor=by,
            target=station,
            request=request,
            details={"code": station.code, "prefix": key.prefix},
        )
    return key.raw


# --- row checks -----------------------------------------------------------------------------


def _number(name: str, value: Any, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _Bad(name, "not a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float (JSON allows any number of digits)
        raise _Bad(name, f"out of range (at most {high:g})") from None
    if not math.isfinite(number):
        raise _Bad(name, "not a number")
    if number < 0:
        raise _Bad(name, "negative")
    if number > high:
        raise _Bad(name, f"out of range (at most {high:g})")
    return number


def _hour(value: Any, now: datetime) -> datetime:
    if isinstance(value, str):
        if len(value) > 40:
            raise _Bad("hour", "not an ISO-8601 time")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Bad("hour", "not an ISO-8601 time") from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise _Bad("hour", "missing" if value is None else "not an ISO-8601 time")
    if moment.tzinfo is None:
        raise _Bad("hour", "no UTC offset")
    try:
        moment = moment.astimezone(UTC)  # year 1 (+08:00) or 9999 (-08:00) has no UTC time
    except OverflowError:
        raise _Bad("hour", "in the future" if moment > now else "not an ISO-8601 time") from None
    # on the hour in UTC (and so in Asia/Shanghai): 08:00+05:30 is 10:30 in Shanghai
    if moment.minute or moment.second or moment.microsecond:
        raise _Bad("hour", "not on the hour")
    if moment > now:
        raise _Bad("hour", "in the future")
    return moment


def _day(value: Any, today: date) -> date:
    if isinstance(value, datetime):
        raise _Bad("date", "not a date (YYYY-MM-DD)")
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise _Bad("date", "not a date (YYYY-MM-DD)") from None
    else:
        raise _Bad("date", "missing" if value is None else "not a date (YYYY-MM-DD)")
    if day > today:
        raise _Bad("date", "in the future")
    return day


def _check(spec: _Spec, row: Any, now: datetime) -> tuple[Any, dict[str, float | None]]:
    """The row's time and values by model field, or ``_Bad``."""
    if not isinstance(row, dict):
        raise _Bad("", "not an object")
    for name in row:
        if name != spec.time_key and name not in spec.limits:
            raise _Bad(str(name)[:32], "unknown field")
    if spec.kind == "air":
        moment: Any = _hour(row.get("hour"), now)
    else:
        moment = _day(row.get("date"), timezone.localdate(now))
    values = {
        model_field: _number(name, row.get(name), high)
        for name, (model_field, high) in spec.limits.items()
    }
    if all(v is None for v in values.values()):
        raise _Bad("", "no values")
    return moment, values


def _plain(value: Any, depth: int = 0) -> Any:
    """A value as JSON can keep it: dates as text, non-finite numbers as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if depth < 3 and isinstance(value, dict):
        return {str(k)[:64]: _plain(v, depth + 1) for k, v in value.items()}
    if depth < 3 and isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    return str(value)[:200]


def _jsonable(row: Any) -> dict[str, Any]:
    plain = _plain(row)
    return plain if isinstance(plain, dict) else {"row": plain}


# --- push -----------------------------------------------------------------------------------


def _refuse_push(
    kind: str,
    code: str,
    status: int,
    reason_code: str,
    message: str,
    request: HttpRequest | None,
    *,
    field_name: str,
    rows: int,
    station: Station | None = None,
    public_code: str = "",
) -> NoReturn:
    if request is not None and over_limit(
        request, scope="environment_push_refused", rate=REFUSED_PER_MINUTE
    ):
        # an address that keeps failing writes nothing more this minute
        raise ReadingsRefused(
            "too_many_requests", _("Too many refused pushes: try again later."), status=429
        )
    RejectedReading.objects.create(
        station_code=code[:64],
        kind=kind,
        source=Source.PUSH,
        field=field_name,
        reason=f"{reason_code}: batch of {rows} rows refused",
        payload={"rows": rows},
    )
    audit_record(
        action="environment.readings_push",
        target=station,
        outcome=Outcome.DENIED,
        request=request,
        actor_name=f"station {code[:32]}",
        details={"code": reason_code, "station": code[:64], "kind": kind, "rows": rows},
    )
    raise ReadingsRefused(public_code or reason_code, message, field=field_name, status=status)


_DUMMY_PREFIX: Final = "0" * 8
_DUMMY_HASH: Final = keys.secret_hash("no station")


def readings_push(
    *,
    kind: str,
    station_code: str,
    raw_key: str,
    rows: Any,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PushResult:
    """Store a station's batch (authenticated by the station's key, not by a user)."""
    spec = _SPECS[kind]
    count = len(rows) if isinstance(rows, list) else 0
    code = station_code if isinstance(station_code, str) else ""
    if not raw_key:
        _refuse_push(
            kind,
            code,
            401,
            "missing_key",
            _("X-Station-Key is missing."),
            request,
            field_name=keys.HEADER,
            rows=count,
        )
    station = Station.objects.filter(code=code).first() if code else None
    if station is None:
        # answered as a wrong key, after as much work: no oracle of which codes exist
        keys.key_matches(raw_key, prefix=_DUMMY_PREFIX, hashed=_DUMMY_HASH)
        _refuse_push(
            kind,
            code,
            403,
            "unknown_station",
            _("X-Station-Key is not this station's key."),
            request,
            field_name=keys.HEADER,
            rows=count,
            public_code="wrong_key",
        )
    if not station.active or not keys.key_matches(
        raw_key, prefix=station.key_prefix, hashed=station.key_hash
    ):
        _refuse_push(
            kind,
            code,
            403,
            "wrong_key",
            _("X-Station-Key is not this station's key."),
            request,
            field_name=keys.HEADER,
            rows=count,
            station=station,
        )
    if station.kind != kind:
        _refuse_push(
            kind,
            code,
            403,
            "wrong_kind",
            _("station is not a station of this kind."),
            request,
            field_name="station",
            rows=count,
            station=station,
        )
    if request is not None and over_limit(
        request, scope=f"environment_push:{station.pk}", rate=PUSHES_PER_MINUTE
    ):
        # each batch may write up to MAX_ROWS rejected rows: a station's key is no licence to
        # fill the table
        raise ReadingsRefused(
            "too_many_requests", _("Too many pushes: try again later."), status=429
        )
    if not isinstance(rows, list):
        raise ReadingsRefused(
            "invalid_field",
            _("readings must be a list."),
            field="readings" if kind == "air" else "samples",
            status=422,
        )
    if len(rows) > MAX_ROWS:
        raise ReadingsRefused(
            "invalid_field",
            _("At most %(n)s rows in one batch.") % {"n": MAX_ROWS},
            field="readings" if kind == "air" else "samples",
            status=422,
        )
    now = now or timezone.now()
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                stored, rejected = _store_push(spec, station, rows, now)
                audit_record(
                    action="environment.readings_push",
                    target=station,
                    request=request,
                    actor_name=f"station {station.code}",
                    details={
                        "kind": kind,
                        "rows": len(rows),
                        "stored": stored,
                        "rejected": len(rejected),
                    },
                )
            break
        except IntegrityError:
            # a concurrent batch stored one of these hours first: checked again, that row is
            # "already stored"
            if attempt == 2:
                raise
    return PushResult(stored, rejected)


def _stored_times(spec: _Spec, station: Station, times: list[Any]) -> set[Any]:
    return set(
        spec.model.objects.filter(  # type: ignore[attr-defined]
            station=station, **{f"{spec.time_field}__in": times}
        ).values_list(spec.time_field, flat=True)
    )


def _store_push(
    spec: _Spec, station: Station, rows: list[Any], now: datetime
) -> tuple[int, list[dict[str, Any]]]:
    rejected: list[dict[str, Any]] = []
    rejections: list[RejectedReading] = []
    good: list[tuple[int, Any, dict[str, float | None]]] = []
    for index, row in enumerate(rows):
        try:
            moment, values = _check(spec, row, now)
        except _Bad as bad:
            rejected.append({"row": index, "field": bad.field, "reason": bad.reason})
            continue
        good.append((index, moment, values))
    times = [moment for _i, moment, _v in good]
    stored_times = _stored_times(spec, station, times)
    seen: set[Any] = set()
    new = []
    for index, moment, values in good:
        if moment in stored_times:
            rejected.append({"row": index, "field": spec.time_key, "reason": "already stored"})
        elif moment in seen:
            rejected.append({"row": index, "field": spec.time_key, "reason": "duplicate in batch"})
        else:
            seen.add(moment)
            new.append(
                spec.model(
                    station=station, source=Source.PUSH, **{spec.time_field: moment}, **values
                )
            )
    spec.model.objects.bulk_create(new)  # type: ignore[attr-defined]
    rejected.sort(key=lambda r: r["row"])
    for item in rejected:
        rejections.append(
            RejectedReading(
                station_code=station.code,
                kind=spec.kind,
                source=Source.PUSH,
                field=item["field"][:32],
                reason=item["reason"],
                payload=_jsonable(rows[item["row"]]),
            )
        )
    RejectedReading.objects.bulk_create(rejections)
    return len(new), rejected


# --- from the warehouse ---------------------------------------------------------------------


def readings_from_warehouse(
    *, by: Any, kind: str, request: HttpRequest | None = None, now: datetime | None = None
) -> SyncReport:
    """Upsert the current version of the kind's dataset as ``source=file`` readings."""
    action = "environment.readings_sync"
    _require_manage(by, action, request, city_only=True)
    spec = _SPECS[kind]
    report = SyncReport(kind=kind, dataset=DATASETS[kind])
    dataset = Dataset.objects.filter(code=report.dataset, status=Status.PUBLISHED).first()
    version = current_version(dataset) if dataset is not None else None
    if dataset is None or version is None:
        _refuse(
            action,
            by,
            "no_data",
            _("%(dataset)s has no published, loaded version.") % {"dataset": report.dataset},
            request,
            status=409,
            dataset=report.dataset,
        )
    report.version = version.number
    with open_warehouse() as warehouse:  # in source order: row numbers stay stable across runs
        rows = version_rows(warehouse, dataset.code, version.number, limit=None)
    now = now or timezone.now()
    with transaction.atomic():
        _sync(spec, report, rows, now)
        audit_record(
            action=action,
            actor=by,
            target=dataset,
            request=request,
            details={
                "kind": kind,
                "version": report.version,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
            },
        )
    return report


def _existing(spec: _Spec, times: list[Any]) -> dict[tuple[int, Any], Any]:
    """The stored readings of the kind in the span of ``times``, by (station, time)."""
    if not times:
        return {}
    span = {f"{spec.time_field}__gte": min(times), f"{spec.time_field}__lte": max(times)}
    return {
        (r.station_id, getattr(r, spec.time_field)): r
        for r in spec.model.objects.filter(  # type: ignore[attr-defined]
            station__kind=spec.kind, **span
        )
    }


def _sync(spec: _Spec, report: SyncReport, rows: list[dict[str, Any]], now: datetime) -> None:
    columns = _AIR_COLUMNS if spec.kind == "air" else _WATER_COLUMNS
    code_column = "station_code" if spec.kind == "air" else "section_code"
    stations = {s.code: s for s in Station.objects.filter(kind=spec.kind)}
    others = set(Station.objects.exclude(kind=spec.kind).values_list("code", flat=True))
    already = set(
        RejectedReading.objects.filter(
            source=Source.FILE,
            kind=spec.kind,
            payload__dataset=report.dataset,
            payload__version=report.version,
        ).values_list("payload__row", flat=True)
    )
    local = timezone.get_current_timezone()
    seen: set[tuple[int, Any]] = set()
    good: list[tuple[Station, Any, dict[str, float | None]]] = []
    new, changed, rejections = [], [], []
    value_fields = [model_field for model_field, _high in spec.limits.values()]
    for index, raw in enumerate(rows):
        report.rows += 1
        code = str(raw.get(code_column) or "")
        payload = {columns[k]: raw.get(k) for k in columns}
        moment_in = payload.get("hour")
        if isinstance(moment_in, datetime) and moment_in.tzinfo is None:
            payload["hour"] = timezone.make_aware(moment_in, local)
        try:
            station = stations.get(code)
            if station is None:
                wrong = "not an air station" if spec.kind == "air" else "not a water section"
                raise _Bad(code_column, wrong if code in others else "unknown station")
            moment, values = _check(spec, payload, now)
            key = (station.pk, moment)
            if key in seen:
                raise _Bad(spec.time_key, "duplicate in the dataset")
            seen.add(key)
        except _Bad as bad:
            report.rejected += 1
            report.reasons[bad.reason] = report.reasons.get(bad.reason, 0) + 1
            if index not in already:
                rejections.append(
                    RejectedReading(
                        station_code=code[:64],
                        kind=spec.kind,
                        source=Source.FILE,
                        field=bad.field[:32],
                        reason=bad.reason,
                        payload={
                            "dataset": report.dataset,
                            "version": report.version,
                            "row": index,
                            "values": _jsonable(payload),
                        },
                    )
                )
            continue
        good.append((station, moment, values))
    existing = _existing(spec, [moment for _s, moment, _v in good])
    for station, moment, values in good:
        current = existing.get((station.pk, moment))
        if current is None:
            new.append(
                spec.model(
                    station=station, source=Source.FILE, **{spec.time_field: moment}, **values
                )
            )
            report.created += 1
        elif current.source == Source.FILE and all(
            getattr(current, f) == v for f, v in values.items()
        ):
            report.unchanged += 1
        else:
            for f, v in values.items():
                setattr(current, f, v)
            current.source = Source.FILE
            changed.append(current)
            report.updated += 1
    spec.model.objects.bulk_create(new, batch_size=1000)  # type: ignore[attr-defined]
    spec.model.objects.bulk_update(  # type: ignore[attr-defined]
        changed, [*value_fields, "source"], batch_size=1000
    )
    RejectedReading.objects.bulk_create(rejections, batch_size=1000)
