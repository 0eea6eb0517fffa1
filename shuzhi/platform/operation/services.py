"""Writes of authorised operation (授权运营): vetting, authorisations, analyses, review, usage.

Each service checks permission first and writes an audit entry. The big-data bureau's staff
(``operation.review`` and a member of ``settings.BUREAU_DEPARTMENT``) vet operators, grant and
revoke authorisations and review results; a vetted operator's accounts (``operation.submit``)
submit analyses over the datasets authorised to them today.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset, Status
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.permissions import require
from shuzhi.platform.warehouse.engine import table_name
from shuzhi.platform.warehouse.selectors import current_version

from . import sandbox
from .models import Analysis, Authorisation, Operator, Usage
from .selectors import active_authorisations, is_bureau, operator_of, visible_fields

logger = logging.getLogger(__name__)

RUN_TIMEOUT_SECONDS = 30.0
RESULT_ROW_LIMIT = 1000


class OperationError(Exception):
    """A rule of authorised operation refuses the action; the message says why (translated)."""


def _require_bureau(by: User, perm: str = "operation.review") -> None:
    require(by, perm)
    if not is_bureau(by):
        raise PermissionDenied(f"{perm}: only staff of the big-data bureau")


def _require_operator(by: User) -> Operator:
    """The vetted operator ``by`` acts for; ``PermissionDenied`` otherwise."""
    require(by, "operation.submit")
    operator = operator_of(by)
    if operator is None:
        raise PermissionDenied("operation.submit: not an operator's account")
    if operator.status != Operator.Status.VETTED:
        raise PermissionDenied(f"operation.submit: the operator is {operator.status}")
    return operator


def _clean_credit_code(credit_code: str) -> str:
    check = check_credit_code(credit_code)
    if not check.valid:
        raise OperationError(
            _("The unified social credit code is not valid: %(reason)s") % {"reason": check.reason}
        )
    return check.normalised


def operator_apply(
    *, by: User, name: str, credit_code: str, request: HttpRequest | None = None
) -> Operator:
    """An enterprise account applies to become an operator (运营方申请); the bureau vets it."""
    require(by, "operation.submit")
    code = _clean_credit_code(credit_code)
    name = name.strip()
    if not name:
        raise OperationError(_("Give the company name."))
    with transaction.atomic():
        if operator_of(by) is not None:
            raise OperationError(_("This account already belongs to an operator."))
        if Operator.objects.filter(credit_code=code).exists():
            raise OperationError(_("An operator with this credit code is already registered."))
        operator = Operator.objects.create(name=name[:200], credit_code=code)
        operator.users.add(by)
        audit_record(
            action="operation.operator_apply",
            actor=by,
            target=operator,
            request=request,
            details={"name": operator.name, "credit_code": code},
        )
    return operator


def operator_register(
    *,
    by: User,
    name: str,
    credit_code: str,
    users: list[User],
    request: HttpRequest | None = None,
) -> Operator:
    """The bureau registers an operator with its enterprise accounts (status: applied)."""
    _require_bureau(by)
    code = _clean_credit_code(credit_code)
    if not name.strip():
        raise OperationError(_("Give the company name."))
    if not users:
        raise OperationError(_("Name at least one enterprise account."))
    for user in users:
        if not user.has_role("enterprise"):
            raise OperationError(
                _("%(user)s is not an enterprise account.") % {"user": user.username}
            )
    with transaction.atomic():
        if Operator.objects.filter(credit_code=code).exists():
            raise OperationError(_("An operator with this credit code is already registered."))
        taken = [u.username for u in users if operator_of(u) is not None]
        if taken:
            raise OperationError(
                _("Already an operator's account: %(users)s") % {"users": ", ".join(taken)}
            )
        operator = Operator.objects.create(name=name.strip()[:200], credit_code=code)
        operator.users.add(*users)
        audit_record(
            action="operation.operator_register",
            actor=by,
            target=operator,
            request=request,
            details={"name": operator.name, "users": [u.username for u in users]},
        )
    return operator


def operator_account_add(
    *, by: User, operator: Operator, user: User, request: HttpRequest | None = None
) -> Operator:
    """The bureau adds another enterprise account to an operator."""
    _require_bureau(by)
    if not user.has_role("enterprise"):
        raise OperationError(_("%(user)s is not an enterprise account.") % {"user": user.username})
    with transaction.atomic():
        if operator_of(user) is not None:
            raise OperationError(
                _("Already an operator's account: %(users)s") % {"users": user.username}
            )
        operator.users.add(user)
        audit_record(
            action="operation.operator_account",
            actor=by,
            target=operator,
            request=request,
            details={"added": user.username},
        )
    return operator


def operator_set_status(
    *,
    by: User,
    operator: Operator,
    status: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Operator:
    """Vet (审核通过) or suspend (暂停) an operator; a suspended operator can be vetted again."""
    _require_bureau(by)
    if status not in (Operator.Status.VETTED, Operator.Status.SUSPENDED):
        raise OperationError(_("An operator can only be vetted or suspended."))
    if status == Operator.Status.SUSPENDED and not comment.strip():
        raise OperationError(_("Say why the operator is suspended."))
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        before = operator.status
        operator.status = status
        operator.comment = comment.strip()
        if status == Operator.Status.VETTED:
            operator.vetted_by = by
            operator.vetted_at = timezone.now()
        operator.save()
        audit_record(
            action="operation.operator_vet"
            if status == Operator.Status.VETTED
            else "operation.operator_suspend",
            actor=by,
            target=operator,
            request=request,
            details={"from": before, "to": status, "comment": operator.comment},
        )
    return operator


def authorisation_grant(
    *,
    by: User,
    operator: Operator,
    dataset: Dataset,
    starts_on: date,
    ends_on: date,
    purpose: str = "",
    request: HttpRequest | None = None,
) -> Authorisation:
    """Authorise a vetted operator to analyse a published dataset from ``starts_on`` to ``ends_on``."""
    _require_bureau(by)
    if operator.status != Operator.Status.VETTED:
        raise OperationError(_("Only a vetted operator can be authorised."))
    if dataset.status != Status.PUBLISHED:
        raise OperationError(_("Only a published dataset can be authorised."))
    if ends_on < starts_on:
        raise OperationError(_("The period ends before it starts."))
    if not visible_fields(dataset):
        raise OperationError(_("The dataset has no fields graded L1–L2 to analyse."))
    with transaction.atomic():
        grant = Authorisation.objects.create(
            operator=operator,
            dataset=dataset,
            starts_on=starts_on,
            ends_on=ends_on,
            purpose=purpose.strip(),
            granted_by=by,
        )
        audit_record(
            action="operation.grant",
            actor=by,
            target=grant,
            request=request,
            details={
                "operator": operator.pk,
                "dataset": dataset.code,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
        )
    return grant


def authorisation_revoke(
    *, by: User, authorisation: Authorisation, request: HttpRequest | None = None
) -> Authorisation:
    _require_bureau(by)
    with transaction.atomic():
        grant = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        if grant.revoked_at is not None:
            raise OperationError(_("The authorisation is already revoked."))
        grant.revoked_at = timezone.now()
        grant.revoked_by = by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action="operation.revoke",
            actor=by,
            target=grant,
            request=request,
            details={"operator": grant.operator_id, "dataset": grant.dataset.code},
        )
    return grant


def _meter(operator: Operator, **counts: int) -> None:
    month = timezone.localdate().replace(day=1)
    usage, _created = Usage.objects.get_or_create(operator=operator, month=month)
    Usage.objects.filter(pk=usage.pk).update(**{k: F(k) + v for k, v in counts.items()})


def _sandbox_views(operator: Operator) -> tuple[list[sandbox.ViewSpec], dict[str, dict[str, str]]]:
    """The operator's datasets today as sandbox views, and their visible columns' types."""
    views = []
    types: dict[str, dict[str, str]] = {}
    for grant in active_authorisations(operator):
        dataset = grant.dataset
        if dataset.code in types:
            continue
        version = current_version(dataset)
        fields = visible_fields(dataset)
        if version is None or not fields:
            continue
        types[dataset.code] = {f.name: f.data_type for f in fields}
        views.append(
            sandbox.ViewSpec(
                name=dataset.code,
                table=table_name(dataset.code, version.number),
                columns=tuple(f.name for f in fields),
            )
        )
    return views, types


def analysis_submit(
    *,
    by: User,
    title: str,
    language: str,
    text: str,
    request: HttpRequest | None = None,
) -> Analysis:
    """Submit an analysis and run it in the sandbox at once.

    The submission is recorded (and audited) in its own transaction first, so it stays on
    record whatever the run does; the run's outcome is recorded in a second one: awaiting
    review, refused by the checks, or failed — each with its reason.
    """
    operator = _require_operator(by)
    if language not in Analysis.Language.values:
        raise OperationError(_("Choose SQL or Ibis."))
    if not text.strip():
        raise OperationError(_("Write the query to run."))
    if len(text) > sandbox.MAX_TEXT:
        raise OperationError(_("The query is too long."))
    with transaction.atomic():
        analysis = Analysis.objects.create(
            operator=operator,
            submitted_by=by,
            title=(title.strip() or _("Untitled analysis"))[:200],
            language=language,
            text=text,
            min_group=settings.OPERATION_MIN_GROUP,
        )
        _meter(operator, submissions=1)
        audit_record(
            action="operation.submit",
            actor=by,
            target=analysis,
            request=request,
            details={"operator": operator.pk, "language": language, "text": text[:2000]},
        )
    return _run(analysis, by=by, request=request)


def _run(analysis: Analysis, *, by: User, request: HttpRequest | None) -> Analysis:
    views, types = _sandbox_views(analysis.operator)
    k = max(1, int(settings.OPERATION_MIN_GROUP))
    outcome = Outcome.SUCCESS
    result: sandbox.SandboxResult | None = None
    ran = False
    sql = ""
    try:
        if analysis.language == Analysis.Language.IBIS:
            sql = sandbox.ibis_to_sql(analysis.text, types)
        else:
            sql = analysis.text
        result = sandbox.run(
            warehouse=Path(settings.WAREHOUSE_PATH),
            views=views,
            sql=sql,
            k=k,
            row_limit=RESULT_ROW_LIMIT,
            timeout=RUN_TIMEOUT_SECONDS,
        )
        analysis.status = Analysis.Status.AWAITING_REVIEW
        analysis.reason = ""
    except sandbox.Refused as exc:
        analysis.status = Analysis.Status.REFUSED
        analysis.reason = str(exc)
        outcome = Outcome.DENIED
    except sandbox.RunFailed as exc:
        # a failure on the data (a conversion, an overflow, the timeout) depends on the rows:
        # told at once, it would answer questions about single rows outside the review, so it
        # waits for the bureau like a result; a failure to bind the query is told at once
        analysis.status = Analysis.Status.AWAITING_REVIEW if exc.on_data else Analysis.Status.FAILED
        analysis.reason = str(exc)
        analysis.rows_scanned = exc.rows_scanned
        outcome = Outcome.FAILURE
        ran = True
    except Exception:  # never leave an analysis "submitted" behind
        logger.exception("operation: analysis %s failed unexpectedly", analysis.pk)
        analysis.status = Analysis.Status.FAILED
        analysis.reason = "the sandbox failed unexpectedly"
        outcome = Outcome.FAILURE
    analysis.compiled_sql = sql if analysis.language == Analysis.Language.IBIS else ""
    analysis.ran_at = timezone.now()
    analysis.min_group = k
    if result is not None:
        analysis.columns = result.columns
        analysis.rows = result.rows
        analysis.suppressed_groups = result.suppressed
        analysis.truncated = result.truncated
        analysis.rows_scanned = result.rows_scanned
        analysis.seconds = result.seconds
        analysis.datasets = result.tables
    with transaction.atomic():
        analysis.save()
        _meter(
            analysis.operator,
            runs=1 if result is not None or ran or analysis.status == Analysis.Status.FAILED else 0,
            rows_scanned=analysis.rows_scanned or 0,
        )  # result rows are metered on release: the operator reads this meter, and the number
        # of groups of an unreleased result would tell what the review has not yet let out
        audit_record(
            action="operation.run",
            actor=by,
            target=analysis,
            outcome=outcome,
            request=request,
            details={
                "status": analysis.status,
                "reason": analysis.reason[:500],
                "datasets": analysis.datasets,
                "rows": len(analysis.rows),
                "suppressed_groups": analysis.suppressed_groups,
                "rows_scanned": analysis.rows_scanned,
            },
        )
    return analysis


def analysis_review(
    *,
    by: User,
    analysis: Analysis,
    decision: str,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Analysis:
    """The bureau releases (发布) a result to its operator or rejects (驳回) it with a comment."""
    _require_bureau(by)
    if decision not in ("release", "reject"):
        raise OperationError(_("Choose release or reject."))
    if decision == "reject" and not comment.strip():
        raise OperationError(_("Say why the result is rejected."))
    with transaction.atomic():
        analysis = Analysis.objects.select_for_update().get(pk=analysis.pk)
        if analysis.status != Analysis.Status.AWAITING_REVIEW:
            raise OperationError(_("Only a result awaiting review can be released or rejected."))
        if decision == "release" and analysis.operator.status != Operator.Status.VETTED:
            raise OperationError(
                _("The operator is not vetted now: the result cannot be released.")
            )
        analysis.status = (
            Analysis.Status.RELEASED if decision == "release" else Analysis.Status.REJECTED
        )
        analysis.reviewed_by = by
        analysis.reviewed_at = timezone.now()
        analysis.review_comment = comment.strip()
        analysis.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        if decision == "release":
            _meter(analysis.operator, result_rows=len(analysis.rows))
        audit_record(
            action="operation.release" if decision == "release" else "operation.reject",
            actor=by,
            target=analysis,
            request=request,
            details={
                "operator": analysis.operator_id,
                "rows": len(analysis.rows),
                "comment": analysis.review_comment,
            },
        )
    return analysis
