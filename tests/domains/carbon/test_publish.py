"""The run's derived datasets: registered and published through the catalogue, graded,
shared on conditions and never opened, with lineage to their inputs and the factor table."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shuzhi.domains.carbon.services.publish import (
    ANNUAL,
    DERIVED,
    ENERGY_INPUTS,
    FACTORS,
    MONTHLY,
    OUTPUT_INPUT,
    derived_datasets_ensure,
)
from shuzhi.domains.carbon.services.run import accounting_run
from shuzhi.platform.catalog.models import Dataset, Grade, LineageEdge, Status
from shuzhi.platform.catalog.rules import publish_problems
from shuzhi.platform.sharing.services import share_request_approve, share_request_create
from tests.domains.carbon.run_city import City, build_city
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(tmp_path: Path, settings: Any) -> City:
    settings.DATA_DIR = tmp_path
    return build_city(tmp_path)


@pytest.fixture
def bare_city(tmp_path: Path, settings: Any) -> City:
    settings.DATA_DIR = tmp_path
    return build_city(tmp_path, codes=(), seed_factors=False)


def test_derived_datasets_are_graded_conditional_closed_and_published(bare_city: City) -> None:
    found = derived_datasets_ensure(by=bare_city.drc)

    assert set(found) == {MONTHLY, ANNUAL, FACTORS}
    for code in (MONTHLY, ANNUAL):
        dataset = Dataset.objects.get(code=code)
        assert dataset.owner.code == "330800-DRC"
        assert dataset.status == Status.PUBLISHED
        assert dataset.share_attribute == "conditional"
        assert dataset.share_condition.strip()
        assert dataset.open_attribute == "closed"
        assert publish_problems(dataset) == []
        grades = [f.grade for f in dataset.fields.all()]
        assert all(g is not None and g <= dataset.grade for g in grades)
        assert max(grades) < Grade.L3  # nothing needs encrypting: joins stay plain
    assert {f.name for f in Dataset.objects.get(code=ANNUAL).fields.filter(is_key=True)} == {
        "credit_code",
        "year",
    }
    again = derived_datasets_ensure(by=bare_city.drc)  # idempotent
    assert {c: d.pk for c, d in again.items()} == {c: d.pk for c, d in found.items()}


def test_lineage_names_the_inputs_the_factor_table_and_the_factor_version(city: City) -> None:
    accounting_run(year=2024, by=city.drc)

    edges = {
        (e.source.code, e.target.code): e.transformation
        for e in LineageEdge.objects.select_related("source", "target")
    }
    for code in ENERGY_INPUTS:
        assert "default-2024" in edges[(code, MONTHLY)]
    assert "default-2024" in edges[(OUTPUT_INPUT, ANNUAL)]
    assert "default-2024" in edges[(FACTORS, MONTHLY)]
    assert "default-2024" in edges[(FACTORS, ANNUAL)]
    assert (MONTHLY, ANNUAL) in edges


def test_the_factor_table_is_loaded_once_per_factor_version(city: City) -> None:
    first = accounting_run(year=2024, by=city.drc)
    second = accounting_run(year=2025, by=city.drc)
    assert FACTORS in first.report["outputs"]
    assert FACTORS not in second.report["outputs"]  # the same version is already there
    assert len(DERIVED) == 3


def test_only_the_carbon_steward_publishes(bare_city: City) -> None:
    for user in (bare_city.eib, bare_city.supervisor):
        with pytest.raises(PermissionDenied):
            derived_datasets_ensure(by=user)
    assert not Dataset.objects.filter(code__in=[d.code for d in DERIVED]).exists()


def test_a_bank_gets_the_annual_grades_through_an_approved_grant(city: City) -> None:
    accounting_run(year=2024, by=city.drc)
    bank_department = city.drc.department.__class__.objects.get(code="330800-BANK")
    banker = UserFactory(username="banker", department=bank_department, roles=["bank"])
    approver = UserFactory(
        username="drc_approver", department=city.drc.department, roles=["approver"]
    )
    annual = Dataset.objects.get(code=ANNUAL)
    outcome = share_request_create(
        by=banker,
        dataset=annual,
        fields=["credit_code", "enterprise_name", "year", "colour", "intensity"],
        purpose="绿色信贷差异化定价",
        legal_basis="企业授权",
        period_end=timezone.localdate() + timedelta(days=30),
    )
    assert outcome.grant is None  # conditional: the owner decides
    grant = share_request_approve(share_request=outcome.share_request, by=approver)
    assert grant.dataset == annual
    assert "colour" in grant.fields
    with pytest.raises(PermissionDenied):  # the steward is not an approver
        share_request_approve(share_request=outcome.share_request, by=city.drc)
