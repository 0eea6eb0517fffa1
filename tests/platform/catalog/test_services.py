from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset, Field, LineageEdge
from shuzhi.platform.catalog.services import (
    FieldInput,
    PublishRefused,
    dataset_publish,
    dataset_update,
    lineage_add,
)
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_steward_registers_a_draft_with_fields_and_it_is_audited(make_dataset: Any) -> None:
    dataset = make_dataset()
    assert dataset.status == "draft"
    assert [f.name for f in dataset.fields.all()] == ["credit_code", "name", "legal_rep"]
    assert dataset.fields.get(name="legal_rep").encrypted
    assert not dataset.fields.get(name="name").encrypted
    assert AuditEntry.objects.filter(action="dataset.create", target_id=str(dataset.pk)).exists()


def test_publishing_a_valid_dataset(make_dataset: Any, steward: User) -> None:
    dataset = dataset_publish(dataset=make_dataset(), by=steward)
    assert dataset.status == "published"
    assert dataset.published_at is not None


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"grade": 4, "open_attribute": "restricted"}, "l4_open"),
        ({"grade": 3, "open_attribute": "open"}, "open_without_deidentification"),
        ({"share_attribute": "none"}, "share_basis_missing"),
        ({"share_attribute": "conditional"}, "share_basis_missing"),
        ({"frequency": ""}, "no_frequency"),
        ({"grade": 2}, "field_above_dataset_grade"),
    ],
)
def test_each_failed_rule_is_explained(
    make_dataset: Any, steward: User, values: dict[str, Any], code: str
) -> None:
    dataset = make_dataset(**values)
    with pytest.raises(PublishRefused) as info:
        dataset_publish(dataset=dataset, by=steward)
    assert code in [p.code for p in info.value.problems]
    assert all(p.message for p in info.value.problems)
    dataset.refresh_from_db()
    assert dataset.status == "draft"
    refused = AuditEntry.objects.get(action="dataset.publish")
    assert refused.outcome == "denied"
    assert code in refused.details["problems"]


def test_deidentified_l3_may_open_and_legal_basis_allows_no_sharing(
    make_dataset: Any, steward: User
) -> None:
    dataset = make_dataset(
        open_attribute="open",
        deidentified=True,
        share_attribute="none",
        share_condition="《个人信息保护法》第十三条",
    )
    assert dataset_publish(dataset=dataset, by=steward).status == "published"


def test_ungraded_fields_block_publishing_and_are_named(make_dataset: Any, steward: User) -> None:
    dataset = make_dataset(
        fields=[FieldInput("x", "X", "string", {}), FieldInput("y", "Y", "integer", {})]
    )
    with pytest.raises(PublishRefused) as info:
        dataset_publish(dataset=dataset, by=steward)
    problem = next(p for p in info.value.problems if p.code == "field_not_graded")
    assert "x" in problem.message
    assert "y" in problem.message


def test_a_dataset_without_fields_cannot_be_published(make_dataset: Any, steward: User) -> None:
    with pytest.raises(PublishRefused) as info:
        dataset_publish(dataset=make_dataset(fields=[]), by=steward)
    assert "no_fields" in [p.code for p in info.value.problems]


def test_steward_of_another_department_cannot_edit(make_dataset: Any) -> None:
    dataset = make_dataset()
    other = UserFactory(
        username="drc_steward",
        roles=["data_steward"],
        department=DepartmentFactory(code="330800-DRC"),
    )
    with pytest.raises(PermissionDenied):
        dataset_update(dataset=dataset, by=other, name="改名")
    with pytest.raises(PermissionDenied):
        dataset_publish(dataset=dataset, by=other)
    dataset.refresh_from_db()
    assert dataset.name == "市场主体登记"


