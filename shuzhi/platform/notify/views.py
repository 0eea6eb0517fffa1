"""Inbox pages (thin): my messages, unread first; mark one or all read; open a message's link."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .selectors import inbox_queryset, message_for, unread_count
from .send import safe_link
from .services import message_mark_read, messages_mark_all_read

PAGE_SIZE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """My messages (我的消息): unread first, then newest first, 30 a page."""
    page = Paginator(inbox_queryset(request.user), PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "unread": unread_count(request.user)},  # type: ignore[arg-type]
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = message_for(request.user, pk)  # type: ignore[arg-type]
    message_mark_read(by=request.user, message=message, request=request)  # type: ignore[arg-type]
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = messages_mark_all_read(by=request.user, request=request)  # type: ignore[arg-type]
    if marked:
        flash.success(request, _("All messages are marked read."))
    return redirect("notify:inbox")


@login_required
@require_POST
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the message read and follow its link (a path on this site only)."""
    message = message_for(request.user, pk)  # type: ignore[arg-type]
    message_mark_read(by=request.user, message=message, request=request)  # type: ignore[arg-type]
    return redirect(safe_link(message.link) or "notify:inbox")
