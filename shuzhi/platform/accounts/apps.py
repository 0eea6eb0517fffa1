from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "shuzhi.platform.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class ShuzhiAdminConfig(admin_apps.AdminConfig):
    """Django admin with Shuzhi's site (replaces ``django.contrib.admin`` in INSTALLED_APPS)."""

    default = False
    default_site = "shuzhi.platform.accounts.admin_site.ShuzhiAdminSite"
