"""HTML and .docx → text lines → :func:`parse_text`; :func:`parse_file` picks by the suffix."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from .text import LABELS, DocumentFormatError, ParsedDocument, decode_text, parse_text

__all__ = ["MAX_FILE_BYTES", "SUPPORTED_SUFFIXES", "parse_docx", "parse_file", "parse_html"]

MAX_FILE_BYTES = 20 * 1024 * 1024  # one imported file
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a .docx's parts together, unpacked (zip bombs)
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
DOCX_SUFFIXES = (".docx",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + DOCX_SUFFIXES

_BLOCKS = (
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "br",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "td",
    "th",
    "caption",
)
_DROP = (
    "script",
    "style",
    "noscript",
    "nav",
    "iframe",
    "form",
    "button",
    "select",
    "textarea",
    "template",
    "svg",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# C0 controls other than tab and line breaks (and DEL): lxml refuses them in element text
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _html_text(data: bytes, name: str) -> tuple[str, str]:
    """The visible text of an HTML page (one block a line) and its ArticleTitle meta, if any."""
    import lxml.html
    from lxml import etree

    match = _META_CHARSET.search(data[:4096])
    text: str | None = None
    if match:
        try:
            text = data.decode(match.group(1).decode("ascii").lower())
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text = decode_text(data, name=name)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DocumentFormatError(name, _("binary content, not text"), line=line)
    text = _CONTROL.sub("", _XML_DECLARATION.sub("", text))
    if not text.strip():
        raise DocumentFormatError(name, _("empty HTML page"))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.LxmlError, ValueError) as error:
        raise DocumentFormatError(
            name, _("not readable HTML (%(error)s)") % {"error": error}
        ) from error
    article_title = ""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle":
            article_title = (meta.get("content") or "").strip()
    for element in list(root.iter(*_DROP)):
        element.drop_tree()
    body = root.find("body")
    scope: Any = body if body is not None else root
    for element in scope.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag in ("td", "th"):  # table cells of a metadata table: one row a line
            element.tail = " " + (element.tail or "").lstrip("\n")
            element.text = " " + (element.text or "")
        else:
            element.text = "\n" + (element.text or "")
    lines = [" ".join(line.split()) for line in scope.text_content().split("\n")]
    return "\n".join(_label_cells(line) for line in lines if line), article_title


def _label_cells(line: str) -> str:
    """``索引号 1133…/2022-1 成文日期 2022-09-28`` (table cells) → with the colons put back."""
    parts = line.split(" ")
    if not parts or parts[0].rstrip(":：") not in LABELS or parts[0].endswith((":", "：")):
        return line
    return " ".join(f"{part}:" if part in LABELS else part for part in parts)


def parse_html(data: bytes, *, name: str) -> ParsedDocument:
    """A saved 政府信息公开 page (or any HTML): its visible text, without scripts and menus."""
    text, article_title = _html_text(data, name)
    parsed = parse_text(text, name=name)
    if article_title and article_title != parsed.title and article_title in text:
        # the page's own title meta wins over the first line of text (often a site banner)
        parsed = parse_text(text[text.index(article_title) :], name=name)
        head = parse_text(text, name=name)
        for attribute in ("index_number", "doc_number", "publisher", "written_on", "genre"):
            if not getattr(parsed, attribute) and getattr(head, attribute):
                setattr(parsed, attribute, getattr(head, attribute))
        for attribute in ("validity", "disclosure", "published_on", "source", "topic"):
            if not getattr(parsed, attribute) and getattr(head, attribute):
                setattr(parsed, attribute, getattr(head, attribute))
    return parsed


def _docx_lines(document: Any) -> list[str]:
    """Paragraphs and table rows of a .docx body, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if not cells or cells[-1] != text:  # merged cells repeat their text
                        cells.append(text)
                lines.append(_label_cells(" ".join(cells)))
    return lines


def parse_docx(data: bytes, *, name: str) -> ParsedDocument:
    """A Word .docx file; a corrupt or disguised file raises :class:`DocumentFormatError`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if "word/document.xml" not in archive.namelist():
                raise DocumentFormatError(name, _("not a Word .docx file (no word/document.xml)"))
    except zipfile.BadZipFile as error:
        raise DocumentFormatError(
            name, _("corrupt .docx file (not a valid zip archive)")
        ) from error
    if unpacked > MAX_UNZIPPED_BYTES:
        raise DocumentFormatError(name, _("the .docx file unpacks to more than 100 MB"))
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        lines = _docx_lines(document)
    except DocumentFormatError:
        raise
    except Exception as error:  # python-docx raises many kinds (KeyError, lxml errors …)
        raise DocumentFormatError(
            name,
            _("corrupt .docx file (%(error)s)") % {"error": type(error).__name__},
        ) from error
    return parse_text("\n".join(lines), name=name)


def parse_file(name: str, data: bytes) -> ParsedDocument:
    """Parse by the file name's suffix: .txt (UTF-8 or GB18030), .html/.htm, .docx."""
    suffix = PurePath(name).suffix.lower()
    if len(data) > MAX_FILE_BYTES:
        raise DocumentFormatError(name, _("larger than 20 MB"))
    if not data.strip():
        raise DocumentFormatError(name, _("empty file"))
    if suffix in TEXT_SUFFIXES:
        return parse_text(decode_text(data, name=name), name=name)
    if suffix in HTML_SUFFIXES:
        return parse_html(data, name=name)
    if suffix in DOCX_SUFFIXES:
        return parse_docx(data, name=name)
    if suffix == ".doc":
        raise DocumentFormatError(name, _("old Word .doc format: save it as .docx first"))
    raise DocumentFormatError(
        name,
        _("unsupported file type %(suffix)s (expected .txt, .html or .docx)")
        % {"suffix": suffix or "—"},
    )
