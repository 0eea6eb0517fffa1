"""The leadership cockpit (驾驶舱): key indicators, open warnings on a division map, task flow
and rankings (比晾晒), for the city or one county; the panel refreshes itself every 60 s.

Reads only: the brain's and the loop's selectors. Every number links to the list it counts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shuzhi.platform.accounts.models import Department, Division
from shuzhi.platform.accounts.selectors import division_list
from shuzhi.platform.brain.selectors import indicator_series, key_indicators, open_warnings
from shuzhi.platform.loop.models import OPEN_STATES, State, Task
from shuzhi.platform.loop.permissions import oversight_county
from shuzhi.platform.loop.selectors import ranking, state_counts, tasks_visible_to
from shuzhi.platform.security.permissions import has_perm

DAYS = 30  # the task flow and the rankings look back this many days
REFRESH_SECONDS = 60

# Quzhou's six counties placed roughly as on a map (x east, y north), with their neighbours.
COUNTY_LAYOUT: dict[str, tuple[float, float, str, str]] = {
    "330824": (1.0, 4.0, "开化县", "Kaihua County"),
    "330822": (1.5, 2.4, "常山县", "Changshan County"),
    "330881": (2.2, 0.8, "江山市", "Jiangshan City"),
    "330802": (3.0, 3.0, "柯城区", "Kecheng District"),
    "330803": (4.1, 2.0, "衢江区", "Qujiang District"),
    "330825": (5.3, 3.0, "龙游县", "Longyou County"),
}
NEIGHBOURS = (
    ("330824", "330822"),
    ("330824", "330802"),
    ("330822", "330881"),
    ("330822", "330802"),
    ("330881", "330802"),
    ("330881", "330803"),
    ("330802", "330803"),
    ("330803", "330825"),
)


def _is_zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _url(name: str, *args: Any, **query: Any) -> str:
    base = reverse(name, args=args or None)
    params = {k: v for k, v in query.items() if v not in ("", None)}
    return f"{base}?{urlencode(params)}" if params else base


def _viewer(request: HttpRequest) -> None:
    if not has_perm(request.user, "cockpit.view"):
        raise PermissionDenied("cockpit.view")


def _counties() -> list[Division]:
    return list(division_list(level=Division.Level.COUNTY).order_by("code"))


def _counties_for(request: HttpRequest) -> list[Division]:
    """The counties the viewer may choose: all six, or only the own for a county's people."""
    county = oversight_county(request.user)
    return [c for c in _counties() if county is None or c.code == county]


def _chosen(request: HttpRequest, counties: list[Division]) -> str:
    """The county code asked for, or "" for the whole city (unknown codes fall back to it);
    a county's people always see their county."""
    if oversight_county(request.user) is not None and len(counties) == 1:
        return counties[0].code
    code = request.GET.get("county", "")
    return code if code in {c.code for c in counties} else ""


def _name(code: str, counties: list[Division]) -> str:
    for c in counties:
        if c.code == code:
            return c.name if _is_zh() else (c.name_en or c.name)
    layout = COUNTY_LAYOUT.get(code)
    if layout:
        return layout[2] if _is_zh() else layout[3]
    return code


def _change(series: list[tuple[date, float]]) -> float | None:
    """Change of the last value on the one before, in per cent."""
    if len(series) < 2 or not series[-2][1]:
        return None
    return round(100 * (series[-1][1] - series[-2][1]) / abs(series[-2][1]), 1)


def _indicators(county: str) -> list[dict[str, Any]]:
    cards = []
    for indicator in key_indicators():
        series: list[tuple[date, float]] = indicator.series  # type: ignore[attr-defined]
        local = False
        if county:
            own = indicator_series(indicator, county)
            if own:
                series, local = own, True
        last = series[-1] if series else None
        target = indicator.target if not local else None
        cards.append(
            {
                "id": indicator.pk,
                "name": indicator.name if _is_zh() else (indicator.name_en or indicator.name),
                "unit": indicator.unit,
                "value": round(last[1], 2) if last else None,
                "period": last[0] if last else None,
                "change": _change(series),
                "target": target,
                "progress": round(100 * last[1] / target) if last and target else None,
                "city_wide": bool(county) and not local,
                "spark": [round(v, 2) for _p, v in series[-12:]],
                "url": _url("brain:indicator", indicator.pk, dimension=county if local else ""),
            }
        )
    return cards


