"""The publishers' desk (policy.publish): the own department's documents, import upload, metadata
edit, repeal / amend — wrong role 403, another department's document 404, refusals in the form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shuzhi.domains.policy.models import Disclosure, Genre, PolicyDocument, Validity
from shuzhi.platform.accounts.models import User
from tests.domains.policy.factories import document, publisher, topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEED_LIKE = """索引号：11330800002618015K/2023-000777
成文日期：2023-05-06
发布机构：市人民政府
公开方式：主动公开
有效性：有效
组配分类：市政府文件
文件编号：衢政发〔2023〕7号
衢州市人民政府关于推进掌上办事的通知
发布日期：2023-05-08
各县（市、区）人民政府，市政府各部门：
一、总体要求
推进掌上办事，深化一网通办。
二、保障措施
加强组织领导。
"""


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast users


def as_user(user: User | None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        browser.force_login(user)
    return browser


@pytest.fixture
def desk() -> dict[str, Any]:
    gov = publisher()
    fgw = publisher("市发改委", org_code="113308000026180000", department_code="330800-FGW")
    return {
        "topic": topic(),
        "gov": gov,
        "fgw": fgw,
        "steward": UserFactory(
            username="steward", department=gov.department, roles=["data_steward"]
        ),
        "approver": UserFactory(username="approver", department=gov.department, roles=["approver"]),
        "clerk": UserFactory(username="clerk", department=gov.department, roles=["clerk"]),
        "outsider": UserFactory(
            username="outsider", department=fgw.department, roles=["data_steward"]
        ),
    }


def test_list_shows_own_department_documents_of_every_disclosure(desk: dict[str, Any]) -> None:
    public = document(publisher=desk["gov"], title="主动公开的通知")
    private = document(
        publisher=desk["gov"], title="内部掌握的方案", disclosure=Disclosure.NOT_DISCLOSED
    )
    theirs = document(publisher=desk["fgw"], title="发改委的文件")
    html = as_user(desk["steward"]).get("/policy/manage/").content.decode()
    assert public.title in html
    assert private.title in html
    assert theirs.title not in html
    html = (
        as_user(desk["steward"])
        .get("/policy/manage/", {"disclosure": "not_disclosed"})
        .content.decode()
    )
    assert private.title in html
    assert public.title not in html


def test_desk_refuses_wrong_role_and_anonymous(desk: dict[str, Any]) -> None:
    assert as_user(desk["clerk"]).get("/policy/manage/").status_code == 403
    assert as_user(desk["clerk"]).get("/policy/manage/import/").status_code == 403
    response = as_user(None).get("/policy/manage/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_other_departments_document_is_404_on_the_desk(desk: dict[str, Any]) -> None:
    theirs = document(publisher=desk["fgw"])
    assert as_user(desk["steward"]).get(f"/policy/manage/documents/{theirs.pk}/").status_code == 404
    response = as_user(desk["steward"]).post(
        f"/policy/manage/documents/{theirs.pk}/", {"form": "edit", "title": "改"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title != "改"


def test_import_upload_reports_each_file(desk: dict[str, Any]) -> None:
    good = SimpleUploadedFile("notice.txt", SEED_LIKE.encode("utf-8"), "text/plain")
    corrupt = SimpleUploadedFile(
        "broken.docx", b"PK\x03\x04 not really a docx", "application/octet-stream"
    )
    wrong = SimpleUploadedFile("image.png", b"\x89PNG", "image/png")
    response = as_user(desk["steward"]).post(
        "/policy/manage/import/",
        {"files": [good, corrupt, wrong], "genre": "", "topic": desk["topic"].pk, "publisher": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-ok="1"') == 1
    assert html.count('data-ok="0"') == 2
    doc = PolicyDocument.objects.get(index_number="11330800002618015K/2023-000777")
    assert doc.doc_number == "衢政发〔2023〕7号"
    assert doc.publisher == desk["gov"]
    assert "Only .txt, .html and .docx" in html
    # the same file again: a duplicate 索引号 is refused, shown per file
    again = SimpleUploadedFile("notice.txt", SEED_LIKE.encode("utf-8"), "text/plain")
    html = (
        as_user(desk["steward"])
        .post("/policy/manage/import/", {"files": [again], "topic": desk["topic"].pk})
        .content.decode()
    )
    assert 'data-ok="0"' in html
    assert PolicyDocument.objects.count() == 1


def test_import_without_files_is_a_form_error(desk: dict[str, Any]) -> None:
    response = as_user(desk["steward"]).post("/policy/manage/import/", {})
    assert response.status_code == 400
    assert 'id="form-error"' in response.content.decode()


def test_import_for_another_departments_publisher_is_refused(desk: dict[str, Any]) -> None:
    text = SEED_LIKE.replace("市人民政府\n公开", "市发改委\n公开").replace(
        "2023-000777", "2023-000778"
    )
    upload = SimpleUploadedFile("theirs.txt", text.encode("utf-8"), "text/plain")
    html = (
        as_user(desk["steward"])
        .post("/policy/manage/import/", {"files": [upload], "topic": desk["topic"].pk})
        .content.decode()
    )
    assert 'data-ok="0"' in html
    assert not PolicyDocument.objects.filter(index_number__endswith="2023-000778").exists()


def _edit_data(doc: PolicyDocument, **changes: Any) -> dict[str, Any]:
    data = {
        "form": "edit",
        "title": doc.title,
        "title_en": doc.title_en,
        "doc_number": doc.doc_number,
        "written_on": doc.written_on.isoformat(),
        "published_on": doc.published_on.isoformat(),
        "topic": doc.topic_id,
        "genre": doc.genre,
        "disclosure": doc.disclosure,
        "effective_from": "",
        "effective_until": "",
        "service_codes": "",
    }
    data.update(changes)
    return data


def test_edit_metadata(desk: dict[str, Any]) -> None:
    doc = document(publisher=desk["gov"])
    url = f"/policy/manage/documents/{doc.pk}/"
    assert as_user(desk["approver"]).get(url).status_code == 200
    response = as_user(desk["approver"]).post(
        url,
        _edit_data(
            doc,
            effective_until="2031-01-01",
            disclosure=Disclosure.ON_REQUEST,
            service_codes="330800-AMR-XK-001, 330800-AMR-XK-002",
            genre=Genre.NORMATIVE,
        ),
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.effective_until == date(2031, 1, 1)
    assert doc.disclosure == Disclosure.ON_REQUEST
    assert doc.genre == Genre.NORMATIVE
    assert doc.service_codes == ["330800-AMR-XK-001", "330800-AMR-XK-002"]


def test_edit_with_bad_values_keeps_the_input_and_says_why(desk: dict[str, Any]) -> None:
    doc = document(publisher=desk["gov"])
    url = f"/policy/manage/documents/{doc.pk}/"
    response = as_user(desk["steward"]).post(
        url,
        _edit_data(
            doc,
            title="新标题",
            effective_from="2024-01-01",
            effective_until="2023-01-01",
            service_codes="<bad code>",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The end date is before the start date." in html
    assert "Not a service item code" in html
    assert 'value="新标题"' in html
    doc.refresh_from_db()
    assert doc.title != "新标题"


def test_a_service_refusal_lands_in_the_form(desk: dict[str, Any], monkeypatch: Any) -> None:
    from shuzhi.domains.policy import views_manage
    from shuzhi.domains.policy.refusals import PolicyRefused

    def refuse(**kwargs: Any) -> None:
        raise PolicyRefused("duplicate", "This document number is taken.", field="doc_number")

    monkeypatch.setattr(views_manage, "document_update", refuse)
    doc = document(publisher=desk["gov"])
    response = as_user(desk["steward"]).post(
        f"/policy/manage/documents/{doc.pk}/", _edit_data(doc, doc_number="衢政发〔2023〕99号")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This document number is taken." in html
    assert 'value="衢政发〔2023〕99号"' in html


def test_repeal_and_amend_by_a_later_document(desk: dict[str, Any]) -> None:
    old = document(publisher=desk["gov"], title="旧办法")
    new = document(publisher=desk["gov"], title="新办法")
    url = f"/policy/manage/documents/{old.pk}/"
    response = as_user(desk["steward"]).post(
        url, {"form": "supersede", "kind": "repeal", "by_index_number": new.index_number}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.validity == Validity.REPEALED
    assert new in old.repealed_by.all()
    other = document(publisher=desk["gov"], title="另一个旧办法")
    response = as_user(desk["steward"]).post(
        f"/policy/manage/documents/{other.pk}/",
        {"form": "supersede", "kind": "amend", "by_index_number": new.index_number},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.validity == Validity.AMENDED


def test_repeal_by_unknown_or_itself_is_a_form_error(desk: dict[str, Any]) -> None:
    doc = document(publisher=desk["gov"])
    url = f"/policy/manage/documents/{doc.pk}/"
    for ref in ("no/such-000001", doc.index_number):
        response = as_user(desk["steward"]).post(
            url, {"form": "supersede", "kind": "repeal", "by_index_number": ref}
        )
        assert response.status_code == 400, ref
        assert "invalid-feedback" in response.content.decode()
    doc.refresh_from_db()
    assert doc.validity == Validity.VALID


def test_reading_view_offers_edit_to_own_staff_only(desk: dict[str, Any]) -> None:
    doc = document(publisher=desk["gov"])
    url = f"/policy/documents/{doc.pk}/"
    assert 'id="edit-document"' in as_user(desk["steward"]).get(url).content.decode()
    assert 'id="edit-document"' not in as_user(desk["outsider"]).get(url).content.decode()
    assert 'id="edit-document"' not in as_user(None).get(url).content.decode()


def test_attach_a_file_and_refuse_a_disguised_one(desk: dict[str, Any]) -> None:
    doc = document(publisher=desk["gov"])
    url = f"/policy/manage/documents/{doc.pk}/"
    pdf = SimpleUploadedFile("附件1.pdf", b"%PDF-1.4 test", "application/pdf")
    response = as_user(desk["steward"]).post(url, {"form": "attach", "file": pdf})
    assert response.status_code == 302
    assert [a.name for a in doc.attachments.all()] == ["附件1.pdf"]
    fake = SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    response = as_user(desk["steward"]).post(url, {"form": "attach", "file": fake})
    assert response.status_code == 400
    assert 'id="attach-error"' in response.content.decode()
    assert doc.attachments.count() == 1
    response = as_user(desk["steward"]).post(url, {"form": "attach"})
    assert response.status_code == 400
