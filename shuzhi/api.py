"""The platform API (django-ninja) at /api/v1, with OpenAPI docs at /api/v1/docs.

People authenticate with their session (and the CSRF token for writes); machines send an API
key in the ``X-API-Key`` header. Every 4xx/5xx answer carries the one error envelope of
:mod:`shuzhi.platform.errors`, its message in the request's language.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, SessionAuth

from shuzhi.domains.carbon.api import router as carbon_router
from shuzhi.domains.environment.api import router as environment_router
from shuzhi.domains.policy.api import router as policy_router
from shuzhi.domains.services.api import router as services_router
from shuzhi.platform.accounts.api import router as accounts_router
from shuzhi.platform.accounts.selectors import needs_second_factor, second_factor_passed
from shuzhi.platform.accounts.services import api_key_authenticate
from shuzhi.platform.brain.api import router as brain_router
from shuzhi.platform.catalog.api import router as catalog_router
from shuzhi.platform.errors import ApiError, error_response, status_error
from shuzhi.platform.loop.api import router as loop_router
from shuzhi.platform.notify.api import router as notify_router
from shuzhi.platform.operation.api import router as operation_router
from shuzhi.platform.sharing.api import router as sharing_router
from shuzhi.platform.warehouse.api import router as warehouse_router

logger = logging.getLogger("shuzhi.api")


class ApiKeyAuth(APIKeyHeader):
    """``X-API-Key: sz_<id>_<secret>``; each use (and each refusal) is audited."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        api_key = api_key_authenticate(raw=key, request=request)
        if api_key is None:
            return None
        request.user = api_key.owner
        request.api_key = api_key  # type: ignore[attr-defined]
        return api_key.owner


class UserSession(SessionAuth):
    """Session auth for people; a system administrator must have passed the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and needs_second_factor(user) and not second_factor_passed(user):
            return None
        return user


api = NinjaAPI(
    title="Shuzhi API",
    version="1",
    description="衢州市数字政府平台接口 · The Shuzhi digital-government platform API.",
    urls_namespace="api",
    docs_url="/docs",
    auth=[ApiKeyAuth(), UserSession()],
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(422, "invalid_input", _("Some fields are missing or wrong."), exc.errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, *status_error(401))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, *status_error(403))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, *status_error(404))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, *status_error(413))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.code, str(exc))
    # django-ninja's own errors (e.g. "Cannot parse request body") are English-only
    return error_response(exc.status_code, *status_error(exc.status_code))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error on %s", request.path)
    return error_response(500, *status_error(500))


api.add_router("/", accounts_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/warehouse/", warehouse_router)
api.add_router("/sharing/", sharing_router)
api.add_router("/operation/", operation_router)
api.add_router("/loop/", loop_router)
api.add_router("/notify/", notify_router)
api.add_router("/brain/", brain_router)
api.add_router("/carbon/", carbon_router)
api.add_router("/services/", services_router)
api.add_router("/policy/", policy_router)
api.add_router("/environment/", environment_router)
