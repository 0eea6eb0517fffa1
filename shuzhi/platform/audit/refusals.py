"""Refusals of domain services (拒绝办理): one exception shape and one audit entry for all.

A domain service that cannot take a step raises a subclass of :class:`Refused` (one per
capability, so callers catch what they call) after writing the refusal to the audit log with
:func:`audit_refusal`: the action, who (``None`` when not signed in), the stable ``code`` and the
details. Nothing else changes.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Outcome
from .services import audit_record


class Refused(Exception):
    """A refused step: ``code`` is stable, ``message`` is for people (translated), ``field``
    names the input at fault when there is one, ``status`` is the HTTP status a page answers."""

    def __init__(self, code: str, message: str, *, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status


def audit_refusal(
    *,
    action: str,
    by: Any,
    code: str,
    request: HttpRequest | None,
    target: object = None,
    outcome: str = Outcome.FAILURE,
    details: dict[str, Any] | None = None,
) -> None:
    """Write the refusal of ``action`` (``code`` and ``details``) to the audit log."""
    audit_record(
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
        target=target,
        outcome=outcome,
        request=request,
        details={"code": code, **(details or {})},
    )
