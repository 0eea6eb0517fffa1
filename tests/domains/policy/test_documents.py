"""Creating, editing, repealing, amending and attaching policy documents (services.documents)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from shuzhi.domains.policy.models import Attachment, Disclosure, Genre, PolicyDocument, Validity
from shuzhi.domains.policy.refusals import PolicyRefused
from shuzhi.domains.policy.services import documents as docs
from shuzhi.domains.policy.services.documents import DocumentInput
from shuzhi.platform.audit.models import AuditEntry
from tests.domains.policy import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY = "各县（市、区）人民政府：\n一、总体要求\n（一）指导思想。坚持数字赋能。\n1.推进一网通办。正文。\n二、保障措施"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are compared with their English msgids (the site's default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The ids every change asks the search index to follow (helper A's schedule_index)."""
    calls: list[list[int]] = []
    from shuzhi.domains.policy.services import indexing

    monkeypatch.setattr(
        indexing, "schedule_index", lambda ids: calls.append(sorted(ids)), raising=False
    )
    return calls


def steward(publisher: Any, role: str = "data_steward", name: str = "gov_steward") -> Any:
    """A user of the publisher's department (no password: never signs in; Argon2 is slow)."""
    return UserFactory(password=None, username=name, roles=[role], department=publisher.department)


def given(**fields: Any) -> DocumentInput:
    values: dict[str, Any] = {
        "title": "衢州市人民政府关于深化数字政府建设的实施意见",
        "publisher": factories.publisher(),
        "written_on": date(2022, 9, 28),
        "published_on": date(2022, 9, 29),
        "topic": factories.topic(),
        "genre": Genre.GOVERNMENT,
        "body": BODY,
        "doc_number": "衢政发〔2022〕16号",
    }
    values.update(fields)
    return DocumentInput(**values)


def test_create_generates_unique_index_numbers_audits_and_indexes(indexed: list) -> None:
    data = given()
    user = steward(data.publisher)
    first = docs.document_create(by=user, data=data)
    second = docs.document_create(by=user, data=replace(data, title="第二个文件"))
    assert first.index_number == "11330800002618015K/2022-000001"
    assert second.index_number == "11330800002618015K/2022-000002"
    assert first.validity == Validity.VALID
    assert first.disclosure == Disclosure.PROACTIVE
    assert [e["label"] for e in first.outline] == ["一、", "（一）", "1.", "二、"]
    assert first.created_by == user
    assert indexed == [[first.pk], [second.pk]]
    entry = AuditEntry.objects.filter(action="policy.create").latest("seq")
    assert entry.outcome == "success"
    assert entry.actor == "gov_steward"
    assert entry.details["index_number"] == second.index_number


def test_next_index_number_follows_the_highest_serial_of_that_publisher_and_year() -> None:
    pub = factories.publisher()
    factories.document(publisher=pub, index_number=f"{pub.org_code}/2022-134810")
    factories.document(publisher=pub, index_number=f"{pub.org_code}/2021-999999")
    assert docs.next_index_number(pub, 2022) == f"{pub.org_code}/2022-134811"
    assert docs.next_index_number(pub, 2023) == f"{pub.org_code}/2023-000001"


def test_a_given_index_number_is_kept(indexed: list) -> None:
    data = given(index_number="11330800002618015K/2022-134810")
    made = docs.document_create(by=None, data=data)
    assert made.index_number == "11330800002618015K/2022-134810"
    assert made.created_by is None
    assert AuditEntry.objects.filter(action="policy.create", actor="system").exists()


