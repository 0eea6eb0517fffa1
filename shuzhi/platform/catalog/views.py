"""Catalogue pages: browse with facets, dataset detail with tabs, edit and publish (thin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.platform.audit.models import AuditEntry

from .forms import DatasetFilterForm, DatasetForm
from .models import Dataset
from .panels import LIST_COLUMNS, PANELS
from .rules import publish_problems
from .selectors import (
    DatasetFilter,
    can_edit,
    dataset_facets,
    dataset_get,
    dataset_list,
    lineage_graph,
)
from .services import PublishRefused, dataset_publish, dataset_update


def _dataset_or_404(request: HttpRequest, code: str) -> Dataset:
    try:
        return dataset_get(by=request.user, code=code)
    except Dataset.DoesNotExist as exc:
        raise Http404(code) from exc


@login_required
def catalog_list(request: HttpRequest) -> HttpResponse:
    form = DatasetFilterForm(request.GET or None)
    filters = DatasetFilter(**form.cleaned_data) if form.is_valid() else DatasetFilter()
    datasets = dataset_list(by=request.user, filters=filters)
    page = Paginator(datasets, 25).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    columns = [(c.title, c.cells(shown)) for c in LIST_COLUMNS]
    context = {
        "rows": [(d, [cells.get(d.pk, "") for _, cells in columns]) for d in shown],
        "columns": [title for title, _ in columns],
        "form": form,
        "page": page,
        "facets": dataset_facets(datasets),
        "filters": filters,
        "query": request.GET.copy(),
    }
    template = "catalog/_results.html" if getattr(request, "htmx", False) else "catalog/list.html"
    return render(request, template, context)


@login_required
def dataset_detail(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _dataset_or_404(request, code)
    editable = can_edit(request.user, dataset)
    history = AuditEntry.objects.filter(target_type="catalog.dataset", target_id=str(dataset.pk))
    context = {
        "dataset": dataset,
        "fields": dataset.fields.select_related("code_table"),
        "editable": editable,
        "problems": publish_problems(dataset) if editable and dataset.status == "draft" else [],
        "lineage": lineage_graph(dataset, by=request.user),
        "history": history.order_by("-seq")[:50] if editable else [],
        "panels": [(p.slug, p.title, p.render(request, dataset)) for p in PANELS],
    }
    return render(request, "catalog/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _dataset_or_404(request, code)
    if not can_edit(request.user, dataset):
        raise Http404(code)
    form = DatasetForm(request.POST or None, instance=Dataset.objects.get(pk=dataset.pk))
    if request.method == "POST" and form.is_valid():
        try:
            dataset_update(dataset=dataset, by=request.user, request=request, **form.cleaned_data)  # type: ignore[arg-type]
        except PublishRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:detail", code=dataset.code)
    return render(
        request,
        "catalog/edit.html",
        {"dataset": dataset, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def dataset_publish_view(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _dataset_or_404(request, code)
    try:
        dataset_publish(dataset=dataset, by=request.user, request=request)  # type: ignore[arg-type]
    except PublishRefused as refused:
        for problem in refused.problems:
            messages.error(request, problem.message)
    else:
        messages.success(request, _("Published."))
    return redirect("catalog:detail", code=dataset.code)
