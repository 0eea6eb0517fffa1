"""Error pages: the JSON envelope under /api/, a page in the user's language elsewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from shuzhi.platform.errors import error_response, status_error


def _error(request: HttpRequest, status: int, code: str = "", message: str = "") -> HttpResponse:
    default_code, default_message = status_error(status)
    code = code or default_code
    message = message or default_message
    if request.path.startswith("/api/"):
        return error_response(status, code, message)
    context = {"status": status, "code": code, "message": message}
    return render(request, "web/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("The form's security token is missing or wrong. Reload the page and try again.")
    return _error(request, 403, "csrf_failed", message)
