"""The enterprise registry (市场主体登记). Issue 7 adds the life cycle on top of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.security.fields import EncryptedManager, EncryptedTextField, TokenField


class Enterprise(models.Model):  # 市场主体
    class Kind(models.TextChoices):  # 企业类型
        LIMITED = "limited_company", _("Limited liability company")  # 有限责任公司
        JOINT_STOCK = "joint_stock_company", _("Joint-stock company")  # 股份有限公司
        INDIVIDUAL = "individual_business", _("Individual business")  # 个体工商户

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")  # 存续
        ABNORMAL = "abnormal", _("Listed as abnormal")  # 经营异常
        REVOKED = "revoked", _("Licence revoked")  # 吊销
        DEREGISTERED = "deregistered", _("Deregistered")  # 注销

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    enterprise_type = models.CharField(_("type"), max_length=64, choices=Kind.choices)
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


class CreditRun(models.Model):  # 信用风险分类批次
    """One classification of every registered enterprise from the warehouse's current data."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Started by a data steward")
        SCHEDULE = "schedule", _("Monthly schedule")
        PENALTY = "penalty", _("New administrative penalty")

    as_of = models.DateField(_("reference date"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    is_current = models.BooleanField(_("current"), default=False)
    started_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)
    weights = models.JSONField(_("weights"), default=dict)
    cuts = models.JSONField(_("cut scores"), default=list)
    report = models.JSONField(_("report"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("credit classification run")
        verbose_name_plural = _("credit classification runs")

    def __str__(self) -> str:
        return f"{self.as_of} #{self.pk}"


class CreditClass(models.Model):  # 企业信用风险分类结果
    class Grade(models.TextChoices):
        A = "A", _("A: low credit risk")  # 信用风险低
        B = "B", _("B: average credit risk")  # 信用风险一般
        C = "C", _("C: elevated credit risk")  # 信用风险较高
        D = "D", _("D: high credit risk")  # 信用风险高

    run = models.ForeignKey(CreditRun, on_delete=models.CASCADE, related_name="classes")
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    county_code = models.CharField(_("county"), max_length=6, blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True)
    score = models.FloatField(_("score"))
    credit_class = models.CharField(_("class"), max_length=1, choices=Grade.choices)
    indicators = models.JSONField(_("indicator points"), default=dict)
    explanation = models.JSONField(_("what drove the class"), default=list)

    class Meta:
        ordering = ["credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "credit_code"], name="market_class_once")
        ]
        indexes = [models.Index(fields=["run", "credit_class"])]
        verbose_name = _("credit class")
        verbose_name_plural = _("credit classes")

    def __str__(self) -> str:
        return f"{self.credit_code} {self.credit_class}"


# --- Life cycle (市场主体全生命周期) -------------------------------------------------------------


class EnterpriseEvent(models.Model):  # 市场主体登记事项
    """One event of an enterprise's life: the registry's history, newest first."""

    class Kind(models.TextChoices):
        ESTABLISHED = "established", _("Established")  # 设立登记
        CHANGED = "changed", _("Registration changed")  # 变更登记
        ANNUAL_REPORT = "annual_report", _("Annual report filed")  # 年度报告
        ABNORMAL_LISTED = "abnormal_listed", _("Listed as abnormal")  # 列入经营异常名录
        ABNORMAL_REMOVED = "abnormal_removed", _("Removed from the abnormal list")  # 移出
        NOTICE_STARTED = "notice_started", _("Simplified deregistration notice published")
        NOTICE_OBJECTED = "notice_objected", _("Objection to the deregistration notice")
        NOTICE_WITHDRAWN = "notice_withdrawn", _("Deregistration notice withdrawn")
        DEREGISTERED = "deregistered", _("Deregistered")  # 注销登记
        REVOKED = "revoked", _("Licence revoked")  # 吊销

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "kind"])]
        verbose_name = _("life-cycle event")
        verbose_name_plural = _("life-cycle events")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.occurred_on}"


