"""Pages of the enterprise code (一码四色) and the five-self checks (五自) — thin views.

* ``market:code_public`` (``/market/code/<token>/``, no sign-in): name, status and risk colour;
  to the enterprise's own user also its self-check list and history;
* ``market:mine``: the enterprise user's own page — the code image, the public link, the summary;
* ``market:self_check`` (POST): confirm an item, or mark it not met with a note;
* ``market:code`` / ``code_png`` / ``code_svg``: an enterprise's code for its own user and for
  whoever holds ``market.view``.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhi.platform.accounts.models import User
from shuzhi.platform.security.identifiers import check_credit_code

from .models import Enterprise, EnterpriseCode
from .services.codes import (
    CodeRefused,
    code_image,
    code_issue,
    code_public,
    own_enterprise,
    self_check_overview,
    self_check_record,
)

CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _public_url(request: HttpRequest, code: EnterpriseCode) -> str:
    return request.build_absolute_uri(reverse("market:code_public", args=[code.token]))


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "market/refused.html", {"message": message}, status=status)


def _public_context(request: HttpRequest, token: str) -> dict[str, Any]:
    try:
        public = code_public(token, by=request.user)
    except CodeRefused as refusal:
        raise Http404(refusal.message) from refusal
    context: dict[str, Any] = {"public": public, "enterprise": public.enterprise}
    if public.own:
        context["overview"] = self_check_overview(
            enterprise=public.enterprise, by=request.user, request=request
        )
    return context


def public(request: HttpRequest, token: str) -> HttpResponse:
    """The page the QR code opens: anyone, no sign-in."""
    return render(request, "market/codes/public.html", _public_context(request, token))


@login_required
@require_POST
def self_check(request: HttpRequest) -> HttpResponse:
    """The enterprise user confirms an item (or marks it not met with a note)."""
    user = cast(User, request.user)
    try:
        enterprise = own_enterprise(by=user, request=request)
    except CodeRefused as refusal:
        return _refused(request, refusal.message, 404)
    code = code_issue(enterprise=enterprise, by=user, request=request)
    item_code = request.POST.get("item", "")[:32]
    confirmed = request.POST.get("confirmed") == "yes"
    note = request.POST.get("note", "")
    try:
        self_check_record(
            enterprise=enterprise,
            item_code=item_code,
            confirmed=confirmed,
            note=note,
            by=user,
            request=request,
        )
    except CodeRefused as refusal:
        context = _public_context(request, code.token)
        context.update(error_item=item_code, error_message=refusal.message, error_note=note)
        return render(request, "market/codes/public.html", context, status=400)
    messages.success(request, _("Recorded."))
    return redirect(reverse("market:code_public", args=[code.token]) + f"#item-{item_code}")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The enterprise user's landing page: its code, the public link, the self-check summary."""
    user = cast(User, request.user)
    try:
        enterprise = own_enterprise(by=user, request=request)
    except CodeRefused as refusal:
        return _refused(request, refusal.message, 404)
    code = code_issue(enterprise=enterprise, by=user, request=request)
    public_page = code_public(code.token, by=user)
    overview = self_check_overview(enterprise=enterprise, by=user, request=request)
    return render(
        request,
        "market/codes/mine.html",
        {
            "enterprise": enterprise,
            "code": code,
            "public": public_page,
            "public_url": _public_url(request, code),
            "overview": overview,
        },
    )


def _enterprise(request: HttpRequest, credit_code: str) -> Enterprise | HttpResponse:
    checked = check_credit_code(credit_code)
    if not checked.valid:
        return _refused(
            request, _("Invalid credit code: %(reason)s") % {"reason": checked.reason}, 400
        )
    enterprise = Enterprise.objects.filter(credit_code=checked.normalised).first()
    if enterprise is None:
        raise Http404(_("No registered enterprise has this credit code."))
    return enterprise


@login_required
def code(request: HttpRequest, credit_code: str) -> HttpResponse:
    """An enterprise's code for a regulator (or its own user): the image and the public link."""
    found = _enterprise(request, credit_code)
    if isinstance(found, HttpResponse):
        return found
    issued = code_issue(enterprise=found, by=request.user, request=request)
    return render(
        request,
        "market/codes/code.html",
        {
            "enterprise": found,
            "code": issued,
            "public": code_public(issued.token, by=request.user),
            "public_url": _public_url(request, issued),
        },
    )


@login_required
def image(request: HttpRequest, credit_code: str, kind: str) -> HttpResponse:
    """The QR image (PNG or SVG) of the enterprise's public page."""
    found = _enterprise(request, credit_code)
    if isinstance(found, HttpResponse):
        return found
    issued = code_issue(enterprise=found, by=request.user, request=request)
    try:
        data = code_image(
            enterprise=found,
            url=_public_url(request, issued),
            kind=kind,
            by=request.user,
            request=request,
        )
    except CodeRefused as refusal:
        raise Http404(refusal.message) from refusal
    response = HttpResponse(data, content_type=CONTENT_TYPES[kind])
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="{found.credit_code}.{kind}"'
    return response
