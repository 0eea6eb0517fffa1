"""Authorised operation of public data (公共数据授权运营): vetted operators, sandboxed aggregates.

An operator (运营方) is an enterprise vetted by the big-data bureau (大数据局). The bureau
authorises (授权) it to analyse chosen published datasets for a period; the operator's analyses
(分析任务) run in the sandbox, which returns aggregates only, and the bureau reviews each result
before it is released (结果审核/发布) to the operator. Usage (用量) is metered per month.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.catalog.models import Dataset


class Operator(models.Model):  # 运营方
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")  # 已申请
        VETTED = "vetted", _("Vetted")  # 已审核
        SUSPENDED = "suspended", _("Suspended")  # 已暂停

    name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("accounts"), related_name="operators"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.APPLIED
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vetted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vetted_at = models.DateTimeField(_("vetted at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("operator")
        verbose_name_plural = _("operators")

    def __str__(self) -> str:
        return self.name


class Authorisation(models.Model):  # 授权: one dataset for one operator over a period
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="authorisations")
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    purpose = models.TextField(_("purpose"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["operator_id", "dataset__code", "-starts_on"]
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")

    def __str__(self) -> str:
        return f"{self.operator} · {self.dataset.code} ({self.starts_on}–{self.ends_on})"

    def is_active(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on


class Analysis(models.Model):  # 分析任务
    class Language(models.TextChoices):
        SQL = "sql", "SQL"
        IBIS = "ibis", "Ibis"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")  # 已提交
        REFUSED = "refused", _("Refused by the checks")  # 未通过检查
        FAILED = "failed", _("Failed")  # 运行失败
        AWAITING_REVIEW = "awaiting_review", _("Awaiting review")  # 待审核
        RELEASED = "released", _("Released")  # 已发布
        REJECTED = "rejected", _("Rejected")  # 已驳回

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="analyses")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    text = models.TextField(_("query"))
    compiled_sql = models.TextField(_("checked SQL"), blank=True)
    datasets = models.JSONField(_("datasets"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    reason = models.TextField(_("reason"), blank=True)
    columns = models.JSONField(_("result columns"), default=list, blank=True)
    rows = models.JSONField(_("result rows"), default=list, blank=True)
    suppressed_groups = models.PositiveIntegerField(_("suppressed groups"), default=0)
    truncated = models.BooleanField(_("truncated"), default=False)
    min_group = models.PositiveIntegerField(_("smallest group (k)"), default=0)
    rows_scanned = models.BigIntegerField(_("rows scanned"), default=0)
    seconds = models.FloatField(_("run time (s)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    ran_at = models.DateTimeField(_("ran at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")

    def __str__(self) -> str:
        return self.title

    @property
    def is_released(self) -> bool:
        return self.status == self.Status.RELEASED


class Usage(models.Model):  # 用量: per operator and calendar month
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="usage")
    month = models.DateField(_("month"))  # the first day of the month
    submissions = models.PositiveIntegerField(_("submissions"), default=0)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    rows_scanned = models.BigIntegerField(_("rows scanned"), default=0)
    result_rows = models.BigIntegerField(_("result rows"), default=0)

    class Meta:
        ordering = ["operator_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "month"], name="operation_usage_month")
        ]
        verbose_name = _("usage")
        verbose_name_plural = _("usage")

    def __str__(self) -> str:
        return f"{self.operator} · {self.month:%Y-%m}"
