"""What each role may do (access policy). Services call :func:`require`; views never decide.

Role codes are the values of ``accounts.roles.Role``; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

# sharing.request: ask another department for data (department staff);
# sharing.approve: decide requests for the own department's data, and see its consumers;
# opendata.apply: apply for a restricted-open dataset (registered users);
# opendata.approve: decide those applications for the own department's data;
# operation.submit: run analyses as a vetted operator (授权运营); operation.review: vet
# operators and review their results (staff of the big-data bureau, BUREAU_DEPARTMENT).
_STAFF = frozenset({"apikeys.issue", "catalog.view", "sharing.request"})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "system_admin": frozenset({"accounts.manage", "admin.access", "apikeys.issue", "catalog.view"}),
    "auditor": frozenset({"audit.view", "apikeys.issue", "catalog.view"}),
    "data_steward": _STAFF | {"catalog.edit", "warehouse.ingest", "operation.review"},
    "clerk": _STAFF,
    "approver": _STAFF | {"sharing.approve", "opendata.approve", "operation.review"},
    "supervisor": _STAFF,
    "leader": _STAFF,
    "enterprise": frozenset({"apikeys.issue", "opendata.apply", "operation.submit"}),
    "public": frozenset({"opendata.apply"}),
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
