"""The auditors' browser of the log: filters, a paged table, HTMX partial updates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import AuditFilterForm
from .selectors import AuditFilter, audit_action_names, audit_entry_list

PAGE_SIZE = 50


@login_required
def audit_browser(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilter(**form.cleaned_data) if form.is_valid() else AuditFilter()
    entries = audit_entry_list(by=request.user, filters=filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "actions": audit_action_names()}
    is_htmx = bool(getattr(request, "htmx", False))
    template = "audit/_table.html" if is_htmx else "audit/browser.html"
    return render(request, template, context)
