"""The client's address (客户端地址) behind the reverse proxies the site trusts.

In production the site runs behind a reverse proxy, so ``REMOTE_ADDR`` is the proxy's address:
audit entries would all name the proxy and a per-address request budget would be shared by
every visitor. The proxies append the address they received a request from to
``X-Forwarded-For``. That header is believed only when the request comes from a proxy listed
in ``TRUSTED_PROXIES`` (addresses or networks); anyone else can write anything into it. The
header is then read from the right, skipping the trusted proxies' own entries: the first
address that is not a trusted proxy is the client. A malformed entry stops the walk there,
at the last proxy, rather than believe what lies beyond it.

>>> from django.test import RequestFactory
>>> from django.test.utils import override_settings
>>> request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
...                                HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
>>> client_address(request)  # no trusted proxies: the header is ignored
'10.0.0.2'
>>> with override_settings(TRUSTED_PROXIES=["10.0.0.0/24"]):
...     client_address(request)  # the proxy's word for who called it, not the forged entry
'203.0.113.7'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_address"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_LENGTH = 64  # as stored in audit entries


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: Address | None, networks: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address the request came from: ``REMOTE_ADDR``, or, when that is a trusted proxy,
    the nearest address in ``X-Forwarded-For`` that is not one (see the module docstring)."""
    peer = str(request.META.get("REMOTE_ADDR", ""))[:MAX_LENGTH]
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(peer), networks):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    client = peer
    for entry in reversed(forwarded.split(",")):
        address = _address(entry)
        if address is None:  # malformed or empty: believe nothing further left
            break
        client = str(address)
        if not _trusted(address, networks):
            break
    return client[:MAX_LENGTH]
