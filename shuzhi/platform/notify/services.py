"""Every write of the inbox made by its reader: marking messages read.

Sending is :func:`shuzhi.platform.notify.send.notify`, called by other services. A person only
ever marks their own messages; anyone else's is "not found" (``Http404``), as if it did not exist.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.services import audit_record

from .models import Message


def _require_own(message: Message, by: User | None) -> None:
    """The message must be the signed-in user's own: otherwise ``Http404``."""
    if by is None or not by.is_authenticated or not by.is_active or message.recipient_id != by.pk:
        raise Http404


def _require_signed_in(by: User | None) -> None:
    if by is None or not by.is_authenticated or not by.is_active:
        raise Http404


def message_mark_read(*, by: User, message: Message, request: HttpRequest | None = None) -> Message:
    """Mark one of one's own messages read (idempotent)."""
    _require_own(message, by)
    with transaction.atomic():
        if message.read_at is None:
            message.read_at = timezone.now()
            Message.objects.filter(pk=message.pk, read_at__isnull=True).update(
                read_at=message.read_at
            )
            audit_record(action="notify.read", actor=by, target=message, request=request)
    return message


def messages_mark_all_read(*, by: User, request: HttpRequest | None = None) -> int:
    """Mark all of one's own unread messages read; returns how many changed."""
    _require_signed_in(by)
    with transaction.atomic():
        changed = Message.objects.filter(recipient=by, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            audit_record(
                action="notify.read_all", actor=by, request=request, details={"count": changed}
            )
    return changed
