"""Back office for the working-day calendar: administrators add each year's schedule here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import DayAdjustment
from .services import adjustment_delete, adjustment_save


@admin.register(DayAdjustment)
class DayAdjustmentAdmin(admin.ModelAdmin[DayAdjustment]):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: DayAdjustment) -> str:
        return obj.date.strftime("%a")

    def save_model(self, request: HttpRequest, obj: DayAdjustment, form: Any, change: bool) -> None:
        adjustment_save(by=request.user, adjustment=obj, request=request)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: DayAdjustment) -> None:
        adjustment_delete(by=request.user, adjustment=obj, request=request)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DayAdjustment]) -> None:
        with transaction.atomic():
            for obj in queryset:
                adjustment_delete(by=request.user, adjustment=obj, request=request)  # type: ignore[arg-type]
