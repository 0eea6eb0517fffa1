"""Traceability pages (追溯) — thin views over services/trace.py.

* ``market:trace``: search batches by code or product; an enterprise sees its own batches
  (produced or received), whoever holds ``market.view`` sees all;
* ``market:batch_new``: register a batch;
* ``market:batch``: one batch — its flow as a tree, the holders with their quantities and recall
  tasks, forward and backward trace from a holder, the movement and recall forms;
* ``market:batch_move`` / ``market:batch_recall`` (POST).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuzhi.platform.accounts.models import User
from shuzhi.platform.security.permissions import has_perm

from . import trace_graph
from .models import Batch, Movement
from .services.trace import (
    BatchView,
    TraceRefused,
    batch_list,
    batch_recall,
    batch_register,
    batch_view,
    movement_record,
)

PAGE = 50


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        widget.attrs["class"] = (
            "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


class BatchForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Batch code"), max_length=64)
    product = forms.CharField(label=gettext_lazy("Product"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Batch.Category.choices)
    producer_code = forms.CharField(label=gettext_lazy("Producer's credit code"), max_length=40)
    produced_on = forms.DateField(
        label=gettext_lazy("Produced on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.DecimalField(label=gettext_lazy("Quantity"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=16)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class MoveForm(forms.Form):
    from_code = forms.ChoiceField(label=gettext_lazy("From"))
    to_code = forms.CharField(label=gettext_lazy("Receiver's credit code"), max_length=40)
    to_role = forms.ChoiceField(
        label=gettext_lazy("Receiver's role"), choices=Movement.Role.choices
    )
    quantity = forms.DecimalField(label=gettext_lazy("Quantity"), max_digits=14, decimal_places=2)
    moved_on = forms.DateField(
        label=gettext_lazy("Moved on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, senders: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["from_code"]).choices = senders
        _style(self)


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the recall"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "market/refused.html", {"message": message}, status=status)


@login_required
def trace(request: HttpRequest) -> HttpResponse:
    """Search batches; an enterprise's own batches."""
    user = cast(User, request.user)
    query = request.GET.get("q", "").strip()[:64]
    batches = batch_list(by=user, query=query, request=request)
    if query:
        exact = batches.filter(code=query).first()
        if exact is not None:
            return redirect("market:batch", code=exact.code)
    page = Paginator(batches, PAGE).get_page(request.GET.get("page"))
    own = str(user.credit_code or "") if has_perm(user, "market.own") else ""
    return render(
        request,
        "market/trace/index.html",
        {"page": page, "query": query, "own": own, "full": has_perm(user, "market.view")},
    )


@login_required
def batch_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    initial = {"produced_on": timezone.localdate(), "category": Batch.Category.FOOD}
    if has_perm(user, "market.own") and user.credit_code:
        initial["producer_code"] = user.credit_code
    form = BatchForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                batch = batch_register(by=user, request=request, **form.cleaned_data)
            except TraceRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Batch %(code)s registered.") % {"code": batch.code})
                return redirect("market:batch", code=batch.code)
    return render(request, "market/trace/new.html", {"form": form}, status=status)


def _view(request: HttpRequest, code: str) -> BatchView:
    try:
        return batch_view(
            code=code, by=request.user, holder=request.GET.get("holder", ""), request=request
        )
    except TraceRefused as refusal:
        raise Http404(refusal.message) from refusal


def _move_form(view: BatchView, data: Any = None) -> MoveForm:
    senders = [(cc, f"{view.names.get(cc, cc)} ({cc})") for cc in view.may_move_from]
    return MoveForm(
        data, senders=senders, initial={"moved_on": timezone.localdate(), "to_role": "retailer"}
    )


def _named(node: trace_graph.Node, names: dict[str, str]) -> dict[str, Any]:
    """The tree with names, for the nested list of the page."""
    return {
        "code": node.code,
        "name": names.get(node.code, node.code),
        "quantity": node.edge.quantity if node.edge else None,
        "repeated": node.repeated,
        "children": [_named(child, names) for child in node.children],
    }


def _steps(edge: trace_graph.Edge, names: dict[str, str]) -> dict[str, Any]:
    return {
        "source": names.get(edge.source, edge.source),
        "target": names.get(edge.target, edge.target),
        "quantity": edge.quantity,
    }


def _render_batch(
    request: HttpRequest,
    view: BatchView,
    *,
    move: MoveForm | None = None,
    recall: RecallForm | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = {"producer": str(_("Producer")), **{k: str(v) for k, v in Movement.Role.choices}}
    return render(
        request,
        "market/trace/batch.html",
        {
            "view": view,
            "batch": view.batch,
            "move_form": move or _move_form(view),
            "recall_form": recall or RecallForm(),
            "root": _named(view.tree, view.names),
            "holders": [(h, roles.get(h.role, "")) for h in view.holders],
            "holder_name": view.names.get(view.holder, view.holder),
            "edges_forward": [_steps(e, view.names) for e in view.forward],
            "edges_backward": [_steps(e, view.names) for e in view.backward],
        },
        status=status,
    )


@login_required
def batch(request: HttpRequest, code: str) -> HttpResponse:
    return _render_batch(request, _view(request, code))


@login_required
@require_POST
def batch_move(request: HttpRequest, code: str) -> HttpResponse:
    view = _view(request, code)
    form = _move_form(view, request.POST)
    sent_from = request.POST.get("from_code", "")[:40]
    cast(forms.ChoiceField, form.fields["from_code"]).choices = [
        (sent_from, sent_from)
    ]  # the service decides
    if form.is_valid():
        try:
            movement_record(
                batch_code=view.batch.code,
                by=request.user,
                request=request,
                **form.cleaned_data,
            )
        except TraceRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Movement recorded."))
            return redirect("market:batch", code=view.batch.code)
    return _render_batch(request, view, move=form, status=400)


@login_required
@require_POST
def batch_recall_view(request: HttpRequest, code: str) -> HttpResponse:
    form = RecallForm(request.POST)
    if form.is_valid():
        try:
            outcome = batch_recall(
                batch_code=code,
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except TraceRefused as refusal:
            if refusal.code == "unknown_batch":
                return _refused(request, refusal.message, 404)
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Batch recalled; %(count)s tasks opened for the holders' regulators.")
                % {"count": len(outcome.tasks)},
            )
            return redirect("market:batch", code=outcome.batch.code)
    return _render_batch(request, _view(request, code), recall=form, status=400)
