"""Who may do what in the policy library (政策文件库).

- Reading public (主动公开) documents needs no sign-in and no permission.
- ``policy.publish`` (data stewards and approvers): import, edit, repeal and amend the documents
  of the publishers (发布机构) the own department publishes for (``Publisher.department``).

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

from .models import Publisher

PUBLISH = "policy.publish"


def _deny(user: Any, action: str, request: HttpRequest | None, **details: Any) -> None:
    audit_refusal(
        action=action,
        by=user,
        code="permission",
        request=request,
        outcome=Outcome.DENIED,
        details={"permission": PUBLISH, **details},
    )
    raise PermissionDenied(f"{action}: needs {PUBLISH}")


def can_publish(user: Any, publisher: Publisher) -> bool:
    """True when ``user`` may publish for ``publisher`` (``policy.publish`` in its department)."""
    return has_perm(user, PUBLISH) and getattr(user, "department_id", None) == (
        publisher.department_id
    )


def require_publish(user: Any, *, action: str, request: HttpRequest | None = None) -> None:
    """``policy.publish`` for some publisher (the department is checked per document later)."""
    if not has_perm(user, PUBLISH):
        _deny(user, action, request)


def require_publisher(
    user: Any, publisher: Publisher, *, action: str, request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited under ``action``) unless ``user`` holds
    ``policy.publish`` and belongs to the department that publishes for ``publisher``."""
    if not has_perm(user, PUBLISH):
        _deny(user, action, request, publisher=publisher.name)
    if getattr(user, "department_id", None) != publisher.department_id:
        _deny(user, action, request, publisher=publisher.name, reason="other department")
