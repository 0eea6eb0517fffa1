"""Environment API (django-ninja) at /api/v1/environment: the two compute contracts.

Authentication is the platform's (``shuzhi.api``), as for the carbon calculator: a signed-in
session or an API key in ``X-API-Key``; anonymous calls get 401. Both endpoints only compute
from the caller's numbers and the published standards, and store nothing.

A negative, non-numeric or unknown value, a missing or malformed date, an unknown period or
water body is a 422 in the house envelope with code ``invalid_field``; the message and
``details.field`` name the field (``concentrations.PM2.5``, ``date``, ``water_body`` …).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from shuzhi.platform.errors import error_response

from . import aqi, water

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
