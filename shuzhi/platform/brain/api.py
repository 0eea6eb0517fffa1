"""The brain API router (under /api/v1/brain/): indicators, series, open warnings."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Indicator
from .selectors import can_view, indicator_list, indicator_series, open_warnings

router = Router(tags=["brain"])


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    dataset: str
    unit: str
    target: float | None
    key: bool
    computed_at: datetime | None


class PointOut(Schema):
    period: date
    value: float


class WarningOut(Schema):
    id: int
    rule: str
    indicator: str
    period: date
    dimension_value: str
    value: float
    expected: float | None
    message: str
    state: str
    task_id: int | None
    division_code: str


def _viewer(request: HttpRequest) -> None:
    if not can_view(request.user):
        raise PermissionDenied("brain.view")


@router.get("/indicators", response=list[IndicatorOut], summary="Indicators (指标)")
def indicators(request: HttpRequest) -> list[IndicatorOut]:
    _viewer(request)
    return [
        IndicatorOut(
            id=i.pk,
            code=i.code,
            name=i.name,
            dataset=i.dataset.code,
            unit=i.unit,
            target=i.target,
            key=i.key,
            computed_at=i.computed_at,
        )
        for i in indicator_list()
    ]


@router.get(
    "/indicators/{indicator_id}/series",
    response=list[PointOut],
    summary="An indicator's series: the total, or one dimension value",
)
def series(request: HttpRequest, indicator_id: int, dimension: str = "") -> list[PointOut]:
    _viewer(request)
    indicator = get_object_or_404(Indicator, pk=indicator_id)
    return [PointOut(period=p, value=v) for p, v in indicator_series(indicator, dimension)]


@router.get("/warnings", response=list[WarningOut], summary="Open warnings (预警)")
def warnings(request: HttpRequest, division: str = "") -> list[WarningOut]:
    _viewer(request)
    return [
        WarningOut(
            id=w.pk,
            rule=w.rule.name,
            indicator=w.rule.indicator.code,
            period=w.period,
            dimension_value=w.dimension_value,
            value=w.value,
            expected=w.expected,
            message=w.message,
            state=w.state,
            task_id=w.task_id,
            division_code=w.division_code,
        )
        for w in open_warnings(division or None)[:500]
    ]
