"""Life-cycle pages (thin): the registry list, an enterprise's life cycle with the regulator's
actions, the enterprise's own deregistration, the public notices with their objection forms,
and the 一企一档 profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.opendata.ratelimit import over_limit
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.permissions import has_perm

from .models import Deregistration, Enterprise
from .permissions import regulates, regulator_reach
from .profile import (
    deregistrations_of,
    enterprise_get,
    events_of,
    masked_representative,
    notices_on_notice,
    pending_deregistration,
    profile_read,
    registry_list,
    viewer_reach,
)
from .services.lifecycle import (
    CHANGEABLE,
    LifecycleRefused,
    abnormal_list,
    abnormal_remove,
    annual_report_record,
    deregistration_apply,
    deregistration_decide,
    deregistration_object,
    deregistration_withdraw,
    enterprise_change,
    enterprise_register,
    enterprise_revoke,
)

PAGE = 30


# --- Forms --------------------------------------------------------------------------------------


class _Styled(forms.Form):
    """Bootstrap classes on every widget (labels above inputs, UX.md form pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)


class RegisterForm(_Styled):
    credit_code = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    enterprise_type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=Enterprise.Kind.choices, initial=Enterprise.Kind.LIMITED
    )
    legal_representative = forms.CharField(
        label=gettext_lazy("Legal representative"), max_length=64
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300)
    county_code = forms.ChoiceField(label=gettext_lazy("County"))
    town_code = forms.CharField(label=gettext_lazy("Town code"), max_length=12, required=False)
    industry_code = forms.CharField(label=gettext_lazy("Industry (GB/T 4754)"), max_length=8)
    registered_capital = forms.DecimalField(
        label=gettext_lazy("Registered capital (10,000 yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    established_on = forms.DateField(
        label=gettext_lazy("Established on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county_code"].choices = counties  # type: ignore[attr-defined]


class ChangeForm(_Styled):
    field = forms.ChoiceField(
        label=gettext_lazy("Field"), choices=[(k, v) for k, v in CHANGEABLE.items()]
    )
    value = forms.CharField(label=gettext_lazy("New value"), max_length=300)


class ReasonForm(_Styled):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea)


class YearForm(_Styled):
    year = forms.IntegerField(label=gettext_lazy("Report year"), min_value=1900, max_value=2999)


class ApplyForm(_Styled):
    procedure = forms.ChoiceField(
        label=gettext_lazy("Procedure"),
        choices=Deregistration.Procedure.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, required=False, widget=forms.Textarea
    )


class DecideForm(_Styled):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("approve", gettext_lazy("Approve: deregister")),
            ("refuse", gettext_lazy("Refuse")),
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=2000, required=False, widget=forms.Textarea
    )


class ObjectionForm(_Styled):
    objector = forms.CharField(label=gettext_lazy("Your name or organisation"), max_length=200)
    contact = forms.CharField(label=gettext_lazy("Phone or address"), max_length=200)
    reason = forms.CharField(
        label=gettext_lazy("Why you object"), min_length=5, max_length=2000, widget=forms.Textarea
    )


# --- Helpers ------------------------------------------------------------------------------------


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "market/refused.html", {"message": message}, status=status)


def _checked_code(credit_code: str) -> tuple[str, str]:
    checked = check_credit_code(credit_code.strip().upper())
    if not checked.valid:
        return "", _("Invalid credit code: %(reason)s") % {"reason": checked.reason}
    return checked.normalised, ""


def _require_view(request: HttpRequest, action: str) -> str:
    """market.view holders; returns the registry reach ("" all, or a county). Audited."""
    reach = viewer_reach(request.user)
    if reach is None:
        audit_record(
            action=action,
            actor=request.user if request.user.is_authenticated else None,
            outcome=Outcome.DENIED,
            request=request,
            details={"missing": "market.view"},
        )
        raise PermissionDenied("market.view")
    return reach


def _counties(reach: str) -> list[tuple[str, str]]:
    qs = Division.objects.filter(level=Division.Level.COUNTY).order_by("code")
    if reach:
        qs = qs.filter(code=reach)
    return [(d.code, d.name) for d in qs]


def _enterprise_or_404(credit_code: str) -> Enterprise:
    enterprise = enterprise_get(credit_code)
    if enterprise is None:
        raise Http404(credit_code)
    return enterprise


