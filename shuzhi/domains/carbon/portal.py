"""The carbon domain's section of 政企通 (the enterprise portal): "carbon" — the enterprise's
latest carbon account (碳账户): colour, 碳效码 level, emissions and intensity, with a link to its
own carbon page. Registered in the platform's portal registry from ``apps.py``.

The read goes through ``account_read`` like the enterprise's own page (``carbon:mine``): only its
own credit code (``carbon.own``), audited as "carbon.account_read".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.portal.registry import PortalSection, register_section
from shuzhi.platform.security.permissions import has_perm

from .selectors import account_get, colour_label
from .services.finance import account_read


def carbon_context(request: HttpRequest) -> dict[str, Any]:
    """The caller's own latest account (the current run of the latest year)."""
    user = request.user
    code = str(getattr(user, "credit_code", "") or "").strip()
    if not code or not has_perm(user, "carbon.own"):
        audit_record(
            action="carbon.account_read",
            actor=user if getattr(user, "is_authenticated", False) else None,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "permission", "portal": True},
        )
        raise PermissionDenied("carbon.own")
    if not account_read(by=user, credit_code=code, request=request):
        raise PermissionDenied("carbon.own")  # not its own account: never shown here
    account = account_get(credit_code=code)
    return {
        "account": account,
        "colour": account.colour if account else "",
        "colour_label": colour_label(account.colour) if account else "",
        "level": account.efficiency_level if account else None,
        "mine_url": reverse("carbon:mine"),
    }


def register() -> None:
    register_section(
        PortalSection(
            "carbon",
            "enterprise",
            _("My carbon account"),
            "carbon/portal/_carbon.html",
            carbon_context,
        )
    )
