"""Review finding: a rule draft's parameter YAML is data, never code. OpenFisca's ``Loader`` is
PyYAML's full (C) loader, which runs ``!!python/object/apply`` tags; a steward's draft (and every
run that re-reads a stored version) must be parsed with the safe loader."""

from __future__ import annotations

import pytest

from shuzhi.domains.services.rules import (
    RULES,
    ParameterError,
    default_parameters,
    parse_parameters,
)

CALLED: list[int] = []


def _mark() -> int:  # what the YAML below tries to call
    CALLED.append(1)
    return 80


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:tests.domains.services.test_review_rules._mark []",
        "!!python/name:os.system",
    ],
)
def test_python_tags_in_parameters_are_refused_and_never_run(tag: str) -> None:
    code = next(iter(RULES))
    text = default_parameters(code) + f"\nextra: {tag}\n"
    with pytest.raises(ParameterError):
        parse_parameters(code, text)
    assert CALLED == []


def test_the_default_parameters_still_parse() -> None:
    for code in RULES:
        assert parse_parameters(code, default_parameters(code))
