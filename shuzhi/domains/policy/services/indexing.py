"""Keeping the search index of the policy library in step with the database (索引维护).

The database is the truth; the engine (``search.get_engine``) holds the public (主动公开)
documents only and can always be rebuilt.

- :func:`schedule_index` — called by every service that changes documents: once the transaction
  commits, the documents are read again and the public ones (re)indexed, the others removed, so
  a rolled-back change never reaches the index. The documents a transaction touches are indexed
  together, in one engine commit (a bulk load in one transaction is one commit, not one each). An engine failure is logged, never raised into
  the committed request; ``shuzhi policy check-index`` / ``reindex`` repair the difference.
- :func:`rebuild_index` — the whole index from the database (``policy.publish`` or the system).
- :func:`index_differences` — what the index and the database disagree on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.audit.services import audit_record

from ..models import Disclosure, PolicyDocument
from ..permissions import require_publish
from ..search import get_engine
from ..search.base import IndexedDocument

logger = logging.getLogger(__name__)

ACTIONS: dict[str, Promise] = {
    "policy.reindex": _("Rebuild the search index of the policy library"),
}

PROGRESS_EVERY = 500
CHUNK = 1000
SMALL = 200  # fewer documents are handed over as a list (engines size their writers by it)


def _public() -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.filter(disclosure=Disclosure.PROACTIVE)


def to_indexed(doc: PolicyDocument) -> IndexedDocument:
    """The engine's view of ``doc`` (select ``publisher`` and ``topic__parent`` with it)."""
    topic = doc.topic
    return IndexedDocument(
        id=doc.pk,
        index_number=doc.index_number,
        doc_number=doc.doc_number or "",
        title=doc.title,
        body=doc.body,
        publisher=doc.publisher.name,
        topic=topic.code,
        topic_parent=topic.parent.code if topic.parent is not None else "",
        genre=doc.genre,
        validity=doc.validity,
        published_on=doc.published_on,
    )


def _index_now(ids: list[int]) -> None:
    """Index the public ones of ``ids`` as the database has them now; remove the others."""
    try:
        found = list(_public().filter(pk__in=ids).select_related("publisher", "topic__parent"))
        engine = get_engine()
        gone = set(ids) - {doc.pk for doc in found}
        if found:
            engine.add([to_indexed(doc) for doc in found])
        if gone:
            engine.delete(gone)
    except Exception:  # the change is committed: log, `shuzhi policy check-index` repairs
        logger.exception("policy search index: could not index documents %s", ids[:20])


# ids waiting for their transaction to commit, per thread (a connection serves one thread)
_waiting = threading.local()


def _pending() -> set[int]:
    ids: set[int] | None = getattr(_waiting, "ids", None)
    if ids is None:
        ids = _waiting.ids = set()
    return ids


def _flush() -> None:
    """Index everything waiting; the first commit hook of a transaction takes all of it and
    the others find nothing left. Ids left over from a rolled-back savepoint go along: the
    engine gets the database's state of them, so indexing them again is always right."""
    ids = _pending()
    if ids:
        wanted = sorted(ids)
        ids.clear()
        _index_now(wanted)


def schedule_index(ids: Iterable[int]) -> None:
    """(Re)index the documents ``ids`` once the current transaction commits (at once when
    there is none); nothing reaches the index when it rolls back."""
    wanted = {int(pk) for pk in ids if pk is not None}
    if wanted:
        _pending().update(wanted)
        transaction.on_commit(_flush)


def rebuild_index(
    *,
    by: Any,
    request: HttpRequest | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Index every public document again and drop what is no longer public; the number
    indexed. ``by`` needs ``policy.publish``; ``by=None`` is the system (CLI, demo, jobs)."""
    if by is not None:
        require_publish(by, action="policy.reindex", request=request)
    engine = get_engine()
    documents = _public().select_related("publisher", "topic__parent").order_by("pk")
    total = documents.count()
    seen: set[int] = set()

    def feed() -> Iterator[IndexedDocument]:
        for done, doc in enumerate(documents.iterator(chunk_size=CHUNK), start=1):
            seen.add(doc.pk)
            yield to_indexed(doc)
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)

    if progress is not None:
        progress(0, total)
    added = engine.add(list(feed()) if total < SMALL else feed())
    # stale: indexed but not public in the database *now* (a document published while the
    # rebuild ran was indexed by its own commit and is not stale)
    stale = engine.ids() - seen - set(_public().values_list("pk", flat=True))
    if stale:
        engine.delete(stale)
    audit_record(
        action="policy.reindex",
        actor=by,
        actor_name="" if by is not None else "system",
        request=request,
        details={"indexed": added, "removed": len(stale)},
    )
    return added


def index_differences() -> tuple[set[int], set[int]]:
    """(public documents missing from the index, indexed documents not public in the DB)."""
    public = set(_public().values_list("pk", flat=True))
    indexed = get_engine().ids()
    return public - indexed, indexed - public
