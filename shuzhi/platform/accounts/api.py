"""Accounts API: who am I, divisions, departments and my API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from shuzhi.platform.errors import ApiError

from .models import ApiKey
from .selectors import api_key_list, department_list, division_list
from .services import api_key_issue, api_key_revoke

router = Router(tags=["accounts"])


class DivisionOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None = Field(None, alias="parent_id")


class DepartmentOut(Schema):
    code: str
    name: str
    name_en: str
    division: str = Field(..., alias="division_id")


class MeOut(Schema):
    username: str
    display_name: str
    department: str | None
    roles: list[str]


class ApiKeyOut(Schema):
    prefix: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    days: int | None = Field(None, ge=1, le=366)


class ApiKeyIssued(ApiKeyOut):
    key: str = Field(..., description="The full key. It is shown once and never again.")


@router.get("/me", response=MeOut, summary="The signed-in person or the key's owner")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.username,
        display_name=user.display_name,  # type: ignore[union-attr]
        department=user.department.code if user.department else None,  # type: ignore[union-attr]
        roles=sorted(user.role_codes),  # type: ignore[union-attr]
    )


@router.get(
    "/divisions", response=list[DivisionOut], summary="Administrative divisions (GB/T 2260)"
)
def divisions(request: HttpRequest, level: str | None = None) -> object:
    return division_list(level=level)


@router.get("/departments", response=list[DepartmentOut], summary="Departments")
def departments(request: HttpRequest, division: str | None = None) -> object:
    return department_list(division_code=division)


@router.get("/keys", response=list[ApiKeyOut], summary="My API keys")
def keys(request: HttpRequest) -> object:
    return api_key_list(owner=request.user)  # type: ignore[arg-type]


@router.post("/keys", response={201: ApiKeyIssued}, summary="Issue an API key (shown once)")
def key_issue(request: HttpRequest, payload: ApiKeyIn) -> Status:
    if getattr(request, "api_key", None) is not None:
        raise ApiError(403, "session_required", _("Only a signed-in person can issue keys."))
    key, secret = api_key_issue(
        by=request.user,  # type: ignore[arg-type]
        name=payload.name,
        days=payload.days,
        request=request,
    )
    issued = ApiKeyIssued.model_validate({**ApiKeyOut.from_orm(key).model_dump(), "key": secret})
    return Status(201, issued)


@router.post("/keys/{prefix}/revoke", response=ApiKeyOut, summary="Revoke one of my keys now")
def key_revoke(request: HttpRequest, prefix: str) -> ApiKey:
    key = get_object_or_404(ApiKey, prefix=prefix, owner=request.user)
    return api_key_revoke(key=key, by=request.user, request=request)  # type: ignore[arg-type]
