"""Writing the audit log. Every sensitive action of every module calls :func:`audit_record`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from shuzhi.platform.security.addresses import client_address

from .chain import GENESIS_HASH, details_text, entry_hash, head_seal
from .models import AuditEntry, AuditHead, Outcome


def audit_key() -> bytes:
    return bytes.fromhex(settings.AUDIT_KEY)


def _clean(text: str, limit: int) -> str:
    """Text safe for every database: no NUL characters, at most ``limit`` characters."""
    return text.replace("\x00", "\ufffd")[:limit]


def client_ip(request: HttpRequest | None) -> str:
    """The client's address (behind the trusted proxies, ``security.addresses``)."""
    if request is None:
        return ""
    return _clean(client_address(request), 64)


def _target(target: object) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    if isinstance(target, tuple):
        kind, ident = target
        return str(kind), str(ident)
    return "", str(target)


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: object = None,
    outcome: str = Outcome.SUCCESS,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry to the chain and move the sealed head; one transaction.

    ``actor`` is a user (or None for anonymous and system actions); ``actor_name`` names an
    actor that is not a user, such as ``cli`` or ``system``. Untrusted names (a user name typed
    at a failed login, an API key id) belong in ``details``, not here.
    """
    request_user = getattr(request, "user", None)
    if actor is None and request_user is not None and request_user.is_authenticated:
        actor = request_user
    target_type, target_id = _target(target)
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"seq": 0, "entry_hash": GENESIS_HASH, "seal": ""}
    )
    department = getattr(getattr(actor, "department", None), "code", "") or ""
    values: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": timezone.now(),
        "actor": _clean(getattr(actor, "username", "") or actor_name, 150),
        "actor_id": getattr(actor, "pk", None),
        "department": department,
        "action": _clean(action, 64),
        "target_type": _clean(target_type, 64),
        "target_id": _clean(target_id, 128),
        "outcome": str(outcome),
        "client_ip": client_ip(request),
        "details_json": details_text(details or {}),
    }
    key = audit_key()
    digest = entry_hash(key, head.entry_hash, values)
    entry = AuditEntry.objects.create(prev_hash=head.entry_hash, entry_hash=digest, **values)
    head.seq = entry.seq
    head.entry_hash = digest
    head.seal = head_seal(key, head.seq, digest)
    head.save(update_fields=["seq", "entry_hash", "seal"])
    return entry


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def audit_anchor_write(*, seq: int, last_hash: str) -> str:
    """Append a sealed anchor line ``seq hash seal`` to the anchor file and flush it to disk.

    An anchor kept outside the database is what shows a truncated chain whose head was put
    back from an older copy. In production, ship the file off the machine (it is small).
    """
    line = f"{seq} {last_hash} {head_seal(audit_key(), seq, last_hash)}\n"
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return line
