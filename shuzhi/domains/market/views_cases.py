"""Pages of lenient supervision (包容审慎监管): the three published lists (no sign-in), market
cases for regulators (list, new, detail with its actions), an enterprise's own credit-repair
page and the regulators' repair inbox. Thin: the services check, refuse and audit."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuzhi.platform.accounts.models import Division, User
from shuzhi.platform.audit.actions import action_label

from . import lenient
from .lenient import violation_name
from .models import Case, CreditRepair, LenientRule
from .permissions import regulates, regulator_reach, require_regulator
from .services.cases import (
    CaseRefused,
    case_assess,
    case_assessment,
    case_close,
    case_decide,
    case_get,
    case_history,
    case_list,
    case_mark_paid,
    case_open,
    repair_apply,
    repair_decide,
    repair_inbox,
    repair_list_own,
    rule_set_active,
    rules_load,
)

PAGE = 50


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _style(form: forms.Form) -> None:
    for item in form.fields.values():
        widget = item.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select | forms.RadioSelect):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


def _violation_choices() -> list[tuple[str, str]]:
    return [(code, violation_name(code)) for code in lenient.violations()]


class CaseForm(forms.Form):
    credit_code = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40)
    violation = forms.ChoiceField(label=gettext_lazy("Violation"))
    occurred_on = forms.DateField(
        label=gettext_lazy("Occurred on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    harm = forms.ChoiceField(label=gettext_lazy("Harm"), choices=Case.Harm.choices)
    corrected = forms.BooleanField(label=gettext_lazy("Corrected in time"), required=False)
    facts = forms.CharField(
        label=gettext_lazy("Facts"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["violation"]).choices = _violation_choices()
        _style(self)


class AssessForm(forms.Form):
    harm = forms.ChoiceField(label=gettext_lazy("Harm"), choices=Case.Harm.choices)
    corrected = forms.BooleanField(label=gettext_lazy("Corrected in time"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


OUTCOMES = [c for c in Case.Outcome.choices if c[0]]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=OUTCOMES)
    fine = forms.DecimalField(
        label=gettext_lazy("Fine (yuan)"),
        max_digits=14,
        decimal_places=2,
        required=False,
        initial=0,
    )
    decided_on = forms.DateField(
        label=gettext_lazy("Decided on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (needed for a penalty where a no-penalty item applies)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class RepairForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Repair of"), choices=CreditRepair.Kind.choices)
    reference = forms.CharField(
        label=gettext_lazy("Case number (for a penalty)"), max_length=64, required=False
    )
    statement = forms.CharField(
        label=gettext_lazy("What was corrected"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


# --- The lists (public) ---------------------------------------------------------------------


def lenient_lists(request: HttpRequest) -> HttpResponse:
    """The three lists, grouped, searchable; in force only (a city regulator also sees retired
    items, with the buttons to retire, restore and load the lists)."""
    manager = regulates(request.user, None)
    query = request.GET.get("q", "").strip()[:100]
    rules = LenientRule.objects.all()
    if not manager:
        rules = rules.filter(active=True)
    if query:
        codes = [
            code
            for code, entry in lenient.violations().items()
            if query.lower() in (entry["name"] + " " + entry["name_en"]).lower()
        ]
        rules = rules.filter(
            Q(code__icontains=query)
            | Q(description__icontains=query)
            | Q(legal_basis__icontains=query)
            | Q(conditions__icontains=query)
            | Q(violation__in=codes)
        )
    groups: list[dict[str, Any]] = []
    count = 0
    for value, label in LenientRule.List.choices:
        items = [
            {"rule": r, "violation": violation_name(r.violation)} for r in rules if r.list == value
        ]
        count += len(items)
        groups.append({"list": value, "label": label, "items": items})
    return render(
        request,
        "market/cases/lenient.html",
        {
            "groups": groups,
            "q": query,
            "count": count,
            "manager": manager,
            "title": lenient.published().get("title", ""),
        },
    )


@login_required
@require_POST
def lenient_load(request: HttpRequest) -> HttpResponse:
    """Load the published lists into the platform (a regulator of the city department)."""
    counts = rules_load(by=_user(request), request=request)
    messages.success(
        request,
        _("Lists loaded: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.") % counts,
    )
    return redirect("market:lenient")


@login_required
@require_POST
def lenient_rule_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire or restore an item (a regulator of the city department)."""
    rule = get_object_or_404(LenientRule, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        rule_set_active(rule=rule, active=active, by=_user(request), request=request)
    except CaseRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Item %(code)s restored.") % {"code": rule.code}
            if active
            else _("Item %(code)s retired.") % {"code": rule.code},
        )
    return redirect("market:lenient")


