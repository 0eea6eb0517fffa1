"""Station pages (监测站点): the station list (``environment.view``, county-scoped), a new push
key (an EEB steward), and the rejected readings (隔离读数; an EEB steward)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shuzhi.platform.security.permissions import has_perm

from .models import Station
from .selectors.stations import (
    county_of,
    is_bureau_steward,
    rejected_visible,
    station_by_code,
    stations_visible,
)
from .services.readings import (
    AIR_LIMITS,
    MAX_ROWS,
    WATER_LIMITS,
    ReadingsRefused,
    station_key_issue,
)

PAGE = 50


def _limits() -> list[tuple[str, float, str]]:
    """What a pushed value may be at most, with its unit (for the page's help)."""
    air = [
        (name, high, "mg/m³" if name == "CO" else "µg/m³")
        for name, (_f, high) in AIR_LIMITS.items()
    ]
    water = [
        (name, high, "" if name == "pH" else "mg/L") for name, (_f, high) in WATER_LIMITS.items()
    ]
    return air + water


def _refused(request: HttpRequest, refusal: ReadingsRefused) -> HttpResponse:
    return render(
        request,
        "environment/refused.html",
        {"status": refusal.status, "code": refusal.code, "message": refusal.message},
        status=refusal.status,
    )


@login_required
def stations(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, "environment.view"):
        raise PermissionDenied("environment.view")
    kind = request.GET.get("kind", "")
    if kind not in Station.Kind.values:
        kind = ""
    listed = stations_visible(request.user, kind=kind or None).annotate(
        last_hour=Max("air_readings__hour"), last_day=Max("water_samples__sampled_on")
    )
    return render(
        request,
        "environment/stations.html",
        {
            "stations": listed,
            "kind": kind,
            "kinds": Station.Kind.choices,
            "may_manage": is_bureau_steward(request.user),
            "county": county_of(request.user),
            "limits": _limits(),
            "max_rows": MAX_ROWS,
        },
    )


@login_required
@require_POST
@never_cache
def station_key(request: HttpRequest, code: str) -> HttpResponse:
    """Issue a new push key and show it once (this page is the only place it appears)."""
    station = station_by_code(code)
    if station is None:
        raise Http404(code)
    try:
        raw = station_key_issue(by=request.user, station=station, request=request)
    except ReadingsRefused as refusal:
        return _refused(request, refusal)
    return render(request, "environment/stations_key.html", {"station": station, "raw_key": raw})


@login_required
def rejected(request: HttpRequest) -> HttpResponse:
    if not is_bureau_steward(request.user):
        raise PermissionDenied("environment.manage")
    kind = request.GET.get("kind", "")
    if kind not in Station.Kind.values:
        kind = ""
    rows = rejected_visible(request.user, kind=kind or None)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    items = [(r, json.dumps(r.payload, ensure_ascii=False, sort_keys=True)[:300]) for r in page]
    return render(
        request,
        "environment/rejected.html",
        {
            "page": page,
            "items": items,
            "kind": kind,
            "kinds": Station.Kind.choices,
            "total": page.paginator.count,
        },
    )
