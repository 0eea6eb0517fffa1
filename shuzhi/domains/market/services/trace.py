"""Traceability (追溯) and recalls (产品召回) of food, drugs and key industrial products.

A producer registers a *batch* (产品批次); each *movement* (流向记录) passes part of it from its
current holder to the next — a distributor (经销商), a retailer (零售商) or a user (使用单位).

Rules (each refusal is a :class:`TraceRefused` with a stable ``code``, audited, nothing changes):

* a batch is registered by the producer's own enterprise user, or by a regulator of the
  producer's county (or the city);
* a movement is recorded by the sender's own enterprise user or a regulator of the sender's
  county (or the city). The sender must hold the batch now: it is the producer or received it in
  an earlier movement. The receiver's credit code must be valid (the validator's reason is
  shown) and registered. The quantity must be positive and at most what the sender still has:
  what it received (the producer: the quantity produced) minus what it has already sent on.
  A recalled batch does not move;
* a recall (召回) is ordered by a regulator of the producer's county or the city, with a reason.
  It marks the batch and opens one loop task per downstream holder, opened by the system and
  routed to the market department of the holder's county (source ``market:recall:<batch
  code>:<credit code>``); the task is stored on the holder's movements.

Who sees a batch: whoever holds ``market.view`` sees its whole flow; an enterprise that holds
or held it sees the chain back to the producer and what it sent on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import Department, Division
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.loop import selectors as loop_selectors
from shuzhi.platform.loop import services as loop_services
from shuzhi.platform.loop.registry import TaskType
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.permissions import has_perm

from .. import trace_graph
from ..models import Batch, Enterprise, Movement
from ..permissions import (
    county_market_department,
    regulates,
    regulator_reach,
    require_regulator,
    require_viewer,
)
from ..refusals import MarketRefused, audit_refusal

TASK_TYPE: Final = "market_recall"
TASK_CATEGORY: Final = "market"

ACTIONS: dict[str, Any] = {
    "market.batch_register": gettext_lazy("Product batch registered"),
    "market.batch_move": gettext_lazy("Batch movement recorded"),
    "market.batch_recall": gettext_lazy("Product batch recalled"),
    "market.batch_view": gettext_lazy("Product batch viewed"),
}
TASK_TYPES: list[Any] = [
    TaskType(TASK_TYPE, gettext_lazy("Product recall"), category=TASK_CATEGORY, deadline_days=3)
]

BATCH_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_QUANTITY: Final = Decimal("999999999999")


class TraceRefused(MarketRefused):
    """A batch, movement or recall refused."""


def _recall_source_ref(batch_code: str, credit_code: str) -> str:
    return f"market:recall:{batch_code}:{credit_code}"


# --- permissions and refusals -------------------------------------------------------------------


def _is_own(user: Any, credit_code: str) -> bool:
    own = str(getattr(user, "credit_code", "") or "")
    return bool(own) and own == credit_code and has_perm(user, "market.own")


def _require_trace_actor(user: Any, *, action: str, request: HttpRequest | None) -> None:
    """An enterprise user or a regulator; anyone else is refused (audited)."""
    if has_perm(user, "market.own") or regulator_reach(user) is not None:
        return
    require_regulator(user, county_code=None, action=action, request=request)


def _require_own_or_regulator(
    user: Any, credit_code: str, county_code: str, *, action: str, request: HttpRequest | None
) -> None:
    """The enterprise's own user, or a regulator of its county (or the city)."""
    if _is_own(user, credit_code):
        return
    require_regulator(user, county_code=county_code, action=action, request=request)


def _refuse(
    reason: str, message: str, *, action: str, by: Any, request: HttpRequest | None, **details: Any
) -> TraceRefused:
    audit_refusal(
        action=action,
        by=by,
        code=reason,
        request=request,
        details={k: str(v)[:100] for k, v in details.items()},
    )
    return TraceRefused(reason, message)


