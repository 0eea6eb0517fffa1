"""Extra tabs on the dataset page and columns in the list, from modules above the catalogue.

The catalogue cannot import the warehouse (it is the lower layer), so the warehouse registers
its tabs (versions and quality, sample rows) here in ``AppConfig.ready()`` — the registry
pattern of ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise

from .models import Dataset


@dataclass(frozen=True)
class Panel:
    slug: str
    title: Promise | str
    render: Callable[[HttpRequest, Dataset], str]  # returns HTML (already escaped)


PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if any(p.slug == panel.slug for p in PANELS):
        return
    PANELS.append(panel)


@dataclass(frozen=True)
class ListColumn:
    """An extra column of the catalogue list: ``cells`` maps dataset ids to HTML."""

    slug: str
    title: Promise | str
    cells: Callable[[list[Dataset]], dict[int, str]]


LIST_COLUMNS: list[ListColumn] = []


def register_list_column(column: ListColumn) -> None:
    if any(c.slug == column.slug for c in LIST_COLUMNS):
        return
    LIST_COLUMNS.append(column)
