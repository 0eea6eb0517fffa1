"""Every write of sharing (数据共享): requests, decisions, grants, app keys and metered reads.

Each public function checks permission (``require`` or a ``_require_…`` wrapper), writes in one
transaction and leaves an audit entry. A refusal is audited before it is raised, outside the
transaction, so that the entry survives the refusal.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn

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
from shuzhi.platform.catalog.models import Dataset, Grade, ShareAttribute, Status
from shuzhi.platform.security.keys import field_cipher
from shuzhi.platform.security.permissions import require
from shuzhi.platform.security.sm import sm3_hex
from shuzhi.platform.warehouse.query import QueryError, QueryResult, RowQuery, plan
from shuzhi.platform.warehouse.selectors import field_specs, read_rows
from shuzhi.platform.workdays.selectors import add_working_days

from .messages import translate_query_error
from .models import Grant, GrantUsage, ShareRequest

APP_KEY_PREFIX = "sg"  # 共享应用密钥: sg_<key id>_<secret>, sent in X-App-Key
MAX_TEXT = 2000


class SharingRefused(Exception):
    """A refused sharing action: HTTP-like ``status``, a stable ``code`` and a translated
    ``message`` for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RequestOutcome:
    """A new request; for an unconditional dataset also its grant and app key (shown once)."""

    share_request: ShareRequest
    grant: Grant | None = None
    app_key: str = ""


# --- refusals and permission checks ------------------------------------------------------


def _refuse(
    *,
    action: str,
    by: Any,
    target: object,
    request: HttpRequest | None,
    status: int,
    code: str,
    message: str,
    outcome: str = Outcome.DENIED,
    details: dict[str, Any] | None = None,
) -> NoReturn:
    audit_record(
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
        target=target,
        outcome=outcome,
        request=request,
        details={"code": code, **(details or {})},
    )
    raise SharingRefused(status, code, message)


def _require_audited(
    by: Any, perm: str, *, action: str, target: object, request: HttpRequest | None
) -> None:
    """``require`` with the refusal audited."""
    try:
        require(by, perm)
    except PermissionDenied:
        audit_record(
            action=action,
            actor=by if getattr(by, "is_authenticated", False) else None,
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "forbidden", "permission": perm},
        )
        raise


def _require_owner_approver(
    by: Any, dataset: Dataset, *, action: str, target: object, request: HttpRequest | None
) -> None:
    """Only approvers (审批人) of the department that owns the dataset."""
    _require_audited(by, "sharing.approve", action=action, target=target, request=request)
    if getattr(by, "department_id", None) != dataset.owner_id:
        audit_record(
            action=action,
            actor=by,
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "other_department"},
        )
        raise PermissionDenied("sharing.approve: not the owner department")


# --- validation --------------------------------------------------------------------------


