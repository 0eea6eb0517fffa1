"""Random-inspection pages (双随机一公开): the regulators' overview, plan form and plan page, the
inspector pool, an inspector's own inspections with the result form, and the public page of
published results (no sign-in). Thin: the services check, refuse and audit."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhi.platform.accounts.models import Division, User
from shuzhi.platform.security.permissions import has_perm

from . import draw as drawing
from .models import Inspection, InspectionPlan, Inspector
from .permissions import regulates, regulator_reach, require_inspector, require_regulator
from .selectors import CLASS_COLOURS
from .services.inspections import (
    FIELDS,
    RELATIONS,
    InspectionRefused,
    inspection_record,
    inspector_add,
    inspector_link_add,
    inspector_remove,
    plan_create,
    plan_draw,
    plan_publish,
    plan_verify,
)

VIEW_ACTION = "market.inspection_view"
PAGE = 20
PUBLIC_PLANS = 20
# result → chart colour (green nothing found, blue corrected, red violation, grey not found)
RESULT_COLOURS: dict[str, str] = {
    Inspection.Result.PENDING: "#adb5bd",
    Inspection.Result.COMPLIANT: "#198754",
    Inspection.Result.CORRECTED: "#0d6efd",
    Inspection.Result.VIOLATION: "#dc3545",
    Inspection.Result.NOT_FOUND: "#6c757d",
}


# --- reads ---------------------------------------------------------------------------------------


def _reach(request: HttpRequest) -> str:
    """The caller's reach as a regulator (refused and audited for anyone else)."""
    reach = regulator_reach(request.user)
    if reach is None:
        require_regulator(request.user, county_code=None, action=VIEW_ACTION, request=request)
    return reach or ""


def _plans(reach: str) -> QuerySet[InspectionPlan]:
    plans = InspectionPlan.objects.all()
    if reach:
        plans = plans.filter(county_code=reach)
    return plans.annotate(
        total=Count("inspections"),
        recorded=Count("inspections", filter=~Q(inspections__result=Inspection.Result.PENDING)),
    ).order_by("-created_at", "-pk")


def _plan_for(request: HttpRequest, pk: int) -> InspectionPlan:
    plan = get_object_or_404(InspectionPlan, pk=pk)
    if not regulates(request.user, plan.county_code or None):
        require_regulator(
            request.user, county_code=plan.county_code or None, action=VIEW_ACTION, request=request
        )
    return plan


def _county_names() -> dict[str, str]:
    zh = (get_language() or "").startswith("zh")
    return {
        d.code: (d.name if zh else (d.name_en or d.name))
        for d in Division.objects.filter(level=Division.Level.COUNTY).order_by("code")
    }


def _area(county_code: str, names: dict[str, str]) -> str:
    return names.get(county_code, county_code) if county_code else _("The whole city")


def _ratio_chart(plan: InspectionPlan | None) -> dict[str, Any] | None:
    """Drawn count against class population per class of a drawn plan (the ratios visible)."""
    if plan is None or not plan.report.get("counts"):
        return None
    population = plan.report.get("population", {})
    counts = plan.report.get("counts", {})
    return {
        "classes": list(drawing.CLASSES),
        "population": [population.get(g, 0) for g in drawing.CLASSES],
        "drawn": [counts.get(g, 0) for g in drawing.CLASSES],
        "ratios": [plan.ratios.get(g, 0) for g in drawing.CLASSES],
        "colours": [CLASS_COLOURS[g] for g in drawing.CLASSES],
        "labels": {"population": _("Enterprises of the class"), "drawn": _("Drawn")},
        "rows": [
            {
                "grade": g,
                "ratio": plan.ratios.get(g, 0),
                "population": population.get(g, 0),
                "drawn": counts.get(g, 0),
            }
            for g in drawing.CLASSES
        ],
    }


