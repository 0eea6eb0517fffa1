"""Plain text → :class:`ParsedDocument`: the metadata block, the title and the body (the
outline is made from the body when the document is saved)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ..models import Disclosure, Genre, Validity

__all__ = ["DocumentFormatError", "ParsedDocument", "decode_text", "parse_text"]


class DocumentFormatError(ValueError):
    """A file that cannot be read as a policy document; the message names the file, and the
    line (1-based, in the file's text) and the field when known."""

    def __init__(self, name: str, reason: str, *, line: int | None = None, field: str = "") -> None:
        self.name = name
        self.reason = reason
        self.line = line
        self.field = field
        where = [name]
        if line is not None:
            where.append(_("line %(line)d") % {"line": line})
        if field:
            where.append(field)
        super().__init__(f"{', '.join(where)}: {reason}")


@dataclass
class ParsedDocument:
    """What a file says about a document; metadata it lacks is empty (``""`` / ``None``)."""

    name: str  # the file name
    title: str
    body: str  # one paragraph a line
    index_number: str = ""  # 索引号
    doc_number: str = ""  # 文号 (文件编号)
    publisher: str = ""  # 发布机构, the name as printed
    source: str = ""  # 信息来源
    topic: str = ""  # 主题分类, the name as printed (rare in files)
    written_on: date | None = None  # 成文日期
    published_on: date | None = None  # 发布日期
    genre: str = ""  # a Genre value (组配分类)
    validity: str = ""  # a Validity value (有效性)
    disclosure: str = ""  # a Disclosure value (公开方式)
    attachments: list[str] = field(default_factory=list)  # names of attached files listed
    lines: dict[str, int] = field(default_factory=dict)  # field → 1-based line it came from


# the metadata labels of a disclosure page → the ParsedDocument field ("" = recognised, ignored)
LABELS: dict[str, str] = {
    "索引号": "index_number",
    "成文日期": "written_on",
    "发文日期": "written_on",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发布单位": "publisher",
    "公开方式": "disclosure",
    "公开属性": "disclosure",
    "有效性": "validity",
    "组配分类": "genre",
    "文件编号": "doc_number",
    "发文字号": "doc_number",
    "文号": "doc_number",
    "主题分类": "topic",
    "发布日期": "published_on",
    "公开日期": "published_on",
    "信息来源": "source",
    "统一编号": "",
    "浏览次数": "",
    "访问次数": "",
    "字体": "",
    "分享": "",
    "公开范围": "",
    "公开时限": "",
    "体裁分类": "",
    "主题词": "",
}
_LABEL = "|".join(sorted(map(re.escape, LABELS), key=len, reverse=True))
_LABEL_AT = re.compile(rf"(?:^|(?<=\s))({_LABEL})\s*[:：]")
_STARTS_WITH_LABEL = re.compile(rf"^\s*(?:{_LABEL})\s*[:：]")
# page chrome anywhere in the body: print/close buttons, share bars, view counters
_CHROME = re.compile(
    # an atomic group: the spaces between the words split one way only (the nested ``\s*`` of
    # a plain group backtrack exponentially on a long line of them that does not match)
    r"^\s*(?>【?\s*(?:打印本页|关闭窗口|打印|关闭|收藏)\s*】?\s*)+$|^\s*(?:浏览次数|访问次数|字体|分享)\s*[:：]"
)
# the name of an attached file as listed at the end of a page
_ATTACHED_FILE = re.compile(r"^\S.*\.(?:docx?|pdf|wps|ofd|xlsx?|et|zip|rar)$", re.IGNORECASE)
# a line that is only a date (the date at the foot of a document is its 成文日期)
_DATE_LINE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
# C0 controls but tab and line breaks, and DEL (a form feed of an exported text …)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?")

GENRES: dict[str, str] = {
    "市政府文件": Genre.GOVERNMENT,
    "县政府文件": Genre.GOVERNMENT,
    "区政府文件": Genre.GOVERNMENT,
    "政府文件": Genre.GOVERNMENT,
    "市政府办公室文件": Genre.GOVERNMENT_OFFICE,
    "县政府办公室文件": Genre.GOVERNMENT_OFFICE,
    "政府办公室文件": Genre.GOVERNMENT_OFFICE,
    "部门文件": Genre.DEPARTMENT,
    "规范性文件": Genre.NORMATIVE,
    "政策解读": Genre.INTERPRETATION,
    "通知公告": Genre.NOTICE,
    "规划计划": Genre.PLAN,
    "规划": Genre.PLAN,
}
VALIDITIES: dict[str, str] = {
    "有效": Validity.VALID,
    "现行有效": Validity.VALID,
    "失效": Validity.EXPIRED,
    "已失效": Validity.EXPIRED,
    "废止": Validity.REPEALED,
    "已废止": Validity.REPEALED,
    "修订": Validity.AMENDED,
    "已修订": Validity.AMENDED,
    "已修改": Validity.AMENDED,
}
DISCLOSURES: dict[str, str] = {
    "主动公开": Disclosure.PROACTIVE,
    "依申请公开": Disclosure.ON_REQUEST,
    "不予公开": Disclosure.NOT_DISCLOSED,
    "不公开": Disclosure.NOT_DISCLOSED,
}
_CHOICES = {"genre": GENRES, "validity": VALIDITIES, "disclosure": DISCLOSURES}


def decode_text(data: bytes, *, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise DocumentFormatError(name, _("not valid UTF-16 text")) from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise DocumentFormatError(
                name, _("neither UTF-8 nor GB18030 text"), line=line
            ) from error
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DocumentFormatError(name, _("binary content, not text"), line=line)
    return text


def parse_date(value: str, *, name: str, line: int, label: str) -> date | None:
    """``2022-09-28``, ``2022/9/28``, ``2022年9月28日`` (a time after it is ignored); empty → None."""
    value = value.strip()
    if not value:
        return None
    match = _DATE.match(value)
    if match is None:
        raise DocumentFormatError(
            name, _("not a date: %(value)s") % {"value": value[:40]}, line=line, field=label
        )
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as error:
        raise DocumentFormatError(
            name, _("not a date: %(value)s") % {"value": value[:40]}, line=line, field=label
        ) from error


def _pairs(line: str) -> list[tuple[str, str]]:
    """The ``label: value`` pairs of a metadata line (several may share a line)."""
    found = list(_LABEL_AT.finditer(line))
    pairs = []
    for position, match in enumerate(found):
        end = found[position + 1].start() if position + 1 < len(found) else len(line)
        pairs.append((match.group(1), line[match.end() : end].strip()))
    return pairs


def _set(parsed: ParsedDocument, label: str, value: str, *, line: int) -> None:
    attribute = LABELS[label]
    if not attribute or not value:
        return
    converted: Any = value
    if attribute in ("written_on", "published_on"):
        converted = parse_date(value, name=parsed.name, line=line, label=label)
    elif attribute in _CHOICES:
        choices = _CHOICES[attribute]
        found = choices.get(value.replace(" ", ""))
        converted = str(found) if found is not None else None
        if converted is None:
            raise DocumentFormatError(
                parsed.name,
                _("unknown value %(value)s (expected one of: %(known)s)")
                % {"value": value[:40], "known": "、".join(choices)},
                line=line,
                field=label,
            )
    elif attribute == "index_number":
        converted = value.replace(" ", "")
    previous = getattr(parsed, attribute)
    if previous and previous != converted:
        raise DocumentFormatError(
            parsed.name,
            _("given twice with different values (%(first)s, %(second)s)")
            % {"first": previous, "second": value[:60]},
            line=line,
            field=label,
        )
    setattr(parsed, attribute, converted)
    parsed.lines.setdefault(attribute, line)


def parse_text(text: str, *, name: str) -> ParsedDocument:
    """Read a document from text: the metadata block and title at the top, then the body."""
    text = _CONTROL.sub("", text)  # XML (feeds, .docx) and some databases refuse them
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ").split("\n")
    parsed = ParsedDocument(name=name, title="", body="")
    start = len(lines)
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if _STARTS_WITH_LABEL.match(line):
            for label, value in _pairs(line):
                _set(parsed, label, value, line=number)
            continue
        if _CHROME.match(line):
            continue
        if not parsed.title:
            parsed.title = line
            parsed.lines["title"] = number
            continue
        start = number - 1  # the first paragraph of the body
        break
    body: list[str] = []
    for raw in lines[start:]:
        line = raw.strip()
        if not line or _CHROME.match(line):
            continue
        body.append(line)
    while body and _ATTACHED_FILE.match(body[-1]) and len(body[-1]) <= 120:
        parsed.attachments.insert(0, body.pop())
    if not parsed.title:
        raise DocumentFormatError(name, _("no title and no text"), field="title")
    if not body:
        raise DocumentFormatError(name, _("no text after the title"), field="body")
    if parsed.written_on is None:  # the date at the foot of the document is its 成文日期
        for line in reversed(body[-6:]):
            match = _DATE_LINE.match(line)
            if match:
                with contextlib.suppress(ValueError):  # 2022年2月30日: no date
                    parsed.written_on = date(*(int(part) for part in match.groups()))
                break
    parsed.body = "\n".join(body)
    return parsed
