"""The back office (Django admin): only system administrators past the second factor enter."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from .models import Role, User
from .selectors import second_factor_passed
from .services import logout_record, password_change_record


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

    @method_decorator(never_cache)
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Send every sign-in to the accounts page, which counts failures, locks and audits.

        Django's own admin login calls ``authenticate()`` past all of that, so this one shows no
        form and reads no password, whatever the method.
        """
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, None)):
            target = reverse("admin:index", current_app=self.name)
        query = QueryDict(mutable=True)
        query[REDIRECT_FIELD_NAME] = target
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{query.urlencode(safe='/')}")

    def logout(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """Sign out through the back office writes the same audit entry as the shell's sign-out."""
        if isinstance(request.user, User) and request.method == "POST":
            logout_record(request=request, user=request.user)
        return super().logout(request, extra_context)

    def password_change(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """Django's change-your-own-password page, with the change audited."""
        user = request.user
        assert isinstance(user, User)  # admin_view lets only a signed-in administrator in
        with transaction.atomic():
            before = user.password
            response = super().password_change(request, extra_context)
            if user.password != before:  # the form sets the new hash on this very object
                password_change_record(user=user, by=user, by_admin=False, request=request)
        return response
