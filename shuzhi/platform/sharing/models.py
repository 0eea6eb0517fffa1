"""Data sharing between departments (数据共享): share requests, grants and their daily usage."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.catalog.models import Dataset


class ShareRequest(models.Model):  # 共享申请
    """A department user's request for a subset of a dataset, for a purpose and a period."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")  # 待审批
        APPROVED = "approved", _("Approved")  # 已通过
        REJECTED = "rejected", _("Rejected")  # 已驳回

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="share_requests"
    )
    requester = models.ForeignKey(
        User, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="share_requests"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("requesting department"),
        on_delete=models.PROTECT,
        related_name="share_requests",
    )
    fields = models.JSONField(_("fields"), default=list)
    raw_fields = models.JSONField(_("fields unmasked"), default=list, blank=True)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"))
    scope = models.JSONField(_("row scope"), default=dict, blank=True)  # field → allowed values
    period_end = models.DateField(_("period ends"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    deadline = models.DateField(_("decide by"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share request")
        verbose_name_plural = _("share requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.dataset.code} → {self.department.code}"

    @property
    def urgency(self) -> str:
        """How close a pending request is to its deadline: "", due_soon (due today or
        tomorrow) or overdue."""
        if self.state != self.State.PENDING or self.deadline is None:
            return Urgency.NONE
        left = (self.deadline - timezone.localdate()).days
        if left < 0:
            return Urgency.OVERDUE
        return Urgency.DUE_SOON if left <= 1 else Urgency.NONE

    def is_overdue(self, today: object = None) -> bool:
        """Pending past its deadline (超期)."""
        day = today or timezone.localdate()
        return (
            self.state == self.State.PENDING and self.deadline is not None and self.deadline < day  # type: ignore[operator]
        )


class Urgency(models.TextChoices):
    NONE = "", ""
    DUE_SOON = "due_soon", _("Due soon")  # 临期
    OVERDUE = "overdue", _("Overdue")  # 超期


class Grant(models.Model):  # 共享授权
    """The permission a request earned: fields, unmasked fields, rows and period; one app key."""

    request = models.OneToOneField(
        ShareRequest,
        verbose_name=_("share request"),
        on_delete=models.PROTECT,
        related_name="grant",
    )
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="grants"
    )
    grantee = models.ForeignKey(
        User, verbose_name=_("grantee"), on_delete=models.PROTECT, related_name="share_grants"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("using department"),
        on_delete=models.PROTECT,
        related_name="share_grants",
    )
    fields = models.JSONField(_("fields"), default=list)
    raw_fields = models.JSONField(_("fields unmasked"), default=list, blank=True)
    scope = models.JSONField(_("row scope"), default=dict, blank=True)
    purpose = models.TextField(_("purpose"))
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    # the app key (应用密钥) for machine clients: only the SM3 hash of its secret is kept
    key_prefix = models.CharField(_("key id"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    key_issued_at = models.DateTimeField(_("key issued at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"grant {self.pk}: {self.dataset.code} → {self.department.code}"

    def is_active(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment  # type: ignore[operator]

    @property
    def valid_until(self) -> object:
        """The last day of the grant's period, in the city's time zone."""
        return (timezone.localtime(self.expires_at) - timedelta(microseconds=1)).date()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active() else "expired"


class GrantUsage(models.Model):  # 用量计量
    """Calls and rows served under one grant on one day (local date)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField(_("day"))
    calls = models.PositiveIntegerField(_("calls"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)

    class Meta:
        ordering = ["grant_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "day"], name="unique_grant_usage_day")
        ]
        verbose_name = _("grant usage")
        verbose_name_plural = _("grant usage")

    def __str__(self) -> str:
        return f"{self.grant_id} {self.day}: {self.calls} calls, {self.rows} rows"
