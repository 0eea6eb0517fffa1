"""The enterprise life cycle (市场主体全生命周期): establishment, change, annual report,
abnormal-operation listing and removal, revocation, and deregistration — simplified
(简易注销, a public notice that takes objections) or ordinary (一般注销).

Registry events are recorded by a regulator whose reach covers the enterprise's county. A
deregistration is applied for by the enterprise's own user or a regulator of its county;
anyone (also anonymous) may object while a simplified deregistration is on notice; a regulator
of the county decides. Every success and every refusal is audited; a refusal changes nothing.

An ordinary deregistration has no public notice here: it waits for the decision in the state
``notice`` with no notice dates (the model has no separate "submitted" state).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import Department, Division
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.loop.registry import TaskType
from shuzhi.platform.loop.services import task_open
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.masking import mask
from shuzhi.platform.security.permissions import has_perm

from ..models import Case, Deregistration, Enterprise, EnterpriseEvent, Objection
from ..permissions import county_market_department, require_own_enterprise, require_regulator
from ..refusals import MarketRefused, audit_refusal

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {
    "market.enterprise_register": gettext_lazy("Enterprise registered (establishment)"),
    "market.enterprise_change": gettext_lazy("Enterprise registration changed"),
    "market.annual_report": gettext_lazy("Enterprise annual report recorded"),
    "market.abnormal_list": gettext_lazy("Enterprise listed as abnormal"),
    "market.abnormal_remove": gettext_lazy("Enterprise removed from the abnormal list"),
    "market.revoke": gettext_lazy("Enterprise licence revoked"),
    "market.deregistration_apply": gettext_lazy("Deregistration applied for"),
    "market.deregistration_object": gettext_lazy("Objection to a deregistration notice"),
    "market.deregistration_decide": gettext_lazy("Deregistration decided"),
    "market.deregistration_withdraw": gettext_lazy("Deregistration withdrawn"),
    "market.registry_view": gettext_lazy("Enterprise registry viewed"),
    "market.profile_view": gettext_lazy("Enterprise profile viewed"),
}

OBJECTION_TASK = "market.deregistration_objection"
# loop task types (shuzhi.platform.loop.registry.TaskType) this module opens; registered by apps.py
TASK_TYPES: list[Any] = [
    TaskType(
        OBJECTION_TASK,
        gettext_lazy("Objection to a simplified deregistration"),
        category="market",
        deadline_days=10,
    )
]

# the registration fields a change (变更登记) may touch, with their labels
CHANGEABLE: Mapping[str, Any] = {
    "name": gettext_lazy("name"),
    "enterprise_type": gettext_lazy("type"),
    "legal_representative": gettext_lazy("legal representative"),
    "address": gettext_lazy("address"),
    "industry_code": gettext_lazy("industry (GB/T 4754)"),
    "registered_capital": gettext_lazy("registered capital (10,000 yuan)"),
}
INDUSTRY_CODE = re.compile(r"^[A-T](\d{2}|\d{3}|\d{4})$")
# the longest value a change may give each text field (the columns' lengths; the legal
# representative as at registration)
CHANGE_LIMITS: Mapping[str, int] = {
    "name": 200,
    "enterprise_type": 64,
    "legal_representative": 64,
    "address": 300,
}
MAX_TEXT = 2000
PENALTY_OUTCOMES = (Case.Outcome.PENALTY, Case.Outcome.REDUCED)
PENDING = (
    Deregistration.State.SUBMITTED,
    Deregistration.State.NOTICE,
    Deregistration.State.OBJECTED,
)


class LifecycleRefused(MarketRefused):
    """A refused life-cycle action (``status`` 409 when the state forbids it)."""


def _refuse(
    *,
    action: str,
    by: Any,
    target: object = None,
    request: HttpRequest | None,
    code: str,
    message: str,
    status: int = 400,
    details: Mapping[str, Any] | None = None,
) -> NoReturn:
    audit_refusal(
        action=action,
        by=by,
        code=code,
        request=request,
        target=target,
        outcome=Outcome.DENIED,
        details=dict(details or {}),
    )
    raise LifecycleRefused(code, message, status=status)


def _today() -> date:
    return timezone.localdate()


def _text(value: Any, *, limit: int = MAX_TEXT) -> str:
    return str(value or "").strip()[:limit]


def _actor(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _event(
    enterprise: Enterprise, kind: str, by: Any, details: dict[str, Any], on: date | None = None
) -> EnterpriseEvent:
    return EnterpriseEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        occurred_on=on or _today(),
        details=details,
        recorded_by=_actor(by),
    )


def _capital(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        return None
    return amount.quantize(Decimal("0.01"))


def _blockers(enterprise: Enterprise) -> tuple[list[str], list[str]]:
    """The numbers of the enterprise's open cases and of its cases with an unpaid fine."""
    cases = Case.objects.filter(credit_code=enterprise.credit_code).order_by("number")
    open_cases = list(cases.filter(state=Case.State.OPEN).values_list("number", flat=True))
    unpaid = list(
        cases.filter(outcome__in=PENALTY_OUTCOMES, fine__gt=0, fine_paid=False).values_list(
            "number", flat=True
        )
    )
    return open_cases, unpaid


