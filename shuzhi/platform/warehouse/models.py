"""Versions of a dataset's data in the warehouse (数据仓版本)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import User
from shuzhi.platform.catalog.models import Dataset


class Version(models.Model):  # 版本
    """One load of a dataset. Exactly one complete version per dataset is current."""

    class State(models.TextChoices):
        LOADING = "loading", _("Loading")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    is_current = models.BooleanField(_("current"), default=False)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    rows_in = models.PositiveBigIntegerField(_("rows in"), default=0)
    rows_loaded = models.PositiveBigIntegerField(_("rows loaded"), default=0)
    rows_quarantined = models.PositiveBigIntegerField(_("rows quarantined"), default=0)
    quality = models.JSONField(_("quality"), default=dict, blank=True)
    score = models.FloatField(_("quality score"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # "host:pid" of the process running a load, to tell a live load from one that was killed
    loader = models.CharField(max_length=128, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["dataset_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="unique_dataset_version"),
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(is_current=True), name="one_current_version"
            ),
        ]
        verbose_name = _("version")
        verbose_name_plural = _("versions")

    def __str__(self) -> str:
        return f"{self.dataset.code} v{self.number}"
