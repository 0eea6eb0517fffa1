"""The flow of one batch as a graph (追溯): pure functions over its movements, no database.

A batch starts at its producer (生产者); each movement (流向记录) passes part of it from a holder
to the next (distributor 经销商, retailer 零售商, user 使用单位). Holders are credit codes.

* :func:`forward` — every movement downstream of a holder (who received it after them, 正向追踪);
* :func:`backward` — every movement on a path from the producer to a holder (反向溯源);
* :func:`downstream_holders` — the holders a recall reaches;
* :func:`balances` — what each holder received, sent on and still has;
* :func:`tree` — the flow as a nested tree for a page (a holder reached twice is shown again,
  without repeating its subtree; cycles stop).

>>> edges = [
...     Edge(1, "P", "D1", 60), Edge(2, "P", "D2", 40),
...     Edge(3, "D1", "R1", 30), Edge(4, "D1", "R2", 20), Edge(5, "D2", "R3", 40),
... ]
>>> [e.id for e in forward(edges, "D1")]
[3, 4]
>>> [e.id for e in backward(edges, "R2")]
[1, 4]
>>> sorted(downstream_holders(edges, "P"))
['D1', 'D2', 'R1', 'R2', 'R3']
>>> balances(edges, "P", 100)["D1"]
Balance(received=60, sent=50, available=10)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Number = int | float | Decimal


@dataclass(frozen=True)
class Edge:
    """One movement: ``id`` (the Movement's pk), sender, receiver, quantity."""

    id: int
    source: str
    target: str
    quantity: Number = 0


@dataclass(frozen=True)
class Balance:
    received: Number
    sent: Number
    available: Number


@dataclass
class Node:
    """A holder in :func:`tree`: the movement that brought the batch here (None at the root)."""

    code: str
    edge: Edge | None = None
    children: list[Node] = field(default_factory=list)
    repeated: bool = False  # reached again: its subtree is shown where it first appeared


def forward(edges: Sequence[Edge], start: str) -> list[Edge]:
    """Every movement reachable downstream of ``start``, in the order of ``edges``.

    >>> [e.id for e in forward([Edge(1, "A", "B"), Edge(2, "B", "A")], "A")]  # a cycle ends
    [1, 2]
    >>> forward([Edge(1, "A", "B")], "Z")
    []
    """
    out = _outgoing(edges)
    seen_nodes = {start}
    found: set[int] = set()
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for edge in out.get(node, []):
            found.add(edge.id)
            if edge.target not in seen_nodes:
                seen_nodes.add(edge.target)
                queue.append(edge.target)
    return [e for e in edges if e.id in found]


def backward(edges: Sequence[Edge], holder: str) -> list[Edge]:
    """Every movement upstream of ``holder``: the chain back to the producer.

    >>> edges = [Edge(1, "P", "D"), Edge(2, "D", "R"), Edge(3, "D", "X")]
    >>> [e.id for e in backward(edges, "R")]
    [1, 2]
    >>> backward(edges, "P")
    []
    """
    incoming: dict[str, list[Edge]] = {}
    for edge in edges:
        incoming.setdefault(edge.target, []).append(edge)
    seen_nodes = {holder}
    found: set[int] = set()
    queue = deque([holder])
    while queue:
        node = queue.popleft()
        for edge in incoming.get(node, []):
            found.add(edge.id)
            if edge.source not in seen_nodes:
                seen_nodes.add(edge.source)
                queue.append(edge.source)
    return [e for e in edges if e.id in found]


def downstream_holders(edges: Sequence[Edge], start: str) -> list[str]:
    """The holders downstream of ``start`` (not ``start`` itself), first reached first.

    >>> downstream_holders([Edge(1, "P", "D"), Edge(2, "D", "R"), Edge(3, "R", "P")], "P")
    ['D', 'R']
    """
    order: list[str] = []
    for edge in forward(edges, start):
        if edge.target != start and edge.target not in order:
            order.append(edge.target)
    return order


def holders(edges: Iterable[Edge], producer: str) -> set[str]:
    """Everyone who holds or held the batch: the producer and every receiver.

    >>> sorted(holders([Edge(1, "P", "D")], "P"))
    ['D', 'P']
    """
    return {producer, *(e.target for e in edges)}


def balances(edges: Sequence[Edge], producer: str, produced: Number) -> dict[str, Balance]:
    """Per holder: received (the producer: the quantity produced), sent on, and still held.

    >>> b = balances([Edge(1, "P", "D", 5), Edge(2, "D", "R", 2)], "P", 10)
    >>> b["P"].available, b["D"].available, b["R"].available
    (5, 3, 2)
    """
    received: dict[str, Any] = {producer: produced}
    sent: dict[str, Any] = {}
    for edge in edges:
        received[edge.target] = received.get(edge.target, 0) + edge.quantity
        sent[edge.source] = sent.get(edge.source, 0) + edge.quantity
    return {
        code: Balance(received[code], sent.get(code, 0), received[code] - sent.get(code, 0))
        for code in received
    }


def tree(edges: Sequence[Edge], root: str) -> Node:
    """The flow from ``root`` as nested nodes (depth first, in the order of ``edges``).

    >>> t = tree([Edge(1, "P", "D"), Edge(2, "D", "R"), Edge(3, "P", "R")], "P")
    >>> [(c.code, [g.code for g in c.children]) for c in t.children]
    [('D', ['R']), ('R', [])]
    >>> t.children[1].repeated
    True
    """
    out = _outgoing(edges)
    expanded: set[str] = {root}

    def grow(node: Node) -> None:
        for edge in out.get(node.code, []):
            child = Node(edge.target, edge)
            node.children.append(child)
            if edge.target in expanded:
                child.repeated = True
                continue
            expanded.add(edge.target)
            grow(child)

    top = Node(root)
    grow(top)
    return top


def _outgoing(edges: Iterable[Edge]) -> dict[str, list[Edge]]:
    out: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
    return out