def test_duplicate_index_number_is_a_refusal_not_an_integrity_error(indexed: list) -> None:
    data = given(index_number="11330800002618015K/2022-134810")
    user = steward(data.publisher)
    docs.document_create(by=user, data=data)
    with pytest.raises(PolicyRefused) as refused:
        docs.document_create(by=user, data=replace(data, title="另一个"))
    assert refused.value.field == "index_number"
    assert refused.value.code == "duplicate"
    assert "11330800002618015K/2022-134810" in refused.value.message
    assert PolicyDocument.objects.count() == 1
    entry = AuditEntry.objects.filter(action="policy.create").latest("seq")
    assert entry.outcome == "failure"
    assert entry.details["code"] == "duplicate"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "  "),
        ("publisher", None),
        ("written_on", None),
        ("published_on", None),
        ("topic", None),
        ("genre", ""),
        ("body", "\n"),
    ],
)
def test_missing_mandatory_metadata_is_refused_naming_the_field(
    indexed: list, field: str, value: Any
) -> None:
    with pytest.raises(PolicyRefused) as refused:
        docs.document_create(by=None, data=given(**{field: value}))
    assert refused.value.code == "missing"
    assert refused.value.field == field
    assert not PolicyDocument.objects.exists()
    assert indexed == []
    assert AuditEntry.objects.get(action="policy.create").details["field"] == field


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("genre", "gossip"),
        ("disclosure", "everyone"),
        ("validity", "forever"),
        ("written_on", "2022-09-28"),  # a string, not a date
        ("index_number", "1133/2022-1<script>"),
        ("index_number", "x" * 49),
        ("title", "长" * 301),
        ("service_codes", "330800-AMR-XK-001"),  # a string, not a list
        ("service_codes", ["ok-1", "bad code"]),
        ("published_on", date(2022, 9, 27)),  # before it was written
        ("effective_until", date(2020, 1, 1)),  # before in force
    ],
)
def test_tampered_values_are_refused(indexed: list, field: str, value: Any) -> None:
    data = given(effective_from=date(2022, 10, 1), **{field: value})
    with pytest.raises(PolicyRefused) as refused:
        docs.document_create(by=None, data=data)
    assert refused.value.field == field
    assert not PolicyDocument.objects.exists()


def test_a_first_level_topic_is_refused(indexed: list) -> None:
    top = factories.topic().parent
    with pytest.raises(PolicyRefused) as refused:
        docs.document_create(by=None, data=given(topic=top))
    assert refused.value.field == "topic"


def test_wrong_role_and_wrong_department_are_denied_and_audited(indexed: list) -> None:
    data = given()
    clerk = UserFactory(
        password=None, username="clerk1", roles=["clerk"], department=data.publisher.department
    )
    with pytest.raises(PermissionDenied):
        docs.document_create(by=clerk, data=data)
    other = factories.publisher(
        "市发改委", org_code="11330800MB1234567X", department_code="330800-FGW"
    )
    outsider = steward(other, name="fgw_steward")
    with pytest.raises(PermissionDenied):
        docs.document_create(by=outsider, data=data)
    approver = steward(data.publisher, role="approver", name="gov_approver")
    assert docs.document_create(by=approver, data=data).pk
    denied = AuditEntry.objects.filter(action="policy.create", outcome="denied")
    assert denied.count() == 2
    assert {e.actor for e in denied} == {"clerk1", "fgw_steward"}


def test_validity_from_the_end_date_at_creation(indexed: list) -> None:
    made = docs.document_create(by=None, data=given(effective_until=date(2023, 1, 1)))
    assert made.validity == Validity.EXPIRED


def test_update_changes_fields_outline_and_audits_the_before(indexed: list) -> None:
    data = given()
    user = steward(data.publisher)
    doc = docs.document_create(by=user, data=data)
    indexed.clear()
    docs.document_update(
        by=user,
        document=doc,
        changes={
            "title": " 新标题 ",
            "body": "一、只有一节",
            "service_codes": ["330800-AMR-XK-001"],
        },
    )
    doc.refresh_from_db()
    assert doc.title == "新标题"
    assert doc.service_codes == ["330800-AMR-XK-001"]
    assert [e["title"] for e in doc.outline] == ["只有一节"]
    assert indexed == [[doc.pk]]
    entry = AuditEntry.objects.filter(action="policy.update").latest("seq")
    assert entry.details["fields"] == ["body", "service_codes", "title"]
    assert entry.details["before"]["title"] == data.title


