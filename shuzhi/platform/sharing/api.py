"""The sharing API router (under /api/v1/sharing/): requests, decisions, grants and the data API.

People use their session. Machine clients of a grant send its app key in ``X-App-Key``
(``sg_<key id>_<secret>``, shown once when the grant is given) to the row endpoints.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader, SessionAuth

from shuzhi.platform.accounts.selectors import needs_second_factor, second_factor_passed
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.errors import ApiError

from .models import Grant, ShareRequest
from .params import parse_row_query
from .selectors import (
    approval_inbox,
    consumers,
    grant_for,
    grant_get,
    my_grants,
    my_requests,
    request_for,
    request_get,
    requestable_datasets,
    usage_series,
)
from .services import (
    SharingRefused,
    app_key_authenticate,
    grant_key_reissue,
    grant_revoke,
    grant_rows_read,
    share_request_approve,
    share_request_create,
    share_request_reject,
)

router = Router(tags=["sharing"])


class AppKeyAuth(APIKeyHeader):
    """``X-App-Key: sg_<key id>_<secret>``: the app key of one grant (refusals audited)."""

    param_name = "X-App-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        grant = app_key_authenticate(raw=key, request=request)
        if grant is None:
            return None
        request.sharing_key_grant = grant  # type: ignore[attr-defined]
        return grant


class GranteeSession(SessionAuth):
    """Session auth for people, as the platform's: administrators need their second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and needs_second_factor(user) and not second_factor_passed(user):
            return None
        return user


ROW_AUTH = [AppKeyAuth(), GranteeSession()]


def _not_found() -> ApiError:
    return ApiError(404, "not_found", _("There is nothing at this address."))


def _refused(exc: SharingRefused) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message)


# --- schemas -----------------------------------------------------------------------------


class DatasetOut(Schema):
    code: str
    name: str
    owner: str
    share_attribute: str
    share_condition: str
    grade: int


class RequestIn(Schema):
    dataset: str
    fields: list[str]
    purpose: str
    legal_basis: str
    period_end: date
    scope: dict[str, list[str]] = {}
    raw_fields: list[str] = []


class RequestOut(Schema):
    id: int
    dataset: str
    department: str
    requester: str
    fields: list[str]
    raw_fields: list[str]
    purpose: str
    legal_basis: str
    scope: dict[str, list[str]]
    period_end: date
    state: str
    deadline: date | None
    overdue: bool
    reason: str
    created_at: datetime
    decided_at: datetime | None


class GrantOut(Schema):
    id: int
    dataset: str
    department: str
    grantee: str
    fields: list[str]
    raw_fields: list[str]
    scope: dict[str, list[str]]
    purpose: str
    status: str
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    key_id: str
    last_used_at: datetime | None


class CreatedOut(Schema):
    request: RequestOut
    grant: GrantOut | None = None
    app_key: str | None = None


class ApproveIn(Schema):
    fields: list[str] | None = None
    raw_fields: list[str] | None = None
    scope: dict[str, list[str]] | None = None
    comment: str = ""


class RejectIn(Schema):
    reason: str


class RevokeIn(Schema):
    reason: str = ""


class GrantKeyOut(Schema):
    grant: GrantOut
    app_key: str


class ConsumerOut(Schema):
    grant: GrantOut
    calls: int
    rows: int


class UsageOut(Schema):
    days: list[str]
    calls: list[int]
    rows: list[int]


class RowsOut(Schema):
    grant: int
    dataset: str
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int


def _request_out(r: ShareRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "dataset": r.dataset.code,
        "department": r.department.code,
        "requester": r.requester.username,
        "fields": r.fields,
        "raw_fields": r.raw_fields,
        "purpose": r.purpose,
        "legal_basis": r.legal_basis,
        "scope": r.scope,
        "period_end": r.period_end,
        "state": r.state,
        "deadline": r.deadline,
        "overdue": r.is_overdue(),
        "reason": r.reason,
        "created_at": r.created_at,
        "decided_at": r.decided_at,
    }


def _grant_out(g: Grant) -> dict[str, Any]:
    return {
        "id": g.pk,
        "dataset": g.dataset.code,
        "department": g.department.code,
        "grantee": g.grantee.username,
        "fields": g.fields,
        "raw_fields": g.raw_fields,
        "scope": g.scope,
        "purpose": g.purpose,
        "status": g.status,
        "starts_at": g.starts_at,
        "expires_at": g.expires_at,
        "revoked_at": g.revoked_at,
        "key_id": g.key_prefix if g.key_hash else "",
        "last_used_at": g.last_used_at,
    }


