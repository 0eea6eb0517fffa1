"""Refusals of public services: the platform's shape (:mod:`shuzhi.platform.audit.refusals`) with
one base class here; each capability subclasses it (``ApplicationRefused``, ``LicenceRefused``,
``BenefitRefused`` …) so callers catch what they call."""

from __future__ import annotations

from typing import Any, NoReturn

from django.http import HttpRequest

from shuzhi.platform.audit.refusals import Refused, audit_refusal

__all__ = ["ServicesRefused", "audit_refusal", "refuse"]


class ServicesRefused(Refused):
    """A refused public-services step (see :class:`shuzhi.platform.audit.refusals.Refused`)."""


def refuse(
    kind: type[ServicesRefused],
    action: str,
    by: Any,
    code: str,
    message: str,
    request: HttpRequest | None,
    *,
    field: str = "",
    target: object = None,
    status: int = 400,
    **details: Any,
) -> NoReturn:
    """Audit the refusal of ``action`` (code, field, details), then raise ``kind``."""
    audit_refusal(
        action=action,
        by=by,
        code=code,
        request=request,
        target=target,
        details={**({"field": field} if field else {}), **details},
    )
    raise kind(code, message, field=field, status=status)
