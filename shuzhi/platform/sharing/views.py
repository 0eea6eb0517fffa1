"""Sharing pages (thin): my requests and grants, the request form, the approval inbox, a
request's decision page, a grant with its usage chart and row browser, the owner's consumers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.platform.catalog.models import Dataset, Grade
from shuzhi.platform.security.permissions import has_perm
from shuzhi.platform.warehouse.query import MAX_LIMIT

from .forms import ApproveForm, RejectForm, RevokeForm, ShareRequestForm
from .models import Grant, ShareRequest
from .params import parse_row_query
from .selectors import (
    approval_inbox,
    can_decide,
    consumers,
    default_scope,
    grant_for,
    grant_get,
    grant_history,
    my_grants,
    my_requests,
    request_for,
    request_get,
    requestable,
    requestable_datasets,
    usage_series,
    usage_totals,
)
from .services import (
    SharingRefused,
    grant_key_reissue,
    grant_revoke,
    grant_rows_read,
    share_request_approve,
    share_request_create,
    share_request_reject,
)

BROWSE_LIMIT = 25


def _staff(request: HttpRequest) -> None:
    if not (has_perm(request.user, "sharing.request") or has_perm(request.user, "sharing.approve")):
        raise PermissionDenied("sharing")


def _grant(request: HttpRequest, pk: int) -> Grant:
    try:
        return grant_for(by=request.user, pk=pk)
    except Grant.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


def _request(request: HttpRequest, pk: int) -> ShareRequest:
    try:
        return request_for(by=request.user, pk=pk)
    except ShareRequest.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


def _deciding(pk: int) -> ShareRequest:
    try:
        return request_get(pk)
    except ShareRequest.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


CHART_LABELS = {"calls": gettext_lazy("Calls"), "rows": gettext_lazy("Rows")}


def _chart(series: dict[str, Any]) -> dict[str, Any]:
    return {**series, "labels": {k: str(v) for k, v in CHART_LABELS.items()}}


def _show_key(request: HttpRequest, grant: Grant, key: str) -> HttpResponse:
    """The app key, shown this once; never stored, never shown again."""
    response = render(request, "sharing/key.html", {"grant": grant, "app_key": key})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """My requests and grants (我的共享), with the inbox count for approvers."""
    _staff(request)
    grants = list(my_grants(by=request.user)[:200])
    return render(
        request,
        "sharing/index.html",
        {
            "requests": list(my_requests(by=request.user)[:200]),
            "grants": grants,
            "inbox_count": approval_inbox(by=request.user).count(),
            "is_approver": has_perm(request.user, "sharing.approve"),
            "usage": _chart(usage_series(grants).as_json()) if grants else None,
            "today": timezone.localdate(),
        },
    )


@login_required
def datasets(request: HttpRequest) -> HttpResponse:
    """Datasets of other departments that may be requested."""
    _staff(request)
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(requestable_datasets(by=request.user, q=q), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "sharing/datasets.html", {"page": page, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, code: str) -> HttpResponse:
    _staff(request)
    dataset = Dataset.objects.select_related("owner").filter(code=code, status="published").first()
    if dataset is None:
        raise Http404(code)
    initial: dict[str, Any] = {
        "columns": [f.name for f in dataset.fields.all()],
        "period_end": timezone.localdate() + timedelta(days=min(180, settings.SHARING_GRANT_DAYS)),
    }
    offered = default_scope(dataset, request.user)
    if offered:
        name, values = next(iter(offered.items()))
        initial.update(scope_field=name, scope_values=", ".join(values))
    form = ShareRequestForm(request.POST or None, dataset=dataset, initial=initial)
    refusal = ""
    if dataset.share_attribute == "none":
        refusal = _(
            "This dataset is marked not shared (不予共享) by its owner department; "
            "it cannot be requested."
        )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = share_request_create(
                by=request.user,  # type: ignore[arg-type]
                dataset=dataset,
                fields=form.cleaned_data["columns"],
                raw_fields=form.cleaned_data.get("raw_fields") or [],
                purpose=form.cleaned_data["purpose"],
                legal_basis=form.cleaned_data["legal_basis"],
                scope=form.scope(),
                period_end=form.cleaned_data["period_end"],
                request=request,
            )
        except SharingRefused as exc:
            refusal = exc.message
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            if outcome.grant is not None:
                messages.success(
                    request, _("Granted at once: this dataset is shared unconditionally.")
                )
                return _show_key(request, outcome.grant, outcome.app_key)
            messages.success(
                request,
                _("Request sent to the owner department; it decides by %(date)s.")
                % {"date": outcome.share_request.deadline},
            )
            return redirect("sharing:request", pk=outcome.share_request.pk)
    return render(
        request,
        "sharing/request_form.html",
        {"dataset": dataset, "form": form, "refusal": refusal, "fields": dataset.fields.all()},
        status=403 if refusal and request.method == "POST" else 200,
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests for the own department's data (审批待办); overdue ones marked."""
    if not has_perm(request.user, "sharing.approve"):
        raise PermissionDenied("sharing.approve")
    show_all = request.GET.get("all") == "1"
    rows = list(approval_inbox(by=request.user, include_decided=show_all)[:500])
    return render(
        request,
        "sharing/inbox.html",
        {"rows": rows, "show_all": show_all, "today": timezone.localdate()},
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    share_request = _request(request, pk)
    deciding = can_decide(request.user, share_request.dataset) and (
        share_request.state == ShareRequest.State.PENDING
    )
    grant = Grant.objects.filter(request=share_request).first()
    return render(
        request,
        "sharing/request_detail.html",
        {
            "r": share_request,
            "grant": grant,
            "deciding": deciding,
            "approve_form": ApproveForm(
                asked=share_request.fields,
                raw=share_request.raw_fields,
                initial={"columns": share_request.fields, "raw_fields": share_request.raw_fields},
            ),
            "reject_form": RejectForm(),
            "today": timezone.localdate(),
        },
    )


def _narrowed_scope(request: HttpRequest, share_request: ShareRequest) -> dict[str, list[str]]:
    """The row scope as the approver left it: ``scope.<field>`` holds the values kept."""
    scope = {}
    for name, values in share_request.scope.items():
        text = request.POST.get(f"scope.{name}")
        kept = (
            [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
            if text is not None
            else list(values)
        )
        scope[name] = kept
    return scope


@login_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    share_request = _deciding(pk)
    form = ApproveForm(request.POST, asked=share_request.fields, raw=share_request.raw_fields)
    if not form.is_valid():
        messages.error(request, _("Choose at least one field."))
        return redirect("sharing:request", pk=pk)
    try:
        grant = share_request_approve(
            share_request=share_request,
            by=request.user,  # type: ignore[arg-type]
            fields=form.cleaned_data["columns"],
            raw_fields=form.cleaned_data.get("raw_fields") or [],
            scope=_narrowed_scope(request, share_request),
            comment=form.cleaned_data.get("comment") or "",
            request=request,
        )
    except SharingRefused as exc:
        messages.error(request, exc.message)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        # the key goes to the grantee, who issues it from the grant page; never to the approver
        messages.success(request, _("Approved: grant %(id)s given.") % {"id": grant.pk})
    return redirect("sharing:request", pk=pk)


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    share_request = _deciding(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for rejecting."))
        return redirect("sharing:request", pk=pk)
    try:
        share_request_reject(
            share_request=share_request,
            by=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except SharingRefused as exc:
        messages.error(request, exc.message)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Rejected; the requester sees your reason."))
    return redirect("sharing:request", pk=pk)


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    series = usage_series([grant])
    return render(
        request,
        "sharing/grant_detail.html",
        {
            "grant": grant,
            "totals": usage_totals(grant),
            "usage": _chart(series.as_json()),
            "usage_rows": list(zip(series.days, series.calls, series.rows, strict=True)),
            "history": grant_history(grant),
            "is_grantee": grant.grantee_id == request.user.pk,
            "revoke_form": RevokeForm(),
            "api_path": reverse("api:grant_rows", kwargs={"pk": grant.pk}),
        },
    )


@login_required
@require_POST
def grant_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        grant = grant_get(pk)
    except Grant.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        grant_revoke(grant=grant, by=request.user, reason=reason, request=request)  # type: ignore[arg-type]
    except SharingRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Revoked: the grant and its key stopped working at once."))
    return redirect("sharing:grant", pk=pk)


@login_required
@require_POST
def grant_key(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant(request, pk)
    try:
        key = grant_key_reissue(grant=grant, by=request.user, request=request)  # type: ignore[arg-type]
    except SharingRefused as exc:
        messages.error(request, exc.message)
        return redirect("sharing:grant", pk=pk)
    return _show_key(request, grant, key)


def _csv(grant: Grant, columns: list[str], rows: list[dict[str, Any]]) -> HttpResponse:
    """CSV with a BOM, so that spreadsheet programs read the Chinese text right."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{grant.dataset.code}-grant{grant.pk}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def grant_rows(request: HttpRequest, pk: int) -> HttpResponse:
    """Browse the granted rows: filters, search, sort and pages; each page read is audited."""
    grant = _grant(request, pk)  # the read service refuses (and audits) anyone but the grantee
    params = {k: v for k, v in request.GET.lists() if k not in ("page", "export")}
    params.pop("fields", None)
    for name in [k for k in params if k.startswith("filter.")]:  # the form's empty boxes
        params[name] = [v for v in params[name] if v.strip()]
        if not params[name]:
            del params[name]
    exporting = request.GET.get("export") == "csv"
    if exporting:  # the filtered rows from the first, up to the query layer's page limit
        params.update(limit=[str(MAX_LIMIT)], offset=["0"])
    query = parse_row_query(params, default_limit=BROWSE_LIMIT)
    if exporting:
        try:
            exported = grant_rows_read(grant=grant, query=query, by=request.user, request=request)
        except SharingRefused as exc:
            return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
        return _csv(grant, exported.columns, exported.rows)
    error = ""
    result = None
    try:
        result = grant_rows_read(grant=grant, query=query, by=request.user, request=request)
    except SharingRefused as exc:
        error = exc.message
    fields = [f for f in grant.dataset.fields.all() if f.name in set(grant.fields)]
    # a masked field cannot be filtered (the filter would tell its hidden values)
    filterable = [f for f in fields if (f.grade or 0) < Grade.L3 or f.name in grant.raw_fields]
    filters = {name: ", ".join(values) for name, values in query.filters.items()}
    base = request.GET.copy()
    for name in ("offset", "sort"):
        base.pop(name, None)
    offset = max(query.offset, 0)
    limit = query.limit if query.limit > 0 else BROWSE_LIMIT
    total = (result.total or 0) if result else 0
    sort = request.GET.get("sort", "")
    return render(
        request,
        "sharing/rows.html",
        {
            "grant": grant,
            "fields": fields,
            "filterable": filterable,
            "result": result,
            "rows": [[row.get(c) for c in result.columns] for row in result.rows] if result else [],
            "error": error,
            "filters": filters,
            "q": query.q,
            "sort": sort,
            "base": base.urlencode(),
            "offset": offset,
            "limit": limit,
            "total": total,
            "previous": max(offset - limit, 0) if offset > 0 else None,
            "next": offset + limit if offset + limit < total else None,
            "first_row": offset + 1 if total else 0,
            "max_export": MAX_LIMIT,
            "last_row": min(offset + limit, total),
        },
        status=400 if error else 200,
    )


@login_required
def consumers_view(request: HttpRequest) -> HttpResponse:
    """The owner department's view: who uses its data, how much and why."""
    if not has_perm(request.user, "sharing.approve"):
        raise PermissionDenied("sharing.approve")
    grants = list(consumers(by=request.user)[:500])
    by_department: dict[str, list[int]] = {}
    for g in grants:
        entry = by_department.setdefault(g.department.name, [0, 0])
        entry[0] += g.total_calls or 0  # type: ignore[attr-defined]
        entry[1] += g.total_rows or 0  # type: ignore[attr-defined]
    return render(
        request,
        "sharing/consumers.html",
        {
            "grants": grants,
            "usage": _chart(usage_series(grants).as_json()) if grants else None,
            "departments": {
                "labels": {k: str(v) for k, v in CHART_LABELS.items()},
                "names": list(by_department),
                "calls": [v[0] for v in by_department.values()],
                "rows": [v[1] for v in by_department.values()],
            },
        },
    )


def sharing_panel(request: HttpRequest, dataset: Dataset) -> str:
    """The dataset page's "Sharing" tab: how it is shared, a request button, its consumers."""
    user = request.user
    owner_view = can_decide(user, dataset)
    return render_to_string(
        "sharing/_panel.html",
        {
            "dataset": dataset,
            "can_request": requestable(dataset)
            and has_perm(user, "sharing.request")
            and getattr(user, "department_id", None) != dataset.owner_id,
            "owner_view": owner_view,
            "grants": list(consumers(by=user).filter(dataset=dataset)[:50]) if owner_view else [],
        },
        request=request,
    )
