"""The environment dashboards (生态环境驾驶舱): AQI calendar, trends, sections, exceedance, alerts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhi.platform.security.permissions import has_perm

from .aqi import LEVELS
from .services.publish import results_publish
from .services.results import ResultsRefused, dashboard_view

MIN_YEAR = 2000


def _year(raw: str) -> int | None:
    today = timezone.localdate()
    if not raw:
        return today.year
    # ASCII digits only ("²".isdigit() but int("²") fails), and no 5000-digit int()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        return None
    if not MIN_YEAR <= int(raw) <= today.year + 1:
        return None
    return int(raw)


def _chart(data: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw (json_script); every chart has a table beside it."""
    return {
        "year": data["year"],
        "calendar": data["calendar"],
        "max_aqi": max(data["max_aqi"], 300),
        "levels": [
            {
                "min": (LEVELS[i - 1].upper + 1) if i else 0,
                "max": lv.upper if i < 5 else 500,
                "color": lv.color,
                "label": _(lv.category_en),
            }
            for i, lv in enumerate(LEVELS)
        ],
        "trend_days": data["trend_days"],
        "trends": data["trends"],
        "sections": [
            {
                "name": s.station.name,
                "county": data["county_names"].get(s.station.division_id, ""),
                "value": [float(s.station.longitude), float(s.station.latitude)],
                "class": s.water_class or "—",
                "target": s.target or "—",
                "worse": s.worse,
            }
            for s in data["sections"]
        ],
        "exceedance": {
            "names": [row["name"] for row in data["exceedance"]],
            "series": [
                {
                    "name": _(lv.category_en),
                    "color": lv.color,
                    "data": [row["levels"][i] for row in data["exceedance"]],
                }
                for i, lv in enumerate(LEVELS)
            ],
        },
        "labels": {
            "aqi": "AQI",
            "class_worse": _("Worse than target"),
            "class_met": _("Meets target"),
            "days": _("Days"),
        },
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year", ""))
    county = request.GET.get("county", "")
    if year is None:
        return render(
            request,
            "environment/refused.html",
            {
                "message": _("year: give a year such as %(year)s.")
                % {"year": timezone.localdate().year}
            },
            status=400,
        )
    try:
        data = dashboard_view(by=request.user, county=county or None, year=year, request=request)
    except ResultsRefused as refused:
        return render(
            request, "environment/refused.html", {"message": refused.message}, status=refused.status
        )
    if county and not data["locked"] and county not in data["county_names"]:
        return render(
            request,
            "environment/refused.html",
            {"message": _("county: no station lies in county %(code)s.") % {"code": county}},
            status=400,
        )
    today = timezone.localdate()
    return render(
        request,
        "environment/index.html",
        {
            "data": data,
            "chart": _chart(data),
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "county": data["county"],
            "county_name": data["county_names"].get(data["county"], ""),
            # the city bureau's stewards publish (a county steward would only be refused)
            "may_publish": has_perm(request.user, "environment.manage")
            and getattr(getattr(request.user, "department", None), "code", "")
            == settings.ENVIRONMENT_DEPARTMENT,
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """Publish the results as catalogue datasets (a data steward of the city ecology bureau)."""
    try:
        versions = results_publish(by=request.user, request=request)  # type: ignore[arg-type]
    except PermissionDenied:
        return render(
            request,
            "environment/refused.html",
            {"message": _("Only a data steward of the city ecology bureau publishes the results.")},
            status=403,
        )
    messages.success(
        request,
        _("Published: %(versions)s.")
        % {"versions": ", ".join(f"{code} v{n}" for code, n in versions.items())},
    )
    return redirect("environment:index")
