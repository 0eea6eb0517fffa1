"""``shuzhi environment``: monitoring stations from the command line.

- ``stations [--kind air|water]``: the stations, their county and push-key prefix;
- ``issue-key CODE --user USERNAME``: a new push key for a station, printed once;
- ``sync [--kind air|water] --user USERNAME``: load the current versions of
  ``air_quality_hourly`` / ``surface_water_monthly`` into the readings;
- ``results [--publish --user USERNAME]``: compute every day's AQI and raise the warnings over
  all readings (as the hourly schedule does for the last day), then optionally publish the
  results as catalogue datasets (the city bureau's steward).

The user must be a data steward of an ecology-and-environment bureau (a county bureau's only in
its county; ``sync`` the city bureau's).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuzhi.domains.environment.models import Station
from shuzhi.domains.environment.selectors.stations import station_by_code
from shuzhi.domains.environment.services.readings import (
    ReadingsRefused,
    readings_from_warehouse,
    station_key_issue,
)
from shuzhi.platform.accounts.models import User

KINDS = ("air", "water")


class Command(BaseCommand):
    help = "Monitoring stations: `stations`, `issue-key CODE`, `sync` (from the warehouse)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("stations", help="list the stations")
        listing.add_argument("--kind", choices=KINDS)
        issue = actions.add_parser("issue-key", help="issue a new push key (shown once)")
        issue.add_argument("code", help="the station's code, e.g. 3308A01")
        issue.add_argument("--user", required=True, help="an ecology bureau's data steward")
        sync = actions.add_parser("sync", help="load readings from the warehouse datasets")
        sync.add_argument("--kind", choices=KINDS, help="one kind only (default: both)")
        sync.add_argument("--user", required=True, help="the city ecology bureau's data steward")
        results = actions.add_parser("results", help="compute daily AQI and raise the warnings")
        results.add_argument("--publish", action="store_true", help="publish them as datasets")
        results.add_argument("--user", help="with --publish: the city bureau's data steward")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "stations":
            self.stations(options.get("kind"))
            return
        if action == "results":
            self.results(options)
            return
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user {options['user']}: no such active user")
        try:
            if action == "issue-key":
                self.issue_key(options["code"], user)
            else:
                for kind in [options["kind"]] if options.get("kind") else KINDS:
                    self.sync(kind, user)
        except ReadingsRefused as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def stations(self, kind: str | None) -> None:
        stations = Station.objects.select_related("division")
        if kind:
            stations = stations.filter(kind=kind)
        for s in stations:
            key = f"env_{s.key_prefix}_…" if s.key_prefix else "-"
            target = f" target {s.target_class}" if s.target_class else ""
            self.stdout.write(
                f"{s.code}\t{s.kind}\t{s.name}\t{s.division.name}\t"
                f"{s.latitude},{s.longitude}{target}\tkey {key}"
            )
        self.stdout.write(f"{stations.count()} stations")

    def issue_key(self, code: str, user: User) -> None:
        station = station_by_code(code)
        if station is None:
            raise CommandError(f"{code}: no such station")
        raw = station_key_issue(by=user, station=station)
        self.stdout.write(f"New push key for {station.code} {station.name} (shown once):")
        self.stdout.write(raw)

    def sync(self, kind: str, user: User) -> None:
        report = readings_from_warehouse(by=user, kind=kind)
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(report.reasons.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.dataset} v{report.version}: {report.rows} rows, "
                f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
                f"{report.rejected} rejected" + (f" ({reasons})" if reasons else "")
            )
        )

    def results(self, options: dict[str, Any]) -> None:
        from shuzhi.domains.environment.services.publish import results_publish
        from shuzhi.domains.environment.services.results import results_catch_up

        user = None
        if options.get("publish"):
            user = User.objects.filter(username=options.get("user") or "", is_active=True).first()
            if user is None:
                raise CommandError(f"--user {options.get('user')}: no such active user")
        report = results_catch_up()
        self.stdout.write(f"{report.pop('daily_rows')} station-days of AQI computed")
        for key, counts in report.items():
            self.stdout.write(f"warnings {key}: {counts}")
        if user is not None:
            try:
                versions = results_publish(by=user)
            except ReadingsRefused as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from exc
            except PermissionDenied as exc:
                raise CommandError(f"--user {user.username}: {exc}") from exc
            published = ", ".join(f"{code} v{n}" for code, n in versions.items())
            self.stdout.write(self.style.SUCCESS(f"published {published}"))