def _refuse_blocked(
    enterprise: Enterprise, *, action: str, by: Any, target: object, request: HttpRequest | None
) -> None:
    open_cases, unpaid = _blockers(enterprise)
    if open_cases or unpaid:
        parts = []
        if open_cases:
            parts.append(_("open cases: %(numbers)s") % {"numbers": ", ".join(open_cases)})
        if unpaid:
            parts.append(
                _("unpaid penalties in cases: %(numbers)s") % {"numbers": ", ".join(unpaid)}
            )
        _refuse(
            action=action,
            by=by,
            target=target,
            request=request,
            code="open_cases" if open_cases else "unpaid_penalties",
            status=409,
            message=_("%(name)s cannot be deregistered while it has %(what)s.")
            % {"name": enterprise.name, "what": "; ".join(parts)},
            details={"open_cases": open_cases, "unpaid": unpaid},
        )


# --- Registry events (登记事项) ------------------------------------------------------------------


def enterprise_register(
    *,
    by: Any,
    credit_code: str,
    name: str,
    enterprise_type: str,
    legal_representative: str,
    address: str,
    county_code: str,
    town_code: str = "",
    industry_code: str,
    registered_capital: Any,
    established_on: date | None = None,
    request: HttpRequest | None = None,
) -> Enterprise:
    """Register an enterprise (设立登记) and record its establishment event."""
    action = "market.enterprise_register"
    county_code = _text(county_code, limit=12)
    require_regulator(by, county_code=county_code, action=action, request=request)
    checked = check_credit_code(_text(credit_code, limit=40).upper())

    def refuse(code: str, message: str) -> NoReturn:
        _refuse(
            action=action,
            by=by,
            request=request,
            code=code,
            message=message,
            details={"credit_code": _text(credit_code, limit=40)},
        )

    if not checked.valid:
        refuse(
            "invalid_credit_code", _("Invalid credit code: %(reason)s") % {"reason": checked.reason}
        )
    code = checked.normalised
    name = _text(name, limit=200)
    if not name:
        refuse("no_name", _("Give the enterprise's name."))
    if Enterprise.objects.filter(credit_code=code).exists():
        refuse("duplicate_code", _("An enterprise with this credit code is already registered."))
    if Enterprise.objects.filter(name=name).exists():
        refuse("duplicate_name", _("An enterprise with this name is already registered."))
    county = Division.objects.filter(code=county_code, level=Division.Level.COUNTY).first()
    if county is None:
        refuse("bad_county", _("Choose the county of the enterprise."))
    town = None
    if _text(town_code):
        town = Division.objects.filter(code=_text(town_code, limit=12), parent=county).first()
        if town is None:
            refuse("bad_town", _("The town is not in the chosen county."))
    industry = _text(industry_code, limit=8).upper()
    if not INDUSTRY_CODE.match(industry):
        refuse("bad_industry", _("The industry code is not a GB/T 4754 code (e.g. C2221)."))
    capital = _capital(registered_capital)
    if capital is None:
        refuse("bad_capital", _("The registered capital must be a non-negative amount."))
    kind = _text(enterprise_type, limit=64) or Enterprise.Kind.LIMITED
    if kind not in Enterprise.Kind.values:
        refuse("bad_type", _("Choose the type of the enterprise."))
    person = _text(legal_representative, limit=64)
    if not person:
        refuse("no_representative", _("Give the legal representative."))
    established = established_on or _today()
    if established > _today():
        refuse("future_date", _("The establishment date cannot be in the future."))
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                credit_code=code,
                name=name,
                enterprise_type=kind,
                legal_representative=person,
                address=_text(address, limit=300),
                county=county,
                town=town,
                industry_code=industry,
                registered_capital=capital,
                established_on=established,
                status=Enterprise.Status.ACTIVE,
            )
            _event(
                enterprise,
                EnterpriseEvent.Kind.ESTABLISHED,
                by,
                {"name": name, "legal_representative": mask(person, "person_name")},
                on=established,
            )
            audit_record(
                action=action,
                actor=by,
                target=enterprise,
                request=request,
                details={"credit_code": code, "county": county_code},
            )
    except IntegrityError:  # registered meanwhile (a double submit)
        if Enterprise.objects.filter(credit_code=code).exists():
            refuse(
                "duplicate_code", _("An enterprise with this credit code is already registered.")
            )
        refuse("duplicate_name", _("An enterprise with this name is already registered."))
    return enterprise


