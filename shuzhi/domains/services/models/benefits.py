"""免申即享 (benefits without applying): policies as rules, versions, runs and grants.

A benefit policy's eligibility and amount are formulas of the rules engine (OpenFisca-core, see
``shuzhi.domains.services.rules``); what changes from one policy version to the next is its
parameters (dated values: thresholds, amounts), kept here as YAML in ``RuleVersion``. A draft
version is dry-run against the population before it goes live; a scheduled run finds who is
eligible under the live version; the department reviews; the beneficiary is notified and only
confirms.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Department, User

from .catalogue import Audience
from .residents import Resident


class BenefitPolicy(models.Model):  # 惠民惠企政策 (免申即享)
    code = models.CharField(_("code"), max_length=40, unique=True)  # = the engine's rule name
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(
        _("period"), max_length=8, choices=[("month", _("Monthly")), ("year", _("Yearly"))]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("benefit policy")
        verbose_name_plural = _("benefit policies")

    def __str__(self) -> str:
        return self.name


class RuleVersion(models.Model):  # 规则版本
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        RETIRED = "retired", _("Retired")

    policy = models.ForeignKey(BenefitPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    parameters = models.TextField(_("parameters (YAML)"))  # OpenFisca parameter YAML
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    dry_run = models.JSONField(_("last dry run"), default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="services_rule_number"),
            models.UniqueConstraint(
                fields=["policy"],
                condition=models.Q(state="live"),
                name="services_one_live_rule_per_policy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"


class EligibilityRun(models.Model):  # 免申即享比对批次
    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    period = models.CharField(_("period"), max_length=7)  # "2026-11" (month) or "2026" (year)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    report = models.JSONField(default=dict)  # per policy: evaluated, eligible, new, amount
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.period})"


class BenefitGrant(models.Model):  # 享受记录
    class State(models.TextChoices):
        FOUND = "found", _("Found eligible — awaiting review")  # 比对命中，待审核
        APPROVED = "approved", _("Approved — awaiting confirmation")  # 已审核，待确认
        CONFIRMED = "confirmed", _("Confirmed")  # 已确认（兑现）
        REJECTED = "rejected", _("Not approved")  # 审核不通过
        DECLINED = "declined", _("Declined by the beneficiary")  # 本人放弃

    policy = models.ForeignKey(BenefitPolicy, on_delete=models.PROTECT, related_name="grants")
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(EligibilityRun, on_delete=models.PROTECT, related_name="grants")
    period = models.CharField(_("period"), max_length=7)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    credit_code = models.CharField(max_length=18, blank=True, db_index=True)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=120)
    county = models.CharField(_("county"), max_length=6, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    # which conditions held, with the values behind them: [{"condition", "label", "value", "held"}]
    explanation = models.JSONField(_("why"), default=list)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.FOUND)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=200, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "period", "resident"],
                condition=models.Q(resident__isnull=False),
                name="services_grant_once_per_resident",
            ),
            models.UniqueConstraint(
                fields=["policy", "period", "credit_code"],
                condition=~models.Q(credit_code=""),
                name="services_grant_once_per_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.period} {self.beneficiary_name}"
