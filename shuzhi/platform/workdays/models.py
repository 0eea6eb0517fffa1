"""The working-day calendar (工作日历): public holidays and adjusted working days, as data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (rest day)")  # 休
    WORKDAY = "workday", _("Adjusted working day")  # 班 (调休上班)


class DayAdjustment(models.Model):
    """One day that differs from the Monday-to-Friday rule (调休安排): a holiday on a weekday or
    a working Saturday/Sunday, as the State Council's yearly notice announces them."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=32, help_text=_("For example 春节."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("day adjustment")
        verbose_name_plural = _("day adjustments")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} ({self.get_kind_display()})"
