from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.audit.actions import register_action


class AccountsConfig(AppConfig):
    default = True
    name = "shuzhi.platform.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        register_action("admin.add", _("Added in the back office"))
        register_action("admin.change", _("Changed in the back office"))
        register_action("admin.delete", _("Deleted in the back office"))
        register_action("otp.replace", _("Authenticator replaced"))
        register_action("password.change", _("Password changed"))


class ShuzhiAdminConfig(admin_apps.AdminConfig):
    """Django admin with Shuzhi's site (replaces ``django.contrib.admin`` in INSTALLED_APPS)."""

    default = False
    default_site = "shuzhi.platform.accounts.admin_site.ShuzhiAdminSite"
