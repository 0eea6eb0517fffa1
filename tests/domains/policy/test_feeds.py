"""RSS and Atom feeds of new public documents, overall and per topic (django.contrib.syndication)."""

from __future__ import annotations

from datetime import date
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client

from shuzhi.domains.policy.models import Disclosure
from tests.domains.policy.factories import document, topic

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def docs() -> dict[str, Any]:
    t1 = topic("0102", "电子政务")
    t2 = topic("0501", "财政", parent=("05", "财政、金融、审计"))
    return {
        "older": document(title="电子政务旧文件", topic=t1, written_on=date(2021, 5, 1)),
        "newer": document(title="电子政务新文件", topic=t1, written_on=date(2024, 5, 1)),
        "finance": document(title="财政文件", topic=t2, written_on=date(2023, 1, 1)),
        "hidden": document(title="不公开文件", topic=t1, disclosure=Disclosure.NOT_DISCLOSED),
    }


def _rss_titles(body: bytes) -> list[str]:
    root = ElementTree.fromstring(body)  # noqa: S314 - our own feed
    return [i.findtext("title") or "" for i in root.iter("item")]


def _atom_titles(body: bytes) -> list[str]:
    root = ElementTree.fromstring(body)  # noqa: S314 - our own feed
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


def test_rss_lists_public_documents_newest_first(docs: dict[str, Any]) -> None:
    response = Client().get("/policy/feeds/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert _rss_titles(response.content) == ["电子政务新文件", "财政文件", "电子政务旧文件"]
    assert f"/policy/documents/{docs['newer'].pk}/".encode() in response.content


def test_atom_lists_the_same(docs: dict[str, Any]) -> None:
    response = Client().get("/policy/feeds/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert _atom_titles(response.content) == ["电子政务新文件", "财政文件", "电子政务旧文件"]


def test_topic_feeds_filter_by_second_and_first_level_topic(docs: dict[str, Any]) -> None:
    assert _rss_titles(Client().get("/policy/feeds/0102/rss/").content) == [
        "电子政务新文件",
        "电子政务旧文件",
    ]
    assert _atom_titles(Client().get("/policy/feeds/05/atom/").content) == ["财政文件"]
    assert _rss_titles(Client().get("/policy/feeds/01/rss/").content) == [
        "电子政务新文件",
        "电子政务旧文件",
    ]


def test_unknown_topic_is_404(docs: dict[str, Any]) -> None:
    assert Client().get("/policy/feeds/9999/rss/").status_code == 404
    assert Client().get("/policy/feeds/9999/atom/").status_code == 404


def test_feed_titles_are_translated(docs: dict[str, Any]) -> None:
    body = Client(HTTP_ACCEPT_LANGUAGE="en").get("/policy/feeds/0102/rss/").content.decode()
    from shuzhi.domains.policy.models import Topic

    name = Topic.objects.get(code="0102").name_en or "电子政务"
    assert f"<title>New policy documents: {name}</title>" in body
