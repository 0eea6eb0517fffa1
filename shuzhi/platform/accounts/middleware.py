"""Second factor: a system administrator must pass TOTP before any other page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from shuzhi.platform.errors import error_response

from .models import User
from .selectors import needs_second_factor, second_factor_passed

_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and isinstance(user, User)
            and needs_second_factor(user)
            and not second_factor_passed(user)
        ):
            if request.path.startswith("/api/"):
                return error_response(
                    403, "second_factor_required", _("Sign in with your second factor first.")
                )
            return redirect("accounts:otp")
        return self.get_response(request)
