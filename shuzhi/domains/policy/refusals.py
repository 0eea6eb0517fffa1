"""Refusals of the policy library (拒绝办理): the platform's shape
(:mod:`shuzhi.platform.audit.refusals`) with one class for the whole library."""

from __future__ import annotations

from typing import Any, NoReturn

from django.http import HttpRequest

from shuzhi.platform.audit.refusals import Refused, audit_refusal

__all__ = ["PolicyRefused", "refuse"]


class PolicyRefused(Refused):
    """A refused policy-library step (missing metadata, a duplicate 索引号, an unreadable file …):
    ``code`` is stable, ``message`` translated, ``field`` names the input at fault."""


def refuse(
    *,
    action: str,
    by: Any,
    code: str,
    message: str,
    request: HttpRequest | None = None,
    field: str = "",
    status: int = 400,
    target: object = None,
    **details: Any,
) -> NoReturn:
    """Audit the refusal of ``action`` (code, field, details), then raise :class:`PolicyRefused`.

    Call it outside any transaction that the refusal rolls back, or the entry is lost with it.
    """
    audit_refusal(
        action=action,
        by=by,
        code=code,
        request=request,
        target=target,
        details={**({"field": field} if field else {}), **details},
    )
    raise PolicyRefused(code, message, field=field, status=status)
