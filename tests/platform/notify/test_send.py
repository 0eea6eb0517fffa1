"""Sending notifications: inbox always, e-mail and the local SMS adapter on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from shuzhi.platform.notify.models import Channel, Message
from shuzhi.platform.notify.selectors import inbox, unread_count
from shuzhi.platform.notify.send import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_inbox_message_per_recipient_once() -> None:
    alice = UserFactory(username="alice", roles=["clerk"])
    bob = UserFactory(username="bob", roles=["clerk"])
    sent = notify(
        recipients=[alice, bob, alice], subject="任务已派发", body="请处理", link="/loop/tasks/1"
    )
    assert len(sent) == 2
    assert {m.recipient_id for m in sent} == {alice.pk, bob.pk}
    assert unread_count(alice) == 1
    assert inbox(alice, 10)[0].link == "/loop/tasks/1"
    assert mail.outbox == []


def test_foreign_links_are_dropped() -> None:
    alice = UserFactory(username="alice")
    for link in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]:
        (message,) = notify(recipients=[alice], subject="x", link=link)
        assert message.link == ""


def test_email_skips_people_without_an_address(
    django_capture_on_commit_callbacks: Any,
) -> None:
    alice = UserFactory(username="alice", email="alice@example.gov.cn")
    bob = UserFactory(username="bob", email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[alice, bob],
            subject="逾期提醒",
            body="任务将到期",
            channels=["inbox", "email"],
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.gov.cn"]
    assert mail.outbox[0].subject == "逾期提醒"
    assert Message.objects.count() == 2


def test_local_sms_writes_the_log_and_an_inbox_copy(settings: Any, tmp_path: Path) -> None:
    settings.SMS_LOG_FILE = tmp_path / "sms" / "sms.log"
    alice = UserFactory(username="alice")
    notify(
        recipients=[alice], subject="督办：任务已逾期\n请尽快处理", channels=["sms"], level="urgent"
    )
    lines = (tmp_path / "sms" / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("\talice\t督办：任务已逾期 请尽快处理")
    assert Message.objects.filter(recipient=alice, channel=Channel.SMS, level="urgent").count() == 1
    assert unread_count(alice) == 2  # the inbox message and the SMS copy


def test_bad_arguments_are_refused() -> None:
    alice = UserFactory(username="alice")
    with pytest.raises(ValueError, match="channels"):
        notify(recipients=[alice], subject="x", channels=["pigeon"])
    with pytest.raises(ValueError, match="level"):
        notify(recipients=[alice], subject="x", level="panic")
    with pytest.raises(ValueError, match="subject"):
        notify(recipients=[alice], subject="  ")
    assert Message.objects.count() == 0


def test_inactive_people_get_nothing() -> None:
    gone = UserFactory(username="gone", is_active=False)
    assert notify(recipients=[gone], subject="x") == []


def test_email_waits_for_the_commit_and_is_not_sent_on_rollback(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import transaction

    alice = UserFactory(username="alice", email="alice@example.gov.cn")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify(recipients=[alice], subject="逾期提醒", channels=["inbox", "email"])
            assert mail.outbox == []  # not before the commit

        class Undo(Exception):
            pass

        def rolled_back() -> None:
            with transaction.atomic():
                notify(recipients=[alice], subject="撤回", channels=["inbox", "email"])
                raise Undo

        with pytest.raises(Undo):
            rolled_back()
    assert len(callbacks) == 1
    assert [m.subject for m in mail.outbox] == ["逾期提醒"]
    assert not Message.objects.filter(subject="撤回").exists()
