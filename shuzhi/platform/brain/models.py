"""State of the city brain (城市大脑): indicators, their values, warning rules and warnings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.catalog.models import Dataset


class Grain(models.TextChoices):  # 统计周期
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Indicator(models.Model):  # 指标
    """An aggregate over one warehouse dataset, per period and optionally per dimension."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("dataset")
    )
    expression = models.TextField(
        _("expression"),
        help_text=_("An aggregate over the dataset's fields, e.g. SUM(kwh), or a whole SELECT."),
    )
    period_field = models.CharField(_("period field"), max_length=64)
    grain = models.CharField(_("grain"), max_length=8, choices=Grain.choices, default=Grain.MONTH)
    dimension = models.CharField(
        _("dimension field"),
        max_length=64,
        blank=True,
        help_text=_("A field to break the series down by, e.g. the county code or industry."),
    )
    filter = models.CharField(_("filter"), max_length=500, blank=True)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    key = models.BooleanField(_("key indicator (shown on the cockpit)"), default=False)
    active = models.BooleanField(_("computed on schedule"), default=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_version = models.PositiveIntegerField(_("data version"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):  # 指标值
    """One point of a series; ``dimension_value`` "" is the total over all dimension values."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.DateField(_("period"))
    dimension_value = models.CharField(_("dimension value"), max_length=64, blank=True)
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "dimension_value", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "dimension_value", "period"], name="brain_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} {self.dimension_value} {self.value}"


class RuleKind(models.TextChoices):  # 规则类型
    THRESHOLD = "threshold", _("Threshold")  # 阈值
    YOY = "yoy", _("Year-on-year change (%)")  # 同比
    MOM = "mom", _("Change on the previous period (%)")  # 环比
    TARGET = "target", _("Deviation from target (%)")  # 目标偏离
    ZSCORE = "zscore", _("Anomaly (robust z-score)")  # 异常检测
    CONDITION = "condition", _("Condition expression")  # 条件表达式


class Direction(models.TextChoices):
    ABOVE = "above", _("Above")
    BELOW = "below", _("Below")


class WarningRule(models.Model):  # 预警规则
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.ABOVE
    )
    threshold = models.FloatField(_("threshold"), default=0)
    target = models.FloatField(_("target"), null=True, blank=True)
    window = models.PositiveSmallIntegerField(_("periods of history"), default=12)
    condition = models.CharField(_("condition"), max_length=500, blank=True)
    dimension_value = models.CharField(
        _("only for dimension value"),
        max_length=64,
        blank=True,
        help_text=_("Empty: check every series (each dimension value and the total)."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["indicator", "name"]

    def __str__(self) -> str:
        return self.name


class Warning(models.Model):  # 预警
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        TASKED = "tasked", _("Task opened")
        CLOSED = "closed", _("Closed")

    rule = models.ForeignKey(WarningRule, on_delete=models.CASCADE, related_name="warnings")
    period = models.DateField(_("period"))
    dimension_value = models.CharField(_("dimension value"), max_length=64, blank=True)
    value = models.FloatField(_("value"))
    expected = models.FloatField(_("expected"), null=True, blank=True)
    measure = models.FloatField(_("measure"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    task_id = models.PositiveBigIntegerField(_("loop task"), null=True, blank=True)
    division_code = models.CharField(_("division"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "period", "dimension_value"], name="brain_warning_unique"
            )
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def source_ref(self) -> str:
        return f"brain:rule:{self.rule_id}:{self.dimension_value or 'total'}"
