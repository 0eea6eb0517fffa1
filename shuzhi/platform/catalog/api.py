"""Catalogue API: browse, register, edit and publish datasets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Router, Schema, Status

from shuzhi.platform.accounts.models import Department, Division
from shuzhi.platform.errors import ApiError

from .models import MAX_DECIMAL_PLACES, CodeTable, Dataset, ThematicWarehouse, Theme
from .selectors import DatasetFilter, dataset_get, dataset_list
from .services import FieldInput, PublishRefused, dataset_create, dataset_publish, dataset_update

router = Router(tags=["catalog"])


class FieldSchema(Schema):
    name: str = SchemaField(..., pattern=r"^[a-z][a-z0-9_]{0,63}$")
    label: str = SchemaField(..., min_length=1, max_length=100)
    label_en: str = ""
    data_type: str
    semantic_type: str = "text"
    grade: int | None = SchemaField(None, ge=1, le=4)
    nullable: bool = True
    is_key: bool = False
    unit: str = ""
    code_table: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    decimal_places: int | None = SchemaField(None, ge=0, le=MAX_DECIMAL_PLACES)


class DatasetOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    owner: str
    division: str
    theme: str | None
    frequency: str
    share_attribute: str
    share_condition: str
    open_attribute: str
    deidentified: bool
    grade: int
    importance: str
    status: str
    tags: list[str]
    published_at: datetime | None
    fields: list[FieldSchema]

    @staticmethod
    def resolve_owner(obj: Dataset) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_division(obj: Dataset) -> str:
        return obj.division_id

    @staticmethod
    def resolve_theme(obj: Dataset) -> str | None:
        return obj.theme_id

    @staticmethod
    def resolve_fields(obj: Dataset) -> list[dict[str, Any]]:
        return [
            {
                **{k: getattr(f, k) for k in FieldSchema.model_fields if k != "code_table"},
                "code_table": f.code_table_id,
            }
            for f in obj.fields.all()
        ]


class DatasetIn(Schema):
    code: str = SchemaField(..., pattern=r"^[a-z][a-z0-9_]{1,63}$")
    name: str = SchemaField(..., min_length=1, max_length=200)
    name_en: str = ""
    description: str = ""
    owner: str | None = SchemaField(None, description="Department code; default: your own")
    division: str = "330800"
    theme: str | None = None
    industry_code: str = ""
    frequency: str = ""
    share_attribute: str
    share_condition: str = ""
    open_attribute: str
    deidentified: bool = False
    grade: int = SchemaField(..., ge=1, le=4)
    importance: str = "general"
    tags: list[str] = []
    contact_name: str = ""
    contact_phone: str = ""
    fields: list[FieldSchema] = []


class DatasetPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    description: str | None = None
    theme: str | None = None
    frequency: str | None = None
    share_attribute: str | None = None
    share_condition: str | None = None
    open_attribute: str | None = None
    deidentified: bool | None = None
    grade: int | None = SchemaField(None, ge=1, le=4)
    importance: str | None = None
    tags: list[str] | None = None
    fields: list[FieldSchema] | None = None


class ProblemOut(Schema):
    code: str
    message: str


class NamedOut(Schema):
    code: str
    name: str
    name_en: str


def _fields(items: list[FieldSchema]) -> list[FieldInput]:
    result = []
    for item in items:
        values = item.model_dump(exclude={"name", "label", "data_type", "code_table"})
        if item.code_table:
            table = CodeTable.objects.filter(code=item.code_table).first()
            if table is None:
                raise ApiError(
                    422,
                    "unknown_code_table",
                    _("Unknown code table: %(code)s") % {"code": item.code_table},
                )
            values["code_table"] = table
        result.append(FieldInput(item.name, item.label, item.data_type, values))
    return result


def _relations(values: dict[str, Any]) -> dict[str, Any]:
    if "division" in values:
        division = Division.objects.filter(code=values["division"]).first()
        if division is None:
            raise ApiError(422, "unknown_division", _("Unknown division code."))
        values["division"] = division
    if values.get("theme"):
        theme = Theme.objects.filter(code=values["theme"]).first()
        if theme is None:
            raise ApiError(422, "unknown_theme", _("Unknown theme."))
        values["theme"] = theme
    return values


def _get(request: HttpRequest, code: str) -> Dataset:
    try:
        return dataset_get(by=request.user, code=code)
    except Dataset.DoesNotExist as exc:
        raise ApiError(404, "not_found", _("There is nothing at this address.")) from exc


def _invalid(exc: ValidationError) -> ApiError:
    return ApiError(422, "invalid_input", "; ".join(exc.messages))


@router.get("/datasets", response=list[DatasetOut], summary="Datasets you may see")
def datasets(
    request: HttpRequest,
    q: str = "",
    owner: str = "",
    theme: str = "",
    grade: int | None = None,
    share_attribute: str = "",
    open_attribute: str = "",
    status: str = "",
) -> object:
    filters = DatasetFilter(q, owner, theme, grade, share_attribute, open_attribute, status)
    return dataset_list(by=request.user, filters=filters).prefetch_related("fields")


@router.get("/datasets/{code}", response=DatasetOut, summary="One dataset with its fields")
def dataset(request: HttpRequest, code: str) -> Dataset:
    return _get(request, code)


@router.post("/datasets", response={201: DatasetOut}, summary="Register a draft dataset")
def dataset_create_route(request: HttpRequest, payload: DatasetIn) -> Status:
    data = payload.model_dump(exclude={"code", "owner", "fields"})
    owner_code = payload.owner or getattr(getattr(request.user, "department", None), "code", "")
    owner = Department.objects.filter(code=owner_code).first()
    if owner is None:
        raise ApiError(422, "unknown_owner", _("Unknown owner department."))
    if Dataset.objects.filter(code=payload.code).exists():
        raise ApiError(409, "conflict", _("A dataset with this code already exists."))
    try:
        created = dataset_create(
            by=request.user,  # type: ignore[arg-type]
            code=payload.code,
            owner=owner,
            fields=_fields(payload.fields),
            request=request,
            **_relations(data),
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return Status(201, created)


@router.patch("/datasets/{code}", response=DatasetOut, summary="Change a dataset you steward")
def dataset_patch(request: HttpRequest, code: str, payload: DatasetPatch) -> Dataset:
    dataset = _get(request, code)
    data = {k: v for k, v in payload.model_dump(exclude={"fields"}).items() if v is not None}
    fields = _fields(payload.fields) if payload.fields is not None else None
    try:
        return dataset_update(
            dataset=dataset,
            by=request.user,  # type: ignore[arg-type]
            fields=fields,
            request=request,
            **_relations(data),
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except PublishRefused as exc:
        raise ApiError(
            409, "publish_rules", exc.problems[0].message if len(exc.problems) == 1 else str(exc)
        ) from exc


@router.post(
    "/datasets/{code}/publish",
    response={200: DatasetOut, 409: dict[str, Any]},
    summary="Publish, or learn every rule that stops it",
)
def dataset_publish_route(request: HttpRequest, code: str) -> object:
    dataset = _get(request, code)
    try:
        return dataset_publish(dataset=dataset, by=request.user, request=request)  # type: ignore[arg-type]
    except PublishRefused as exc:
        return Status(
            409,
            {
                "error": {
                    "code": "publish_refused",
                    "message": _("The dataset cannot be published yet."),
                    "status": 409,
                    "details": [{"code": p.code, "message": p.message} for p in exc.problems],
                }
            },
        )


@router.get("/code-tables", response=list[NamedOut], summary="Code tables")
def code_tables(request: HttpRequest) -> object:
    return CodeTable.objects.all()


@router.get(
    "/thematic-warehouses", response=list[NamedOut], summary="Thematic warehouses (专题数据仓)"
)
def thematic_warehouses(request: HttpRequest) -> object:
    return ThematicWarehouse.objects.all()
