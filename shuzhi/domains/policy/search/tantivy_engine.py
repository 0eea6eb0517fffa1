"""The embedded search engine of the policy library: tantivy (via tantivy-py) on local disk.

Fields (schema version :data:`SCHEMA_VERSION`, kept in its own folder under the index path):

- ``title_seg`` / ``body_seg`` — the text segmented by rjieba in search mode (``segment``),
  indexed with positions by a whitespace analyzer: BM25 ranking and phrases.
- ``title`` — the title itself, stored, indexed as character bigrams (二元切分): a word missing
  from the dictionary is found in titles however they were segmented. ``body`` is only stored:
  bigrams of the body doubled the indexing cost (measured), so in the body a word missing from
  the dictionary is found as its pieces (segmentation without the HMM splits it the same way in
  documents and queries), side by side ranking first.
- ``index_number`` (索引号) and ``doc_key`` (文号, brackets normalised) — raw, for exact lookups.
- ``publisher``, ``topic``, ``validity``, ``genre``, ``year`` (fast, raw), ``topics`` (the topic
  and its parent, for filters), ``published`` (fast integer, the day) — filters, facets, sorting.

Facets are counted over all matches by a terms aggregation in a second thread while the page is
ranked and highlighted (tantivy releases the GIL); the validity counts add up to the total.

Queries are built from the typed text by :class:`QueryText` rather than tantivy's query
language, so no input is a syntax error: words are ANDed, ``"…"`` (or “…”) is a phrase,
synonyms (``data/synonyms.txt``) widen a word, a 文号 or 索引号 typed alone finds that document.
Highlighting (``<mark>``) is done here on the stored text: every other character is
HTML-escaped.

Several processes (web, worker, CLI) may write: each write takes tantivy's writer lock only for
its own batch, retrying while another holds it, and readers reload on commit.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from tantivy import (
    Document,
    Filter,
    Index,
    Occur,
    Query,
    SchemaBuilder,
    TextAnalyzerBuilder,
    Tokenizer,
)

from . import segment
from .base import FACETS, Hit, IndexedDocument, SearchQuery, SearchResults

logger = logging.getLogger(__name__)

PARALLEL_FACETS = True  # count facets in a second thread (tantivy releases the GIL)
_FACET_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="policy-facets")

SCHEMA_VERSION = 3  # a changed schema gets a new folder; `shuzhi policy reindex` fills it

# writer memory: small batches (a saved document) and bulk loads (rebuild, import of a folder)
SMALL_HEAP = 32_000_000
BULK_HEAP = 256_000_000
BULK_THREADS = 2
BULK_FROM = 200  # documents
LOCK_WAIT_SECONDS = 30.0
MERGE_AFTER_BULK = True  # wait for segment merges after a bulk load: fewer segments to search

TITLE_BOOST = 3.0
BIGRAM_WEIGHT = 0.4  # the bigram fields only back up the segmented ones
MAX_PHRASE_WORDS = 3  # a word typed without spaces that splits into more is a sentence
SNIPPET_CHARS = 120
FACET_SIZES = {"publisher": 500, "topic": 500, "year": 100, "validity": 20}

_SEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_PHRASE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|”([^“”]*)“')
_BRACKETS = str.maketrans({"[": "〔", "［": "〔", "【": "〔", "]": "〕", "］": "〕", "】": "〕"})
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Za-z]")


def doc_number_key(text: str) -> str:
    """A 文号 as compared: the brackets of the year as 〔〕, no spaces, lower case."""
    return _SPACE.sub("", text).translate(_BRACKETS).lower()


def _bigrams(word: str) -> list[str]:
    return [word[i : i + 2] for i in range(len(word) - 1)]


def _schema() -> tantivy.Schema:
    sb = SchemaBuilder()
    sb.add_integer_field("id", indexed=True, fast=True)
    sb.add_text_field("title", stored=True, tokenizer_name="zh_bigram", index_option="freq")
    sb.add_text_field("title_seg", tokenizer_name="zh_ws")
    sb.add_text_field("body", stored=True, tokenizer_name="stored_only", index_option="basic")
    sb.add_text_field("body_seg", tokenizer_name="zh_ws")
    for name in ("index_number", "doc_key", "topics"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    # year as text: a terms aggregation over string ordinals is cheaper than over integers
    for name in ("publisher", "topic", "validity", "genre", "year"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("published", fast=True)
    return sb.build()


def _register_tokenizers(index: Index) -> None:
    index.register_tokenizer(
        "zh_ws",
        TextAnalyzerBuilder(Tokenizer.whitespace()).filter(Filter.remove_long(48)).build(),
    )
    # no tokens: the field is only stored
    index.register_tokenizer(
        "stored_only",
        TextAnalyzerBuilder(Tokenizer.raw()).filter(Filter.remove_long(1)).build(),
    )
    index.register_tokenizer(
        "zh_bigram", TextAnalyzerBuilder(Tokenizer.ngram(2, 2)).filter(Filter.lowercase()).build()
    )


@dataclass
class QueryText:
    """The typed text, understood: quoted phrases, plain words, the candidate identifier."""

    phrases: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    identifier: str = ""  # the whole text when it could be a 文号 or 索引号

    @classmethod
    def parse(cls, text: str) -> QueryText:
        text = text.strip()
        found = cls()
        if text and len(text) <= 64 and _DIGIT.search(text) and not _PHRASE.search(text):
            found.identifier = text
        rest = []
        last = 0
        for match in _PHRASE.finditer(text):
            rest.append(text[last : match.start()])
            last = match.end()
            phrase = "".join(g for g in match.groups() if g)
            if segment.is_wordy(phrase):
                found.phrases.append(phrase.lower())
        rest.append(text[last:])
        for chunk in " ".join(rest).lower().split():
            found.words.extend(w for w in _SEP.split(chunk) if w)
        return found

    @property
    def empty(self) -> bool:
        return not (self.phrases or self.words)

    def marks(self) -> list[str]:
        """The strings to highlight: words, phrases, their synonyms and dictionary words."""
        marks: set[str] = set()
        for text in self.phrases:
            marks.update(segment.synonyms(text))
        for text in self.words:
            for alternative in segment.synonyms(text):
                marks.add(alternative)
                marks.update(w for w in segment.words(alternative) if len(w) > 1)
        return sorted(marks, key=len, reverse=True)


class TantivyEngine:
    """A :class:`~.base.SearchEngine` on a tantivy index in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.directory = self.path / f"tantivy-v{SCHEMA_VERSION}"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = Index(self.schema, path=str(self.directory), reuse=True)
        _register_tokenizers(self.index)
        self._lock = threading.Lock()

    # writing -----------------------------------------------------------------------------

    def _writer(self, bulk: bool) -> tantivy.IndexWriter:
        heap, threads = (BULK_HEAP, BULK_THREADS) if bulk else (SMALL_HEAP, 1)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        pause = 0.01
        while True:
            try:
                return self.index.writer(heap_size=heap, num_threads=threads)
            except ValueError as error:  # another process (or engine) holds the writer lock
                if "Lock" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _document(self, doc: IndexedDocument) -> Document:
        fields: dict[str, Any] = {
            "id": doc.id,
            "title": doc.title,
            "title_seg": segment.index_text(doc.title),
            "body": doc.body,
            "body_seg": segment.index_text(doc.body),
            "index_number": doc.index_number,
            "topics": [doc.topic, doc.topic_parent] if doc.topic_parent else [doc.topic],
            "publisher": doc.publisher,
            "topic": doc.topic,
            "validity": doc.validity,
            "genre": doc.genre,
            "year": str(doc.published_on.year),
            "published": doc.published_on.toordinal(),
        }
        if doc.doc_number:
            fields["doc_key"] = doc_number_key(doc.doc_number)
        return Document(**fields)

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        bulk = not isinstance(documents, Sized) or len(documents) >= BULK_FROM
        added = 0
        with self._lock:
            writer = self._writer(bulk)
            try:
                self.index.reload()
                replace = self.index.searcher().num_docs > 0
                for doc in documents:
                    if replace:
                        writer.delete_documents_by_term("id", doc.id)
                    writer.add_document(self._document(doc))
                    added += 1
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                if bulk and MERGE_AFTER_BULK:
                    writer.wait_merging_threads()  # also releases the lock
                del writer
            self.index.reload()
        return added

    def delete(self, ids: Iterable[int]) -> None:
        with self._lock:
            writer = self._writer(False)
            try:
                for pk in ids:
                    writer.delete_documents_by_term("id", int(pk))
                writer.commit()
            finally:
                del writer
            self.index.reload()

    def clear(self) -> None:
        with self._lock:
            writer = self._writer(False)
            try:
                writer.delete_all_documents()
                writer.commit()
            finally:
                del writer
            self.index.reload()

    def ids(self) -> set[int]:
        searcher = self.index.searcher()
        if searcher.num_docs == 0:
            return set()
        found = searcher.search(Query.all_query(), searcher.num_docs, count=False)
        values = searcher.fast_field_values("id", [address for _, address in found.hits])
        return {int(v) for v in values if v is not None}

    def count(self) -> int:
        return int(self.index.searcher().num_docs)

    # searching ---------------------------------------------------------------------------

    def _term(self, name: str, value: Any) -> Query:
        return Query.term_query(self.schema, name, value)

    def _all_of(self, queries: list[Query]) -> Query:
        if len(queries) == 1:
            return queries[0]
        return Query.boolean_query([(Occur.Must, q) for q in queries])

    def _any_of(self, queries: list[Query]) -> Query:
        if len(queries) == 1:
            return queries[0]
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    def _segmented(self, name: str, text: str) -> Query | None:
        """A word in a segmented field: its dictionary word; a word the dictionary lacks falls
        apart into pieces the same way everywhere (no HMM), so those pieces side by side (a
        phrase allowing one token between, for search-mode sub-words); a long run of words
        typed without spaces: all its words."""
        found = list(dict.fromkeys(segment.words(text)))
        if not found:
            return None
        if len(found) == 1:
            return self._term(name, found[0])
        if len(found) <= MAX_PHRASE_WORDS:
            positions: list[str | tuple[int, str]] = list(segment.positioned(text))
            return Query.phrase_query(self.schema, name, positions, slop=1)
        return self._all_of([self._term(name, w) for w in found])

    def _phrase(self, name: str, text: str) -> Query | None:
        """A phrase in a segmented field: its search-mode tokens at the positions the index
        gives them (so 数字政府建设 matches exactly where the index has it)."""
        positions: list[str | tuple[int, str]] = list(segment.positioned(text))
        if not positions:
            return None
        if len(positions) == 1:
            return self._term(name, segment.positioned(text)[0][1])
        return Query.phrase_query(self.schema, name, positions)

    def _bigrammed(self, name: str, text: str) -> Query | None:
        """``text`` in a bigram field: all its character bigrams present."""
        grams = [g for w in _SEP.split(text.lower()) for g in _bigrams(w)]
        if not grams:
            return None
        return self._all_of([self._term(name, g) for g in dict.fromkeys(grams)])

    def _text_clause(self, text: str, *, phrase: bool) -> Query | None:
        """One word (or phrase) of the query, or any of its synonyms, in title or body."""
        options: list[Query] = []
        for alternative in segment.synonyms(text):
            for name, boost in (("title_seg", TITLE_BOOST), ("body_seg", 1.0)):
                found = (
                    self._phrase(name, alternative)
                    if phrase
                    else self._segmented(name, alternative)
                )
                if found is not None:
                    options.append(Query.boost_query(found, boost) if boost != 1.0 else found)
            if len(segment.words(alternative)) > 1:
                # a word the dictionary splits: its bigrams in the title find it however the
                # title was segmented
                grams = self._bigrammed("title", alternative)
                if grams is not None:
                    options.append(Query.boost_query(grams, BIGRAM_WEIGHT * TITLE_BOOST))
        return self._any_of(options) if options else None

    def _filters(self, query: SearchQuery) -> list[Query]:
        filters = []
        if query.publisher:
            filters.append(self._term("publisher", query.publisher))
        if query.topic:
            filters.append(self._term("topics", query.topic))
        if query.year is not None:
            filters.append(self._term("year", str(int(query.year))))
        if query.validity:
            filters.append(self._term("validity", query.validity))
        if query.genre:
            filters.append(self._term("genre", query.genre))
        return filters

    def _exact(self, identifier: str) -> Query:
        return self._any_of(
            [
                self._term("index_number", identifier.strip()),
                self._term("doc_key", doc_number_key(identifier)),
            ]
        )

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = QueryText.parse(query.text)
        if query.text.strip() and parsed.empty and not parsed.identifier:
            return SearchResults(total=0, hits=[], facets={name: {} for name in FACETS})
        searcher = self.index.searcher()
        filters = self._filters(query)
        marks: list[str] = []
        main: Query | None = None
        if parsed.identifier:
            exact = self._all_of([self._exact(parsed.identifier), *filters])
            if searcher.search(exact, 1, count=True).count:  # type: ignore[attr-defined]
                main = exact
        if main is None:
            clauses = [
                c
                for c in (
                    *(self._text_clause(p, phrase=True) for p in parsed.phrases),
                    *(self._text_clause(w, phrase=False) for w in dict.fromkeys(parsed.words)),
                )
                if c is not None
            ]
            if query.text.strip() and not clauses:
                return SearchResults(total=0, hits=[], facets={name: {} for name in FACETS})
            marks = parsed.marks()
            main = self._all_of([*clauses, *filters]) if clauses or filters else Query.all_query()
        # facet counts in a second thread while this one ranks and highlights the page:
        # tantivy releases the GIL, so on two cores both run at once
        counting = _FACET_POOL.submit(self._facets, searcher, main) if PARALLEL_FACETS else None
        newest = query.sort == "newest" or not query.text.strip()
        per_page = max(1, query.per_page)
        offset = max(0, query.page - 1) * per_page
        if newest:
            found = searcher.search(
                main, per_page, count=False, order_by_field="published", offset=offset
            )
        else:
            found = searcher.search(main, per_page, count=False, offset=offset)
        addresses = [address for _, address in found.hits]
        ids = searcher.fast_field_values("id", addresses) if addresses else []
        pattern = _marks_pattern(marks)
        hits = []
        for (score, address), pk in zip(found.hits, ids, strict=True):
            stored = searcher.doc(address)
            hits.append(
                Hit(
                    id=int(pk or 0),
                    score=0.0 if newest else float(score),
                    title_html=_highlight(stored.get_first("title") or "", pattern),
                    snippet_html=_snippet(stored.get_first("body") or "", pattern, marks),
                )
            )
        facets = counting.result() if counting else self._facets(searcher, main)
        # every document has one validity: its counts add up to the number of matches
        total = sum(facets["validity"].values())
        return SearchResults(total=total, hits=hits, facets=facets)

    def _facets(self, searcher: tantivy.Searcher, query: Query) -> dict[str, dict[str, int]]:
        aggs = {name: {"terms": {"field": name, "size": FACET_SIZES[name]}} for name in FACETS}
        result = searcher.aggregate(query, aggs)
        facets: dict[str, dict[str, int]] = {}
        for name in FACETS:
            buckets = result.get(name, {}).get("buckets", [])
            facets[name] = {_key(b["key"]): int(b["doc_count"]) for b in buckets}
        return facets


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _marks_pattern(marks: list[str]) -> re.Pattern[str] | None:
    if not marks:
        return None
    return re.compile("(" + "|".join(re.escape(m) for m in marks) + ")", re.IGNORECASE)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _highlight(text: str, pattern: re.Pattern[str] | None) -> str:
    """``text`` HTML-escaped, with the matches of ``pattern`` in ``<mark>``."""
    if pattern is None:
        return _escape(text)
    if _LETTERS.search(pattern.pattern):
        # a mark of letters could match inside an entity (&lt;): mark first, escape between
        parts = []
        at = 0
        for match in pattern.finditer(text):
            parts.append(_escape(text[at : match.start()]))
            parts.append(f"<mark>{_escape(match.group(0))}</mark>")
            at = match.end()
        parts.append(_escape(text[at:]))
        return "".join(parts)
    # marks are words (digits, ideographs): escaping cannot create or break a match; the
    # pattern has one group, so split() alternates text and matches
    parts = pattern.split(_escape(text))
    parts[1::2] = [f"<mark>{m}</mark>" for m in parts[1::2]]
    return "".join(parts)


