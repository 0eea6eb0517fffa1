"""The enterprise registry (市场主体登记). Issue 7 adds the life cycle on top of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.security.fields import EncryptedManager, EncryptedTextField, TokenField


class Enterprise(models.Model):  # 市场主体
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")  # 存续
        ABNORMAL = "abnormal", _("Listed as abnormal")  # 经营异常
        REVOKED = "revoked", _("Licence revoked")  # 吊销
        DEREGISTERED = "deregistered", _("Deregistered")  # 注销

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    enterprise_type = models.CharField(_("type"), max_length=64)
    legal_representative = EncryptedTextField(_("legal representative"))  # L3: stored encrypted
    legal_representative_token = TokenField(source="legal_representative")
    address = models.CharField(_("address"), max_length=300)
    county = models.ForeignKey(
        Division, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(
        Division, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+", null=True
    )
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, db_index=True)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"), max_digits=14, decimal_places=2
    )
    established_on = models.DateField(_("established on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    objects = EncryptedManager()

    class Meta:
        ordering = ["credit_code"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class CreditRun(models.Model):  # 信用风险分类批次
    """One classification of every registered enterprise from the warehouse's current data."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Started by a data steward")
        SCHEDULE = "schedule", _("Monthly schedule")
        PENALTY = "penalty", _("New administrative penalty")

    as_of = models.DateField(_("reference date"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    is_current = models.BooleanField(_("current"), default=False)
    started_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)
    weights = models.JSONField(_("weights"), default=dict)
    cuts = models.JSONField(_("cut scores"), default=list)
    report = models.JSONField(_("report"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("credit classification run")
        verbose_name_plural = _("credit classification runs")

    def __str__(self) -> str:
        return f"{self.as_of} #{self.pk}"


class CreditClass(models.Model):  # 企业信用风险分类结果
    class Grade(models.TextChoices):
        A = "A", _("A: low credit risk")  # 信用风险低
        B = "B", _("B: average credit risk")  # 信用风险一般
        C = "C", _("C: elevated credit risk")  # 信用风险较高
        D = "D", _("D: high credit risk")  # 信用风险高

    run = models.ForeignKey(CreditRun, on_delete=models.CASCADE, related_name="classes")
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    county_code = models.CharField(_("county"), max_length=6, blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    score = models.FloatField(_("score"))
    credit_class = models.CharField(_("class"), max_length=1, choices=Grade.choices)
    indicators = models.JSONField(_("indicator points"), default=dict)
    explanation = models.JSONField(_("what drove the class"), default=list)

    class Meta:
        ordering = ["credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "credit_code"], name="market_class_once")
        ]
        indexes = [models.Index(fields=["run", "credit_class"])]
        verbose_name = _("credit class")
        verbose_name_plural = _("credit classes")

    def __str__(self) -> str:
        return f"{self.credit_code} {self.credit_class}"
