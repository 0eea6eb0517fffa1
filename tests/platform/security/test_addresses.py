"""The client's address behind trusted reverse proxies; a forged X-Forwarded-For is never believed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from shuzhi.platform.security.addresses import client_address

PROXIES = ["10.0.0.0/24", "fd00::1"]


def request(peer: str, forwarded: str | None = None) -> Any:
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **extra)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.2", "203.0.113.7", "203.0.113.7"),  # one proxy
        ("10.0.0.2", "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies in a row
        ("fd00::1", "2001:db8::5", "2001:db8::5"),  # IPv6
        ("10.0.0.2", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a forged entry left of the client
        ("10.0.0.2", "", "10.0.0.2"),  # a proxy that forwards nothing
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "not-an-address", "10.0.0.2"),  # malformed: stop at the proxy
        ("10.0.0.2", "203.0.113.7, junk", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.8, 10.0.0.9", "10.0.0.8"),  # all proxies: the farthest
    ],
)
def test_behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_forwarded_address(
    settings: Any, peer: str, forwarded: str | None, client: str
) -> None:
    settings.TRUSTED_PROXIES = PROXIES
    assert client_address(request(peer, forwarded)) == client


def test_a_caller_that_is_not_a_trusted_proxy_cannot_choose_its_address(settings: Any) -> None:
    settings.TRUSTED_PROXIES = PROXIES
    assert client_address(request("198.51.100.4", "203.0.113.7")) == "198.51.100.4"


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_address(request("10.0.0.2", "203.0.113.7")) == "10.0.0.2"


@pytest.mark.django_db
def test_audit_entries_and_request_budgets_use_the_client_behind_the_proxy(
    settings: Any,
) -> None:
    from django.core.cache import cache

    from shuzhi.platform.audit.services import client_ip
    from shuzhi.platform.opendata.ratelimit import over_limit

    settings.TRUSTED_PROXIES = PROXIES
    assert client_ip(request("10.0.0.2", "203.0.113.7")) == "203.0.113.7"
    cache.clear()
    first, second = request("10.0.0.2", "203.0.113.7"), request("10.0.0.2", "203.0.113.8")
    for item in (first, second):
        item.user = type("Anonymous", (), {"is_authenticated": False})()
    # two visitors behind one proxy each have their own budget of one request
    assert [over_limit(first, scope="t", rate=1), over_limit(second, scope="t", rate=1)] == [
        False,
        False,
    ]
    assert over_limit(first, scope="t", rate=1) is True


def test_a_trusted_proxy_that_is_not_an_address_fails_the_system_check(settings: Any) -> None:
    from shuzhi.platform.security.checks import trusted_proxies_are_addresses

    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "proxy.example"]
    [error] = trusted_proxies_are_addresses()
    assert error.id == "shuzhi.security.E001"
    assert "'proxy.example'" in error.msg
    settings.TRUSTED_PROXIES = PROXIES
    assert trusted_proxies_are_addresses() == []
