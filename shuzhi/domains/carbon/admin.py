"""Read-only back-office views of the carbon domain (edits go through the pages and services,
which check permission and write the audit log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    AccountingRun,
    BankAuthorisation,
    EnterpriseAccount,
    FactorSet,
    LoanProduct,
    SectorAccount,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FactorSet)
class FactorSetAdmin(_ReadOnly):
    list_display = ("version", "title", "state", "created_at", "activated_at")
    list_filter = ("state",)


@admin.register(AccountingRun)
class AccountingRunAdmin(_ReadOnly):
    list_display = ("year", "state", "is_current", "factor_set", "started_at", "finished_at")
    list_filter = ("state", "is_current", "year")


@admin.register(EnterpriseAccount)
class EnterpriseAccountAdmin(_ReadOnly):
    list_display = ("name", "credit_code", "year", "county_code", "total_tco2", "colour")
    list_filter = ("year", "colour", "county_code")
    search_fields = ("name", "credit_code")


@admin.register(SectorAccount)
class SectorAccountAdmin(_ReadOnly):
    list_display = ("domain", "county_code", "year", "activity", "tco2")
    list_filter = ("domain", "year")


@admin.register(LoanProduct)
class LoanProductAdmin(_ReadOnly):
    list_display = ("bank", "name", "colour", "rate_adjustment_bp")


@admin.register(BankAuthorisation)
class BankAuthorisationAdmin(_ReadOnly):
    list_display = ("credit_code", "bank", "granted_at", "expires_at", "revoked_at")
    search_fields = ("credit_code",)