def test_update_to_a_past_end_date_expires_and_back_revives(indexed: list) -> None:
    doc = docs.document_create(by=None, data=given())
    docs.document_update(by=None, document=doc, changes={"effective_until": date(2023, 1, 1)})
    assert doc.validity == Validity.EXPIRED
    docs.document_update(by=None, document=doc, changes={"effective_until": None})
    assert doc.validity == Validity.VALID


def test_interpretations_cannot_run_in_a_circle(indexed: list) -> None:
    data = given()
    user = steward(data.publisher)
    a = docs.document_create(by=user, data=data)
    b = docs.document_create(by=user, data=replace(data, title="解读一", interprets=a))
    c = docs.document_create(by=user, data=replace(data, title="解读二", interprets=b))
    for target in (b, c):  # a → b would close b → a; a → c would close c → b → a
        with pytest.raises(PolicyRefused) as refused:
            docs.document_update(by=user, document=a, changes={"interprets": target})
        assert refused.value.field == "interprets"
        assert refused.value.code == "invalid"
    a.refresh_from_db()
    assert a.interprets is None
    other = docs.document_create(by=user, data=replace(data, title="另一文件"))
    assert (
        docs.document_update(by=user, document=a, changes={"interprets": other}).interprets == other
    )


def test_update_refuses_unknown_fields_duplicates_and_foreign_publishers(indexed: list) -> None:
    data = given()
    user = steward(data.publisher)
    doc = docs.document_create(by=user, data=data)
    other = docs.document_create(by=user, data=replace(data, title="其他"))
    with pytest.raises(PolicyRefused) as refused:
        docs.document_update(by=user, document=doc, changes={"created_by": None})
    assert refused.value.code == "unknown_field"
    with pytest.raises(PolicyRefused) as refused:
        docs.document_update(by=user, document=doc, changes={"index_number": other.index_number})
    assert refused.value.field == "index_number"
    assert refused.value.code == "duplicate"
    with pytest.raises(PolicyRefused):
        docs.document_update(by=user, document=doc, changes={"interprets": doc})
    foreign = factories.publisher(
        "市财政局", org_code="11330800MB7654321Y", department_code="330800-CZ"
    )
    with pytest.raises(PermissionDenied):  # moving it to a publisher of another department
        docs.document_update(by=user, document=doc, changes={"publisher": foreign})
    outsider = steward(foreign, name="cz_steward")
    with pytest.raises(PermissionDenied):
        docs.document_update(by=outsider, document=doc, changes={"title": "篡改"})
    doc.refresh_from_db()
    assert doc.title == data.title
    assert doc.publisher == data.publisher


def test_repeal_and_amend_link_and_mark_the_old_document(indexed: list) -> None:
    data = given()
    user = steward(data.publisher)
    old = docs.document_create(by=user, data=data)
    newer = docs.document_create(by=user, data=replace(data, title="新办法"))
    amended = docs.document_create(by=user, data=replace(data, title="被修订的"))
    indexed.clear()
    docs.document_repeal(by=user, document=old, repealed_by=newer)
    docs.document_amend(by=user, document=amended, amended_by=newer)
    old.refresh_from_db()
    amended.refresh_from_db()
    assert old.validity == Validity.REPEALED
    assert list(old.repealed_by.all()) == [newer]
    assert amended.validity == Validity.AMENDED
    assert list(newer.amends.all()) == [amended]
    assert indexed == [sorted([old.pk, newer.pk]), sorted([amended.pk, newer.pk])]
    # an amend after a repeal keeps 废止 (repeal wins)
    docs.document_amend(by=user, document=old, amended_by=amended)
    old.refresh_from_db()
    assert old.validity == Validity.REPEALED
    assert AuditEntry.objects.filter(action="policy.repeal", outcome="success").count() == 1


