"""Read-only back-office views of sharing: every change goes through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Grant, GrantUsage, ShareRequest


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ShareRequest)
class ShareRequestAdmin(_ReadOnly):
    list_display = ["id", "dataset", "department", "requester", "state", "deadline", "created_at"]
    list_filter = ["state"]
    search_fields = ["dataset__code", "department__code", "requester__username"]


@admin.register(Grant)
class GrantAdmin(_ReadOnly):
    list_display = ["id", "dataset", "department", "grantee", "expires_at", "revoked_at"]
    search_fields = ["dataset__code", "department__code", "grantee__username", "key_prefix"]
    exclude = ["key_hash"]


@admin.register(GrantUsage)
class GrantUsageAdmin(_ReadOnly):
    list_display = ["grant", "day", "calls", "rows"]
