from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuzhi.platform.accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def second_factor_passed(client: Client) -> Callable[[User], Client]:
    """Sign a person in as if they had entered a valid TOTP code as well."""

    def sign_in(user: User) -> Client:
        device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


@pytest.fixture
def root(db: None) -> User:
    """A system administrator of the back office."""
    return UserFactory(username="root", roles=["system_admin"], is_staff=True, is_superuser=True)


@pytest.fixture
def back_office(root: User, second_factor_passed: Callable[[User], Client]) -> Client:
    """A client signed in as ``root``, past the second factor."""
    return second_factor_passed(root)
