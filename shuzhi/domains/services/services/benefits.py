"""免申即享 (benefits without applying): rule versions, dry runs, eligibility runs, review and
the beneficiary's confirmation.

A policy's rule is code (``shuzhi.domains.services.rules``); a rule version holds its parameters
as YAML. A steward of the policy's department drafts a version (``rule_draft``: the YAML is
parsed with OpenFisca's loader and checked against the rule), dry-runs it against today's
population beside the live version (``rule_dry_run``: how many people and how much money the
change moves, by county) and only then makes it live (``rule_activate``). The monthly run
(``eligibility_run``, scheduled by ``register``) evaluates every active policy with its live
version and records a grant, with the conditions that held, for each newly eligible
beneficiary. A clerk of the department reviews (``grant_review``); the beneficiary is notified
and only confirms or declines (``benefit_confirm`` / ``benefit_decline``).

Periods: monthly policies run for "YYYY-MM"; yearly ones for "YYYY", judged on the year before
(上年度, see ``facts``). A run for "2026-11" runs the monthly policies for 2026-11 and the yearly
ones for 2026.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.notify.send import notify
from shuzhi.platform.security.permissions import has_perm

from .. import facts, rules
from ..models import BenefitGrant, BenefitPolicy, EligibilityRun, Resident, RuleVersion
from ..permissions import enterprise_code, require_audited, require_department
from ..refusals import ServicesRefused, audit_refusal, refuse
from ..tasks import register

__all__ = [
    "ACTIONS",
    "TASK_TYPES",
    "BenefitRefused",
    "benefit_confirm",
    "benefit_decline",
    "eligibility_run",
    "grant_review",
    "grant_view",
    "register",
    "rule_activate",
    "rule_draft",
    "rule_dry_run",
]

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {
    "services.benefit_rule_draft": _lazy("Benefit rule drafted"),
    "services.benefit_rule_dry_run": _lazy("Benefit rule dry-run"),
    "services.benefit_rule_activate": _lazy("Benefit rule made live"),
    "services.benefit_run": _lazy("Benefit eligibility run"),
    "services.benefit_review": _lazy("Benefit findings reviewed"),
    "services.benefit_confirm": _lazy("Benefit confirmed by the beneficiary"),
    "services.benefit_decline": _lazy("Benefit declined by the beneficiary"),
    "services.benefit_view": _lazy("Benefit grant viewed"),
}
TASK_TYPES: list[Any] = []

# ``register`` (called by apps.py) registers the monthly run as the recurring schedule
# "services.benefits"; it lives beside the task it queues and acts for no user.


class BenefitRefused(ServicesRefused):
    """A refused 免申即享 step; nothing changed (the refusal is audited)."""


# --- Helpers ------------------------------------------------------------------------------------


def _refuse(
    action: str, by: Any, code: str, message: str, request: HttpRequest | None, **how: Any
) -> NoReturn:
    refuse(BenefitRefused, action, by, code, message, request, **how)


def _bilingual(zh: str, en: str) -> str:
    """The applicant's language first (zh-hans by default), the other after it."""
    if (get_language() or "zh-hans").startswith("en"):
        return f"{en} ({zh})"
    return f"{zh}（{en}）"


def _policy_period(policy: BenefitPolicy, period: str) -> str | None:
    """The policy's own period within a run's period, or None when it does not run."""
    if policy.period == "month":
        return period if len(period) == 7 else None
    return period[:4]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _rule(policy: BenefitPolicy) -> rules.Rule:
    try:
        return rules.RULES[policy.code]
    except KeyError:
        raise BenefitRefused(
            "unknown_rule", _("The rules engine has no rule %(code)s.") % {"code": policy.code}
        ) from None


def _population(rule: rules.Rule, period: str) -> facts.Population:
    if rule.system == "resident":
        return facts.resident_population(period)
    return facts.enterprise_population(period)