# --- Registry -----------------------------------------------------------------------------------


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    """The registry (市场主体名录): filters by county, status and text; county regulators see
    their county only."""
    reach = _require_view(request, "market.registry_view")
    county = request.GET.get("county", "").strip()[:12]
    status = request.GET.get("status", "").strip()
    if status not in Enterprise.Status.values:
        status = ""
    q = request.GET.get("q", "").strip()[:100]
    counties = _counties(reach)
    if county not in {code for code, _name in counties}:
        county = ""
    qs = registry_list(reach=reach or None, county=county, status=status, q=q)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "market/lifecycle/registry.html",
        {
            "page": page,
            "counties": counties,
            "statuses": Enterprise.Status.choices,
            "county": county,
            "status": status,
            "q": q,
            "query": query.urlencode(),
            "may_register": reach is not None and has_perm(request.user, "market.regulate"),
        },
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a new enterprise (设立登记): a regulator, in a county of its reach."""
    reach = regulator_reach(request.user)
    if reach is None:
        audit_record(
            action="market.enterprise_register",
            actor=request.user,
            outcome=Outcome.DENIED,
            request=request,
            details={"missing": "market.regulate"},
        )
        raise PermissionDenied("market.regulate")
    form = RegisterForm(request.POST or None, counties=_counties(reach))
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enterprise = enterprise_register(by=request.user, request=request, **data)
        except LifecycleRefused as refusal:
            error = refusal.message
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": enterprise.name})
            return redirect("market:lifecycle", credit_code=enterprise.credit_code)
    return render(
        request,
        "market/lifecycle/register.html",
        {"form": form, "error": error},
        status=400 if error or (request.method == "POST" and form.errors) else 200,
    )


@login_required
def lifecycle(request: HttpRequest, credit_code: str) -> HttpResponse:
    """An enterprise's life cycle: events, deregistrations and objections, the actions."""
    _require_view(request, "market.registry_view")
    code, error = _checked_code(credit_code)
    if error:
        return _refused(request, error)
    enterprise = _enterprise_or_404(code)
    may_act = regulates(request.user, enterprise.county_id)
    today = timezone.localdate()
    return render(
        request,
        "market/lifecycle/enterprise.html",
        {
            "enterprise": enterprise,
            "representative": masked_representative(enterprise),
            "events": events_of(enterprise)[:200],
            "deregistrations": deregistrations_of(enterprise),
            "pending": pending_deregistration(enterprise),
            "may_act": may_act,
            "today": today,
            "change_form": ChangeForm(),
            "reason_form": ReasonForm(),
            "year_form": YearForm(initial={"year": today.year - 1}),
            "apply_form": ApplyForm(initial={"procedure": "simplified"}),
            "decide_form": DecideForm(),
        },
    )


