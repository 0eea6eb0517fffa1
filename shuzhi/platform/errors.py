"""The one error envelope of every API answer with a 4xx or 5xx status.

    {"error": {"code": "not_found", "message": "找不到该地址", "status": 404}}

``code`` is for machines and never changes with the language; ``message`` is for people, in the
request's language (the caller passes it through gettext).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, gettext_noop
from ninja.errors import HttpError


def error_body(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": str(message), "status": status}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(
        error_body(status, code, message, details),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


class ApiError(HttpError):
    """Raise from an API route to answer with the envelope, a machine code and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message)
        self.code = code


_STATUS_CODES = {
    400: ("bad_request", gettext_noop("The request could not be understood.")),
    401: (
        "unauthenticated",
        gettext_noop("Sign in, or send a valid, unexpired API key in X-API-Key."),
    ),
    403: ("forbidden", gettext_noop("You do not have permission to do this.")),
    404: ("not_found", gettext_noop("There is nothing at this address.")),
    405: ("method_not_allowed", gettext_noop("This address does not accept that method.")),
    413: ("body_too_large", gettext_noop("The request body is too large.")),
    429: ("too_many_requests", gettext_noop("Too many requests; slow down and try again.")),
    500: ("server_error", gettext_noop("Something went wrong on our side; it has been logged.")),
}


def status_error(status: int) -> tuple[str, str]:
    """The machine code and the translated message for a bare HTTP status."""
    code, message = _STATUS_CODES.get(status, ("error" if status >= 500 else "bad_request", ""))
    return code, gettext(message) if message else gettext("The request failed.")


CKAN_PREFIXES = ("/api/3/", "/api/action/")


class ApiEnvelopeMiddleware:
    """Wrap any non-JSON 4xx/5xx answer under /api/ (405 from the router, a bare 404) in the
    envelope, so machines always get the same shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not request.path.startswith(CKAN_PREFIXES)  # CKAN's own envelope
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = status_error(response.status_code)
            return error_response(response.status_code, code, message)
        return response


class RejectNulMiddleware:
    """Refuse NUL characters in the path, the query and text bodies with a 400.

    PostgreSQL cannot store NUL in text, so such input would otherwise surface as a 500 deep in
    a query. Multipart bodies (file uploads) are left alone: files may hold any byte.
    """

    _TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method not in {"POST", "PUT", "PATCH"}:
            return False
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return False  # the size limit answers first (413)
        if request.content_type == "multipart/form-data":
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        if (request.content_type or "").startswith(self._TEXT_BODIES):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body or b"%00" in body
        return False
