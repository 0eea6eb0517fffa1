"""Chinese full-text search of the policy library: segmentation with the government terms,
the tantivy engine (BM25, highlights, facets, filters, phrases, exact 文号 / 索引号, synonyms,
words missing from the dictionary), the checked selector and bad input."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shuzhi.domains.policy.search import get_engine, reset_engines, segment
from shuzhi.domains.policy.search.base import IndexedDocument, SearchQuery
from shuzhi.domains.policy.search.tantivy_engine import TantivyEngine, doc_number_key
from shuzhi.domains.policy.selectors.search import (
    MAX_QUERY_CHARS,
    QueryTooLong,
    search_documents,
)

BODY = "各县（市、区）人民政府：\n一、总体要求\n"


def doc(pk: int, title: str, body: str, **fields: Any) -> IndexedDocument:
    values: dict[str, Any] = {
        "id": pk,
        "index_number": f"11330800002618015K/2022-{pk:06d}",
        "doc_number": f"衢政发〔2022〕{pk}号",
        "title": title,
        "body": BODY + body,
        "publisher": "市人民政府",
        "topic": "0102",
        "topic_parent": "01",
        "genre": "government",
        "validity": "valid",
        "published_on": date(2022, 1, pk % 28 + 1),
    }
    values.update(fields)
    return IndexedDocument(**values)


CORPUS = [
    doc(
        1,
        "衢州市人民政府关于深化数字政府建设的实施意见",
        "推进数字政府建设，深化一网通办。数字政府建设是重点。",
    ),
    doc(
        2,
        "关于推进一网通办改革的通知",
        "全面推行一网通办，实现掌上办事。一网通办覆盖全部事项。",
        publisher="市大数据局",
        topic="0103",
        published_on=date(2023, 5, 1),
    ),
    doc(
        3,
        "碳账户体系建设方案",
        "建设工业碳账户、农业碳账户，推动绿色低碳。政府引导，建设有序。",
        publisher="市生态环境局",
        topic="0501",
        topic_parent="05",
        validity="expired",
        published_on=date(2019, 3, 1),
    ),
    doc(
        4,
        "关于开展比晾晒活动的通知",
        "各地开展比晾晒，莲花镇先行先试。依据衢政发〔2022〕1号文件执行。",
        genre="notice",
        published_on=date(2024, 7, 1),
    ),
    doc(
        5,
        "免申即享政策兑现办法",
        "惠企政策实行免申即享，企业无需申请。<script>alert(1)</script> & 其他",
        publisher="市财政局",
        topic="0201",
        topic_parent="02",
        published_on=date(2021, 2, 2),
    ),
    doc(
        6,
        "政府工作安排",
        "数字政府相关工作。另行部署建设任务。",
        doc_number="衢政办发[2021]7号",
        published_on=date(2021, 9, 9),
    ),
]


@pytest.fixture
def engine(tmp_path: Path) -> TantivyEngine:
    found = TantivyEngine(tmp_path / "index")
    assert found.add(CORPUS) == len(CORPUS)
    return found


def ids(engine: TantivyEngine, text: str = "", **filters: Any) -> list[int]:
    return [hit.id for hit in engine.search(SearchQuery(text=text, **filters)).hits]


# segmentation ---------------------------------------------------------------------------


def test_government_terms_stay_one_word() -> None:
    assert len(segment.GOVERNMENT_TERMS) >= 150
    for term in ("一网通办", "免申即享", "碳账户", "掌上办事", "比晾晒", "浙政钉", "首违不罚"):
        assert term in segment.GOVERNMENT_TERMS
        assert term in segment.words(f"全面推进{term}工作")
        assert term in segment.tokens(f"全面推进{term}工作")


def test_tokens_are_search_mode_lower_case_without_punctuation() -> None:
    found = segment.tokens("数字政府建设，推进APP应用。")
    assert {"数字", "政府", "数字政府", "app"} <= set(found)
    assert "，" not in found
    assert "。" not in found


def test_key_terms_most_frequent_first() -> None:
    text = "推进碳账户建设。一网通办、一网通办、一网通办；碳账户。掌上办事之城。"
    assert segment.key_terms(text) == ["一网通办", "碳账户", "掌上办事之城"]
    assert segment.key_terms(text, limit=1) == ["一网通办"]
    assert segment.key_terms("没有术语") == []


def test_synonym_groups_are_loaded_both_ways() -> None:
    assert "数字化政府" in segment.synonyms("数字政府")
    assert "数字政府" in segment.synonyms("数字化政府")
    assert segment.synonyms("不存在的词") == ("不存在的词",)


def test_doc_number_key_normalises_brackets() -> None:
    assert doc_number_key("衢政办发[2021] 7号") == doc_number_key("衢政办发〔2021〕7号")
    assert doc_number_key("衢政办发【2021】7号") == "衢政办发〔2021〕7号"


# the engine ------------------------------------------------------------------------------


def test_bm25_ranks_the_document_about_the_word_first(engine: TantivyEngine) -> None:
    found = ids(engine, "一网通办")
    assert found[0] == 2  # in the title and three times in the body
    assert set(found) == {1, 2}


def test_snippets_and_titles_mark_matches_and_escape_the_rest(engine: TantivyEngine) -> None:
    results = engine.search(SearchQuery(text="免申即享"))
    hit = results.hits[0]
    assert hit.id == 5
    assert hit.title_html == "<mark>免申即享</mark>政策兑现办法"
    assert "<mark>免申即享</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "&amp;" in hit.snippet_html


def test_facets_count_all_matches_not_only_the_page(engine: TantivyEngine) -> None:
    results = engine.search(SearchQuery(text="建设", per_page=1))
    assert results.total == 3
    assert len(results.hits) == 1
    assert set(ids(engine, "建设", per_page=10)) == {1, 3, 6}
    assert results.facets == {
        "publisher": {"市人民政府": 2, "市生态环境局": 1},
        "topic": {"0102": 2, "0501": 1},
        "year": {"2022": 1, "2021": 1, "2019": 1},
        "validity": {"valid": 2, "expired": 1},
    }


def test_filters_by_publisher_topic_year_validity_and_genre(engine: TantivyEngine) -> None:
    assert ids(engine, "建设", publisher="市生态环境局") == [3]
    assert ids(engine, "", topic="05") == [3]  # a first-level topic covers its children
    assert ids(engine, "", topic="0103") == [2]
    assert ids(engine, "", year=2024) == [4]
    assert ids(engine, "建设", validity="expired") == [3]
    assert ids(engine, "", genre="notice") == [4]
    assert ids(engine, "建设", publisher="市财政局") == []


def test_phrase_matches_words_side_by_side_only(engine: TantivyEngine) -> None:
    assert set(ids(engine, "数字政府 建设")) >= {1, 6}
    assert ids(engine, '"数字政府建设"') == [1]
    assert ids(engine, "“数字政府建设”") == [1]


def test_exact_doc_number_and_index_number(engine: TantivyEngine) -> None:
    # document 4 cites 衢政发〔2022〕1号 in its text; the exact search finds document 1 only
    assert ids(engine, "衢政发〔2022〕1号") == [1]
    assert ids(engine, "衢政办发〔2021〕7号") == [6]  # indexed as [2021]
    assert ids(engine, "衢政办发[2021]7号") == [6]
    assert ids(engine, "11330800002618015K/2022-000003") == [3]
    # an exact search still honours the filters
    assert ids(engine, "衢政发〔2022〕1号", validity="expired") == []


def test_synonyms_find_the_other_word(engine: TantivyEngine) -> None:
    found = engine.search(SearchQuery(text="数字化政府"))
    assert {h.id for h in found.hits} == {1, 6}
    assert any("<mark>数字政府</mark>" in h.snippet_html for h in found.hits)


def test_words_missing_from_the_dictionary_are_found(engine: TantivyEngine) -> None:
    assert "莲花镇" not in segment.GOVERNMENT_TERMS
    found = engine.search(SearchQuery(text="莲花镇"))
    assert [h.id for h in found.hits] == [4]
    assert "<mark>莲花镇</mark>" in found.hits[0].snippet_html
    assert ids(engine, "先行先试") == [4]
    # the title's bigrams find a title word however it was segmented
    assert ids(engine, "兑现办法") == [5]
    assert ids(engine, "莲花村") == []  # every piece must be there


def test_sort_newest_and_pages(engine: TantivyEngine) -> None:
    newest = ids(engine, "", sort="newest", per_page=50)
    assert newest == [4, 2, 1, 6, 5, 3]
    assert ids(engine, "") == newest  # no text: newest first
    page1 = ids(engine, "", per_page=4)
    page2 = ids(engine, "", per_page=4, page=2)
    assert page1 + page2 == newest
    assert ids(engine, "", per_page=4, page=9) == []


def test_add_replaces_by_id_delete_clear_and_ids(engine: TantivyEngine) -> None:
    assert engine.ids() == {1, 2, 3, 4, 5, 6}
    engine.add([doc(3, "碳效码应用", "推广碳效码。", publisher="市生态环境局")])
    assert engine.ids() == {1, 2, 3, 4, 5, 6}
    assert ids(engine, "碳效码") == [3]
    assert ids(engine, "碳账户") == []
    engine.delete([3, 99])
    assert engine.ids() == {1, 2, 4, 5, 6}
    engine.clear()
    assert engine.ids() == set()
    assert engine.search(SearchQuery(text="一网通办")).total == 0


@pytest.mark.parametrize(
    "text", ['"', '""', "***", "AND OR NOT", "()[]{}:^~", "title:一网通办 AND (", "\\", "？！。"]
)
def test_syntax_never_raises(engine: TantivyEngine, text: str) -> None:
    results = engine.search(SearchQuery(text=text))
    assert isinstance(results.total, int)


def test_syntax_only_query_finds_nothing(engine: TantivyEngine) -> None:
    for text in ['"', "()[]{}:^~*", "？！。", "+-"]:
        assert engine.search(SearchQuery(text=text)).total == 0
    # syntax around a word is ignored, the word is searched
    assert ids(engine, "一网通办:(*)") == ids(engine, "一网通办")


def test_a_second_writer_waits_for_the_lock(engine: TantivyEngine, tmp_path: Path) -> None:
    other = TantivyEngine(tmp_path / "index")  # as another process would open it
    held = other.index.writer(heap_size=15_000_000, num_threads=1)

    def release() -> None:
        time.sleep(0.3)
        nonlocal held
        held.commit()
        del held

    thread = threading.Thread(target=release)
    thread.start()
    start = time.monotonic()
    engine.add([doc(7, "首违不罚清单", "推行首违不罚。")])
    thread.join()
    assert time.monotonic() - start >= 0.25
    assert ids(engine, "首违不罚") == [7]
    other.index.reload()
    assert 7 in other.ids()


# the selector and the engine of the settings ---------------------------------------------


def test_query_too_long_is_refused_with_the_limit(settings: Any) -> None:
    with pytest.raises(QueryTooLong) as raised:
        search_documents(SearchQuery(text="政" * 10_000))
    assert str(MAX_QUERY_CHARS) in str(raised.value)
    assert "10000" in str(raised.value)
    search_documents(SearchQuery(text="政" * MAX_QUERY_CHARS))  # at the limit: fine


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(page=0),
        SearchQuery(per_page=0),
        SearchQuery(per_page=51),
        SearchQuery(sort="oldest"),  # type: ignore[arg-type]
        SearchQuery(validity="gone"),
        SearchQuery(genre="poem"),
    ],
)
def test_bad_paging_and_choices_are_value_errors(query: SearchQuery) -> None:
    with pytest.raises(ValueError, match=r"\w") as raised:
        search_documents(query)
    assert not isinstance(raised.value, QueryTooLong)


def test_selector_searches_the_engine_of_the_settings(settings: Any, tmp_path: Path) -> None:
    settings.POLICY_INDEX_DIR = tmp_path / "first"
    get_engine().add(CORPUS[:2])
    assert [h.id for h in search_documents(SearchQuery(text="一网通办")).hits] == [2, 1]
    assert search_documents(SearchQuery(text="()**")).total == 0
    settings.POLICY_INDEX_DIR = tmp_path / "second"  # a changed setting gets its own engine
    assert search_documents(SearchQuery(text="一网通办")).total == 0
    settings.POLICY_INDEX_DIR = tmp_path / "first"
    reset_engines()
    assert search_documents(SearchQuery(text="一网通办")).total == 2


def test_unknown_engine_setting_is_a_clear_error(settings: Any) -> None:
    settings.POLICY_SEARCH_ENGINE = "lucene"
    with pytest.raises(ValueError, match="lucene"):
        get_engine()


def test_latin_marks_never_break_escaped_entities(tmp_path: Path) -> None:
    engine = TantivyEngine(tmp_path / "latin")
    engine.add([doc(1, "GT & LT 规则 <b>", "关于 gt 与 amp 的说明 <i>x</i> & gt")])
    hit = engine.search(SearchQuery(text="gt amp")).hits[0]
    assert "&amp;" in hit.snippet_html
    assert "<mark>gt</mark>" in hit.snippet_html
    assert "&<mark>" not in hit.snippet_html
    assert "<i>" not in hit.snippet_html
    assert hit.title_html == "<mark>GT</mark> &amp; LT 规则 &lt;b&gt;"
