"""Writes of open data (数据开放): applications, decisions and de-identified deliveries.

Every function checks permission (``require``), writes in one transaction and leaves an audit
entry. A delivery is the rows of a 受限开放 dataset for one approved application, de-identified
per GB/T 37964 (``deid``): masked by the warehouse, generalised and with small groups
suppressed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset, OpenAttribute, Status
from shuzhi.platform.security.permissions import require

from . import deid
from .models import Application
from .selectors import current_version_number, iter_pages

AGREEMENT = gettext_lazy(
    "I will use the data only for the purpose stated, will not try to re-identify any person "
    "or enterprise, will not pass the data on, will cite the owner department as the source, "
    "and will delete the data when the purpose is fulfilled."
)
MIN_PURPOSE = 10  # characters


class ApplicationRefused(Exception):
    """An application or decision that breaks a rule; ``message`` says which, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _min_group() -> int:
    return max(1, int(getattr(settings, "OPERATION_MIN_GROUP", 10)))


@transaction.atomic
def application_submit(
    *,
    dataset: Dataset,
    by: User,
    purpose: str,
    agreed: bool,
    request: HttpRequest | None = None,
) -> Application:
    """Apply to use a published 受限开放 dataset; the owner department's approver decides."""
    require(by, "opendata.apply")
    if dataset.status != Status.PUBLISHED or dataset.open_attribute != OpenAttribute.RESTRICTED:
        raise ApplicationRefused(_("Only published datasets opened on application take them."))
    purpose = (purpose or "").strip()
    if len(purpose) < MIN_PURPOSE:
        raise ApplicationRefused(
            _("Describe the purpose in at least %(n)d characters.") % {"n": MIN_PURPOSE}
        )
    if not agreed:
        raise ApplicationRefused(_("Accept the data use agreement to apply."))
    if Application.objects.filter(
        dataset=dataset, applicant=by, status=Application.Status.PENDING
    ).exists():
        raise ApplicationRefused(_("You already have an application awaiting decision."))
    application = Application.objects.create(
        dataset=dataset, applicant=by, purpose=purpose[:4000], agreement=str(AGREEMENT)
    )
    audit_record(
        action="opendata.apply",
        actor=by,
        target=application,
        request=request,
        details={"dataset": dataset.code},
    )
    return application


def _require_approver(by: User, application: Application) -> None:
    require(by, "opendata.approve")
    if by.department_id != application.dataset.owner_id:
        raise PermissionDenied("opendata.approve: not the owner department")


def application_decide(
    *,
    application: Application,
    by: User,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """Approve or reject a pending application (approver of the owner department only)."""
    try:
        _require_approver(by, application)
    except PermissionDenied:
        audit_record(
            action="opendata.decide",
            actor=by,
            target=application,
            outcome=Outcome.DENIED,
            request=request,
        )
        raise
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Application.Status.PENDING:
            raise ApplicationRefused(_("This application has already been decided."))
        comment = (comment or "").strip()[:2000]
        if not approve and not comment:
            raise ApplicationRefused(_("Give the reason for a rejection."))
        locked.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.comment = comment
        locked.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        audit_record(
            action="opendata.decide",
            actor=by,
            target=locked,
            request=request,
            details={"dataset": locked.dataset.code, "decision": locked.status},
        )
    return locked


@dataclass
class Delivery:
    """A de-identified delivery: its columns, how rows are generalised, and the rows to send."""

    dataset: Dataset
    columns: list[str]
    rules: dict[str, str]
    quasi_identifiers: list[str]
    k: int
    suppressed_rows: int
    version: int
    _small: set[tuple[Any, ...]] = field(default_factory=set)

    def rows(self) -> Iterator[dict[str, Any]]:
        """Generalised rows, page by page, without the rows of groups smaller than ``k``."""
        for page in iter_pages(self.dataset, version=self.version):
            for row in page:
                shown = deid.generalise_row(row, self.rules)
                if self.quasi_identifiers:
                    key = tuple(shown.get(name) for name in self.quasi_identifiers)
                    if key in self._small:
                        continue
                yield shown


def _require_delivery(by: User, application: Application) -> None:
    require(by, "opendata.apply")
    if application.applicant_id != by.pk:
        raise PermissionDenied("opendata.delivery: not the applicant")


def delivery_open(
    *, application: Application, by: User, request: HttpRequest | None = None
) -> Delivery:
    """Prepare the de-identified rows of an approved application for its applicant.

    Reads the quasi-identifiers once (page by page) to find the groups smaller than ``k``; the
    rows themselves are read again, page by page, while the caller streams them — from the
    same version, or the stream stops (``VersionChanged``) rather than let a group that
    shrank in a newer version through. Raises
    ``PermissionDenied`` for anyone but the applicant, ``ApplicationRefused`` unless approved
    and still open on application, ``LookupError`` when the dataset has no data yet.
    """
    try:
        _require_delivery(by, application)
    except PermissionDenied:
        audit_record(
            action="opendata.delivery",
            actor=by,
            target=application,
            outcome=Outcome.DENIED,
            request=request,
        )
        raise
    dataset = application.dataset
    refusal = ""
    if application.status != Application.Status.APPROVED:
        refusal, code = _("Only an approved application has a delivery."), "not_approved"
    elif dataset.status != Status.PUBLISHED or dataset.open_attribute != OpenAttribute.RESTRICTED:
        refusal, code = _("This dataset is no longer opened on application."), "not_restricted"
    if refusal:  # a refused attempt at the data is on record too
        audit_record(
            action="opendata.delivery",
            actor=by,
            target=application,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": code, "status": application.status},
        )
        raise ApplicationRefused(refusal)
    fields = list(dataset.fields.all())
    rules = deid.rules_for((f.name, f.data_type, f.semantic_type) for f in fields)
    quasi = deid.quasi_identifiers(rules)
    k = _min_group()
    version = current_version_number(dataset)
    if version is None:
        raise LookupError(f"{dataset.code} has no data yet")
    small: set[tuple[Any, ...]] = set()
    suppressed = 0
    if quasi:
        keys = (
            tuple(deid.generalise(row.get(name), rules[name]) for name in quasi)
            for page in iter_pages(dataset, fields=quasi, version=version)
            for row in page
        )
        small, suppressed = deid.small_groups(keys, k)
    with transaction.atomic():
        audit_record(
            action="opendata.delivery",
            actor=by,
            target=application,
            request=request,
            details={
                "dataset": dataset.code,
                "k": k,
                "version": version,
                "quasi_identifiers": quasi,
                "suppressed_rows": suppressed,
            },
        )
    return Delivery(
        dataset=dataset,
        columns=[f.name for f in fields],
        rules=rules,
        quasi_identifiers=quasi,
        k=k,
        suppressed_rows=suppressed,
        version=version,
        _small=small,
    )