# --- Cases ----------------------------------------------------------------------------------


def _counties(reach: str) -> list[Division]:
    counties = Division.objects.filter(level=Division.Level.COUNTY, code__startswith="3308")
    if reach:
        counties = counties.filter(code=reach)
    return list(counties.order_by("code"))


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    """Cases in the regulator's reach, filtered by county, state and lenient flag."""
    user = _user(request)
    county = request.GET.get("county", "").strip()[:6]
    state = request.GET.get("state", "")
    flagged = request.GET.get("flagged", "")
    found = case_list(by=user, county=county, state=state, flagged=flagged, request=request)
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    rows = [{"case": c, "violation": violation_name(c.violation)} for c in page]
    return render(
        request,
        "market/cases/list.html",
        {
            "page": page,
            "rows": rows,
            "count": page.paginator.count,
            "counties": _counties(regulator_reach(user) or ""),
            "county": county,
            "state": state,
            "flagged": flagged,
            "states": Case.State.choices,
        },
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case: the form, then the service's checks (a refusal keeps what was typed)."""
    user = _user(request)
    require_regulator(
        user, county_code=regulator_reach(user) or None, action="market.case_open", request=request
    )
    form = CaseForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = case_open(
                    by=user,
                    credit_code=data["credit_code"].strip().upper(),
                    violation=data["violation"],
                    facts=data["facts"],
                    occurred_on=data["occurred_on"],
                    harm=data["harm"],
                    corrected=data["corrected"],
                    request=request,
                )
            except CaseRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return redirect("market:case", pk=case.pk)
    return render(request, "market/cases/new.html", {"form": form}, status=status)


def _case(request: HttpRequest, pk: int) -> Case:
    try:
        return case_get(pk=pk, by=_user(request), request=request)
    except Case.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """A case: its facts, the lenient item that applied (or why none did), actions, history."""
    user = _user(request)
    item = _case(request, pk)
    verdict = case_assessment(case=item, by=user, request=request)
    history = [
        {"entry": e, "details": e.details, "label": action_label(e.action)}
        for e in case_history(case=item, by=user, request=request)
    ]
    return render(
        request,
        "market/cases/detail.html",
        {
            "case": item,
            "violation": violation_name(item.violation),
            "verdict": verdict,
            "history": history,
            "assess_form": AssessForm(initial={"harm": item.harm, "corrected": item.corrected}),
            "decide_form": DecideForm(
                initial={
                    "outcome": (
                        item.lenient_rule.list
                        if item.lenient_rule
                        and item.lenient_rule.list != LenientRule.List.NO_COERCION
                        else Case.Outcome.PENALTY
                    ),
                    "decided_on": timezone.localdate(),
                }
            ),
            "may_close": item.state == Case.State.DECIDED and (item.fine <= 0 or item.fine_paid),
            "may_pay": item.state == Case.State.DECIDED and item.fine > 0 and not item.fine_paid,
        },
    )


def _step(request: HttpRequest, pk: int, done: str, run: Any) -> HttpResponse:
    item = _case(request, pk)
    try:
        run(item)
    except CaseRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("market:case", pk=item.pk)


@login_required
@require_POST
def case_assess_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = AssessForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the harm."))
        return redirect("market:case", pk=pk)
    data = form.cleaned_data
    return _step(
        request,
        pk,
        _("Harm and correction saved; the lists were matched again."),
        lambda c: case_assess(
            case=c,
            by=_user(request),
            harm=data["harm"],
            corrected=data["corrected"],
            request=request,
        ),
    )


@login_required
@require_POST
def case_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Check the decision: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("market:case", pk=pk)
    data = form.cleaned_data
    fine = data["fine"] if data["fine"] is not None else 0
    decided_on: date | None = data["decided_on"]
    return _step(
        request,
        pk,
        _("Case decided."),
        lambda c: case_decide(
            case=c,
            by=_user(request),
            outcome=data["outcome"],
            fine=fine,
            reason=data["reason"],
            decided_on=decided_on,
            request=request,
        ),
    )


@login_required
@require_POST
def case_paid_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        _("Fine marked paid."),
        lambda c: case_mark_paid(case=c, by=_user(request), request=request),
    )


