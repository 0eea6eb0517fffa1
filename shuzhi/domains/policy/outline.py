"""The outline (提纲) of a policy document's body, for the navigable reading view.

Chinese official documents number their headings 一、 (level 1), （一） or (一) (level 2; both
full-width and ASCII parentheses occur, the seed document uses ASCII ones) and 1. or 1． (level
3); regulations (办法, 规定) number 第X章 (level 1) and 第X条 (level 2) instead. ``outline(body)``
lists them in order; ``line`` is the 0-based index of the heading's line in ``body.split("\\n")``
and ``anchor`` is unique within the document (``s-2``, ``s-2-1``, ``s-2-1-3``: the positions in
the tree, not the printed numbers, which restart or run on).

>>> body = "各部门：\\n一、总体要求\\n(一)指导思想。以人民为中心。\\n1.构建体系。正文。\\n二、保障措施"
>>> [(e["level"], e["label"], e["title"], e["anchor"], e["line"]) for e in outline(body)]
[(1, '一、', '总体要求', 's-1', 1), (2, '(一)', '指导思想', 's-1-1', 2), (3, '1.', '构建体系', 's-1-1-1', 3), (1, '二、', '保障措施', 's-2', 4)]
>>> rules = "第一章 总则\\n第一条 为了规范管理，制定本办法。\\n第二章 附则\\n第二条 本办法自发布之日起施行。"
>>> [(e["level"], e["label"], e["title"], e["anchor"]) for e in outline(rules)]
[(1, '第一章', '总则', 's-1'), (2, '第一条', '为了规范管理，制定本办法', 's-1-1'), (1, '第二章', '附则', 's-2'), (2, '第二条', '本办法自发布之日起施行', 's-2-1')]
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_TITLE", "heading", "outline"]

MAX_TITLE = 40  # characters of a heading's title; longer ones are cut with "…"

_NUMERAL = "一二三四五六七八九十百零〇"
_LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^\s*(第[{_NUMERAL}]{{1,4}}章)\s*(.*)$")),
    (2, re.compile(rf"^\s*(第[{_NUMERAL}]{{1,4}}条)\s*(.*)$")),
    (1, re.compile(rf"^\s*([{_NUMERAL}]{{1,4}}、)\s*(.*)$")),
    (2, re.compile(rf"^\s*([(（][{_NUMERAL}]{{1,4}}[)）])\s*(.*)$")),
    (3, re.compile(r"^\s*(\d{1,3}[.．](?!\d))\s*(.*)$")),
)
# the title of a heading ends at the first full stop (or semicolon / colon) of its line
_TITLE_END = re.compile(r"[。；;：:]")


def _title(rest: str) -> str:
    match = _TITLE_END.search(rest)
    title = (rest[: match.start()] if match else rest).strip()
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return title


def heading(line: str) -> tuple[int, str, str] | None:
    """``(level, label, title)`` when ``line`` starts with a heading number, else ``None``."""
    for level, pattern in _LEVELS:
        match = pattern.match(line)
        if match:
            return level, match.group(1), _title(match.group(2))
    return None


def outline(body: str) -> list[dict[str, Any]]:
    """The headings of ``body`` in order, as ``{"level", "label", "title", "anchor", "line"}``."""
    entries: list[dict[str, Any]] = []
    counters = [0, 0, 0]  # position within the current parent, per level
    for number, line in enumerate(body.split("\n")):
        found = heading(line)
        if found is None:
            continue
        level, label, title = found
        counters[level - 1] += 1
        for deeper in range(level, 3):
            counters[deeper] = 0
        anchor = "s-" + "-".join(str(n) for n in counters[:level])
        entries.append(
            {"level": level, "label": label, "title": title, "anchor": anchor, "line": number}
        )
    return entries
