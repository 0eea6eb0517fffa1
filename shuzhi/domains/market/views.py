"""Market supervision pages (thin): the credit-risk classes' distribution by county and industry,
an enterprise's class with the indicators that drove it, and the classification run."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhi.platform.accounts.models import User
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.permissions import has_perm

from .credit import CLASSES
from .models import CreditClass
from .selectors import (
    credit_class_list,
    credit_class_of,
    credit_distribution,
    credit_run_current,
    credit_run_latest,
    explanation_rows,
    hub_links,
)
from .services.credit import CreditRefused, credit_classify, require_market_steward

PAGE = 50


def _require_view(request: HttpRequest) -> None:
    if not has_perm(request.user, "market.view"):
        raise PermissionDenied("market.view")


def _may_run(request: HttpRequest) -> bool:
    from django.conf import settings

    user = request.user
    return has_perm(user, "warehouse.ingest") and (
        getattr(getattr(user, "department", None), "code", None) == settings.MARKET_DEPARTMENT
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The distribution of the current run's classes, the lowest scores, a credit-code lookup,
    and the hub of market pages; an enterprise user lands on its own page instead."""
    if not has_perm(request.user, "market.view") and has_perm(request.user, "market.own"):
        return redirect("market:mine")
    _require_view(request)
    run = credit_run_current()
    grade = request.GET.get("class", "")
    if grade not in CLASSES:
        grade = ""
    context: dict[str, object] = {
        "run": run,
        "latest": credit_run_latest(),
        "may_run": _may_run(request),
        "grade": grade,
        "classes": CLASSES,
        "hub": hub_links(request.user),
    }
    if run is not None:
        page = Paginator(credit_class_list(run, credit_class=grade), PAGE).get_page(
            request.GET.get("page")
        )
        context.update(data=credit_distribution(run), page=page)
    return render(request, "market/index.html", context)


def public(request: HttpRequest) -> HttpResponse:
    """The public face of market supervision (no sign-in): notices, lists and results (公示)."""
    return render(request, "market/public.html", {"hub": hub_links(request.user)})


@login_required
def lookup(request: HttpRequest) -> HttpResponse:
    """A credit code typed in: its page, or the validator's reason why it is not one."""
    _require_view(request)
    code = request.GET.get("credit_code", "").strip().upper()
    checked = check_credit_code(code)
    if not checked.valid:
        return render(
            request,
            "market/refused.html",
            {"message": _("Invalid credit code: %(reason)s") % {"reason": checked.reason}},
            status=400,
        )
    return redirect("market:enterprise", credit_code=checked.normalised)


@login_required
def enterprise(request: HttpRequest, credit_code: str) -> HttpResponse:
    """An enterprise's class, score and the indicators that drove it (the stored explanation)."""
    _require_view(request)
    checked = check_credit_code(credit_code)
    if not checked.valid:
        return render(
            request,
            "market/refused.html",
            {"message": _("Invalid credit code: %(reason)s") % {"reason": checked.reason}},
            status=400,
        )
    run = credit_run_current()
    item: CreditClass | None = credit_class_of(run, checked.normalised) if run else None
    return render(
        request,
        "market/enterprise.html",
        {
            "run": run,
            "credit_code": checked.normalised,
            "item": item,
            "drivers": explanation_rows(item) if item else [],
        },
        status=200 if item else 404,
    )


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """Start a classification now (a data steward of the market department)."""
    user = cast(User, request.user)
    require_market_steward(user, request=request)
    try:
        done = credit_classify(by=user, request=request)
    except CreditRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Classification run #%(number)s classified %(count)s enterprises.")
            % {"number": done.pk, "count": done.report.get("enterprises", 0)},
        )
    return redirect("market:index")
