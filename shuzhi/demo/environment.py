"""Demo monitoring stations (生态环境监测站点) and their readings.

``load_environment`` creates, as the city ecology bureau's data steward (``eeb_steward``) through
the environment services, the 12 air-quality stations and 20 surface-water sections that the
demo datasets ``air_quality_hourly`` and ``surface_water_monthly`` report (``rows._STATIONS``,
``rows._WATER_SECTIONS``), with plausible coordinates in their county of Quzhou (a county
centre plus a small fixed offset; not surveyed positions) and, for sections, the water body and
target class of the dataset; then loads both datasets' current versions
(``readings_from_warehouse``). Bad rows in the files land in the rejected readings.

Idempotent: stations are saved by code (unchanged on a re-run), the readings are upserted and a
version's rejected rows are recorded once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from shuzhi.platform.accounts.models import Division, User

from . import rows

STEWARD: Final = "eeb_steward"
# approximate centre of each county-level division (latitude N, longitude E)
CENTRES: Final = {
    "330802": (28.97, 118.87),  # 柯城区
    "330803": (28.98, 118.96),  # 衢江区
    "330822": (28.90, 118.51),  # 常山县
    "330824": (29.14, 118.41),  # 开化县
    "330825": (29.03, 119.17),  # 龙游县
    "330881": (28.74, 118.63),  # 江山市
}
# fixed offsets (degrees) so that stations of one county do not sit on one point
_OFFSETS: Final = ((0.0, 0.0), (0.04, -0.05), (-0.05, 0.04), (0.07, 0.06), (-0.03, -0.08))


def _place(county: str, index: int) -> tuple[Decimal, Decimal]:
    lat, lon = CENTRES.get(county, (28.97, 118.87))
    d_lat, d_lon = _OFFSETS[index % len(_OFFSETS)]
    return Decimal(f"{lat + d_lat:.6f}"), Decimal(f"{lon + d_lon:.6f}")


def load_stations(*, by: User) -> int:
    """Save the demo stations; the number saved."""
    from shuzhi.domains.environment.services.readings import station_save

    divisions = {d.code: d for d in Division.objects.filter(code__in=CENTRES)}
    per_county: dict[str, int] = {}
    saved = 0
    stations = [(s.code, s.name, "air", s.county_code, "", "", "") for s in rows._STATIONS] + [
        (
            s.code,
            s.name,
            "water",
            s.county_code,
            "lake" if s.lake else "river",
            s.water_body,
            s.target_class,
        )
        for s in rows._WATER_SECTIONS
    ]
    for code, name, kind, county, body, body_name, target in stations:
        division = divisions.get(county)
        if division is None:
            continue
        index = per_county.get(county, 0)
        per_county[county] = index + 1
        latitude, longitude = _place(county, index)
        station_save(
            by=by,
            code=code,
            name=name,
            kind=kind,
            division=division,
            latitude=latitude,
            longitude=longitude,
            water_body=body,
            water_body_name=body_name,
            target_class=target,
        )
        saved += 1
    return saved


def load_environment(stdout: Any) -> None:
    """Stations, then the readings of both warehouse datasets (see the module's docstring)."""
    from shuzhi.domains.environment.services.publish import results_publish
    from shuzhi.domains.environment.services.readings import (
        ReadingsRefused,
        readings_from_warehouse,
    )
    from shuzhi.domains.environment.services.results import results_catch_up

    steward = User.objects.filter(username=STEWARD, is_active=True).first()
    if steward is None:
        stdout.write(f"  environment: no {STEWARD} account: skipped")
        return
    saved = load_stations(by=steward)
    stdout.write(f"  environment: {saved} monitoring stations")
    for kind in ("air", "water"):
        try:
            report = readings_from_warehouse(by=steward, kind=kind)
        except ReadingsRefused as refused:
            stdout.write(f"  environment: {kind} readings skipped ({refused.message})")
            continue
        stdout.write(
            f"  environment: {report.dataset} v{report.version}: {report.created} new, "
            f"{report.updated} updated, {report.unchanged} unchanged, "
            f"{report.rejected} rejected"
        )
    report_ = results_catch_up()
    stdout.write(
        f"  environment: {report_['daily_rows']} station-days of AQI; warnings: "
        + ", ".join(f"{k} {v}" for k, v in report_.items() if k != "daily_rows")
    )
    versions = results_publish(by=steward)
    stdout.write("  environment: published " + ", ".join(f"{k} v{v}" for k, v in versions.items()))
