"""Review regression: a control character in a document (an imported text's form feed …) made
every RSS/Atom feed that lists it a 500 (XML 1.0 cannot hold it)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.domains.policy.factories import document, topic

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_drop_control_characters(kind: str) -> None:
    doc = document(title="关于\x01测试的通知", body="正文\x02内容\x0c第二页", topic=topic())
    browser = Client()
    for url in (f"/policy/feeds/{kind}/", f"/policy/feeds/{doc.topic.code}/{kind}/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "关于测试的通知" in text
        assert "正文内容" in text
        assert "\x01" not in text


def test_an_imported_text_keeps_no_control_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    from shuzhi.domains.policy.importing import parse_text

    parsed = parse_text("关于\x01测试的通知\n一、总体\x0b要求\n正文\x7f。\x0c", name="a.txt")
    assert parsed.title == "关于测试的通知"
    assert parsed.body == "一、总体要求\n正文。"