def _require_live(
    enterprise: Enterprise, *, action: str, by: Any, request: HttpRequest | None
) -> None:
    """Refuse (audited) any registry change of a deregistered enterprise."""
    if enterprise.status == Enterprise.Status.DEREGISTERED:
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="deregistered",
            status=409,
            message=_("%(name)s is deregistered; its registration can no longer change.")
            % {"name": enterprise.name},
        )


def enterprise_change(
    *,
    by: Any,
    enterprise: Enterprise,
    field: str,
    value: Any,
    request: HttpRequest | None = None,
) -> EnterpriseEvent:
    """Record a change of registration (变更登记): one field, its old and new value. The legal
    representative is stored encrypted and appears masked in the event's details."""
    action = "market.enterprise_change"
    require_regulator(by, county_code=enterprise.county_id, action=action, request=request)
    _require_live(enterprise, action=action, by=by, request=request)
    field = _text(field, limit=64)

    def refuse(code: str, message: str) -> NoReturn:
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code=code,
            message=message,
            details={"field": field},
        )

    if field not in CHANGEABLE:
        refuse("bad_field", _("This registration field cannot be changed here."))
    new: Any
    if field == "registered_capital":
        new = _capital(value)
        if new is None:
            refuse("bad_capital", _("The registered capital must be a non-negative amount."))
    else:
        new = str(value or "").strip()
        if not new:
            refuse("empty_value", _("Give the new value."))
        limit = CHANGE_LIMITS.get(field)
        if limit is not None and len(new) > limit:
            refuse(
                "too_long",
                _("The new value is too long (at most %(limit)s characters).") % {"limit": limit},
            )
        if field == "enterprise_type" and new not in Enterprise.Kind.values:
            refuse("bad_type", _("Choose the type of the enterprise."))
        if field == "industry_code":
            new = new.upper()
            if not INDUSTRY_CODE.match(new):
                refuse("bad_industry", _("The industry code is not a GB/T 4754 code (e.g. C2221)."))
        if field == "name" and (
            Enterprise.objects.filter(name=new).exclude(pk=enterprise.pk).exists()
        ):
            refuse("duplicate_name", _("An enterprise with this name is already registered."))
    old = getattr(enterprise, field)
    if str(old) == str(new):
        refuse("unchanged", _("The new value is the same as the registered one."))
    if field == "legal_representative":
        shown_old, shown_new = mask(str(old), "person_name"), mask(str(new), "person_name")
    else:
        shown_old, shown_new = str(old), str(new)
    with transaction.atomic():
        setattr(enterprise, field, new)
        # this field only: a stale copy must not undo a status changed meanwhile
        fields = (
            [field, "legal_representative_token"] if field == "legal_representative" else [field]
        )
        enterprise.save(update_fields=fields)
        event = _event(
            enterprise,
            EnterpriseEvent.Kind.CHANGED,
            by,
            {"field": field, "old": shown_old, "new": shown_new},
        )
        audit_record(
            action=action,
            actor=by,
            target=enterprise,
            request=request,
            details={"field": field, "old": shown_old, "new": shown_new},
        )
    return event


