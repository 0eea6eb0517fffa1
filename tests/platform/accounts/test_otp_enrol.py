from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuzhi.platform.accounts.services import otp_device_enrol
from shuzhi.platform.audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _enrol(*args: str) -> str:
    out = StringIO()
    call_command("otp_enrol", *args, stdout=out)
    return out.getvalue()


def test_enrol_prints_the_key_and_url_of_a_new_confirmed_device_and_audits() -> None:
    admin = UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    TOTPDevice.objects.create(user=admin, name="half done", confirmed=False)
    output = _enrol("admin")
    device = TOTPDevice.objects.get(user=admin)
    assert device.confirmed
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    assert secret in output
    assert device.config_url in output
    assert "█" in output or "▀" in output  # the QR code, drawn in text
    entry = AuditEntry.objects.get(action="otp.enrol")
    assert entry.actor == "cli"
    assert entry.target_id == str(admin.pk)
    assert entry.details == {"device": device.persistent_id}
    assert secret not in str(entry.details)


def test_enrol_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="no user"):
        _enrol("nobody")


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_enrol_refuses_someone_who_is_not_a_system_administrator(role: str) -> None:
    UserFactory(username="li", roles=[role], is_staff=True)
    with pytest.raises(CommandError, match="not a system administrator"):
        _enrol("li")
    assert not TOTPDevice.objects.exists()
    assert not AuditEntry.objects.filter(action="otp.enrol").exists()


def test_enrol_keeps_an_existing_device_unless_told_to_replace_it() -> None:
    admin = UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    old = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    with pytest.raises(CommandError, match="--replace"):
        _enrol("admin")
    assert list(TOTPDevice.objects.filter(user=admin)) == [old]
    _enrol("admin", "--replace")
    new = TOTPDevice.objects.get(user=admin)
    assert new.pk != old.pk
    assert new.confirmed
    entry = AuditEntry.objects.get(action="otp.replace")
    assert entry.details == {"device": new.persistent_id, "replaced": [old.persistent_id]}
    assert not AuditEntry.objects.filter(action="otp.enrol").exists()


def test_only_a_system_administrator_may_enrol_another() -> None:
    admin = UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    clerk = UserFactory(username="li", roles=["clerk"])
    with pytest.raises(PermissionDenied):
        otp_device_enrol(user=admin, by=clerk)
    assert not TOTPDevice.objects.exists()


def test_a_system_administrator_enrols_another_and_is_named_in_the_entry() -> None:
    admin = UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    root = UserFactory(username="root", roles=["system_admin"], is_staff=True)
    device = otp_device_enrol(user=admin, by=root)
    assert device.user_id == admin.pk
    assert AuditEntry.objects.get(action="otp.enrol").actor == "root"