def test_repeal_refusals(indexed: list) -> None:
    data = given()
    user = steward(data.publisher)
    old = docs.document_create(by=user, data=data)
    newer = docs.document_create(by=user, data=replace(data, title="新办法"))
    with pytest.raises(PolicyRefused):
        docs.document_repeal(by=user, document=old, repealed_by=old)
    docs.document_repeal(by=user, document=old, repealed_by=newer)
    with pytest.raises(PolicyRefused) as refused:
        docs.document_repeal(by=user, document=old, repealed_by=newer)
    assert refused.value.code == "already"
    with pytest.raises(PolicyRefused):  # a cycle: the repealed one cannot repeal its repealer
        docs.document_repeal(by=user, document=newer, repealed_by=old)
    clerk = UserFactory(
        password=None, username="clerk2", roles=["clerk"], department=data.publisher.department
    )
    with pytest.raises(PermissionDenied):
        docs.document_amend(by=clerk, document=newer, amended_by=old)
    newer.refresh_from_db()
    assert newer.validity == Validity.VALID


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_attachment_is_stored_with_hash_and_audited(indexed: list) -> None:
    data = given()
    user = steward(data.publisher)
    doc = docs.document_create(by=user, data=data)
    made = docs.attachment_add(by=user, document=doc, name="../../重点项目清单.pdf", data=PDF)
    assert made.name == "重点项目清单.pdf"
    assert made.content_type == "application/pdf"
    assert made.size == len(PDF)
    assert len(made.sha256) == 64
    assert bytes(made.content) == PDF
    assert AuditEntry.objects.filter(action="policy.attach", outcome="success").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("清单.exe", b"MZ\x90\x00", "file_type"),
        ("清单.pdf", b"", "empty"),
        ("清单.pdf", b"<html><script>alert(1)</script>", "content_mismatch"),
        ("清单.docx", PDF, "content_mismatch"),
        ("说明.txt", b"\xff\xfe\x00\xd8", "content_mismatch"),
    ],
)
def test_attachment_refusals(indexed: list, name: str, content: bytes, code: str) -> None:
    doc = docs.document_create(by=None, data=given())
    with pytest.raises(PolicyRefused) as refused:
        docs.attachment_add(by=None, document=doc, name=name, data=content)
    assert refused.value.code == code
    assert refused.value.field == "file"
    assert not Attachment.objects.exists()


def test_attachment_of_another_department_is_denied(indexed: list) -> None:
    doc = docs.document_create(by=None, data=given())
    other = factories.publisher(
        "市科技局", org_code="11330800MB0000001K", department_code="330800-KJ"
    )
    with pytest.raises(PermissionDenied):
        docs.attachment_add(by=steward(other, name="kj"), document=doc, name="a.pdf", data=PDF)
    assert not Attachment.objects.exists()


def test_a_generated_number_taken_meanwhile_is_retried_not_an_integrity_error(
    indexed: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = given()
    taken = factories.document(publisher=data.publisher).index_number
    numbers = iter([taken, "11330800002618015K/2022-000777"])
    monkeypatch.setattr(docs, "next_index_number", lambda publisher, year: next(numbers))
    made = docs.document_create(by=None, data=data)
    assert made.index_number == "11330800002618015K/2022-000777"
    assert PolicyDocument.objects.count() == 2


def test_an_interpretation_links_to_the_document_it_explains(indexed: list) -> None:
    policy = docs.document_create(by=None, data=given())
    reading = docs.document_create(
        by=None,
        data=given(title="《实施意见》政策解读", genre=Genre.INTERPRETATION, interprets=policy),
    )
    assert list(policy.interpretations.all()) == [reading]


def test_the_topic_taxonomy_is_loaded_by_the_migration() -> None:
    from shuzhi.domains.policy.models import Topic

    tops = Topic.objects.filter(parent__isnull=True)
    assert tops.count() == 21
    assert Topic.objects.filter(parent__isnull=False).count() >= 100
    assert Topic.objects.get(code="0102").name == "电子政务"
    assert Topic.objects.get(code="0102").parent == Topic.objects.get(code="01")
    for top in tops:
        codes = list(top.children.values_list("code", flat=True))
        assert codes
        assert all(code.startswith(top.code) and len(code) == 4 for code in codes)
    assert all(topic.name_en for topic in Topic.objects.all())