class Deregistration(models.Model):  # 注销申请
    """An application to deregister: simplified (简易注销, public notice first) or ordinary."""

    class Procedure(models.TextChoices):
        SIMPLIFIED = "simplified", _("Simplified deregistration")  # 简易注销
        ORDINARY = "ordinary", _("Ordinary deregistration")  # 一般注销

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting decision")  # 待审查 (ordinary deregistration)
        NOTICE = "notice", _("On public notice")  # 公示中 (simplified deregistration)
        OBJECTED = "objected", _("Objected to")  # 有异议
        WITHDRAWN = "withdrawn", _("Withdrawn")  # 撤回
        REFUSED = "refused", _("Refused")  # 不予注销
        DEREGISTERED = "deregistered", _("Deregistered")  # 准予注销

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="deregistrations",
    )
    procedure = models.CharField(_("procedure"), max_length=16, choices=Procedure.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    reason = models.TextField(_("reason"), blank=True)
    notice_from = models.DateField(_("notice from"), null=True)
    notice_until = models.DateField(_("notice until"), null=True)
    applied_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("deregistration")
        verbose_name_plural = _("deregistrations")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.procedure} {self.state}"


class Objection(models.Model):  # 异议
    """An objection to a simplified deregistration, lodged by anyone during the notice."""

    deregistration = models.ForeignKey(
        Deregistration, on_delete=models.CASCADE, related_name="objections"
    )
    objector = models.CharField(_("objector"), max_length=200)
    contact = EncryptedTextField(_("contact"))  # L3: a person's phone or address
    reason = models.TextField(_("reason"))
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)

    objects = EncryptedManager()

    class Meta:
        ordering = ["lodged_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.deregistration_id} {self.objector}"


# --- Cases and lenient supervision (包容审慎监管) ------------------------------------------------


class LenientRule(models.Model):  # 轻微违法行为不予处罚等清单事项
    """One item of the published lists: no penalty, reduced penalty, no coercive measure."""

    class List(models.TextChoices):
        NO_PENALTY = "no_penalty", _("No penalty")  # 不予处罚
        REDUCED = "reduced", _("Reduced penalty")  # 减轻处罚
        NO_COERCION = "no_coercion", _("No coercive measure")  # 免予行政强制

    code = models.CharField(_("item number"), max_length=32, unique=True)
    list = models.CharField(_("list"), max_length=16, choices=List.choices)
    violation = models.CharField(_("violation"), max_length=64, db_index=True)
    description = models.TextField(_("description"))
    legal_basis = models.TextField(_("legal basis"))
    conditions = models.TextField(_("conditions"))
    first_violation_only = models.BooleanField(_("first violation only"), default=False)
    max_harm = models.CharField(_("highest harm allowed"), max_length=16, default="none")
    needs_correction = models.BooleanField(_("must be corrected in time"), default=True)
    active = models.BooleanField(_("in force"), default=True)

    class Meta:
        ordering = ["list", "code"]
        verbose_name = _("lenient-supervision rule")
        verbose_name_plural = _("lenient-supervision rules")

    def __str__(self) -> str:
        return self.code


class Case(models.Model):  # 行政执法案件
    """An administrative case against an enterprise, from intake to decision."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")  # 立案
        DECIDED = "decided", _("Decided")  # 已决定
        CLOSED = "closed", _("Closed")  # 结案

    class Harm(models.TextChoices):
        NONE = "none", _("No harmful consequence")  # 无危害后果
        MINOR = "minor", _("Minor harm")  # 危害后果轻微
        SERIOUS = "serious", _("Serious harm")  # 危害后果严重

    class Outcome(models.TextChoices):
        PENALTY = "penalty", _("Penalty")  # 处罚
        NO_PENALTY = "no_penalty", _("No penalty")  # 不予处罚
        REDUCED = "reduced", _("Reduced penalty")  # 减轻处罚
        NONE = "", _("Not decided")

    number = models.CharField(_("case number"), max_length=64, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    county_code = models.CharField(_("county"), max_length=6)
    violation = models.CharField(_("violation"), max_length=64)
    facts = models.TextField(_("facts"))
    occurred_on = models.DateField(_("occurred on"))
    harm = models.CharField(_("harm"), max_length=16, choices=Harm.choices, default=Harm.NONE)
    corrected = models.BooleanField(_("corrected in time"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    lenient_rule = models.ForeignKey(
        LenientRule,
        verbose_name=_("lenient rule that applies"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    first_violation = models.BooleanField(_("first violation"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    fine = models.DecimalField(_("fine (yuan)"), max_digits=14, decimal_places=2, default=0)
    fine_paid = models.BooleanField(_("fine paid"), default=False)
    decided_on = models.DateField(_("decided on"), null=True)
    opened_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number


class CreditRepair(models.Model):  # 信用修复申请
    class Kind(models.TextChoices):
        ABNORMAL = "abnormal", _("Removal from the abnormal-operation list")  # 移出经营异常名录
        PENALTY = "penalty", _("End of penalty publication")  # 行政处罚信息提前停止公示

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Repaired")
        REFUSED = "refused", _("Refused")

    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    kind = models.CharField(_("repair of"), max_length=16, choices=Kind.choices)
    reference = models.CharField(_("decision number or listing date"), max_length=64)
    special_field = models.BooleanField(_("food, drugs or special equipment"), default=False)
    published_on = models.DateField(_("published on"), null=True)
    eligible_from = models.DateField(_("eligible from"), null=True)
    statement = models.TextField(_("statement of correction"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    checked = models.JSONField(_("automatic check"), default=dict)
    applied_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-applied_at", "-pk"]
        constraints = [  # one open or granted application per kind and decision or listing
            models.UniqueConstraint(
                fields=["credit_code", "kind", "reference"],
                condition=models.Q(state__in=["submitted", "accepted"]),
                name="market_repair_once",
            )
        ]
        verbose_name = _("credit repair")
        verbose_name_plural = _("credit repairs")

    def __str__(self) -> str:
        return f"{self.credit_code} {self.kind} {self.state}"


# --- Random inspections (双随机一公开) -----------------------------------------------------------


class Inspector(models.Model):  # 执法检查人员名录库
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="market_inspector",
    )
    certificate = models.CharField(_("enforcement certificate number"), max_length=32, unique=True)
    fields = models.JSONField(_("qualified fields"), default=list)  # e.g. ["general", "food"]
    active = models.BooleanField(_("in the pool"), default=True)

    class Meta:
        ordering = ["certificate"]
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")

    def __str__(self) -> str:
        return self.certificate


class InspectorLink(models.Model):  # 回避关系
    """An inspector's declared link to an enterprise (kin, former employer, shareholding)."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="links")
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    relation = models.CharField(_("relation"), max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspector", "credit_code"], name="market_link_once")
        ]
        verbose_name = _("declared link")
        verbose_name_plural = _("declared links")

    def __str__(self) -> str:
        return f"{self.inspector_id} {self.credit_code}"


class InspectionPlan(models.Model):  # 双随机抽查计划
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DRAWN = "drawn", _("Drawn")  # 已抽取
        PUBLISHED = "published", _("Results published")  # 结果已公示

    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    county_code = models.CharField(_("county"), max_length=6, blank=True)  # "" the whole city
    field = models.CharField(_("field"), max_length=32, default="general")
    ratios = models.JSONField(_("ratios per class (percent)"), default=dict)
    inspectors_per_inspection = models.PositiveSmallIntegerField(
        _("inspectors per inspection"), default=2
    )
    seed = models.BigIntegerField(_("seed"), null=True)
    credit_run = models.ForeignKey(
        CreditRun, verbose_name=_("classes of run"), on_delete=models.PROTECT, null=True
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    due_on = models.DateField(_("due on"), null=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True)
    report = models.JSONField(_("draw report"), default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):  # 抽查检查事项
    class Result(models.TextChoices):
        PENDING = "pending", _("Not yet inspected")  # 未检查
        COMPLIANT = "compliant", _("No problem found")  # 未发现问题
        CORRECTED = "corrected", _("Problem found and corrected")  # 发现问题已责令改正
        VIOLATION = "violation", _("Violation found, case opened")  # 发现问题待后续处理
        NOT_FOUND = "not_found", _("Not found at its registered address")  # 未发现开展经营活动

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="inspections")
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    county_code = models.CharField(_("county"), max_length=6)
    credit_class = models.CharField(_("class"), max_length=1)
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("inspectors"))
    task = models.ForeignKey(
        "loop.Task", verbose_name=_("task"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    result = models.CharField(
        _("result"), max_length=16, choices=Result.choices, default=Result.PENDING
    )
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True)

    class Meta:
        ordering = ["plan", "credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "credit_code"], name="market_inspect_once")
        ]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.credit_code}"


