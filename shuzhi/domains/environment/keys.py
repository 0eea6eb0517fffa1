"""Station push keys (站点推送密钥): ``env_<prefix>_<secret>``, shown once; only a hash is kept.

The secret is 32 random bytes, so a fast hash is enough (as for the platform's API keys: SM3);
the prefix finds the station's key and is safe to show. Comparison is constant-time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from shuzhi.platform.security.sm import sm3_hex

KEY_PREFIX = "env"
HEADER = "X-Station-Key"


@dataclass(frozen=True)
class NewKey:
    raw: str  # shown to the steward once
    prefix: str
    hash: str


def secret_hash(secret: str) -> str:
    return sm3_hex(secret.encode("utf-8"))


def new_key() -> NewKey:
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return NewKey(f"{KEY_PREFIX}_{prefix}_{secret}", prefix, secret_hash(secret))


def split_key(raw: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed key, else ``None``."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    if len(parts[1]) > 16 or len(parts[2]) > 200:
        return None
    return parts[1], parts[2]


def key_matches(raw: str, *, prefix: str, hashed: str) -> bool:
    """True when ``raw`` is the key whose prefix and hash the station keeps."""
    parts = split_key(raw)
    if parts is None:
        return False
    # the hash is worked out even for a station without a key (no timing difference)
    same_prefix = hmac.compare_digest(parts[0], prefix)
    same_secret = hmac.compare_digest(secret_hash(parts[1]), hashed)
    return bool(prefix and hashed) and same_prefix and same_secret
