"""Sending notifications (发送通知): the one entry point other services call.

:func:`notify` checks no permission: it is called by a service of another app after that
service's own check (a task dispatched, a warning raised), never by a view. It is kept out of
``services.py`` for that reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.core.mail import send_mail
from django.db import transaction
from django.utils.http import url_has_allowed_host_and_scheme

from shuzhi.platform.accounts.models import User

from .models import Channel, Level, Message
from .sms import gateway

logger = logging.getLogger(__name__)

CHANNELS = frozenset(Channel.values)


def safe_link(link: str) -> str:
    """``link`` when it is a path on this site (``/loop/tasks/12``), else "" (no open
    redirects from a message)."""
    link = link.strip()
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return ""


def notify(
    *,
    recipients: Iterable[User],
    subject: str,
    body: str = "",
    link: str = "",
    level: str = Level.INFO,
    channels: Sequence[str] = (Channel.INBOX,),
) -> list[Message]:
    """Notify each recipient once (duplicates and inactive accounts skipped).

    The inbox message (站内信) is always stored and returned, one per recipient; ``email`` also
    sends it through Django's ``send_mail`` once the caller's transaction commits (recipients
    without an address are skipped, a failed delivery is logged and changes nothing else); ``sms`` also sends ``subject`` through the SMS
    gateway. ``link`` must be a path on this site, such as ``/loop/tasks/12``.
    """
    unknown = set(channels) - CHANNELS
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    if level not in Level.values:
        raise ValueError(f"unknown notification level: {level}")
    subject = subject.strip()[:200]
    if not subject:
        raise ValueError("a notification needs a subject")
    link = safe_link(link)
    people: dict[int, User] = {}
    for person in recipients:
        if person.pk is not None and person.is_active:
            people.setdefault(person.pk, person)
    messages: list[Message] = []
    with transaction.atomic():
        for person in people.values():
            messages.append(
                Message.objects.create(
                    recipient=person,
                    subject=subject,
                    body=body,
                    link=link,
                    level=level,
                    channel=Channel.INBOX,
                )
            )
            if Channel.SMS in channels:
                gateway().send(recipient=person, text=subject, level=level)
    if Channel.EMAIL in channels:
        # Mail leaves the building: only once the caller's transaction has committed, so a
        # step that is rolled back never sends a message about itself.
        addressed = list(people.values())
        transaction.on_commit(
            lambda: _email(addressed, subject=subject, body=body, link=link), robust=True
        )
    return messages


def _email(people: Iterable[User], *, subject: str, body: str, link: str) -> None:
    text = body if not link else f"{body}\n\n{link}".strip()
    for person in people:
        if not person.email:
            continue
        try:
            send_mail(subject, text, None, [person.email])
        except Exception:  # a mail server down must not undo the notification
            logger.exception("notification e-mail to user %s failed", person.pk)
