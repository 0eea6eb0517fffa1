from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuzhi.platform.workdays.selectors import clear_cache
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """Each test reads the calendar of its own database state."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def back_office(client: Client, db: None) -> Client:
    """A client signed in as a system administrator past the second factor."""
    root = UserFactory(username="root", roles=["system_admin"], is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=root, name="t", confirmed=True)
    client.force_login(root)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
