"""The registry of portal sections; see the package docstring."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