def _evaluate(
    rule: rules.Rule,
    population: facts.Population,
    period: str,
    parameters_yaml: str,
    *,
    explain: bool,
) -> rules.Outcome:
    parameters = {rule.code: rules.parse_parameters(rule.code, parameters_yaml)}
    if len(population) == 0:
        nothing = np.zeros(0)
        return rules.Outcome(eligible=nothing.astype(bool), amount=nothing, conditions={})
    found = rules.evaluate(
        rule.system,
        population.inputs,
        period,
        codes=[rule.code],
        parameters=parameters,
        explain=explain,
    )
    return found[rule.code]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def _explanation(rule: rules.Rule, outcome: rules.Outcome, index: int) -> list[dict[str, Any]]:
    """The conditions of ``rule`` for the beneficiary at ``index``, with the values behind."""
    out = []
    for condition in rule.conditions:
        held, values = outcome.conditions[condition.code]
        value = _plain(values[index])
        if condition.code == "registered_in_quzhou":
            value = str(value)
        out.append(
            {
                "condition": condition.code,
                "label": condition.label,
                "label_en": condition.label_en,
                "value": value,
                "held": bool(held[index]),
            }
        )
    return out


# --- Rule versions ------------------------------------------------------------------------------


def rule_draft(
    *,
    policy: BenefitPolicy,
    parameters_yaml: str,
    note: str,
    by: User,
    version: RuleVersion | None = None,
    request: HttpRequest | None = None,
) -> RuleVersion:
    """A new draft version of ``policy``'s parameters (or ``version``, a draft, edited)."""
    action = "services.benefit_rule_draft"
    require_department(by, "services.manage", policy.department_id, action=action, request=request)
    rule = _rule(policy)
    if version is not None and (version.policy_id != policy.pk or version.state != "draft"):
        raise _refuse(
            action,
            by,
            "not_draft",
            _("Only a draft version can be edited."),
            request,
            target=version,
            status=409,
        )
    try:
        rules.parse_parameters(rule.code, parameters_yaml)
    except rules.ParameterError as error:
        raise _refuse(
            action,
            by,
            "parameters",
            _bilingual(error.message, error.message_en),
            request,
            target=policy,
            field="parameters",
            parameter=error.parameter,
            line=error.line,
        ) from error
    try:
        return _save_draft(policy, version, parameters_yaml, note, by=by, request=request)
    except _Conflict:  # made live (or retired) meanwhile: refused after the rollback
        raise _refuse(
            action,
            by,
            "not_draft",
            _("Only a draft version can be edited."),
            request,
            target=version,
            status=409,
        ) from None


def _save_draft(
    policy: BenefitPolicy,
    version: RuleVersion | None,
    parameters_yaml: str,
    note: str,
    *,
    by: User,
    request: HttpRequest | None,
) -> RuleVersion:
    action = "services.benefit_rule_draft"
    with transaction.atomic():
        if version is not None:  # the page loaded it as a draft; it may have gone live since
            version = RuleVersion.objects.select_for_update().get(pk=version.pk)
            if version.state != RuleVersion.State.DRAFT:
                raise _Conflict("not_draft")
        if version is None:
            last = policy.versions.aggregate(n=Max("number"))["n"] or 0
            version = RuleVersion.objects.create(
                policy=policy,
                number=last + 1,
                parameters=parameters_yaml,
                note=note[:200],
                created_by=by,
            )
        else:
            version.parameters = parameters_yaml
            version.note = note[:200]
            version.dry_run = {}  # an edited draft must be dry-run again
            version.save(update_fields=["parameters", "note", "dry_run"])
        audit_record(
            action=action,
            actor=by,
            target=version,
            request=request,
            details={
                "policy": policy.code,
                "number": version.number,
                "parameters": _digest(parameters_yaml),
            },
        )
    return version


def _live(policy: BenefitPolicy) -> RuleVersion | None:
    return policy.versions.filter(state=RuleVersion.State.LIVE).first()


def _counts(
    population: facts.Population, outcome: rules.Outcome
) -> tuple[set[Any], dict[str, Any]]:
    keys = population.keys[outcome.eligible]
    return set(keys.tolist()), {
        "eligible": int(outcome.eligible.sum()),
        "amount": round(float(outcome.amount.sum()), 2),
    }


