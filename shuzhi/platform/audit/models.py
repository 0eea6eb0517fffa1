"""The audit log: entries chained by SM3, and the sealed head of the chain."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


class AuditEntry(models.Model):  # 审计日志条目
    """One recorded action.

    ``entry_hash`` = HMAC-SM3(audit key, previous hash ‖ canonical form of this entry).
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    department = models.CharField(_("department"), max_length=32, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target"), max_length=128, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    client_ip = models.CharField(_("client address"), max_length=64, blank=True)
    # Stored as the exact canonical JSON text that was hashed: a JSON column would let the
    # database renormalise numbers (PostgreSQL turns 1e20 into 100000000000000000000).
    details_json = models.TextField(_("details"), default="{}")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")

    @property
    def details(self) -> dict[str, Any]:
        return dict(json.loads(self.details_json))


class AuditHead(models.Model):
    """The single row naming the last entry, sealed with a keyed SM3 MAC.

    The chain itself shows a changed, removed or reordered entry; the sealed head shows a
    truncated tail, which a chain alone cannot.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
