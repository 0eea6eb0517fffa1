"""Public-services API (django-ninja) at /api/v1/services.

Licence verification (电子证照核验) is public (no key, no session): anyone holding a licence's
number and signature, or its verification data, may ask whether it is authentic and valid.
Anonymous callers get a modest per-address budget (HTTP 429 beyond it).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from shuzhi.platform.errors import error_response
from shuzhi.platform.opendata.ratelimit import over_limit
from shuzhi.platform.security.sm2 import public_key_to_pem

from .selectors.licences import licence_by_number
from .services.licences import VERIFY_RATE, LicenceRefused, licence_verify

router = Router(tags=["services"])
MAX_BODY = 64 * 1024


def _invalid(message: str, field: str = "") -> JsonResponse:
    return error_response(422, "invalid_input", message, {"field": field} if field else None)


@router.post(
    "/licences/verify",
    auth=None,
    summary="Verify an electronic licence (电子证照核验)",
    description=(
        'Body: `{"number": "...", "signature": "<128 hex>"}` (what the QR code carries), or '
        '`{"licence": {canonical payload}, "signature": "<128 hex>"}` (the verification data '
        "downloaded from the licence page). Answers whether the issuer's SM2 e-seal signed "
        "exactly the registry's licence (`authentic`) and its `status`: valid, revoked, expired, "
        "or unknown (no such number). Holder, title, issuer and validity are given only for an "
        "authentic licence. Failed checks are audited as forgery attempts."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "number": {"type": "string", "maxLength": 40},
                            "signature": {"type": "string", "pattern": "^[0-9a-fA-F]{128}$"},
                            "licence": {"type": "object"},
                        },
                        "required": ["signature"],
                    }
                }
            },
            "required": True,
        }
    },
)
def verify(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_BODY:
        return error_response(413, "body_too_large", _("The request body is too large."))
    try:
        body: Any = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _invalid(_("The body must be a JSON object."))
    if not isinstance(body, dict):
        return _invalid(_("The body must be a JSON object."))
    unknown = sorted(set(body) - {"number", "signature", "licence"})
    if unknown:
        return _invalid(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(map(str, unknown))[:200]},
            str(unknown[0])[:40],
        )
    number, signature, licence = body.get("number"), body.get("signature"), body.get("licence")
    if not isinstance(signature, str):
        return _invalid(
            _("Give the licence's signature (128 hexadecimal characters)."), "signature"
        )
    if number is not None and not isinstance(number, str):
        return _invalid(_("The licence number must be text."), "number")
    if licence is None and number is None:
        return _invalid(_("Give the licence number or the licence data."), "number")
    if licence is not None and not isinstance(licence, dict):
        return _invalid(_("The licence data must be a JSON object."), "licence")
    try:
        result = licence_verify(
            payload=licence, number=number, signature_hex=signature, request=request
        )
    except LicenceRefused as refusal:
        code = "too_many_requests" if refusal.status == 429 else "invalid_input"
        return error_response(
            refusal.status,
            code,
            refusal.message,
            {"field": refusal.field} if refusal.field else None,
        )
    return JsonResponse(result.as_dict(), json_dumps_params={"ensure_ascii": False})


@router.get(
    "/licences/{number}/seal-key",
    auth=None,
    summary="The public key of the seal that signed a licence (PEM)",
    description=(
        "The SM2 public key (SubjectPublicKeyInfo PEM) of the e-seal that signed the licence, "
        "for checking the signature with OpenSSL: `openssl dgst -sm3 -verify seal.pem "
        "-signature sig.der -sigopt distid:1234567812345678 canonical.json`."
    ),
)
def seal_key(request: HttpRequest, number: str) -> HttpResponse:
    # it tells which numbers exist, so it shares verification's per-address budget
    if over_limit(request, scope="licence_verify", rate=VERIFY_RATE):
        return error_response(
            429,
            "too_many_requests",
            _("Too many verifications from your address; wait a minute and try again."),
        )
    licence = licence_by_number(number)
    if licence is None:
        return error_response(404, "not_found", _("There is no licence with this number."))
    return JsonResponse(
        {
            "number": licence.number,
            "seal": licence.seal_id,
            "seal_name": licence.seal.name,
            "issuer": licence.issuer.name,
            "public_key_pem": public_key_to_pem(licence.seal.public_key_hex),
        },
        json_dumps_params={"ensure_ascii": False},
    )
