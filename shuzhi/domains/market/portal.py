"""The market domain's sections of 政企通 (the enterprise portal, policy task 26): "credit" (the
enterprise's current credit-risk class, 信用风险分类) and "cases" (its administrative cases and
penalties, 行政执法案件). Registered in the platform's portal registry from ``apps.py``.

An enterprise user sees only its own credit code (``market.own``, refusal audited); each read is
audited like the credit-class page and the cases list ("market.credit_view", "market.case_view").
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.portal.registry import PortalSection, register_section

from .lenient import violation_name
from .models import Case
from .permissions import require_own_enterprise
from .selectors import credit_class_of, credit_run_current

CASE_ROWS = 20


def _own(request: HttpRequest, action: str) -> str:
    code = str(getattr(request.user, "credit_code", "") or "")
    require_own_enterprise(request.user, code, action=action, request=request)
    return code


def credit_context(request: HttpRequest) -> dict[str, Any]:
    """The current run's class of the caller's own enterprise, with the run's date."""
    code = _own(request, "market.credit_view")
    run = credit_run_current()
    item = credit_class_of(run, code) if run is not None else None
    audit_record(
        action="market.credit_view",
        actor=request.user,
        request=request,
        details={"credit_code": code, "own": True, "portal": True},
    )
    return {
        "run": run,
        "item": item,
        "profile_url": reverse("market:profile", args=[code]),
    }


def cases_context(request: HttpRequest) -> dict[str, Any]:
    """The caller's own enterprise's cases, newest first, with state, outcome and fine."""
    code = _own(request, "market.case_view")
    cases = list(Case.objects.filter(credit_code=code).order_by("-opened_at", "-pk")[:CASE_ROWS])
    for case in cases:
        case.violation_label = violation_name(case.violation)  # type: ignore[attr-defined]
    audit_record(
        action="market.case_view",
        actor=request.user,
        request=request,
        details={"credit_code": code, "own": True, "portal": True, "count": len(cases)},
    )
    return {"cases": cases, "repair_url": reverse("market:repair_apply")}


def register() -> None:
    register_section(
        PortalSection(
            "credit",
            "enterprise",
            _("My credit class"),
            "market/portal/_credit.html",
            credit_context,
        )
    )
    register_section(
        PortalSection(
            "cases", "enterprise", _("My cases"), "market/portal/_cases.html", cases_context
        )
    )
