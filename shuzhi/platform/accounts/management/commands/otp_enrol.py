"""``shuzhi otp_enrol USERNAME``: give a system administrator an authenticator, at the server.

The sign-in pages never enrol one: a stolen password alone must not be enough to bind an
attacker's authenticator. The key is printed once, for the administrator to scan or type.
"""

from __future__ import annotations

import base64
import io
from argparse import ArgumentParser
from typing import Any

import qrcode
from django.core.management.base import BaseCommand, CommandError

from shuzhi.platform.accounts.models import User
from shuzhi.platform.accounts.selectors import otp_device_get
from shuzhi.platform.accounts.services import otp_device_enrol


class Command(BaseCommand):
    help = (
        "Enrol a TOTP authenticator for a system administrator and print its key and QR code. "
        "Use --replace to replace the one they have (the old one stops working)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the administrator's current authenticator",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user is named {username!r}")
        if otp_device_get(user=user) is not None and not options["replace"]:
            raise CommandError(
                f"{username} already has an authenticator; add --replace to replace it"
            )
        try:
            device = otp_device_enrol(user=user, replace=options["replace"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
        code = qrcode.QRCode(border=2)
        code.add_data(device.config_url)
        picture = io.StringIO()
        code.print_ascii(out=picture, invert=True)
        self.stdout.write(picture.getvalue())
        self.stdout.write(f"Key (type it if the code cannot be scanned): {secret}")
        self.stdout.write(f"URL: {device.config_url}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{username} now signs in with this authenticator. The key is not shown again."
            )
        )
