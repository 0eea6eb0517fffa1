"""A per-address request budget for anonymous use (HTTP 429 when spent): the open-data portal
(``OPENDATA_ANONYMOUS_RATE`` a minute) and other public forms, each under its own ``scope``;
the address is the client's behind the trusted proxies (``security.addresses``).

Counts sit in Django's cache (LocMemCache by default; a shared cache such as Redis when several
web nodes serve the portal): one counter per address and minute. Signed-in users are not
limited here.
"""

from __future__ import annotations

import time
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase

from shuzhi.platform.security.addresses import client_address

WINDOW_SECONDS = 60  # one budget per address and minute

_R = TypeVar("_R", bound=HttpResponseBase)


def retry_later(response: _R) -> _R:
    """A refusal (429) saying when to try again: when the next minute's budget starts at the
    latest (``Retry-After``)."""
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


def over_limit(request: HttpRequest, *, scope: str = "opendata", rate: int | None = None) -> bool:
    """Count this request; True when an anonymous address has spent its budget of ``scope``
    this minute (``rate`` requests; the open-data portal's setting when not given)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if rate is None:
        rate = int(getattr(settings, "OPENDATA_ANONYMOUS_RATE", 120))
    if rate <= 0:
        return False
    address = client_address(request)
    key = f"{scope}:rate:{address}:{int(time.time() // WINDOW_SECONDS)}"
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        count = 1
    return count > rate