# --- One code, four colours (一码四色) and the five-self checks (五自) ---------------------------


class EnterpriseCode(models.Model):  # 企业码
    enterprise = models.OneToOneField(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="code"
    )
    token = models.CharField(_("token"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise code")
        verbose_name_plural = _("enterprise codes")

    def __str__(self) -> str:
        return self.token


class SelfCheckItem(models.Model):  # 五自清单事项
    class Group(models.TextChoices):
        COMMIT = "commit", _("Self-commitment")  # 自我承诺
        INSPECT = "inspect", _("Self-inspection")  # 自我检查
        CORRECT = "correct", _("Self-correction")  # 自我整改
        REPORT = "report", _("Self-reporting")  # 自我报告
        DISCLOSE = "disclose", _("Self-disclosure")  # 自我公示

    code = models.CharField(_("code"), max_length=32, unique=True)
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    text = models.CharField(_("item"), max_length=300)
    text_en = models.CharField(_("item (English)"), max_length=300)
    industry_prefix = models.CharField(_("industries (GB/T 4754 prefix)"), max_length=5, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("self-check item")
        verbose_name_plural = _("self-check items")

    def __str__(self) -> str:
        return self.code


class SelfCheck(models.Model):  # 企业自查记录
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="self_checks")
    item = models.ForeignKey(SelfCheckItem, on_delete=models.PROTECT, related_name="+")
    confirmed = models.BooleanField(_("confirmed"))
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        "accounts.User", verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("self-check")
        verbose_name_plural = _("self-checks")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.item_id} {self.confirmed}"


# --- Traceability (追溯) ----------------------------------------------------------------------


class Batch(models.Model):  # 产品批次
    class Category(models.TextChoices):
        FOOD = "food", _("Food")  # 食品
        DRUG = "drug", _("Drug")  # 药品
        SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")  # 特种设备
        INDUSTRIAL = "industrial", _("Key industrial product")  # 重要工业产品

    code = models.CharField(_("batch code"), max_length=64, unique=True)
    product = models.CharField(_("product"), max_length=200)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    producer_code = models.CharField(_("producer"), max_length=18, db_index=True)
    produced_on = models.DateField(_("produced on"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16)
    recalled_at = models.DateTimeField(_("recalled at"), null=True)
    recall_reason = models.TextField(_("recall reason"), blank=True)
    recalled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recalled by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-produced_on", "code"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return self.code


class Movement(models.Model):  # 流向记录
    """A batch (or part of it) passing from one holder to the next."""

    class Role(models.TextChoices):
        DISTRIBUTOR = "distributor", _("Distributor")  # 经销商
        RETAILER = "retailer", _("Retailer")  # 零售商
        USER = "user", _("User")  # 使用单位

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="movements")
    from_code = models.CharField(_("from"), max_length=18, db_index=True)
    to_code = models.CharField(_("to"), max_length=18, db_index=True)
    to_role = models.CharField(_("receiver's role"), max_length=16, choices=Role.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    moved_on = models.DateField(_("moved on"))
    recall_task = models.ForeignKey(
        "loop.Task",
        verbose_name=_("recall task"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["moved_on", "pk"]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.from_code}→{self.to_code}"


# --- Intellectual property and quality (知识产权 · 质量) ----------------------------------------


class InfringementComplaint(models.Model):  # 侵权投诉
    class Right(models.TextChoices):
        PATENT = "patent", _("Patent")
        TRADEMARK = "trademark", _("Trademark")
        GEOGRAPHICAL = "geographical", _("Geographical indication")

    right = models.CharField(_("right"), max_length=16, choices=Right.choices)
    right_number = models.CharField(_("registration or patent number"), max_length=64)
    holder_name = models.CharField(_("right holder"), max_length=200)
    respondent_code = models.CharField(_("respondent's credit code"), max_length=18)
    respondent_name = models.CharField(_("respondent"), max_length=200)
    county_code = models.CharField(_("county"), max_length=6)
    description = models.TextField(_("what happened"))
    complainant = models.ForeignKey(
        "accounts.User",
        verbose_name=_("complainant"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    task = models.ForeignKey(
        "loop.Task", verbose_name=_("task"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lodged_at = models.DateTimeField(_("lodged at"), auto_now_add=True)

    class Meta:
        ordering = ["-lodged_at", "-pk"]
        verbose_name = _("infringement complaint")
        verbose_name_plural = _("infringement complaints")

    def __str__(self) -> str:
        return f"{self.right} {self.right_number}"
