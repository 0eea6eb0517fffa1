"""The pure batch graph (trace_graph.py): its doctests, and forward/backward on a real chain."""

from __future__ import annotations

import doctest
from decimal import Decimal

from shuzhi.domains.market import trace_graph
from shuzhi.domains.market.trace_graph import Edge, backward, balances, downstream_holders, forward

# producer P → distributors D1, D2 → retailers R1..R4; R4 also receives from D1
CHAIN = [
    Edge(1, "P", "D1", Decimal(60)),
    Edge(2, "P", "D2", Decimal(40)),
    Edge(3, "D1", "R1", Decimal(20)),
    Edge(4, "D1", "R2", Decimal(20)),
    Edge(5, "D2", "R3", Decimal(15)),
    Edge(6, "D2", "R4", Decimal(15)),
    Edge(7, "D1", "R4", Decimal(5)),
]


def test_doctests() -> None:
    failed, attempted = doctest.testmod(trace_graph, raise_on_error=False)
    assert attempted >= 10
    assert failed == 0


def test_forward_from_a_distributor_stays_in_its_branch() -> None:
    assert [e.id for e in forward(CHAIN, "D2")] == [5, 6]
    assert [e.id for e in forward(CHAIN, "R1")] == []
    assert [e.id for e in forward(CHAIN, "P")] == [1, 2, 3, 4, 5, 6, 7]


def test_backward_from_a_retailer_with_two_suppliers() -> None:
    assert [e.id for e in backward(CHAIN, "R4")] == [1, 2, 6, 7]
    assert [e.id for e in backward(CHAIN, "R1")] == [1, 3]


def test_recall_reaches_every_downstream_holder_once() -> None:
    assert downstream_holders(CHAIN, "P") == ["D1", "D2", "R1", "R2", "R3", "R4"]
    assert sorted(downstream_holders(CHAIN, "D2")) == ["R3", "R4"]


def test_balances_and_tree() -> None:
    held = balances(CHAIN, "P", Decimal(100))
    assert held["P"].available == 0
    assert held["D1"].sent == 45
    assert held["D1"].available == 15
    assert held["R4"].received == 20
    top = trace_graph.tree(CHAIN, "P")
    assert [c.code for c in top.children] == ["D1", "D2"]
    r4 = next(c for c in top.children[1].children if c.code == "R4")
    assert r4.repeated  # first shown under D1
