"""The inbox pages and API: each person sees and marks only their own messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404
from django.test import Client

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.notify.models import Message
from shuzhi.platform.notify.selectors import inbox, unread_count
from shuzhi.platform.notify.send import notify
from shuzhi.platform.notify.services import message_mark_read, messages_mark_all_read
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> User:
    return UserFactory(username="alice", roles=["clerk"])


@pytest.fixture
def bob() -> User:
    return UserFactory(username="bob", roles=["clerk"])


def _one(user: User, subject: str = "任务已派发", link: str = "/loop/") -> Message:
    (message,) = notify(recipients=[user], subject=subject, link=link)
    return message


# services and selectors


def test_unread_come_first(alice: User) -> None:
    first = _one(alice, "first")
    second = _one(alice, "second")
    message_mark_read(by=alice, message=second)
    third = _one(alice, "third")
    assert [m.pk for m in inbox(alice, 10)] == [third.pk, first.pk, second.pk]
    assert unread_count(alice) == 2


def test_marking_read_is_audited_and_idempotent(alice: User) -> None:
    message = _one(alice)
    message_mark_read(by=alice, message=message)
    read_at = Message.objects.get(pk=message.pk).read_at
    assert read_at is not None
    message_mark_read(by=alice, message=message)
    assert Message.objects.get(pk=message.pk).read_at == read_at
    assert AuditEntry.objects.filter(action="notify.read", actor="alice").count() == 1


def test_nobody_marks_someone_elses_message(alice: User, bob: User) -> None:
    message = _one(alice)
    with pytest.raises(Http404):
        message_mark_read(by=bob, message=message)
    assert unread_count(alice) == 1


def test_mark_all_read_touches_only_ones_own(alice: User, bob: User) -> None:
    _one(alice)
    _one(alice)
    _one(bob)
    assert messages_mark_all_read(by=alice) == 2
    assert unread_count(alice) == 0
    assert unread_count(bob) == 1
    assert AuditEntry.objects.get(action="notify.read_all").details == {"count": 2}


def test_signed_out_has_no_inbox(client: Client) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert unread_count(AnonymousUser()) == 0  # type: ignore[arg-type]
    assert unread_count(None) == 0


# pages


def test_inbox_page_lists_only_my_messages(
    alice: User, bob: User, logged_in: Callable[[User], Client]
) -> None:
    _one(alice, "给爱丽丝")
    _one(bob, "给鲍勃")
    response = logged_in(alice).get("/notify/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "给爱丽丝" in page
    assert "给鲍勃" not in page
    assert 'id="unread-count"' in page


def test_inbox_page_needs_sign_in(client: Client) -> None:
    response = client.get("/notify/")
    assert response.status_code == 302
    assert "/accounts/" in response.headers["Location"]


def test_mark_read_and_open_by_post(alice: User, logged_in: Callable[[User], Client]) -> None:
    client = logged_in(alice)
    message = _one(alice, link="/sharing/")
    assert client.get(f"/notify/{message.pk}/read/").status_code == 405
    assert client.post(f"/notify/{message.pk}/read/").status_code == 302
    assert unread_count(alice) == 0
    other = _one(alice, link="/sharing/")
    response = client.post(f"/notify/{other.pk}/open/")
    assert response.headers["Location"] == "/sharing/"
    assert unread_count(alice) == 0
    _one(alice)
    _one(alice)
    assert client.post("/notify/read/").status_code == 302
    assert unread_count(alice) == 0


def test_someone_elses_message_is_not_found(
    alice: User, bob: User, logged_in: Callable[[User], Client]
) -> None:
    message = _one(alice)
    client = logged_in(bob)
    assert client.post(f"/notify/{message.pk}/read/").status_code == 404
    assert client.post(f"/notify/{message.pk}/open/").status_code == 404
    assert unread_count(alice) == 1


def test_pages_require_csrf(alice: User) -> None:
    message = _one(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(f"/notify/{message.pk}/read/").status_code == 403
    assert client.post("/notify/read/").status_code == 403
    assert unread_count(alice) == 1


# API


def test_api_lists_my_messages(alice: User, bob: User, logged_in: Callable[[User], Client]) -> None:
    mine = _one(alice)
    _one(bob)
    body = logged_in(alice).get("/api/v1/notify/messages").json()
    assert body["unread"] == 1
    assert [m["id"] for m in body["messages"]] == [mine.pk]
    assert body["messages"][0]["read_at"] is None


def test_api_marks_my_message_read(alice: User, logged_in: Callable[[User], Client]) -> None:
    message = _one(alice)
    response = logged_in(alice).post(f"/api/v1/notify/messages/{message.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert unread_count(alice) == 0


def test_api_hides_someone_elses_message(
    alice: User, bob: User, logged_in: Callable[[User], Client]
) -> None:
    message = _one(alice)
    response = logged_in(bob).post(f"/api/v1/notify/messages/{message.pk}/read")
    assert response.status_code == 404
    assert unread_count(alice) == 1


def test_api_refuses_the_signed_out(alice: User, client: Client) -> None:
    message = _one(alice)
    assert client.get("/api/v1/notify/messages").status_code == 401
    assert client.post(f"/api/v1/notify/messages/{message.pk}/read").status_code == 401
    assert unread_count(alice) == 1


def test_api_mark_all_read(alice: User, logged_in: Callable[[User], Client]) -> None:
    _one(alice)
    _one(alice)
    response = logged_in(alice).post("/api/v1/notify/messages/read")
    assert response.json() == {"marked": 2}


def test_api_limit_is_bounded(alice: User, logged_in: Callable[[User], Client]) -> None:
    client = logged_in(alice)
    for _ in range(3):
        _one(alice)
    assert len(client.get("/api/v1/notify/messages?limit=2").json()["messages"]) == 2
    assert client.get("/api/v1/notify/messages?limit=0").status_code == 422
    assert client.get("/api/v1/notify/messages?limit=201").status_code == 422


def test_inbox_page_marks_levels_and_sms(
    alice: User, logged_in: Callable[[User], Client], settings: object, tmp_path: object
) -> None:
    settings.SMS_LOG_FILE = tmp_path / "sms.log"  # type: ignore[attr-defined,operator]
    notify(recipients=[alice], subject="紧急督办", level="urgent", channels=["inbox", "sms"])
    page = logged_in(alice).get("/notify/").content.decode()
    assert "text-bg-danger" in page
    assert "短信" in page  # the SMS badge, in the page's language
    assert page.count("紧急督办") == 2


def test_bell_shows_the_unread_count(alice: User, rf: object) -> None:
    from django.template.loader import render_to_string

    from shuzhi.platform.notify.context_processors import inbox_bell

    for _ in range(3):
        _one(alice)
    request = rf.get("/")  # type: ignore[attr-defined]
    request.user = alice
    context = {"user": alice, **inbox_bell(request)}
    html = render_to_string("notify/_bell.html", context)
    assert 'id="inbox-unread">3<' in html
    assert 'href="/notify/"' in html
    messages_mark_all_read(by=alice)
    context = {"user": alice, **inbox_bell(request)}
    assert "inbox-unread" not in render_to_string("notify/_bell.html", context)


def test_bell_caps_at_99(alice: User, rf: object) -> None:
    from django.template.loader import render_to_string

    from shuzhi.platform.notify.context_processors import inbox_bell

    notify(recipients=[alice], subject="x")
    Message.objects.bulk_create(Message(recipient=alice, subject=f"m{i}") for i in range(120))
    request = rf.get("/")  # type: ignore[attr-defined]
    request.user = alice
    context = inbox_bell(request)
    assert int(context["notify_unread"]) == 121  # type: ignore[call-overload]
    html = render_to_string("notify/_bell.html", {"user": alice, **context})
    assert 'id="inbox-unread">99+<' in html
