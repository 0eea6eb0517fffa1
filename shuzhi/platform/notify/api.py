"""The notify API router (under /api/v1/notify/): one's own inbox, and marking it read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .models import Message
from .selectors import inbox, message_for, unread_count
from .services import message_mark_read, messages_mark_all_read

router = Router(tags=["notify"])


class MessageOut(Schema):
    id: int
    subject: str
    body: str
    link: str
    level: str
    channel: str
    created_at: datetime
    read_at: datetime | None


class InboxOut(Schema):
    unread: int = Field(..., description="How many of my messages are unread.")
    messages: list[MessageOut]


class ReadAllOut(Schema):
    marked: int


@router.get("/messages", response=InboxOut, summary="My messages, unread first")
def messages(request: HttpRequest, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> InboxOut:
    user = request.user
    return InboxOut(
        unread=unread_count(user),  # type: ignore[arg-type]
        messages=[MessageOut.model_validate(m) for m in inbox(user, limit)],  # type: ignore[arg-type]
    )


@router.post("/messages/{message_id}/read", response=MessageOut, summary="Mark my message read")
def message_read(request: HttpRequest, message_id: int) -> Message:
    message = message_for(request.user, message_id)  # type: ignore[arg-type]
    return message_mark_read(by=request.user, message=message, request=request)  # type: ignore[arg-type]


@router.post("/messages/read", response=ReadAllOut, summary="Mark all my messages read")
def messages_read(request: HttpRequest) -> ReadAllOut:
    marked = messages_mark_all_read(by=request.user, request=request)  # type: ignore[arg-type]
    return ReadAllOut(marked=marked)
