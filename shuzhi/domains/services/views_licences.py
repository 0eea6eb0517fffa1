"""Pages of electronic licences (电子证照), thin: the printable licence with its seal, signature
and QR code; its PDF; its verification data (JSON); revocation by the issuer; the public
verification page (核验, no sign-in); the department's seals and their rotation (stewards)."""

from __future__ import annotations

import base64
import json
import textwrap
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuzhi.platform.security.sm2 import DEFAULT_USER_ID, public_key_to_pem, signature_to_der

from .licence_pdf import FontMissing, LicenceSheet, qr_png, qr_svg
from .licence_pdf import render as render_pdf
from .licence_seal import canonical_bytes
from .models.licences import Licence
from .selectors.licences import licence_is_issuer_staff, licence_payload, licence_status
from .services.licences import (
    FACE_LABELS,
    LICENCE_TYPES,
    MAX_REASON,
    LicenceRefused,
    licence_get,
    licence_revoke,
    licence_verify,
    seal_list,
    seal_rotate,
)

MAX_PASTE = 20000
STATUS_LABELS = {
    "valid": gettext_lazy("Valid"),
    "revoked": gettext_lazy("Revoked"),
    "expired": gettext_lazy("Expired"),
    "unknown": gettext_lazy("Not in the registry"),
}
STATUS_COLOURS = {
    "valid": "success",
    "revoked": "danger",
    "expired": "warning",
    "unknown": "secondary",
}


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "services/licences/refused.html", {"message": message}, status=status)


def verify_url(request: HttpRequest, licence: Licence) -> str:
    """The public verification address the QR code carries (number and signature)."""
    query = urlencode({"number": licence.number, "sig": licence.signature_hex})
    return request.build_absolute_uri(f"{reverse('services:verify')}?{query}")


def _kind_label(licence: Licence) -> str:
    kind = LICENCE_TYPES.get(licence.licence_type)
    return str(kind.label) if kind else licence.title


def _face(licence: Licence) -> list[tuple[str, str, str]]:
    """(Chinese label, translated label, value) of each line of the face; the face is Chinese,
    so a Chinese reader gets no second label."""
    if (get_language() or "").startswith("zh"):
        return [(label, label, value) for label, value in licence.fields]
    return [(label, str(FACE_LABELS.get(label, label)), value) for label, value in licence.fields]


@login_required
def licence(request: HttpRequest, number: str) -> HttpResponse:
    """The printable licence: face, seal, signature and QR code."""
    try:
        found = licence_get(number=number, by=request.user, request=request)
    except LicenceRefused as refusal:
        return _refused(request, refusal.message, refusal.status)
    url = verify_url(request, found)
    status = licence_status(found)
    return render(
        request,
        "services/licences/licence.html",
        {
            "licence": found,
            "kind_label": _kind_label(found),
            "face": _face(found),
            "status": status,
            "status_label": STATUS_LABELS[status],
            "status_colour": STATUS_COLOURS[status],
            "signature_lines": textwrap.wrap(found.signature_hex, 32),
            "qr_svg": qr_svg(url),
            "verify_url": url,
            "issuer_staff": licence_is_issuer_staff(request.user, found),
            "max_reason": MAX_REASON,
        },
    )


