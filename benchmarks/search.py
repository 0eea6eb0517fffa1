"""Policy-library search (政策文件库): the tantivy engine against SQLite FTS5 on the same corpus.

    python -m benchmarks.search [--docs 100000] [--queries 200] [--rounds 3]

Generates ``--docs`` documents with ``shuzhi.demo.policy_corpus`` (deterministic: titles, 1-4 KB
bodies with outlines, 14 publishers, 24 topics, 2018-2026, a share expired, repealed, amended;
all treated as public) into memory and indexes all of them, in the same run:

* ours: one ``TantivyEngine.add`` into an index in a temporary folder — segmentation with the
  government-terms dictionary (rjieba), the character-bigram field, facets, one commit (the way
  ``rebuild_index`` feeds it);
* the baseline: SQLite FTS5 (the standard library's sqlite3, a WAL file in the same folder)
  over the same segmentation (``segment.index_text``: rjieba in search mode, space-separated)
  of title and body, with a metadata table (publisher, topic, year, validity, 文号, 索引号;
  B-tree indexes on the two numbers), one transaction;

and writes the same documents into a temporary SQLite database of the platform (not timed), for
the HTTP leg. Indexing speed is documents over the seconds spent in those calls (generation not
counted). Then ``--queries`` fixed queries (``random.Random(7)``: dictionary terms, two-character
words, quoted phrases, two-word queries, exact 文号 and 索引号 lookups, and terms with publisher /
topic / year / validity filters, some sorted newest first) run ``--rounds`` times after a
warm-up round, each answered in full — a page of 20 ranked hits with highlighted title and
snippet, the total, and the four facet counts over every match:

* engine: ``TantivyEngine.search`` in process;
* FTS5: ``MATCH`` on the AND of the query words (precise-mode segmentation; synonym groups
  OR-ed, as the engine does; a phrase's words ``NEAR`` each other), ``bm25()`` with the title weighted twice, ``highlight()`` and
  ``snippet()``, and one grouped count over the matches for the facets; 文号 and 索引号 through
  the B-tree indexes;
* HTTP: ``GET /api/v1/policy/documents?q=…`` through Django's test client (the whole view:
  validation, engine, metadata from the database, JSON), on the same index.

Prints docs/s and p50/p99 of each, whether the goals are met (≥ 4,000 docs/s indexing, engine
p50 < 1 ms, HTTP p99 < 50 ms), and the ratios last.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from shuzhi.demo.policy_corpus import (
    PROACTIVE,
    PUBLISHERS,
    TOPIC_BY_CODE,
    TOPICS,
    GeneratedDocument,
    generate,
    vocabulary,
)

PER_PAGE = 20
GOAL_DOCS_PER_S = 4000
GOAL_ENGINE_P50_MS = 1.0
GOAL_HTTP_P99_MS = 50.0
TWO_CHARACTER_WORDS = (
    "监管", "企业", "服务", "资金", "安全", "创新", "数据", "考核", "奖励", "预算", "信用", "住房",
    "旅游", "消费", "能源", "养老", "就业", "教育", "医疗", "环境", "补贴", "社区", "项目", "改革",
)  # fmt: skip
PHRASES = (
    "数字政府建设", "公共数据平台", "营商环境", "一次性奖励", "工作专班", "年度综合考核",
    "政务服务2.0", "集成办理", "预算绩效管理", "首违不罚", "掌上办事", "四省边际",
)  # fmt: skip
DOC_NUMBER = re.compile(r"^\S{1,12}〔\d{4}〕\d{1,5}号$")
INDEX_NUMBER = re.compile(r"^[0-9A-Z]{18}/\d{4}-\d{6}$")
PHRASE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    publisher: str | None = None
    topic: str | None = None
    year: int | None = None
    validity: str | None = None
    sort: str = "relevance"

    def params(self) -> dict[str, str]:
        found = {"q": self.text, "sort": self.sort, "per_page": str(PER_PAGE)}
        for name in ("publisher", "topic", "year", "validity"):
            value = getattr(self, name)
            if value is not None:
                found[name] = str(value)
        return found


def _chunks(items: Iterator[GeneratedDocument], size: int) -> Iterator[list[GeneratedDocument]]:
    while chunk := list(islice(items, size)):
        yield chunk


def make_queries(count: int, samples: Sequence[GeneratedDocument]) -> list[Query]:
    """``count`` fixed queries in the proportions of the docstring (seeded, so the same each run)."""
    rng = random.Random(7)
    terms = vocabulary()
    publishers = [p.name for p in PUBLISHERS]
    validities = ("valid", "expired", "repealed", "amended")
    plan = [
        ("term", 30),
        ("word", 18),
        ("phrase", 12),
        ("two_words", 10),
        ("doc_number", 12),
        ("index_number", 5),
        ("filtered", 13),
    ]  # fmt: skip  (per 100)
    kinds = [kind for kind, share in plan for _ in range(share)]
    queries = []
    for n in range(count):
        kind = kinds[n * len(kinds) // count]
        sample = rng.choice(samples)
        if kind == "term":
            queries.append(Query(kind, rng.choice(terms)))
        elif kind == "word":
            queries.append(Query(kind, rng.choice(TWO_CHARACTER_WORDS)))
        elif kind == "phrase":
            source = rng.choice((PHRASES, rng.choice(TOPICS).subjects))
            queries.append(Query(kind, f'"{rng.choice(source)}"'))
        elif kind == "two_words":
            topic = rng.choice(TOPICS)
            queries.append(Query(kind, " ".join(rng.sample(topic.terms, 2))))
        elif kind == "doc_number":
            numbered = [s for s in samples if s.doc_number]
            queries.append(Query(kind, rng.choice(numbered).doc_number))
        elif kind == "index_number":
            queries.append(Query(kind, sample.index_number))
        else:
            topic = TOPIC_BY_CODE[sample.topic]
            filters: dict[str, Any] = {}
            for name in rng.sample(("publisher", "topic", "year", "validity"), rng.randint(1, 2)):
                if name == "publisher":
                    filters[name] = rng.choice(publishers)
                elif name == "topic":
                    filters[name] = rng.choice((topic.code, topic.parent_code))
                elif name == "year":
                    filters[name] = rng.randint(2018, 2026)
                else:
                    filters[name] = rng.choice(validities)
            sort = "newest" if rng.random() < 0.3 else "relevance"
            queries.append(Query(kind, rng.choice(topic.terms), sort=sort, **filters))
    return queries


# --- the baseline: SQLite FTS5 over jieba-segmented text ----------------------------------------


class Fts5:
    """The same documents in FTS5, answering the same queries with the same parts."""

    def __init__(self, path: Path) -> None:
        from shuzhi.domains.policy.search import segment

        self.segment = segment
        self.con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.con.executescript(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE meta (
                id INTEGER PRIMARY KEY, doc_number TEXT, index_number TEXT, title TEXT,
                publisher TEXT, topic TEXT, topic_parent TEXT, year INTEGER, validity TEXT,
                published_on TEXT
            );
            CREATE INDEX meta_doc_number ON meta (doc_number);
            CREATE INDEX meta_index_number ON meta (index_number);
            CREATE VIRTUAL TABLE docs USING fts5 (title, body, tokenize = 'unicode61');
            """
        )

    def add(self, documents: Sequence[GeneratedDocument]) -> None:
        """Index the documents in one transaction (as the engine commits once)."""
        self.con.execute("BEGIN")
        for start in range(0, len(documents), 10_000):
            self._insert(documents[start : start + 10_000])
        self.con.execute("COMMIT")

    def _insert(self, documents: Sequence[GeneratedDocument]) -> None:
        text = self.segment.index_text
        self.con.executemany(
            "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    d.key + 1,
                    d.doc_number,
                    d.index_number,
                    d.title,
                    d.publisher,
                    d.topic,
                    d.topic_parent,
                    d.published_on.year,
                    d.validity,
                    d.published_on.isoformat(),
                )
                for d in documents
            ],
        )
        self.con.executemany(
            "INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)",
            [(d.key + 1, text(d.title), text(d.body)) for d in documents],
        )

    def match(self, text: str) -> str:
        """The FTS5 query: other words AND-ed, synonyms OR-ed, and a phrase's words NEAR each
        other (search mode puts the pieces of a word before it, so they need not be adjacent)."""
        segment = self.segment
        parts = []
        for phrase in PHRASE.findall(text):
            words = segment.words(phrase)
            if len(words) == 1:
                parts.append(f'"{words[0]}"')
            elif words:
                quoted = " ".join(f'"{w}"' for w in words)
                parts.append(f"NEAR({quoted}, {3 * len(words)})")
        for word in segment.words(PHRASE.sub(" ", text)):
            group = segment.synonyms(word)
            options = [" ".join(segment.words(w)) for w in group]
            parts.append("(" + " OR ".join(f'"{o}"' for o in options if o) + ")")
        return " AND ".join(parts)

    def search(self, query: Query) -> tuple[int, list[tuple[Any, ...]], dict[str, Counter[Any]]]:
        text = query.text.strip()
        filters, args = [], []
        for name in ("publisher", "year", "validity"):
            value = getattr(query, name)
            if value is not None:
                filters.append(f"m.{name} = ?")
                args.append(value)
        if query.topic is not None:
            filters.append("(m.topic = ? OR m.topic_parent = ?)")
            args += [query.topic, query.topic]
        where = "".join(f" AND {f}" for f in filters)
        if DOC_NUMBER.match(text) or INDEX_NUMBER.match(text):
            column = "doc_number" if DOC_NUMBER.match(text) else "index_number"
            rows = self.con.execute(
                f"SELECT id, 0, title, '' FROM meta m WHERE {column} = ?{where}",  # noqa: S608 - ours
                [text, *args],
            ).fetchall()
            facets: dict[str, Counter[Any]] = {f: Counter() for f in ("publisher", "topic")}
            return len(rows), rows, facets
        match = self.match(text)
        if not match:
            return 0, [], {}
        order = "m.published_on DESC, m.id DESC" if query.sort == "newest" else "rank"
        hits = self.con.execute(
            "SELECT m.id, bm25(docs, 2.0, 1.0) AS rank, "  # noqa: S608 - our own SQL
            "highlight(docs, 0, '<mark>', '</mark>'), "
            "snippet(docs, 1, '<mark>', '</mark>', '…', 24) "
            f"FROM docs JOIN meta m ON m.id = docs.rowid WHERE docs MATCH ?{where} "
            f"ORDER BY {order} LIMIT {PER_PAGE}",
            [match, *args],
        ).fetchall()
        groups = self.con.execute(
            "SELECT m.publisher, m.topic, m.year, m.validity, count(*) "  # noqa: S608 - our own SQL
            f"FROM docs JOIN meta m ON m.id = docs.rowid WHERE docs MATCH ?{where} "
            "GROUP BY 1, 2, 3, 4",
            [match, *args],
        ).fetchall()
        facets = {f: Counter() for f in ("publisher", "topic", "year", "validity")}
        total = 0
        for publisher, topic, year, validity, n in groups:
            facets["publisher"][publisher] += n
            facets["topic"][topic] += n
            facets["year"][year] += n
            facets["validity"][validity] += n
            total += n
        return total, hits, facets


