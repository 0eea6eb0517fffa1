"""Pages of intellectual property and quality (知识产权 · 质量), thin: an enterprise's patents,
trademarks and spot checks; the quality overview with its chart; infringement complaints."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.security.permissions import has_perm

from .models import InfringementComplaint
from .permissions import regulator_reach
from .services.ip import (
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_NUMBER,
    IpRefused,
    complaint_get,
    complaint_list_mine,
    complaint_list_regulated,
    complaint_lodge,
    ip_enterprise_read,
    quality_overview,
    require_complainant,
)

PAGE = 50


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "market/ip/refused.html", {"message": message}, status=status)


@login_required
def ip_enterprise(request: HttpRequest, credit_code: str) -> HttpResponse:
    """An enterprise's patents, trademarks and quality spot checks."""
    try:
        found = ip_enterprise_read(credit_code=credit_code, by=request.user, request=request)
    except IpRefused as refusal:
        return _refused(request, refusal.message)
    return render(
        request,
        "market/ip/enterprise.html",
        {
            "ip": found,
            "regulator": has_perm(request.user, "market.view"),
            "own": getattr(request.user, "credit_code", "") == found.credit_code,
        },
    )


@login_required
def quality(request: HttpRequest) -> HttpResponse:
    """Pass rates of the product quality spot checks by county and industry, with a chart."""
    data = quality_overview(by=request.user, request=request)
    return render(request, "market/ip/quality.html", {"data": data})


class ComplaintForm(forms.Form):
    right = forms.ChoiceField(label=_("Kind of right"), choices=InfringementComplaint.Right.choices)
    right_number = forms.CharField(label=_("Registration or patent number"), max_length=MAX_NUMBER)
    holder_name = forms.CharField(label=_("Right holder"), max_length=MAX_NAME)
    respondent_code = forms.CharField(
        label=_("Respondent's unified social credit code"),
        max_length=40,
        help_text=_("The enterprise you believe infringes the right."),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Where and when you found it, the products or signs concerned."),
    )


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    """The complaint form; a valid complaint opens a loop task for the county regulator."""
    require_complainant(request.user, request=request)
    form = ComplaintForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                complaint = complaint_lodge(by=request.user, request=request, **form.cleaned_data)
            except IpRefused as refusal:
                form.add_error(refusal.field or None, refusal.message)
            else:
                messages.success(
                    request,
                    _("Your complaint was lodged; the county market regulator handles it."),
                )
                return redirect("market:complaint", pk=complaint.pk)
        status = 400
    return render(request, "market/ip/complaint_form.html", {"form": form}, status=status)


@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    """The complaints one lodged and, for a regulator, those of the counties one regulates."""
    user = request.user
    reach = regulator_reach(user)
    if reach is None and not has_perm(user, "loop.report"):
        require_complainant(user, request=request)  # audits the refusal and raises
    context: dict[str, Any] = {"reach": reach}
    if has_perm(user, "loop.report"):
        context["mine"] = complaint_list_mine(by=user, request=request)
    if reach is not None:
        county = request.GET.get("county", "").strip()[:6]
        regulated = complaint_list_regulated(by=user, county_code=county, request=request)
        page = Paginator(regulated, PAGE).get_page(request.GET.get("page"))
        names = dict(
            Division.objects.filter(code__in={c.county_code for c in page}).values_list(
                "code", "name"
            )
        )
        for item in page:
            item.county_name = names.get(item.county_code, item.county_code)  # type: ignore[attr-defined]
        context.update(page=page, county=county)
    return render(request, "market/ip/complaints.html", context)


@login_required
def complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """One complaint with its task's state."""
    try:
        found = complaint_get(by=request.user, pk=pk, request=request)
    except InfringementComplaint.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "market/ip/complaint.html",
        {"complaint": found, "own": found.complainant_id == request.user.pk},
    )
