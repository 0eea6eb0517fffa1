"""The ``shuzhi`` console command: Django's manage.py with Shuzhi's settings.

shuzhi demo --scale 1      build the synthetic city (progress bars)
shuzhi audit verify        walk the audit chain
shuzhi security rotate-keys
shuzhi runserver 127.0.0.1:8000
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shuzhi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
