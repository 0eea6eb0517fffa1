"""Authorised-operation pages: the operator workspace, the review inbox and operator vetting."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shuzhi.platform.accounts.models import User
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.security.permissions import has_perm

from .forms import ApplyForm, GrantForm, RegisterForm, ReviewForm, StatusForm, SubmitForm
from .models import Analysis, Authorisation, Operator
from .selectors import (
    active_authorisations,
    analysis_for_operator,
    analysis_for_review,
    analysis_list_for_operator,
    authorisation_list,
    chart_data,
    is_bureau,
    operator_list,
    operator_of,
    publishable_datasets,
    recent_reviews,
    review_inbox,
    usage_list,
    usage_totals,
    visible_fields,
)
from .services import (
    OperationError,
    analysis_review,
    analysis_submit,
    authorisation_grant,
    authorisation_revoke,
    operator_account_add,
    operator_apply,
    operator_register,
    operator_set_status,
)

EXAMPLE_SQL = "SELECT {column}, COUNT(*) AS n\nFROM {code}\nGROUP BY {column}\nORDER BY n DESC"
EXAMPLE_IBIS = "{code}.group_by('{column}').aggregate(n=_.count()).order_by(_.n.desc())"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _bureau_only(request: HttpRequest) -> None:
    if not is_bureau(request.user):
        raise PermissionDenied("operation.review")


@login_required
@require_http_methods(["GET", "POST"])
def workspace(request: HttpRequest) -> HttpResponse:
    """The operator's workspace (运营方工作台): datasets, a query box, analyses and usage."""
    user = _user(request)
    if not has_perm(user, "operation.submit"):
        if has_perm(user, "operation.review"):  # bureau staff come here from the navigation
            return redirect("operation:review")
        raise PermissionDenied("operation.submit")
    operator = operator_of(user)
    apply_form = ApplyForm(request.POST if request.POST.get("action") == "apply" else None)
    submit_form = SubmitForm(request.POST if request.POST.get("action") == "submit" else None)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "apply" and apply_form.is_valid():
                operator_apply(by=user, request=request, **apply_form.cleaned_data)
                messages.success(request, _("Your application is with the big-data bureau."))
                return redirect("operation:workspace")
            if request.POST.get("action") == "submit" and submit_form.is_valid():
                analysis = analysis_submit(by=user, request=request, **submit_form.cleaned_data)
                return redirect("operation:analysis", pk=analysis.pk)
        except OperationError as exc:
            error = str(exc)
        except PermissionDenied:
            error = _("Only a vetted operator's accounts can submit analyses.")
    datasets: list[dict[str, Any]] = []
    analyses: list[Analysis] = []
    usage: list[Any] = []
    if operator is not None:
        for grant in active_authorisations(operator):
            datasets.append({"grant": grant, "fields": visible_fields(grant.dataset)})
        analyses = list(analysis_list_for_operator(operator)[:100])
        usage = list(usage_list(operator)[:12])
    code, column = "dataset_code", "county"
    if datasets:
        code = datasets[0]["grant"].dataset.code
        texts = [f.name for f in datasets[0]["fields"] if f.data_type == "string"]
        column = texts[-1] if texts else datasets[0]["fields"][0].name
    status = 400 if (error or apply_form.errors or submit_form.errors) else 200
    return render(
        request,
        "operation/workspace.html",
        {
            "operator": operator,
            "datasets": datasets,
            "analyses": analyses,
            "usage": usage,
            "apply_form": apply_form,
            "submit_form": submit_form,
            "error": error,
            "example_sql": EXAMPLE_SQL.format(code=code, column=column),
            "example_ibis": EXAMPLE_IBIS.format(code=code, column=column),
            "k": _k(),
        },
        status=status,
    )


def _k() -> int:
    return int(settings.OPERATION_MIN_GROUP)


