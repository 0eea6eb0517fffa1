"""Review regressions: repeal/amend links to documents the caller may not see, and cycles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from shuzhi.domains.policy.models import Disclosure, Validity
from shuzhi.domains.policy.refusals import PolicyRefused
from shuzhi.domains.policy.services import documents as docs
from shuzhi.platform.audit.models import AuditEntry
from tests.domains.policy import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from shuzhi.domains.policy.services import indexing

    monkeypatch.setattr(indexing, "schedule_index", lambda ids: None)
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _setup() -> dict[str, Any]:
    own = factories.publisher()
    other = factories.publisher("市发改委", org_code="113308000026180000", department_code="FGW")
    user = UserFactory(password=None, roles=["data_steward"], department=own.department)
    return {
        "user": user,
        "mine": factories.document(publisher=own),
        "hidden": factories.document(
            publisher=other, disclosure=Disclosure.NOT_DISCLOSED, written_on=date(2024, 1, 1)
        ),
        "public": factories.document(publisher=other, written_on=date(2024, 2, 1)),
    }


def test_another_departments_non_public_document_cannot_repeal_mine() -> None:
    """Its 索引号 was an oracle (the desk said "repealed" instead of "no such document") and the
    link pointed at a document the reader of mine may not see."""
    s = _setup()
    for service, kwarg in (
        (docs.document_repeal, "repealed_by"),
        (docs.document_amend, "amended_by"),
    ):
        with pytest.raises(PolicyRefused) as refused:
            service(by=s["user"], document=s["mine"], **{kwarg: s["hidden"]})
        assert refused.value.code == "not_found"
    s["mine"].refresh_from_db()
    assert s["mine"].validity == Validity.VALID
    assert not s["hidden"].repeals.exists()
    assert not s["hidden"].amends.exists()
    assert AuditEntry.objects.filter(action="policy.repeal", outcome="failure").exists()
    # a public document of another department (e.g. the city government's) may repeal mine
    docs.document_repeal(by=s["user"], document=s["mine"], repealed_by=s["public"])
    s["mine"].refresh_from_db()
    assert s["mine"].validity == Validity.REPEALED


def test_the_desk_answers_a_hidden_index_number_as_unknown() -> None:
    s = _setup()
    browser = Client()
    browser.force_login(s["user"])
    url = f"/policy/manage/documents/{s['mine'].pk}/"
    hidden = browser.post(
        url, {"form": "supersede", "kind": "repeal", "by_index_number": s["hidden"].index_number}
    )
    unknown = browser.post(
        url, {"form": "supersede", "kind": "repeal", "by_index_number": "NOPE/2024-000001"}
    )
    assert hidden.status_code == unknown.status_code == 400
    message = "There is no document with this index number."
    assert message in hidden.content.decode()
    assert message in unknown.content.decode()
    s["mine"].refresh_from_db()
    assert s["mine"].validity == Validity.VALID


def test_a_longer_cycle_of_repeals_is_refused() -> None:
    own = factories.publisher()
    user = UserFactory(password=None, roles=["data_steward"], department=own.department)
    a, b, c = (factories.document(publisher=own) for _ in range(3))
    docs.document_repeal(by=user, document=a, repealed_by=b)  # b repeals a
    docs.document_amend(by=user, document=b, amended_by=c)  # c amends b
    with pytest.raises(PolicyRefused) as refused:  # a cannot repeal c: c → b → a → c
        docs.document_repeal(by=user, document=c, repealed_by=a)
    assert refused.value.field == "repealed_by"
    c.refresh_from_db()
    assert c.validity == Validity.VALID
    assert not a.repeals.exists()