def _best_start(body: str, marks: list[str], pattern: re.Pattern[str], width: int) -> int:
    """Where the ``width`` characters of ``body`` holding the most distinct marks start (from
    the first occurrence of each mark: a C-speed ``str.find``, not a regex over the body)."""
    firsts = []
    for mark in marks:
        if mark.isascii():  # letters: case-insensitive
            found = pattern.search(body)
            at = found.start() if found else -1
        else:
            at = body.find(mark)
        if at >= 0:
            firsts.append(at)
    if not firsts:
        return -1
    firsts.sort()
    best, best_count = firsts[0], 0
    for i, start in enumerate(firsts):
        count = sum(1 for p in firsts[i:] if p < start + width)
        if count > best_count:
            best, best_count = start, count
    return best


def _snippet(
    body: str, pattern: re.Pattern[str] | None, marks: list[str], width: int = SNIPPET_CHARS
) -> str:
    """The best ``width`` characters of ``body`` with matches in ``<mark>``, else its start."""
    first = _best_start(body, marks, pattern, width - 20) if marks and pattern else -1
    start = max(0, first - 20) if first >= 0 else 0
    end = min(len(body), start + width)
    fragment = body[start:end].replace("\n", " ").replace("\r", " ")
    text = _highlight(fragment, pattern if first >= 0 else None)
    return ("…" if start > 0 else "") + text + ("…" if end < len(body) else "")