@login_required
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the operator's analyses; its result only once the bureau has released it."""
    try:
        found = analysis_for_operator(operator_of(request.user), pk)
    except Analysis.DoesNotExist as exc:
        raise Http404(pk) from exc
    return render(
        request,
        "operation/analysis.html",
        {
            "analysis": found,
            "show_result": found.is_released,
            "chart": chart_data(found) if found.is_released else None,
        },
    )


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The bureau's review inbox (结果审核): results awaiting review, and recent decisions."""
    _bureau_only(request)
    return render(
        request,
        "operation/review.html",
        {"inbox": list(review_inbox()[:200]), "recent": list(recent_reviews()[:20])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _bureau_only(request)
    try:
        found = analysis_for_review(pk)
    except Analysis.DoesNotExist as exc:
        raise Http404(pk) from exc
    form = ReviewForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            analysis_review(by=_user(request), analysis=found, request=request, **form.cleaned_data)
            messages.success(request, _("The decision is recorded."))
            return redirect("operation:review")
        except OperationError as exc:
            error = str(exc)
    return render(
        request,
        "operation/review_detail.html",
        {
            "analysis": found,
            "form": form,
            "error": error,
            "show_result": True,
            "chart": chart_data(found),
        },
        status=400 if error or form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def operators(request: HttpRequest) -> HttpResponse:
    """The bureau's operator page: register, vet or suspend operators; grant and revoke datasets."""
    _bureau_only(request)
    user = _user(request)
    action = request.POST.get("action", "")
    register_form = RegisterForm(request.POST if action == "register" else None)
    error = ""
    if request.method == "POST":
        try:
            if action == "register" and register_form.is_valid():
                data = register_form.cleaned_data
                names = [n.strip() for n in data["usernames"].split(",") if n.strip()]
                users = list(User.objects.filter(username__in=names))
                missing = sorted(set(names) - {u.username for u in users})
                if missing:
                    raise OperationError(
                        _("No such account: %(users)s") % {"users": ", ".join(missing)}
                    )
                operator_register(
                    by=user,
                    name=data["name"],
                    credit_code=data["credit_code"],
                    users=users,
                    request=request,
                )
                return redirect("operation:operators")
            if action in ("status", "grant", "revoke", "account"):
                _operator_action(request, user, action)
                return redirect("operation:operators")
        except OperationError as exc:
            error = str(exc)
    rows = [{"operator": op, "grants": list(authorisation_list(op))} for op in operator_list()]
    return render(
        request,
        "operation/operators.html",
        {
            "rows": rows,
            "register_form": register_form,
            "datasets": list(publishable_datasets()),
            "usage": usage_totals(),
            "error": error,
        },
        status=400 if error or register_form.errors else 200,
    )


def _operator_action(request: HttpRequest, user: User, action: str) -> None:
    try:
        operator = Operator.objects.get(pk=int(request.POST.get("operator", "0")))
    except (Operator.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if action == "status":
        form: Any = StatusForm(request.POST)
        if not form.is_valid():
            raise OperationError(_("Choose vet or suspend."))
        operator_set_status(by=user, operator=operator, request=request, **form.cleaned_data)
        messages.success(request, _("The operator's status is changed."))
    elif action == "account":
        account = User.objects.filter(username=request.POST.get("username", "").strip()).first()
        if account is None:
            raise OperationError(
                _("No such account: %(users)s") % {"users": request.POST.get("username", "")}
            )
        operator_account_add(by=user, operator=operator, user=account, request=request)
        messages.success(request, _("The account is added."))
    elif action == "grant":
        form = GrantForm(request.POST)
        if not form.is_valid():
            raise OperationError(_("Give a dataset and a period."))
        data = form.cleaned_data
        try:
            dataset = Dataset.objects.get(code=data["dataset"])
        except Dataset.DoesNotExist as exc:
            raise OperationError(_("No such dataset.")) from exc
        authorisation_grant(
            by=user,
            operator=operator,
            dataset=dataset,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            purpose=data["purpose"],
            request=request,
        )
        messages.success(request, _("The dataset is authorised."))
    else:
        try:
            grant = Authorisation.objects.get(
                pk=int(request.POST.get("authorisation", "0")), operator=operator
            )
        except (Authorisation.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        authorisation_revoke(by=user, authorisation=grant, request=request)
        messages.success(request, _("The authorisation is revoked."))
