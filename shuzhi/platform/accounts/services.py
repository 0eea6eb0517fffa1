"""Every write of accounts: login protection, roles, API keys. One transaction each."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security import permissions
from shuzhi.platform.security.sm import sm3_hex

from .models import ApiKey, LoginThrottle, Role, RoleGrant, User
from .selectors import needs_second_factor

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
            outcome=Outcome.DENIED,
            request=request,
            details={"username": username, "locked_until": throttle.locked_until.isoformat()},
        )
        return LoginResult(None, "locked", min(minutes, settings.LOGIN_LOCKOUT_MINUTES))
    user = authenticate(request, username=username, password=password)
    if user is None:
        if throttle is None:
            # get_or_create re-reads after losing a race to insert the same name
            throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(username=username)
        throttle.failures += 1
        throttle.last_failure_at = now
        locked = throttle.failures >= settings.LOGIN_FAILURE_LIMIT
        if locked:
            throttle.locked_until = now + settings.LOGIN_LOCKOUT
            throttle.failures = 0
        throttle.save()
        audit_record(
            action="login.failure",
            target=User.objects.filter(username=username).first(),
            outcome=Outcome.FAILURE,
            request=request,
            details={"username": username, "locked": locked},
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
    permissions.require(by, "accounts.manage")
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
    name = name.strip()
    if not name:
        raise ValueError("an API key needs a name")
    prefix = secrets.token_hex(6)
    while ApiKey.objects.filter(
        prefix=prefix
    ).exists():  # 48 bits: a repeat is rare, not impossible
        prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        prefix=prefix,
        secret_hash=_secret_hash(secret),
        name=name[:100],
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
    parts = raw.strip().replace("\x00", "").split("_", 2)
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
        details = {"reason": reason}
        if len(parts) == 3:
            details["key_id"] = parts[1][:16]  # untrusted text: kept out of the actor column
        audit_record(
            action="apikey.reject",
            target=key,
            outcome=Outcome.DENIED,
            request=request,
            details=details,
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


ADMIN_ACTIONS = frozenset({"admin.add", "admin.change", "admin.delete"})


def admin_change_record(
    *,
    by: User,
    obj: models.Model,
    action: str,
    changed_fields: Iterable[str],
    request: HttpRequest | None = None,
) -> None:
    """Record an add, change or delete made in the back office: field names, never values."""
    permissions.require(by, "admin.access")
    if action not in ADMIN_ACTIONS:
        raise ValueError(f"unknown back-office action: {action}")
    audit_record(
        action=action,
        actor=by,
        target=obj,
        request=request,
        details={"model": obj._meta.label_lower, "fields": sorted(set(changed_fields))},
    )


def password_change_record(
    *, user: User, by: User, by_admin: bool, request: HttpRequest | None = None
) -> None:
    """Record a new password: set by an administrator, or changed by its owner."""
    if by_admin:
        permissions.require(by, "accounts.manage")
    elif by.pk != user.pk:
        raise PermissionDenied("only its owner changes a password without administrator rights")
    audit_record(
        action="password.change",
        actor=by,
        target=user,
        request=request,
        details={"by_admin": by_admin},
    )


@transaction.atomic
def otp_device_enrol(
    *, user: User, by: User | None = None, replace: bool = False, request: HttpRequest | None = None
) -> TOTPDevice:
    """Give a system administrator a new, confirmed TOTP device and return it.

    ``by=None`` is an operator at the server console (``shuzhi otp_enrol``). A confirmed device
    is replaced only when ``replace`` says so; unconfirmed ones are always removed.
    """
    if by is not None:
        permissions.require(by, "accounts.manage")
    if not needs_second_factor(user):
        raise ValueError(f"{user.username} is not a system administrator")
    devices = TOTPDevice.objects.select_for_update().filter(user=user)
    replaced = sorted(device.persistent_id for device in devices if device.confirmed)
    if replaced and not replace:
        raise ValueError(f"{user.username} already has an authenticator")
    devices.delete()
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    details: dict[str, Any] = {"device": device.persistent_id}
    if replaced:
        details["replaced"] = replaced
    audit_record(
        action="otp.replace" if replaced else "otp.enrol",
        actor=by,
        actor_name="" if by else "cli",
        target=user,
        request=request,
        details=details,
    )
    return device
