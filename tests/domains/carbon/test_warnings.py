"""Warnings of a run open loop tasks for the economy bureau: an enterprise falling to red, a
county whose intensity rises; one task per source while it is open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.domains.carbon.services.run import accounting_run
from shuzhi.domains.carbon.services.warnings import run_warnings_raise
from shuzhi.platform.accounts.models import Department
from shuzhi.platform.loop.models import Task
from tests.domains.carbon.run_city import JIANGSHAN, KECHENG, City, build_city, by_key

pytestmark = pytest.mark.django_db


def red_source_ref(credit_code: str, year: int) -> str:
    return f"carbon:red:{credit_code}:{year}"


def county_source_ref(county_code: str, year: int) -> str:
    return f"carbon:county:{county_code}:{year}"


@pytest.fixture
def city(tmp_path: Path, settings: Any) -> City:
    settings.DATA_DIR = tmp_path
    return build_city(tmp_path)


def test_first_year_opens_nothing_there_is_nothing_to_fall_from(city: City) -> None:
    run = accounting_run(year=2024, by=city.drc)
    assert not Task.objects.filter(type_code="carbon").exists()
    assert run.report["warnings"]["opened"] == {"red": 0, "county": 0}


def test_falling_to_red_and_rising_county_intensity_open_tasks_for_the_bureau(
    city: City,
) -> None:
    bureau = Department.objects.get(code="330800-EIB")
    accounting_run(year=2024, by=city.drc)
    run = accounting_run(year=2025, by=city.drc)

    tasks = {t.source_ref: t for t in Task.objects.filter(type_code="carbon")}
    assert set(tasks) == {
        red_source_ref(by_key("E1").code, 2025),  # best in 2024, red in 2025
        county_source_ref(JIANGSHAN, 2025),  # Jiangshan's intensity rose
    }
    assert red_source_ref(by_key("E8").code, 2025) not in tasks  # red already in 2024
    assert county_source_ref(KECHENG, 2025) not in tasks  # Kecheng's fell
    for task in tasks.values():
        assert task.department == bureau  # routed straight to 市经信局, no dispatch rule needed
        assert task.source == "carbon"
    red = tasks[red_source_ref(by_key("E1").code, 2025)]
    assert red.division_id == KECHENG
    assert "default-2024" in red.description
    assert run.report["warnings"] == {
        "opened": {"red": 1, "county": 1},
        "already_open": {"red": 0, "county": 0},
        "routed_to": "330800-EIB",
    }


def test_a_rerun_does_not_open_a_second_task_for_an_open_one(city: City) -> None:
    accounting_run(year=2024, by=city.drc)
    accounting_run(year=2025, by=city.drc)
    rerun = accounting_run(year=2025, by=city.drc)

    assert Task.objects.filter(type_code="carbon").count() == 2
    # against the replaced 2025 run E1 was red already; Jiangshan's task is still open
    assert rerun.report["warnings"]["opened"] == {"red": 0, "county": 0}
    assert rerun.report["warnings"]["already_open"]["county"] == 1
    assert rerun.report["warnings"]["routed_to"] == "330800-EIB"


def test_without_the_bureau_tasks_wait_for_dispatch(city: City, settings: Any) -> None:
    settings.CARBON_TASK_DEPARTMENT = "330800-NONE"
    accounting_run(year=2024, by=city.drc)
    run = accounting_run(year=2025, by=city.drc)
    tasks = Task.objects.filter(type_code="carbon")
    assert tasks.exists()
    assert all(t.department_id is None for t in tasks)
    assert run.report["warnings"]["routed_to"] == ""


def test_only_the_carbon_steward_raises_warnings(city: City) -> None:
    run = accounting_run(year=2024, by=city.drc)
    for user in (city.eib, city.supervisor):
        with pytest.raises(PermissionDenied):
            run_warnings_raise(run=run, by=user)