# --- the platform's database and the engine ------------------------------------------------------


def _setup(workdir: Path) -> None:
    os.environ.update(
        {
            "SHUZHI_DATA_DIR": str(workdir),
            "SHUZHI_POLICY_INDEX_DIR": str(workdir / "policy-index"),
            "SHUZHI_POLICY_SEARCH_ENGINE": "tantivy",
            "DJANGO_SETTINGS_MODULE": "shuzhi.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _reference_rows() -> tuple[dict[str, int], dict[str, int]]:
    """Topics, publishers and their departments in the platform's database: (publisher ids, topic ids)."""
    from shuzhi.domains.policy.models import Publisher, Topic
    from shuzhi.platform.accounts.models import Department, Division

    for topic in TOPICS:  # the migration loads the taxonomy; make sure the corpus's are there
        parent, _ = Topic.objects.get_or_create(
            code=topic.parent_code, defaults={"name": topic.parent_name}
        )
        Topic.objects.get_or_create(
            code=topic.code, defaults={"name": topic.name, "parent": parent}
        )
    publishers = {}
    for spec in PUBLISHERS:
        division, _ = Division.objects.get_or_create(
            code=spec.department[:6], defaults={"name": spec.department[:6], "level": "county"}
        )
        department, _ = Department.objects.get_or_create(
            code=spec.department, defaults={"name": spec.name, "division": division}
        )
        publisher, _ = Publisher.objects.get_or_create(
            name=spec.name, defaults={"org_code": spec.org_code, "department": department}
        )
        publishers[spec.name] = publisher.pk
    topics = dict(Topic.objects.values_list("code", "pk"))
    return publishers, topics


def _store(documents: Sequence[GeneratedDocument], publishers: dict[str, int],
           topics: dict[str, int]) -> None:  # fmt: skip
    from shuzhi.domains.policy.models import PolicyDocument

    PolicyDocument.objects.bulk_create(
        [
            PolicyDocument(
                id=d.key + 1,
                index_number=d.index_number,
                title=d.title,
                publisher_id=publishers[d.publisher],
                doc_number=d.doc_number,
                written_on=d.written_on,
                published_on=d.published_on,
                topic_id=topics[d.topic],
                genre=d.genre,
                validity=d.validity,
                effective_from=d.effective_from,
                effective_until=d.effective_until,
                disclosure=PROACTIVE,  # every benchmark document is public, as in the index
                body=d.body,
                interprets_id=None if d.interprets is None else d.interprets + 1,
                service_codes=list(d.service_codes),
            )
            for d in documents
        ],
        batch_size=2000,
    )


def _indexed(documents: Sequence[GeneratedDocument]) -> list[Any]:
    from shuzhi.domains.policy.search.base import IndexedDocument

    return [
        IndexedDocument(
            id=d.key + 1,
            index_number=d.index_number,
            doc_number=d.doc_number,
            title=d.title,
            body=d.body,
            publisher=d.publisher,
            topic=d.topic,
            topic_parent=d.topic_parent,
            genre=d.genre,
            validity=d.validity,
            published_on=d.published_on,
        )
        for d in documents
    ]


def _search_query(query: Query) -> Any:
    from shuzhi.domains.policy.search.base import SearchQuery

    return SearchQuery(
        text=query.text,
        publisher=query.publisher,
        topic=query.topic,
        year=query.year,
        validity=query.validity,
        sort=query.sort,  # type: ignore[arg-type]
        per_page=PER_PAGE,
    )


# --- timing ---------------------------------------------------------------------------------------


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _time(
    queries: list[Query], rounds: int, ask: Callable[[Query], int]
) -> tuple[list[float], list[int]]:
    """A warm-up round, then ``rounds`` rounds; (latencies in ms, totals of the first round)."""
    totals = [ask(q) for q in queries]
    latencies = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            ask(query)
            latencies.append((time.perf_counter() - start) * 1000)
    return sorted(latencies), totals


def _line(label: str, latencies: list[float]) -> tuple[float, float]:
    p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    print(f"{label:<34} p50 {p50:8.3f} ms   p99 {p99:8.3f} ms   ({len(latencies):,} queries)")
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.docs < 1 or args.queries < 1 or args.rounds < 1:
        parser.error("--docs, --queries and --rounds must be at least 1")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load}; {os.cpu_count()} CPUs; SQLite {sqlite3.sqlite_version}")

    with tempfile.TemporaryDirectory(prefix="shuzhi-bench-search-") as folder:
        workdir = Path(folder)
        _setup(workdir)
        from django.conf import settings
        from django.test import Client

        from shuzhi.domains.policy.search import segment
        from shuzhi.domains.policy.search.tantivy_engine import TantivyEngine

        segment.segmenter()  # load the dictionary before timing either side
        publishers, topics = _reference_rows()
        engine = TantivyEngine(Path(settings.POLICY_INDEX_DIR))
        fts = Fts5(workdir / "fts5.sqlite3")
        started = time.perf_counter()
        documents = list(generate(args.docs))
        indexed = _indexed(documents)
        generate_s = time.perf_counter() - started
        size = sum(len(d.body.encode()) for d in documents) / max(1, args.docs)
        print(
            f"generated {args.docs:,} documents in {generate_s:.1f} s, "
            f"{size / 1024:.1f} KB of text each on average",
            flush=True,
        )
        started, cpu = time.perf_counter(), time.process_time()
        engine.add(indexed)
        ours_s, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  tantivy engine: {ours_s:.1f} s (CPU {ours_cpu:.1f} s)", flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        fts.add(documents)
        fts_s, fts_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  SQLite FTS5: {fts_s:.1f} s (CPU {fts_cpu:.1f} s)", flush=True)
        started = time.perf_counter()
        for chunk in _chunks(iter(documents), 10_000):
            _store(chunk, publishers, topics)
        print(f"  stored in the platform's database in {time.perf_counter() - started:.1f} s")
        samples = documents[:: max(1, args.docs // 2000)]
        del indexed
        queries = make_queries(args.queries, samples)
        kinds = Counter(q.kind for q in queries)
        print(f"{len(queries)} queries: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))

        def ask_engine(query: Query) -> int:
            return int(engine.search(_search_query(query)).total)

        def ask_fts(query: Query) -> int:
            return fts.search(query)[0]

        client = Client()

        def ask_http(query: Query) -> int:
            answer = client.get("/api/v1/policy/documents", query.params())
            if answer.status_code != 200:
                raise SystemExit(f"HTTP {answer.status_code} for {query}: {answer.content[:300]!r}")
            return int(answer.json()["total"])

        ours_lat, ours_totals = _time(queries, args.rounds, ask_engine)
        fts_lat, fts_totals = _time(queries, args.rounds, ask_fts)
        http_lat, http_totals = _time(queries, args.rounds, ask_http)
        fts.con.close()

    if ours_totals != http_totals:
        differ = sum(a != b for a, b in zip(ours_totals, http_totals, strict=True))
        print(f"note: the API's totals differ from the engine's on {differ} queries")
    found = sum(t > 0 for t in ours_totals), sum(t > 0 for t in fts_totals)
    print(
        f"queries with results: engine {found[0]}/{len(queries)}, FTS5 {found[1]}/{len(queries)}; "
        f"total matches engine {sum(ours_totals):,}, FTS5 {sum(fts_totals):,}"
    )
    ours_rate, fts_rate = args.docs / ours_s, args.docs / fts_s
    print(
        f"{'indexing, tantivy engine':<34} {ours_rate:9,.0f} docs/s "
        f"({ours_s:.1f} s, CPU {ours_cpu:.1f} s over its threads)"
    )
    print(
        f"{'indexing, SQLite FTS5 + rjieba':<34} {fts_rate:9,.0f} docs/s "
        f"({fts_s:.1f} s, CPU {fts_cpu:.1f} s)"
    )
    ours_p50, ours_p99 = _line("query, tantivy engine", ours_lat)
    fts_p50, fts_p99 = _line("query, SQLite FTS5 + rjieba", fts_lat)
    http_p50, http_p99 = _line("HTTP /api/v1/policy/documents", http_lat)
    for goal, met in (
        (f"indexing ≥ {GOAL_DOCS_PER_S:,} docs/s", ours_rate >= GOAL_DOCS_PER_S),
        (f"engine p50 < {GOAL_ENGINE_P50_MS:g} ms", ours_p50 < GOAL_ENGINE_P50_MS),
        (f"HTTP p99 < {GOAL_HTTP_P99_MS:g} ms", http_p99 < GOAL_HTTP_P99_MS),
    ):
        print(f"goal {goal}: {'met' if met else 'NOT met'}")
    print(
        f"ratios (ours / FTS5): indexing speed {ours_rate / fts_rate:.2f}; "
        f"query p50 time {ours_p50 / fts_p50:.2g}, p99 time {ours_p99 / fts_p99:.2g}; "
        f"HTTP p50 / engine p50 {http_p50 / ours_p50:.1f}"
    )


if __name__ == "__main__":
    main()
