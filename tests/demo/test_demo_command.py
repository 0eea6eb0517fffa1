"""`shuzhi demo`: every role gets an account, data is valid, and a re-run changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shuzhi.demo.people import CONSUMERS, DEMO_ACCOUNTS, DEMO_PASSWORD, DEPARTMENTS
from shuzhi.domains.market.models import Enterprise
from shuzhi.domains.services.models import Resident
from shuzhi.platform.accounts.models import Department, Division, Role, User
from shuzhi.platform.accounts.services import login_attempt
from shuzhi.platform.audit.verify import audit_chain_verify
from shuzhi.platform.security.identifiers import check_credit_code, check_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _demo_mode(settings: object, tmp_path: object) -> None:
    settings.DEMO_MODE = True  # type: ignore[attr-defined]
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]  # the demo data files go here
    # Argon2 costs a fifth of a second per demo account; these tests need no real hashing
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def test_demo_refuses_outside_demo_mode(settings: object) -> None:
    settings.DEMO_MODE = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="SHUZHI_DEMO_MODE"):
        call_command("demo", "--scale", "1", "--no-progress")
    assert not User.objects.exists()


def test_demo_builds_the_city_and_a_rerun_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--scale", "1", "--no-progress", "--no-datasets")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    counts = (
        Division.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        Enterprise.objects.count(),
        Resident.objects.count(),
    )
    assert counts[3:] == (1000, 10000)
    assert Division.objects.filter(level="county").count() == 6
    assert Division.objects.filter(level="town").count() >= 30
    assert len(DEPARTMENTS) == 15
    assert Department.objects.filter(division_id="330800").count() == 15 + len(CONSUMERS)
    assert Department.objects.filter(division_id="330881", parent__isnull=False).count() == 15
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role.values)
    assert all(
        check_credit_code(c).valid for c in Enterprise.objects.values_list("credit_code", flat=True)
    )
    sample = list(Resident.objects.all()[:200])
    assert all(check_id_number(r.id_number).valid for r in sample)

    call_command("demo", "--scale", "1", "--no-progress", "--no-datasets")
    assert (
        Division.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        Enterprise.objects.count(),
        Resident.objects.count(),
    ) == counts
    assert audit_chain_verify().ok


def test_demo_accounts_sign_in_with_the_printed_password() -> None:
    call_command("demo", "--scale", "1", "--no-progress")  # the full demo, datasets included
    result = login_attempt(request=None, username="clerk", password=DEMO_PASSWORD)
    assert result.user is not None
    assert result.user.has_role("clerk")
    assert result.user.department.code == "330800-AMR"


@pytest.mark.parametrize("scale", ["0", "-3", "100000"])
def test_bad_scale_is_refused_and_loads_nothing(scale: str) -> None:
    with pytest.raises(CommandError, match="--scale"):
        call_command("demo", "--scale", scale, "--no-progress")
    assert not Enterprise.objects.exists()


def test_demo_otp_refuses_outside_demo_mode(settings: object) -> None:
    settings.DEMO_MODE = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="SHUZHI_DEMO_MODE"):
        call_command("demo_otp")


def test_demo_otp_code_passes_the_admin_second_factor(
    settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("demo", "--scale", "1", "--no-progress", "--no-datasets")
    settings.DEMO_MODE = True  # type: ignore[attr-defined]
    capsys.readouterr()
    call_command("demo_otp")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6
    assert TOTPDevice.objects.get(user__username="admin").verify_token(code)
