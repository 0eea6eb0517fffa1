"""Reads of policy documents for pages, feeds and the API.

Citizens see only public documents (主动公开, ``Disclosure.PROACTIVE``); the staff who publish for
a publisher (``policy.publish`` in the publisher's department) also see its other documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from ..models import Attachment, Disclosure, PolicyDocument, Publisher, Topic
from ..outline import outline
from ..permissions import can_publish


def _with_relations(qs: QuerySet[PolicyDocument]) -> QuerySet[PolicyDocument]:
    return qs.select_related("publisher", "topic", "topic__parent")


def public_documents() -> QuerySet[PolicyDocument]:
    """Every public (主动公开) document, newest first."""
    return _with_relations(PolicyDocument.objects.filter(disclosure=Disclosure.PROACTIVE))


def document_get(pk: int) -> PolicyDocument | None:
    """One document of any disclosure (the caller checks :func:`can_read`)."""
    return _with_relations(PolicyDocument.objects.filter(pk=pk)).first()


def can_read(user: Any, document: PolicyDocument) -> bool:
    """Public documents for everyone, the others for their publisher's staff only."""
    return document.is_public or can_publish(user, document.publisher)


def public_document_by_reference(reference: str) -> PolicyDocument | None:
    """A public document by its id (digits) or its 索引号."""
    reference = reference.strip()[:64]
    if not reference:
        return None
    qs = public_documents()
    if reference.isascii() and reference.isdigit() and len(reference) < 12:
        found = qs.filter(pk=int(reference)).first()
        if found is not None:
            return found
    return qs.filter(index_number=reference).first()


def public_documents_by_ids(ids: Iterable[int]) -> dict[int, PolicyDocument]:
    """The public documents among ``ids`` (the search engine's hits), by id."""
    return {d.pk: d for d in public_documents().filter(pk__in=list(ids))}


def recent_documents(*, topic: Topic | None = None, limit: int = 30) -> list[PolicyDocument]:
    """The newest public documents, of one topic (first- or second-level) when given."""
    qs = public_documents()
    if topic is not None:
        qs = qs.filter(Q(topic=topic) | Q(topic__parent=topic))
    return list(qs.order_by("-published_on", "-pk")[:limit])


# --- links between documents -----------------------------------------------------------------


@dataclass
class DocumentLinks:
    """The documents linked to one document that its reader may see."""

    interprets: PolicyDocument | None = None  # the document this interpretation explains
    interpretations: list[PolicyDocument] = field(default_factory=list)  # 政策解读 of it
    amends: list[PolicyDocument] = field(default_factory=list)
    amended_by: list[PolicyDocument] = field(default_factory=list)
    repeals: list[PolicyDocument] = field(default_factory=list)
    repealed_by: list[PolicyDocument] = field(default_factory=list)

    def ids(self) -> set[int]:
        found = {d.pk for d in self.interpretations + self.amends + self.amended_by}
        found |= {d.pk for d in self.repeals + self.repealed_by}
        if self.interprets is not None:
            found.add(self.interprets.pk)
        return found


def document_links(document: PolicyDocument) -> DocumentLinks:
    """The public documents linked to ``document`` (interpretation, amends, repeals)."""
    public = Q(disclosure=Disclosure.PROACTIVE)
    interprets = document.interprets if document.interprets_id else None
    if interprets is not None and not interprets.is_public:
        interprets = None
    return DocumentLinks(
        interprets=interprets,
        interpretations=list(_with_relations(document.interpretations.filter(public))),
        amends=list(_with_relations(document.amends.filter(public))),
        amended_by=list(_with_relations(document.amended_by.filter(public))),
        repeals=list(_with_relations(document.repeals.filter(public))),
        repealed_by=list(_with_relations(document.repealed_by.filter(public))),
    )


