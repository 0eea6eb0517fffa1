"""Who may do what in public services (政务服务).

- ``services.apply`` (residents and enterprise users): apply, follow one's own applications,
  confirm one's own benefits. An enterprise user acts only for its own ``User.credit_code``; a
  resident only for the resident record linked to their account (``Resident.account``).
- ``services.handle`` (clerks, approvers): decide the application parts routed to their own
  department, and review its 免申即享 findings.
- ``services.manage`` (data stewards): keep their own department's service items, e-seal and
  benefit rules.

Every ``require_…`` audits its refusal under the action the caller names, so a service calls one
of them first and needs no check of its own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.refusals import audit_refusal
from shuzhi.platform.security.permissions import has_perm


def _deny(user: Any, perm: str, action: str, request: HttpRequest | None, **details: Any) -> None:
    audit_refusal(
        action=action,
        by=user,
        code="permission",
        request=request,
        outcome=Outcome.DENIED,
        details={"permission": perm, **details},
    )
    raise PermissionDenied(f"{action}: needs {perm}")


def require_audited(
    user: Any, perm: str, *, action: str, request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited under ``action``) unless ``user`` holds ``perm``."""
    if not has_perm(user, perm):
        _deny(user, perm, action, request)


def require_department(
    user: Any, perm: str, department_id: int | None, *, action: str, request: HttpRequest | None
) -> None:
    """``perm`` *and* membership of the department ``department_id`` (audited refusal)."""
    if not has_perm(user, perm) or department_id is None:
        _deny(user, perm, action, request)
    if getattr(user, "department_id", None) != department_id:
        _deny(user, perm, action, request, department=department_id, reason="other department")


def enterprise_code(user: Any) -> str:
    """The credit code ``user`` acts for: an enterprise user's own (role ``enterprise``); ``""``
    for everyone else, even with a code on the account (a resident, staff)."""
    if "enterprise" not in getattr(user, "role_codes", ()):
        return ""
    return str(getattr(user, "credit_code", "") or "")


def require_enterprise(
    user: Any, credit_code: str, *, action: str, request: HttpRequest | None = None
) -> None:
    """``services.apply`` as the enterprise user of ``credit_code`` (audited refusal)."""
    own = enterprise_code(user)
    if not has_perm(user, "services.apply") or not own or own != credit_code:
        _deny(user, "services.apply", action, request, credit_code=str(credit_code)[:40])
