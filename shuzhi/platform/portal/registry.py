"""The registry of portal sections; see the package docstring."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.functional import Promise

Audience = Literal["citizen", "enterprise"]


@dataclass(frozen=True)
class PortalSection:  # 门户栏目
    """One section: ``context(request)`` returns the template's context for the signed-in user.

    ``template`` is rendered with that context inside the portal's card; ``context`` checks the
    caller itself (its own permission, its own audit) and may return ``{"unavailable": reason}``
    when the module has nothing for this person (e.g. an enterprise user without a credit code).
    """

    slot: str  # e.g. "credit", "carbon", "cases"
    audience: Audience
    title: Promise | str
    template: str
    context: Callable[[HttpRequest], Mapping[str, Any]]


SECTIONS: dict[tuple[Audience, str], PortalSection] = {}


def register_section(section: PortalSection) -> PortalSection:
    """Add (or replace) the section filling ``section.slot`` of ``section.audience``'s portal."""
    SECTIONS[(section.audience, section.slot)] = section
    return section


def section_for(audience: Audience, slot: str) -> PortalSection | None:
    return SECTIONS.get((audience, slot))


# --- service links: policy documents → the service items that implement them -------------------


@dataclass(frozen=True)
class ServiceLink:  # 政务服务事项链接
    """A public service item (政务服务事项) another module may link to: its code, name and page."""

    code: str
    name: str
    url: str


ServiceLookup = Callable[[Sequence[str]], list[ServiceLink]]
_SERVICE_LOOKUPS: list[ServiceLookup] = []


def register_service_lookup(fn: ServiceLookup) -> ServiceLookup:
    """Register the function that resolves service-item codes (the services domain does, at
    startup); registering the same function twice keeps one."""
    if fn not in _SERVICE_LOOKUPS:
        _SERVICE_LOOKUPS.append(fn)
    return fn


def service_links(codes: Sequence[str]) -> list[ServiceLink]:
    """The published service items among ``codes``, in the order of ``codes`` (unknown codes
    and codes of unpublished items are left out); empty when no module registered a lookup."""
    wanted = [c for c in dict.fromkeys(str(c) for c in codes) if c]
    if not wanted:
        return []
    found: dict[str, ServiceLink] = {}
    for lookup in _SERVICE_LOOKUPS:
        for item in lookup(wanted):
            found.setdefault(item.code, item)
    return [found[c] for c in wanted if c in found]
