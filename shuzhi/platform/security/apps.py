from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "shuzhi.platform.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks
