"""Importing policy documents from files (导入): one file, or a folder with a progress report.

:func:`import_document` reads one file (``importing.parse_file``: .txt in UTF-8 or GB18030,
.html, .docx), takes its metadata block (索引号, 成文日期, 发布机构 …) and fills what the file
lacks from :class:`ImportDefaults`, then creates the document through
``documents.document_create`` (one transaction: a refused file leaves nothing behind). The
publisher is the default one when given, else found by the name the file prints; an unknown
name is refused naming it. The file's 索引号 is kept; one already in the library is refused.

:func:`import_folder` imports every supported file under a folder, each on its own: a bad file
is reported with its reason and never stops the batch.

``by=None`` is the system (the ``shuzhi policy import`` command without ``--as``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.audit.services import audit_record

from ..importing import SUPPORTED_SUFFIXES, DocumentFormatError, parse_file
from ..models import PolicyDocument, Publisher, Topic
from ..permissions import can_publish, require_publish, require_publisher
from ..refusals import PolicyRefused, refuse
from .documents import DocumentInput, document_create

__all__ = ["ACTIONS", "ImportDefaults", "ImportReport", "import_document", "import_folder"]

ACTION_IMPORT: Final = "policy.import"

ACTIONS: dict[str, Any] = {
    ACTION_IMPORT: gettext_lazy("Policy document imported from a file"),
}

logger = logging.getLogger(__name__)


@dataclass
class ImportDefaults:
    """What to use when a file's metadata block lacks it (the publisher, when given, wins)."""

    topic: Topic | None = None
    genre: str | None = None
    publisher: Publisher | None = None


@dataclass
class ImportReport:
    """The outcome of a folder import: documents made, files refused (with the reason)."""

    imported: list[tuple[str, int]] = field(default_factory=list)  # (file, document id)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    @property
    def total(self) -> int:
        return len(self.imported) + len(self.failed)


def _publisher(
    name: str, *, by: Any, file: str, line: int | None, request: HttpRequest | None
) -> Publisher:
    if not name:
        refuse(
            action=ACTION_IMPORT,
            by=by,
            code="missing",
            message=_("%(file)s: no publisher (发布机构) in the file; choose one.")
            % {"file": file},
            request=request,
            field="publisher",
            file=file,
        )
    found = Publisher.objects.filter(name=name.strip()).first()
    if found is None:
        refuse(
            action=ACTION_IMPORT,
            by=by,
            code="unknown_publisher",
            message=_("%(file)s, line %(line)s, 发布机构: unknown publisher %(name)s")
            % {"file": file, "line": line or "?", "name": name},
            request=request,
            field="publisher",
            file=file,
            publisher=name[:64],
        )
    return found