def _dry_run_compare(
    population: facts.Population, before: rules.Outcome | None, after: rules.Outcome
) -> dict[str, Any]:
    """Compare two outcomes over one population (pure; ``before`` None = nobody eligible)."""
    if before is None:
        before = rules.Outcome(
            eligible=np.zeros(len(population), dtype=bool),
            amount=np.zeros(len(population)),
            conditions={},
        )
    was, was_total = _counts(population, before)
    now, now_total = _counts(population, after)
    by_county: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "eligible_before": 0,
            "eligible_after": 0,
            "amount_before": 0.0,
            "amount_after": 0.0,
        }
    )
    for county in np.unique(population.counties):
        mask = population.counties == county
        b, a = before.eligible & mask, after.eligible & mask
        if not (b.any() or a.any()):
            continue
        row = by_county[str(county)]
        row["eligible_before"] = int(b.sum())
        row["eligible_after"] = int(a.sum())
        row["amount_before"] = round(float(before.amount[b].sum()), 2)
        row["amount_after"] = round(float(after.amount[a].sum()), 2)
    return {
        "population": len(population),
        "eligible_before": was_total["eligible"],
        "eligible_after": now_total["eligible"],
        "newly_eligible": len(now - was),
        "no_longer_eligible": len(was - now),
        "amount_before": was_total["amount"],
        "amount_after": now_total["amount"],
        "by_county": dict(sorted(by_county.items())),
    }


