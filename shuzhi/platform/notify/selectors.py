"""Reads of the inbox (站内信): always one person's own messages."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.http import Http404

from shuzhi.platform.accounts.models import User

from .models import Message


def unread_count(user: User | None) -> int:
    """How many of the user's messages are unread (the badge on the bell); 0 when signed out."""
    if user is None or not user.is_authenticated:
        return 0
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_queryset(user: User) -> QuerySet[Message]:
    """The user's messages: unread first, then newest first."""
    return Message.objects.filter(recipient=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def inbox(user: User, limit: int = 50) -> list[Message]:
    """The user's latest messages, unread first (at most ``limit``)."""
    if not user.is_authenticated:
        return []
    return list(inbox_queryset(user)[: max(0, limit)])


def message_for(user: User, message_id: int) -> Message:
    """One of the user's own messages; ``Http404`` for anyone else's (its existence is not
    revealed)."""
    if not user.is_authenticated:
        raise Http404
    message = Message.objects.filter(pk=message_id, recipient=user).first()
    if message is None:
        raise Http404
    return message
