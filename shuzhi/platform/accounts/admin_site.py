"""The back office (Django admin): only system administrators past the second factor enter."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Role, User
from .selectors import second_factor_passed


class ShuzhiAdminSite(admin.AdminSite):
    site_header = _("Shuzhi back office")
    site_title = _("Shuzhi back office")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            isinstance(user, User)
            and user.is_active
            and user.is_staff
            and user.has_role(Role.SYSTEM_ADMIN)
            and second_factor_passed(user)
        )
