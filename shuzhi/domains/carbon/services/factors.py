"""The emission-factor table (排放因子): drafts, edits and activation by the carbon department's
data stewards. A draft starts as a copy of the active set; only a draft may be edited;
activating one retires the set that was active. Every change is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.permissions import require

from .. import standard
from ..models import ActivityFactor, Domain, FactorSet, FuelFactor, GridFactor

MAX_SOURCE = 300


@dataclass(frozen=True)
class RowError:
    """One invalid value: section ("set", "fuels", "grids", "activities"), row, field."""

    section: str
    index: int
    field: str
    message: str


class FactorError(Exception):
    """A factor set that cannot be saved or activated as asked; ``errors`` name the values."""

    def __init__(self, message: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors)


def _require_steward(by: Any, *, action: str, target: object, request: HttpRequest | None) -> None:
    """Data stewards of settings.CARBON_DEPARTMENT only; refusals audited."""
    try:
        require(by, "catalog.edit")
    except PermissionDenied:
        audit_record(
            action=action,
            actor=by if getattr(by, "is_authenticated", False) else None,
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "forbidden", "permission": "catalog.edit"},
        )
        raise
    department = getattr(by, "department", None)
    if department is None or department.code != settings.CARBON_DEPARTMENT:
        audit_record(
            action=action,
            actor=by,
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "other_department"},
        )
        raise PermissionDenied("carbon factors: not the carbon department")


def _refuse_not_draft(
    factor_set: FactorSet, *, by: Any, action: str, request: HttpRequest | None
) -> None:
    if factor_set.state != FactorSet.State.DRAFT:
        audit_record(
            action=action,
            actor=by,
            target=factor_set,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "not_draft", "state": factor_set.state},
        )
        raise FactorError(
            _("Only a draft can be changed; this set is %(state)s.")
            % {"state": factor_set.get_state_display()}
        )


# --- validation ----------------------------------------------------------------------------


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value: object) -> str:
    return str(value or "").strip()


def _column(model: type[models.Model], name: str) -> tuple[int, int]:
    """(digits before the point, places after it) that a DecimalField column holds."""
    field = cast(models.DecimalField, model._meta.get_field(name))
    places = int(field.decimal_places or 0)
    return int(field.max_digits or 0) - places, places


class _Checker:
    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, section: str, index: int, field: str, message: str) -> None:
        self.errors.append(RowError(section, index, field, message))

    def _fitted(
        self, section: str, index: int, row: Mapping[str, Any], field: str, column: tuple[int, int]
    ) -> Decimal | None:
        """The value rounded to the column's places; None (error added) unless it fits: a
        value the column cannot hold would fail the save or every later read of the set."""
        number = _decimal(row.get(field))
        if number is None:
            self.add(section, index, field, _("Enter a number."))
            return None
        whole, places = column
        if abs(number) >= Decimal(10) ** whole:
            self.add(
                section,
                index,
                field,
                _("Too large: at most %(n)s digits before the decimal point.") % {"n": whole},
            )
            return None
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    def positive(
        self,
        section: str,
        index: int,
        row: Mapping[str, Any],
        field: str,
        column: tuple[int, int],
    ) -> Decimal:
        number = self._fitted(section, index, row, field, column)
        if number is None:
            return Decimal(0)
        if number <= 0:
            self.add(section, index, field, _("Must be greater than zero."))
        return number

    def number(
        self,
        section: str,
        index: int,
        row: Mapping[str, Any],
        field: str,
        column: tuple[int, int],
    ) -> Decimal:
        number = self._fitted(section, index, row, field, column)
        return Decimal(0) if number is None else number

    def text(self, section: str, index: int, row: Mapping[str, Any], field: str, limit: int) -> str:
        text = _text(row.get(field))
        if not text:
            self.add(section, index, field, _("Required."))
        elif len(text) > limit:
            self.add(section, index, field, _("At most %(n)s characters.") % {"n": limit})
        return text


def _clean_rows(
    header: Mapping[str, Any],
    fuels: Sequence[Mapping[str, Any]],
    grids: Sequence[Mapping[str, Any]],
    activities: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    check = _Checker()
    clean_header = {
        "title": check.text("set", 0, header, "title", 200),
        "source": check.text("set", 0, header, "source", 5000),
        "heat_factor": check.positive(
            "set", 0, header, "heat_factor", _column(FactorSet, "heat_factor")
        ),
        "heat_source": check.text("set", 0, header, "heat_source", MAX_SOURCE),
    }
    clean_fuels: list[dict[str, Any]] = []
    seen: set[object] = set()
    for i, row in enumerate(fuels):
        fuel = check.text("fuels", i, row, "fuel", 32)
        oxidation = check.number("fuels", i, row, "oxidation", _column(FuelFactor, "oxidation"))
        if _decimal(row.get("oxidation")) is not None and not (0 < oxidation <= 1):
            check.add("fuels", i, "oxidation", _("The oxidation rate lies between 0 and 1."))
        clean_fuels.append(
            {
                "fuel": fuel,
                "ncv": check.positive("fuels", i, row, "ncv", _column(FuelFactor, "ncv")),
                "ncv_unit": check.text("fuels", i, row, "ncv_unit", 16),
                "carbon_content": check.positive(
                    "fuels", i, row, "carbon_content", _column(FuelFactor, "carbon_content")
                ),
                "oxidation": oxidation,
                "source": check.text("fuels", i, row, "source", MAX_SOURCE),
            }
        )
        if fuel and fuel in seen:
            check.add("fuels", i, "fuel", _("This fuel is listed twice."))
        seen.add(fuel)
    clean_grids: list[dict[str, Any]] = []
    seen = set()
    for i, row in enumerate(grids):
        year = _decimal(row.get("year"))
        if year is None or year != year.to_integral_value() or not (1990 <= year <= 2100):
            check.add("grids", i, "year", _("Enter a year such as 2023."))
            year = Decimal(0)
        region = check.text("grids", i, row, "region", 16)
        clean_grids.append(
            {
                "year": int(year),
                "region": region,
                "value": check.positive("grids", i, row, "value", _column(GridFactor, "value")),
                "source": check.text("grids", i, row, "source", MAX_SOURCE),
            }
        )
        if region and (int(year), region) in seen:
            check.add("grids", i, "region", _("This year and region are listed twice."))
        seen.add((int(year), region))
    clean_activities: list[dict[str, Any]] = []
    seen = set()
    domains = {d.value for d in Domain if d != Domain.INDUSTRY}
    for i, row in enumerate(activities):
        domain = _text(row.get("domain"))
        if domain not in domains:
            check.add("activities", i, "domain", _("Choose one of the five domains."))
        activity = check.text("activities", i, row, "activity", 48)
        clean_activities.append(
            {
                "domain": domain,
                "activity": activity,
                "unit": check.text("activities", i, row, "unit", 16),
                # a sink (forest, 碳汇) has a negative factor
                "value": check.number(
                    "activities", i, row, "value", _column(ActivityFactor, "value")
                ),
                "source": check.text("activities", i, row, "source", MAX_SOURCE),
            }
        )
        if activity and (domain, activity) in seen:
            check.add("activities", i, "activity", _("This activity is listed twice."))
        seen.add((domain, activity))
    if check.errors:
        raise FactorError(_("Some values need correcting."), check.errors)
    return clean_header, clean_fuels, clean_grids, clean_activities


def _rows_of(factor_set: FactorSet) -> dict[str, Any]:
    return {
        "header": {
            "title": factor_set.title,
            "source": factor_set.source,
            "heat_factor": factor_set.heat_factor,
            "heat_source": factor_set.heat_source,
        },
        "fuels": list(
            factor_set.fuels.values(
                "fuel", "ncv", "ncv_unit", "carbon_content", "oxidation", "source"
            )
        ),
        "grids": list(factor_set.grids.values("year", "region", "value", "source")),
        "activities": list(
            factor_set.activities.values("domain", "activity", "unit", "value", "source")
        ),
    }


def _write_rows(
    factor_set: FactorSet,
    fuels: Sequence[Mapping[str, Any]],
    grids: Sequence[Mapping[str, Any]],
    activities: Sequence[Mapping[str, Any]],
) -> None:
    factor_set.fuels.all().delete()
    factor_set.grids.all().delete()
    factor_set.activities.all().delete()
    FuelFactor.objects.bulk_create(FuelFactor(factor_set=factor_set, **row) for row in fuels)
    GridFactor.objects.bulk_create(GridFactor(factor_set=factor_set, **row) for row in grids)
    ActivityFactor.objects.bulk_create(
        ActivityFactor(factor_set=factor_set, **row) for row in activities
    )


# --- services ------------------------------------------------------------------------------


def factor_set_draft_create(
    *, by: Any, version: str, title: str = "", request: HttpRequest | None = None
) -> FactorSet:
    """A new draft: a copy of the active set (or of the newest set; empty when there is none)."""
    _require_steward(by, action="carbon.factors_save", target=None, request=request)
    version = _text(version)
    if not version or len(version) > 32:
        raise FactorError(
            _("Give the new version a name of at most 32 characters."),
            [RowError("set", 0, "version", _("Required."))],
        )
    if FactorSet.objects.filter(version=version).exists():
        raise FactorError(
            _("Version %(version)s exists already.") % {"version": version},
            [RowError("set", 0, "version", _("This version exists already."))],
        )
    return _draft_create(by=by, version=version, title=title, request=request)


@transaction.atomic
def _draft_create(*, by: Any, version: str, title: str, request: HttpRequest | None) -> FactorSet:
    base = (
        FactorSet.objects.filter(state=FactorSet.State.ACTIVE).first() or FactorSet.objects.first()
    )
    rows = _rows_of(base) if base else None
    header = rows["header"] if rows else {"title": "", "source": "", "heat_source": ""}
    factor_set = FactorSet.objects.create(
        version=version,
        title=_text(title) or header["title"] or version,
        source=header["source"],
        heat_factor=header.get("heat_factor", Decimal("0.11")),
        heat_source=header["heat_source"],
        state=FactorSet.State.DRAFT,
        created_by=by,
    )
    if rows:
        _write_rows(factor_set, rows["fuels"], rows["grids"], rows["activities"])
    audit_record(
        action="carbon.factors_save",
        actor=by,
        target=factor_set,
        request=request,
        details={"created": True, "version": version, "copied_from": base.version if base else ""},
    )
    return factor_set


def factor_set_save(
    *,
    by: Any,
    factor_set: FactorSet,
    header: Mapping[str, Any],
    fuels: Sequence[Mapping[str, Any]],
    grids: Sequence[Mapping[str, Any]],
    activities: Sequence[Mapping[str, Any]],
    request: HttpRequest | None = None,
) -> FactorSet:
    """Replace a draft's header and rows after checking every value (positive NCV, carbon
    content, grid and heat factors; oxidation in (0, 1]; a source for every factor)."""
    _require_steward(by, action="carbon.factors_save", target=factor_set, request=request)
    _refuse_not_draft(factor_set, by=by, action="carbon.factors_save", request=request)
    clean_header, clean_fuels, clean_grids, clean_activities = _clean_rows(
        header, fuels, grids, activities
    )
    with transaction.atomic():
        factor_set = _locked_draft(factor_set)
        _save_rows(factor_set, clean_header, clean_fuels, clean_grids, clean_activities)
        audit_record(
            action="carbon.factors_save",
            actor=by,
            target=factor_set,
            request=request,
            details={
                "version": factor_set.version,
                "fuels": len(clean_fuels),
                "grids": len(clean_grids),
                "activities": len(clean_activities),
            },
        )
    return factor_set


def _locked_draft(factor_set: FactorSet) -> FactorSet:
    """The set locked for the change; a draft activated meanwhile is no longer changed."""
    locked = FactorSet.objects.select_for_update().get(pk=factor_set.pk)
    if locked.state != FactorSet.State.DRAFT:
        raise FactorError(_("This set was activated meanwhile; create a new draft."))
    return locked


def _save_rows(
    factor_set: FactorSet,
    clean_header: Mapping[str, Any],
    clean_fuels: Sequence[Mapping[str, Any]],
    clean_grids: Sequence[Mapping[str, Any]],
    clean_activities: Sequence[Mapping[str, Any]],
) -> None:
    for name, value in clean_header.items():
        setattr(factor_set, name, value)
    factor_set.save(update_fields=list(clean_header))
    _write_rows(factor_set, clean_fuels, clean_grids, clean_activities)


def factor_set_activate(
    *, by: Any, factor_set: FactorSet, request: HttpRequest | None = None
) -> FactorSet:
    """Make a checked draft the active set; the set active before is retired."""
    _require_steward(by, action="carbon.factors_activate", target=factor_set, request=request)
    _refuse_not_draft(factor_set, by=by, action="carbon.factors_activate", request=request)
    return _activate(by=by, factor_set=factor_set, request=request)


@transaction.atomic
def _activate(*, by: Any, factor_set: FactorSet, request: HttpRequest | None) -> FactorSet:
    factor_set = _locked_draft(factor_set)
    rows = _rows_of(factor_set)
    _clean_rows(rows["header"], rows["fuels"], rows["grids"], rows["activities"])
    if not rows["fuels"] or not rows["grids"]:
        raise FactorError(_("A set needs at least one fuel and one grid factor to be active."))
    retired = list(
        FactorSet.objects.select_for_update()
        .filter(state=FactorSet.State.ACTIVE)
        .values_list("version", flat=True)
    )
    FactorSet.objects.filter(state=FactorSet.State.ACTIVE).update(state=FactorSet.State.RETIRED)
    factor_set.state = FactorSet.State.ACTIVE
    factor_set.activated_at = timezone.now()
    factor_set.save(update_fields=["state", "activated_at"])
    audit_record(
        action="carbon.factors_activate",
        actor=by,
        target=factor_set,
        request=request,
        details={"version": factor_set.version, "retired": retired},
    )
    return factor_set


def factor_set_seed_default(*, by: Any, request: HttpRequest | None = None) -> FactorSet | None:
    """Create the built-in default set (``standard.DEFAULT_FACTORS``), ACTIVE, when the database
    has no factor set at all; for the carbon department's data stewards (the demo's steward).

    Idempotent: returns the new set, or ``None`` when any set already exists (nothing changes,
    nothing audited). Activating a set is audited like any activation ("carbon.factors_activate",
    ``seeded``).
    """
    _require_steward(by, action="carbon.factors_activate", target=None, request=request)
    defaults = standard.DEFAULT_FACTORS
    with transaction.atomic():
        if FactorSet.objects.exists():
            return None
        now = timezone.now()
        factor_set = FactorSet.objects.create(
            version=defaults.version,
            title="内置默认排放因子 · Built-in default emission factors",
            source=defaults.source,
            heat_factor=_dec(defaults.heat_factor),
            heat_source=defaults.heat_source,
            state=FactorSet.State.ACTIVE,
            created_by=by,
            created_at=now,
            activated_at=now,
        )
        FuelFactor.objects.bulk_create(
            FuelFactor(
                factor_set=factor_set,
                fuel=f.fuel,
                ncv=_dec(f.ncv),
                ncv_unit=f.ncv_unit,
                carbon_content=_dec(f.carbon_content),
                oxidation=_dec(f.oxidation),
                source=f.source,
            )
            for f in defaults.fuels.values()
        )
        GridFactor.objects.bulk_create(
            GridFactor(
                factor_set=factor_set,
                year=g.year,
                region=g.region,
                value=_dec(g.value),
                source=g.source,
            )
            for g in defaults.grid
        )
        ActivityFactor.objects.bulk_create(
            ActivityFactor(
                factor_set=factor_set,
                domain=a.domain,
                activity=a.activity,
                unit=a.unit,
                value=_dec(a.value),
                source=a.source,
            )
            for a in defaults.activities
        )
        audit_record(
            action="carbon.factors_activate",
            actor=by,
            target=factor_set,
            request=request,
            details={"version": factor_set.version, "seeded": True, "retired": []},
        )
    return factor_set


def _dec(value: float) -> Decimal:
    return Decimal(str(value))