def _result_chart(inspections: QuerySet[Inspection]) -> dict[str, Any]:
    """Inspections by result (chart data and table rows)."""
    counts = Counter(inspections.values_list("result", flat=True))
    rows = [
        {
            "code": str(code),
            "name": str(label),
            "count": counts.get(str(code), 0),
            "hex": RESULT_COLOURS[code],
        }
        for code, label in Inspection.Result.choices
    ]
    return {"rows": rows, "total": sum(counts.values())}


# --- regulators ----------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Plans within the caller's reach and the latest draw's drawn-vs-population chart."""
    reach = _reach(request)
    plans = _plans(reach)
    latest = plans.exclude(state=InspectionPlan.State.DRAFT).order_by("-drawn_at", "-pk").first()
    page = Paginator(plans, PAGE).get_page(request.GET.get("page"))
    names = _county_names()
    areas = {int(p.pk): _area(p.county_code, names) for p in page}
    rows = [(p, areas[int(p.pk)]) for p in page]
    return render(
        request,
        "market/inspections/index.html",
        {
            "page": page,
            "rows": rows,
            "count": plans.count(),
            "latest": latest,
            "ratio_chart": _ratio_chart(latest),
            "reach": reach,
        },
    )


class PlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    county = forms.ChoiceField(label=gettext_lazy("Area"), required=False)
    field = forms.ChoiceField(label=gettext_lazy("Inspection field"), choices=list(FIELDS.items()))
    ratio_A = forms.CharField(label=gettext_lazy("Class A ratio (%)"), max_length=12)
    ratio_B = forms.CharField(label=gettext_lazy("Class B ratio (%)"), max_length=12)
    ratio_C = forms.CharField(label=gettext_lazy("Class C ratio (%)"), max_length=12)
    ratio_D = forms.CharField(label=gettext_lazy("Class D ratio (%)"), max_length=12)
    inspectors_per_inspection = forms.CharField(
        label=gettext_lazy("Inspectors per inspection"), max_length=4, initial="2"
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, reach: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = _county_names()
        if reach:
            choices = [(reach, names.get(reach, reach))]
        else:
            choices = [("", _("The whole city")), *names.items()]
        cast(forms.ChoiceField, self.fields["county"]).choices = choices
        for form_field in self.fields.values():
            css = "form-select" if isinstance(form_field, forms.ChoiceField) else "form-control"
            form_field.widget.attrs.setdefault("class", css)
        for grade in drawing.CLASSES:
            self.fields[f"ratio_{grade}"].widget.attrs["inputmode"] = "decimal"


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    """Create a plan (ratios default to ``settings.MARKET_INSPECTION_RATIOS``)."""
    reach = _reach(request)
    defaults = drawing.parse_ratio_setting(settings.MARKET_INSPECTION_RATIOS)
    initial = {f"ratio_{g}": str(defaults[g]) for g in drawing.CLASSES}
    initial["county"] = reach
    form = PlanForm(request.POST or None, reach=reach, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = plan_create(
                    by=cast(User, request.user),
                    name=data["name"],
                    county_code=data["county"] or "",
                    field=data["field"],
                    ratios={g: data[f"ratio_{g}"] for g in drawing.CLASSES},
                    inspectors_per_inspection=data["inspectors_per_inspection"],
                    due_on=data["due_on"],
                    request=request,
                )
            except InspectionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Plan created; draw it when ready."))
                return redirect("market:inspection_plan", pk=plan.pk)
    return render(request, "market/inspections/plan_form.html", {"form": form}, status=status)


def _plan_page(
    request: HttpRequest, plan: InspectionPlan, *, error: str = "", status: int = 200
) -> HttpResponse:
    inspections = plan.inspections.prefetch_related("inspectors__user").select_related("task")
    return render(
        request,
        "market/inspections/plan.html",
        {
            "plan": plan,
            "inspections": inspections,
            "field_label": FIELDS.get(plan.field, plan.field),
            "ratio_chart": _ratio_chart(plan),
            "result_chart": _result_chart(plan.inspections.all()) if plan.drawn_at else None,
            "area": _area(plan.county_code, _county_names()),
            "error": error,
            "classes": drawing.CLASSES,
        },
        status=status,
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan: its draw (seed, counts per class), inspections with class, inspectors, task and
    result, and the actions allowed now."""
    return _plan_page(request, _plan_for(request, pk))


@login_required
@require_POST
def plan_draw_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    raw = request.POST.get("seed", "").strip()
    seed: int | None = None
    if raw:
        try:
            seed = int(raw)
        except ValueError:
            return _plan_page(
                request, plan, error=_("The seed must be a whole number."), status=400
            )
    try:
        plan = plan_draw(by=cast(User, request.user), plan=plan, seed=seed, request=request)
    except InspectionRefused as refusal:
        plan.refresh_from_db()
        return _plan_page(request, plan, error=refusal.message, status=400)
    messages.success(
        request,
        _("Drawn with seed %(seed)s: %(count)s inspections.")
        % {"seed": plan.seed, "count": plan.inspections.count()},
    )
    return redirect("market:inspection_plan", pk=plan.pk)


@login_required
@require_POST
def plan_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    try:
        plan_publish(by=cast(User, request.user), plan=plan, request=request)
    except InspectionRefused as refusal:
        plan.refresh_from_db()
        return _plan_page(request, plan, error=refusal.message, status=400)
    messages.success(request, _("The results are published on the public page."))
    return redirect("market:inspection_plan", pk=plan.pk)


@login_required
@require_POST
def plan_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for(request, pk)
    outcome = plan_verify(by=cast(User, request.user), plan=plan, request=request)
    if outcome.ok:
        messages.success(request, _("Verified: the recorded seed and inputs give this very draw."))
    else:
        messages.error(request, " ".join(str(p) for p in outcome.problems))
    return redirect("market:inspection_plan", pk=plan.pk)


# --- the pool ------------------------------------------------------------------------------------


def _pool_persons(reach: str) -> list[User]:
    """People of the market departments within reach who may inspect and are not in the pool."""
    suffix = "-" + str(settings.MARKET_DEPARTMENT).rpartition("-")[2]
    users = User.objects.filter(is_active=True, department__code__endswith=suffix)
    if reach:
        users = users.filter(department__code=f"{reach}{suffix}")
    users = users.exclude(market_inspector__active=True).select_related("department")
    return [u for u in users.order_by("username") if has_perm(u, "market.inspect")]


class InspectorForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Person"))
    certificate = forms.CharField(
        label=gettext_lazy("Enforcement certificate number"), max_length=32
    )
    fields_ = forms.MultipleChoiceField(
        label=gettext_lazy("Qualified fields"),
        choices=list(FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, persons: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            (str(u.pk), f"{u.display_name or u.username} · {u.department}") for u in persons
        ]
        self.fields["person"].widget.attrs["class"] = "form-select"
        self.fields["certificate"].widget.attrs["class"] = "form-control"


def _pool_page(request: HttpRequest, reach: str, form: InspectorForm, status: int) -> HttpResponse:
    suffix = "-" + str(settings.MARKET_DEPARTMENT).rpartition("-")[2]
    pool = Inspector.objects.select_related("user__department").prefetch_related("links")
    if reach:
        pool = pool.filter(user__department__code=f"{reach}{suffix}")
    return render(
        request,
        "market/inspections/pool.html",
        {
            "pool": pool.order_by("-active", "certificate"),
            "form": form,
            "field_labels": FIELDS,
            "relations": list(RELATIONS.items()),
            "relation_labels": RELATIONS,
        },
        status=status,
    )


@login_required
def pool(request: HttpRequest) -> HttpResponse:
    """The inspector pool within reach; put a person into it."""
    reach = _reach(request)
    persons = _pool_persons(reach)
    form = InspectorForm(request.POST or None, persons=persons, prefix="add")
    if request.method != "POST":
        return _pool_page(request, reach, form, 200)
    if form.is_valid():
        person = get_object_or_404(User, pk=int(form.cleaned_data["person"]))
        try:
            inspector_add(
                by=cast(User, request.user),
                person=person,
                certificate=form.cleaned_data["certificate"],
                fields=form.cleaned_data["fields_"],
                request=request,
            )
        except InspectionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("%(person)s is in the pool.") % {"person": person})
            return redirect("market:inspection_pool")
    return _pool_page(request, reach, form, 400)


@login_required
@require_POST
def pool_remove(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_object_or_404(Inspector.objects.select_related("user"), pk=pk)
    try:
        inspector_remove(by=cast(User, request.user), inspector=inspector, request=request)
    except InspectionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Taken out of the pool."))
    return redirect("market:inspection_pool")


@login_required
@require_POST
def pool_link(request: HttpRequest, pk: int) -> HttpResponse:
    inspector = get_object_or_404(Inspector.objects.select_related("user"), pk=pk)
    try:
        inspector_link_add(
            by=cast(User, request.user),
            inspector=inspector,
            credit_code=request.POST.get("credit_code", ""),
            relation=request.POST.get("relation", ""),
            request=request,
        )
    except InspectionRefused as refusal:
        reach = _reach(request)
        form = InspectorForm(persons=_pool_persons(reach), prefix="add")
        messages.error(request, refusal.message)
        return _pool_page(request, reach, form, 400)
    messages.success(request, _("Link recorded; the draw will not send this inspector there."))
    return redirect("market:inspection_pool")


# --- inspectors ----------------------------------------------------------------------------------


def _mine_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    mine = (
        Inspection.objects.filter(inspectors__user=cast(User, request.user))
        .select_related("plan", "task")
        .order_by("plan__state", "-plan__drawn_at", "credit_code")
        .distinct()
    )
    return render(
        request,
        "market/inspections/mine.html",
        {
            "inspections": mine,
            "results": [c for c in Inspection.Result.choices if c[0] != "pending"],
            "error": error,
            "drawn": InspectionPlan.State.DRAWN,
        },
        status=status,
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The inspections the caller was drawn for, with the result form while open."""
    require_inspector(request.user, action=VIEW_ACTION, request=request)
    return _mine_page(request)


@login_required
@require_POST
def result(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(Inspection.objects.select_related("plan"), pk=pk)
    try:
        inspection_record(
            by=cast(User, request.user),
            inspection=inspection,
            result=request.POST.get("result", ""),
            findings=request.POST.get("findings", ""),
            request=request,
        )
    except InspectionRefused as refusal:
        return _mine_page(request, error=refusal.message, status=400)
    messages.success(
        request,
        _("Result recorded for %(enterprise)s.") % {"enterprise": inspection.enterprise_name},
    )
    return redirect("market:inspections_mine")


# --- the public (一公开) -------------------------------------------------------------------------


def public(request: HttpRequest) -> HttpResponse:
    """Published plans and the result for each inspected enterprise; no sign-in."""
    plans = list(
        InspectionPlan.objects.filter(state=InspectionPlan.State.PUBLISHED).order_by(
            "-drawn_at", "-pk"
        )[:PUBLIC_PLANS]
    )
    inspections = Inspection.objects.filter(plan__in=plans)
    by_plan: dict[int, list[Inspection]] = {}
    for item in inspections.order_by("enterprise_name"):
        by_plan.setdefault(int(item.plan_id), []).append(item)
    names = _county_names()
    published = [
        {
            "plan": p,
            "published_on": _published_on(p),
            "items": by_plan.get(int(p.pk), []),
            "field_label": FIELDS.get(p.field, p.field),
            "area": _area(p.county_code, names),
        }
        for p in plans
    ]
    return render(
        request,
        "market/inspections/public.html",
        {
            "published": published,
            "result_chart": _result_chart(inspections) if plans else None,
        },
    )


def _published_on(plan: InspectionPlan) -> date | None:
    raw = str(plan.report.get("published_at", ""))[:10]
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
