"""Policy documents (政策文件): create, edit, repeal, amend, attach, and keep validity current.

* **Create** (:func:`document_create`): ``policy.publish`` in the department of the publisher
  (发布机构). The mandatory metadata (title, publisher, 成文日期, 发布日期, a second-level
  主题分类, 组配分类, body) is checked first; a refusal names the field. The 索引号 is
  ``{org_code}/{year}-{serial:06d}`` (:func:`next_index_number`, the year of 成文日期) unless one
  is given (an imported document keeps its own); a duplicate is refused (``field="index_number"``),
  never an ``IntegrityError``.
* **Edit** (:func:`document_update`): any metadata field by name; a new body gets a new outline;
  validity follows a changed ``effective_until`` unless given.
* **Repeal / amend** (:func:`document_repeal`, :func:`document_amend`): link the newer document
  and mark the older one 废止 / 修订.
* **Validity over time** (:func:`refresh_validity`, daily, ``tasks.py``): a document past its
  ``effective_until`` becomes 失效; repeal and amend links win over dates.

Every change audits one entry and asks the search index to follow once the transaction commits
(``indexing.schedule_index``). Refusals are audited outside the transaction they would roll back.
``by=None`` is the system (the CLI, the schedule, migrations): no permission check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Final, NoReturn

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.audit.services import audit_record

from ..models import (
    Attachment,
    Disclosure,
    Genre,
    PolicyDocument,
    Publisher,
    Topic,
    Validity,
)
from ..outline import outline
from ..permissions import can_publish, require_publish, require_publisher
from ..refusals import refuse
from ..tasks import register

__all__ = [
    "ACTIONS",
    "DocumentInput",
    "attachment_add",
    "document_amend",
    "document_create",
    "document_repeal",
    "document_update",
    "next_index_number",
    "refresh_validity",
    "register",
]

ACTION_CREATE: Final = "policy.create"
ACTION_UPDATE: Final = "policy.update"
ACTION_REPEAL: Final = "policy.repeal"
ACTION_AMEND: Final = "policy.amend"
ACTION_VALIDITY: Final = "policy.validity"
ACTION_ATTACH: Final = "policy.attach"

ACTIONS: dict[str, Any] = {
    ACTION_CREATE: gettext_lazy("Policy document created"),
    ACTION_UPDATE: gettext_lazy("Policy document edited"),
    ACTION_REPEAL: gettext_lazy("Policy document repealed (废止)"),
    ACTION_AMEND: gettext_lazy("Policy document amended (修订)"),
    ACTION_VALIDITY: gettext_lazy("Validity of policy documents refreshed (有效性)"),
    ACTION_ATTACH: gettext_lazy("Attachment added to a policy document (附件)"),
}

MAX_ATTACHMENT_BYTES: Final = 20 * 1024 * 1024
MAX_SERVICE_CODES: Final = 50
# a 索引号 as printed by disclosure platforms: "11330800002618015K/2022-134810", "000014349/2022-00112"
INDEX_NUMBER: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z/_.\-]{2,47}$")
SERVICE_CODE: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]{0,63}$")
_SERIAL: Final = re.compile(r"-(\d{1,9})$")
_SYSTEM: Final = "system"

# the attachment types a disclosure page offers: suffix → (content type, magic bytes or None)
ATTACHMENT_TYPES: Final[dict[str, tuple[str, tuple[bytes, ...] | None]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
    ".zip": ("application/zip", (b"PK\x03\x04",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain; charset=utf-8", None),
}


@dataclass
class DocumentInput:
    """The metadata and text of a new document (the mandatory fields come first)."""

    title: str
    publisher: Publisher
    written_on: date  # 成文日期
    published_on: date  # 发布日期
    topic: Topic  # a second-level 主题分类
    genre: str  # 组配分类 (a Genre value)
    body: str
    doc_number: str = ""  # 文号
    index_number: str = ""  # 索引号; empty → generated
    title_en: str = ""
    effective_from: date | None = None
    effective_until: date | None = None
    disclosure: str = Disclosure.PROACTIVE
    validity: str | None = None  # None → from effective_until (有效 or 失效)
    interprets: PolicyDocument | None = None  # 政策解读 of this document
    service_codes: Sequence[str] = ()
    source: str = ""  # the imported file's name


# --- helpers -------------------------------------------------------------------------------------

_LABELS: Final[dict[str, Any]] = {
    "title": gettext_lazy("Title (标题)"),
    "publisher": gettext_lazy("Publisher (发布机构)"),
    "written_on": gettext_lazy("Date written (成文日期)"),
    "published_on": gettext_lazy("Date published (发布日期)"),
    "topic": gettext_lazy("Topic (主题分类)"),
    "genre": gettext_lazy("Category (组配分类)"),
    "body": gettext_lazy("Text (正文)"),
    "index_number": gettext_lazy("Index number (索引号)"),
    "doc_number": gettext_lazy("Document number (文号)"),
    "title_en": gettext_lazy("English title"),
    "effective_from": gettext_lazy("In force from"),
    "effective_until": gettext_lazy("In force until"),
    "disclosure": gettext_lazy("Disclosure (公开方式)"),
    "validity": gettext_lazy("Validity (有效性)"),
    "interprets": gettext_lazy("Interprets (政策解读)"),
    "service_codes": gettext_lazy("Service items (事项编码)"),
    "source": gettext_lazy("Source file"),
}
MANDATORY: Final = ("title", "publisher", "written_on", "published_on", "topic", "genre", "body")
EDITABLE: Final = frozenset(_LABELS) - {"source"}
_MAX_LENGTH: Final = {"title": 300, "title_en": 400, "doc_number": 64, "index_number": 48}


def _actor(by: Any) -> dict[str, Any]:
    return {"actor": by} if by is not None else {"actor": None, "actor_name": _SYSTEM}


def _schedule_index(ids: Iterable[int]) -> None:
    """Ask the search index to follow these documents once the transaction commits."""
    from .indexing import schedule_index  # helper module of the search; imported late

    schedule_index(list(ids))


def _invalid(
    action: str, by: Any, request: HttpRequest | None, field: str, message: str
) -> NoReturn:
    refuse(
        action=action,
        by=by,
        code="invalid",
        message=_("%(field)s: %(message)s")
        % {"field": _LABELS.get(field, field), "message": message},
        request=request,
        field=field,
    )


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _check_values(
    values: Mapping[str, Any], *, action: str, by: Any, request: HttpRequest | None
) -> None:
    """Refuse (audited, naming the field) any value of the wrong kind, length or choice."""
    for name in MANDATORY:
        if name not in values:
            continue
        value = values[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            refuse(
                action=action,
                by=by,
                code="missing",
                message=_("Missing mandatory metadata: %(field)s") % {"field": _LABELS[name]},
                request=request,
                field=name,
            )
    for name, limit in _MAX_LENGTH.items():
        value = values.get(name)
        if value is not None and not isinstance(value, str):
            _invalid(action, by, request, name, _("must be text"))
        if value and len(value) > limit:
            _invalid(action, by, request, name, _("at most %(n)d characters") % {"n": limit})
    for name in ("title", "body"):
        if name in values and not isinstance(values[name], str):
            _invalid(action, by, request, name, _("must be text"))
    for name in ("written_on", "published_on"):
        if name in values and not _is_date(values[name]):
            _invalid(action, by, request, name, _("not a date"))
    for name in ("effective_from", "effective_until"):
        if values.get(name) is not None and not _is_date(values[name]):
            _invalid(action, by, request, name, _("not a date"))
    if "publisher" in values and not isinstance(values["publisher"], Publisher):
        _invalid(action, by, request, "publisher", _("unknown publisher"))
    if "topic" in values:
        topic = values["topic"]
        if not isinstance(topic, Topic):
            _invalid(action, by, request, "topic", _("unknown topic"))
        if topic.parent_id is None:
            _invalid(action, by, request, "topic", _("choose a second-level topic"))
    choices = {"genre": Genre.values, "disclosure": Disclosure.values, "validity": Validity.values}
    for name, allowed in choices.items():
        value = values.get(name)
        if value is None and name == "validity":
            continue
        if name in values and value not in allowed:
            _invalid(action, by, request, name, _("not one of the choices"))
    number = values.get("index_number")
    if number and not INDEX_NUMBER.match(number):
        _invalid(
            action, by, request, "index_number", _("letters, digits and / - _ . only, 3–48 of them")
        )
    interprets = values.get("interprets")
    if interprets is not None and not isinstance(interprets, PolicyDocument):
        _invalid(action, by, request, "interprets", _("unknown document"))
    if "service_codes" in values:
        codes = values["service_codes"]
        if isinstance(codes, str) or not isinstance(codes, Sequence):
            _invalid(action, by, request, "service_codes", _("must be a list of codes"))
        if len(codes) > MAX_SERVICE_CODES or not all(
            isinstance(code, str) and SERVICE_CODE.match(code) for code in codes
        ):
            _invalid(action, by, request, "service_codes", _("not a list of service item codes"))


def _check_dates(
    document: PolicyDocument, *, action: str, by: Any, request: HttpRequest | None
) -> None:
    if document.published_on < document.written_on:
        _invalid(action, by, request, "published_on", _("before the date written"))
    if (
        document.effective_from
        and document.effective_until
        and document.effective_until < document.effective_from
    ):
        _invalid(action, by, request, "effective_until", _("before the date it comes into force"))


def _refuse_duplicate(
    number: str, *, action: str, by: Any, request: HttpRequest | None, existing: int | None = None
) -> NoReturn:
    refuse(
        action=action,
        by=by,
        code="duplicate",
        message=_("Index number (索引号) %(number)s is already taken by another document.")
        % {"number": number},
        request=request,
        field="index_number",
        index_number=number,
        existing=existing,
    )


def _dated_validity(document: PolicyDocument, today: date) -> str:
    """有效 or 失效 by the dates alone."""
    if document.effective_until is not None and document.effective_until < today:
        return Validity.EXPIRED
    return Validity.VALID


def next_index_number(publisher: Publisher, year: int) -> str:
    """The next free 索引号 of ``publisher`` for ``year``: ``{org_code}/{year}-{serial:06d}``."""
    prefix = f"{publisher.org_code}/{year}-"
    serials = [0]
    for number in PolicyDocument.objects.filter(index_number__startswith=prefix).values_list(
        "index_number", flat=True
    ):
        match = _SERIAL.search(number)
        if match:
            serials.append(int(match.group(1)))
    return f"{prefix}{max(serials) + 1:06d}"


# --- create and edit -----------------------------------------------------------------------------


def document_create(
    *, by: Any, data: DocumentInput, request: HttpRequest | None = None
) -> PolicyDocument:
    """A new document from ``data`` (mandatory metadata checked, 索引号 generated or kept)."""
    values = {item.name: getattr(data, item.name) for item in fields(data)}
    if by is not None:
        require_publish(by, action=ACTION_CREATE, request=request)
        if isinstance(data.publisher, Publisher):
            require_publisher(by, data.publisher, action=ACTION_CREATE, request=request)
    _check_values(values, action=ACTION_CREATE, by=by, request=request)
    given = data.index_number.strip()
    if given:
        existing = PolicyDocument.objects.filter(index_number=given).values_list("pk", flat=True)
        if existing:
            _refuse_duplicate(
                given, action=ACTION_CREATE, by=by, request=request, existing=existing[0]
            )
    today = timezone.localdate()
    document = PolicyDocument(
        title=data.title.strip(),
        title_en=data.title_en.strip(),
        publisher=data.publisher,
        doc_number=data.doc_number.strip(),
        written_on=data.written_on,
        published_on=data.published_on,
        topic=data.topic,
        genre=data.genre,
        effective_from=data.effective_from,
        effective_until=data.effective_until,
        disclosure=data.disclosure,
        body=data.body.strip(),
        interprets=data.interprets,
        service_codes=list(dict.fromkeys(data.service_codes)),
        source=PurePath(data.source).name[:260] if data.source else "",
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    document.validity = data.validity or _dated_validity(document, today)
    document.outline = outline(document.body)
    _check_dates(document, action=ACTION_CREATE, by=by, request=request)
    for attempt in range(5):  # a generated number taken at the same moment: take the next one
        document.index_number = given or next_index_number(data.publisher, data.written_on.year)
        try:
            with transaction.atomic():
                document.save(force_insert=True)
                audit_record(
                    action=ACTION_CREATE,
                    target=document,
                    request=request,
                    details={
                        "index_number": document.index_number,
                        "publisher": data.publisher.name,
                        "source": document.source,
                    },
                    **_actor(by),
                )
                _schedule_index([document.pk])
        except IntegrityError:
            document.pk = None
            if given or attempt == 4:
                _refuse_duplicate(
                    document.index_number, action=ACTION_CREATE, by=by, request=request
                )
            continue
        return document
    raise AssertionError("unreachable")  # pragma: no cover


def document_update(
    *,
    by: Any,
    document: PolicyDocument,
    changes: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> PolicyDocument:
    """Change metadata or text of ``document`` (field name → new value); returns it saved."""
    if by is not None:
        require_publisher(by, document.publisher, action=ACTION_UPDATE, request=request)
        new_publisher = changes.get("publisher")
        if isinstance(new_publisher, Publisher) and new_publisher.pk != document.publisher_id:
            require_publisher(by, new_publisher, action=ACTION_UPDATE, request=request)
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        refuse(
            action=ACTION_UPDATE,
            by=by,
            code="unknown_field",
            message=_("These fields cannot be changed: %(fields)s")
            % {"fields": ", ".join(unknown)},
            request=request,
            field=unknown[0],
            target=document,
        )
    if "validity" in changes and changes["validity"] is None:
        _invalid(ACTION_UPDATE, by, request, "validity", _("not one of the choices"))
    _check_values(changes, action=ACTION_UPDATE, by=by, request=request)
    if changes.get("interprets") is not None and changes["interprets"].pk == document.pk:
        _invalid(ACTION_UPDATE, by, request, "interprets", _("a document cannot interpret itself"))
    if changes.get("interprets") is not None and document.pk in _interpreted_chain(
        changes["interprets"]
    ):
        _invalid(
            ACTION_UPDATE,
            by,
            request,
            "interprets",
            _("that document already interprets this one, directly or through others"),
        )
    number = (changes.get("index_number") or "").strip()
    if "index_number" in changes and not number:
        _invalid(ACTION_UPDATE, by, request, "index_number", _("cannot be empty"))
    if number and number != document.index_number:
        existing = (
            PolicyDocument.objects.filter(index_number=number)
            .exclude(pk=document.pk)
            .values_list("pk", flat=True)
        )
        if existing:
            _refuse_duplicate(
                number, action=ACTION_UPDATE, by=by, request=request, existing=existing[0]
            )
    before = PolicyDocument.objects.get(pk=document.pk)
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "service_codes":
            value = list(dict.fromkeys(value))
        if getattr(document, name) != value:
            setattr(document, name, value)
            changed[name] = value
    if "body" in changed:
        document.outline = outline(document.body)
    dated = document.validity in (Validity.VALID, Validity.EXPIRED)
    if "validity" not in changes and "effective_until" in changed and dated:
        document.validity = _dated_validity(document, timezone.localdate())
    _check_dates(document, action=ACTION_UPDATE, by=by, request=request)
    if not changed:
        return document
    try:
        with transaction.atomic():
            document.save()
            audit_record(
                action=ACTION_UPDATE,
                target=document,
                request=request,
                details={
                    "index_number": document.index_number,
                    "fields": sorted(changed),
                    "before": {
                        name: _audit_value(getattr(before, name))
                        for name in sorted(changed)
                        if name != "body"
                    },
                },
                **_actor(by),
            )
            _schedule_index([document.pk])
    except IntegrityError:
        for name in changed:  # put the instance back as the database has it
            setattr(document, name, getattr(before, name))
        _refuse_duplicate(document.index_number, action=ACTION_UPDATE, by=by, request=request)
    return document


def _audit_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, str):
        return value[:120]
    return value


# --- repeal and amend ----------------------------------------------------------------------------


def _superseded_by(document: PolicyDocument, limit: int = 10_000) -> set[int]:
    """The ids of every document that ``document`` repeals or amends, directly or through
    the documents those repeal or amend (breadth first, at most ``limit``)."""
    seen: set[int] = set()
    frontier = {document.pk}
    through = (PolicyDocument.repeals.through, PolicyDocument.amends.through)
    while frontier and len(seen) < limit:
        found: set[int] = set()
        for model in through:
            found.update(
                model.objects.filter(from_policydocument_id__in=frontier).values_list(
                    "to_policydocument_id", flat=True
                )
            )
        frontier = found - seen - {document.pk}
        seen |= frontier
    return seen


def _link(
    *,
    action: str,
    by: Any,
    document: PolicyDocument,
    newer: PolicyDocument,
    request: HttpRequest | None,
    relation: str,
    validity: str,
) -> PolicyDocument:
    if newer.pk == document.pk:
        _invalid(action, by, request, relation, _("a document cannot replace itself"))
    if by is not None and not newer.is_public and not can_publish(by, newer.publisher):
        # another department's document that is not public: answered as if it did not exist
        # (the desk must not tell which 索引号 exist, nor link what its readers cannot see)
        refuse(
            action=action,
            by=by,
            code="not_found",
            message=_("There is no document with this index number."),
            request=request,
            field=relation,
            target=document,
        )
    # the newer document must not itself be repealed or amended by the older one, directly or
    # through a chain of others (a cycle)
    if newer.pk in _superseded_by(document):
        _invalid(action, by, request, relation, _("the older document already replaces this one"))
    links = newer.repeals if relation == "repealed_by" else newer.amends
    if links.filter(pk=document.pk).exists():
        refuse(
            action=action,
            by=by,
            code="already",
            message=_("This link already exists."),
            request=request,
            field=relation,
            target=document,
        )
    with transaction.atomic():
        links.add(document)
        # repeal wins over amend; amend over the dates
        if validity == Validity.REPEALED or document.validity != Validity.REPEALED:
            document.validity = validity
        document.save(update_fields=["validity", "updated_at"])
        audit_record(
            action=action,
            target=document,
            request=request,
            details={
                "index_number": document.index_number,
                relation: newer.index_number,
                "validity": document.validity,
            },
            **_actor(by),
        )
        _schedule_index([document.pk, newer.pk])
    return document


def _interpreted_chain(start: PolicyDocument, limit: int = 100) -> set[int]:
    """The documents ``start`` interprets, the one that one interprets, and so on (a chain of
    政策解读 links, followed up to ``limit`` steps or to where it returns on itself)."""
    seen: set[int] = set()
    current = start.interprets_id
    while current is not None and current not in seen and len(seen) < limit:
        seen.add(current)
        current = (
            PolicyDocument.objects.filter(pk=current)
            .values_list("interprets_id", flat=True)
            .first()
        )
    return seen


def document_repeal(
    *,
    by: Any,
    document: PolicyDocument,
    repealed_by: PolicyDocument,
    request: HttpRequest | None = None,
) -> PolicyDocument:
    """``repealed_by`` repeals ``document``, which becomes 废止."""
    if by is not None:
        require_publisher(by, document.publisher, action=ACTION_REPEAL, request=request)
    return _link(
        action=ACTION_REPEAL,
        by=by,
        document=document,
        newer=repealed_by,
        request=request,
        relation="repealed_by",
        validity=Validity.REPEALED,
    )


def document_amend(
    *,
    by: Any,
    document: PolicyDocument,
    amended_by: PolicyDocument,
    request: HttpRequest | None = None,
) -> PolicyDocument:
    """``amended_by`` amends ``document``, which becomes 修订 (unless already 废止)."""
    if by is not None:
        require_publisher(by, document.publisher, action=ACTION_AMEND, request=request)
    return _link(
        action=ACTION_AMEND,
        by=by,
        document=document,
        newer=amended_by,
        request=request,
        relation="amended_by",
        validity=Validity.AMENDED,
    )


# --- attachments ---------------------------------------------------------------------------------

_UNSAFE_NAME: Final = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def attachment_add(
    *,
    by: Any,
    document: PolicyDocument,
    name: str,
    data: bytes,
    request: HttpRequest | None = None,
) -> Attachment:
    """Attach a file (PDF, Word, Excel, OFD, image, zip or text, at most 20 MB) to ``document``;
    its content must be what its suffix says."""
    if by is not None:
        require_publisher(by, document.publisher, action=ACTION_ATTACH, request=request)
    clean = _UNSAFE_NAME.sub("_", PurePath(name.replace("\\", "/")).name).strip(" .")[:200]
    suffix = PurePath(clean).suffix.lower()
    if not clean or suffix not in ATTACHMENT_TYPES:
        refuse(
            action=ACTION_ATTACH,
            by=by,
            code="file_type",
            message=_("Attachments must be one of: %(types)s")
            % {"types": " ".join(sorted(ATTACHMENT_TYPES))},
            request=request,
            field="file",
            target=document,
            name=clean[:80],
        )
    if not data:
        refuse(
            action=ACTION_ATTACH,
            by=by,
            code="empty",
            message=_("The file is empty."),
            request=request,
            field="file",
            target=document,
        )
    if len(data) > MAX_ATTACHMENT_BYTES:
        refuse(
            action=ACTION_ATTACH,
            by=by,
            code="too_large",
            message=_("The file is larger than 20 MB."),
            request=request,
            field="file",
            target=document,
            size=len(data),
        )
    content_type, magic = ATTACHMENT_TYPES[suffix]
    mismatch = magic is not None and not data.startswith(magic)
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            mismatch = True
    if mismatch:
        refuse(
            action=ACTION_ATTACH,
            by=by,
            code="content_mismatch",
            message=_("The file's content is not a %(suffix)s file.") % {"suffix": suffix},
            request=request,
            field="file",
            target=document,
            name=clean[:80],
        )
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        attachment = Attachment.objects.create(
            document=document,
            name=clean,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            content=data,
        )
        audit_record(
            action=ACTION_ATTACH,
            target=document,
            request=request,
            details={"attachment": attachment.pk, "name": clean, "sha256": digest},
            **_actor(by),
        )
    return attachment


# --- validity over time --------------------------------------------------------------------------


def refresh_validity(*, today: date | None = None) -> int:
    """The daily refresh (system): repealed → 废止, amended → 修订 (unless repealed), past
    ``effective_until`` → 失效 (unless repealed or amended). Returns how many changed."""
    today = today or timezone.localdate()
    documents = PolicyDocument.objects
    repealed = documents.filter(repealed_by__isnull=False).exclude(validity=Validity.REPEALED)
    amended = documents.filter(amended_by__isnull=False, repealed_by__isnull=True).exclude(
        validity__in=[Validity.REPEALED, Validity.AMENDED]
    )
    expired = documents.filter(
        validity=Validity.VALID,
        effective_until__lt=today,
        repealed_by__isnull=True,
        amended_by__isnull=True,
    )
    changes: dict[int, str] = {}
    for validity, queryset in (
        (Validity.EXPIRED, expired),
        (Validity.AMENDED, amended),
        (Validity.REPEALED, repealed),
    ):
        for pk in queryset.values_list("pk", flat=True).distinct():
            changes[pk] = validity
    if not changes:
        return 0
    with transaction.atomic():
        for validity in (Validity.EXPIRED, Validity.AMENDED, Validity.REPEALED):
            ids = [pk for pk, value in changes.items() if value == validity]
            if ids:
                PolicyDocument.objects.filter(pk__in=ids).update(
                    validity=validity, updated_at=timezone.now()
                )
        audit_record(
            action=ACTION_VALIDITY,
            actor_name=_SYSTEM,
            details={
                "today": today.isoformat(),
                "changed": len(changes),
                "documents": {str(pk): value for pk, value in sorted(changes.items())[:200]},
            },
        )
        _schedule_index(changes)
    return len(changes)
