"""Refusals of public services: the platform's shape (:mod:`shuzhi.platform.audit.refusals`) with
one base class here; each capability subclasses it (``ApplicationRefused``, ``LicenceRefused``,
``BenefitRefused`` …) so callers catch what they call."""

from __future__ import annotations

from shuzhi.platform.audit.refusals import Refused, audit_refusal

__all__ = ["ServicesRefused", "audit_refusal"]


class ServicesRefused(Refused):
    """A refused public-services step (see :class:`shuzhi.platform.audit.refusals.Refused`)."""