def annual_report_record(
    *, by: Any, enterprise: Enterprise, year: Any, request: HttpRequest | None = None
) -> EnterpriseEvent:
    """Record that the enterprise filed its annual report (年度报告) for ``year``."""
    action = "market.annual_report"
    require_regulator(by, county_code=enterprise.county_id, action=action, request=request)
    _require_live(enterprise, action=action, by=by, request=request)
    try:
        number = int(str(year).strip())
    except ValueError:
        number = 0
    this_year = _today().year
    if not (enterprise.established_on.year <= number < this_year):
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="bad_year",
            message=_("The report year must be a past year since the enterprise was established."),
            details={"year": str(year)[:8]},
        )
    if EnterpriseEvent.objects.filter(
        enterprise=enterprise, kind=EnterpriseEvent.Kind.ANNUAL_REPORT, details__year=number
    ).exists():
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="already_filed",
            status=409,
            message=_("The annual report for %(year)s is already recorded.") % {"year": number},
        )
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        raced = EnterpriseEvent.objects.filter(
            enterprise=enterprise, kind=EnterpriseEvent.Kind.ANNUAL_REPORT, details__year=number
        ).exists()
        if not raced:
            event = _event(enterprise, EnterpriseEvent.Kind.ANNUAL_REPORT, by, {"year": number})
            audit_record(
                action=action,
                actor=by,
                target=enterprise,
                request=request,
                details={"year": number},
            )
    if raced:  # another request changed it meanwhile
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="already_filed",
            status=409,
            message=_("The annual report for %(year)s is already recorded.") % {"year": number},
        )
    return event


def _status_change(
    *,
    by: Any,
    enterprise: Enterprise,
    reason: Any,
    action: str,
    allowed_from: tuple[str, ...],
    to: str,
    kind: str,
    wrong_state: str,
    request: HttpRequest | None,
) -> EnterpriseEvent:
    reason = _text(reason)
    if enterprise.status not in allowed_from:
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="wrong_status",
            status=409,
            message=wrong_state,
            details={"status": enterprise.status},
        )
    if not reason:
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="no_reason",
            message=_("Give the reason."),
        )
    with transaction.atomic():
        raced = (
            Enterprise.objects.select_for_update().get(pk=enterprise.pk).status not in allowed_from
        )
        if not raced:
            old = enterprise.status
            enterprise.status = to
            enterprise.save(update_fields=["status"])
            event = _event(enterprise, kind, by, {"reason": reason, "old": old, "new": to})
            audit_record(
                action=action,
                actor=by,
                target=enterprise,
                request=request,
                details={"old": old, "new": to},
            )
    if raced:  # another request changed it meanwhile
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="wrong_status",
            status=409,
            message=wrong_state,
        )
    return event


def abnormal_list(
    *, by: Any, enterprise: Enterprise, reason: Any, request: HttpRequest | None = None
) -> EnterpriseEvent:
    """List the enterprise as abnormal (列入经营异常名录), with the reason."""
    action = "market.abnormal_list"
    require_regulator(by, county_code=enterprise.county_id, action=action, request=request)
    return _status_change(
        by=by,
        enterprise=enterprise,
        reason=reason,
        action=action,
        allowed_from=(Enterprise.Status.ACTIVE,),
        to=Enterprise.Status.ABNORMAL,
        kind=EnterpriseEvent.Kind.ABNORMAL_LISTED,
        wrong_state=_("Only an active enterprise can be listed as abnormal."),
        request=request,
    )


