"""The enterprise knowledge graph (企业知识图谱), read from the warehouse.

Sources are found by the catalogue's field semantics (see ``selectors.graph_sources``). Person
names and addresses are always shown masked; enterprises that share a legal representative are
linked through the stored join token (``<field>__token``) of the encrypted name, so the name
itself is never read in the clear for the link.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext as _

from shuzhi.platform.catalog.models import Grade
from shuzhi.platform.security.masking import mask
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.engine import table_name
from shuzhi.platform.warehouse.selectors import current_version, masked_row

from .selectors import GraphSource, graph_sources

ROW_LIMIT = 20
CATEGORIES = ("enterprise", "person", "address", "penalty", "abnormal", "licence", "other")


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _rows(
    con: Any, source: GraphSource, table: str, column: str, value: str
) -> list[dict[str, Any]]:
    cursor = con.execute(
        f'SELECT * FROM {_q(table)} WHERE {_q(column)} = ? ORDER BY "__row" LIMIT {ROW_LIMIT}',  # noqa: S608 - quoted names
        [value],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text[:40]


def build_graph(credit_code: str) -> dict[str, Any]:
    """Nodes and edges (ECharts ``graph`` series) around one enterprise."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, str]] = []
    read: list[str] = []

    def node(key: str, name: str, category: str, **extra: Any) -> str:
        if key not in nodes:
            nodes[key] = {"id": key, "name": name, "category": CATEGORIES.index(category), **extra}
        return key

    def edge(a: str, b: str, label: str) -> None:
        if a != b and not any(e["source"] == a and e["target"] == b for e in edges):
            edges.append({"source": a, "target": b, "label": label})

    center = node(f"ent:{credit_code}", credit_code, "enterprise", symbolSize=46)
    sources = [s for s in graph_sources() if s.credit_code]
    with open_warehouse() as warehouse:
        con = warehouse.duckdb
        for source in sources:
            dataset = source.dataset
            fields = {f.name: f for f in dataset.fields.all()}
            if (fields[source.credit_code].grade or 0) >= Grade.L3:
                continue  # an encrypted credit code cannot be looked up by value
            version = current_version(dataset)
            if version is None:
                continue
            table = table_name(dataset.code, version.number)
            if not warehouse.has_table(table):
                continue
            rows = _rows(con, source, table, source.credit_code, credit_code)
            if not rows:
                continue
            read.append(dataset.code)
            for row in rows:
                shown = masked_row(dataset, row)
                if source.role == "registry":
                    if source.label and shown.get(source.label):
                        nodes[center]["name"] = _short(shown[source.label])
                        nodes[center]["code"] = credit_code
                    if source.person and row.get(source.person) is not None:
                        _person(con, source, table, row, shown, center, node, edge)
                    if source.address and shown.get(source.address):
                        addr = mask(str(shown[source.address]), "address") or ""
                        key = node("addr:" + _digest(addr), addr, "address")
                        edge(center, key, str(fields[source.address].label))
                    continue
                title = " · ".join(_short(shown.get(n)) for n in source.detail if shown.get(n))
                key = node(
                    f"{source.role}:{dataset.code}:{row.get('__row', len(nodes))}",
                    title or dataset.name,
                    source.role if source.role in CATEGORIES else "other",
                    dataset=dataset.name,
                )
                edge(center, key, dataset.name)
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "categories": list(CATEGORIES),
        "datasets": read,
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _person(
    con: Any,
    source: GraphSource,
    table: str,
    row: dict[str, Any],
    shown: dict[str, Any],
    center: str,
    node: Any,
    edge: Any,
) -> None:
    """The legal representative (masked) and other enterprises that share them (by token)."""
    token_column = f"{source.person}__token"
    link_column = token_column if token_column in row else source.person
    link_value = row.get(link_column)
    person_name = mask(str(shown.get(source.person) or ""), "person_name") or "***"
    person = node("person:" + _digest(str(link_value)), person_name, "person")
    edge(center, person, str(_("Legal representative")))
    if link_value is None:
        return
    for other in _rows(con, source, table, link_column, str(link_value)):
        code = str(other.get(source.credit_code) or "")
        if not code or f"ent:{code}" == center:
            continue
        label = (
            _short(masked_row(source.dataset, other).get(source.label)) if source.label else code
        )
        key = node(f"ent:{code}", label or code, "enterprise", code=code)
        edge(key, person, str(_("Legal representative")))
