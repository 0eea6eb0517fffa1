"""The SMS adapter (短信网关适配): a protocol, and the local stand-in used here.

The real gateway (运营商短信平台) cannot be reached from this machine; :class:`LocalSms` keeps
the text in the recipient's inbox (channel ``sms``) and appends one line to
``settings.SMS_LOG_FILE``, so that what would have been sent can be read and tested.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from shuzhi.platform.accounts.models import User

from .models import Channel, Level, Message

MAX_SMS = 500  # characters kept of one text (a long SMS is split by the gateway)


class SmsGateway(Protocol):
    """Sends one text message to one person."""

    def send(self, *, recipient: User, text: str, level: str = Level.INFO) -> Message | None:
        """Send ``text``; return the inbox copy when the gateway keeps one."""
        ...


class LocalSms:
    """Local stand-in for the gateway: inbox copy plus one line in ``SMS_LOG_FILE``."""

    def send(self, *, recipient: User, text: str, level: str = Level.INFO) -> Message | None:
        text = text[:MAX_SMS]
        message = Message.objects.create(
            recipient=recipient,
            subject=text[:200],
            body=text,
            level=level,
            channel=Channel.SMS,
        )
        line = " ".join(text.split())  # one line per text, whatever the text holds
        stamp = timezone.localtime().isoformat(timespec="seconds")
        path = Path(settings.SMS_LOG_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"{stamp}\t{recipient.username}\t{line}\n")
        return message


def gateway() -> SmsGateway:
    """The gateway in use (a setting will choose a real one later)."""
    return LocalSms()
