"""``shuzhi worker``: run background work (reminders, escalation, scheduled computations).

The queue is the database (django-tasks' database backend); this is its worker, with the
platform's defaults. Run one beside the web server (``make demo`` does); more on other
machines share the same queue.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background work queued by the platform (django-tasks database worker)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now, then stop"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of the queue"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from shuzhi.platform.loop.schedule import start_recurring
        from shuzhi.platform.loop.tasks import schedule_next_scan

        schedule_next_scan(delay=timedelta(0))  # the deadline scan re-enqueues itself
        started = start_recurring()  # other apps' schedules (e.g. the brain's indicator runs)
        if started:
            self.stdout.write(f"recurring work: {', '.join(started)}")
        arguments = ["--interval", str(options["interval"])]
        if options["batch"]:
            arguments.append("--batch")
        call_command("db_worker", *arguments)
