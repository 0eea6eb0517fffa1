"""Open data (数据开放): usage counts and applications for restricted-open datasets."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import User
from shuzhi.platform.catalog.models import Dataset


class DatasetUsage(models.Model):  # 访问统计: page views and downloads of an open dataset
    dataset = models.OneToOneField(
        Dataset, on_delete=models.CASCADE, primary_key=True, related_name="open_usage"
    )
    views = models.PositiveBigIntegerField(_("views"), default=0)
    downloads = models.PositiveBigIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("open-data usage")
        verbose_name_plural = _("open-data usage")

    def __str__(self) -> str:
        return f"{self.dataset_id}: {self.views}/{self.downloads}"


class Application(models.Model):  # 开放申请: a request to use a restricted-open dataset
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="open_applications")
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="open_applications")
    purpose = models.TextField(_("purpose of use"))
    agreement = models.TextField(_("agreement accepted"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("open-data application")
        verbose_name_plural = _("open-data applications")

    def __str__(self) -> str:
        return f"{self.dataset_id} / {self.applicant_id} ({self.status})"