@login_required
@require_POST
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        _("Case closed."),
        lambda c: case_close(case=c, by=_user(request), request=request),
    )


# --- Credit repair --------------------------------------------------------------------------


def check_rows(repair: CreditRepair) -> list[str]:
    """The automatic check of an application, one sentence per condition."""
    out: list[str] = []
    for item in repair.checked.get("checks", []):
        kind = item.get("check")
        if kind == "listed":
            out.append(
                _("On the abnormal-operation list since %(date)s.") % {"date": item["date"]}
                if item.get("date")
                else _("On the abnormal-operation list (listing date not recorded).")
            )
        elif kind == "annual_report":
            out.append(_("Annual report filed on %(date)s.") % {"date": item["date"]})
        elif kind == "decided":
            out.append(_("Penalty decided and published on %(date)s.") % {"date": item["date"]})
        elif kind == "fine_paid":
            out.append(_("Fine of %(fine)s yuan paid (or none).") % {"fine": item["fine"]})
        elif kind == "field":
            out.append(
                _("Food, drugs or special equipment: %(months)s months public.")
                % {"months": item["months"]}
                if item.get("field")
                else _("General field: %(months)s months public.") % {"months": item["months"]}
            )
        elif kind == "waited":
            out.append(_("Waiting period over on %(date)s.") % {"date": item["date"]})
    return out


@login_required
def repair_apply_view(request: HttpRequest) -> HttpResponse:
    """The enterprise's own credit-repair page: apply, and the history of its applications."""
    user = _user(request)
    history = repair_list_own(by=user, request=request)
    form = RepairForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                repair_apply(
                    by=user,
                    credit_code=str(user.credit_code),
                    kind=data["kind"],
                    reference=data["reference"],
                    statement=data["statement"],
                    request=request,
                )
            except CaseRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Application submitted."))
                return redirect("market:repair_apply")
    decided = Case.objects.filter(
        credit_code=user.credit_code, outcome__in=(Case.Outcome.PENALTY, Case.Outcome.REDUCED)
    ).exclude(state=Case.State.OPEN)
    return render(
        request,
        "market/cases/repair.html",
        {
            "form": form,
            "rows": [{"repair": r, "checks": check_rows(r)} for r in history],
            "decided": decided,
        },
        status=status,
    )


@login_required
def repairs(request: HttpRequest) -> HttpResponse:
    """The regulators' inbox of repair applications in their reach."""
    state = request.GET.get("state", CreditRepair.State.SUBMITTED)
    found = repair_inbox(by=_user(request), state=state, request=request)
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "market/cases/repairs.html",
        {
            "page": page,
            "rows": [{"repair": r, "checks": check_rows(r)} for r in page],
            "count": page.paginator.count,
            "state": state,
            "states": CreditRepair.State.choices,
        },
    )


@login_required
@require_POST
def repair_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    repair = get_object_or_404(CreditRepair, pk=pk)
    accept = request.POST.get("accept") == "1"
    try:
        repair_decide(
            repair=repair,
            by=_user(request),
            accept=accept,
            note=request.POST.get("note", ""),
            request=request,
        )
    except CaseRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Repair accepted.") if accept else _("Repair refused."))
    return redirect("market:repairs")
