"""Who regulates what (监管辖区): the market departments of the city and its counties.

A *regulator* holds ``market.regulate`` and works in a market-supervision department: the city's
(``settings.MARKET_DEPARTMENT``, e.g. ``330800-AMR``, reach: the whole city) or a county's (the
county's division code with the same suffix, e.g. ``330802-AMR``, reach: that county). An
*inspector* (执法检查人员) holds ``market.inspect``. An enterprise user (``market.own``) acts only
for the enterprise of its ``credit_code``.

Every ``require_…`` here audits its refusal under the action the caller names, so a service
calls one of them first and needs no check of its own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.permissions import has_perm

CITY_LENGTH = 6


def market_suffix() -> str:
    """The department-code suffix of market departments (``AMR`` of ``330800-AMR``)."""
    return str(settings.MARKET_DEPARTMENT).rpartition("-")[2]


def county_market_department(county_code: str) -> str:
    """The code of a county's market department (the regulator of enterprises there)."""
    return f"{county_code}-{market_suffix()}"


def regulator_reach(user: Any) -> str | None:
    """``""`` for a city regulator (every county), a county code for a county regulator, or
    ``None`` for someone who is not a regulator."""
    if not has_perm(user, "market.regulate"):
        return None
    code = str(getattr(getattr(user, "department", None), "code", "") or "")
    if code == settings.MARKET_DEPARTMENT:
        return ""
    division, _sep, suffix = code.rpartition("-")
    if suffix == market_suffix() and len(division) == CITY_LENGTH:
        city = str(settings.MARKET_DEPARTMENT).partition("-")[0]
        if division[:4] == city[:4] and division != city:
            return division
    return None


def regulates(user: Any, county_code: str | None) -> bool:
    """True when ``user`` regulates enterprises of ``county_code`` (``None``: city-wide work)."""
    reach = regulator_reach(user)
    if reach is None:
        return False
    return reach == "" or (county_code is not None and reach == county_code)


def _deny(user: Any, perm: str, action: str, request: HttpRequest | None, **details: Any) -> None:
    audit_record(
        action=action,
        actor=user if getattr(user, "is_authenticated", False) else None,
        outcome=Outcome.DENIED,
        request=request,
        details={"missing": perm, **details},
    )
    raise PermissionDenied(perm)


def require_regulator(
    user: Any,
    *,
    county_code: str | None = None,
    action: str,
    request: HttpRequest | None = None,
) -> str:
    """Raise ``PermissionDenied`` (audited) unless ``user`` regulates ``county_code``
    (``None``: work of the whole city, which needs the city department). Returns the reach."""
    if not regulates(user, county_code):
        _deny(user, "market.regulate", action, request, county=county_code or "")
    reach = regulator_reach(user)
    assert reach is not None
    return reach


def require_audited(
    user: Any, perm: str, *, action: str, request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited under ``action``) unless ``user`` holds ``perm``."""
    if not has_perm(user, perm):
        _deny(user, perm, action, request)


def require_inspector(user: Any, *, action: str, request: HttpRequest | None = None) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``user`` holds ``market.inspect``."""
    require_audited(user, "market.inspect", action=action, request=request)


def require_own_enterprise(
    user: Any, credit_code: str, *, action: str, request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``user`` is the enterprise user acting for
    ``credit_code`` (an enterprise user without a credit code acts for none)."""
    own = str(getattr(user, "credit_code", "") or "")
    if not has_perm(user, "market.own") or not own or own != credit_code:
        _deny(user, "market.own", action, request, credit_code=str(credit_code)[:40])


def require_viewer(user: Any, *, action: str, request: HttpRequest | None = None) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``user`` holds ``market.view``."""
    require_audited(user, "market.view", action=action, request=request)
