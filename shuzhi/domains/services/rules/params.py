"""Policy parameters as YAML (参数): parsed with OpenFisca's loader, checked against the rule.

A rule version's parameters are the YAML of one policy's parameter node (the files in
``parameters/`` are version 1). :func:`parse_parameters` returns the parsed mapping or raises
:class:`ParameterError` with a message in Chinese and in English naming the line or the
parameter at fault. Pure Python.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openfisca_core.errors import ParameterParsingError
from openfisca_core.parameters import ParameterNode
from openfisca_core.parameters.config import date_constructor, dict_no_duplicate_constructor

from .catalogue import RULES

__all__ = ["ParameterError", "default_parameters", "parse_parameters"]

_FOLDER = Path(__file__).with_name("parameters")


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader with OpenFisca's two constructors (dates stay text, a key may not
    repeat): OpenFisca's own ``Loader`` is the full loader, which runs ``!!python/...`` tags."""


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", date_constructor)
_SafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, dict_no_duplicate_constructor
)
_SAFE: Any = _SafeLoader


class ParameterError(ValueError):
    """A parameter YAML that cannot be used; ``message`` (zh-hans) and ``message_en``."""

    def __init__(self, message: str, message_en: str, *, parameter: str = "", line: int = 0):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.parameter = parameter
        self.line = line


@cache
def default_parameters(code: str) -> str:
    """The YAML of ``code``'s version 1 (the file shipped with the rule)."""
    return (_FOLDER / f"{code}.yaml").read_text("utf-8")


def _key_lines(text: str) -> dict[str, int]:
    """Top-level key → its 1-based line in ``text``."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _v in node.value}


def _is_number(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return False
    if kind == "int":
        return isinstance(value, int)
    return isinstance(value, int | float)


def _values_ok(node: Any, kind: str) -> bool:
    """A dated value node ``{values: {date: number}}`` whose numbers are of ``kind``."""
    if not isinstance(node, dict) or not isinstance(node.get("values"), dict):
        return False
    values = node["values"].values()
    return bool(values) and all(
        v is None or _is_number(v.get("value") if isinstance(v, dict) else v, kind) for v in values
    )


def _check(name: str, kind: str, node: Any) -> bool:
    if kind == "scale":
        brackets = node.get("brackets") if isinstance(node, dict) else None
        return (
            isinstance(brackets, list)
            and bool(brackets)
            and all(
                isinstance(b, dict)
                and _values_ok(b.get("threshold"), "number")
                and _values_ok(b.get("amount"), "number")
                for b in brackets
            )
        )
    return _values_ok(node, kind)


_KINDS = {
    "int": ("整数", "a whole number"),
    "number": ("数值", "a number"),
    "scale": ("分段标准（brackets: threshold / amount）", "a scale (brackets of threshold/amount)"),
}


def parse_parameters(code: str, text: str) -> dict[str, Any]:
    """Parse and check the parameter YAML of the rule ``code``; the mapping for the engine."""
    rule = RULES[code]
    try:
        # the safe loader: OpenFisca's ``Loader`` is PyYAML's full loader, which would run the
        # ``!!python/...`` tags of a steward's draft
        data = yaml.load(text, Loader=_SAFE)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(error, "problem", None) or str(error)
        raise ParameterError(
            f"参数无法解析：第 {line} 行，{problem}",
            f"The parameters do not parse: line {line}, {problem}",
            line=line,
        ) from error
    if not isinstance(data, dict):
        raise ParameterError(
            "参数必须是“名称: 值”的映射", "The parameters must be a mapping of name: value"
        )
    lines = _key_lines(text)
    for name, kind in rule.parameters:
        if name not in data:
            raise ParameterError(
                f"缺少参数 {name}（{_KINDS[kind][0]}）",
                f"The parameter {name} ({_KINDS[kind][1]}) is missing",
                parameter=name,
            )
        if not _check(name, kind, data[name]):
            line = lines.get(name, 0)
            raise ParameterError(
                f"参数 {name}（第 {line} 行）必须是按日期给出的{_KINDS[kind][0]}",
                f"The parameter {name} (line {line}) must be {_KINDS[kind][1]} given by date",
                parameter=name,
                line=line,
            )
    try:
        ParameterNode(code, data=data)
    except (ParameterParsingError, ValueError, TypeError, AttributeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ParameterError(
            f"参数不符合 OpenFisca 参数格式：{first}",
            f"The parameters are not valid OpenFisca parameters: {first}",
        ) from error
    return data
