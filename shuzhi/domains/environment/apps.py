from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnvironmentConfig(AppConfig):  # 生态环境
    name = "shuzhi.domains.environment"
    label = "environment"
    verbose_name = _("Ecology and environment")
