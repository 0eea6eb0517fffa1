"""``shuzhi demo_otp``: print the demo administrator's current TOTP code (demo mode only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from shuzhi.demo.people import DEMO_TOTP_SECRET_HEX


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo `admin` account (SHUZHI_DEMO_MODE only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo_otp works only when SHUZHI_DEMO_MODE=1")
        totp = TOTP(bytes.fromhex(DEMO_TOTP_SECRET_HEX), digits=6)
        self.stdout.write(f"{totp.token():06d}")