def _text(value: str, *, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValueError(missing)
    if len(text) > MAX_TEXT:
        raise ValueError(_("Keep each text under %(n)s characters.") % {"n": MAX_TEXT})
    return text


def _clean_fields(dataset: Dataset, fields: Sequence[str]) -> list[str]:
    known = list(dataset.fields.values_list("name", flat=True))
    chosen = [str(f) for f in fields]
    if not chosen:
        raise ValueError(_("Choose at least one field."))
    unknown = [f for f in chosen if f not in known]
    if unknown:
        raise ValueError(_("No such field: %(fields)s") % {"fields": ", ".join(unknown)[:200]})
    return [name for name in known if name in set(chosen)]  # catalogue order, no repeats


def _clean_raw(dataset: Dataset, fields: list[str], raw_fields: Collection[str]) -> list[str]:
    """Unmasked access is asked for graded (L3–L4) fields among the chosen ones only."""
    raw = {str(f) for f in raw_fields}
    outside = sorted(raw - set(fields))
    if outside:
        raise ValueError(
            _("Unmasked fields must be among the chosen fields: %(fields)s")
            % {"fields": ", ".join(outside)[:200]}
        )
    graded = set(
        dataset.fields.filter(name__in=raw, grade__gte=Grade.L3).values_list("name", flat=True)
    )
    return [f for f in fields if f in graded]


def _clean_scope(dataset: Dataset, scope: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    if not isinstance(scope, Mapping):
        raise ValueError(_("The row scope must map fields to lists of values."))
    cleaned: dict[str, list[str]] = {}
    for name, values in scope.items():
        listed = [values] if isinstance(values, str) else list(values or [])
        listed = [str(v).strip() for v in listed if str(v).strip()]
        if not listed:
            raise ValueError(_("Give at least one value for %(field)s.") % {"field": name})
        cleaned[str(name)] = sorted(set(listed))
    try:  # the query layer checks names and values exactly as it will when reading
        plan(RowQuery(limit=0), field_specs(dataset), scope=cleaned, token=field_cipher().token)
    except QueryError as exc:
        if exc.message.startswith("the row scope names"):
            raise ValueError(_("No such field: %(fields)s") % {"fields": exc.field}) from exc
        raise ValueError(translate_query_error(exc)) from exc
    return cleaned


def _clean_period(period_end: date) -> date:
    today = timezone.localdate()
    if not isinstance(period_end, date) or period_end <= today:
        raise ValueError(_("The period must end after today."))
    longest = today + timedelta(days=settings.SHARING_GRANT_DAYS)
    if period_end > longest:
        raise ValueError(
            _("The period may run at most %(days)s days, until %(date)s.")
            % {"days": settings.SHARING_GRANT_DAYS, "date": longest.isoformat()}
        )
    return period_end


def _end_of(day: date) -> datetime:
    """The first moment after ``day`` in the city's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _key_hash(secret: str) -> str:
    return sm3_hex(secret.encode("ascii"))


def _new_key() -> tuple[str, str, str]:
    """(key id, secret hash, full key); the full key is shown once and never stored."""
    prefix = secrets.token_hex(6)
    while Grant.objects.filter(key_prefix=prefix).exists():
        prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return prefix, _key_hash(secret), f"{APP_KEY_PREFIX}_{prefix}_{secret}"


def _grant_create(
    share_request: ShareRequest,
    *,
    fields: list[str],
    raw_fields: list[str],
    scope: dict[str, list[str]],
    by: User,
    request: HttpRequest | None,
    with_key: bool,
) -> tuple[Grant, str]:
    """The grant; with its first app key when ``with_key`` (the requester is the actor), else
    with none yet: only the grantee issues it, so that nobody else ever sees it."""
    prefix, digest, key = _new_key()
    if not with_key:
        digest, key = "", ""  # an empty hash matches no key
    grant = Grant.objects.create(
        request=share_request,
        dataset=share_request.dataset,
        grantee=share_request.requester,
        department=share_request.department,
        fields=fields,
        raw_fields=raw_fields,
        scope=scope,
        purpose=share_request.purpose,
        expires_at=_end_of(share_request.period_end),
        key_prefix=prefix,
        key_hash=digest,
    )
    audit_record(
        action="sharing.grant",
        actor=by,
        target=grant,
        request=request,
        details={
            "dataset": grant.dataset.code,
            "department": grant.department.code,
            "fields": fields,
            "raw_fields": raw_fields,
            "scope": grant.scope,
            "expires_at": grant.expires_at.isoformat(),
            "key_id": prefix if with_key else "",
        },
    )
    return grant, key


# --- requests and decisions --------------------------------------------------------------


def share_request_create(
    *,
    by: User,
    dataset: Dataset,
    fields: Sequence[str],
    purpose: str,
    legal_basis: str,
    period_end: date,
    scope: Mapping[str, Sequence[str]] | None = None,
    raw_fields: Collection[str] = (),
    request: HttpRequest | None = None,
) -> RequestOutcome:
    """Ask for a dataset (共享申请). Unconditional (无条件共享) datasets are granted at once
    unless unmasked L3–L4 fields are asked for; conditional ones (and those) go to the owner
    department's approvers with a deadline; 不予共享 datasets are refused.

    Raises ``SharingRefused`` (audited) or ``ValueError`` with a translated message.
    """
    _require_audited(
        by, "sharing.request", action="sharing.request", target=dataset, request=request
    )
    if dataset.status != Status.PUBLISHED:
        _refuse(
            action="sharing.request",
            by=by,
            target=dataset,
            request=request,
            status=404,
            code="not_found",
            message=_("There is nothing at this address."),
        )
    if dataset.share_attribute == ShareAttribute.NONE:
        _refuse(
            action="sharing.request",
            by=by,
            target=dataset,
            request=request,
            status=403,
            code="not_shared",
            message=_(
                "This dataset is marked not shared (不予共享) by its owner department; "
                "it cannot be requested."
            ),
        )
    if by.department_id is None:
        _refuse(
            action="sharing.request",
            by=by,
            target=dataset,
            request=request,
            status=403,
            code="no_department",
            message=_("Only staff of a department can request shared data."),
        )
    if by.department_id == dataset.owner_id:
        _refuse(
            action="sharing.request",
            by=by,
            target=dataset,
            request=request,
            status=409,
            code="own_dataset",
            message=_("Your department owns this dataset; it needs no sharing request."),
        )
    chosen = _clean_fields(dataset, fields)
    raw = _clean_raw(dataset, chosen, raw_fields)
    cleaned_scope = _clean_scope(dataset, scope or {})
    end = _clean_period(period_end)
    purpose_text = _text(purpose, missing=_("Say what the data is for (the purpose)."))
    basis_text = _text(legal_basis, missing=_("Give the legal basis for using the data."))
    at_once = dataset.share_attribute == ShareAttribute.UNCONDITIONAL and not raw
    with transaction.atomic():
        share_request = ShareRequest.objects.create(
            dataset=dataset,
            requester=by,
            department_id=by.department_id,
            fields=chosen,
            raw_fields=raw,
            purpose=purpose_text,
            legal_basis=basis_text,
            scope=cleaned_scope,
            period_end=end,
            deadline=None
            if at_once
            else add_working_days(timezone.localdate(), settings.SHARING_APPROVAL_DAYS),
        )
        audit_record(
            action="sharing.request",
            actor=by,
            target=share_request,
            request=request,
            details={
                "dataset": dataset.code,
                "fields": chosen,
                "raw_fields": raw,
                "scope": cleaned_scope,
                "period_end": end.isoformat(),
                "share_attribute": dataset.share_attribute,
            },
        )
        if not at_once:
            return RequestOutcome(share_request=share_request)
        share_request.state = ShareRequest.State.APPROVED
        share_request.decided_at = timezone.now()
        share_request.save(update_fields=["state", "decided_at"])
        grant, key = _grant_create(
            share_request,
            fields=chosen,
            raw_fields=[],
            scope=cleaned_scope,
            by=by,
            request=request,
            with_key=True,
        )
        return RequestOutcome(share_request=share_request, grant=grant, app_key=key)


def _pending_or_refuse(
    share_request: ShareRequest, *, action: str, by: User, request: HttpRequest | None
) -> None:
    if share_request.state != ShareRequest.State.PENDING:
        _refuse(
            action=action,
            by=by,
            target=share_request,
            request=request,
            status=409,
            code="already_decided",
            message=_("This request has already been decided."),
            details={"state": share_request.state},
        )


def share_request_approve(
    *,
    share_request: ShareRequest,
    by: User,
    fields: Sequence[str] | None = None,
    raw_fields: Collection[str] | None = None,
    scope: Mapping[str, Sequence[str]] | None = None,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Grant:
    """Approve a pending request (审批通过), optionally narrowing its fields, its unmasked
    fields and its row scope (keep every scoped field, with a subset of its values; more
    fields may be added). The grant has no app key yet: the grantee issues it
    (``grant_key_reissue``), so the approver never sees it."""
    dataset = share_request.dataset
    _require_owner_approver(
        by, dataset, action="sharing.approve", target=share_request, request=request
    )
    _pending_or_refuse(share_request, action="sharing.approve", by=by, request=request)
    if dataset.status != Status.PUBLISHED or dataset.share_attribute == ShareAttribute.NONE:
        _refuse(
            action="sharing.approve",
            by=by,
            target=share_request,
            request=request,
            status=409,
            code="not_shared",
            message=_("The dataset is no longer published for sharing; reject the request."),
        )
    if share_request.period_end < timezone.localdate():
        _refuse(
            action="sharing.approve",
            by=by,
            target=share_request,
            request=request,
            status=409,
            code="period_ended",
            message=_("The period asked for has already ended; reject the request."),
        )
    chosen = list(share_request.fields)
    if fields is not None:
        wider = sorted(set(fields) - set(share_request.fields))
        if wider:
            raise ValueError(
                _("An approval may only narrow the fields asked for; not asked for: %(fields)s")
                % {"fields": ", ".join(map(str, wider))[:200]}
            )
        chosen = [f for f in share_request.fields if f in set(fields)]
        if not chosen:
            raise ValueError(_("Choose at least one field."))
    raw_asked = share_request.raw_fields if raw_fields is None else raw_fields
    raw = [f for f in chosen if f in set(raw_asked) and f in set(share_request.raw_fields)]
    granted_scope = dict(share_request.scope)
    if scope is not None:
        narrowed = _clean_scope(dataset, scope)
        for name, values in share_request.scope.items():
            if name not in narrowed or not set(narrowed[name]) <= set(values):
                raise ValueError(
                    _("An approval may only narrow the row scope asked for, on %(field)s.")
                    % {"field": name}
                )
        granted_scope = narrowed
    refused_twice = False
    with transaction.atomic():
        locked = ShareRequest.objects.select_for_update().get(pk=share_request.pk)
        if locked.state != ShareRequest.State.PENDING:
            refused_twice = True
        else:
            locked.state = ShareRequest.State.APPROVED
            locked.decided_by = by
            locked.decided_at = timezone.now()
            locked.reason = comment.strip()[:MAX_TEXT]
            locked.save(update_fields=["state", "decided_by", "decided_at", "reason"])
            audit_record(
                action="sharing.approve",
                actor=by,
                target=locked,
                request=request,
                details={
                    "fields": chosen,
                    "raw_fields": raw,
                    "scope": granted_scope,
                    "narrowed": chosen != locked.fields or granted_scope != locked.scope,
                },
            )
            grant, _key = _grant_create(
                locked,
                fields=chosen,
                raw_fields=raw,
                scope=granted_scope,
                by=by,
                request=request,
                with_key=False,
            )
            share_request.refresh_from_db()
            return grant
    assert refused_twice
    share_request.refresh_from_db()
    _pending_or_refuse(share_request, action="sharing.approve", by=by, request=request)
    raise AssertionError("unreachable")  # pragma: no cover


def share_request_reject(
    *,
    share_request: ShareRequest,
    by: User,
    reason: str,
    request: HttpRequest | None = None,
) -> ShareRequest:
    """Reject a pending request (驳回) with the reason the requester will read."""
    _require_owner_approver(
        by, share_request.dataset, action="sharing.reject", target=share_request, request=request
    )
    _pending_or_refuse(share_request, action="sharing.reject", by=by, request=request)
    text = _text(reason, missing=_("Give the reason for rejecting."))
    with transaction.atomic():
        updated = ShareRequest.objects.filter(
            pk=share_request.pk, state=ShareRequest.State.PENDING
        ).update(
            state=ShareRequest.State.REJECTED,
            decided_by=by,
            decided_at=timezone.now(),
            reason=text,
        )
        if updated:
            audit_record(
                action="sharing.reject",
                actor=by,
                target=share_request,
                request=request,
                details={"reason": text[:500]},
            )
    share_request.refresh_from_db()
    if not updated:
        _pending_or_refuse(share_request, action="sharing.reject", by=by, request=request)
    return share_request


# --- grants ------------------------------------------------------------------------------


def _require_revoker(grant: Grant, by: Any, *, request: HttpRequest | None) -> None:
    """The grantee, or an approver of the owner department."""
    if getattr(by, "pk", None) == grant.grantee_id:
        _require_audited(
            by, "sharing.request", action="sharing.revoke", target=grant, request=request
        )
        return
    _require_owner_approver(
        by, grant.dataset, action="sharing.revoke", target=grant, request=request
    )


def grant_revoke(
    *, grant: Grant, by: User, reason: str = "", request: HttpRequest | None = None
) -> Grant:
    """Revoke a grant with immediate effect (撤销授权): its key stops working at once."""
    _require_revoker(grant, by, request=request)
    if grant.revoked_at is not None:
        _refuse(
            action="sharing.revoke",
            by=by,
            target=grant,
            request=request,
            status=409,
            code="already_revoked",
            message=_("This grant has already been revoked."),
        )
    with transaction.atomic():
        Grant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by, revoke_reason=reason.strip()[:MAX_TEXT]
        )
        audit_record(
            action="sharing.revoke",
            actor=by,
            target=grant,
            request=request,
            details={"reason": reason.strip()[:500], "key_id": grant.key_prefix},
        )
    grant.refresh_from_db()
    return grant


def grant_key_reissue(*, grant: Grant, by: User, request: HttpRequest | None = None) -> str:
    """Issue the grant's app key, replacing any earlier one (which stops working at once);
    the grantee only. The key is returned once and only its hash is kept."""
    _require_audited(
        by, "sharing.request", action="sharing.key_issue", target=grant, request=request
    )
    if by.pk != grant.grantee_id:
        audit_record(
            action="sharing.key_issue",
            actor=by,
            target=grant,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "not_grantee"},
        )
        raise PermissionDenied("sharing: not the grantee")
    if not grant.is_active():
        _refuse(
            action="sharing.key_issue",
            by=by,
            target=grant,
            request=request,
            status=409,
            code="grant_inactive",
            message=_("This grant has expired or been revoked; request the data again."),
        )
    with transaction.atomic():
        prefix, digest, key = _new_key()
        old = grant.key_prefix
        grant.key_prefix, grant.key_hash, grant.key_issued_at = prefix, digest, timezone.now()
        grant.save(update_fields=["key_prefix", "key_hash", "key_issued_at"])
        audit_record(
            action="sharing.key_issue",
            actor=by,
            target=grant,
            request=request,
            details={"key_id": prefix, "replaced": old},
        )
    return key


def _require_key_match(grant: Grant | None, secret: str) -> bool:
    """The machine's credential check: the secret hashes to the grant's stored key hash."""
    return (
        grant is not None
        and bool(grant.key_hash)
        and hmac.compare_digest(grant.key_hash, _key_hash(secret))
    )


def app_key_authenticate(*, raw: str, request: HttpRequest | None) -> Grant | None:
    """The grant an ``X-App-Key`` names, when the key is authentic; None (audited) otherwise.

    Whether the grant is still usable (not revoked, not expired) is checked by the read, which
    refuses with a reason the machine can act on.
    """
    parts = (raw or "").strip().replace("\x00", "").split("_", 2)
    grant: Grant | None = None
    if len(parts) == 3 and parts[0] == APP_KEY_PREFIX and parts[1] and parts[2]:
        grant = (
            Grant.objects.select_related("dataset", "grantee").filter(key_prefix=parts[1]).first()
        )
        if _require_key_match(grant, parts[2]):
            return grant
    audit_record(
        action="sharing.key_reject",
        outcome=Outcome.DENIED,
        request=request,
        details={
            "reason": "malformed" if len(parts) != 3 else "unknown",
            "key_id": parts[1][:16] if len(parts) == 3 else "",
        },
    )
    return None


def _require_reader(
    grant: Grant,
    *,
    by: Any,
    key_grant: Grant | None,
    request: HttpRequest | None,
    details: dict[str, Any],
) -> User:
    """Who reads: the app key of this very grant, or the grantee signed in. Refusals audited."""
    if key_grant is not None:
        if key_grant.pk != grant.pk:
            _refuse(
                action="sharing.read",
                by=key_grant.grantee,
                target=grant,
                request=request,
                status=403,
                code="wrong_grant",
                message=_("This app key belongs to another grant; it cannot read this data."),
                details={**details, "key_grant": key_grant.pk},
            )
        reader = key_grant.grantee
    else:
        _require_audited(
            by, "sharing.request", action="sharing.read", target=grant, request=request
        )
        if getattr(by, "pk", None) != grant.grantee_id:
            audit_record(
                action="sharing.read",
                actor=by,
                target=grant,
                outcome=Outcome.DENIED,
                request=request,
                details={**details, "code": "not_grantee"},
            )
            raise PermissionDenied("sharing: not the grantee")
        reader = by
    if grant.revoked_at is not None:
        _refuse(
            action="sharing.read",
            by=reader,
            target=grant,
            request=request,
            status=403,
            code="grant_revoked",
            message=_("This grant has been revoked; its data and key no longer work."),
            details=details,
        )
    if not grant.is_active():
        _refuse(
            action="sharing.read",
            by=reader,
            target=grant,
            request=request,
            status=403,
            code="grant_expired",
            message=_("This grant has expired; request the data again."),
            details=details,
        )
    if (
        grant.dataset.status != Status.PUBLISHED
        or grant.dataset.share_attribute == ShareAttribute.NONE
        or not reader.is_active
    ):
        _refuse(
            action="sharing.read",
            by=reader,
            target=grant,
            request=request,
            status=403,
            code="grant_inactive",
            message=_("This data is no longer shared; ask the owner department."),
            details=details,
        )
    return reader


def grant_rows_read(
    *,
    grant: Grant,
    query: RowQuery,
    by: Any = None,
    key_grant: Grant | None = None,
    grant_id: int | None = None,
    dataset_code: str | None = None,
    request: HttpRequest | None = None,
) -> QueryResult:
    """Rows of the granted dataset for the grantee or its app key (共享数据接口).

    Only the granted fields and scoped rows; L3–L4 fields masked unless granted unmasked.
    Every call is audited and metered (calls and rows per grant per day).
    """
    details = {  # names as asked (untrusted): bounded in number and length
        "via": "app_key" if key_grant is not None else "session",
        "fields": [str(f)[:64] for f in query.fields][:50] if query.fields is not None else None,
        "filters": sorted(str(f)[:64] for f in query.filters)[:50],
        "sort": [str(name)[:64] for name, _descending in query.sort][:20],
        "limit": query.limit,
        "offset": query.offset,
        "q": bool(query.q),
    }
    reader = _require_reader(grant, by=by, key_grant=key_grant, request=request, details=details)
    if grant_id is not None and grant_id != grant.pk:
        _refuse(
            action="sharing.read",
            by=reader,
            target=grant,
            request=request,
            status=403,
            code="wrong_grant",
            message=_("This app key belongs to another grant; it cannot read this data."),
            details={**details, "asked_grant": grant_id},
        )
    if dataset_code is not None and dataset_code != grant.dataset.code:
        _refuse(
            action="sharing.read",
            by=reader,
            target=grant,
            request=request,
            status=403,
            code="wrong_dataset",
            message=_("This grant is for another dataset; it cannot read this one."),
            details={**details, "asked_dataset": dataset_code[:64]},
        )
    try:
        result, version = read_rows(
            grant.dataset,
            query,
            visible=list(grant.fields),
            raw=list(grant.raw_fields),
            scope=dict(grant.scope),
        )
    except QueryError as exc:
        _refuse(
            action="sharing.read",
            by=reader,
            target=grant,
            request=request,
            status=400,
            code="invalid_query",
            message=translate_query_error(exc),
            outcome=Outcome.FAILURE,
            details={**details, "error": str(exc)[:300]},
        )
    except LookupError:
        _refuse(
            action="sharing.read",
            by=reader,
            target=grant,
            request=request,
            status=409,
            code="no_data",
            message=_("The dataset has no data loaded yet."),
            outcome=Outcome.FAILURE,
            details=details,
        )
    with transaction.atomic():
        usage, _created = GrantUsage.objects.select_for_update().get_or_create(
            grant=grant, day=timezone.localdate()
        )
        GrantUsage.objects.filter(pk=usage.pk).update(
            calls=F("calls") + 1, rows=F("rows") + len(result.rows)
        )
        Grant.objects.filter(pk=grant.pk).update(last_used_at=timezone.now())
        audit_record(
            action="sharing.read",
            actor=reader,
            target=grant,
            request=request,
            details={
                **details,
                "dataset": grant.dataset.code,
                "version": version.number,
                "rows": len(result.rows),
                "unmasked": [f for f in result.columns if f in set(grant.raw_fields)],
            },
        )
    return result
