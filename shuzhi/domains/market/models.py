"""The enterprise registry (市场主体登记). Issue 7 adds the life cycle on top of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.security.fields import EncryptedManager, EncryptedTextField, TokenField


class Enterprise(models.Model):  # 市场主体
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")  # 存续
        ABNORMAL = "abnormal", _("Listed as abnormal")  # 经营异常
        REVOKED = "revoked", _("Licence revoked")  # 吊销
        DEREGISTERED = "deregistered", _("Deregistered")  # 注销

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    enterprise_type = models.CharField(_("type"), max_length=64)
    legal_representative = EncryptedTextField(_("legal representative"))  # L3: stored encrypted
    legal_representative_token = TokenField(source="legal_representative")
    address = models.CharField(_("address"), max_length=300)
    county = models.ForeignKey(
        Division, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(
        Division, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+", null=True
    )
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, db_index=True)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"), max_digits=14, decimal_places=2
    )
    established_on = models.DateField(_("established on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    objects = EncryptedManager()

    class Meta:
        ordering = ["credit_code"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name