def rule_dry_run(
    *, version: RuleVersion, by: User, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Evaluate ``version`` and the live version over today's population; store and return the
    comparison (people and money before/after, newly and no longer eligible, by county)."""
    action = "services.benefit_rule_dry_run"
    policy = version.policy
    require_department(by, "services.manage", policy.department_id, action=action, request=request)
    rule = _rule(policy)
    period = facts.current_period(policy.period, timezone.localdate())
    live = _live(policy)
    try:
        population = _population(rule, period)
        after = _evaluate(rule, population, period, version.parameters, explain=False)
        before = (
            _evaluate(rule, population, period, live.parameters, explain=False)
            if live is not None and live.pk != version.pk
            else None
        )
    except rules.ParameterError as error:
        raise _refuse(
            action,
            by,
            "parameters",
            _bilingual(error.message, error.message_en),
            request,
            target=version,
        ) from error
    result = _dry_run_compare(population, before, after)
    result.update(
        period=period,
        live_version=live.number if live is not None else None,
        parameters=_digest(version.parameters),
        at=timezone.now().isoformat(timespec="seconds"),
        missing=population.missing,
    )
    with transaction.atomic():
        version.dry_run = result
        version.save(update_fields=["dry_run"])
        audit_record(
            action=action,
            actor=by,
            target=version,
            request=request,
            details={
                k: result[k]
                for k in (
                    "period",
                    "eligible_before",
                    "eligible_after",
                    "newly_eligible",
                    "no_longer_eligible",
                    "amount_before",
                    "amount_after",
                )
            },
        )
    return result


def rule_activate(
    *,
    version: RuleVersion,
    by: User,
    effective_from: date | None = None,
    request: HttpRequest | None = None,
) -> RuleVersion:
    """Make the dry-run draft ``version`` live; the live one before it is retired."""
    action = "services.benefit_rule_activate"
    policy = version.policy
    require_department(by, "services.manage", policy.department_id, action=action, request=request)
    if version.state != RuleVersion.State.DRAFT:
        raise _refuse(
            action,
            by,
            "not_draft",
            _("Only a draft version can be made live."),
            request,
            target=version,
            status=409,
        )
    if not version.dry_run or version.dry_run.get("parameters") != _digest(version.parameters):
        raise _refuse(
            action,
            by,
            "no_dry_run",
            _bilingual("生效前须先试算本版本", "Dry-run this version before making it live"),
            request,
            target=version,
            status=409,
        )
    try:
        return _make_live(version, by=by, effective_from=effective_from, request=request)
    except _Conflict as conflict:  # changed meanwhile: refused after the rollback
        if conflict.code == "not_draft":
            message = _("Only a draft version can be made live.")
        else:
            message = _bilingual(
                "生效前须先试算本版本", "Dry-run this version before making it live"
            )
        raise _refuse(
            action, by, conflict.code, message, request, target=version, status=409
        ) from None


def _make_live(
    version: RuleVersion, *, by: User, effective_from: date | None, request: HttpRequest | None
) -> RuleVersion:
    action = "services.benefit_rule_activate"
    policy = version.policy
    with transaction.atomic():
        # the page's copy may be stale: edited (its dry run cleared) or made live meanwhile
        version = RuleVersion.objects.select_for_update().get(pk=version.pk)
        if version.state != RuleVersion.State.DRAFT:
            raise _Conflict("not_draft")
        if not version.dry_run or version.dry_run.get("parameters") != _digest(version.parameters):
            raise _Conflict("no_dry_run")
        previous = RuleVersion.objects.select_for_update().filter(
            policy=policy, state=RuleVersion.State.LIVE
        )
        retired = [v.number for v in previous]
        previous.update(state=RuleVersion.State.RETIRED)
        version.state = RuleVersion.State.LIVE
        version.effective_from = effective_from or timezone.localdate()
        version.activated_at = timezone.now()
        version.save(update_fields=["state", "effective_from", "activated_at"])
        audit_record(
            action=action,
            actor=by,
            target=version,
            request=request,
            details={"policy": policy.code, "number": version.number, "retired": retired},
        )
    return version


# --- The eligibility run ------------------------------------------------------------------------


def _grants_of(
    policy: BenefitPolicy,
    version: RuleVersion,
    run: EligibilityRun,
    period: str,
    population: facts.Population,
    outcome: rules.Outcome,
    rule: rules.Rule,
) -> tuple[list[BenefitGrant], int]:
    """The grants for the newly eligible (not yet granted for the period); and how many were."""
    indices = np.flatnonzero(outcome.eligible)
    if rule.system == "resident":
        had = set(
            BenefitGrant.objects.filter(policy=policy, period=period).values_list(
                "resident_id", flat=True
            )
        )
        new = [i for i in indices.tolist() if int(population.keys[i]) not in had]
        names = dict(
            Resident.objects.filter(pk__in=[int(population.keys[i]) for i in new])
            .only("pk", "name")
            .values_list("pk", "name")
        )
    else:
        had_codes: set[str] = set(
            BenefitGrant.objects.filter(policy=policy, period=period).values_list(
                "credit_code", flat=True
            )
        )
        new = [i for i in indices.tolist() if str(population.keys[i]) not in had_codes]
        names = {}
    grants = []
    for i in new:
        key = population.keys[i]
        resident = rule.system == "resident"
        grants.append(
            BenefitGrant(
                policy=policy,
                rule_version=version,
                run=run,
                period=period,
                resident_id=int(key) if resident else None,
                credit_code="" if resident else str(key),
                beneficiary_name=(
                    str(names.get(int(key), ""))
                    if resident
                    else str(population.names[i])
                    if population.names is not None
                    else ""
                )[:120],
                county=str(population.counties[i])[:6],
                amount=Decimal(str(round(float(outcome.amount[i]), 2))),
                explanation=_explanation(rule, outcome, i),
            )
        )
    return grants, len(indices) - len(new)


def eligibility_run(
    *, period: str, by: User | None = None, request: HttpRequest | None = None
) -> EligibilityRun:
    """Evaluate the active policies with their live versions for ``period`` ("2026-11" or
    "2026"); record a FOUND grant for every newly eligible beneficiary. ``by`` None is the
    schedule (every policy); a data steward runs the policies of their own department. A
    failure leaves the run FAILED with nothing else written."""
    action = "services.benefit_run"
    if by is not None:
        require_audited(by, "services.manage", action=action, request=request)
    if len(period) not in (4, 7) or not period[:4].isdigit():
        raise _refuse(action, by, "period", _("The period must be YYYY-MM or YYYY."), request)
    policies = BenefitPolicy.objects.filter(active=True).select_related("department")
    if by is not None:
        policies = policies.filter(department=by.department)
    run = EligibilityRun.objects.create(period=period, by=by)
    report: dict[str, Any] = {}
    try:
        with transaction.atomic():
            cache: dict[tuple[str, str], facts.Population] = {}
            for policy in policies:
                own = _policy_period(policy, period)
                version = _live(policy)
                if own is None or version is None:
                    continue
                rule = _rule(policy)
                if (rule.system, own) not in cache:
                    cache[(rule.system, own)] = _population(rule, own)
                population = cache[(rule.system, own)]
                outcome = _evaluate(rule, population, own, version.parameters, explain=True)
                grants, already = _grants_of(policy, version, run, own, population, outcome, rule)
                BenefitGrant.objects.bulk_create(grants, batch_size=500)
                report[policy.code] = {
                    "period": own,
                    "version": version.number,
                    "evaluated": len(population),
                    "eligible": int(outcome.eligible.sum()),
                    "new": len(grants),
                    "already": already,
                    "amount": round(float(outcome.amount.sum()), 2),
                    "missing": population.missing,
                }
            run.state = EligibilityRun.State.COMPLETE
            run.finished_at = timezone.now()
            run.report = report
            run.save(update_fields=["state", "finished_at", "report"])
            audit_record(
                action=action,
                actor=by,
                target=run,
                request=request,
                actor_name="" if by is not None else "system",
                details={"period": period, "new": {k: v["new"] for k, v in report.items()}},
            )
    except Exception as error:
        EligibilityRun.objects.filter(pk=run.pk).update(
            state=EligibilityRun.State.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
            report={},
        )
        run.refresh_from_db()
        audit_record(
            action=action,
            actor=by,
            target=run,
            request=request,
            outcome=Outcome.FAILURE,
            actor_name="" if by is not None else "system",
            details={"period": period, "error": type(error).__name__},
        )
    return run


# --- Review and confirmation --------------------------------------------------------------------


def _recipients(grant: BenefitGrant) -> list[User]:
    if grant.resident_id is not None:
        account = (
            Resident.objects.filter(pk=grant.resident_id).values_list("account_id", flat=True)
        ).first()
        return list(User.objects.filter(pk=account, is_active=True)) if account else []
    return list(User.objects.filter(credit_code=grant.credit_code, is_active=True))


def grant_review(
    *,
    grants: Iterable[BenefitGrant],
    approve: bool,
    note: str,
    by: User,
    request: HttpRequest | None = None,
) -> int:
    """Approve (the beneficiary is notified) or reject (``note`` required) FOUND grants, all
    or none; the number reviewed."""
    action = "services.benefit_review"
    chosen = list(grants)
    departments: list[int | None] = [*sorted({g.policy.department_id for g in chosen})] or [
        getattr(by, "department_id", None)  # nothing chosen: the own department's right
    ]
    for department_id in departments:
        require_department(by, "services.handle", department_id, action=action, request=request)
    if not approve and not note.strip():
        raise _refuse(
            action, by, "note", _("Say why the finding is not approved."), request, field="note"
        )
    try:
        return _review(chosen, approve=approve, note=note, by=by, request=request)
    except _Conflict:  # refused after the rollback, so that the refusal's audit entry stays
        raise _refuse(
            action,
            by,
            "state",
            _("Only findings awaiting review can be reviewed."),
            request,
            status=409,
        ) from None


class _Conflict(Exception):
    """A state found inside a transaction that refuses the step (audited after the rollback)."""

    def __init__(self, code: str = "state") -> None:
        super().__init__(code)
        self.code = code


def _review(
    chosen: list[BenefitGrant], *, approve: bool, note: str, by: User, request: HttpRequest | None
) -> int:
    action = "services.benefit_review"
    with transaction.atomic():
        ids = [g.pk for g in chosen]
        locked = list(
            BenefitGrant.objects.select_for_update().filter(pk__in=ids).select_related("policy")
        )
        if any(g.state != BenefitGrant.State.FOUND for g in locked) or len(locked) != len(ids):
            raise _Conflict
        now = timezone.now()
        for grant in locked:
            grant.state = BenefitGrant.State.APPROVED if approve else BenefitGrant.State.REJECTED
            grant.reviewed_by = by
            grant.reviewed_at = now
            grant.review_note = note[:200]
            if approve:
                sent = notify(
                    recipients=_recipients(grant),
                    subject=_("You qualify for %(policy)s: %(amount)s yuan — please confirm")
                    % {"policy": grant.policy.name, "amount": grant.amount},
                    body=_("No application is needed. Open the link to see why and confirm."),
                    link=reverse("services:benefit_grant", args=[grant.pk]),
                )
                grant.notified_at = now if sent else None
            grant.save(
                update_fields=["state", "reviewed_by", "reviewed_at", "review_note", "notified_at"]
            )
        audit_record(
            action=action,
            actor=by,
            request=request,
            details={"grants": ids[:200], "count": len(ids), "approve": approve},
        )
    return len(locked)


def _is_beneficiary(by: Any, grant: BenefitGrant) -> bool:
    if not has_perm(by, "services.apply"):
        return False
    if grant.resident_id is not None:
        return Resident.objects.filter(pk=grant.resident_id, account_id=by.pk).exists()
    return bool(grant.credit_code) and enterprise_code(by) == grant.credit_code


def _require_beneficiary(
    by: Any, grant: BenefitGrant, action: str, request: HttpRequest | None
) -> None:
    """``services.apply`` as the grant's own beneficiary (audited refusal)."""
    require_audited(by, "services.apply", action=action, request=request)
    if not _is_beneficiary(by, grant):
        audit_refusal(
            action=action,
            by=by,
            code="not_beneficiary",
            request=request,
            target=grant,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied(f"{action}: not the beneficiary")


def _answer(
    grant: BenefitGrant, by: User, request: HttpRequest | None, *, confirm: bool
) -> BenefitGrant:
    action = "services.benefit_confirm" if confirm else "services.benefit_decline"
    try:
        with transaction.atomic():
            locked = BenefitGrant.objects.select_for_update().get(pk=grant.pk)
            if locked.state != BenefitGrant.State.APPROVED:
                raise _Conflict
            _record_answer(locked, by, request, action=action, confirm=confirm)
    except _Conflict:  # refused after the rollback, so that the refusal's audit entry stays
        raise _refuse(
            action,
            by,
            "state",
            _("Only an approved benefit awaiting your confirmation can be answered."),
            request,
            target=grant,
            status=409,
        ) from None
    grant.refresh_from_db()
    return grant


def _record_answer(
    locked: BenefitGrant, by: User, request: HttpRequest | None, *, action: str, confirm: bool
) -> None:
    locked.state = BenefitGrant.State.CONFIRMED if confirm else BenefitGrant.State.DECLINED
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["state", "confirmed_at"])
    audit_record(
        action=action,
        actor=by,
        target=locked,
        request=request,
        details={"policy": locked.policy.code, "period": locked.period},
    )


def benefit_confirm(
    *, grant: BenefitGrant, by: User, request: HttpRequest | None = None
) -> BenefitGrant:
    """The beneficiary confirms an approved benefit (确认享受)."""
    _require_beneficiary(by, grant, "services.benefit_confirm", request)
    return _answer(grant, by, request, confirm=True)


def benefit_decline(
    *, grant: BenefitGrant, by: User, request: HttpRequest | None = None
) -> BenefitGrant:
    """The beneficiary declines an approved benefit (放弃享受)."""
    _require_beneficiary(by, grant, "services.benefit_decline", request)
    return _answer(grant, by, request, confirm=False)


def grant_view(*, grant: BenefitGrant, by: Any, request: HttpRequest | None = None) -> str:
    """Who may see ``grant``: "beneficiary", or "staff" of the policy's department (clerks,
    approvers, stewards); anyone else is refused (audited)."""
    if _is_beneficiary(by, grant):
        return "beneficiary"
    perm = "services.manage" if has_perm(by, "services.manage") else "services.handle"
    require_department(
        by, perm, grant.policy.department_id, action="services.benefit_view", request=request
    )
    audit_record(  # a staff read of a beneficiary's finding (personal data) is audited
        action="services.benefit_view",
        actor=by,
        target=grant,
        request=request,
        details={"policy": grant.policy.code, "period": grant.period},
    )
    return "staff"
