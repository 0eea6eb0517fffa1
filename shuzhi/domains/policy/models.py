"""Policy documents (政策文件) with the metadata of government information disclosure (政务公开).

- ``Topic`` (主题分类): the two-level topic taxonomy of the national policy library, as data
  (``data/topics.json``); a document is filed under a second-level topic.
- ``Publisher`` (发布机构): the issuing organ, with the organisation code (组织机构代码, the
  18-character unified social credit code of a government organ) that starts every 索引号, and
  the department whose staff publish for it.
- ``PolicyDocument``: one document — 索引号 (``index_number``, ``{org_code}/{year}-{serial}``,
  generated and unique), 文号, dates, 组配分类 (``genre``), 有效性 (``validity``, kept up to date
  by the daily refresh from ``effective_until`` and the repeal/amend links), 公开方式
  (``disclosure``), the body as plain text with its outline (一、 (一) 1.), links to the
  documents it interprets (政策解读), amends and repeals, and the service items (政务服务事项)
  that implement it (codes of the service catalogue, resolved through the portal registry).
- ``Attachment`` (附件): files attached to a document.

Only documents disclosed proactively (主动公开) are public and indexed for search.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Department


class Topic(models.Model):  # 主题分类
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Publisher(models.Model):  # 发布机构
    name = models.CharField(_("name"), max_length=64, unique=True)  # e.g. 市人民政府
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    org_code = models.CharField(_("organisation code"), max_length=18)  # 组织机构代码
    department = models.ForeignKey(
        Department,
        verbose_name=_("publishing department"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("publisher")
        verbose_name_plural = _("publishers")

    def __str__(self) -> str:
        return self.name


class Genre(models.TextChoices):  # 组配分类
    GOVERNMENT = "government", _("Municipal government documents")  # 市政府文件
    GOVERNMENT_OFFICE = "office", _("Government office documents")  # 市政府办公室文件
    DEPARTMENT = "department", _("Department documents")  # 部门文件
    NORMATIVE = "normative", _("Normative documents")  # 规范性文件
    INTERPRETATION = "interpretation", _("Policy interpretations")  # 政策解读
    NOTICE = "notice", _("Notices and announcements")  # 通知公告
    PLAN = "plan", _("Plans")  # 规划计划


class Validity(models.TextChoices):  # 有效性
    VALID = "valid", _("In force (有效)")  # 有效
    EXPIRED = "expired", _("Expired (失效)")  # 失效
    REPEALED = "repealed", _("Repealed (废止)")  # 废止
    AMENDED = "amended", _("Amended (修订)")  # 修订


class Disclosure(models.TextChoices):  # 公开方式
    PROACTIVE = "proactive", _("Proactive disclosure")  # 主动公开
    ON_REQUEST = "on_request", _("Disclosure on request")  # 依申请公开
    NOT_DISCLOSED = "not_disclosed", _("Not disclosed")  # 不予公开


class PolicyDocument(models.Model):  # 政策文件
    index_number = models.CharField(_("index number"), max_length=48, unique=True)  # 索引号
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=400, blank=True)
    publisher = models.ForeignKey(
        Publisher, verbose_name=_("publisher"), on_delete=models.PROTECT, related_name="documents"
    )
    doc_number = models.CharField(_("document number"), max_length=64, blank=True)  # 文号
    written_on = models.DateField(_("date written"))  # 成文日期
    published_on = models.DateField(_("date published"))  # 发布日期
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="documents"
    )
    genre = models.CharField(_("category"), max_length=16, choices=Genre.choices)  # 组配分类
    validity = models.CharField(
        _("validity"), max_length=12, choices=Validity.choices, default=Validity.VALID
    )
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    disclosure = models.CharField(
        _("disclosure"), max_length=16, choices=Disclosure.choices, default=Disclosure.PROACTIVE
    )
    body = models.TextField(_("text"))  # plain text, one paragraph a line
    # [{"level": 1|2|3, "label": "一、", "title": "总体要求", "anchor": "s1", "line": 12}, …]
    outline = models.JSONField(_("outline"), default=list, blank=True)
    interprets = models.ForeignKey(  # 政策解读: this document explains ``interprets``
        "self",
        verbose_name=_("interprets"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interpretations",
    )
    amends = models.ManyToManyField(
        "self", verbose_name=_("amends"), symmetrical=False, blank=True, related_name="amended_by"
    )
    repeals = models.ManyToManyField(
        "self", verbose_name=_("repeals"), symmetrical=False, blank=True, related_name="repealed_by"
    )
    service_codes = models.JSONField(_("service items"), default=list, blank=True)  # 事项编码
    source = models.CharField(_("source"), max_length=260, blank=True)  # imported file name
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        indexes = [
            models.Index(fields=["doc_number"]),
            models.Index(fields=["published_on"]),
            models.Index(fields=["validity", "effective_until"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.disclosure == Disclosure.PROACTIVE


class Attachment(models.Model):  # 附件
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