def _registered(
    raw: str, *, action: str, by: Any, request: HttpRequest | None, what: str
) -> Enterprise:
    """The registered enterprise of a credit code, or a refusal with the validator's reason."""
    checked = check_credit_code(raw or "")
    if not checked.valid:
        raise _refuse(
            "invalid_credit_code",
            _("Invalid credit code: %(reason)s") % {"reason": checked.reason},
            action=action,
            by=by,
            request=request,
            field=what,
            credit_code=(raw or "")[:40],
        )
    enterprise = Enterprise.objects.filter(credit_code=checked.normalised).first()
    if enterprise is None:
        raise _refuse(
            "unknown_enterprise",
            _("%(code)s is not a registered enterprise.") % {"code": checked.normalised},
            action=action,
            by=by,
            request=request,
            field=what,
            credit_code=checked.normalised,
        )
    return enterprise


def _quantity(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value > MAX_QUANTITY:
        return None
    value = value.quantize(Decimal("0.01"))
    return value if value > 0 else None  # 0.004 would be stored as 0


def _edges(batch: Batch) -> list[trace_graph.Edge]:
    return [
        trace_graph.Edge(pk, src, dst, qty)
        for pk, src, dst, qty in batch.movements.order_by("moved_on", "pk").values_list(
            "pk", "from_code", "to_code", "quantity"
        )
    ]


def _batch(code: str) -> Batch | None:
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    return Batch.objects.filter(code=code).first()


# --- register, move, recall ----------------------------------------------------------------------


def batch_register(
    *,
    code: str,
    product: str,
    category: str,
    producer_code: str,
    produced_on: date,
    quantity: Any,
    unit: str,
    by: Any,
    request: HttpRequest | None = None,
) -> Batch:
    """Register a batch for its producer (the producer's own user, or its county's regulator)."""
    action = "market.batch_register"
    _require_trace_actor(by, action=action, request=request)
    code = (code or "").strip()
    if not BATCH_CODE.match(code):
        raise _refuse(
            "bad_batch_code",
            _("A batch code has 1 to 64 letters, digits, dots, dashes or underscores."),
            action=action,
            by=by,
            request=request,
            batch=code,
        )
    producer = _registered(producer_code, action=action, by=by, request=request, what="producer")
    _require_own_or_regulator(
        by, producer.credit_code, producer.county_id, action=action, request=request
    )
    amount = _quantity(quantity)
    problem = ""
    if category not in Batch.Category.values:
        problem = "bad_category"
    elif not (product or "").strip():
        problem = "no_product"
    elif not (unit or "").strip():
        problem = "no_unit"
    elif amount is None:
        problem = "bad_quantity"
    elif produced_on > timezone.localdate():
        problem = "future_date"
    elif Batch.objects.filter(code=code).exists():
        problem = "duplicate_batch"
    if problem:
        messages = {
            "bad_category": _("Choose the product category."),
            "no_product": _("Name the product."),
            "no_unit": _("Give the unit of the quantity."),
            "bad_quantity": _("The quantity must be a number greater than zero."),
            "future_date": _("The production date cannot be in the future."),
            "duplicate_batch": _("A batch with this code is already registered."),
        }
        raise _refuse(problem, messages[problem], action=action, by=by, request=request, batch=code)
    assert amount is not None
    try:
        with transaction.atomic():
            batch = Batch.objects.create(
                code=code,
                product=product.strip()[:200],
                category=category,
                producer_code=producer.credit_code,
                produced_on=produced_on,
                quantity=amount,
                unit=unit.strip()[:16],
            )
            audit_record(
                action=action,
                actor=by,
                target=batch,
                request=request,
                details={"producer": producer.credit_code, "quantity": str(amount)},
            )
    except IntegrityError:  # the same code registered meanwhile (a double submit)
        raise _refuse(
            "duplicate_batch",
            _("A batch with this code is already registered."),
            action=action,
            by=by,
            request=request,
            batch=code,
        ) from None
    return batch


def _move_problem(batch: Batch, sender: Enterprise, amount: Decimal) -> tuple[str, str] | None:
    """Why ``sender`` may not send ``amount`` of ``batch`` now (re-checked under the lock)."""
    edges = _edges(batch)
    if batch.recalled_at is not None:
        return "batch_recalled", _("This batch is recalled: it may not move any more.")
    if sender.credit_code not in trace_graph.holders(edges, batch.producer_code):
        return "not_holder", _("%(name)s does not hold this batch.") % {"name": sender.name}
    available = trace_graph.balances(edges, batch.producer_code, batch.quantity)[
        sender.credit_code
    ].available
    if amount > available:
        return (
            "over_quantity",
            _("%(name)s has only %(available)s %(unit)s of this batch left to send.")
            % {"name": sender.name, "available": available, "unit": batch.unit},
        )
    return None


def movement_record(
    *,
    batch_code: str,
    from_code: str,
    to_code: str,
    to_role: str,
    quantity: Any,
    moved_on: date,
    by: Any,
    request: HttpRequest | None = None,
) -> Movement:
    """Record that ``from_code`` passed ``quantity`` of the batch to ``to_code``."""
    action = "market.batch_move"
    _require_trace_actor(by, action=action, request=request)
    batch = _batch(batch_code)
    if batch is None:
        raise _refuse(
            "unknown_batch",
            _("No batch has the code %(code)s.") % {"code": (batch_code or "")[:64]},
            action=action,
            by=by,
            request=request,
            batch=batch_code,
        )
    sender = _registered(from_code, action=action, by=by, request=request, what="from")
    _require_own_or_regulator(
        by, sender.credit_code, sender.county_id, action=action, request=request
    )

    def refuse(reason: str, message: str) -> TraceRefused:
        return _refuse(reason, message, action=action, by=by, request=request, batch=batch.code)

    if batch.recalled_at is not None:
        raise refuse("batch_recalled", _("This batch is recalled: it may not move any more."))
    if sender.credit_code not in trace_graph.holders(_edges(batch), batch.producer_code):
        raise refuse("not_holder", _("%(name)s does not hold this batch.") % {"name": sender.name})
    receiver = _registered(to_code, action=action, by=by, request=request, what="to")
    if receiver.credit_code == sender.credit_code:
        raise refuse("same_holder", _("The sender and the receiver are the same."))
    if to_role not in Movement.Role.values:
        raise refuse("bad_role", _("Choose the receiver's role."))
    amount = _quantity(quantity)
    if amount is None:
        raise refuse("bad_quantity", _("The quantity must be a number greater than zero."))
    if moved_on < batch.produced_on or moved_on > timezone.localdate():
        raise refuse("bad_date", _("The date must be between the production date and today."))
    problem = _move_problem(batch, sender, amount)
    if problem is not None:
        raise refuse(*problem)
    try:
        with transaction.atomic():
            locked = Batch.objects.select_for_update().get(pk=batch.pk)
            problem = _move_problem(locked, sender, amount)  # someone moved or recalled it
            if problem is not None:
                raise TraceRefused(*problem)
            movement = Movement.objects.create(
                batch=locked,
                from_code=sender.credit_code,
                to_code=receiver.credit_code,
                to_role=to_role,
                quantity=amount,
                moved_on=moved_on,
            )
            audit_record(
                action=action,
                actor=by,
                target=movement,
                request=request,
                details={
                    "batch": batch.code,
                    "from": sender.credit_code,
                    "to": receiver.credit_code,
                    "quantity": str(amount),
                },
            )
    except TraceRefused as late:
        raise refuse(late.code, late.message) from None
    return movement


@dataclass
class RecallOutcome:
    batch: Batch
    tasks: dict[str, int] = field(default_factory=dict)  # holder credit code → task id
    already_open: int = 0


def _already_recalled(batch: Batch) -> TraceRefused:
    assert batch.recalled_at is not None
    return TraceRefused(
        "already_recalled",
        _("This batch was already recalled on %(when)s.")
        % {"when": timezone.localtime(batch.recalled_at).strftime("%Y-%m-%d %H:%M")},
    )


def batch_recall(
    *, batch_code: str, reason: str, by: Any, request: HttpRequest | None = None
) -> RecallOutcome:
    """Recall a batch: mark it and every downstream holder, one loop task per holder."""
    action = "market.batch_recall"
    if regulator_reach(by) is None:
        require_regulator(by, county_code=None, action=action, request=request)
    batch = _batch(batch_code)
    if batch is None:
        raise _refuse(
            "unknown_batch",
            _("No batch has the code %(code)s.") % {"code": (batch_code or "")[:64]},
            action=action,
            by=by,
            request=request,
            batch=batch_code,
        )
    producer = Enterprise.objects.filter(credit_code=batch.producer_code).first()
    require_regulator(
        by,
        county_code=producer.county_id if producer else None,
        action=action,
        request=request,
    )
    reason = (reason or "").strip()
    try:
        if batch.recalled_at is not None:
            raise _already_recalled(batch)
        if not reason or len(reason) > 2000:
            raise TraceRefused(
                "no_reason", _("Give the reason for the recall (at most 2,000 characters).")
            )
        with transaction.atomic():
            locked = Batch.objects.select_for_update().get(pk=batch.pk)
            if locked.recalled_at is not None:  # recalled meanwhile
                raise _already_recalled(locked)
            outcome = _recall(locked, reason, by=by, request=request)
    except TraceRefused as refusal:
        raise _refuse(
            refusal.code, refusal.message, action=action, by=by, request=request, batch=batch.code
        ) from None
    return outcome


def _recall(batch: Batch, reason: str, *, by: Any, request: HttpRequest | None) -> RecallOutcome:
    batch.recalled_at = timezone.now()
    batch.recall_reason = reason
    batch.recalled_by = by
    batch.save(update_fields=["recalled_at", "recall_reason", "recalled_by"])
    outcome = RecallOutcome(batch)
    holders = trace_graph.downstream_holders(_edges(batch), batch.producer_code)
    known = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=holders)}
    for code in holders:
        holder = known.get(code)
        if holder is None:  # cannot happen: movements go to registered enterprises only
            continue
        source_ref = _recall_source_ref(batch.code, code)
        task = loop_selectors.open_task_for(source_ref)
        if task is not None:
            outcome.already_open += 1
        else:
            task = loop_services.task_open(
                type_code=TASK_TYPE,
                title=_("Recall of %(product)s batch %(batch)s at %(holder)s")
                % {"product": batch.product, "batch": batch.code, "holder": holder.name},
                division=Division.objects.get(code=holder.county_id),
                description=_(
                    "Batch %(batch)s of %(product)s was recalled: %(reason)s. Make sure "
                    "%(holder)s (%(code)s) stops selling it, removes it from sale and "
                    "returns or destroys what it holds, and record what was done."
                )
                % {
                    "batch": batch.code,
                    "product": batch.product,
                    "reason": reason,
                    "holder": holder.name,
                    "code": code,
                },
                category=TASK_CATEGORY,
                location=holder.address,
                priority="high",
                source="market",
                source_ref=source_ref,
                department=Department.objects.filter(
                    code=county_market_department(holder.county_id)
                ).first(),
                by=None,  # the system: the recall opens them, whoever ordered it
                request=request,
            )
        Movement.objects.filter(batch=batch, to_code=code).update(recall_task=task)
        outcome.tasks[code] = int(task.pk)
    audit_record(
        action="market.batch_recall",
        actor=by,
        target=batch,
        request=request,
        details={"holders": len(outcome.tasks), "tasks": list(outcome.tasks.values())},
    )
    return outcome


