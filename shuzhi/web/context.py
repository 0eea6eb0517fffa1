"""Template context shared by every page of the shell."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shuzhi.platform.security.permissions import has_perm

from .navigation import NAVIGATION, Group


def visible_navigation(user: Any) -> list[Group]:
    groups = []
    for group in NAVIGATION:
        modules = tuple(
            m
            for m in group.modules
            if not m.permissions or any(has_perm(user, p) for p in m.permissions)
        )
        if modules:
            groups.append(Group(group.name, modules))
    return groups


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "city_name": settings.CITY_NAME,
        "navigation": visible_navigation(user) if user and user.is_authenticated else [],
        "large_text": request.COOKIES.get("large_text") == "1",
    }
