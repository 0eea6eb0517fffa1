"""The unread count for the inbox bell in the top bar (未读消息数).

Add ``"shuzhi.platform.notify.context_processors.inbox_bell"`` to the template context
processors and ``{% include "notify/_bell.html" %}`` to the top bar. The count is read only when a
template uses it, and at most once per page.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from .selectors import unread_count


class UnreadCount:
    """An integer read from the database on first use."""

    def __init__(self, user: Any) -> None:
        self._user = user

    @cached_property
    def value(self) -> int:
        return unread_count(self._user)

    def __int__(self) -> int:
        return self.value

    def __index__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return str(self.value)

    def __eq__(self, other: object) -> bool:
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)

    def __gt__(self, other: int) -> bool:
        return self.value > other

    def __lt__(self, other: int) -> bool:
        return self.value < other


def inbox_bell(request: HttpRequest) -> dict[str, object]:
    return {"notify_unread": UnreadCount(getattr(request, "user", None))}
