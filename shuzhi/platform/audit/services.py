"""Writing the audit log. Every sensitive action of every module calls :func:`audit_record`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .chain import GENESIS_HASH, entry_hash, head_seal
from .models import AuditEntry, AuditHead, Outcome


def audit_key() -> bytes:
    return bytes.fromhex(settings.AUDIT_KEY)


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


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
    actor that is not a user, such as the failed user name of a bad login or an API key id.
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
        "actor": getattr(actor, "username", "") or actor_name,
        "actor_id": getattr(actor, "pk", None),
        "department": department,
        "action": action,
        "target_type": target_type,
        "target_id": target_id[:128],
        "outcome": str(outcome),
        "client_ip": client_ip(request),
        "details": details or {},
    }
    digest = entry_hash(head.entry_hash, values)
    entry = AuditEntry.objects.create(prev_hash=head.entry_hash, entry_hash=digest, **values)
    head.seq = entry.seq
    head.entry_hash = digest
    head.seal = head_seal(audit_key(), head.seq, digest)
    head.save(update_fields=["seq", "entry_hash", "seal"])
    return entry