def _act(
    request: HttpRequest,
    credit_code: str,
    form_class: type[forms.Form],
    run: Callable[[Enterprise, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """A regulator's POST on the life-cycle page: validate, call the service, report back."""
    _require_view(request, "market.registry_view")
    code, error = _checked_code(credit_code)
    if error:
        return _refused(request, error)
    enterprise = _enterprise_or_404(code)
    form = form_class(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, problems)
        return redirect("market:lifecycle", credit_code=code)
    try:
        run(enterprise, form.cleaned_data)
    except LifecycleRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("market:lifecycle", credit_code=code)


@login_required
@require_POST
def change(request: HttpRequest, credit_code: str) -> HttpResponse:
    return _act(
        request,
        credit_code,
        ChangeForm,
        lambda e, d: enterprise_change(
            by=request.user, enterprise=e, field=d["field"], value=d["value"], request=request
        ),
        _("The change is recorded."),
    )


@login_required
@require_POST
def annual_report(request: HttpRequest, credit_code: str) -> HttpResponse:
    return _act(
        request,
        credit_code,
        YearForm,
        lambda e, d: annual_report_record(
            by=request.user, enterprise=e, year=d["year"], request=request
        ),
        _("The annual report is recorded."),
    )


@login_required
@require_POST
def status_action(request: HttpRequest, credit_code: str, what: str) -> HttpResponse:
    services = {"list": abnormal_list, "remove": abnormal_remove, "revoke": enterprise_revoke}
    service = services.get(what)
    if service is None:
        raise Http404(what)
    return _act(
        request,
        credit_code,
        ReasonForm,
        lambda e, d: service(by=request.user, enterprise=e, reason=d["reason"], request=request),
        _("The enterprise's status is changed."),
    )


@login_required
@require_POST
def apply_for(request: HttpRequest, credit_code: str) -> HttpResponse:
    """A regulator of the county applies for the enterprise (e.g. at the service counter)."""
    return _act(
        request,
        credit_code,
        ApplyForm,
        lambda e, d: deregistration_apply(
            by=request.user,
            enterprise=e,
            procedure=d["procedure"],
            reason=d["reason"],
            request=request,
        ),
        _("The deregistration application is recorded."),
    )


def _application(pk: int) -> Deregistration:
    return get_object_or_404(Deregistration.objects.select_related("enterprise"), pk=pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    code = application.enterprise.credit_code
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("market:lifecycle", credit_code=code)
    try:
        deregistration_decide(
            by=request.user,
            application=application,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            request=request,
        )
    except LifecycleRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("market:lifecycle", credit_code=code)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    try:
        deregistration_withdraw(by=request.user, application=application, request=request)
    except LifecycleRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The deregistration is withdrawn."))
    if has_perm(request.user, "market.own"):
        return redirect("market:deregistration_apply")
    return redirect("market:lifecycle", credit_code=application.enterprise.credit_code)


# --- The enterprise's own deregistration --------------------------------------------------------


@login_required
def apply_own(request: HttpRequest) -> HttpResponse:
    """The enterprise user applies to deregister its own enterprise and follows the state."""
    user: Any = request.user
    own = str(getattr(user, "credit_code", "") or "")
    if not has_perm(user, "market.own") or not own:
        audit_record(
            action="market.deregistration_apply",
            actor=user,
            outcome=Outcome.DENIED,
            request=request,
            details={"missing": "market.own"},
        )
        raise PermissionDenied("market.own")
    enterprise = enterprise_get(own)
    if enterprise is None:
        return _refused(
            request, _("Your enterprise (%(code)s) is not in the registry.") % {"code": own}, 404
        )
    form = ApplyForm(request.POST or None, initial={"procedure": "simplified"})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            deregistration_apply(
                by=user,
                enterprise=enterprise,
                procedure=form.cleaned_data["procedure"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except LifecycleRefused as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Your deregistration application is recorded."))
            return redirect("market:deregistration_apply")
    return render(
        request,
        "market/lifecycle/apply.html",
        {
            "enterprise": enterprise,
            "form": form,
            "error": error,
            "deregistrations": deregistrations_of(enterprise),
            "pending": pending_deregistration(enterprise),
            "notice_days": settings.MARKET_DEREGISTRATION_NOTICE_DAYS,
        },
        status=400 if error or (request.method == "POST" and form.errors) else 200,
    )


# --- Public notices (简易注销公告) ----------------------------------------------------------------


def _notice_items(failed: int | None = None, bound: forms.Form | None = None) -> list[Any]:
    return [
        (n, bound if n.pk == failed and bound is not None else ObjectionForm(auto_id=f"n{n.pk}-%s"))
        for n in notices_on_notice()[:200]
    ]


def notices(request: HttpRequest) -> HttpResponse:
    """Public (no sign-in): simplified deregistrations on notice, each with an objection form."""
    return render(
        request,
        "market/lifecycle/notices.html",
        {"items": _notice_items(), "notice_days": settings.MARKET_DEREGISTRATION_NOTICE_DAYS},
    )


OBJECTIONS_PER_MINUTE = 5  # per address not signed in (the public form takes anyone's)


@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    """Lodge an objection to one notice (anyone; the contact is stored encrypted). An address
    that is not signed in may post ``OBJECTIONS_PER_MINUTE`` a minute (HTTP 429 beyond)."""
    if over_limit(request, scope="market:objection", rate=OBJECTIONS_PER_MINUTE):
        return render(
            request,
            "market/refused.html",
            {"message": _("Too many objections from this address; try again in a minute.")},
            status=429,
        )
    application = _application(pk)
    form = ObjectionForm(request.POST, auto_id=f"n{pk}-%s")
    error = ""
    if form.is_valid():
        try:
            deregistration_object(
                by=request.user, application=application, request=request, **form.cleaned_data
            )
        except LifecycleRefused as refusal:
            error = refusal.message
        else:
            messages.success(
                request,
                _("Your objection is recorded; the registration authority will contact you."),
            )
            return redirect("market:deregistration_notices")
    return render(
        request,
        "market/lifecycle/notices.html",
        {
            "items": _notice_items(application.pk, form),
            "failed": application.pk,
            "error": error,
            "notice_days": settings.MARKET_DEREGISTRATION_NOTICE_DAYS,
        },
        status=409 if error else 400,
    )


# --- 一企一档 -------------------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest, credit_code: str) -> HttpResponse:
    """Everything the platform knows of one enterprise, within the viewer's grants."""
    code, error = _checked_code(credit_code)
    if error:
        audit_record(
            action="market.profile_view",
            actor=request.user,
            outcome=Outcome.FAILURE,
            request=request,
            details={"code": "invalid_credit_code", "credit_code": credit_code[:40]},
        )
        return _refused(request, error)
    data = profile_read(by=request.user, credit_code=code, request=request)
    return render(
        request,
        "market/lifecycle/profile.html",
        {
            "p": data,
            "may_regulate": data.enterprise is not None
            and regulates(request.user, data.enterprise.county_id),
        },
        status=200
        if data.enterprise is not None
        or data.credit is not None
        or any(s.rows for s in data.sections)
        else 404,
    )
