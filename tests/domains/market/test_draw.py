"""The pure draw (双随机抽取): reproducible, ratio-true, conflict-free; no database."""

from __future__ import annotations

import pytest

from shuzhi.domains.market import draw as drawing

POPULATION = {
    "A": [f"A{i:03d}" for i in range(40)],
    "B": [f"B{i:03d}" for i in range(20)],
    "C": [f"C{i:03d}" for i in range(10)],
    "D": [f"D{i:03d}" for i in range(4)],
}
RATIOS = {"A": 5, "B": 15, "C": 30, "D": 50}
EVERYONE = {code: list(range(1, 9)) for codes in POPULATION.values() for code in codes}


def _draw(seed: int, **changes: object) -> drawing.DrawResult:
    arguments: dict[str, object] = {
        "seed": seed,
        "population": POPULATION,
        "ratios": RATIOS,
        "pool": EVERYONE,
        "conflicts": {},
        "per": 2,
    }
    arguments.update(changes)
    return drawing.draw(**arguments)  # type: ignore[arg-type]


def test_same_seed_same_draw_other_seed_other_draw() -> None:
    first, again = _draw(1234), _draw(1234)
    assert first == again
    assert first.inspectors == again.inspectors
    others = [_draw(seed) for seed in (1, 2, 3)]
    assert any(o.enterprises != first.enterprises for o in others)
    assert any(o.inspectors != first.inspectors for o in others)


def test_counts_follow_the_ratios_rounded_up() -> None:
    result = _draw(7)
    # ceil(40×5%)=2, ceil(20×15%)=3, ceil(10×30%)=3, ceil(4×50%)=2
    assert result.counts() == {"A": 2, "B": 3, "C": 3, "D": 2}
    for grade, codes in result.enterprises.items():
        assert set(codes) <= set(POPULATION[grade])
        assert len(set(codes)) == len(codes)
    assert all(len(result.inspectors[c]) == 2 for c in result.drawn())


def test_order_of_the_input_does_not_matter() -> None:
    shuffled = {grade: list(reversed(codes)) for grade, codes in POPULATION.items()}
    assert _draw(99, population=shuffled) == _draw(99)


def test_conflicted_inspectors_are_never_drawn() -> None:
    conflicts = {code: [1, 2, 3, 4, 5, 6] for code in EVERYONE}
    result = _draw(5, conflicts=conflicts)
    assert all(result.inspectors[c] == [7, 8] for c in result.drawn())


def test_too_few_inspectors_names_the_enterprise() -> None:
    conflicts = {code: [1, 2, 3, 4, 5, 6, 7] for code in EVERYONE}
    with pytest.raises(drawing.NotEnoughInspectors) as raised:
        _draw(5, conflicts=conflicts)
    assert raised.value.credit_code in EVERYONE
    assert (raised.value.available, raised.value.needed) == (1, 2)


@pytest.mark.parametrize(
    ("count", "ratio", "expected"),
    [(0, 50, 0), (1, 1, 1), (100, 5, 5), (101, 5, 6), (3, 0, 0), (3, 100, 3), (10, "33.3", 4)],
)
def test_sample_size_rounds_up(count: int, ratio: object, expected: int) -> None:
    assert drawing.sample_size(count, ratio) == expected  # type: ignore[arg-type]
