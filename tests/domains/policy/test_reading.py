"""The reading view (阅读视图): metadata table, outline with anchored headings, key terms, the
interpretation beside the text, amends / repealed-by, related documents, attachments, the service
items implementing the policy — and who may read a document that is not public."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from shuzhi.domains.policy.models import Attachment, Disclosure, Genre, PolicyDocument, Validity
from shuzhi.domains.policy.views import render_body, safe_marked
from shuzhi.platform.accounts.models import User
from shuzhi.platform.portal import registry
from shuzhi.platform.portal.registry import ServiceLink
from tests.domains.policy.factories import document, publisher, topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY = (
    "各县（市、区）人民政府，市政府各部门：\n"
    "一、总体要求\n"
    "深化一网通办改革，推进数字政府建设，打造掌上办事之城。\n"
    "（一）工作目标\n"
    "到2025年，免申即享事项全面覆盖。\n"
    "1.加强组织领导。各地要把一网通办作为一把手工程。\n"
    "二、保障措施\n"
    "建立比晾晒机制，<script>alert(1)</script>定期通报。"
)


def reader(user: User | None = None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        browser.force_login(user)
    return browser


def steward(department: Any, role: str = "data_steward", username: str = "steward") -> User:
    return UserFactory(username=username, department=department, roles=[role])


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast users


@pytest.fixture
def lookup() -> Iterator[list[Sequence[str]]]:
    """A service lookup registered for the test only (the services domain registers the real)."""
    asked: list[Sequence[str]] = []

    def fake(codes: Sequence[str]) -> list[ServiceLink]:
        asked.append(list(codes))
        return [
            ServiceLink(c, f"事项{c}", f"/services/items/{c}/")
            for c in codes
            if c.startswith("330800")
        ]

    saved = list(registry._SERVICE_LOOKUPS)
    registry._SERVICE_LOOKUPS[:] = [fake]
    yield asked
    registry._SERVICE_LOOKUPS[:] = saved


def test_render_body_anchors_headings_marks_terms_and_escapes() -> None:
    from shuzhi.domains.policy.outline import outline

    entries = outline(BODY)
    html = render_body(BODY, entries, ["一网通办", "数字政府"])
    assert [e["level"] for e in entries] == [1, 2, 3, 1]
    assert f'<h2 id="{entries[0]["anchor"]}"' in html
    assert f'<h3 id="{entries[1]["anchor"]}"' in html
    # a numbered paragraph keeps its text, its lead in bold, and the anchor
    assert f'<p id="{entries[2]["anchor"]}" class="policy-heading-inline"' in html
    assert '<mark class="policy-term">一网通办</mark>' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.count('<mark class="policy-term">') == 3  # 一网通办 ×2, 数字政府 ×1


def test_safe_marked_keeps_only_mark_tags() -> None:
    assert str(safe_marked("a<mark>b</mark><img src=x onerror=1>&lt;c")) == "a<mark>b</mark>&lt;c"


def test_reading_view_shows_metadata_outline_terms_and_links(lookup: list[Any]) -> None:
    t = topic()
    main = document(
        title="衢州市人民政府关于深化一网通办改革的通知",
        body=BODY,
        topic=t,
        effective_until=date(2030, 12, 31),
        service_codes=["330800-AMR-XK-001", "999-UNKNOWN"],
    )
    explain = document(
        title="《关于深化一网通办改革的通知》政策解读",
        genre=Genre.INTERPRETATION,
        interprets=main,
        body="一图读懂：免申即享怎么享。",
        topic=t,
    )
    old = document(title="关于旧办法的通知", validity=Validity.REPEALED, topic=t)
    main.repeals.add(old)
    hidden_interpretation = document(
        title="内部解读", interprets=main, disclosure=Disclosure.NOT_DISCLOSED, topic=t
    )
    related = document(title="关于一网通办的补充通知", topic=t)
    Attachment.objects.create(
        document=main,
        name="附件1.pdf",
        content_type="application/pdf",
        size=8,
        sha256=hashlib.sha256(b"%PDF-1.4").hexdigest(),
        content=b"%PDF-1.4",
    )
    response = reader().get(f"/policy/documents/{main.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert main.index_number in html
    assert main.doc_number in html
    assert 'id="policy-metadata"' in html
    assert "2030-12-31" in html
    assert 'href="#s-1"' in html
    assert 'id="s-1"' in html
    assert '<mark class="policy-term">一网通办</mark>' in html
    assert f"/policy/documents/{explain.pk}/" in html
    assert 'id="interpretations"' in html
    assert hidden_interpretation.title not in html
    assert 'id="repeals"' in html
    assert old.title in html
    assert related.title in html  # same topic, shares 一网通办
    assert "/policy/attachments/" in html
    assert "附件1.pdf" in html
    assert 'href="/services/items/330800-AMR-XK-001/"' in html
    assert "999-UNKNOWN" not in html  # an unknown code is left out, never a broken link
    assert lookup == [["330800-AMR-XK-001", "999-UNKNOWN"]]

    # the interpretation links back to the document it explains; the old one to its repeal
    html = reader().get(f"/policy/documents/{explain.pk}/").content.decode()
    assert 'id="interprets"' in html
    assert main.title in html
    html = reader().get(f"/policy/documents/{old.pk}/").content.decode()
    assert "Repealed by" in html
    assert main.title in html


def test_services_without_a_lookup_say_so() -> None:
    saved = list(registry._SERVICE_LOOKUPS)
    registry._SERVICE_LOOKUPS.clear()
    try:
        assert registry.service_links(["330800-AMR-XK-001"]) == []
        doc = document(service_codes=["330800-AMR-XK-001"])
        html = reader().get(f"/policy/documents/{doc.pk}/").content.decode()
        assert "No service item in the service catalogue is linked" in html
    finally:
        registry._SERVICE_LOOKUPS[:] = saved


def test_services_domain_lookup_links_published_items_only() -> None:
    from shuzhi.domains.services.models import ServiceItem
    from shuzhi.domains.services.portal import published_service_links

    dept = publisher().department
    common = {
        "department": dept,
        "item_type": ServiceItem.ItemType.PUBLIC_SERVICE,
        "legal_basis": "《测试条例》",
        "time_limit_days": 5,
    }
    ServiceItem.objects.create(code="330800-T-001", name="已发布事项", status="published", **common)
    ServiceItem.objects.create(code="330800-T-002", name="已取消事项", status="retired", **common)
    links = published_service_links(["330800-T-002", "330800-T-001", "nope"])
    assert [(link.code, link.url) for link in links] == [
        ("330800-T-001", "/services/items/330800-T-001/")
    ]
    assert registry.service_links(["330800-T-001", "330800-T-002"])[0].name == "已发布事项"


def test_non_public_document_is_404_except_for_its_publishers_staff() -> None:
    pub = publisher()
    other = publisher("市发改委", org_code="113308000026180000", department_code="330800-FGW")
    doc = document(publisher=pub, disclosure=Disclosure.ON_REQUEST, title="依申请公开文件")
    att = Attachment.objects.create(
        document=doc, name="a.txt", content_type="text/plain", size=1, sha256="0" * 64, content=b"x"
    )
    url = f"/policy/documents/{doc.pk}/"
    assert reader().get(url).status_code == 404  # anonymous
    assert reader().get(f"/policy/attachments/{att.pk}/").status_code == 404
    clerk = UserFactory(username="clerk", department=pub.department, roles=["clerk"])
    assert reader(clerk).get(url).status_code == 404  # wrong role, right department
    outsider = steward(other.department, username="outsider")
    assert reader(outsider).get(url).status_code == 404  # right role, wrong department
    own = steward(pub.department)
    response = reader(own).get(url)
    assert response.status_code == 200
    assert 'id="not-public"' in response.content.decode()
    assert reader(own).get(f"/policy/attachments/{att.pk}/").status_code == 200
    assert reader().get("/policy/documents/999999/").status_code == 404


def test_attachment_downloads_as_a_file() -> None:
    doc = document()
    att = Attachment.objects.create(
        document=doc,
        name="附件 一.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        content=b"%PDF-1.4",
    )
    response = reader().get(f"/policy/attachments/{att.pk}/")
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_topic_tree_counts_public_documents() -> None:
    t = topic("0102", "电子政务")
    t2 = topic("0103", "政务公开")
    document(topic=t)
    document(topic=t)
    document(topic=t2, disclosure=Disclosure.NOT_DISCLOSED)
    html = reader().get("/policy/topics/").content.decode()
    assert 'id="topic-tree"' in html
    assert '<span class="badge rounded-pill text-bg-light border">2</span>' in html
    assert "/policy/?topic=0102" in html
    assert "/policy/feeds/01/rss/" in html


def test_document_without_stored_outline_gets_one_from_its_body() -> None:
    doc = document(body=BODY, outline=[])
    assert isinstance(doc, PolicyDocument)
    html = reader().get(f"/policy/documents/{doc.pk}/").content.decode()
    assert 'id="s-2"' in html
    assert 'href="#s-2"' in html


SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seed" / "000_9d32cc7170deaf74.txt"


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed document is not on this machine")
def test_seed_document_reads_with_every_outline_entry_anchored() -> None:
    from shuzhi.domains.policy.services.importing import ImportDefaults, import_document

    pub = publisher()
    own = steward(pub.department)
    doc = import_document(
        by=own, name=SEED.name, data=SEED.read_bytes(), defaults=ImportDefaults(topic=topic())
    )
    html = reader().get(f"/policy/documents/{doc.pk}/").content.decode()
    body = html[
        html.index('id="policy-body"') : html.index("</section>", html.index('id="policy-body"'))
    ]
    anchors = set(re.findall(r' id="(s-[0-9-]+)"', body))
    assert anchors == {e["anchor"] for e in doc.outline}
    assert len(re.findall(r'<h2 id="s-\d+"', body)) == 7  # 一、 … 七、
    assert '<mark class="policy-term">数字政府</mark>' in body


def test_render_body_finds_headings_when_stored_lines_are_stale() -> None:
    entries = [
        {"level": 1, "label": "一、", "title": "总体要求", "anchor": "s-1", "line": 40},
        {"level": 1, "label": "二、", "title": "保障措施", "anchor": "s-2", "line": 0},
    ]
    html = render_body("前言\n一、总体要求\n正文\n二、保障措施\n正文", entries, [])
    assert '<h2 id="s-1" class="policy-heading policy-h1" tabindex="-1">一、总体要求</h2>' in html
    assert '<h2 id="s-2"' in html
    assert html.count("<p>") == 3


def test_service_links_keep_the_order_asked_and_drop_duplicates() -> None:
    def lookup(codes: Sequence[str]) -> list[ServiceLink]:
        return [ServiceLink(c, c, f"/s/{c}/") for c in reversed(list(codes))]

    saved = list(registry._SERVICE_LOOKUPS)
    registry._SERVICE_LOOKUPS[:] = []
    try:
        registry.register_service_lookup(lookup)
        registry.register_service_lookup(lookup)  # twice: kept once
        assert len(registry._SERVICE_LOOKUPS) == 1
        links = registry.service_links(["b", "a", "b", ""])
        assert [link.code for link in links] == ["b", "a"]
    finally:
        registry._SERVICE_LOOKUPS[:] = saved
