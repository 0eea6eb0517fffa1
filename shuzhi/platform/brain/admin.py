"""Read-only back-office views of the brain (edits go through the pages and services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Indicator, Warning, WarningRule


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(_ReadOnly):
    list_display = ("code", "name", "dataset", "grain", "dimension", "computed_at")
    search_fields = ("code", "name")


@admin.register(WarningRule)
class WarningRuleAdmin(_ReadOnly):
    list_display = ("name", "indicator", "kind", "direction", "threshold", "active")
    list_filter = ("kind",)


@admin.register(Warning)
class WarningAdmin(_ReadOnly):
    list_display = ("message", "period", "dimension_value", "state", "task_id", "created_at")
    list_filter = ("state",)
