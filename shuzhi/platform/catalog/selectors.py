"""Reads of the catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from shuzhi.platform.security.permissions import has_perm, require

from .models import Dataset, LineageEdge, OpenAttribute, ShareAttribute, Status


@dataclass(frozen=True)
class DatasetFilter:
    q: str = ""
    owner: str = ""  # department code
    theme: str = ""
    grade: int | None = None
    share_attribute: str = ""
    open_attribute: str = ""
    status: str = ""


def _visible(by: object) -> QuerySet[Dataset]:
    """Published datasets for every government reader; drafts and retired ones for the owner."""
    require(by, "catalog.view")
    qs = Dataset.objects.select_related("owner", "division", "theme")
    department_id = getattr(by, "department_id", None)
    return qs.filter(Q(status=Status.PUBLISHED) | Q(owner_id=department_id))


def dataset_list(*, by: object, filters: DatasetFilter) -> QuerySet[Dataset]:
    qs = _visible(by)
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(name_en__icontains=filters.q)
            | Q(code__icontains=filters.q)
            | Q(description__icontains=filters.q)
        )
    if filters.owner:
        qs = qs.filter(owner__code=filters.owner)
    if filters.theme:
        qs = qs.filter(theme_id=filters.theme)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.share_attribute:
        qs = qs.filter(share_attribute=filters.share_attribute)
    if filters.open_attribute:
        qs = qs.filter(open_attribute=filters.open_attribute)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("code")


def dataset_facets(qs: QuerySet[Dataset]) -> dict[str, list[dict[str, object]]]:
    """Counts per facet value of a filtered list, for the left-hand facets."""
    return {
        "owner": list(
            qs.values("owner__code", "owner__name").annotate(n=Count("id")).order_by("-n")
        ),
        "theme": list(qs.values("theme_id", "theme__name").annotate(n=Count("id")).order_by("-n")),
        "grade": list(qs.values("grade").annotate(n=Count("id")).order_by("grade")),
        "share_attribute": [
            {**row, "label": ShareAttribute(row["share_attribute"]).label}
            for row in qs.values("share_attribute")
            .annotate(n=Count("id"))
            .order_by("share_attribute")
        ],
        "open_attribute": [
            {**row, "label": OpenAttribute(row["open_attribute"]).label}
            for row in qs.values("open_attribute")
            .annotate(n=Count("id"))
            .order_by("open_attribute")
        ],
    }


def dataset_get(*, by: object, code: str) -> Dataset:
    """One dataset the reader may see; ``Dataset.DoesNotExist`` otherwise (a 404, not a 403)."""
    return _visible(by).get(code=code)


def can_edit(by: object, dataset: Dataset) -> bool:
    """Stewards (数据管理员) of the owner department edit its datasets."""
    return has_perm(by, "catalog.edit") and getattr(by, "department_id", None) == dataset.owner_id


def lineage_graph(
    dataset: Dataset, *, by: object, depth: int = 3
) -> dict[str, list[dict[str, object]]]:
    """Nodes and edges around a dataset, up and down ``depth`` steps (for the ECharts graph)."""
    seen = {dataset.pk}
    frontier = {dataset.pk}
    edges: dict[int, LineageEdge] = {}
    for _ in range(depth):
        found = LineageEdge.objects.filter(
            Q(source_id__in=frontier) | Q(target_id__in=frontier)
        ).select_related("source", "target")
        frontier = set()
        for edge in found:
            edges[edge.pk] = edge
            for node in (edge.source_id, edge.target_id):
                if node not in seen:
                    seen.add(node)
                    frontier.add(node)
        if not frontier:
            break
    nodes = {d.pk: d for d in _visible(by).filter(pk__in=seen)}  # no other department's drafts
    shown = {d.code for d in nodes.values()}
    return {
        "nodes": [
            {"id": d.code, "name": d.name, "current": d.pk == dataset.pk} for d in nodes.values()
        ],
        "edges": [
            {"source": e.source.code, "target": e.target.code, "label": e.transformation}
            for e in edges.values()
            if e.source.code in shown and e.target.code in shown
        ],
    }
