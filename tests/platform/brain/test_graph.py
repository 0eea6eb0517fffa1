"""Enterprise knowledge graph: masked people and addresses, links by token, audited reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.brain.services import BrainError, enterprise_graph
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.warehouse.services import ingest
from tests.factories import UserFactory

from .conftest import credit

pytestmark = pytest.mark.django_db


def _dataset(
    by: User, owner: Department, code: str, name_en: str, fields: list[FieldInput]
) -> Dataset:
    dataset = dataset_create(
        by=by,
        code=code,
        owner=owner,
        name=code,
        name_en=name_en,
        division=owner.division,
        frequency="daily",
        share_attribute="unconditional",
        open_attribute="closed",
        grade=3,
        fields=fields,
    )
    return dataset_publish(dataset=dataset, by=by)


def _credit_field() -> FieldInput:
    return FieldInput(
        "credit_code",
        "统一社会信用代码",
        "string",
        {"semantic_type": "credit_code", "grade": 1, "nullable": False},
    )


@pytest.fixture
def amr_steward(other_dept: Department) -> User:
    return UserFactory(username="amr_data", roles=["data_steward"], department=other_dept)


@pytest.fixture
def sources(amr_steward: User, other_dept: Department, tmp_path: Path) -> None:
    registry = _dataset(
        amr_steward,
        other_dept,
        "enterprise_registry",
        "Enterprise registry",
        [
            _credit_field(),
            FieldInput("enterprise_name", "名称", "string", {"grade": 1}),
            FieldInput(
                "legal_rep", "法定代表人", "string", {"semantic_type": "person_name", "grade": 3}
            ),
            FieldInput("address", "住所", "string", {"semantic_type": "address", "grade": 3}),
        ],
    )
    path = tmp_path / "registry.csv"
    path.write_text(
        "credit_code,enterprise_name,legal_rep,address\n"
        f"{credit(1)},衢州甲公司,王小明,浙江省衢州市柯城区花园街道100号\n"
        f"{credit(2)},衢州乙公司,李四,浙江省衢州市衢江区樟潭街道8号\n"
        f"{credit(3)},衢州丙公司,王小明,浙江省衢州市柯城区荷花街道5号\n",
        encoding="utf-8",
    )
    ingest(dataset=registry, path=path, by=amr_steward)
    penalty = _dataset(
        amr_steward,
        other_dept,
        "administrative_penalty",
        "Administrative penalties",
        [
            _credit_field(),
            FieldInput("decision_no", "决定书文号", "string", {"grade": 1}),
            FieldInput("decision_date", "决定日期", "date", {"grade": 1}),
        ],
    )
    path = tmp_path / "penalty.csv"
    path.write_text(
        f"credit_code,decision_no,decision_date\n{credit(1)},衢市监罚〔2026〕12号,2026-03-01\n",
        encoding="utf-8",
    )
    ingest(dataset=penalty, path=path, by=amr_steward)


def test_graph_masks_people_and_links_by_shared_representative(sources: None, leader: User) -> None:
    graph = enterprise_graph(by=leader, credit_code=credit(1))
    names = [n["name"] for n in graph["nodes"]]
    text = json.dumps(graph, ensure_ascii=False)
    assert "衢州甲公司" in names
    assert "王**" in names  # masked legal representative
    assert "王小明" not in text
    assert "100号" not in text  # the address is masked
    assert "衢州丙公司" in names  # shares the legal representative
    assert "衢州乙公司" not in names
    assert any("衢市监罚〔2026〕12号" in n for n in names)
    assert set(graph["datasets"]) == {"enterprise_registry", "administrative_penalty"}
    entry = AuditEntry.objects.get(action="brain.graph_view")
    assert entry.details["credit_code"] == credit(1)


def test_graph_refuses_a_bad_code_and_strangers(sources: None, leader: User, clerk: User) -> None:
    with pytest.raises(BrainError):
        enterprise_graph(by=leader, credit_code="91330802XXXX")
    with pytest.raises(PermissionDenied):
        enterprise_graph(by=clerk, credit_code=credit(1))
    assert not AuditEntry.objects.filter(action="brain.graph_view").exists()