@pytest.mark.parametrize("role", ["clerk", "approver", "leader", "system_admin", "public"])
def test_other_roles_of_the_owner_department_cannot_edit(
    make_dataset: Any, amr: Department, role: str
) -> None:
    dataset = make_dataset()
    user = UserFactory(username=f"u_{role}", roles=[role], department=amr)
    with pytest.raises(PermissionDenied):
        dataset_update(dataset=dataset, by=user, name="改名")


def test_update_replaces_fields_and_records_what_changed(make_dataset: Any, steward: User) -> None:
    dataset = make_dataset()
    dataset_update(
        dataset=dataset,
        by=steward,
        name="市场主体登记信息",
        fields=[
            FieldInput("credit_code", "统一社会信用代码", "string", {"grade": 1, "is_key": True})
        ],
    )
    assert list(Field.objects.filter(dataset=dataset).values_list("name", flat=True)) == [
        "credit_code"
    ]
    entry = AuditEntry.objects.filter(action="dataset.update").latest("seq")
    assert entry.details == {"changed": ["name", "fields"]}


def test_bad_values_are_refused_and_change_nothing(make_dataset: Any, steward: User) -> None:
    dataset = make_dataset()
    with pytest.raises(ValidationError):
        dataset_update(dataset=dataset, by=steward, grade=9)
    with pytest.raises(ValueError, match="not editable"):
        dataset_update(dataset=dataset, by=steward, status="published")
    dataset.refresh_from_db()
    assert (dataset.grade, dataset.status) == (3, "draft")


def test_lineage_is_recorded_by_the_target_steward(make_dataset: Any, steward: User) -> None:
    source = make_dataset("energy")
    target = make_dataset("carbon")
    edge = lineage_add(
        source=source, target=target, transformation="× emission factors", by=steward
    )
    assert LineageEdge.objects.get() == edge
    with pytest.raises(ValueError, match="itself"):
        lineage_add(source=source, target=source, transformation="x", by=steward)
    assert Dataset.objects.count() == 2


@pytest.mark.parametrize("code", ["Bad-Code", "has-hyphen", "x", "9starts_with_digit", "空格 code"])
def test_dataset_codes_must_be_safe_table_names(make_dataset: Any, code: str) -> None:
    with pytest.raises(ValidationError):
        make_dataset(code)
    assert not Dataset.objects.filter(code=code).exists()


def test_a_published_dataset_cannot_be_edited_into_breaking_the_rules(
    make_dataset: Any, steward: User
) -> None:
    dataset = dataset_publish(dataset=make_dataset(), by=steward)
    with pytest.raises(PublishRefused) as info:
        dataset_update(dataset=dataset, by=steward, grade=4, open_attribute="open")
    assert "l4_open" in [p.code for p in info.value.problems]
    dataset.refresh_from_db()
    assert (dataset.grade, dataset.open_attribute, dataset.status) == (3, "restricted", "published")


def test_a_retired_dataset_is_not_published_again(make_dataset: Any, steward: User) -> None:
    from shuzhi.platform.catalog.services import dataset_retire

    dataset = dataset_retire(
        dataset=dataset_publish(dataset=make_dataset(), by=steward), by=steward
    )
    with pytest.raises(PublishRefused) as info:
        dataset_publish(dataset=dataset, by=steward)
    assert info.value.problems[0].code == "retired"


def test_lineage_hides_other_departments_drafts(make_dataset: Any, steward: User) -> None:
    from shuzhi.platform.catalog.selectors import lineage_graph

    source = make_dataset("draft_source")
    target = dataset_publish(dataset=make_dataset("public_target"), by=steward)
    lineage_add(source=source, target=target, transformation="x", by=steward)
    outsider = UserFactory(
        username="out", roles=["clerk"], department=DepartmentFactory(code="330800-FIN")
    )
    graph = lineage_graph(target, by=outsider)
    assert [n["id"] for n in graph["nodes"]] == ["public_target"]
    assert graph["edges"] == []
    assert len(lineage_graph(target, by=steward)["edges"]) == 1
