"""The publishers' desk (policy.publish): the own department's documents of every disclosure
kind, importing files, editing metadata, and marking a document repealed or amended.

The views only read and render; the services check the permission and the department again and
audit. Refusals are shown in the form (never a 500).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import User

from .forms import (
    MAX_FILES,
    DocumentEditForm,
    ImportDefaultsForm,
    SupersedeForm,
)
from .importing import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from .models import Disclosure, PolicyDocument, Validity
from .permissions import can_publish, require_publish
from .refusals import PolicyRefused
from .selectors.documents import (
    department_documents,
    department_publishers,
    document_by_index_number,
    document_get,
)
from .services.documents import (
    attachment_add,
    document_amend,
    document_repeal,
    document_update,
)
from .services.importing import ImportDefaults, import_document

PAGE = 50


def _publisher_staff(request: HttpRequest, action: str) -> User:
    user = cast(User, request.user)
    require_publish(user, action=action, request=request)  # audited refusal → 403
    return user


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """The documents of the publishers the caller's department publishes for."""
    user = _publisher_staff(request, "policy.update")
    get = request.GET
    filters = {
        "q": get.get("q", "").strip()[:100],
        "validity": get.get("validity", "") if get.get("validity", "") in Validity.values else "",
        "disclosure": (
            get.get("disclosure", "") if get.get("disclosure", "") in Disclosure.values else ""
        ),
    }
    documents = department_documents(user.department_id, **filters)
    page = Paginator(documents, PAGE).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "policy/manage/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "publishers": department_publishers(user.department_id),
            "validities": Validity.choices,
            "disclosures": Disclosure.choices,
        },
    )


def _import_one(
    request: HttpRequest, user: User, upload: Any, defaults: ImportDefaults
) -> dict[str, Any]:
    name = str(upload.name or "")[:200]
    row: dict[str, Any] = {"name": name, "ok": False, "message": "", "document": None}
    if not name.lower().endswith(SUPPORTED_SUFFIXES):
        row["message"] = _("Only .txt, .html and .docx files can be imported.")
        return row
    if upload.size > MAX_FILE_BYTES:
        row["message"] = _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES >> 20}
        return row
    try:
        document = import_document(
            by=user, name=name, data=upload.read(), defaults=defaults, request=request
        )
    except PolicyRefused as refusal:
        row["message"] = refusal.message
    except PermissionDenied:  # another department's publisher (audited by the service)
        row["message"] = _("Your department does not publish for this file's publisher.")
    except ValueError as error:  # a file the parser cannot read (DocumentFormatError)
        row["message"] = str(error)
    else:
        row.update(ok=True, document=document)
    return row


@login_required
def manage_import(request: HttpRequest) -> HttpResponse:
    """Upload one or more .txt / .html / .docx files; each is imported on its own (one bad file
    does not stop the others) and the page lists the outcome of each."""
    user = _publisher_staff(request, "policy.import")
    publishers = department_publishers(user.department_id)
    results: list[dict[str, Any]] = []
    error = ""
    if request.method == "POST":
        form = ImportDefaultsForm(request.POST, publishers=publishers)
        files = request.FILES.getlist("files")
        if not files:
            error = _("Choose at least one file.")
        elif len(files) > MAX_FILES:
            error = _("At most %(n)d files at a time.") % {"n": MAX_FILES}
        elif form.is_valid():
            data = form.cleaned_data
            defaults = ImportDefaults(
                topic=data.get("topic"),
                genre=data.get("genre") or None,
                publisher=data.get("publisher"),
            )
            results = [_import_one(request, user, f, defaults) for f in files]
    else:
        form = ImportDefaultsForm(publishers=publishers)
    return render(
        request,
        "policy/manage/import.html",
        {
            "form": form,
            "results": results,
            "error": error,
            "imported": sum(1 for r in results if r["ok"]),
            "failed": sum(1 for r in results if not r["ok"]),
            "max_files": MAX_FILES,
            "max_mb": MAX_FILE_BYTES >> 20,
            "accept": ",".join(SUPPORTED_SUFFIXES),
        },
        status=400 if error or (request.method == "POST" and not form.is_valid()) else 200,
    )


def _own_document(request: HttpRequest, user: User, pk: int) -> PolicyDocument:
    document = document_get(pk)
    if document is None or not can_publish(user, document.publisher):
        raise Http404  # another department's documents are not even shown to exist
    return document


@login_required
def manage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a document's metadata, or mark it repealed / amended by a later document."""
    user = _publisher_staff(request, "policy.update")
    document = _own_document(request, user, pk)
    edit = DocumentEditForm(initial=DocumentEditForm.initial_of(document))
    supersede = SupersedeForm()
    status = 200
    attach_error = ""
    if request.method == "POST":
        if request.POST.get("form") == "attach":
            attach_error = _attach(request, user, document)
            if not attach_error:
                return redirect("policy:manage_edit", pk=document.pk)
        elif request.POST.get("form") == "supersede":
            supersede = SupersedeForm(request.POST)
            if supersede.is_valid() and _supersede(request, user, document, supersede):
                return redirect("policy:manage_edit", pk=document.pk)
        else:
            edit = DocumentEditForm(request.POST)
            if edit.is_valid() and _update(request, user, document, edit):
                return redirect("policy:manage_edit", pk=document.pk)
        status = 400
    return render(
        request,
        "policy/manage/edit.html",
        {
            "doc": document,
            "edit": edit,
            "supersede": supersede,
            "attach_error": attach_error,
            "attachments": list(document.attachments.defer("content")),
        },
        status=status,
    )


def _update(request: HttpRequest, user: User, document: PolicyDocument, form: Any) -> bool:
    changes = form.changes(document)
    if not changes:
        messages.info(request, _("Nothing changed."))
        return True
    try:
        document_update(by=user, document=document, changes=changes, request=request)
    except PolicyRefused as refusal:
        field = refusal.field if refusal.field in form.fields else None
        form.add_error(field, refusal.message)
        return False
    except PermissionDenied:  # e.g. moving it to another department's publisher (audited)
        form.add_error(None, _("You may not make this change."))
        return False
    messages.success(request, _("The document was saved."))
    return True


def _supersede(request: HttpRequest, user: User, document: PolicyDocument, form: Any) -> bool:
    later = document_by_index_number(form.cleaned_data["by_index_number"])
    if later is None:
        form.add_error("by_index_number", _("There is no document with this index number."))
        return False
    if later.pk == document.pk:
        form.add_error("by_index_number", _("A document cannot replace itself."))
        return False
    try:
        if form.cleaned_data["kind"] == "repeal":
            document_repeal(by=user, document=document, repealed_by=later, request=request)
            messages.success(request, _("The document is marked repealed."))
        else:
            document_amend(by=user, document=document, amended_by=later, request=request)
            messages.success(request, _("The document is marked amended."))
    except PolicyRefused as refusal:
        form.add_error("by_index_number", refusal.message)
        return False
    except PermissionDenied:  # the later document is another department's (audited)
        form.add_error(
            "by_index_number", _("You may not link a document of another department's publisher.")
        )
        return False
    return True


def _attach(request: HttpRequest, user: User, document: PolicyDocument) -> str:
    """Attach the uploaded file; the message of what went wrong, or "" when it is attached."""
    upload = request.FILES.get("file")
    if upload is None:
        return _("Choose a file to attach.")
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        return _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES >> 20}
    try:
        attachment_add(
            by=user,
            document=document,
            name=str(upload.name or "")[:200],
            data=upload.read(),
            request=request,
        )
    except PolicyRefused as refusal:
        return refusal.message
    messages.success(request, _("The file was attached."))
    return ""
