"""Every write of accounts: login protection, roles, API keys. One transaction each."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security import permissions
from shuzhi.platform.security.sm import sm3_hex

from .models import ApiKey, LoginThrottle, Role, RoleGrant, User

API_KEY_PREFIX = "sz"


@dataclass(frozen=True)
class LoginResult:
    """The outcome of one login attempt; ``user`` is set only on success."""

    user: User | None
    reason: str = ""  # "", "invalid" or "locked"
    locked_minutes: int = 0


@transaction.atomic
def login_attempt(*, request: HttpRequest | None, username: str, password: str) -> LoginResult:
    """Check a password, counting failures; lock the name after too many in a row."""
    username = username.strip()
    now = timezone.now()
    throttle = LoginThrottle.objects.select_for_update().filter(username=username).first()
    if throttle and throttle.locked_until and throttle.locked_until > now:
        minutes = max(1, int((throttle.locked_until - now).total_seconds() // 60) + 1)
        audit_record(
            action="login.locked",
            actor_name=username,
            outcome=Outcome.DENIED,
            request=request,
            details={"locked_until": throttle.locked_until.isoformat()},
        )
        return LoginResult(None, "locked", min(minutes, settings.LOGIN_LOCKOUT_MINUTES))
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle = throttle or LoginThrottle.objects.create(username=username)
        throttle.failures += 1
        throttle.last_failure_at = now
        locked = throttle.failures >= settings.LOGIN_FAILURE_LIMIT
        if locked:
            throttle.locked_until = now + settings.LOGIN_LOCKOUT
            throttle.failures = 0
        throttle.save()
        audit_record(
            action="login.failure",
            actor_name=username,
            outcome=Outcome.FAILURE,
            request=request,
            details={"locked": locked},
        )
        if locked:
            return LoginResult(None, "locked", settings.LOGIN_LOCKOUT_MINUTES)
        return LoginResult(None, "invalid")
    if throttle:
        throttle.delete()
    assert isinstance(user, User)
    audit_record(action="login.success", actor=user, target=user, request=request)
    return LoginResult(user)


def logout_record(*, request: HttpRequest, user: User) -> None:
    audit_record(action="logout", actor=user, target=user, request=request)


@transaction.atomic
def user_roles_set(
    *, user: User, roles: list[str], by: User | None, request: HttpRequest | None = None
) -> User:
    """Replace a person's roles; only a system administrator may (``by=None`` is the system)."""
    if by is not None:
        permissions.require(by, "accounts.manage")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    before = sorted(user.role_grants.values_list("role", flat=True))
    after = sorted(set(roles))
    if before == after:
        return user
    RoleGrant.objects.filter(user=user).exclude(role__in=after).delete()
    for role in after:
        RoleGrant.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("_role_codes", None)
    audit_record(
        action="role.change",
        actor=by,
        actor_name="" if by else "system",
        target=user,
        request=request,
        details={"before": before, "after": after},
    )
    return user


def user_flags_changed(
    *, user: User, by: User, before: dict[str, Any], request: HttpRequest | None = None
) -> None:
    """Record a change of a person's permission flags (active, staff, superuser, groups)."""
    after = {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }
    if after != before:
        audit_record(
            action="permission.change",
            actor=by,
            target=user,
            request=request,
            details={"before": before, "after": after},
        )


def user_flags(user: User) -> dict[str, Any]:
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
    }


def _secret_hash(secret: str) -> str:
    return sm3_hex(secret.encode("ascii"))


@transaction.atomic
def api_key_issue(
    *, by: User, name: str, days: int | None = None, request: HttpRequest | None = None
) -> tuple[ApiKey, str]:
    """Issue a key for ``by``; return it with the full secret, which is never shown again."""
    permissions.require(by, "apikeys.issue")
    lifetime = days if days is not None else settings.API_KEY_DAYS
    if not 1 <= lifetime <= 366:
        raise ValueError("lifetime must be 1 to 366 days")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        prefix=prefix,
        secret_hash=_secret_hash(secret),
        name=name.strip()[:100],
        owner=by,
        expires_at=timezone.now() + timedelta(days=lifetime),
    )
    audit_record(
        action="apikey.issue",
        actor=by,
        target=key,
        request=request,
        details={"prefix": prefix, "expires_at": key.expires_at.isoformat()},
    )
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by: User, request: HttpRequest | None = None) -> ApiKey:
    """Revoke a key at once; its owner or a system administrator may."""
    if key.owner_id != by.pk:
        permissions.require(by, "accounts.manage")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(action="apikey.revoke", actor=by, target=key, request=request)
    return key


@transaction.atomic
def api_key_authenticate(*, raw: str, request: HttpRequest | None) -> ApiKey | None:
    """Return the usable key that ``raw`` names, auditing the use or the refusal."""
    parts = raw.strip().split("_", 2)
    reason = ""
    key: ApiKey | None = None
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        reason = "malformed"
    else:
        key = ApiKey.objects.select_related("owner").filter(prefix=parts[1]).first()
        if key is None or not hmac.compare_digest(key.secret_hash, _secret_hash(parts[2])):
            reason = "unknown"
            key = None
        elif key.revoked_at is not None:
            reason = "revoked"
        elif key.expires_at <= timezone.now():
            reason = "expired"
        elif not key.owner.is_active:
            reason = "owner_inactive"
    if reason:
        audit_record(
            action="apikey.reject",
            actor_name=parts[1][:16] if len(parts) == 3 else "",
            target=key,
            outcome=Outcome.DENIED,
            request=request,
            details={"reason": reason},
        )
        return None
    assert key is not None
    key.last_used_at = timezone.now()
    key.save(update_fields=["last_used_at"])
    audit_record(
        action="apikey.use",
        actor=key.owner,
        target=key,
        request=request,
        details={"path": request.path if request is not None else ""},
    )
    return key
