"""Cases and lenient supervision (行政执法案件 · 包容审慎监管) and credit repair (信用修复).

* The three lists (不予处罚 / 减轻处罚 / 免予行政强制) are data: ``data/lenient_rules.json``,
  loaded into ``LenientRule`` by a regulator of the city department (:func:`rules_load`, upsert
  by item number; a retired item stays retired), who may also retire or restore an item.
* A case (:func:`case_open`) is opened by a regulator of the enterprise's county. On opening,
  and when its harm or correction changes (:func:`case_assess`), the lists are matched
  (``lenient.match``): the item that applies and whether this is the enterprise's first
  violation are stored; a no-penalty item for a first violation is the first-violation waiver
  (首违不罚). First violation means no earlier market case of the same enterprise for the same
  violation, in any state; the ``administrative_penalty`` warehouse dataset is not consulted.
* Deciding (:func:`case_decide`) a penalty or a reduced penalty queues, after the transaction
  commits, a new credit-risk classification (``tasks.reclassify_after_penalty``). Deciding a
  penalty where a no-penalty item applied needs a written reason (kept in the audit entry).
* Credit repair (:func:`repair_apply`): the enterprise's own user applies; the waiting period
  and the other conditions are checked at once (``lenient``); an application that is not yet
  eligible is refused with the date, nothing stored. A regulator of the county decides it.

Every function checks the caller first, audits success and refusal, and changes nothing when it
refuses (``CaseRefused`` with a stable ``code`` and a message for people).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, Final, NoReturn

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.identifiers import check_credit_code

from .. import lenient
from ..models import Case, CreditRepair, Enterprise, EnterpriseEvent, LenientRule
from ..permissions import regulator_reach, require_own_enterprise, require_regulator
from ..refusals import MarketRefused, audit_refusal

logger = logging.getLogger(__name__)

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {
    "market.lenient_load": gettext_lazy("Lenient-supervision lists loaded"),
    "market.lenient_retire": gettext_lazy("Lenient-supervision item retired"),
    "market.lenient_restore": gettext_lazy("Lenient-supervision item restored"),
    "market.case_view": gettext_lazy("Market cases viewed"),
    "market.case_open": gettext_lazy("Market case opened"),
    "market.case_assess": gettext_lazy("Market case harm or correction changed"),
    "market.case_decide": gettext_lazy("Market case decided"),
    "market.case_paid": gettext_lazy("Market case fine marked paid"),
    "market.case_close": gettext_lazy("Market case closed"),
    "market.repair_view": gettext_lazy("Credit repairs viewed"),
    "market.repair_apply": gettext_lazy("Credit repair applied for"),
    "market.repair_decide": gettext_lazy("Credit repair decided"),
}
# loop task types (shuzhi.platform.loop.registry.TaskType) this module opens; registered by apps.py
TASK_TYPES: list[Any] = []

FACTS_MAX: Final = 5000
NOTE_MAX: Final = 2000
PENALISED: Final = (Case.Outcome.PENALTY, Case.Outcome.REDUCED)
RULE_FIELDS: Final = (
    "list",
    "violation",
    "description",
    "legal_basis",
    "conditions",
    "first_violation_only",
    "max_harm",
    "needs_correction",
)


class CaseRefused(MarketRefused):
    """A case, list or repair step refused (audited)."""


def _refuse(
    action: str,
    by: Any,
    code: str,
    message: str,
    request: HttpRequest | None,
    target: object = None,
    **details: Any,
) -> NoReturn:
    audit_refusal(action=action, by=by, code=code, request=request, target=target, details=details)
    raise CaseRefused(code, message)


def _require_any_regulator(by: Any, action: str, request: HttpRequest | None) -> str:
    """The caller's reach ("" the city, or a county code); refused (audited) for non-regulators."""
    return require_regulator(
        by, county_code=regulator_reach(by) or None, action=action, request=request
    )


# --- The lists -------------------------------------------------------------------------------


