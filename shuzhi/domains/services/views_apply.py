"""Online application pages (网上申办), thin: the combined form of an item or bundle, the
applicant's status page, the department's inbox (办理) and its decisions, material downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import ApplicationMaterial, ApplicationPart, Bundle, ServiceItem
from .permissions import require_audited
from .selectors.applications import (
    application_by_number,
    application_materials,
    application_parts,
    application_timeline,
    department_parts,
    is_overdue,
    part_licences,
)
from .selectors.catalogue import bundle_get, item_get
from .services.applications import (
    ApplicationRefused,
    application_form,
    application_submit,
    application_view,
    application_withdraw,
    material_open,
)
from .services.applications import part_decide as decide

FACT_PREFIX = "fact_"
MATERIAL_PREFIX = "material_"
PAGE = 30
# what each step of the timeline says (loop actions on the parts' tasks, and our own)
STEPS: dict[str, Any] = {
    "submitted": gettext_lazy("Application submitted"),
    "open": gettext_lazy("Task opened for the department"),
    "dispatch": gettext_lazy("Routed to the department"),
    "accept": gettext_lazy("Accepted by the department"),
    "submit": gettext_lazy("Handled by the department"),
    "review": gettext_lazy("Reviewed"),
    "cancel": gettext_lazy("Cancelled"),
    "decided_granted": gettext_lazy("Granted"),
    "decided_refused": gettext_lazy("Refused"),
    "decided_withdrawn": gettext_lazy("Withdrawn"),
    "completed_granted": gettext_lazy("Application granted"),
    "completed_partly_granted": gettext_lazy("Application partly granted"),
    "completed_refused": gettext_lazy("Application refused"),
    "completed_withdrawn": gettext_lazy("Application withdrawn"),
}
_SERVED = {
    "pdf": ("application/pdf", ".pdf"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
}
_ACCEPT = {"pdf": ".pdf,application/pdf", "png": ".png,image/png", "jpeg": ".jpg,.jpeg,image/jpeg"}


def _apply(
    request: HttpRequest, *, item: ServiceItem | None = None, bundle: Bundle | None = None
) -> HttpResponse:
    chosen = request.POST.getlist("optional") if request.method == "POST" else []
    try:
        plan = application_form(by=request.user, item=item, bundle=bundle, request=request)  # type: ignore[arg-type]
    except ApplicationRefused as refusal:
        return render(
            request,
            "services/apply/refused.html",
            {"message": refusal.message},
            status=refusal.status,
        )
    error: ApplicationRefused | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {
            key[len(FACT_PREFIX) :]: str(request.POST.get(key, ""))
            for key in request.POST
            if key.startswith(FACT_PREFIX)
        }
        files: dict[str, UploadedFile] = {}
        for key in request.FILES:
            upload = request.FILES.get(key)
            if key.startswith(MATERIAL_PREFIX) and isinstance(upload, UploadedFile):
                files[key[len(MATERIAL_PREFIX) :]] = upload
        try:
            application = application_submit(
                by=request.user,  # type: ignore[arg-type]
                item=item,
                bundle=bundle,
                facts=posted,
                files=files,
                optional_items=chosen,
                request=request,
            )
        except ApplicationRefused as refusal:
            error = refusal
        else:
            messages.success(
                request,
                _("Your application %(number)s was submitted.") % {"number": application.number},
            )
            return redirect("services:application", number=application.number)
    field = error.field if error is not None else ""
    message = error.message if error is not None else ""
    facts = [
        {
            "need": need,
            "value": posted.get(need.code, ""),
            "error": message if field == need.code else "",
            "name": FACT_PREFIX + need.code,
        }
        for need in plan.asked
    ]
    on_file = [
        {"need": need, "value": plan.prefilled[need.code]}
        for need in plan.needs.facts
        if need.code in plan.prefilled
    ]
    reused = [
        {"need": need, "source": plan.reused_materials[need.code]}
        for need in plan.needs.materials
        if need.code in plan.reused_materials
    ]
    uploads = [
        {
            "need": need,
            "error": message if field == need.code else "",
            "name": MATERIAL_PREFIX + need.code,
            "accept": ",".join(_ACCEPT[k] for k in (need.obj.accepted or _ACCEPT) if k in _ACCEPT),  # type: ignore[union-attr]
        }
        for need in plan.uploads
    ]
    return render(
        request,
        "services/apply/form.html",
        {
            "item": item,
            "bundle": bundle,
            "plan": plan,
            "facts": facts,
            "on_file": on_file,
            "reused": reused,
            "uploads": uploads,
            "chosen": chosen,
            "error": error,
            "general_error": message if error is not None and not field else "",
        },
        status=error.status if error is not None else 200,
    )


@login_required
def apply_item(request: HttpRequest, code: str) -> HttpResponse:
    found = item_get(code)
    if found is None:
        raise Http404
    return _apply(request, item=found)


@login_required
def apply_bundle(request: HttpRequest, code: str) -> HttpResponse:
    found = bundle_get(code)
    if found is None:
        raise Http404
    return _apply(request, bundle=found)


def _application_or_404(number: str) -> Any:
    found = application_by_number(number)
    if found is None:
        raise Http404
    return found


@login_required
def application(request: HttpRequest, number: str) -> HttpResponse:
    """The status of one application: each part, the overall state and the timeline."""
    found = _application_or_404(number)
    application_view(by=request.user, application=found, request=request)  # type: ignore[arg-type]
    parts = application_parts(found)
    names = {p.pk: p.item.name for p in parts}
    now = timezone.now()
    return render(
        request,
        "services/apply/application.html",
        {
            "application": found,
            "parts": parts,
            "licences": part_licences(parts),
            "overdue": {p.pk for p in parts if is_overdue(p, now)},
            "materials": application_materials(found),
            "timeline": [
                (at, STEPS.get(step, step), names.get(part_pk, "") if part_pk else "")
                for at, step, part_pk in application_timeline(found, parts)
            ],
            "own": found.applicant_id == request.user.pk,
            "withdrawable": found.applicant_id == request.user.pk
            and found.state in ("submitted", "in_progress")
            and all(p.state == ApplicationPart.State.PENDING for p in parts),
        },
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    found = _application_or_404(number)
    try:
        application_withdraw(by=request.user, application=found, request=request)  # type: ignore[arg-type]
    except ApplicationRefused as refusal:
        if refusal.status == 403:
            raise PermissionDenied(refusal.message) from None
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The application was withdrawn."))
    return redirect("services:application", number=found.number)


@login_required
def material(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = get_object_or_404(
        ApplicationMaterial.objects.select_related("application", "kind"), pk=pk
    )
    try:
        material_open(by=request.user, material=found, request=request)  # type: ignore[arg-type]
    except ApplicationRefused:
        raise Http404 from None
    # served as the kind its content was checked to be, under a name with that kind's suffix:
    # never a type guessed from the uploader's name (a PDF named .html would render as HTML)
    content_type, suffix = _SERVED.get(found.file_kind, ("application/octet-stream", ""))
    stem = (found.original_name or found.file.name.rsplit("/", 1)[-1]).rsplit(".", 1)[0]
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=f"{stem or 'material'}{suffix}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def handling(request: HttpRequest) -> HttpResponse:
    """The parts routed to the own department (pending first, overdue flagged)."""
    require_audited(
        request.user, "services.handle", action="services.application_view", request=request
    )
    state = request.GET.get("state", "")
    if state not in ApplicationPart.State.values:
        state = ""
    parts = department_parts(getattr(request.user, "department_id", None), state=state)
    page = Paginator(parts, PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    materials: dict[int, list[ApplicationMaterial]] = {}
    for part in page.object_list:
        materials.setdefault(part.application_id, application_materials(part.application))
    return render(
        request,
        "services/apply/handling.html",
        {
            "page": page,
            "state": state,
            "states": ApplicationPart.State.choices,
            "overdue": {p.pk for p in page.object_list if is_overdue(p, now)},
            "materials": materials,
        },
    )


@login_required
@require_POST
def part_decide(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_object_or_404(ApplicationPart.objects.select_related("application", "item"), pk=pk)
    grant = request.POST.get("decision") == "grant"
    try:
        decide(
            part=part,
            by=request.user,  # type: ignore[arg-type]
            grant=grant,
            opinion=request.POST.get("opinion", ""),
            request=request,
        )
    except ApplicationRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("services:handling")
    messages.success(
        request,
        _("%(item)s of %(number)s was decided.")
        % {"item": part.item.name, "number": part.application.number},
    )
    return redirect("services:handling")
