"""The platform's field cipher, built once from settings."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .sm import FieldCipher


def parse_keys(entries: list[str]) -> dict[str, bytes]:
    """Parse ``id:hex`` pairs (the SHUZHI_SM4_KEYS setting)."""
    keys: dict[str, bytes] = {}
    for entry in entries:
        key_id, sep, hex_key = entry.partition(":")
        if not sep or not key_id or ":" in key_id:
            raise ImproperlyConfigured(f"SHUZHI_SM4_KEYS: {entry!r} is not id:hex")
        try:
            keys[key_id] = bytes.fromhex(hex_key)
        except ValueError as exc:
            raise ImproperlyConfigured(f"SHUZHI_SM4_KEYS: key {key_id!r} is not hex") from exc
    return keys


@cache
def field_cipher() -> FieldCipher:
    try:
        return FieldCipher(
            keys=parse_keys(settings.SM4_KEYS),
            active_key_id=settings.SM4_ACTIVE_KEY,
            token_key=bytes.fromhex(settings.TOKEN_KEY),
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"field encryption settings: {exc}") from exc