def rules_load(*, by: User, request: HttpRequest | None = None) -> dict[str, int]:
    """Upsert the published lists into ``LenientRule`` by item number (idempotent): new items
    are created in force, changed items updated; whether an item is in force is the
    regulator's (a retired item stays retired). A regulator of the city department only."""
    action = "market.lenient_load"
    require_regulator(by, county_code=None, action=action, request=request)
    lenient.published.cache_clear()
    items = lenient.published()["rules"]
    known = set(lenient.violations())
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for item in items:  # checked before any write: a refusal's audit entry must stay
        if item["violation"] not in known or item["list"] not in LenientRule.List.values:
            _refuse(
                action,
                by,
                "bad_rule",
                _("Item %(code)s of the lists names an unknown violation or list.")
                % {"code": item["code"]},
                request,
                item=item["code"],
            )
    with transaction.atomic():
        for item in items:
            values = {name: item[name] for name in RULE_FIELDS}
            rule = LenientRule.objects.filter(code=item["code"]).first()
            if rule is None:
                LenientRule.objects.create(code=item["code"], active=True, **values)
                counts["created"] += 1
            elif any(getattr(rule, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(rule, name, value)
                rule.save()
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        audit_record(action=action, actor=by, request=request, details=counts)
    return counts


def rule_set_active(
    *, rule: LenientRule, active: bool, by: User, request: HttpRequest | None = None
) -> LenientRule:
    """Retire an item of the lists (no longer matched) or restore it; city regulator only."""
    action = "market.lenient_restore" if active else "market.lenient_retire"
    require_regulator(by, county_code=None, action=action, request=request)
    if rule.active == active:
        _refuse(
            action,
            by,
            "unchanged",
            _("Item %(code)s is already in force.") % {"code": rule.code}
            if active
            else _("Item %(code)s is already retired.") % {"code": rule.code},
            request,
            target=rule,
        )
    with transaction.atomic():
        rule.active = active
        rule.save(update_fields=["active"])
        audit_record(action=action, actor=by, target=rule, request=request)
    return rule


# --- Cases -----------------------------------------------------------------------------------


def _harm_label(harm: str) -> str:
    return str(dict(Case.Harm.choices).get(harm, harm))


def _reason_text(reason: dict[str, Any]) -> str:
    """A reason of ``lenient.Reason.as_dict`` in the user's language."""
    code, rule = reason.get("code"), reason.get("rule", "")
    if code == "retired":
        return _("Item %(rule)s is no longer in force.") % {"rule": rule}
    if code == "harm":
        return _("Item %(rule)s allows at most “%(max)s”; the harm is “%(harm)s”.") % {
            "rule": rule,
            "max": _harm_label(str(reason.get("max_harm"))),
            "harm": _harm_label(str(reason.get("harm"))),
        }
    if code == "not_corrected":
        return _("Item %(rule)s needs the violation corrected in time; it was not.") % {
            "rule": rule
        }
    if code == "not_first":
        return _(
            "Item %(rule)s is for a first violation only; the enterprise has an earlier case of the same violation."
        ) % {"rule": rule}
    return str(code)


def _earlier(credit_code: str, violation: str) -> list[tuple[date, int]]:
    return list(
        Case.objects.filter(credit_code=credit_code, violation=violation).values_list(
            "occurred_on", "pk"
        )
    )


def _assess(
    *,
    credit_code: str,
    violation: str,
    occurred_on: date,
    harm: str,
    corrected: bool,
    pk: int | None,
) -> tuple[lenient.Match, bool]:
    first = lenient.is_first_violation(occurred_on, _earlier(credit_code, violation), own_id=pk)
    found = lenient.match(
        LenientRule.objects.all(),
        violation=violation,
        harm=harm,
        corrected=corrected,
        first_violation=first,
    )
    return found, first


def _match_details(found: lenient.Match, first: bool) -> dict[str, Any]:
    return {
        "rule": found.code,
        "list": found.rule.list if found.rule is not None else "",
        "first_violation": first,
        "reasons": [r.as_dict() for r in found.reasons],
    }


NUMBER_ATTEMPTS = 5


def _next_number(county_code: str, year: int) -> str:
    """The county's next case number of the year (e.g. ``330802-2026-0007``)."""
    prefix = f"{county_code}-{year}-"
    n = Case.objects.filter(number__startswith=prefix).count() + 1
    while Case.objects.filter(number=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


def case_open(
    *,
    by: User,
    credit_code: str,
    violation: str,
    facts: str,
    occurred_on: date,
    harm: str = Case.Harm.NONE,
    corrected: bool = False,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case against a registered enterprise (a regulator of its county) and flag the
    lenient item that applies. Refused: an invalid credit code (with the validator's reason),
    an enterprise not in the registry, an unknown violation, empty facts, a future date."""
    action = "market.case_open"
    _require_any_regulator(by, action, request)
    checked = check_credit_code(credit_code)
    if not checked.valid:
        _refuse(
            action,
            by,
            "bad_credit_code",
            _("Invalid credit code: %(reason)s") % {"reason": checked.reason},
            request,
            credit_code=str(credit_code)[:40],
        )
    enterprise = (
        Enterprise.objects.select_related("county").filter(credit_code=checked.normalised).first()
    )
    if enterprise is None:
        _refuse(
            action,
            by,
            "unknown_enterprise",
            _("No enterprise with credit code %(code)s is registered.")
            % {"code": checked.normalised},
            request,
            credit_code=checked.normalised,
        )
    county = enterprise.county.code
    require_regulator(by, county_code=county, action=action, request=request)
    facts = (facts or "").strip()
    if violation not in lenient.violations():
        _refuse(action, by, "bad_violation", _("Choose a violation of the list."), request)
    if not facts or len(facts) > FACTS_MAX:
        _refuse(
            action,
            by,
            "bad_facts",
            _("Describe the facts in 1 to %(max)s characters.") % {"max": FACTS_MAX},
            request,
        )
    if harm not in Case.Harm.values:
        _refuse(action, by, "bad_harm", _("Choose the harm."), request)
    today = timezone.localdate()
    if occurred_on > today:
        _refuse(
            action,
            by,
            "future_date",
            _("The violation cannot have occurred after today (%(today)s).")
            % {"today": today.isoformat()},
            request,
            occurred_on=occurred_on.isoformat(),
        )
    with transaction.atomic():
        found, first = _assess(
            credit_code=enterprise.credit_code,
            violation=violation,
            occurred_on=occurred_on,
            harm=harm,
            corrected=corrected,
            pk=None,
        )
        case: Case | None = None
        for attempt in range(NUMBER_ATTEMPTS):  # another case took the number meanwhile
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        number=_next_number(county, today.year),
                        credit_code=enterprise.credit_code,
                        enterprise_name=enterprise.name,
                        county_code=county,
                        violation=violation,
                        facts=facts,
                        occurred_on=occurred_on,
                        harm=harm,
                        corrected=corrected,
                        lenient_rule=found.rule if isinstance(found.rule, LenientRule) else None,
                        first_violation=first,
                        opened_by=by,
                    )
                break
            except IntegrityError:
                if attempt == NUMBER_ATTEMPTS - 1:
                    raise
        assert case is not None
        audit_record(
            action=action,
            actor=by,
            target=case,
            request=request,
            details={"number": case.number, "violation": violation, **_match_details(found, first)},
        )
    return case


def _lock_case(case: Case) -> Case:
    """``case`` as stored now, locked for the rest of the transaction (a concurrent step on the
    same case, e.g. a double submit, shows here)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def case_get(*, pk: int, by: User, request: HttpRequest | None = None) -> Case:
    """A case, for a regulator of its county (``Case.DoesNotExist`` when there is none)."""
    action = "market.case_view"
    _require_any_regulator(by, action, request)
    case = Case.objects.select_related("lenient_rule").get(pk=pk)
    require_regulator(by, county_code=case.county_code, action=action, request=request)
    return case


@dataclass(frozen=True)
class CaseAssessment:
    """The lists' verdict on a case as it stands, for its page."""

    rule: LenientRule | None
    waiver: bool  # 首违不罚: a no-penalty item applied to a first violation
    reasons: list[str]  # why the items of this violation did not apply
    covered: bool  # some item of the lists names this violation


def case_assessment(*, case: Case, by: User, request: HttpRequest | None = None) -> CaseAssessment:
    """The stored item that applied, or why none did (re-checked against the lists now)."""
    require_regulator(by, county_code=case.county_code, action="market.case_view", request=request)
    rule = case.lenient_rule
    reasons: list[str] = []
    if rule is None:
        found = lenient.match(
            LenientRule.objects.all(),
            violation=case.violation,
            harm=case.harm,
            corrected=case.corrected,
            first_violation=case.first_violation,
        )
        reasons = [_reason_text(r.as_dict()) for r in found.reasons]
    covered = LenientRule.objects.filter(violation=case.violation).exists()
    waiver = bool(
        rule is not None and rule.list == LenientRule.List.NO_PENALTY and case.first_violation
    )
    return CaseAssessment(rule, waiver, reasons, covered)


def case_history(*, case: Case, by: User, request: HttpRequest | None = None) -> list[AuditEntry]:
    """The case's steps from the audit log (actor, time, action, details), oldest first."""
    require_regulator(by, county_code=case.county_code, action="market.case_view", request=request)
    return list(
        AuditEntry.objects.filter(
            target_type=Case._meta.label_lower, target_id=str(case.pk)
        ).order_by("seq")
    )


def case_list(
    *,
    by: User,
    county: str = "",
    state: str = "",
    flagged: str = "",
    request: HttpRequest | None = None,
) -> QuerySet[Case]:
    """Cases in the caller's reach; ``county`` must be in reach (refused otherwise), ``state``
    one of ``Case.State``, ``flagged`` "yes" (a lenient item applies) or "no"."""
    action = "market.case_view"
    reach = _require_any_regulator(by, action, request)
    if county:
        require_regulator(by, county_code=county, action=action, request=request)
    cases = Case.objects.select_related("lenient_rule")
    if reach:
        cases = cases.filter(county_code=reach)
    if county:
        cases = cases.filter(county_code=county)
    if state in Case.State.values:
        cases = cases.filter(state=state)
    if flagged == "yes":
        cases = cases.filter(lenient_rule__isnull=False)
    elif flagged == "no":
        cases = cases.filter(lenient_rule__isnull=True)
    return cases


def case_assess(
    *,
    case: Case,
    by: User,
    harm: str,
    corrected: bool,
    request: HttpRequest | None = None,
) -> Case:
    """Change an open case's harm or correction and match the lists again."""
    action = "market.case_assess"
    require_regulator(by, county_code=case.county_code, action=action, request=request)
    if case.state != Case.State.OPEN:
        _refuse(action, by, "not_open", _("Only an open case can be changed."), request, case)
    if harm not in Case.Harm.values:
        _refuse(action, by, "bad_harm", _("Choose the harm."), request, case)
    with transaction.atomic():
        raced = _lock_case(case).state != Case.State.OPEN
        if not raced:
            found, first = _assess(
                credit_code=case.credit_code,
                violation=case.violation,
                occurred_on=case.occurred_on,
                harm=harm,
                corrected=corrected,
                pk=case.pk,
            )
            before = {"harm": case.harm, "corrected": case.corrected, "rule": case.lenient_rule_id}
            case.harm = harm
            case.corrected = corrected
            case.lenient_rule = found.rule if isinstance(found.rule, LenientRule) else None
            case.first_violation = first
            case.save(update_fields=["harm", "corrected", "lenient_rule", "first_violation"])
            audit_record(
                action=action,
                actor=by,
                target=case,
                request=request,
                details={"before": before, "harm": harm, "corrected": corrected}
                | _match_details(found, first),
            )
    if raced:  # another request changed the case meanwhile
        _refuse(action, by, "not_open", _("Only an open case can be changed."), request, case)
    return case


def _enqueue_reclassification(credit_code: str) -> None:
    from ..tasks import reclassify_after_penalty

    try:
        reclassify_after_penalty.enqueue(credit_code)
    except Exception:  # the decision stands; the monthly run will catch up
        logger.exception("credit reclassification after a penalty of %s not queued", credit_code)


def case_decide(
    *,
    case: Case,
    by: User,
    outcome: str,
    fine: Decimal | str | int = 0,
    reason: str = "",
    decided_on: date | None = None,
    reclassify: bool = True,
    request: HttpRequest | None = None,
) -> Case:
    """Decide an open case: penalty, reduced penalty or no penalty, with a fine (yuan, ≥ 0, only
    with a penalty or a reduced penalty). A penalty where a no-penalty item applied needs a
    written ``reason``. A penalty or reduced penalty queues a credit reclassification after
    the commit (``reclassify=False`` skips it, for bulk loading)."""
    action = "market.case_decide"
    require_regulator(by, county_code=case.county_code, action=action, request=request)
    if case.state != Case.State.OPEN:
        _refuse(action, by, "not_open", _("The case is already decided."), request, case)
    if outcome not in (Case.Outcome.PENALTY, Case.Outcome.NO_PENALTY, Case.Outcome.REDUCED):
        _refuse(action, by, "bad_outcome", _("Choose the outcome."), request, case)
    try:
        amount = Decimal(str(fine if fine not in (None, "") else 0))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 12:
        _refuse(
            action,
            by,
            "bad_fine",
            _("The fine must be an amount of yuan, zero or more."),
            request,
            case,
            fine=str(fine)[:40],
        )
    amount = amount.quantize(Decimal("0.01"))
    if amount > 0 and outcome == Case.Outcome.NO_PENALTY:
        _refuse(
            action,
            by,
            "fine_without_penalty",
            _("A fine can only go with a penalty or a reduced penalty."),
            request,
            case,
            fine=str(amount),
        )
    reason = (reason or "").strip()[:NOTE_MAX]
    waived = case.lenient_rule is not None and case.lenient_rule.list == LenientRule.List.NO_PENALTY
    if outcome == Case.Outcome.PENALTY and waived and not reason:
        assert case.lenient_rule is not None
        _refuse(
            action,
            by,
            "reason_required",
            _(
                "Item %(rule)s of the no-penalty list applies to this case: give the reason for a penalty."
            )
            % {"rule": case.lenient_rule.code},
            request,
            case,
        )
    today = timezone.localdate()
    day = decided_on or today
    if day > today or day < case.occurred_on:
        _refuse(
            action,
            by,
            "bad_date",
            _("The decision date must be between the violation (%(start)s) and today.")
            % {"start": case.occurred_on.isoformat()},
            request,
            case,
        )
    with transaction.atomic():
        raced = _lock_case(case).state != Case.State.OPEN
        if not raced:
            case.outcome = outcome
            case.fine = amount
            case.decided_on = day
            case.state = Case.State.DECIDED
            case.save(update_fields=["outcome", "fine", "decided_on", "state"])
            audit_record(
                action=action,
                actor=by,
                target=case,
                request=request,
                details={
                    "outcome": outcome,
                    "fine": str(amount),
                    "decided_on": day.isoformat(),
                    "rule": case.lenient_rule.code if case.lenient_rule else "",
                    "reason": reason,
                    "reclassify": bool(reclassify and outcome in PENALISED),
                },
            )
            if reclassify and outcome in PENALISED:
                transaction.on_commit(partial(_enqueue_reclassification, case.credit_code))
    if raced:  # another request changed the case meanwhile
        _refuse(action, by, "not_open", _("The case is already decided."), request, case)
    return case


def case_mark_paid(*, case: Case, by: User, request: HttpRequest | None = None) -> Case:
    """Record that a decided case's fine was paid."""
    action = "market.case_paid"
    require_regulator(by, county_code=case.county_code, action=action, request=request)
    if case.state != Case.State.DECIDED or case.fine <= 0 or case.fine_paid:
        _refuse(action, by, "no_fine_due", _("This case has no unpaid fine."), request, case)
    with transaction.atomic():
        raced = _lock_case(case).fine_paid
        if not raced:
            case.fine_paid = True
            case.save(update_fields=["fine_paid"])
            audit_record(
                action=action,
                actor=by,
                target=case,
                request=request,
                details={"fine": str(case.fine)},
            )
    if raced:  # another request changed the case meanwhile
        _refuse(action, by, "no_fine_due", _("This case has no unpaid fine."), request, case)
    return case


def case_close(*, case: Case, by: User, request: HttpRequest | None = None) -> Case:
    """Close a decided case (结案); a fine must be paid first."""
    action = "market.case_close"
    require_regulator(by, county_code=case.county_code, action=action, request=request)
    if case.state != Case.State.DECIDED:
        _refuse(action, by, "not_decided", _("Only a decided case can be closed."), request, case)
    if case.fine > 0 and not case.fine_paid:
        _refuse(
            action,
            by,
            "fine_unpaid",
            _("The fine of %(fine)s yuan is not paid yet.") % {"fine": case.fine},
            request,
            case,
        )
    with transaction.atomic():
        raced = _lock_case(case).state != Case.State.DECIDED
        if not raced:
            case.state = Case.State.CLOSED
            case.save(update_fields=["state"])
            audit_record(action=action, actor=by, target=case, request=request)
    if raced:  # another request changed the case meanwhile
        _refuse(action, by, "not_decided", _("Only a decided case can be closed."), request, case)
    return case


# --- Credit repair ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    reference: str
    published_on: date | None
    eligible_from: date
    special_field: str
    checks: list[dict[str, Any]]


def _listing(enterprise: Enterprise) -> tuple[bool, date | None]:
    """Whether the enterprise is on the abnormal list, and since when (if an event says)."""
    events = enterprise.events.filter(
        kind__in=(EnterpriseEvent.Kind.ABNORMAL_LISTED, EnterpriseEvent.Kind.ABNORMAL_REMOVED)
    ).order_by("-occurred_on", "-pk")
    last = events.first()
    if last is not None and last.kind == EnterpriseEvent.Kind.ABNORMAL_LISTED:
        return True, last.occurred_on
    return enterprise.status == Enterprise.Status.ABNORMAL, None


def _check_abnormal(
    action: str, by: User, enterprise: Enterprise, request: HttpRequest | None
) -> _Checked:
    listed, listed_on = _listing(enterprise)
    if not listed:
        _refuse(
            action,
            by,
            "not_listed",
            _("The enterprise is not on the abnormal-operation list."),
            request,
            credit_code=enterprise.credit_code,
        )
    reports = list(
        enterprise.events.filter(kind=EnterpriseEvent.Kind.ANNUAL_REPORT).values_list(
            "occurred_on", flat=True
        )
    )
    filed = lenient.annual_report_after(listed_on, reports)
    if filed is None:
        _refuse(
            action,
            by,
            "no_annual_report",
            _(
                "No annual report has been filed since the listing on %(date)s: file the missing annual report first, then apply."
            )
            % {"date": listed_on.isoformat() if listed_on else _("an unknown date")},
            request,
            credit_code=enterprise.credit_code,
        )
    checks = [
        {"check": "listed", "date": listed_on.isoformat() if listed_on else ""},
        {"check": "annual_report", "date": filed.isoformat()},
    ]
    return _Checked(listed_on.isoformat() if listed_on else "", listed_on, filed, "", checks)


def _check_penalty(
    action: str,
    by: User,
    credit_code: str,
    enterprise: Enterprise | None,
    reference: str,
    request: HttpRequest | None,
) -> _Checked:
    case = Case.objects.filter(number=reference, credit_code=credit_code).first()
    if case is None or case.state == Case.State.OPEN or case.outcome not in PENALISED:
        _refuse(
            action,
            by,
            "unknown_case",
            _("%(number)s is not a penalty decision against this enterprise.")
            % {"number": reference},
            request,
            credit_code=credit_code,
            reference=reference,
        )
    if case.fine > 0 and not case.fine_paid:
        _refuse(
            action,
            by,
            "fine_unpaid",
            _("Pay the fine of %(fine)s yuan first: repair needs the decision carried out.")
            % {"fine": case.fine},
            request,
            case,
        )
    assert case.decided_on is not None
    industry = enterprise.industry_code if enterprise is not None else ""
    field = lenient.special_field(lenient.violation_field(case.violation), industry)
    eligible_from = lenient.penalty_eligible_from(case.decided_on, special=bool(field))
    months = lenient.WAIT_MONTHS_SPECIAL if field else lenient.WAIT_MONTHS
    today = timezone.localdate()
    if today < eligible_from:
        _refuse(
            action,
            by,
            "too_early",
            _(
                "Too early: the penalty %(number)s has been public since %(published)s and must stay public %(months)s months; apply on or after %(date)s."
            )
            % {
                "number": case.number,
                "published": case.decided_on.isoformat(),
                "months": months,
                "date": eligible_from.isoformat(),
            },
            request,
            case,
            eligible_from=eligible_from.isoformat(),
            special_field=field,
        )
    checks: list[dict[str, Any]] = [
        {"check": "decided", "date": case.decided_on.isoformat(), "outcome": case.outcome},
        {"check": "fine_paid", "fine": str(case.fine)},
        {"check": "field", "field": field, "industry": industry, "months": months},
        {"check": "waited", "date": eligible_from.isoformat()},
    ]
    return _Checked(case.number, case.decided_on, eligible_from, field, checks)


def _repair_pending(credit_code: str, kind: str, reference: str) -> bool:
    """Whether the same repair is already submitted or accepted (in a transaction: locked)."""
    return (
        CreditRepair.objects.select_for_update()
        .filter(
            credit_code=credit_code,
            kind=kind,
            reference=reference,
            state__in=(CreditRepair.State.SUBMITTED, CreditRepair.State.ACCEPTED),
        )
        .exists()
    )


def repair_apply(
    *,
    by: User,
    credit_code: str,
    kind: str,
    statement: str,
    reference: str = "",
    request: HttpRequest | None = None,
) -> CreditRepair:
    """Apply for a credit repair of the caller's own enterprise: removal from the
    abnormal-operation list (``reference`` not needed: the listing is looked up) or the end of
    a penalty's publication (``reference``: the case number). The conditions and the waiting
    period are checked at once; an application that fails them is refused, nothing stored."""
    action = "market.repair_apply"
    require_own_enterprise(by, credit_code, action=action, request=request)
    statement = (statement or "").strip()
    reference = (reference or "").strip()[:64]
    if kind not in CreditRepair.Kind.values:
        _refuse(action, by, "bad_kind", _("Choose what to repair."), request)
    if not statement or len(statement) > FACTS_MAX:
        _refuse(
            action,
            by,
            "bad_statement",
            _("Say what was corrected, in 1 to %(max)s characters.") % {"max": FACTS_MAX},
            request,
        )
    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    if kind == CreditRepair.Kind.ABNORMAL:
        if enterprise is None:
            _refuse(
                action,
                by,
                "unknown_enterprise",
                _("No enterprise with credit code %(code)s is registered.") % {"code": credit_code},
                request,
            )
        checked = _check_abnormal(action, by, enterprise, request)
    else:
        checked = _check_penalty(action, by, credit_code, enterprise, reference, request)
    if _repair_pending(credit_code, kind, checked.reference):
        _refuse(
            action,
            by,
            "duplicate",
            _("An application for this repair is already pending or accepted."),
            request,
            reference=checked.reference,
        )
    with transaction.atomic():
        raced = _repair_pending(credit_code, kind, checked.reference)
        if not raced:
            try:  # the database's constraint: one pending or accepted repair of a kind
                with transaction.atomic():
                    repair = CreditRepair.objects.create(
                        credit_code=credit_code,
                        enterprise_name=enterprise.name if enterprise is not None else "",
                        kind=kind,
                        reference=checked.reference,
                        special_field=bool(checked.special_field),
                        published_on=checked.published_on,
                        eligible_from=checked.eligible_from,
                        statement=statement,
                        state=CreditRepair.State.SUBMITTED,
                        checked={
                            "checked_on": timezone.localdate().isoformat(),
                            "special_field": checked.special_field,
                            "checks": checked.checks,
                        },
                        applied_by=by,
                    )
            except IntegrityError:  # another request took it meanwhile (PostgreSQL)
                raced = True
            else:
                audit_record(
                    action=action,
                    actor=by,
                    target=repair,
                    request=request,
                    details={
                        "kind": kind,
                        "reference": checked.reference,
                        "eligible_from": checked.eligible_from.isoformat(),
                    },
                )
    if raced:  # another request meanwhile
        _refuse(
            action,
            by,
            "duplicate",
            _("An application for this repair is already pending or accepted."),
            request,
            reference=checked.reference,
        )
    return repair


def repair_list_own(*, by: User, request: HttpRequest | None = None) -> QuerySet[CreditRepair]:
    """The repair applications of the caller's own enterprise, newest first."""
    code = str(getattr(by, "credit_code", "") or "")
    require_own_enterprise(by, code, action="market.repair_view", request=request)
    return CreditRepair.objects.filter(credit_code=code)


def _repair_county(repair: CreditRepair) -> str:
    enterprise = (
        Enterprise.objects.select_related("county").filter(credit_code=repair.credit_code).first()
    )
    if enterprise is not None:
        return enterprise.county.code
    case = Case.objects.filter(number=repair.reference, credit_code=repair.credit_code).first()
    return case.county_code if case is not None else ""


def repair_inbox(
    *, by: User, state: str = CreditRepair.State.SUBMITTED, request: HttpRequest | None = None
) -> QuerySet[CreditRepair]:
    """Repair applications of enterprises in the caller's reach (``state`` "" for all)."""
    reach = _require_any_regulator(by, "market.repair_view", request)
    repairs = CreditRepair.objects.all()
    if reach:
        codes = Enterprise.objects.filter(county__code=reach).values("credit_code")
        cases = Case.objects.filter(county_code=reach).values("credit_code")
        repairs = repairs.filter(Q(credit_code__in=codes) | Q(credit_code__in=cases))
    if state in CreditRepair.State.values:
        repairs = repairs.filter(state=state)
    return repairs


def repair_decide(
    *,
    repair: CreditRepair,
    by: User,
    accept: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> CreditRepair:
    """Accept or refuse a submitted repair (a regulator of the enterprise's county). Accepting
    a removal from the abnormal list sets the enterprise active and records the removal."""
    action = "market.repair_decide"
    county = _repair_county(repair)
    require_regulator(by, county_code=county or None, action=action, request=request)
    note = (note or "").strip()
    if repair.state != CreditRepair.State.SUBMITTED:
        _refuse(
            action, by, "not_pending", _("This application is already decided."), request, repair
        )
    if len(note) > NOTE_MAX or (not accept and not note):
        _refuse(
            action,
            by,
            "bad_note",
            _("Give the reason for refusing, in at most %(max)s characters.") % {"max": NOTE_MAX},
            request,
            repair,
        )
    today = timezone.localdate()
    with transaction.atomic():
        raced = (
            CreditRepair.objects.select_for_update().get(pk=repair.pk).state
            != CreditRepair.State.SUBMITTED
        )
        if not raced:
            repair.state = CreditRepair.State.ACCEPTED if accept else CreditRepair.State.REFUSED
            repair.decided_by = by
            repair.decided_at = timezone.now()
            repair.decision_note = note
            repair.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
            if accept and repair.kind == CreditRepair.Kind.ABNORMAL:
                enterprise = Enterprise.objects.get(credit_code=repair.credit_code)
                if enterprise.status == Enterprise.Status.ABNORMAL:
                    enterprise.status = Enterprise.Status.ACTIVE
                    enterprise.save(update_fields=["status"])
                EnterpriseEvent.objects.create(
                    enterprise=enterprise,
                    kind=EnterpriseEvent.Kind.ABNORMAL_REMOVED,
                    occurred_on=today,
                    details={"credit_repair": repair.pk, "note": note},
                    recorded_by=by,
                )
            audit_record(
                action=action,
                actor=by,
                target=repair,
                request=request,
                details={"accept": accept, "kind": repair.kind, "note": note},
            )
    if raced:  # another request meanwhile
        _refuse(
            action, by, "not_pending", _("This application is already decided."), request, repair
        )
    return repair
