"""Reads of accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def otp_device_get(*, user: User) -> TOTPDevice | None:
    """The person's confirmed TOTP device, if one was enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def user_flags(user: User) -> dict[str, Any]:
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
    }
