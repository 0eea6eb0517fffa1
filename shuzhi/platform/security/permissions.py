"""What each role may do (access policy). Services call :func:`require`; views never decide.

Role codes are the values of ``accounts.roles.Role``; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "system_admin": frozenset({"accounts.manage", "admin.access", "apikeys.issue", "catalog.view"}),
    "auditor": frozenset({"audit.view", "apikeys.issue", "catalog.view"}),
    "data_steward": frozenset(
        {"apikeys.issue", "catalog.view", "catalog.edit", "warehouse.ingest"}
    ),
    "clerk": frozenset({"apikeys.issue", "catalog.view"}),
    "approver": frozenset({"apikeys.issue", "catalog.view"}),
    "supervisor": frozenset({"apikeys.issue", "catalog.view"}),
    "leader": frozenset({"apikeys.issue", "catalog.view"}),
    "enterprise": frozenset({"apikeys.issue"}),
    "public": frozenset(),
}


def has_perm(user: Any, perm: str) -> bool:
    """True when one of the user's roles grants ``perm``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(perm in ROLE_PERMISSIONS.get(role, frozenset()) for role in user.role_codes)


def require(user: Any, perm: str) -> None:
    """Raise ``PermissionDenied`` unless the user holds ``perm``."""
    if not has_perm(user, perm):
        raise PermissionDenied(perm)
