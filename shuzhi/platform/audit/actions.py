"""Human names of audit actions, for the auditors' browser.

The platform registers its own actions here; a module adds its own in ``AppConfig.ready()``
with :func:`register_action`. An unregistered action is shown by its code.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise | str] = {
    "login.success": _("Signed in"),
    "login.failure": _("Wrong user name or password"),
    "login.locked": _("Sign-in refused: account locked"),
    "login.otp": _("Second-factor check"),
    "otp.enrol": _("Authenticator enrolled"),
    "logout": _("Signed out"),
    "role.change": _("Roles changed"),
    "permission.change": _("Permissions changed"),
    "apikey.issue": _("API key issued"),
    "apikey.revoke": _("API key revoked"),
    "apikey.use": _("API key used"),
    "apikey.reject": _("API key refused"),
    "security.rotate_keys": _("Encryption keys rotated"),
    "demo.load": _("Demo city loaded"),
}


def register_action(code: str, label: Promise | str) -> None:
    """Give an action code a human name (call from ``AppConfig.ready()``)."""
    ACTION_LABELS[code] = label


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