# --- reads -----------------------------------------------------------------------------------------


@dataclass
class HolderRow:
    code: str
    name: str
    county: str
    role: str  # "producer" or the receiver's role
    received: Decimal
    sent: Decimal
    available: Decimal
    task_id: int | None = None
    task_state: str = ""


@dataclass
class BatchView:
    batch: Batch
    scope: str  # "full": the whole flow; "own": an enterprise's chain
    names: dict[str, str]
    tree: trace_graph.Node
    holders: list[HolderRow]
    holder: str  # the holder traced from ("" none)
    forward: list[trace_graph.Edge]
    backward: list[trace_graph.Edge]
    may_move_from: list[str]  # holders the viewer may send from
    may_recall: bool


def batch_view(
    *, code: str, by: Any, holder: str = "", request: HttpRequest | None = None
) -> BatchView:
    """A batch for the viewer: the whole flow (``market.view``) or, for an enterprise that holds
    or held it, the chain back to the producer and what it sent on."""
    action = "market.batch_view"
    own = str(getattr(by, "credit_code", "") or "")
    enterprise_user = has_perm(by, "market.own") and bool(own)
    if not enterprise_user:
        require_viewer(by, action=action, request=request)
    batch = _batch(code)
    if batch is None:
        raise TraceRefused(
            "unknown_batch", _("No batch has the code %(code)s.") % {"code": (code or "")[:64]}
        )
    edges = _edges(batch)
    everyone = trace_graph.holders(edges, batch.producer_code)
    full = has_perm(by, "market.view")
    if not full:
        if own not in everyone:
            audit_record(
                action=action,
                actor=by,
                outcome=Outcome.DENIED,
                request=request,
                details={"missing": "holder", "batch": batch.code},
            )
            raise PermissionDenied("holder")
        holder = own
        visible_ids = {
            e.id for e in [*trace_graph.backward(edges, own), *trace_graph.forward(edges, own)]
        }
        shown = [e for e in edges if e.id in visible_ids]
    else:
        shown = edges
        holder = holder if holder in everyone else ""
    codes = trace_graph.holders(shown, batch.producer_code)
    found = {
        cc: (name, county)
        for cc, name, county in Enterprise.objects.filter(credit_code__in=codes).values_list(
            "credit_code", "name", "county_id"
        )
    }
    names = {cc: found.get(cc, (cc, ""))[0] for cc in codes}
    balances = trace_graph.balances(shown, batch.producer_code, batch.quantity)
    roles: dict[str, str] = {batch.producer_code: "producer"}
    tasks: dict[str, Any] = {}
    for movement in batch.movements.filter(pk__in=[e.id for e in shown]).select_related(
        "recall_task"
    ):
        roles.setdefault(movement.to_code, movement.to_role)
        if movement.recall_task is not None:
            tasks[movement.to_code] = movement.recall_task
    rows = []
    for cc in [batch.producer_code, *trace_graph.downstream_holders(shown, batch.producer_code)]:
        balance = balances.get(cc)
        if balance is None:
            continue
        task = tasks.get(cc)
        rows.append(
            HolderRow(
                cc,
                names.get(cc, cc),
                found.get(cc, ("", ""))[1],
                roles.get(cc, ""),
                Decimal(balance.received),
                Decimal(balance.sent),
                Decimal(balance.available),
                task.pk if task is not None and full else None,
                task.get_state_display() if task is not None else "",
            )
        )
    if batch.recalled_at is not None:
        may_move: list[str] = []
    elif full:
        may_move = [
            r.code
            for r in rows
            if r.available > 0 and regulates(by, found.get(r.code, ("", ""))[1])
        ]
    else:
        may_move = [own] if balances.get(own) and balances[own].available > 0 else []
    producer_county = found.get(batch.producer_code, ("", ""))[1]
    return BatchView(
        batch=batch,
        scope="full" if full else "own",
        names=names,
        tree=trace_graph.tree(shown, batch.producer_code),
        holders=rows,
        holder=holder,
        forward=trace_graph.forward(shown, holder) if holder else [],
        backward=trace_graph.backward(shown, holder) if holder else [],
        may_move_from=may_move,
        may_recall=batch.recalled_at is None and regulates(by, producer_county or None),
    )


def batch_list(*, by: Any, query: str = "", request: HttpRequest | None = None) -> QuerySet[Batch]:
    """Batches the viewer may open: all (``market.view``) or an enterprise's own (produced or
    received), optionally those whose code or product contains ``query``."""
    own = str(getattr(by, "credit_code", "") or "")
    if has_perm(by, "market.view"):
        qs = Batch.objects.all()
    else:
        require_viewer_or_own(by, own, request=request)
        received = Movement.objects.filter(to_code=own).values("batch_id")
        qs = Batch.objects.filter(Q(producer_code=own) | Q(pk__in=received))
    query = (query or "").strip()[:64]
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(product__icontains=query))
    return qs.order_by("-produced_on", "code")


def require_viewer_or_own(by: Any, own: str, *, request: HttpRequest | None = None) -> None:
    """``market.view``, or an enterprise user with a credit code (refusals audited)."""
    if has_perm(by, "market.own") and own:
        return
    require_viewer(by, action="market.batch_view", request=request)