def _request(request: HttpRequest, pk: int) -> ShareRequest:
    try:
        return request_for(by=request.user, pk=pk)
    except ShareRequest.DoesNotExist as exc:
        raise _not_found() from exc


def _deciding(pk: int) -> ShareRequest:
    try:
        return request_get(pk)
    except ShareRequest.DoesNotExist as exc:
        raise _not_found() from exc


def _grant(request: HttpRequest, pk: int) -> Grant:
    try:
        return grant_for(by=request.user, pk=pk)
    except Grant.DoesNotExist as exc:
        raise _not_found() from exc


# --- requests ----------------------------------------------------------------------------


@router.get("/datasets", response=list[DatasetOut], summary="Datasets you may request")
def datasets(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "name": d.name,
            "owner": d.owner.code,
            "share_attribute": d.share_attribute,
            "share_condition": d.share_condition,
            "grade": d.grade,
        }
        for d in requestable_datasets(by=request.user, q=q)[:500]
    ]


@router.post(
    "/requests",
    response={201: CreatedOut},
    summary="Request a dataset; unconditional datasets are granted at once (key shown once)",
)
def request_create(request: HttpRequest, body: RequestIn) -> Status:
    dataset = Dataset.objects.select_related("owner").filter(code=body.dataset).first()
    if dataset is None:
        raise _not_found()
    try:
        outcome = share_request_create(
            by=request.user,  # type: ignore[arg-type]
            dataset=dataset,
            fields=body.fields,
            purpose=body.purpose,
            legal_basis=body.legal_basis,
            period_end=body.period_end,
            scope=body.scope,
            raw_fields=body.raw_fields,
            request=request,
        )
    except SharingRefused as exc:
        raise _refused(exc) from exc
    except ValueError as exc:
        raise ApiError(400, "invalid_request", str(exc)) from exc
    return Status(
        201,
        {
            "request": _request_out(outcome.share_request),
            "grant": _grant_out(outcome.grant) if outcome.grant else None,
            "app_key": outcome.app_key or None,
        },
    )


@router.get("/requests", response=list[RequestOut], summary="Your requests, newest first")
def requests_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_request_out(r) for r in my_requests(by=request.user)[:500]]


@router.get(
    "/inbox",
    response=list[RequestOut],
    summary="Pending requests for your department's datasets (approvers), earliest deadline first",
)
def inbox(request: HttpRequest) -> list[dict[str, Any]]:
    return [_request_out(r) for r in approval_inbox(by=request.user)[:500]]


@router.get("/requests/{pk}", response=RequestOut, summary="One request")
def request_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _request_out(_request(request, pk))


@router.post(
    "/requests/{pk}/approve",
    response=GrantOut,
    summary="Approve, optionally narrowing the fields; the grantee then issues the app key",
)
def request_approve(request: HttpRequest, pk: int, body: ApproveIn) -> dict[str, Any]:
    share_request = _deciding(pk)
    try:
        grant = share_request_approve(
            share_request=share_request,
            by=request.user,  # type: ignore[arg-type]
            fields=body.fields,
            raw_fields=body.raw_fields,
            scope=body.scope,
            comment=body.comment,
            request=request,
        )
    except SharingRefused as exc:
        raise _refused(exc) from exc
    except ValueError as exc:
        raise ApiError(400, "invalid_request", str(exc)) from exc
    return _grant_out(grant)  # the key is for the grantee alone: POST /grants/{id}/key


@router.post("/requests/{pk}/reject", response=RequestOut, summary="Reject with a reason")
def request_reject(request: HttpRequest, pk: int, body: RejectIn) -> dict[str, Any]:
    share_request = _deciding(pk)
    try:
        done = share_request_reject(
            share_request=share_request,
            by=request.user,  # type: ignore[arg-type]
            reason=body.reason,
            request=request,
        )
    except SharingRefused as exc:
        raise _refused(exc) from exc
    except ValueError as exc:
        raise ApiError(400, "invalid_request", str(exc)) from exc
    return _request_out(done)


# --- grants ------------------------------------------------------------------------------


