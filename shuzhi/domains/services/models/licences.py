"""Electronic licences (电子证照) and the departments' e-seal keys (电子印章).

A licence's face (``fields``) and identity are signed with the issuing department's SM2 seal
(``shuzhi.platform.security.sm2``) over a canonical byte form; verification recomputes that form,
so changing any field breaks the signature. The status (valid / revoked / expired) is the
registry's, checked at verification time.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.security.fields import EncryptedManager, EncryptedTextField


class SealKey(models.Model):  # 电子印章密钥
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("seal name"), max_length=120)  # e.g. 衢州市市场监督管理局电子印章
    public_key_hex = models.CharField(_("public key"), max_length=128)
    private_key_hex = EncryptedTextField(_("private key"))  # SM4-encrypted at rest
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("e-seal key")
        verbose_name_plural = _("e-seal keys")
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(active=True),
                name="services_one_active_seal_per_department",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Licence(models.Model):  # 电子证照
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")  # 有效
        REVOKED = "revoked", _("Revoked")  # 已注销/吊销

    number = models.CharField(_("licence number"), max_length=40, unique=True)  # 证照编号
    licence_type = models.CharField(_("licence type"), max_length=40)  # e.g. food_operation
    title = models.CharField(_("title"), max_length=80)  # e.g. 食品经营许可证
    holder_name = models.CharField(_("holder"), max_length=120)
    # the holder: an enterprise's credit code, or a resident (token of the ID number)
    holder_credit_code = models.CharField(max_length=18, blank=True, db_index=True)
    holder_resident = models.ForeignKey(
        "services.Resident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fields = models.JSONField(_("licence face"), default=list)  # [[label, value], ...] in order
    issuer = models.ForeignKey(
        Department, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.VALID
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    seal = models.ForeignKey(SealKey, on_delete=models.PROTECT, related_name="licences")
    signature_hex = models.CharField(_("signature"), max_length=128)  # SM2 r || s
    part = models.OneToOneField(
        "services.ApplicationPart",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licence",
    )
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("e-licence")
        verbose_name_plural = _("e-licences")

    def __str__(self) -> str:
        return f"{self.title} {self.number}"
