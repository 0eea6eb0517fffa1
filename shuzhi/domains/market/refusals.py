"""Refusals of market services (拒绝办理): the platform's refusal shape
(:mod:`shuzhi.platform.audit.refusals`), with one base class for the market's capabilities
(``CaseRefused``, ``InspectionRefused`` … subclass it, so callers catch what they call)."""

from __future__ import annotations

from shuzhi.platform.audit.refusals import Refused, audit_refusal

__all__ = ["MarketRefused", "audit_refusal"]


class MarketRefused(Refused):
    """A refused market step (see :class:`shuzhi.platform.audit.refusals.Refused`)."""
