"""The citizen portal (我的办事, /services/me/) and the enterprise portal (政企通,
/services/enterprise/): one card per slot, each filled by the module registered for it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.refusals import audit_refusal
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.portal.registry import Audience, section_for

from .permissions import require_audited, require_enterprise
from .portal import NO_RESIDENT, PORTAL_ACTION, SLOT_TITLES, own_credit_code
from .selectors.portal import (
    CITIZEN_SLOTS,
    ENTERPRISE_SLOTS,
    enterprise_name,
    link,
    resident_of,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Card:
    """One slot of a portal: ``state`` is ok / unavailable / missing / error."""

    slot: str
    title: Any
    state: str
    html: SafeString | str = ""
    message: Any = ""


def _card(request: HttpRequest, audience: Audience, slot: str) -> Card:
    section = section_for(audience, slot)
    if section is None:
        return Card(slot, SLOT_TITLES.get(slot, slot), "missing")
    try:
        context = dict(section.context(request))
        if context.get("unavailable"):
            return Card(slot, section.title, "unavailable", message=context["unavailable"])
        html = render_to_string(section.template, {**context, "slot": slot}, request=request)
    except PermissionDenied:
        return Card(slot, section.title, "unavailable", message="")
    except Exception:  # one failing module must not take the portal down
        logger.exception("portal section %s/%s failed", audience, slot)
        return Card(slot, section.title, "error")
    return Card(slot, section.title, "ok", html=mark_safe(html))  # noqa: S308 (our template)


def cards(request: HttpRequest, audience: Audience, slots: tuple[str, ...]) -> list[Card]:
    return [_card(request, audience, slot) for slot in slots]


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The resident's own portal: applications, e-licences, benefits (mobile first)."""
    require_audited(request.user, "services.apply", action=PORTAL_ACTION, request=request)
    resident = resident_of(request.user)
    audit_record(
        action=PORTAL_ACTION,
        actor=request.user,
        request=request,
        details={"portal": "citizen", "resident": resident is not None},
    )
    return render(
        request,
        "services/portal/me.html",
        {
            "resident": resident,
            "no_resident": NO_RESIDENT,
            "cards": cards(request, "citizen", CITIZEN_SLOTS),
            "catalogue_url": link("services:index"),
            "enterprise_url": link("services:enterprise_portal")
            if "enterprise" in getattr(request.user, "role_codes", ()) and own_credit_code(request)
            else None,
        },
    )


def _require_enterprise_user(request: HttpRequest) -> str:
    """An enterprise's own user (role enterprise with a credit code); staff, residents and
    others are refused (audited)."""
    user = request.user
    code = own_credit_code(request)
    if "enterprise" not in getattr(user, "role_codes", ()):
        audit_refusal(
            action=PORTAL_ACTION,
            by=user,
            code="permission",
            request=request,
            outcome=Outcome.DENIED,
            details={"portal": "enterprise", "reason": "not an enterprise user"},
        )
        raise PermissionDenied("services.enterprise_portal: not an enterprise user")
    require_enterprise(user, code, action=PORTAL_ACTION, request=request)
    return code


@login_required
def enterprise_portal(request: HttpRequest) -> HttpResponse:
    """政企通: the enterprise's licences, benefits, credit class, carbon account, cases and the
    policies that apply to it."""
    code = _require_enterprise_user(request)
    audit_record(
        action=PORTAL_ACTION,
        actor=request.user,
        request=request,
        details={"portal": "enterprise", "credit_code": code},
    )
    return render(
        request,
        "services/portal/enterprise.html",
        {
            "credit_code": code,
            "name": enterprise_name(code),
            "cards": cards(request, "enterprise", ENTERPRISE_SLOTS),
            "catalogue_url": link("services:index"),
        },
    )
