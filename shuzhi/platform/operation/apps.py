from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationConfig(AppConfig):
    name = "shuzhi.platform.operation"
    label = "operation"
    verbose_name = _("Authorised operation")
