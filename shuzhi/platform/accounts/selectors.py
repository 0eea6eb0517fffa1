"""Reads of accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiKey, Department, Division, Role, User


def division_list(*, level: str | None = None) -> QuerySet[Division]:
    qs = Division.objects.all()
    return qs.filter(level=level) if level else qs


def department_list(*, division_code: str | None = None) -> QuerySet[Department]:
    qs = Department.objects.select_related("division")
    return qs.filter(division_id=division_code) if division_code else qs


def api_key_list(*, owner: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner=owner)


def second_factor_passed(user: object) -> bool:
    """True once this session has verified a TOTP code (django-otp's middleware sets it)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def needs_second_factor(user: User) -> bool:
    """System administrators must sign in with a TOTP code as well (等保 2.0 level 3)."""
    return user.has_role(Role.SYSTEM_ADMIN)