@login_required
def licence_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The licence as a PDF with the QR code, the seal mark and the signature."""
    try:
        found = licence_get(number=number, by=request.user, request=request)
    except LicenceRefused as refusal:
        return _refused(request, refusal.message, refusal.status)
    url = verify_url(request, found)
    status = licence_status(found)
    sheet = LicenceSheet(
        title=found.title,
        subtitle=_kind_label(found),
        number_label=_("Licence number"),
        number=found.number,
        face=[(label, value) for label, value in found.fields],
        dates=[
            (_("Issued on"), found.issued_on.isoformat()),
            (_("Valid until"), found.valid_until.isoformat()),
        ],
        issuer=f"{found.issuer.name}\n{found.issued_on.isoformat()}",
        seal_name=found.seal.name,
        signature_label=_("SM2 e-seal signature (r ‖ s, hexadecimal):"),
        signature_hex=found.signature_hex,
        qr_png=qr_png(url),
        verify_note=_("Scan to verify, or enter the number and signature at %(url)s")
        % {"url": request.build_absolute_uri(reverse("services:verify"))},
        status_note="" if status == "valid" else str(STATUS_LABELS[status]),
    )
    try:
        content = render_pdf(sheet)
    except FontMissing:
        return _refused(request, _("The PDF cannot be made: its font is not installed."), 503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="licence-{found.number}.pdf"'
    return response


@login_required
def licence_data(request: HttpRequest, number: str) -> HttpResponse:
    """The verification data: the canonical payload, the signature (hex and DER) and the seal's
    public key (PEM), with the OpenSSL command that checks them."""
    try:
        found = licence_get(number=number, by=request.user, request=request)
    except LicenceRefused as refusal:
        return _refused(request, refusal.message, refusal.status)
    payload = licence_payload(found)
    body = {
        "licence": payload,
        "canonical": canonical_bytes(payload).decode("utf-8"),
        "signature": found.signature_hex,
        "signature_der_base64": base64.b64encode(signature_to_der(found.signature_hex)).decode(),
        "seal_name": found.seal.name,
        "seal_public_key_pem": public_key_to_pem(found.seal.public_key_hex),
        "verify_url": verify_url(request, found),
        "openssl": (
            "openssl dgst -sm3 -verify seal.pem -signature signature.der "
            f"-sigopt distid:{DEFAULT_USER_ID} canonical.json"
        ),
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="licence-{found.number}.json"'
    return response


@login_required
@require_POST
def licence_revoke_view(request: HttpRequest, number: str) -> HttpResponse:
    """Revoke a licence (the issuing department, with a reason)."""
    try:
        found = licence_get(number=number, by=request.user, request=request)
        licence_revoke(
            licence=found,
            by=request.user,
            reason=str(request.POST.get("reason", ""))[: MAX_REASON + 1],
            request=request,
        )
    except LicenceRefused as refusal:
        if refusal.status == 404:
            return _refused(request, refusal.message, 404)
        messages.error(request, refusal.message)
        return redirect("services:licence", number=number)
    messages.success(request, _("The licence has been revoked."))
    return redirect("services:licence", number=number)


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Licence number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    signature = forms.CharField(
        label=gettext_lazy("Signature"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("The 128 hexadecimal characters printed under the seal."),
        widget=forms.TextInput(
            attrs={"class": "form-control font-monospace", "autocomplete": "off"}
        ),
    )
    pasted = forms.CharField(
        label=gettext_lazy("Or paste the licence's verification data (JSON)"),
        max_length=MAX_PASTE,
        required=False,
        widget=forms.Textarea(
            attrs={"class": "form-control font-monospace", "rows": 5, "spellcheck": "false"}
        ),
    )


def _verify_input(values: dict[str, Any]) -> dict[str, Any]:
    """The arguments of ``licence_verify`` from the form (number + signature, or the pasted
    verification data, which carries its own signature)."""
    signature = "".join(str(values.get("signature") or "").split())
    pasted = str(values.get("pasted") or "").strip()
    if pasted:
        try:
            data = json.loads(pasted)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("licence"), dict):
            return {
                "payload": data["licence"],
                "signature_hex": signature or str(data.get("signature") or ""),
            }
        return {"payload": data if isinstance(data, dict) else "", "signature_hex": signature}
    return {"number": str(values.get("number") or ""), "signature_hex": signature}


def verify(request: HttpRequest) -> HttpResponse:
    """Public verification (核验): the QR code's address, or the form."""
    result = None
    error = ""
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST)
        arguments = _verify_input(form.cleaned_data) if form.is_valid() else None
    elif "number" in request.GET or "sig" in request.GET:
        form = VerifyForm(
            initial={
                "number": request.GET.get("number", ""),
                "signature": request.GET.get("sig", ""),
            }
        )
        arguments = {
            "number": str(request.GET.get("number", ""))[:80],
            "signature_hex": str(request.GET.get("sig", ""))[:200],
        }
    else:
        form = VerifyForm()
        arguments = None
    if request.method == "POST" and arguments is None:
        error = _("The verification data are too long.")
        status = 422
    if arguments is not None:
        try:
            result = licence_verify(request=request, **arguments)
        except LicenceRefused as refusal:
            error, status = refusal.message, refusal.status
    context: dict[str, Any] = {"form": form, "result": result, "error": error}
    if result is not None:
        context.update(
            status_label=STATUS_LABELS[result.status],
            status_colour=STATUS_COLOURS[result.status],
            kind_label=_kind_label(result.licence) if result.licence else "",
        )
    return render(request, "services/licences/verify.html", context, status=status)


@login_required
def seals(request: HttpRequest) -> HttpResponse:
    """The steward's department's seals: the active one and those kept for old licences."""
    found = seal_list(by=request.user, request=request)
    return render(
        request,
        "services/licences/seals.html",
        {
            "seals": [(seal, public_key_to_pem(seal.public_key_hex)) for seal in found],
            "department": request.user.department,  # type: ignore[union-attr]
        },
    )


@login_required
@require_POST
def seal_rotate_view(request: HttpRequest) -> HttpResponse:
    """Rotate the department's seal (a new key signs from now on)."""
    department = getattr(request.user, "department", None)
    if department is None:
        seal_list(by=request.user, request=request)  # refuses (audited)
        raise PermissionDenied("no department")
    seal = seal_rotate(department=department, by=request.user, request=request)
    messages.success(request, _("A new seal key is active: %(name)s.") % {"name": seal.name})
    return redirect("services:seals")
