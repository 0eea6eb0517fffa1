"""Brain pages (thin): indicators with their series, rules with a preview, warnings, the graph."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.platform.accounts.models import User

from .forms import IndicatorForm, RuleForm
from .models import Indicator, Warning, WarningRule
from .selectors import (
    allowed_fields,
    can_edit,
    can_view,
    division_names,
    indicator_all_series,
    indicator_datasets,
    indicator_list,
    rule_list,
    sparklines,
    task_states,
    warning_list,
)
from .services import (
    BrainError,
    enterprise_graph,
    indicator_compute,
    indicator_save,
    rule_delete,
    rule_preview,
    rule_save,
)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _viewer(request: HttpRequest) -> None:
    if not can_view(request.user):
        raise PermissionDenied("brain.view")


def _warning_rows(warnings: Any) -> list[tuple[Any, str, str]]:
    """Each warning with the URL and the current state of its loop task."""
    found = list(warnings)
    states = task_states([w.task_id for w in found if w.task_id])
    return [(w, task_url(w.task_id), states.get(w.task_id or 0, "")) for w in found]


def task_url(task_id: int | None) -> str:
    """The loop's page of a task (a plain path until the loop's URL names exist)."""
    if not task_id:
        return ""
    try:
        return reverse("loop:task", args=[task_id])
    except NoReverseMatch:
        return f"/loop/tasks/{task_id}/"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    indicators = list(indicator_list())
    lines = sparklines(indicators)
    rows = [
        {
            "indicator": i,
            "spark": lines.get(i.pk, []),
            "last": lines[i.pk][-1] if lines.get(i.pk) else None,
        }
        for i in indicators
    ]
    return render(
        request,
        "brain/index.html",
        {
            "rows": rows,
            "open_count": warning_list().exclude(state=Warning.State.CLOSED).count(),
            "may_define": can_edit(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    datasets = [d for d in indicator_datasets() if can_edit(request.user, dataset=d)]
    if not datasets:
        raise PermissionDenied("brain.edit")
    chosen_code = request.POST.get("dataset") or request.GET.get("dataset") or datasets[0].code
    dataset = next((d for d in datasets if d.code == chosen_code), datasets[0])
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = indicator_save(
                by=_user(request), dataset=dataset, values=form.cleaned_data, request=request
            )
        except BrainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Indicator saved."))
            return redirect("brain:indicator", indicator.pk)
    return render(
        request,
        "brain/indicator_form.html",
        {"form": form, "datasets": datasets, "dataset": dataset, "fields": allowed_fields(dataset)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    indicator = get_object_or_404(Indicator.objects.select_related("dataset"), pk=pk)
    if not can_edit(request.user, indicator):
        raise PermissionDenied("brain.edit")
    initial = {name: getattr(indicator, name) for name in IndicatorForm.base_fields}
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            indicator_save(
                by=_user(request),
                dataset=indicator.dataset,
                indicator=indicator,
                values=form.cleaned_data,
                request=request,
            )
        except BrainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Indicator saved."))
            return redirect("brain:indicator", indicator.pk)
    return render(
        request,
        "brain/indicator_form.html",
        {
            "form": form,
            "indicator": indicator,
            "dataset": indicator.dataset,
            "fields": allowed_fields(indicator.dataset),
        },
    )


@login_required
@require_POST
def rule_remove(request: HttpRequest, rule_pk: int) -> HttpResponse:
    _viewer(request)
    rule = get_object_or_404(WarningRule.objects.select_related("indicator__dataset"), pk=rule_pk)
    indicator_pk = rule.indicator_id
    rule_delete(by=_user(request), rule=rule, request=request)
    messages.success(request, _("Rule deleted."))
    return redirect("brain:indicator", indicator_pk)


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    indicator = get_object_or_404(Indicator.objects.select_related("dataset__owner"), pk=pk)
    series = indicator_all_series(indicator)
    dimension = request.GET.get("dimension", "")
    periods = sorted({p for s in series.values() for p, _v in s})
    names = division_names(set(series))

    def label(value: str) -> str:
        return f"{value} {names[value]}" if value in names else (value or _("Total"))

    chart = {
        "periods": [p.isoformat() for p in periods],
        "series": [
            {
                "name": label(name),
                "data": [dict(s).get(p) for p in periods],
                "selected": not dimension or name in ("", dimension),
            }
            for name, s in sorted(series.items())
        ],
        "unit": indicator.unit,
    }
    table = [(label(name), s[-1] if s else None) for name, s in sorted(series.items())]
    return render(
        request,
        "brain/indicator.html",
        {
            "indicator": indicator,
            "chart": chart,
            "table": table,
            "dimension": dimension,
            "rules": rule_list(indicator),
            "warnings": _warning_rows(warning_list().filter(rule__indicator=indicator)[:20]),
            "may_edit": can_edit(request.user, indicator),
        },
    )


@login_required
@require_POST
def indicator_compute_now(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    indicator = get_object_or_404(Indicator, pk=pk)
    try:
        result = indicator_compute(by=_user(request), indicator=indicator, request=request)
    except BrainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Computed %(points)s points; %(warnings)s new warnings.")
            % {"points": result.points, "warnings": len(result.warnings)},
        )
    return redirect("brain:indicator", indicator.pk)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    page = Paginator(rule_list(), 50).get_page(request.GET.get("page"))
    return render(request, "brain/rules.html", {"page": page, "indicators": indicator_list()})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(
    request: HttpRequest, pk: int | None = None, rule_pk: int | None = None
) -> HttpResponse:
    _viewer(request)
    rule: WarningRule | None = None
    if rule_pk is not None:
        rule = get_object_or_404(
            WarningRule.objects.select_related("indicator__dataset"), pk=rule_pk
        )
        indicator = rule.indicator
    else:
        indicator = get_object_or_404(Indicator.objects.select_related("dataset"), pk=pk)
    may_edit = can_edit(request.user, indicator)
    initial: dict[str, Any] = {}
    if rule is not None:
        initial = {
            k: getattr(rule, k)
            for k in (
                "name",
                "kind",
                "direction",
                "threshold",
                "target",
                "window",
                "condition",
                "dimension_value",
                "active",
            )
        }
    form = RuleForm(request.POST or None, initial=initial)
    preview: list[dict[str, Any]] | None = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        if "preview" in request.POST:
            try:
                preview = rule_preview(by=_user(request), indicator=indicator, values=values)
            except BrainError as error:
                form.add_error(None, str(error))
        else:
            if not may_edit:
                raise PermissionDenied("brain.edit")
            try:
                rule = rule_save(
                    by=_user(request),
                    indicator=indicator,
                    rule=rule,
                    values=values,
                    request=request,
                )
            except BrainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Rule saved."))
                return redirect("brain:rule_edit", rule.pk)
    return render(
        request,
        "brain/rule_edit.html",
        {
            "form": form,
            "rule": rule,
            "indicator": indicator,
            "preview": preview,
            "may_edit": may_edit,
        },
    )


@login_required
def warnings(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    state = request.GET.get("state", "")
    division = request.GET.get("division", "")
    page = Paginator(warning_list(state=state, division=division), 50).get_page(
        request.GET.get("page")
    )
    rows = _warning_rows(page)
    return render(
        request,
        "brain/warnings.html",
        {"page": page, "rows": rows, "state": state, "states": Warning.State.choices},
    )


@login_required
def graph(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    code = request.GET.get("credit_code", "").strip()
    data: dict[str, Any] | None = None
    error = ""
    if code:
        try:
            data = enterprise_graph(by=_user(request), credit_code=code, request=request)
        except BrainError as refused:
            error = str(refused)
    categories = [
        _("Enterprise"),
        _("Person"),
        _("Address"),
        _("Penalty"),
        _("Abnormal operation"),
        _("Licence"),
        _("Other"),
    ]
    return render(
        request,
        "brain/graph.html",
        {"code": code, "graph": data, "error": error, "categories": categories},
    )
