"""Emission-factor sets in the database ↔ the calculators' :class:`standard.FactorTable`.

The calculations in :mod:`standard` and :mod:`pipeline` know nothing of Django; they read a
``FactorTable``. This module builds one from a :class:`FactorSet` with its fuel, grid and
activity rows and finds the active set (or falls back to the built-in default). Seeding the
default set into an empty database is a service (a steward's activation, audited):
:func:`services.factors.factor_set_seed_default`, importable from here as before.
"""

from __future__ import annotations

from . import standard
from .models import ActivityFactor, FactorSet, FuelFactor, GridFactor
from .services.factors import factor_set_seed_default as factor_set_seed_default
from .standard import ActivityFactorDef, FactorTable, FuelParams, GridFactorDef


def factor_table(factor_set: FactorSet) -> FactorTable:
    """The calculators' view of ``factor_set`` (its fuels, grid factors and activities)."""
    fuels = {
        f.fuel: FuelParams(
            fuel=f.fuel,
            ncv=float(f.ncv),
            ncv_unit=f.ncv_unit,
            carbon_content=float(f.carbon_content),
            oxidation=float(f.oxidation),
            source=f.source,
        )
        for f in FuelFactor.objects.filter(factor_set=factor_set).order_by("fuel")
    }
    grid = tuple(
        GridFactorDef(year=g.year, region=g.region, value=float(g.value), source=g.source)
        for g in GridFactor.objects.filter(factor_set=factor_set).order_by("region", "year")
    )
    activities = tuple(
        ActivityFactorDef(
            domain=a.domain, activity=a.activity, unit=a.unit, value=float(a.value), source=a.source
        )
        for a in ActivityFactor.objects.filter(factor_set=factor_set).order_by("domain", "activity")
    )
    return FactorTable(
        version=factor_set.version,
        fuels=fuels,
        grid=grid,
        heat_factor=float(factor_set.heat_factor),
        heat_source=factor_set.heat_source,
        activities=activities,
        source=factor_set.source,
    )


def active_factor_set() -> FactorSet | None:
    """The ACTIVE set (the most recently activated if, against the rule, there are several)."""
    return (
        FactorSet.objects.filter(state=FactorSet.State.ACTIVE)
        .order_by("-activated_at", "-created_at", "-id")
        .first()
    )


def active_factor_table() -> FactorTable:
    """The active set as a FactorTable; the built-in default (``default-2024``) if none is
    active yet."""
    active = active_factor_set()
    return factor_table(active) if active is not None else standard.DEFAULT_FACTORS
