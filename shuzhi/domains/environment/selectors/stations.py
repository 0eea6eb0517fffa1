"""Stations and rejected readings as a person may see them (county scoping).

City staff (a department of the city) see every station; staff of a county department (or a
town's) see the stations of their county. Permission itself is the caller's check.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.security.permissions import has_perm

from ..models import RejectedReading, Station

MANAGE = "environment.manage"
BUREAU_SUFFIX = "-EEB"  # 生态环境局: 330800-EEB (city), <county>-EEB (county bureaus)
_LOCAL = (Division.Level.COUNTY, Division.Level.TOWN, Division.Level.VILLAGE)


def county_of(user: Any) -> str | None:
    """The county code a user is limited to, or ``None`` for city-wide staff."""
    department = getattr(user, "department", None)
    division = department.division if department is not None else getattr(user, "division", None)
    if division is not None and division.level in _LOCAL:
        return str(division.county_code)
    return None


def is_bureau_steward(user: Any) -> bool:
    """``environment.manage`` in an ecology-and-environment bureau (city or county)."""
    department = getattr(user, "department", None)
    return (
        has_perm(user, MANAGE)
        and department is not None
        and str(department.code).endswith(BUREAU_SUFFIX)
    )


def stations_visible(user: Any, *, kind: str | None = None) -> QuerySet[Station]:
    stations = Station.objects.select_related("division")
    county = county_of(user)
    if county is not None:
        stations = stations.filter(division_id=county)
    if kind:
        stations = stations.filter(kind=kind)
    return stations


def station_by_code(code: str) -> Station | None:
    return Station.objects.select_related("division").filter(code=code).first()


def rejected_visible(user: Any, *, kind: str | None = None) -> QuerySet[RejectedReading]:
    """Rejected readings of the stations a user sees; city staff also see unknown codes."""
    rejected = RejectedReading.objects.all()
    county = county_of(user)
    if county is not None:
        codes = Station.objects.filter(division_id=county).values_list("code", flat=True)
        rejected = rejected.filter(station_code__in=list(codes))
    if kind:
        rejected = rejected.filter(kind=kind)
    return rejected