def abnormal_remove(
    *, by: Any, enterprise: Enterprise, reason: Any, request: HttpRequest | None = None
) -> EnterpriseEvent:
    """Remove the enterprise from the abnormal-operation list (移出经营异常名录)."""
    action = "market.abnormal_remove"
    require_regulator(by, county_code=enterprise.county_id, action=action, request=request)
    return _status_change(
        by=by,
        enterprise=enterprise,
        reason=reason,
        action=action,
        allowed_from=(Enterprise.Status.ABNORMAL,),
        to=Enterprise.Status.ACTIVE,
        kind=EnterpriseEvent.Kind.ABNORMAL_REMOVED,
        wrong_state=_("The enterprise is not listed as abnormal."),
        request=request,
    )


def enterprise_revoke(
    *, by: Any, enterprise: Enterprise, reason: Any, request: HttpRequest | None = None
) -> EnterpriseEvent:
    """Revoke the enterprise's business licence (吊销营业执照)."""
    action = "market.revoke"
    require_regulator(by, county_code=enterprise.county_id, action=action, request=request)
    return _status_change(
        by=by,
        enterprise=enterprise,
        reason=reason,
        action=action,
        allowed_from=(Enterprise.Status.ACTIVE, Enterprise.Status.ABNORMAL),
        to=Enterprise.Status.REVOKED,
        kind=EnterpriseEvent.Kind.REVOKED,
        wrong_state=_("Only an active or abnormal enterprise's licence can be revoked."),
        request=request,
    )


# --- Deregistration (注销) -----------------------------------------------------------------------


def _require_applicant(
    by: Any, enterprise: Enterprise, *, action: str, request: HttpRequest | None
) -> None:
    """The enterprise's own user, or a regulator of its county (refusals audited)."""
    if has_perm(by, "market.own"):
        require_own_enterprise(by, enterprise.credit_code, action=action, request=request)
    else:
        require_regulator(by, county_code=enterprise.county_id, action=action, request=request)


def _lock_application(application: Deregistration) -> Deregistration:
    """``application`` as stored now, locked for the rest of the transaction (a concurrent
    decision, withdrawal or objection shows here)."""
    return Deregistration.objects.select_for_update().get(pk=application.pk)


def deregistration_apply(
    *,
    by: Any,
    enterprise: Enterprise,
    procedure: str,
    reason: Any = "",
    request: HttpRequest | None = None,
) -> Deregistration:
    """Apply to deregister. Simplified: a public notice of
    ``settings.MARKET_DEREGISTRATION_NOTICE_DAYS`` days starts today; ordinary: the application
    waits for the regulator's decision. Refused while the enterprise has open cases or unpaid
    penalties (named in the message)."""
    action = "market.deregistration_apply"
    _require_applicant(by, enterprise, action=action, request=request)
    if procedure not in Deregistration.Procedure.values:
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="bad_procedure",
            message=_("Choose simplified or ordinary deregistration."),
            details={"procedure": str(procedure)[:32]},
        )
    if enterprise.status == Enterprise.Status.DEREGISTERED:
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="deregistered",
            status=409,
            message=_("%(name)s is already deregistered.") % {"name": enterprise.name},
        )
    pending = enterprise.deregistrations.filter(state__in=PENDING).first()
    if pending is not None:
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="pending",
            status=409,
            message=_("A deregistration of %(name)s is already pending (applied on %(day)s).")
            % {
                "name": enterprise.name,
                "day": timezone.localtime(pending.applied_at).date().isoformat(),
            },
        )
    _refuse_blocked(enterprise, action=action, by=by, target=enterprise, request=request)
    today = _today()
    simplified = procedure == Deregistration.Procedure.SIMPLIFIED
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        raced = (
            locked.status == Enterprise.Status.DEREGISTERED
            or locked.deregistrations.filter(state__in=PENDING).exists()
        )
        if not raced:
            application = Deregistration.objects.create(
                enterprise=enterprise,
                procedure=procedure,
                state=Deregistration.State.NOTICE if simplified else Deregistration.State.SUBMITTED,
                reason=_text(reason),
                notice_from=today if simplified else None,
                notice_until=(
                    today + timedelta(days=int(settings.MARKET_DEREGISTRATION_NOTICE_DAYS))
                    if simplified
                    else None
                ),
                applied_by=_actor(by),
            )
            if simplified:
                _event(
                    enterprise,
                    EnterpriseEvent.Kind.NOTICE_STARTED,
                    by,
                    {
                        "deregistration": application.pk,
                        "notice_from": today.isoformat(),
                        "notice_until": str(application.notice_until),
                    },
                )
            audit_record(
                action=action,
                actor=by,
                target=application,
                request=request,
                details={"credit_code": enterprise.credit_code, "procedure": procedure},
            )
    if raced:  # another request changed it meanwhile
        _refuse(
            action=action,
            by=by,
            target=enterprise,
            request=request,
            code="pending",
            status=409,
            message=_("A deregistration of %(name)s is already pending or decided.")
            % {"name": enterprise.name},
        )
    return application


