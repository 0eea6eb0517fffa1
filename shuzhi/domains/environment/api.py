"""Environment API (django-ninja) at /api/v1/environment: the two compute contracts.

Authentication is the platform's (``shuzhi.api``), as for the carbon calculator: a signed-in
session or an API key in ``X-API-Key``; anonymous calls get 401. Both endpoints only compute
from the caller's numbers and the published standards, and store nothing.

A negative, non-numeric or unknown value, a missing or malformed date, an unknown period or
water body is a 422 in the house envelope with code ``invalid_field``; the message and
``details.field`` name the field (``concentrations.PM2.5``, ``date``, ``water_body`` …).

At the end, in their own section: the stations' push (``/readings/air``, ``/readings/water``),
which needs no user session or API key but the station's own key in ``X-Station-Key`` and
stores what passes the row checks of ``services/readings.py``.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from shuzhi.platform.errors import error_response

from . import aqi, keys, water
from .services import readings

router = Router(tags=["environment"])

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class AqiIn(Schema):
    period: str | None = Field(
        None,
        max_length=16,
        description="daily (日报: 24-hour SO2/NO2/CO limits) or hourly (实时报: 1-hour limits)",
    )
    date: str | None = Field(
        None,
        max_length=32,
        description="YYYY-MM-DD, the reading's date; it picks the HJ 633 edition in force",
    )
    concentrations: dict[str, Any] | None = Field(
        None,
        description="Numbers by pollutant: PM2.5, PM10, SO2, NO2, CO, O3_8h, O3_1h (µg/m³, CO "
        "mg/m³). For hourly, PM2.5 and PM10 are 24-hour moving averages. Pollutants not given "
        "(or null) are left out.",
    )


class AqiOut(Schema):
    aqi: int
    level: int = Field(..., description="1 (一级) … 6 (六级)")
    category: str = Field(..., description="The standard's category: 优, 良, 轻度污染 …")
    color: str
    primary_pollutants: list[str]
    exceeding_pollutants: list[str]
    iaqi: dict[str, int]
    edition: str


class WaterClassIn(Schema):
    water_body: str | None = Field(None, max_length=16, description="river or lake (湖、库)")
    measurements: dict[str, Any] | None = Field(
        None,
        description="mg/L by factor: DO, CODMn, COD, BOD5, NH3-N, TP, TN (lakes only; ignored "
        "for rivers), pH. Factors not given (or null) are left out.",
    )


class WaterClassOut(Schema):
    water_class: str = Field(..., alias="class", description="I … V or 劣V (GB 3838-2002)")
    limiting_factors: list[str]
    factor_classes: dict[str, str]


def _field_error(field: str, message: str) -> JsonResponse:
    return error_response(422, "invalid_field", message, {"field": field})


def _missing(field: str) -> JsonResponse:
    return _field_error(field, _("%(field)s is missing.") % {"field": field})


def _one_of(field: str, known: tuple[str, ...]) -> JsonResponse:
    message = _("%(field)s must be one of: %(known)s.") % {
        "field": field,
        "known": ", ".join(known),
    }
    return _field_error(field, message)


def _value_error(field: str, reason: str, known: tuple[str, ...]) -> JsonResponse:
    if reason == "unknown pollutant":
        message = _("%(field)s is not a known pollutant; known: %(known)s.")
    elif reason == "unknown factor":
        message = _("%(field)s is not a known factor; known: %(known)s.")
    elif reason == "negative":
        message = _("%(field)s must not be negative.")
    else:
        message = _("%(field)s must be a number.")
    return _field_error(field, message % {"field": field, "known": ", ".join(known)})


def _parse_date(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.post(
    "/aqi",
    response=AqiOut,
    summary="Air quality index of a set of concentrations (空气质量指数, HJ 633)",
    description=(
        "IAQI per pollutant (rounded up), AQI = the largest IAQI, level, category and colour, "
        "primary pollutants (AQI > 50, IAQI = AQI) and exceeding pollutants (IAQI > 100), by "
        "the edition in force on `date`: HJ 633-2012, or HJ 633-2026 from 2026-03-01. SO2 "
        "1-hour above 800 is read against the 24-hour breakpoints; O3 8-hour above 800 gives "
        "way to the 1-hour O3 sub-index; above the top breakpoint the IAQI is 500."
    ),
)
def compute_aqi(request: HttpRequest, payload: AqiIn) -> Any:
    if payload.period is None:
        return _missing("period")
    if payload.period not in aqi.PERIODS:
        return _one_of("period", aqi.PERIODS)
    if payload.date is None:
        return _missing("date")
    day = _parse_date(payload.date)
    if day is None:
        return _field_error("date", _("date must be a date written YYYY-MM-DD."))
    if payload.concentrations is None:
        return _missing("concentrations")
    try:
        result = aqi.compute_aqi(payload.concentrations, period=payload.period, day=day)
    except aqi.InvalidConcentration as exc:
        return _value_error(f"concentrations.{exc.field}", exc.reason, aqi.POLLUTANTS)
    if result.aqi is None:
        return _field_error("concentrations", _("concentrations must give at least one pollutant."))
    return result.as_dict()


@router.post(
    "/water-class",
    response=WaterClassOut,
    by_alias=True,
    summary="Surface water class of a set of measurements (地表水水质类别, GB 3838-2002)",
    description=(
        "Single-factor evaluation: each factor's best class whose limit it meets (a value on a "
        "limit belongs to that class; on a shared limit the better class wins), the worst of "
        "them is the class, worse than V is 劣V; limiting factors are those at that class. TP "
        "has river and lake limits; TN counts for lakes only; pH outside 6–9 is 劣V."
    ),
)
def water_class(request: HttpRequest, payload: WaterClassIn) -> Any:
    if payload.water_body is None:
        return _missing("water_body")
    if payload.water_body not in water.WATER_BODIES:
        return _one_of("water_body", water.WATER_BODIES)
    if payload.measurements is None:
        return _missing("measurements")
    try:
        result = water.classify(payload.measurements, water_body=payload.water_body)
    except water.InvalidMeasurement as exc:
        return _value_error(f"measurements.{exc.field}", exc.reason, water.FACTORS)
    if result.water_class is None:
        return _field_error("measurements", _("measurements must give at least one factor."))
    return result.as_dict()


# --- Station push (helper G): POST /readings/air and /readings/water -------------------------
# No user session or API key: the station's own key in X-Station-Key (see services/readings.py).

_PUSH_MAX_BODY = 512 * 1024  # 500 rows of a dozen numbers fit well below this


def _push_schema(rows_name: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "station": {"type": "string", "maxLength": 32},
                            rows_name: {
                                "type": "array",
                                "maxItems": readings.MAX_ROWS,
                                "items": {"type": "object", "properties": row},
                            },
                        },
                        "required": ["station", rows_name],
                    }
                }
            },
            "required": True,
        },
        "parameters": [
            {
                "name": keys.HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "The station's push key (env_<prefix>_<secret>).",
            }
        ],
    }


_NUMBER: dict[str, Any] = {"type": ["number", "null"], "minimum": 0}


def _push(request: HttpRequest, kind: str, rows_name: str) -> Any:
    if len(request.body) > _PUSH_MAX_BODY:
        return error_response(413, "body_too_large", _("The request body is too large."))
    try:
        body: Any = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _field_error("body", _("The body must be a JSON object."))
    if not isinstance(body, dict):
        return _field_error("body", _("The body must be a JSON object."))
    try:  # "\ud800" is valid JSON but no text a database can keep (a 500 further down)
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return _field_error("body", _("The body holds text that is not valid Unicode."))
    unknown = sorted(str(k)[:40] for k in set(body) - {"station", rows_name})
    if unknown:
        return _field_error(
            unknown[0], _("%(field)s is not a known field.") % {"field": unknown[0]}
        )
    station = body.get("station")
    if not isinstance(station, str) or not station.strip():
        return _missing("station")
    if rows_name not in body:
        return _missing(rows_name)
    try:
        result = readings.readings_push(
            kind=kind,
            station_code=station.strip()[:64],
            raw_key=request.headers.get(keys.HEADER, ""),
            rows=body[rows_name],
            request=request,
        )
    except readings.ReadingsRefused as refusal:
        code = "invalid_field" if refusal.status == 422 else refusal.code
        details = {"field": refusal.field} if refusal.field else None
        return error_response(refusal.status, code, refusal.message, details)
    return JsonResponse(result.as_dict(), json_dumps_params={"ensure_ascii": False})


@router.post(
    "/readings/air",
    auth=None,
    summary="Push a station's hourly air readings (空气质量小时数据推送)",
    description=(
        'Body: `{"station": code, "readings": [{"hour": "2026-03-04T08:00:00+08:00", "PM2.5": '
        '35, "PM10": 60, "SO2": 8, "NO2": 30, "CO": 0.7, "O3": 80}, …]}`, at most 500 rows; '
        "µg/m³, CO mg/m³, O3 the 1-hour value; null or left out: not measured. Header "
        "`X-Station-Key`. Missing key 401; unknown station or wrong key 403 (the batch is "
        "refused; 429 after 30 refusals a minute from one address, or 60 batches a minute of "
        "one station). Each bad row — time without offset, not on the hour or in the future, an "
        "hour already stored or twice in the batch, an unknown field, a value negative, not a "
        "number or above its range (PM 2000, SO2 2620, NO2 3840, O3 1200 µg/m³, CO 150 mg/m³), "
        'no value at all — is rejected with its reason; the rest is stored: `{"stored": n, '
        '"rejected": [{"row", "field", "reason"}]}`.'
    ),
    openapi_extra=_push_schema(
        "readings",
        {"hour": {"type": "string", "format": "date-time"}}
        | dict.fromkeys(readings.AIR_LIMITS, _NUMBER),
    ),
)
def push_air(request: HttpRequest) -> Any:
    return _push(request, "air", "readings")


@router.post(
    "/readings/water",
    auth=None,
    summary="Push a section's water samples (断面水质监测数据推送)",
    description=(
        'Body: `{"station": code, "samples": [{"date": "2026-03-04", "pH": 7.4, "DO": 8.1, '
        '"CODMn": 2.3, "COD": 10, "BOD5": 1.6, "NH3-N": 0.2, "TP": 0.05, "TN": 0.8}, …]}`, at '
        "most 500 rows; mg/L, pH 0–14. Header `X-Station-Key`. One sample per section and day; "
        "the same checks and answer as the air push (ranges: DO 20, CODMn 100, COD 1000, BOD5 "
        "500, NH3-N 100, TP 50, TN 100 mg/L)."
    ),
    openapi_extra=_push_schema(
        "samples",
        {"date": {"type": "string", "format": "date"}}
        | dict.fromkeys(readings.WATER_LIMITS, _NUMBER),
    ),
)
def push_water(request: HttpRequest) -> Any:
    return _push(request, "water", "samples")