@router.get("/grants", response=list[GrantOut], summary="Your grants")
def grants_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_grant_out(g) for g in my_grants(by=request.user)[:500]]


@router.get("/grants/{pk}", response=GrantOut, summary="One grant")
def grant_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _grant_out(_grant(request, pk))


@router.post("/grants/{pk}/revoke", response=GrantOut, summary="Revoke at once")
def grant_revoke_route(request: HttpRequest, pk: int, body: RevokeIn) -> dict[str, Any]:
    try:
        grant = grant_get(pk)
    except Grant.DoesNotExist as exc:
        raise _not_found() from exc
    try:
        done = grant_revoke(grant=grant, by=request.user, reason=body.reason, request=request)  # type: ignore[arg-type]
    except SharingRefused as exc:
        raise _refused(exc) from exc
    return _grant_out(done)


@router.post(
    "/grants/{pk}/key",
    response=GrantKeyOut,
    summary="Issue the grant's app key (grantee only; any earlier key stops working); shown once",
)
def grant_key(request: HttpRequest, pk: int) -> dict[str, Any]:
    grant = _grant(request, pk)
    try:
        key = grant_key_reissue(grant=grant, by=request.user, request=request)  # type: ignore[arg-type]
    except SharingRefused as exc:
        raise _refused(exc) from exc
    return {"grant": _grant_out(grant), "app_key": key}


@router.get("/grants/{pk}/usage", response=UsageOut, summary="Calls and rows per day, 30 days")
def grant_usage(request: HttpRequest, pk: int, days: int = 30) -> dict[str, Any]:
    grant = _grant(request, pk)
    return usage_series([grant], days=max(1, min(days, 366))).as_json()


@router.get(
    "/consumers",
    response=list[ConsumerOut],
    summary="Who uses your department's data, how much and why (approvers)",
)
def consumers_route(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"grant": _grant_out(g), "calls": g.total_calls or 0, "rows": g.total_rows or 0}  # type: ignore[attr-defined]
        for g in consumers(by=request.user)[:500]
    ]


# --- the data API ------------------------------------------------------------------------


def _rows(
    request: HttpRequest,
    grant: Grant,
    *,
    grant_id: int | None = None,
    dataset_code: str | None = None,
) -> dict[str, Any]:
    query = parse_row_query(dict(request.GET.lists()))
    key_grant = getattr(request, "sharing_key_grant", None)
    try:
        result = grant_rows_read(
            grant=grant,
            query=query,
            by=None if key_grant is not None else request.user,
            key_grant=key_grant,
            grant_id=grant_id,
            dataset_code=dataset_code,
            request=request,
        )
    except SharingRefused as exc:
        raise _refused(exc) from exc
    return {
        "grant": grant.pk,
        "dataset": grant.dataset.code,
        "columns": result.columns,
        "rows": result.rows,
        "total": result.total,
        "limit": query.limit,
        "offset": query.offset,
    }


ROWS_HELP = (
    "filter.<field>=value (repeatable: any of), fields=a,b, sort=field or -field, limit "
    "(≤1000), offset, q (search text fields). Only granted fields and rows; L3–L4 values "
    "masked unless granted unmasked. Every call is audited and metered."
)


@router.get(
    "/grants/{pk}/rows",
    response=RowsOut,
    auth=ROW_AUTH,
    summary="Rows of a granted dataset (app key in X-App-Key, or the grantee's session)",
    description=ROWS_HELP,
)
def grant_rows(request: HttpRequest, pk: int) -> dict[str, Any]:
    key_grant = getattr(request, "sharing_key_grant", None)
    if key_grant is not None:  # the key names its grant; another id is refused and audited
        return _rows(request, key_grant, grant_id=pk)
    grant = Grant.objects.select_related("dataset", "grantee", "department").filter(pk=pk).first()
    if grant is None:
        raise _not_found()
    return _rows(request, grant)


@router.get(
    "/datasets/{code}/rows",
    response=RowsOut,
    auth=[AppKeyAuth()],
    summary="Rows of a dataset through the app key's grant (the key must be for this dataset)",
    description=ROWS_HELP,
)
def dataset_rows(request: HttpRequest, code: str) -> dict[str, Any]:
    key_grant: Grant = request.sharing_key_grant  # type: ignore[attr-defined]
    return _rows(request, key_grant, dataset_code=code)
