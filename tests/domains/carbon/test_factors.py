"""The emission-factor table: drafts copy the active set, only drafts change, values are checked,
activation retires the previous set; only the carbon department's data stewards edit; every
change and refusal is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.domains.carbon.models import ActivityFactor, FactorSet
from shuzhi.domains.carbon.services.factors import (
    FactorError,
    factor_set_activate,
    factor_set_draft_create,
    factor_set_save,
)
from shuzhi.platform.accounts.models import User
from tests.domains.carbon.test_finance import drc, entries, factor_set
from tests.factories import DepartmentFactory, DivisionFactory, UserFactory

HEADER = {
    "title": "2026 因子",
    "source": "GB/T 32150-2015",
    "heat_factor": "0.11",
    "heat_source": "GB/T 32150-2015",
}
COAL = {
    "fuel": "raw_coal",
    "ncv": "20.908",
    "ncv_unit": "GJ/t",
    "carbon_content": "26.37",
    "oxidation": "0.94",
    "source": "省级清单",
}
GAS = {
    "fuel": "natural_gas",
    "ncv": "389.31",
    "ncv_unit": "GJ/10^4Nm3",
    "carbon_content": "15.3",
    "oxidation": "0.99",
    "source": "省级清单",
}
GRID = {"year": 2023, "region": "east_china", "value": "0.5500", "source": "生态环境部 2023"}
FOREST = {
    "domain": "agriculture",
    "activity": "forest",
    "unit": "ha",
    "value": "-5.2",
    "source": "林业碳汇方法学",
}


@pytest.fixture
def steward(db: None) -> User:
    return UserFactory(username="drc_steward", roles=["data_steward"], department=drc())


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


def test_draft_is_a_copy_of_the_active_set_and_is_audited(steward: User) -> None:
    active = factor_set()
    draft = factor_set_draft_create(by=steward, version="2026.1")
    assert draft.state == FactorSet.State.DRAFT
    assert draft.created_by == steward
    assert list(draft.fuels.values_list("fuel", "ncv")) == list(
        active.fuels.values_list("fuel", "ncv")
    )
    assert draft.grids.count() == 1
    assert draft.source == active.source
    entry = entries("carbon.factors_save", "success")[-1]
    assert entry.details["copied_from"] == "2025.1"
    assert entry.details["created"] is True


def test_draft_version_must_be_new(steward: User) -> None:
    factor_set()
    with pytest.raises(FactorError):
        factor_set_draft_create(by=steward, version="2025.1")
    with pytest.raises(FactorError):
        factor_set_draft_create(by=steward, version=" ")


def test_save_replaces_rows_and_activate_retires_the_previous_set(steward: User) -> None:
    old = factor_set()
    draft = factor_set_draft_create(by=steward, version="2026.1")
    factor_set_save(
        by=steward,
        factor_set=draft,
        header=HEADER,
        fuels=[COAL, GAS],
        grids=[GRID],
        activities=[FOREST],
    )
    assert sorted(draft.fuels.values_list("fuel", flat=True)) == ["natural_gas", "raw_coal"]
    assert ActivityFactor.objects.get(factor_set=draft).value == Decimal("-5.2")
    factor_set_activate(by=steward, factor_set=draft)
    old.refresh_from_db()
    draft.refresh_from_db()
    assert (old.state, draft.state) == (FactorSet.State.RETIRED, FactorSet.State.ACTIVE)
    assert draft.activated_at is not None
    assert entries("carbon.factors_activate", "success")[-1].details["retired"] == ["2025.1"]
    assert FactorSet.objects.filter(state=FactorSet.State.ACTIVE).count() == 1


@pytest.mark.parametrize(
    ("section", "row", "field"),
    [
        ("fuels", {**COAL, "ncv": "0"}, "ncv"),
        ("fuels", {**COAL, "ncv": "-3"}, "ncv"),
        ("fuels", {**COAL, "carbon_content": "0"}, "carbon_content"),
        ("fuels", {**COAL, "oxidation": "1.2"}, "oxidation"),
        ("fuels", {**COAL, "oxidation": "0"}, "oxidation"),
        ("fuels", {**COAL, "source": ""}, "source"),
        ("grids", {**GRID, "value": "-0.1"}, "value"),
        ("grids", {**GRID, "source": "  "}, "source"),
        ("grids", {**GRID, "year": 1800}, "year"),
        ("activities", {**FOREST, "source": ""}, "source"),
        ("activities", {**FOREST, "domain": "industry"}, "domain"),
    ],
)
def test_invalid_values_are_refused_naming_the_value(
    steward: User, section: str, row: dict[str, Any], field: str
) -> None:
    draft = factor_set_draft_create(by=steward, version="2026.1")
    rows: dict[str, list[dict[str, Any]]] = {"fuels": [COAL], "grids": [GRID], "activities": []}
    rows[section] = [row]
    with pytest.raises(FactorError) as refused:
        factor_set_save(by=steward, factor_set=draft, header=HEADER, **rows)
    assert [(e.section, e.index, e.field) for e in refused.value.errors] == [(section, 0, field)]
    assert not draft.fuels.exists()  # nothing was written


def test_header_needs_sources_and_a_positive_heat_factor(steward: User) -> None:
    draft = factor_set_draft_create(by=steward, version="2026.1")
    with pytest.raises(FactorError) as refused:
        factor_set_save(
            by=steward,
            factor_set=draft,
            header={**HEADER, "heat_factor": "0", "heat_source": ""},
            fuels=[COAL],
            grids=[GRID],
            activities=[],
        )
    assert {e.field for e in refused.value.errors} == {"heat_factor", "heat_source"}


def test_duplicate_rows_are_refused(steward: User) -> None:
    draft = factor_set_draft_create(by=steward, version="2026.1")
    with pytest.raises(FactorError) as refused:
        factor_set_save(
            by=steward,
            factor_set=draft,
            header=HEADER,
            fuels=[COAL, COAL],
            grids=[GRID, GRID],
            activities=[],
        )
    assert {(e.section, e.index) for e in refused.value.errors} == {("fuels", 1), ("grids", 1)}


def test_active_and_retired_sets_cannot_be_edited_and_the_refusal_is_audited(
    steward: User,
) -> None:
    active = factor_set()
    retired = factor_set(version="2024.1", state=FactorSet.State.RETIRED)
    for target in (active, retired):
        with pytest.raises(FactorError):
            factor_set_save(
                by=steward,
                factor_set=target,
                header=HEADER,
                fuels=[COAL],
                grids=[GRID],
                activities=[],
            )
        with pytest.raises(FactorError):
            factor_set_activate(by=steward, factor_set=target)
    assert {e.details["code"] for e in entries("carbon.factors_save", "denied")} == {"not_draft"}
    assert len(entries("carbon.factors_activate", "denied")) == 2
    assert active.fuels.get().ncv == Decimal("20.908")


def test_a_draft_without_fuels_cannot_be_activated(steward: User) -> None:
    draft = factor_set_draft_create(by=steward, version="first")  # no set to copy: empty
    with pytest.raises(FactorError):
        factor_set_activate(by=steward, factor_set=draft)
    draft.refresh_from_db()
    assert draft.state == FactorSet.State.DRAFT


def test_steward_of_another_department_is_refused_and_audited(db: None) -> None:
    factor_set()
    other = DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())
    outsider = UserFactory(username="eib_steward", roles=["data_steward"], department=other)
    with pytest.raises(PermissionDenied):
        factor_set_draft_create(by=outsider, version="2026.1")
    draft = FactorSet.objects.create(version="d", title="d", source="s")
    with pytest.raises(PermissionDenied):
        factor_set_activate(by=outsider, factor_set=draft)
    assert entries("carbon.factors_save", "denied")[-1].details["code"] == "other_department"
    assert entries("carbon.factors_activate", "denied")[-1].details["code"] == "other_department"


@pytest.mark.parametrize("role", ["clerk", "approver", "leader", "bank", "enterprise"])
def test_other_roles_of_the_carbon_department_are_refused(db: None, role: str) -> None:
    user = UserFactory(username=f"drc_{role}", roles=[role], department=drc())
    with pytest.raises(PermissionDenied):
        factor_set_draft_create(by=user, version="2026.1")
    assert entries("carbon.factors_save", "denied")[-1].details["code"] == "forbidden"