def related_documents(
    document: PolicyDocument,
    *,
    terms: Sequence[str] = (),
    exclude: Iterable[int] = (),
    limit: int = 6,
) -> list[PolicyDocument]:
    """Public documents close to ``document``: the same topic (or first-level topic), ranked by
    how many of its key terms their titles share, then the newest."""
    parent_id = document.topic.parent_id or document.topic_id
    skip = {document.pk, *exclude}
    candidates = list(
        public_documents()
        .filter(Q(topic_id=document.topic_id) | Q(topic__parent_id=parent_id))
        .exclude(pk__in=skip)
        .order_by("-published_on", "-pk")[:200]
    )
    words = [t for t in terms if len(t) > 1][:20]

    def rank(candidate: PolicyDocument) -> int:
        shared = sum(1 for w in words if w in candidate.title)
        return shared * 2 + (1 if candidate.topic_id == document.topic_id else 0)

    candidates.sort(key=rank, reverse=True)  # stable: newest first within a rank
    return candidates[:limit]


def attachment_get(pk: int) -> Attachment | None:
    return Attachment.objects.select_related("document__publisher").filter(pk=pk).first()


# --- topics ----------------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def topic_label(topic: Topic) -> str:
    """The topic's name in the reader's language."""
    return topic.name_en if _english() and topic.name_en else topic.name


def topic_get(code: str) -> Topic | None:
    return Topic.objects.select_related("parent").filter(code=code[:16]).first()


def topic_labels(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Topic code → name in the reader's language (for facet values), of ``codes`` or of all."""
    qs = Topic.objects.all()
    if codes is not None:
        qs = qs.filter(code__in=[str(c)[:16] for c in codes][:500])
    return {t.code: topic_label(t) for t in qs}


@dataclass
class TopicNode:
    topic: Topic
    label: str
    count: int
    children: list[TopicNode] = field(default_factory=list)


def topic_tree() -> list[TopicNode]:
    """The two-level 主题分类 with the number of public documents under each topic."""
    counts = dict(
        PolicyDocument.objects.filter(disclosure=Disclosure.PROACTIVE)
        .values_list("topic_id")
        .annotate(n=Count("pk"))
        .values_list("topic_id", "n")
    )
    tops: dict[int, TopicNode] = {}
    children: list[Topic] = []
    for t in Topic.objects.order_by("code"):
        if t.parent_id is None:
            tops[t.pk] = TopicNode(t, topic_label(t), counts.get(t.pk, 0))
        else:
            children.append(t)
    for t in children:
        parent = tops.get(t.parent_id or 0)
        if parent is None:
            continue
        node = TopicNode(t, topic_label(t), counts.get(t.pk, 0))
        parent.children.append(node)
        parent.count += node.count
    return list(tops.values())


def second_level_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(parent__isnull=False).select_related("parent").order_by("code")


# --- the publishers' desk ----------------------------------------------------------------------


def department_publishers(department_id: int | None) -> QuerySet[Publisher]:
    if department_id is None:
        return Publisher.objects.none()
    return Publisher.objects.filter(department_id=department_id).order_by("name")


def department_documents(
    department_id: int | None, *, q: str = "", validity: str = "", disclosure: str = ""
) -> QuerySet[PolicyDocument]:
    """Every document (all disclosure kinds) of the publishers of one department."""
    if department_id is None:
        return PolicyDocument.objects.none()
    qs = _with_relations(PolicyDocument.objects.filter(publisher__department_id=department_id))
    q = q.strip()[:100]
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(doc_number__icontains=q) | Q(index_number__icontains=q)
        )
    if validity:
        qs = qs.filter(validity=validity)
    if disclosure:
        qs = qs.filter(disclosure=disclosure)
    return qs.order_by("-published_on", "-pk")


def document_by_index_number(index_number: str) -> PolicyDocument | None:
    """Any document by its 索引号 (the desk's "repealed / amended by" field)."""
    found = PolicyDocument.objects.filter(index_number=index_number.strip()[:48])
    return _with_relations(found).first()


def document_outline(document: PolicyDocument) -> list[dict[str, Any]]:
    """The stored outline of ``document``, or one made from its body when none is stored."""
    entries = document.outline if isinstance(document.outline, list) else []
    if not entries:
        entries = outline(document.body)
    return [dict(e) for e in entries if isinstance(e, Mapping)]
