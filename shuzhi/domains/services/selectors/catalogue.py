"""Reads of the service catalogue (政务服务事项目录): search, an item with its relations, a
bundle, and the combined needs (facts and materials) of a set of items.

The catalogue is public: anyone, signed in or not, may read published items and bundles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from shuzhi.platform.accounts.models import Department

from ..models import (
    Bundle,
    BundleItem,
    FormFact,
    ItemFact,
    ItemMaterial,
    MaterialKind,
    ServiceItem,
)
from ..models.catalogue import Audience

PAGE_SIZE = 12


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).select_related(
        "department"
    )


def item_search(
    *,
    q: str = "",
    audience: str = "",
    department: str = "",
    item_type: str = "",
    channel: str = "",
    cross_province: bool = False,
) -> QuerySet[ServiceItem]:
    """Published items matching the search words (name, code, keywords, department name) and
    filters. ``audience`` "citizen" also finds items for both; so does "enterprise"."""
    qs = published_items()
    for word in (q or "").split()[:5]:
        word = word[:40]
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(name_en__icontains=word)
            | Q(code__icontains=word)
            | Q(keywords__icontains=word)
            | Q(department__name__icontains=word)
        )
    if audience in (Audience.CITIZEN, Audience.ENTERPRISE):
        qs = qs.filter(audience__in=[audience, Audience.BOTH])
    if department:
        qs = qs.filter(department__code=department[:40])
    if item_type in ServiceItem.ItemType.values:
        qs = qs.filter(item_type=item_type)
    if channel:
        # JSON list containment is not portable to SQLite; filter in Python by primary key
        ids = [pk for pk, channels in qs.values_list("pk", "channels") if channel in channels]
        qs = qs.filter(pk__in=ids)
    if cross_province:
        qs = qs.filter(cross_province=True)
    return qs.order_by("code")


def catalogue_departments() -> list[Department]:
    """Departments that have published items, for the filter."""
    ids = published_items().values_list("department_id", flat=True).distinct()
    return list(Department.objects.filter(pk__in=ids).order_by("code"))


def item_get(code: str) -> ServiceItem | None:
    return published_items().filter(code=code[:40]).first()


@dataclass
class ItemDetail:
    item: ServiceItem
    materials: list[ItemMaterial]
    facts: list[ItemFact]
    same_industry: list[ServiceItem]  # 一业一证: the other items folded into the same licence
    bundles: list[Bundle]


def item_detail(item: ServiceItem) -> ItemDetail:
    related: list[ServiceItem] = []
    if item.industry_licence:
        related = list(
            published_items().filter(industry_licence=item.industry_licence).exclude(pk=item.pk)
        )
    bundle_ids = BundleItem.objects.filter(item=item).values_list("bundle_id", flat=True)
    return ItemDetail(
        item=item,
        materials=list(ItemMaterial.objects.filter(item=item).select_related("kind")),
        facts=list(ItemFact.objects.filter(item=item).select_related("fact")),
        same_industry=related,
        bundles=list(Bundle.objects.filter(pk__in=bundle_ids)),
    )


def bundle_list() -> list[Bundle]:
    return list(Bundle.objects.select_related("lead_department"))


def bundle_get(code: str) -> Bundle | None:
    return Bundle.objects.select_related("lead_department").filter(code=code[:40]).first()


def bundle_entries(bundle: Bundle) -> list[BundleItem]:
    return list(
        BundleItem.objects.filter(bundle=bundle)
        .select_related("item", "item__department")
        .order_by("position", "pk")
    )


@dataclass
class Need:
    """One fact or material of the combined form, asked once however many items need it."""

    code: str
    obj: FormFact | MaterialKind
    required: bool
    items: list[str] = field(default_factory=list)  # item codes that need it


@dataclass
class Needs:
    facts: list[Need]
    materials: list[Need]


def needs_for(items: Sequence[ServiceItem]) -> Needs:
    """The union of the items' facts and materials, each once (by code), in the order they first
    appear; required when any item requires it."""
    ids = [item.pk for item in items]
    codes = {item.pk: item.code for item in items}
    order = {pk: i for i, pk in enumerate(ids)}
    facts: dict[str, Need] = {}
    item_facts = sorted(
        ItemFact.objects.filter(item_id__in=ids).select_related("fact"),
        key=lambda f: (order[f.item_id], f.position, f.pk),
    )
    for entry in item_facts:
        need = facts.setdefault(entry.fact.code, Need(entry.fact.code, entry.fact, False))
        need.required = need.required or entry.required
        need.items.append(codes[entry.item_id])
    materials: dict[str, Need] = {}
    item_materials = sorted(
        ItemMaterial.objects.filter(item_id__in=ids).select_related("kind"),
        key=lambda m: (order[m.item_id], m.pk),
    )
    for material in item_materials:
        kind = material.kind
        need = materials.setdefault(kind.code, Need(kind.code, kind, False))
        need.required = need.required or material.required
        need.items.append(codes[material.item_id])
    return Needs(facts=list(facts.values()), materials=list(materials.values()))


def items_of_bundle(bundle: Bundle, optional_chosen: Iterable[str] = ()) -> list[ServiceItem]:
    """The bundle's items to apply for: every mandatory one, and the optional ones chosen."""
    chosen = set(optional_chosen)
    return [
        entry.item
        for entry in bundle_entries(bundle)
        if not entry.optional or entry.item.code in chosen
    ]