def _require_on_notice(
    application: Deregistration, *, by: Any, request: HttpRequest | None
) -> None:
    """Objections are open to anyone, but only to a simplified deregistration on notice."""
    today = _today()
    if (
        application.procedure != Deregistration.Procedure.SIMPLIFIED
        or application.state not in PENDING
        or application.notice_until is None
        or application.notice_from is None
    ):
        _refuse(
            action="market.deregistration_object",
            by=by,
            target=application,
            request=request,
            code="not_on_notice",
            status=409,
            message=_("This deregistration is not on public notice; it takes no objections."),
        )
    assert application.notice_until is not None
    assert application.notice_from is not None
    if not (application.notice_from <= today <= application.notice_until):
        _refuse(
            action="market.deregistration_object",
            by=by,
            target=application,
            request=request,
            code="notice_ended",
            status=409,
            message=_("The public notice ended on %(day)s; objections are no longer taken.")
            % {"day": application.notice_until.isoformat()},
        )


PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


def deregistration_object(
    *,
    by: Any,
    application: Deregistration,
    objector: Any,
    contact: Any,
    reason: Any,
    request: HttpRequest | None = None,
) -> Objection:
    """Lodge an objection (异议) to a simplified deregistration on notice; anyone may. The contact
    is stored encrypted. The county's market department gets a loop task to handle it."""
    action = "market.deregistration_object"
    _require_on_notice(application, by=by, request=request)
    objector = _text(objector, limit=200)
    contact = _text(contact, limit=200)
    reason = _text(reason)
    problems = []
    if not objector:
        problems.append(_("Give your name or your organisation's."))
    if not contact:
        problems.append(_("Give a phone number or an address where we can reach you."))
    if len(reason) < 5:
        problems.append(_("Say why you object (at least 5 characters)."))
    if problems:
        _refuse(
            action=action,
            by=by,
            target=application,
            request=request,
            code="invalid_objection",
            message=" ".join(str(p) for p in problems),
        )
    enterprise = application.enterprise
    with transaction.atomic():
        raced = _lock_application(application).state not in PENDING
        if not raced:
            objection = Objection.objects.create(
                deregistration=application, objector=objector, contact=contact, reason=reason
            )
            application.state = Deregistration.State.OBJECTED
            application.save(update_fields=["state"])
            _event(
                enterprise,
                EnterpriseEvent.Kind.NOTICE_OBJECTED,
                by,
                {"deregistration": application.pk, "objector": mask(objector, "person_name")},
            )
            department = Department.objects.filter(
                code=county_market_department(enterprise.county_id)
            ).first()
            if department is not None:
                task_open(
                    type_code=OBJECTION_TASK,
                    title=_("Objection to the deregistration of %(name)s")
                    % {"name": enterprise.name},
                    division=enterprise.county,
                    description=reason,
                    source="market.deregistration",
                    source_ref=str(application.pk),
                    department=department,
                )
            audit_record(
                action=action,
                actor=_actor(by),
                target=application,
                request=request,
                details={"objection": objection.pk, "credit_code": enterprise.credit_code},
            )
    if raced:  # another request changed it meanwhile
        _refuse(
            action=action,
            by=by,
            target=application,
            request=request,
            code="changed",
            status=409,
            message=_("This deregistration changed meanwhile; look at it again."),
        )
    return objection


