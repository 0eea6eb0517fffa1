"""Read-only back-office views of the loop: every change goes through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DispatchRule, Task, TaskEvent


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(_ReadOnly):
    list_display = ["id", "title", "type_code", "state", "department", "deadline", "overdue"]
    list_filter = ["state", "type_code", "overdue", "supervision_level"]
    search_fields = ["title", "source_ref"]


@admin.register(TaskEvent)
class TaskEventAdmin(_ReadOnly):
    list_display = ["task", "at", "actor", "action", "from_state", "to_state"]
    list_filter = ["action"]


@admin.register(DispatchRule)
class DispatchRuleAdmin(_ReadOnly):
    list_display = ["category", "division", "department", "order", "active"]
    list_filter = ["active", "category"]
