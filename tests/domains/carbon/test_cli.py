"""`shuzhi carbon run --year YYYY --user USERNAME`: stages shown, clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from shuzhi.domains.carbon.models import AccountingRun, FactorSet
from tests.domains.carbon.run_city import build_city

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The command's messages in English, as these tests read them (test_i18n keeps the
    Chinese catalogue complete)."""
    with translation.override("en"):
        yield


def test_run_shows_its_stages_and_a_summary(
    tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DATA_DIR = tmp_path
    build_city(tmp_path, years=(2024,))
    call_command("carbon", "run", "--year", "2024", "--user", "drc_steward")
    out = capsys.readouterr().out
    assert "[1/4]" in out
    assert "[4/4]" in out
    run = AccountingRun.objects.get()
    assert f"Accounting run #{run.pk} for 2024 complete" in out
    assert "15 enterprises, 11 graded" in out
    assert "carbon_account_annual v1" in out
    assert "missing_months 2" in out


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("nobody", "no such active user"),
        ("eib_steward", "not a data steward of the carbon department 330800-DRC"),
        ("supervisor", "not a data steward of the carbon department"),
    ],
)
def test_wrong_users_are_refused(tmp_path: Path, settings: Any, user: str, message: str) -> None:
    settings.DATA_DIR = tmp_path
    build_city(tmp_path, codes=())
    with pytest.raises(CommandError, match=message):
        call_command("carbon", "run", "--year", "2024", "--user", user)
    assert not AccountingRun.objects.exists()


def test_no_active_factor_set_is_a_clear_error(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    build_city(tmp_path, codes=(), seed_factors=False)
    assert not FactorSet.objects.exists()
    with pytest.raises(CommandError, match="no_factor_set: No emission-factor set is active"):
        call_command("carbon", "run", "--year", "2024", "--user", "drc_steward")


def test_no_input_data_is_a_clear_error(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    build_city(tmp_path, codes=())
    with pytest.raises(CommandError, match="no_input: No input data"):
        call_command("carbon", "run", "--year", "2024", "--user", "drc_steward")