def deregistration_decide(
    *,
    by: Any,
    application: Deregistration,
    approve: bool,
    note: Any = "",
    request: HttpRequest | None = None,
) -> Deregistration:
    """Decide a pending deregistration (a regulator of the county). A simplified one is approved
    only after its notice has ended without objection; approval re-checks open cases and unpaid
    penalties, then deregisters the enterprise."""
    action = "market.deregistration_decide"
    enterprise = application.enterprise
    require_regulator(by, county_code=enterprise.county_id, action=action, request=request)
    note = _text(note)

    def refuse(code: str, message: str, status: int = 409) -> NoReturn:
        _refuse(
            action=action,
            by=by,
            target=application,
            request=request,
            code=code,
            status=status,
            message=message,
            details={"approve": bool(approve)},
        )

    if application.state not in PENDING:
        refuse("decided", _("This deregistration is no longer pending."))
    simplified = application.procedure == Deregistration.Procedure.SIMPLIFIED
    objected = application.state == Deregistration.State.OBJECTED
    running = (
        simplified and application.notice_until is not None and _today() <= application.notice_until
    )
    if approve:
        if objected:
            refuse(
                "objected",
                _(
                    "An objection was lodged during the public notice; the simplified "
                    "deregistration cannot be approved. Refuse it, or let the applicant withdraw it."
                ),
            )
        if running:
            assert application.notice_until is not None
            refuse(
                "notice_running",
                _("The public notice runs until %(day)s; decide from %(next)s.")
                % {
                    "day": application.notice_until.isoformat(),
                    "next": (application.notice_until + timedelta(days=1)).isoformat(),
                },
            )
        _refuse_blocked(enterprise, action=action, by=by, target=application, request=request)
    else:
        if not note:
            refuse("no_note", _("Say why the deregistration is refused."), status=400)
        if running and not objected:
            assert application.notice_until is not None
            refuse(
                "notice_running",
                _("The public notice runs until %(day)s; decide after it ends.")
                % {"day": application.notice_until.isoformat()},
            )
    with transaction.atomic():
        raced = _lock_application(application).state != application.state
        if not raced:
            application.state = (
                Deregistration.State.DEREGISTERED if approve else Deregistration.State.REFUSED
            )
            application.decided_by = by
            application.decided_at = timezone.now()
            application.decision_note = note
            application.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
            if approve:
                enterprise.status = Enterprise.Status.DEREGISTERED
                enterprise.save(update_fields=["status"])
                _event(
                    enterprise,
                    EnterpriseEvent.Kind.DEREGISTERED,
                    by,
                    {"deregistration": application.pk, "procedure": application.procedure},
                )
            audit_record(
                action=action,
                actor=by,
                target=application,
                request=request,
                details={"approve": bool(approve), "credit_code": enterprise.credit_code},
            )
    if raced:  # another request changed it meanwhile
        _refuse(
            action=action,
            by=by,
            target=application,
            request=request,
            code="changed",
            status=409,
            message=_("This deregistration changed meanwhile; look at it again."),
        )
    return application


def deregistration_withdraw(
    *, by: Any, application: Deregistration, request: HttpRequest | None = None
) -> Deregistration:
    """Withdraw a pending deregistration (the enterprise's own user or a county regulator)."""
    action = "market.deregistration_withdraw"
    enterprise = application.enterprise
    _require_applicant(by, enterprise, action=action, request=request)
    if application.state not in PENDING:
        _refuse(
            action=action,
            by=by,
            target=application,
            request=request,
            code="decided",
            status=409,
            message=_("This deregistration is no longer pending; it cannot be withdrawn."),
        )
    with transaction.atomic():
        raced = _lock_application(application).state not in PENDING
        if not raced:
            application.state = Deregistration.State.WITHDRAWN
            application.save(update_fields=["state"])
            if application.procedure == Deregistration.Procedure.SIMPLIFIED:
                _event(
                    enterprise,
                    EnterpriseEvent.Kind.NOTICE_WITHDRAWN,
                    by,
                    {"deregistration": application.pk},
                )
            audit_record(action=action, actor=by, target=application, request=request)
    if raced:  # another request changed it meanwhile
        _refuse(
            action=action,
            by=by,
            target=application,
            request=request,
            code="changed",
            status=409,
            message=_("This deregistration changed meanwhile; look at it again."),
        )
    return application