def import_document(
    *,
    by: Any,
    name: str,
    data: bytes,
    defaults: ImportDefaults | None = None,
    request: HttpRequest | None = None,
) -> PolicyDocument:
    """One file → one document (refused with the file, line and field at fault)."""
    if by is not None:
        require_publish(by, action=ACTION_IMPORT, request=request)
    defaults = defaults or ImportDefaults()
    file = Path(name).name
    try:
        parsed = parse_file(file, data)
    except DocumentFormatError as error:
        refuse(
            action=ACTION_IMPORT,
            by=by,
            code="format",
            message=str(error),
            request=request,
            field=error.field or "file",
            file=file,
            line=error.line,
        )
    publisher = defaults.publisher or _publisher(
        parsed.publisher,
        by=by,
        file=file,
        line=parsed.lines.get("publisher"),
        request=request,
    )
    if by is not None:
        require_publisher(by, publisher, action=ACTION_IMPORT, request=request)
    if parsed.index_number:
        existing = (
            PolicyDocument.objects.filter(index_number=parsed.index_number)
            .select_related("publisher")
            .first()
        )
        if existing is not None:
            where = {
                "file": file,
                "line": parsed.lines.get("index_number", "?"),
                "number": parsed.index_number,
                "title": existing.title[:60],
            }
            # the title only of a document the caller may read: a non-public document of
            # another department's publisher is not shown (its number being taken is all)
            shown = by is None or existing.is_public or can_publish(by, existing.publisher)
            refuse(
                action=ACTION_IMPORT,
                by=by,
                code="duplicate",
                message=(
                    _(
                        "%(file)s, line %(line)s, 索引号: %(number)s is already in the library "
                        "(%(title)s)"
                    )
                    if shown
                    else _("%(file)s, line %(line)s, 索引号: %(number)s is already in the library")
                )
                % where,
                request=request,
                field="index_number",
                file=file,
                existing=existing.pk,
            )
    topic = defaults.topic
    if topic is None and parsed.topic:
        topic = Topic.objects.filter(name=parsed.topic, parent__isnull=False).first()
    written_on = parsed.written_on
    missing = [
        label
        for label, value in (
            ("成文日期", written_on),
            ("主题分类", topic),
            ("组配分类", parsed.genre or defaults.genre),
        )
        if not value
    ]
    if missing:
        fields = {"成文日期": "written_on", "主题分类": "topic", "组配分类": "genre"}
        refuse(
            action=ACTION_IMPORT,
            by=by,
            code="missing",
            message=_("%(file)s: missing mandatory metadata: %(fields)s")
            % {"file": file, "fields": "、".join(missing)},
            request=request,
            field=fields[missing[0]],
            file=file,
        )
    assert written_on is not None  # checked above
    assert topic is not None
    data_input = DocumentInput(
        title=parsed.title,
        publisher=publisher,
        written_on=written_on,
        # a file without 发布日期 (a bare .docx of the text) is published as written
        published_on=parsed.published_on or written_on,
        topic=topic,
        genre=parsed.genre or defaults.genre or "",
        body=parsed.body,
        doc_number=parsed.doc_number,
        index_number=parsed.index_number,
        validity=parsed.validity or None,
        source=file,
    )
    if parsed.disclosure:
        data_input.disclosure = parsed.disclosure
    document = document_create(by=by, data=data_input, request=request)
    audit_record(
        action=ACTION_IMPORT,
        target=document,
        request=request,
        details={
            "file": file,
            "sha256": hashlib.sha256(data).hexdigest(),
            "index_number": document.index_number,
            # the file names another publisher than the one chosen for it
            **(
                {"publisher_in_file": parsed.publisher[:64]}
                if parsed.publisher not in ("", publisher.name)
                else {}
            ),
        },
        **({"actor": by} if by is not None else {"actor_name": "system"}),
    )
    return document


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        found
        for found in path.rglob("*")
        if found.is_file()
        and found.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in found.relative_to(path).parts)
    )


def import_folder(
    path: Path,
    *,
    by: Any,
    defaults: ImportDefaults | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportReport:
    """Import every .txt, .html and .docx file under ``path`` (or the one file ``path``), each in
    its own transaction; ``progress(done, total, file)`` after each file."""
    if by is not None:
        require_publish(by, action=ACTION_IMPORT)
    files = _files(Path(path))
    report = ImportReport()
    for done, file in enumerate(files, 1):
        shown = str(file.relative_to(path)) if file != path else file.name
        try:
            document = import_document(
                by=by, name=file.name, data=file.read_bytes(), defaults=defaults
            )
        except PolicyRefused as refused:
            report.failed.append((shown, refused.message))
        except PermissionDenied:
            report.failed.append((shown, _("You may not publish for this publisher.")))
        except OSError as error:
            report.failed.append((shown, _("cannot be read: %(error)s") % {"error": error}))
        except Exception as error:  # one bad file never stops the batch
            logger.exception("policy import of %s failed", file)
            report.failed.append((shown, _("unexpected error: %(error)s") % {"error": error}))
        else:
            report.imported.append((shown, document.pk))
        if progress is not None:
            progress(done, len(files), shown)
    return report
