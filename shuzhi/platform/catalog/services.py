"""Every write of the catalogue. Stewards of the owner department edit; each write is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.permissions import require

from .models import Dataset, Field, LineageEdge, Status
from .rules import Problem, publish_problems

DATASET_EDITABLE = (
    "name",
    "name_en",
    "description",
    "division",
    "theme",
    "industry_code",
    "frequency",
    "share_attribute",
    "share_condition",
    "open_attribute",
    "deidentified",
    "grade",
    "importance",
    "tags",
    "contact_name",
    "contact_phone",
)
FIELD_EDITABLE = (
    "label",
    "label_en",
    "data_type",
    "semantic_type",
    "grade",
    "nullable",
    "is_key",
    "unit",
    "code_table",
    "min_value",
    "max_value",
    "decimal_places",
)


class PublishRefused(Exception):
    """The dataset fails one or more publishing rules; ``problems`` says which and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def require_steward(by: User, owner: Department | int | None, perm: str = "catalog.edit") -> None:
    """Raise unless ``by`` holds ``perm`` as a member of the owner department (数据管理员).

    The one rule for every write on a department's datasets; the warehouse uses it too.
    """
    require(by, perm)
    owner_id = owner.pk if isinstance(owner, Department) else owner
    if by.department_id != owner_id:
        raise PermissionDenied(f"{perm}: not a steward of the owner department")


def require_steward_of(
    by: Any,
    *,
    department_code: str,
    perm: str,
    action: str,
    request: HttpRequest | None = None,
) -> None:
    """``require_steward`` for the department with ``department_code`` (from a setting, e.g. the
    department that owns a domain's derived datasets); a refusal is audited as ``action``."""
    department = Department.objects.filter(code=department_code).first()
    try:
        if department is None:
            raise PermissionDenied(f"no department {department_code}")
        require_steward(by, department, perm)
    except PermissionDenied as error:
        audit_record(
            action=action,
            actor=by if getattr(by, "is_authenticated", False) else None,
            outcome=Outcome.DENIED,
            request=request,
            details={"reason": str(error)[:200]},
        )
        raise


@dataclass(frozen=True)
class FieldInput:
    name: str
    label: str
    data_type: str
    values: dict[str, Any]


@transaction.atomic
def dataset_create(
    *,
    by: User,
    code: str,
    owner: Department,
    fields: list[FieldInput] | None = None,
    request: HttpRequest | None = None,
    **values: Any,
) -> Dataset:
    """Register a draft dataset (and its fields) for the steward's own department."""
    require_steward(by, owner)
    unknown = set(values) - set(DATASET_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    dataset = Dataset(code=code, owner=owner, **values)
    dataset.full_clean()
    dataset.save()
    for position, item in enumerate(fields or []):
        _field_save(dataset, position, item)
    audit_record(
        action="dataset.create", actor=by, target=dataset, request=request, details={"code": code}
    )
    return dataset


def _field_save(dataset: Dataset, position: int, item: FieldInput) -> Field:
    unknown = set(item.values) - set(FIELD_EDITABLE)
    if unknown:
        raise ValueError(f"field {item.name}: not editable: {sorted(unknown)}")
    field = Field.objects.filter(dataset=dataset, name=item.name).first() or Field(
        dataset=dataset, name=item.name
    )
    field.position = position
    field.label = item.label
    field.data_type = item.data_type
    for key, value in item.values.items():
        setattr(field, key, value)
    field.full_clean(exclude=["dataset"])
    field.save()
    return field


@transaction.atomic
def dataset_update(
    *,
    dataset: Dataset,
    by: User,
    fields: list[FieldInput] | None = None,
    request: HttpRequest | None = None,
    **values: Any,
) -> Dataset:
    """Change a dataset's metadata and, when ``fields`` is given, replace its field list."""
    require_steward(by, dataset.owner_id)
    unknown = set(values) - set(DATASET_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = sorted(k for k, v in values.items() if getattr(dataset, k) != v)
    for key, value in values.items():
        setattr(dataset, key, value)
    dataset.updated_at = timezone.now()
    dataset.full_clean()
    dataset.save()
    if fields is not None:
        names = [f.name for f in fields]
        Field.objects.filter(dataset=dataset).exclude(name__in=names).delete()
        for position, item in enumerate(fields):
            _field_save(dataset, position, item)
        changed.append("fields")
    if dataset.status == Status.PUBLISHED:
        problems = publish_problems(dataset)
        if problems:
            raise PublishRefused(problems)  # the transaction rolls the edit back
    audit_record(
        action="dataset.update",
        actor=by,
        target=dataset,
        request=request,
        details={"changed": changed},
    )
    return dataset


def dataset_publish(*, dataset: Dataset, by: User, request: HttpRequest | None = None) -> Dataset:
    """Publish a dataset if every publishing rule holds; otherwise raise ``PublishRefused``.

    A refusal is audited too, so it is committed on its own before the exception.
    """
    require_steward(by, dataset.owner_id)
    problems = publish_problems(dataset)
    if dataset.status == Status.RETIRED:
        problems.insert(0, Problem("retired", _("A retired dataset cannot be published again.")))
    if problems:
        audit_record(
            action="dataset.publish",
            actor=by,
            target=dataset,
            outcome=Outcome.DENIED,
            request=request,
            details={"problems": [p.code for p in problems]},
        )
        raise PublishRefused(problems)
    with transaction.atomic():
        dataset.status = Status.PUBLISHED
        dataset.published_at = timezone.now()
        dataset.save(update_fields=["status", "published_at"])
        audit_record(action="dataset.publish", actor=by, target=dataset, request=request)
    return dataset


@transaction.atomic
def dataset_retire(*, dataset: Dataset, by: User, request: HttpRequest | None = None) -> Dataset:
    require_steward(by, dataset.owner_id)
    dataset.status = Status.RETIRED
    dataset.save(update_fields=["status"])
    audit_record(action="dataset.retire", actor=by, target=dataset, request=request)
    return dataset


@transaction.atomic
def lineage_add(
    *,
    source: Dataset,
    target: Dataset,
    transformation: str,
    by: User,
    request: HttpRequest | None = None,
) -> LineageEdge:
    """Record that ``target`` is derived from ``source``; the target's steward says so."""
    require_steward(by, target.owner_id)
    if source.pk == target.pk:
        raise ValueError("a dataset cannot be derived from itself")
    edge, _ = LineageEdge.objects.update_or_create(
        source=source, target=target, defaults={"transformation": transformation.strip()[:300]}
    )
    audit_record(
        action="lineage.add",
        actor=by,
        target=target,
        request=request,
        details={"source": source.code, "transformation": edge.transformation},
    )
    return edge
