"""The generated policy corpus (shuzhi.demo.policy_corpus): deterministic, varied, well-formed."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from shuzhi.demo import services_catalogue
from shuzhi.demo.policy_corpus import (
    BY_NAME,
    PUBLISHERS,
    REFERENCE_DATE,
    TOPIC_BY_CODE,
    TOPICS,
    GeneratedDocument,
    generate,
    vocabulary,
)
from shuzhi.domains.policy.models import Disclosure, Genre, Validity
from shuzhi.domains.policy.outline import outline
from shuzhi.platform.security.identifiers import check_credit_code

TOPICS_JSON = Path(__file__).resolve().parents[3] / "shuzhi/domains/policy/data/topics.json"


@pytest.fixture(scope="module")
def corpus() -> list[GeneratedDocument]:
    return list(generate(300))


def test_the_same_seed_gives_the_same_documents_and_another_seed_others() -> None:
    first, again = list(generate(60, seed=5)), list(generate(60, seed=5))
    assert first == again
    other = list(generate(60, seed=6))
    assert [d.title for d in other] != [d.title for d in first]
    assert [d.body for d in other] != [d.body for d in first]


def test_counts_and_bad_counts() -> None:
    assert list(generate(0)) == []
    assert [d.key for d in generate(7)] == list(range(7))
    with pytest.raises(ValueError, match="negative"):
        list(generate(-1))


def test_values_are_the_models_choices(corpus: list[GeneratedDocument]) -> None:
    assert {d.genre for d in corpus} == set(Genre.values)  # every 组配分类 occurs
    assert {d.validity for d in corpus} == set(Validity.values)  # 有效, 失效, 废止, 修订
    assert {d.disclosure for d in corpus} <= set(Disclosure.values)
    assert Counter(d.disclosure for d in corpus)[Disclosure.PROACTIVE] > 0.9 * len(corpus)


def test_facets_are_varied(corpus: list[GeneratedDocument]) -> None:
    publishers = Counter(d.publisher for d in corpus)
    assert len(publishers) == len(PUBLISHERS) == 14
    assert max(publishers.values()) < 0.25 * len(corpus)
    assert len({d.topic for d in corpus}) >= 20
    assert len({d.topic_parent for d in corpus}) >= 12
    years = Counter(d.published_on.year for d in corpus)
    assert set(years) == set(range(2018, 2027))
    assert min(years.values()) >= 20
    assert all(d.written_on <= d.published_on <= REFERENCE_DATE for d in corpus)
    assert [d.published_on for d in corpus] == sorted(d.published_on for d in corpus)


def test_topics_are_those_of_the_library_taxonomy() -> None:
    names = {
        child["code"]: (child["name"], parent["code"], parent["name"])
        for parent in json.loads(TOPICS_JSON.read_text("utf-8"))
        for child in parent["children"]
    }
    for topic in TOPICS:
        assert names[topic.code] == (topic.name, topic.parent_code, topic.parent_name)
    for publisher in PUBLISHERS:
        assert set(publisher.topics) <= set(TOPIC_BY_CODE)


def test_publishers_have_valid_organisation_codes() -> None:
    assert BY_NAME["市人民政府"].org_code == "11330800002618015K"  # as in the seed document
    assert len({p.org_code for p in PUBLISHERS}) == len(PUBLISHERS)
    for publisher in PUBLISHERS:
        assert check_credit_code(publisher.org_code).valid, publisher.name


def test_numbers_are_unique_and_shaped_like_real_ones() -> None:
    documents = list(generate(3000))
    index_numbers = [d.index_number for d in documents]
    assert len(set(index_numbers)) == len(index_numbers)
    for d in documents:
        org, _, rest = d.index_number.partition("/")
        assert org == BY_NAME[d.publisher].org_code
        assert re.fullmatch(rf"{d.published_on.year}-\d{{6}}", rest)
    numbered = [d.doc_number for d in documents if d.doc_number]
    assert len(set(numbered)) == len(numbered) > 0.6 * len(documents)
    assert all(re.fullmatch(r"\S+〔20\d\d〕\d+号", n) for n in numbered)
    assert not any(d.doc_number for d in documents if d.genre == Genre.INTERPRETATION)


def test_links_point_back_to_the_document_they_concern(corpus: list[GeneratedDocument]) -> None:
    interpretations = [d for d in corpus if d.interprets is not None]
    assert len(interpretations) >= 15
    for d in interpretations:
        assert d.interprets is not None
        target = corpus[d.interprets]
        assert d.key > target.key
        assert d.genre == Genre.INTERPRETATION
        assert target.genre != Genre.INTERPRETATION
        core = re.search(r"《(.+)》", d.title)
        assert core is not None
        assert core.group(1) in target.title
        assert d.topic == target.topic
    replacing = [d for d in corpus if d.amends is not None or d.repeals is not None]
    assert replacing
    for d in replacing:
        key = d.amends if d.amends is not None else d.repeals
        assert key is not None
        older = corpus[key]
        assert older.key < d.key
        assert older.publisher == d.publisher
        assert older.validity == (Validity.AMENDED if d.amends is not None else Validity.REPEALED)
        assert "同时" in d.body  # 原《…》同时废止 / 修订
    marked = {d.key for d in corpus if d.validity in (Validity.AMENDED, Validity.REPEALED)}
    assert marked == {d.amends if d.amends is not None else d.repeals for d in replacing}


def test_validity_follows_the_dates(corpus: list[GeneratedDocument]) -> None:
    for d in corpus:
        if d.validity == Validity.EXPIRED:
            assert d.effective_until is not None
            assert d.effective_until < REFERENCE_DATE
        if d.validity == Validity.VALID and d.effective_until is not None:
            assert d.effective_until >= REFERENCE_DATE
        if d.effective_from and d.effective_until:
            assert d.effective_from < d.effective_until


def test_service_codes_are_items_of_the_demo_catalogue(corpus: list[GeneratedDocument]) -> None:
    codes = {item["code"] for item in services_catalogue.ITEMS}
    with_services = [d for d in corpus if d.service_codes]
    assert len(with_services) >= 20
    assert {c for d in with_services for c in d.service_codes} <= codes


def test_bodies_have_a_real_outline_and_the_government_vocabulary(
    corpus: list[GeneratedDocument],
) -> None:
    sizes = [len(d.body.encode()) for d in corpus]
    assert min(sizes) >= 900
    assert max(sizes) <= 6000
    assert 1500 <= sum(sizes) / len(sizes) <= 3500  # 1-4 KB
    terms = vocabulary()
    assert {"一网通办", "免申即享", "碳账户", "掌上办事", "比晾晒"} <= set(terms)
    deep = 0
    for d in corpus:
        entries = outline(d.body)
        first = [e for e in entries if e["level"] == 1]
        assert len(first) >= 3, d.title
        if d.genre != Genre.INTERPRETATION:
            assert first[0]["title"] == "总体要求"
            assert first[-1]["title"] == "保障措施"
            assert any(e["level"] == 2 for e in entries)
        deep += any(e["level"] == 3 for e in entries)
        assert any(term in d.body for term in terms)
    assert deep > len(corpus) // 2
    # both bracket styles of real notices: （一） and, as in the seed document, (一)
    assert any("(一)" in d.body for d in corpus)
    assert any("（一）" in d.body for d in corpus)