def _warning_map(county: str, counties: list[Division]) -> dict[str, Any]:
    per: dict[str, int] = {}
    for code, n in open_warnings().values_list("division_code").annotate(n=Count("id")).order_by():
        key = (code or "")[:6]
        per[key] = per.get(key, 0) + n
    codes = list(COUNTY_LAYOUT) + [c.code for c in counties if c.code not in COUNTY_LAYOUT]
    nodes = []
    for i, code in enumerate(codes):
        x, y, *_names = COUNTY_LAYOUT.get(code, (float(i), -1.0, code, code))
        nodes.append(
            {
                "code": code,
                "name": _name(code, counties),
                "x": x,
                "y": y,
                "count": per.get(code, 0),
                "selected": code == county,
                "url": _url("brain:warnings", division=code),
            }
        )
    shown = set(codes)
    return {
        "nodes": nodes,
        "links": [[a, b] for a, b in NEIGHBOURS if a in shown and b in shown],
        "city_level": sum(n for code, n in per.items() if code not in shown),
    }


def _day_counts(tasks: QuerySet[Task], field: str, since: datetime) -> dict[date, int]:
    rows = (
        tasks.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def _flow(tasks: QuerySet[Task], days: list[date], since: datetime) -> dict[str, Any]:
    opened = _day_counts(tasks, "opened_at", since)
    closed = _day_counts(tasks, "closed_at", since)
    overdue = _day_counts(tasks, "overdue_since", since)
    return {
        "days": [d.isoformat() for d in days],
        "opened": [opened.get(d, 0) for d in days],
        "closed": [closed.get(d, 0) for d in days],
        "overdue": [overdue.get(d, 0) for d in days],
        "totals": {
            "opened": sum(opened.values()),
            "closed": sum(closed.values()),
            "overdue": sum(overdue.values()),
        },
    }


def _ranking(county: str, start: date, end: date, since: datetime, until: datetime) -> Any:
    """Counties compared for the city; the county's own departments for a county."""
    by = "department" if county else "county"
    rows = ranking(by=by, start=since, end=until)
    if county:
        mine = set(
            Department.objects.filter(division__code__startswith=county).values_list(
                "pk", flat=True
            )
        )
        rows = [r for r in rows if r.key.isdigit() and int(r.key) in mine]
    url = _url("loop:rankings", by=by, start=start.isoformat(), end=end.isoformat())
    return {
        "by": by,
        "url": url,
        "rows": [
            {
                "name": r.name,
                "total": r.total,
                "closed": r.closed,
                "overdue": r.overdue,
                "on_time": round(100 * r.on_time_rate, 1) if r.on_time_rate is not None else None,
                "rating": round(r.avg_rating, 2) if r.avg_rating is not None else None,
            }
            for r in rows[:10]
        ],
    }


def cockpit_context(request: HttpRequest) -> dict[str, Any]:
    counties = _counties_for(request)
    county = _chosen(request, counties)
    today = timezone.localdate()
    start = today - timedelta(days=DAYS - 1)
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    days = [start + timedelta(days=i) for i in range(DAYS)]

    tasks = tasks_visible_to(request.user)
    if county:
        tasks = tasks.filter(county_code=county)
    counts = state_counts(tasks)
    open_total = sum(counts.get(s, 0) for s in OPEN_STATES)
    overdue_now = tasks.filter(state__in=OPEN_STATES, overdue=True).count()
    warnings = open_warnings(county or None).count()
    flow = _flow(tasks, days, since)
    closed_30 = tasks.filter(closed_at__gte=since).aggregate(
        closed=Count("id"), on_time=Count("id", filter=Q(closed_on_time=True))
    )
    on_time_rate = (
        round(100 * closed_30["on_time"] / closed_30["closed"], 1) if closed_30["closed"] else None
    )
    where = {"county": county, "scope": "all"}
    tasks_url = _url("loop:index", **where)
    states = [
        {
            "state": value,
            "label": str(label),
            "count": counts.get(value, 0),
            "url": _url("loop:index", state=value, **where),
        }
        for value, label in State.choices
        if value != State.CANCELLED
    ]
    warning_url = _url("brain:warnings", division=county)
    rank = _ranking(county, start, today, since, until)
    figures = [
        {
            "id": "open-tasks",
            "label": _("Open tasks"),
            "value": open_total,
            "unit": _("tasks"),
            "url": _url("loop:index", open="1", **where),
        },
        {
            "id": "overdue-tasks",
            "label": _("Overdue now"),
            "value": overdue_now,
            "unit": _("tasks"),
            "url": _url("loop:index", overdue="1", **where),
            "alert": overdue_now > 0,
        },
        {
            "id": "open-warnings",
            "label": _("Open warnings"),
            "value": warnings,
            "unit": _("warnings"),
            "url": warning_url,
            "alert": warnings > 0,
        },
        {
            "id": "opened-30",
            "label": _("Opened in %(days)s days") % {"days": DAYS},
            "value": flow["totals"]["opened"],
            "unit": _("tasks"),
            "url": _url("loop:index", opened_since=start.isoformat(), **where),
        },
        {
            "id": "closed-30",
            "label": _("Closed in %(days)s days") % {"days": DAYS},
            "value": flow["totals"]["closed"],
            "unit": _("tasks"),
            "url": _url("loop:index", closed_since=start.isoformat(), **where),
        },
        {
            "id": "on-time-rate",
            "label": _("Closed on time"),
            "value": on_time_rate,
            "unit": "%",
            "url": rank["url"],
        },
    ]
    chart = {
        "flow": {k: flow[k] for k in ("days", "opened", "closed", "overdue")},
        "map": _warning_map(county, counties),
        "states": states,
        "ranking": rank,
        "sparks": {},
        "labels": {
            "opened": _("Opened"),
            "closed": _("Closed"),
            "overdue": _("Became overdue"),
            "warnings": _("Open warnings"),
            "tasks": _("Tasks"),
            "on_time": _("On-time closure rate (%)"),
        },
    }
    indicators = _indicators(county)
    chart["sparks"] = {str(i["id"]): i["spark"] for i in indicators}
    return {
        "county_code": county,
        "county_locked": oversight_county(request.user) is not None,
        "county_name": _name(county, counties) if county else "",
        "counties": [(c.code, _name(c.code, counties)) for c in counties],
        "figures": figures,
        "indicators": indicators,
        "states": states,
        "flow": flow,
        "map": chart["map"],
        "ranking": rank,
        "chart": chart,
        "tasks_url": tasks_url,
        "warning_url": warning_url,
        "start": start,
        "end": today,
        "days": DAYS,
        "refresh_seconds": REFRESH_SECONDS,
        "panel_url": _url("web:cockpit_panel", county=county),
        "updated_at": timezone.localtime(),
    }


@login_required
@require_GET
def cockpit(request: HttpRequest) -> HttpResponse:
    """The cockpit page; to an HTMX request (the county selector) only its panel."""
    _viewer(request)
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not getattr(htmx, "history_restore_request", False)
    template = "web/_cockpit_panel.html" if partial else "web/cockpit.html"
    response = render(request, template, cockpit_context(request))
    # The same URL answers with the panel or the page: caches (and Back) must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def cockpit_panel(request: HttpRequest) -> HttpResponse:
    """The refreshed part of the cockpit (polled every 60 s).

    When the session has ended, a poll sends the whole window to the sign-in page instead of
    swapping the sign-in form into the panel.
    """
    if not request.user.is_authenticated:
        back = _url("web:cockpit", county=request.GET.get("county", ""))
        if getattr(request, "htmx", False):
            login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}"
            return HttpResponse(status=204, headers={"HX-Redirect": login})
        return redirect_to_login(back)
    _viewer(request)
    return render(request, "web/_cockpit_panel.html", cockpit_context(request))
