from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.catalog.services import dataset_publish, lineage_add
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_catalogue_lists_published_datasets_with_facets(
    client: Client, make_dataset: Any, steward: User
) -> None:
    dataset_publish(dataset=make_dataset(), by=steward)
    make_dataset("draft_only")
    reader = UserFactory(
        username="r", roles=["clerk"], department=DepartmentFactory(code="330800-DRC")
    )
    client.force_login(reader)
    body = client.get("/catalog/").content.decode()
    assert "enterprise_registry" in body
    assert "draft_only" not in body
    assert "市市场监管局" in body  # owner facet
    filtered = client.get("/catalog/", {"grade": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "enterprise_registry" not in filtered
    assert "<html" not in filtered


def test_dataset_page_shows_fields_grades_and_lineage(
    client: Client, make_dataset: Any, steward: User
) -> None:
    source = make_dataset("energy")
    target = make_dataset("carbon")
    lineage_add(source=source, target=target, transformation="× 排放因子", by=steward)
    client.force_login(steward)
    body = client.get("/catalog/carbon/").content.decode()
    assert "legal_rep" in body
    assert "SM4" in body  # L3 field marked as stored encrypted
    assert 'id="lineage-data"' in body
    assert "× 排放因子" in body


def test_steward_sees_why_a_draft_cannot_be_published(
    client: Client, make_dataset: Any, steward: User
) -> None:
    make_dataset(grade=4, open_attribute="open")
    client.force_login(steward)
    page = client.get("/catalog/enterprise_registry/").content.decode()
    assert 'id="publish-problems"' in page
    response = client.post("/catalog/enterprise_registry/publish/", follow=True)
    assert "L4" in response.content.decode()


def test_steward_edits_metadata_and_bad_input_keeps_what_was_typed(
    client: Client, make_dataset: Any, steward: User
) -> None:
    make_dataset()
    client.force_login(steward)
    form = {
        "name": "市场主体登记信息",
        "name_en": "Registry",
        "description": "",
        "theme": "market",
        "frequency": "daily",
        "share_attribute": "unconditional",
        "share_condition": "",
        "open_attribute": "restricted",
        "grade": "3",
        "importance": "general",
        "contact_name": "",
        "contact_phone": "",
    }
    assert client.post("/catalog/enterprise_registry/edit/", form).status_code == 302
    bad = client.post(
        "/catalog/enterprise_registry/edit/", {**form, "grade": "9", "name": "新名字"}
    )
    assert bad.status_code == 400
    assert "新名字" in bad.content.decode()


def test_others_cannot_reach_the_edit_page(
    client: Client, make_dataset: Any, amr: Department
) -> None:
    make_dataset()
    client.force_login(UserFactory(username="c", roles=["clerk"], department=amr))
    assert client.get("/catalog/enterprise_registry/edit/").status_code == 404
    assert client.post("/catalog/enterprise_registry/publish/").status_code == 403


def test_public_users_are_refused_the_catalogue_pages(client: Client) -> None:
    client.force_login(UserFactory(username="p", roles=["public"]))
    assert client.get("/catalog/").status_code == 403
