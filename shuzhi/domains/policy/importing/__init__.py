"""Reading policy documents from files: plain text (UTF-8 or GB18030), HTML and .docx.

Every format becomes text lines, then :func:`parse_text` finds the disclosure metadata block
(as at the top of a 政府信息公开 page: 索引号, 成文日期, 发布机构, 公开方式, 有效性, 组配分类,
文件编号, the title line, 发布日期), drops page chrome (浏览次数, 字体, 分享 …) and takes the rest as
the body, one paragraph a line, with its outline. Nothing here touches the database: services
(``services.importing``) decide what becomes a document. A file that cannot be read raises
:class:`DocumentFormatError`, whose message names the file, and the line and field when known.
"""

from __future__ import annotations

from .formats import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, parse_docx, parse_file, parse_html
from .text import DocumentFormatError, ParsedDocument, decode_text, parse_text

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "DocumentFormatError",
    "ParsedDocument",
    "decode_text",
    "parse_docx",
    "parse_file",
    "parse_html",
    "parse_text",
]
