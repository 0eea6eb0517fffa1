"""Sign in, second factor and sign out pages (thin: the rules live in services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record

from .forms import LoginForm, OtpForm
from .selectors import needs_second_factor, otp_device_get
from .services import login_attempt, logout_record


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return "/"


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        result = login_attempt(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if result.user is not None:
            login(request, result.user)
            if needs_second_factor(result.user):
                return redirect(f"/accounts/otp/?next={_next_url(request)}")
            return redirect(_next_url(request))
        if result.reason == "locked":
            error = _(
                "Too many failed attempts: this account is locked. Try again in %(minutes)d "
                "minutes."
            ) % {"minutes": result.locked_minutes}
            status = 429
        else:
            error = _("The user name or password is wrong.")
            status = 401
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "error": error,
            "next": _next_url(request),
            "failure_limit": settings.LOGIN_FAILURE_LIMIT,
            "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code. An administrator without a device is told who can enrol one.

    Enrolment is never offered here: a password alone would then be enough to bind an
    attacker's authenticator to an administrator's account.
    """
    user = request.user
    if not needs_second_factor(user):  # type: ignore[arg-type]
        return redirect("/")
    device = otp_device_get(user=user)  # type: ignore[arg-type]
    form = OtpForm(request.POST or None)
    error = ""
    if device is not None and request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            audit_record(action="login.otp", actor=user, request=request)
            return redirect(_next_url(request))
        audit_record(action="login.otp", actor=user, outcome=Outcome.FAILURE, request=request)
        error = _("That code is not right or has expired. Try the current one.")
    context = {
        "form": form,
        "error": error,
        "has_device": device is not None,
        "next": _next_url(request),
    }
    return render(request, "accounts/otp.html", context, status=200 if not error else 401)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        logout_record(request=request, user=request.user)
    logout(request)
    return redirect("accounts:login")
