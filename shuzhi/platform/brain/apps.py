from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrainConfig(AppConfig):
    name = "shuzhi.platform.brain"
    label = "brain"
    verbose_name = _("City brain")
