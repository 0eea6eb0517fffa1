"""Pages of 免申即享 (benefits without applying): the department's review list, a policy's rule
versions, a draft's parameters with its dry run, the runs, and the beneficiary's grant page.
Thin: the services check, refuse and audit."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import User
from shuzhi.platform.security.permissions import has_perm

from .models import BenefitGrant, BenefitPolicy, RuleVersion
from .permissions import require_audited, require_department
from .rules import RULES
from .selectors.benefits import (
    department_policies,
    grant_counts,
    grants_for_review,
    policy_versions,
    recent_runs,
)
from .services.benefits import (
    BenefitRefused,
    benefit_confirm,
    benefit_decline,
    eligibility_run,
    grant_review,
    grant_view,
    rule_activate,
    rule_draft,
    rule_dry_run,
)

PAGE = 100


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _staff(request: HttpRequest, action: str) -> User:
    """A clerk, approver or steward (audited refusal otherwise)."""
    user = _user(request)
    perm = "services.manage" if has_perm(user, "services.manage") else "services.handle"
    require_audited(user, perm, action=action, request=request)
    return user


def _steward_of(request: HttpRequest, policy: BenefitPolicy) -> User:
    user = _user(request)
    perm = "services.manage" if has_perm(user, "services.manage") else "services.handle"
    require_department(
        user, perm, policy.department_id, action="services.benefit_view", request=request
    )
    return user


@login_required
def benefits(request: HttpRequest) -> HttpResponse:
    """The department's policies and the findings to review, with bulk approve / reject."""
    user = _staff(request, "services.benefit_view")
    department = user.department_id
    filters = {
        "policy": request.GET.get("policy", ""),
        "state": request.GET.get("state", BenefitGrant.State.FOUND),
        "county": request.GET.get("county", "")[:6],
        "period": request.GET.get("period", "")[:7],
    }
    found = grants_for_review(department, **filters)
    if request.method == "POST":
        ids = [g for g in request.POST.getlist("grant") if g.isdigit()]  # not a server error
        chosen = found.filter(pk__in=ids)
        if request.POST.get("all") == "1":
            chosen = found
        try:
            count = grant_review(
                grants=chosen,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
                by=user,
                request=request,
            )
        except BenefitRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("%(n)d findings reviewed.") % {"n": count})
        return redirect(request.get_full_path())
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    policies = list(department_policies(department))
    counts = grant_counts(department)
    return render(
        request,
        "services/benefits/list.html",
        {
            "policies": [(p, counts.get(p.code, {})) for p in policies],
            "page": page,
            "count": found.count(),
            "filters": filters,
            "states": BenefitGrant.State.choices,
            "can_review": has_perm(user, "services.handle"),
        },
    )


@login_required
def benefit_policy(request: HttpRequest, code: str) -> HttpResponse:
    """A policy's rule versions: parameters, dry runs, make live, new draft."""
    policy = get_object_or_404(BenefitPolicy, code=code)
    user = _steward_of(request, policy)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "activate":
                number = str(request.POST.get("number", ""))
                version = get_object_or_404(
                    RuleVersion, policy=policy, number=int(number) if number.isdigit() else 0
                )
                rule_activate(version=version, by=user, request=request)
                messages.success(request, _("Version %(n)d is live.") % {"n": version.number})
            else:
                live = policy.versions.filter(state=RuleVersion.State.LIVE).first()
                base = live or policy.versions.first()
                version = rule_draft(
                    policy=policy,
                    parameters_yaml=base.parameters if base else "",
                    note=_("Copy of version %(n)d") % {"n": base.number} if base else "",
                    by=user,
                    request=request,
                )
                return redirect("services:benefit_rule", code=policy.code, number=version.number)
        except BenefitRefused as refusal:
            messages.error(request, refusal.message)
        return redirect("services:benefit_policy", code=policy.code)
    return render(
        request,
        "services/benefits/policy.html",
        {
            "policy": policy,
            "rule": RULES.get(policy.code),
            "versions": policy_versions(policy),
            "can_manage": has_perm(user, "services.manage"),
        },
    )


@login_required
def benefit_rule(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """One rule version: its parameter YAML (editable while a draft) and its dry run."""
    policy = get_object_or_404(BenefitPolicy, code=code)
    user = _steward_of(request, policy)
    version = get_object_or_404(RuleVersion, policy=policy, number=number)
    text = version.parameters
    error = ""
    if request.method == "POST":
        text = request.POST.get("parameters", "")
        try:
            if request.POST.get("action") == "dry_run":
                rule_dry_run(version=version, by=user, request=request)
                messages.success(request, _("Dry run done."))
            elif request.POST.get("action") == "activate":
                rule_activate(version=version, by=user, request=request)
                messages.success(request, _("Version %(n)d is live.") % {"n": version.number})
            else:
                rule_draft(
                    policy=policy,
                    parameters_yaml=text,
                    note=request.POST.get("note", ""),
                    version=version,
                    by=user,
                    request=request,
                )
                messages.success(request, _("Draft saved. Dry-run it before making it live."))
            return redirect("services:benefit_rule", code=code, number=number)
        except BenefitRefused as refusal:
            error = refusal.message
    dry = version.dry_run or {}
    return render(
        request,
        "services/benefits/rule.html",
        {
            "policy": policy,
            "version": version,
            "text": text,
            "error": error,
            "dry": dry,
            "by_county": sorted((dry.get("by_county") or {}).items()),
            "can_manage": has_perm(user, "services.manage"),
        },
        status=400 if error else 200,
    )


@login_required
def benefit_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """Why a benefit was found (the conditions that held), the amount, confirm or decline."""
    grant = get_object_or_404(BenefitGrant.objects.select_related("policy", "run"), pk=pk)
    user = _user(request)
    who = grant_view(grant=grant, by=user, request=request)
    if request.method == "POST":
        if who != "beneficiary":
            raise PermissionDenied
        answer = benefit_confirm if request.POST.get("answer") == "confirm" else benefit_decline
        try:
            answer(grant=grant, by=user, request=request)
        except BenefitRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Thank you: your answer is recorded."))
        return redirect("services:benefit_grant", pk=grant.pk)
    return render(
        request,
        "services/benefits/grant.html",
        {"grant": grant, "who": who, "english": (request.LANGUAGE_CODE or "").startswith("en")},
    )


@login_required
def benefit_runs(request: HttpRequest) -> HttpResponse:
    """The eligibility runs; a steward may start one for the current month."""
    user = _staff(request, "services.benefit_view")
    if request.method == "POST":
        today = timezone.localdate()
        run = eligibility_run(period=f"{today.year}-{today.month:02d}", by=user, request=request)
        if run.state == run.State.COMPLETE:
            messages.success(request, _("Run %(pk)d complete.") % {"pk": run.pk})
        else:
            messages.error(request, _("Run %(pk)d failed.") % {"pk": run.pk})
        return redirect("services:benefit_runs")
    runs: list[Any] = list(recent_runs())
    return render(
        request,
        "services/benefits/runs.html",
        {"runs": runs, "can_run": has_perm(user, "services.manage")},
    )
