"""Deployment checks: refuse to look production-ready while development keys are in use."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core import checks

_KEY_SETTINGS = {
    "SHUZHI_SECRET_KEY": "SECRET_KEY",
    "SHUZHI_SM4_KEYS": "SM4_KEYS",
    "SHUZHI_TOKEN_KEY": "TOKEN_KEY",
    "SHUZHI_AUDIT_KEY": "AUDIT_KEY",
}


@checks.register(checks.Tags.security, deploy=True)
def development_keys_in_use(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`shuzhi check --deploy` warns for every key still at its development default."""
    defaults = {option.name: option.default for option in getattr(settings, "OPTIONS", [])}
    return [
        checks.Warning(
            f"{variable} is still the development default.",
            hint="Set it from a secret store before serving real data (docs/configuration.md).",
            id="shuzhi.security.W001",
        )
        for variable, name in _KEY_SETTINGS.items()
        if variable in defaults and getattr(settings, name) == defaults[variable]
    ]


@checks.register(checks.Tags.security)
def trusted_proxies_are_addresses(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every entry of SHUZHI_TRUSTED_PROXIES is an address or a network (else every request
    that reads the client's address would fail)."""
    bad = []
    for entry in getattr(settings, "TRUSTED_PROXIES", ()) or ():
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            bad.append(str(entry))
    return [
        checks.Error(
            f"SHUZHI_TRUSTED_PROXIES: {entry!r} is not an address or a network.",
            hint="List addresses or networks such as 10.0.0.2 or 10.0.0.0/24, comma-separated.",
            id="shuzhi.security.E001",
        )
        for entry in bad
    ]
