"""Review regressions: imported HTML with control characters is read (or refused, audited),
never an lxml ``ValueError`` that escapes the service unaudited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from shuzhi.domains.policy.refusals import PolicyRefused
from shuzhi.domains.policy.services.importing import ImportDefaults, import_document
from shuzhi.platform.audit.models import AuditEntry
from tests.domains.policy.factories import publisher, topic

pytestmark = pytest.mark.django_db

PAGE = (
    "<html><head><meta charset='utf-8'></head><body>"
    "<p>索引号：11330800002618015K/2022-777001</p><p>发布机构：市人民政府</p>"
    "<p>成文日期：2022-09-28</p><p>关于测试\x01控制字符的通知</p>"
    "<p>一、总体要求\x0b</p><p>正文\x1f内容。\x7f</p></body></html>"
)


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from shuzhi.domains.policy.services import indexing

    monkeypatch.setattr(indexing, "schedule_index", lambda ids: None)
    with translation.override("en"):
        yield


def _defaults() -> ImportDefaults:
    return ImportDefaults(topic=topic(), genre="government")


def test_html_with_control_characters_is_imported_without_them() -> None:
    publisher()
    doc = import_document(by=None, name="page.html", data=PAGE.encode(), defaults=_defaults())
    assert doc.title == "关于测试控制字符的通知"
    assert doc.body == "一、总体要求\n正文内容。"
    assert doc.index_number == "11330800002618015K/2022-777001"


def test_html_with_a_nul_byte_is_refused_and_audited(settings: Any) -> None:
    publisher()
    data = PAGE.replace("正文", "正\x00文").encode()
    with pytest.raises(PolicyRefused) as refused:
        import_document(by=None, name="page.html", data=data, defaults=_defaults())
    assert refused.value.code == "format"
    assert "page.html" in refused.value.message
    assert AuditEntry.objects.filter(action="policy.import", outcome="failure").exists()


def test_a_duplicate_index_number_does_not_reveal_a_hidden_documents_title() -> None:
    from shuzhi.domains.policy.models import Disclosure
    from tests.domains.policy.factories import document
    from tests.factories import UserFactory

    own = publisher()
    other = publisher("市发改委", org_code="113308000026180000", department_code="FGW")
    user = UserFactory(password=None, roles=["data_steward"], department=own.department)
    document(
        publisher=other,
        title="内部机密工作方案",
        index_number="11330800002618015K/2022-777001",
        disclosure=Disclosure.NOT_DISCLOSED,
    )
    with pytest.raises(PolicyRefused) as refused:
        import_document(by=user, name="page.html", data=PAGE.encode(), defaults=_defaults())
    assert refused.value.code == "duplicate"
    assert "11330800002618015K/2022-777001" in refused.value.message
    assert "内部机密" not in refused.value.message
    # a public one may be named: the reader can find it anyway
    visible = document(publisher=other, title="公开的通知", index_number="PUB/2022-000001")
    data = PAGE.replace("11330800002618015K/2022-777001", visible.index_number).encode()
    with pytest.raises(PolicyRefused) as refused:
        import_document(by=user, name="page.html", data=data, defaults=_defaults())
    assert "公开的通知" in refused.value.message


def test_a_line_of_page_chrome_words_does_not_backtrack_for_ever() -> None:
    """``打印  打印  … x``: the nested ``\\s*`` of the chrome pattern backtracked exponentially
    (10 repeats took seconds, 30 would take years) — one uploaded file hung a worker."""
    import time

    from shuzhi.domains.policy.importing import parse_text

    line = "打印  关闭  " * 40 + "x"
    started = time.monotonic()
    parsed = parse_text(f"关于测试的通知\n{line}\n正文。", name="chrome.txt")
    assert time.monotonic() - started < 1.0
    assert parsed.body.startswith("打印  关闭")  # not chrome: it has more than the words
    chrome = parse_text("关于测试的通知\n【打印本页】 【关闭窗口】\n正文。", name="c.txt")
    assert chrome.body == "正文。"
