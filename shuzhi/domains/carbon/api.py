"""Carbon API (django-ninja) at /api/v1/carbon.

Authentication is the platform's (``shuzhi.api``): a signed-in session or an API key in
``X-API-Key``; anonymous calls get 401. Any signed-in user or key may use the calculator: it
reads only the public emission factors and the caller's own numbers, and stores nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from shuzhi.platform.errors import error_response

from . import standard
from .factor_table import active_factor_table

router = Router(tags=["carbon"])
MAX_QUANTITY = 1e15


class ActivityIn(Schema):
    source: str = Field(
        ...,
        max_length=48,
        description="raw_coal, fuel_oil, gasoline, diesel, lpg, natural_gas, "
        "electricity, heat, exported_electricity or exported_heat",
    )
    # bounded so that no sum of up to 1000 activities overflows to Infinity, which JSON cannot
    # carry; far above any enterprise's or city's yearly use in any accepted unit
    quantity: float = Field(..., le=MAX_QUANTITY, description="Amount, not negative")
    unit: str = Field(..., max_length=16, description="t, kg, 10^4Nm3, Nm3, MWh, kWh or GJ")


class CalculateIn(Schema):
    year: int = Field(..., ge=1990, le=2100)
    region: str = Field(
        "330800", max_length=16, description="GB/T 2260 code, east_china or national"
    )
    activities: list[ActivityIn] = Field(..., max_length=1000)


class GridOut(Schema):
    value: float
    region: str
    year: int
    source: str
    fallback: str


class CalculateOut(Schema):
    total_tco2: float
    by_source: dict[str, float]
    factor_version: str
    grid_factor: GridOut | None
    factors: dict[str, float]


def _invalid(exc: standard.InvalidActivities) -> JsonResponse:
    valid = exc.valid
    listing = "; ".join(f"{source} ({', '.join(units)})" for source, units in valid.items())
    which = ", ".join(str(p["index"] + 1) for p in exc.problems)
    message = _(
        "Activity %(which)s has an unknown source or unit, or a negative quantity. "
        "Valid sources and units: %(valid)s."
    ) % {"which": which, "valid": listing}
    return error_response(
        422, "invalid_activities", message, {"problems": exc.problems, "valid": valid}
    )


@router.post(
    "/calculate",
    response=CalculateOut,
    summary="Emissions of a list of activities (碳排放计算器)",
    description=(
        "Fuel combustion, purchased electricity and heat minus exports, with the active "
        "emission-factor set (or the built-in default-2024). The grid factor is that of the "
        "region and year; else the region's nearest earlier year; else the same for the city, "
        "the province (330000 for 3308xx), the East China grid, and the national average. "
        "`grid_factor` says which was used."
    ),
)
def calculate(request: HttpRequest, payload: CalculateIn) -> Any:
    factors = active_factor_table()
    try:
        result = standard.calculate(
            [a.dict() for a in payload.activities],
            factors,
            year=payload.year,
            region=payload.region.strip(),
        )
    except standard.InvalidActivities as exc:
        return _invalid(exc)
    return result.as_dict()
