"""Residents (居民): the population base that 一人一档 and 免申即享 stand on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division, User
from shuzhi.platform.security.fields import EncryptedManager, EncryptedTextField, TokenField


class Resident(models.Model):  # 居民
    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    id_number = EncryptedTextField(_("ID number"))  # L4: stored encrypted (SM4)
    id_number_token = TokenField(source="id_number", unique=True)
    name = EncryptedTextField(_("name"))  # L3
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    county = models.ForeignKey(
        Division, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(
        Division, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+", null=True
    )
    address = EncryptedTextField(_("address"))  # L3
    mobile = EncryptedTextField(_("mobile"))  # L3
    # the resident's own sign-in (实名账户), for the citizen portal; empty for most residents
    account = models.OneToOneField(
        User,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
    )

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return f"resident {self.pk}"
