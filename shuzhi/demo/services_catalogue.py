"""Demo service catalogue (政务服务事项目录) of Quzhou: material kinds, form facts, service items
across departments, the two 一件事 bundles (开办餐饮店, 企业简易注销), handling clerks of the
departments the items route to, and a few applications under way and done.

Idempotent: kinds, facts, items and bundles are updated in place by code; clerks are
``get_or_create``d; the demo applications are made once (skipped when the applicant has any).
``load_catalogue()`` alone (no users, no applications) is what the tests use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from shuzhi.domains.services.models import (
    Application,
    ApplicationPart,
    Bundle,
    BundleItem,
    FormFact,
    ItemFact,
    ItemMaterial,
    MaterialKind,
    ServiceItem,
)
from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.accounts.services import user_roles_set

from . import people

ON, HALL, BANK, MOBILE = "online", "hall", "bank", "mobile"
RESTAURANT = "餐饮店综合许可证"  # 一业一证: the restaurant industry comprehensive licence
ANY = ["pdf", "png", "jpeg"]

# code, name, English name, source, accepted kinds
MATERIALS: tuple[tuple[str, str, str, str, list[str]], ...] = (
    ("business_licence", "营业执照", "Business licence", "registry", ["pdf"]),
    ("id_card", "居民身份证", "Resident identity card", "identity", ["pdf", "png", "jpeg"]),
    (
        "food_operation_licence",
        "食品经营许可证",
        "Food-operation permit",
        "licence:food_operation",
        ["pdf"],
    ),
    ("food_safety_system", "食品安全管理制度", "Food-safety management rules", "", ["pdf"]),
    ("premises_layout", "经营场所平面布局图", "Floor plan of the premises", "", ANY),
    ("premises_photo", "经营场所照片", "Photo of the premises", "", ["png", "jpeg"]),
    ("signboard_design", "招牌设计效果图", "Signboard design drawing", "", ANY),
    ("fire_commitment", "消防安全告知承诺书", "Fire-safety commitment", "", ["pdf"]),
    ("fire_floor_plan", "消防设施平面图", "Plan of the fire-safety installations", "", ANY),
    ("investors_letter", "全体投资人承诺书", "All investors' commitment", "", ["pdf"]),
    ("articles", "公司章程", "Articles of association", "", ["pdf"]),
    ("separation_certificate", "解除劳动合同证明", "Certificate of separation", "", ANY),
    ("tech_report", "科技型中小企业评价材料", "Technology SME evaluation report", "", ["pdf"]),
)

# code, label, English label, kind, choices, source
FACTS: tuple[tuple[str, str, str, str, list[str], str], ...] = (
    ("enterprise_name", "企业名称", "Enterprise name", "text", [], "enterprise.name"),
    ("credit_code", "统一社会信用代码", "Credit code", "text", [], "enterprise.credit_code"),
    ("enterprise_type", "市场主体类型", "Entity type", "text", [], "enterprise.enterprise_type"),
    (
        "legal_representative",
        "法定代表人",
        "Legal representative",
        "text",
        [],
        "enterprise.legal_representative",
    ),
    ("registered_address", "住所", "Registered address", "text", [], "enterprise.address"),
    ("county", "所在区县", "County", "text", [], "enterprise.county|resident.county"),
    ("industry_code", "行业代码", "Industry code", "text", [], "enterprise.industry_code"),
    (
        "registered_capital",
        "注册资本（万元）",
        "Registered capital (10,000 yuan)",
        "number",
        [],
        "enterprise.registered_capital",
    ),
    ("established_on", "成立日期", "Date established", "date", [], "enterprise.established_on"),
    ("contact_mobile", "联系电话", "Contact mobile", "text", [], "enterprise.mobile"),
    ("applicant_name", "申请人姓名", "Applicant's name", "text", [], "resident.name"),
    ("id_number", "公民身份号码", "ID number", "text", [], "resident.id_number"),
    ("mobile", "手机号码", "Mobile number", "text", [], "resident.mobile"),
    ("home_address", "居住地址", "Home address", "text", [], "resident.address"),
    ("premises_address", "经营场所", "Premises address", "text", [], ""),
    (
        "business_format",
        "主体业态",
        "Type of business",
        "choice",
        ["餐饮服务经营者", "单位食堂", "食品销售经营者"],
        "",
    ),
    ("business_scope", "经营项目", "Business scope", "text", [], ""),
    ("premises_area", "经营面积（平方米）", "Premises area (m²)", "number", [], ""),
    ("signboard_text", "招牌文字", "Signboard text", "text", [], ""),
    ("signboard_size", "招牌尺寸（米）", "Signboard size (m)", "text", [], ""),
    ("signboard_location", "招牌设置位置", "Signboard location", "text", [], ""),
    ("seating_capacity", "容纳人数", "Capacity (people)", "number", [], ""),
    ("deregistration_reason", "注销原因", "Reason for deregistration", "text", [], ""),
    ("liquidation_done", "已完成清算", "Liquidation done", "boolean", [], ""),
    ("investors_commitment", "全体投资人承诺", "All investors commit", "boolean", [], ""),
    ("proposed_name", "拟设名称", "Proposed name", "text", [], ""),
    ("separation_date", "解除劳动合同日期", "Date of separation", "date", [], ""),
    (
        "invoice_kind",
        "发票种类",
        "Kind of invoice",
        "choice",
        ["增值税普通发票", "增值税专用发票"],
        "",
    ),
    ("information_requested", "所需信息内容", "Information requested", "text", [], ""),
    (
        "rd_expense",
        "上年度研发费用（万元）",
        "R&D spending last year (10,000 yuan)",
        "number",
        [],
        "",
    ),
)

CAT = "中华人民共和国行政许可法"
# code, name, English name, type, dept suffix, audience, basis, promised, statutory, conditions,
# fee, channels, cross-province, industry licence, licence type, preconditions, keywords,
# facts [(code, required)], materials [(code, required)]
ITEMS: tuple[dict[str, Any], ...] = (
    {
        "code": "330800-AMR-XK-001",
        "name": "营业执照信息核验",
        "name_en": "Verification of an existing business licence",
        "item_type": "confirmation",
        "dept": "AMR",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国市场主体登记管理条例》第二十一条",
        "time_limit_days": 1,
        "statutory_limit_days": 3,
        "conditions": "已依法登记且未注销的市场主体。",
        "channels": [ON, HALL, BANK],
        "cross_province": True,
        "industry_licence": RESTAURANT,
        "licence_type": "",
        "preconditions": ["enterprise_registered"],
        "keywords": "营业执照 核验 开办",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("legal_representative", True),
            ("premises_address", True),
        ],
        "materials": [("business_licence", True)],
    },
    {
        "code": "330800-AMR-XK-002",
        "name": "企业设立登记",
        "name_en": "Registration of a new enterprise",
        "item_type": "registration",
        "dept": "AMR",
        "audience": "both",
        "legal_basis": "《中华人民共和国市场主体登记管理条例》第八条、第十九条",
        "time_limit_days": 1,
        "statutory_limit_days": 3,
        "conditions": "名称、住所、经营范围等符合登记规定。",
        "channels": [ON, HALL, BANK, MOBILE],
        "cross_province": True,
        "licence_type": "business_licence",
        "keywords": "开办企业 设立 营业执照",
        "facts": [
            ("proposed_name", True),
            ("premises_address", True),
            ("business_scope", True),
            ("registered_capital", False),
        ],
        "materials": [("articles", True), ("id_card", True)],
    },
    {
        "code": "330800-AMR-XK-003",
        "name": "食品经营许可",
        "name_en": "Food-operation permit",
        "item_type": "licensing",
        "dept": "AMR",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "time_limit_days": 10,
        "statutory_limit_days": 20,
        "conditions": "具有与经营的食品品种、数量相适应的经营场所和食品安全管理制度。",
        "channels": [ON, HALL],
        "industry_licence": RESTAURANT,
        "licence_type": "food_operation",
        "preconditions": ["enterprise_registered", "no_valid_licence:food_operation"],
        "keywords": "食品 餐饮 许可 开饭店",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("legal_representative", True),
            ("premises_address", True),
            ("business_format", True),
            ("business_scope", True),
            ("premises_area", True),
        ],
        "materials": [
            ("business_licence", True),
            ("food_safety_system", True),
            ("premises_layout", True),
        ],
    },
    {
        "code": "330800-AMR-XK-004",
        "name": "食品经营许可变更",
        "name_en": "Change of a food-operation permit",
        "item_type": "licensing",
        "dept": "AMR",
        "audience": "enterprise",
        "legal_basis": "《食品经营许可和备案管理办法》第三十二条",
        "time_limit_days": 5,
        "statutory_limit_days": 10,
        "channels": [ON, HALL],
        "industry_licence": RESTAURANT,
        "preconditions": ["holds_licence:food_operation"],
        "keywords": "食品 变更",
        "facts": [("enterprise_name", True), ("business_scope", True)],
        "materials": [("food_operation_licence", True), ("premises_layout", False)],
    },
    {
        "code": "330800-AMR-DJ-005",
        "name": "企业简易注销登记",
        "name_en": "Simplified deregistration of an enterprise",
        "item_type": "registration",
        "dept": "AMR",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国市场主体登记管理条例》第三十三条",
        "time_limit_days": 3,
        "statutory_limit_days": 20,
        "conditions": "未发生债权债务或已将债权债务清偿完结，公示期20日内无异议。",
        "channels": [ON, HALL],
        "cross_province": True,
        "preconditions": ["enterprise_registered"],
        "keywords": "注销 简易注销 歇业",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("deregistration_reason", True),
            ("investors_commitment", True),
        ],
        "materials": [("business_licence", True), ("investors_letter", True)],
    },
    {
        "code": "330800-AMR-DJ-006",
        "name": "个体工商户设立登记",
        "name_en": "Registration of an individual business",
        "item_type": "registration",
        "dept": "AMR",
        "audience": "citizen",
        "legal_basis": "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》",
        "time_limit_days": 1,
        "statutory_limit_days": 3,
        "channels": [ON, HALL, BANK, MOBILE],
        "cross_province": True,
        "licence_type": "business_licence",
        "keywords": "个体户 开店",
        "facts": [
            ("applicant_name", True),
            ("id_number", True),
            ("mobile", True),
            ("premises_address", True),
            ("business_scope", True),
        ],
        "materials": [("id_card", True)],
    },
    {
        "code": "330800-UMB-XK-001",
        "name": "户外招牌设置",
        "name_en": "Outdoor signboard setting",
        "item_type": "licensing",
        "dept": "UMB",
        "audience": "enterprise",
        "legal_basis": "《城市市容和环境卫生管理条例》第十一条；《浙江省城市市容和环境卫生管理条例》",
        "time_limit_days": 5,
        "statutory_limit_days": 20,
        "conditions": "招牌设置符合户外广告和招牌设置规划。",
        "channels": [ON, HALL],
        "industry_licence": RESTAURANT,
        "licence_type": "signboard",
        "keywords": "招牌 门头 广告",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("premises_address", True),
            ("signboard_text", True),
            ("signboard_size", True),
            ("signboard_location", True),
        ],
        "materials": [("business_licence", True), ("signboard_design", True)],
    },
    {
        "code": "330800-FIRE-XK-001",
        "name": "公众聚集场所投入使用营业前消防安全检查",
        "name_en": "Pre-opening fire-safety inspection of a public gathering place",
        "item_type": "licensing",
        "dept": "FIRE",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国消防法》第十五条",
        "time_limit_days": 10,
        "statutory_limit_days": 10,
        "conditions": "场所消防设施符合国家工程建设消防技术标准。",
        "channels": [ON, HALL],
        "industry_licence": RESTAURANT,
        "licence_type": "fire_safety",
        "keywords": "消防 检查 营业前",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("premises_address", True),
            ("premises_area", True),
            ("seating_capacity", True),
        ],
        "materials": [("fire_commitment", True), ("fire_floor_plan", True)],
    },
    {
        "code": "330800-TOB-XK-001",
        "name": "烟草专卖零售许可",
        "name_en": "Tobacco retail licence",
        "item_type": "licensing",
        "dept": "TOB",
        "audience": "both",
        "legal_basis": "《中华人民共和国烟草专卖法》第十六条",
        "time_limit_days": 10,
        "statutory_limit_days": 20,
        "channels": [ON, HALL],
        "industry_licence": RESTAURANT,
        "licence_type": "tobacco_retail",
        "preconditions": ["no_valid_licence:tobacco_retail"],
        "keywords": "烟草 零售 卷烟",
        "facts": [
            ("enterprise_name", False),
            ("legal_representative", False),
            ("premises_address", True),
        ],
        "materials": [("business_licence", False), ("premises_photo", True)],
    },
    {
        "code": "330800-TAX-QR-001",
        "name": "清税申报（税务注销）",
        "name_en": "Tax clearance for deregistration",
        "item_type": "confirmation",
        "dept": "TAX",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国税收征收管理法》第十六条",
        "time_limit_days": 1,
        "statutory_limit_days": 20,
        "channels": [ON, HALL],
        "cross_province": True,
        "keywords": "清税 税务注销",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("deregistration_reason", True),
            ("liquidation_done", True),
        ],
        "materials": [("business_licence", True)],
    },
    {
        "code": "330800-TAX-FW-002",
        "name": "发票申领",
        "name_en": "Invoice issuance",
        "item_type": "public_service",
        "dept": "TAX",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国发票管理办法》第十五条",
        "time_limit_days": 1,
        "channels": [ON, HALL, MOBILE],
        "cross_province": True,
        "keywords": "发票 领用",
        "facts": [("enterprise_name", True), ("credit_code", True), ("invoice_kind", True)],
        "materials": [],
    },
    {
        "code": "330800-HRS-DJ-001",
        "name": "社会保险登记注销",
        "name_en": "Deregistration from social insurance",
        "item_type": "registration",
        "dept": "HRS",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国社会保险法》第五十七条",
        "time_limit_days": 3,
        "statutory_limit_days": 15,
        "channels": [ON, HALL],
        "keywords": "社保 注销",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("deregistration_reason", True),
        ],
        "materials": [("business_licence", True)],
    },
    {
        "code": "330800-HRS-GF-002",
        "name": "失业保险金申领",
        "name_en": "Unemployment benefit",
        "item_type": "payment",
        "dept": "HRS",
        "audience": "citizen",
        "legal_basis": "《中华人民共和国社会保险法》第四十五条；《失业保险条例》",
        "time_limit_days": 5,
        "statutory_limit_days": 10,
        "channels": [ON, HALL, BANK, MOBILE],
        "cross_province": True,
        "keywords": "失业金 失业保险",
        "facts": [
            ("applicant_name", True),
            ("id_number", True),
            ("mobile", True),
            ("home_address", False),
            ("separation_date", True),
        ],
        "materials": [("id_card", True), ("separation_certificate", True)],
    },
    {
        "code": "330800-HRS-FW-003",
        "name": "社会保障卡申领",
        "name_en": "Social security card",
        "item_type": "public_service",
        "dept": "HRS",
        "audience": "citizen",
        "legal_basis": "《社会保障卡管理办法》",
        "time_limit_days": 10,
        "channels": [ON, HALL, BANK],
        "cross_province": True,
        "keywords": "社保卡 市民卡",
        "facts": [("applicant_name", True), ("id_number", True), ("mobile", True)],
        "materials": [("id_card", True)],
    },
    {
        "code": "330800-CAB-GF-001",
        "name": "高龄津贴申领",
        "name_en": "Elderly allowance",
        "item_type": "payment",
        "dept": "CAB",
        "audience": "citizen",
        "legal_basis": "《浙江省高龄津贴制度实施办法》",
        "time_limit_days": 10,
        "channels": [ON, HALL, BANK],
        "keywords": "高龄 老人 津贴",
        "facts": [("applicant_name", True), ("id_number", True), ("home_address", True)],
        "materials": [("id_card", True)],
    },
    {
        "code": "330800-CAB-GF-002",
        "name": "残疾人两项补贴申领",
        "name_en": "Two disability subsidies",
        "item_type": "payment",
        "dept": "CAB",
        "audience": "citizen",
        "legal_basis": "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》",
        "time_limit_days": 15,
        "channels": [ON, HALL],
        "cross_province": True,
        "keywords": "残疾 补贴",
        "facts": [("applicant_name", True), ("id_number", True), ("mobile", True)],
        "materials": [("id_card", True)],
    },
    {
        "code": "330800-SCI-QR-001",
        "name": "科技型中小企业评价",
        "name_en": "Technology-based SME evaluation",
        "item_type": "confirmation",
        "dept": "SCI",
        "audience": "enterprise",
        "legal_basis": "《科技型中小企业评价办法》",
        "time_limit_days": 15,
        "channels": [ON],
        "keywords": "科技型 中小企业 评价",
        "facts": [
            ("enterprise_name", True),
            ("credit_code", True),
            ("industry_code", True),
            ("rd_expense", True),
        ],
        "materials": [("tech_report", True)],
    },
    {
        "code": "330800-GOV-FW-001",
        "name": "政府信息公开申请",
        "name_en": "Request for government information",
        "item_type": "public_service",
        "dept": "GOV",
        "audience": "both",
        "legal_basis": "《中华人民共和国政府信息公开条例》第二十七条",
        "time_limit_days": 20,
        "statutory_limit_days": 20,
        "channels": [ON, HALL],
        "keywords": "信息公开 依申请",
        "facts": [("information_requested", True)],
        "materials": [],
    },
)

BUNDLES: tuple[dict[str, Any], ...] = (
    {
        "code": "YJS-KBCYD",
        "name": "开办餐饮店一件事",
        "name_en": "Opening a restaurant",
        "description": "一张表单申请营业执照核验、食品经营许可、户外招牌设置和公众聚集场所营业前消防安全检查，"
        "可选烟草专卖零售许可；各部门并联办理。",
        "audience": "enterprise",
        "items": [
            ("330800-AMR-XK-001", False),
            ("330800-AMR-XK-003", False),
            ("330800-UMB-XK-001", False),
            ("330800-FIRE-XK-001", False),
            ("330800-TOB-XK-001", True),
        ],
    },
    {
        "code": "YJS-QYJYZX",
        "name": "企业简易注销一件事",
        "name_en": "Simplified deregistration of an enterprise",
        "description": "一张表单办理企业简易注销登记、清税和社会保险登记注销；市场监管、税务、人社并联办理。",
        "audience": "enterprise",
        "items": [
            ("330800-AMR-DJ-005", False),
            ("330800-TAX-QR-001", False),
            ("330800-HRS-DJ-001", False),
        ],
    },
)

# handling clerks of the departments the items route to (the demo has one for AMR already)
CLERKS: tuple[tuple[str, str, str], ...] = (
    ("umb_clerk", "综合执法业务员", "330800-UMB"),
    ("fire_clerk", "消防业务员", "330800-FIRE"),
    ("tob_clerk", "烟草专卖业务员", "330800-TOB"),
    ("tax_clerk", "税务业务员", "330800-TAX"),
    ("hrs_clerk", "人社业务员", "330800-HRS"),
    ("cab_clerk", "民政业务员", "330800-CAB"),
    ("sci_clerk", "科技业务员", "330800-SCI"),
    ("gov_clerk", "政务服务业务员", "330800-GOV"),
)

# minimal files of each kind, for the demo's uploads
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@transaction.atomic
def load_catalogue(*, city: str = "330800") -> dict[str, int]:
    """Material kinds, facts, items and bundles, updated in place by code."""
    kinds = {}
    for code, name, name_en, source, accepted in MATERIALS:
        kinds[code], _ = MaterialKind.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "source": source, "accepted": accepted},
        )
    facts = {}
    for code, label, label_en, kind, choices, source in FACTS:
        facts[code], _ = FormFact.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "label_en": label_en,
                "kind": kind,
                "choices": choices,
                "source": source,
            },
        )
    departments = {d.code: d for d in Department.objects.filter(code__startswith=f"{city}-")}
    items = {}
    for spec in ITEMS:
        department = departments.get(f"{city}-{spec['dept']}")
        if department is None:
            continue
        item, _ = ServiceItem.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_en": spec["name_en"],
                "item_type": spec["item_type"],
                "department": department,
                "audience": spec["audience"],
                "legal_basis": spec["legal_basis"],
                "time_limit_days": spec["time_limit_days"],
                "statutory_limit_days": spec.get("statutory_limit_days"),
                "conditions": spec.get("conditions", ""),
                "fee": Decimal("0"),
                "fee_note": "不收费",
                "channels": spec["channels"],
                "cross_province": spec.get("cross_province", False),
                "industry_licence": spec.get("industry_licence", ""),
                "licence_type": spec.get("licence_type", ""),
                "preconditions": spec.get("preconditions", []),
                "keywords": spec.get("keywords", ""),
                "status": ServiceItem.Status.PUBLISHED,
            },
        )
        ItemFact.objects.filter(item=item).delete()
        ItemFact.objects.bulk_create(
            [
                ItemFact(item=item, fact=facts[code], required=required, position=i)
                for i, (code, required) in enumerate(spec["facts"])
            ]
        )
        ItemMaterial.objects.filter(item=item).delete()
        ItemMaterial.objects.bulk_create(
            [
                ItemMaterial(item=item, kind=kinds[code], required=required)
                for code, required in spec["materials"]
            ]
        )
        items[item.code] = item
    lead = departments.get(f"{city}-GOV")
    bundles = 0
    for spec in BUNDLES:
        if lead is None or any(code not in items for code, _ in spec["items"]):
            continue
        bundle, _ = Bundle.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_en": spec["name_en"],
                "description": spec["description"],
                "audience": spec["audience"],
                "lead_department": lead,
            },
        )
        BundleItem.objects.filter(bundle=bundle).exclude(
            item__code__in=[c for c, _ in spec["items"]]
        ).delete()
        for position, (code, optional) in enumerate(spec["items"]):
            BundleItem.objects.update_or_create(
                bundle=bundle,
                item=items[code],
                defaults={"optional": optional, "position": position},
            )
        bundles += 1
    return {"materials": len(kinds), "facts": len(facts), "items": len(items), "bundles": bundles}


def _clerks() -> dict[str, User]:
    found = {}
    for username, name, code in CLERKS:
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": name,
                "department": department,
                "division": department.division,
            },
        )
        if created:
            user.set_password(people.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user_roles_set(user=user, roles=["clerk"], by=None)
        found[code.rsplit("-", 1)[-1]] = user
    clerk = User.objects.filter(username="clerk").first()
    if clerk is not None:
        found["AMR"] = clerk
    return found


def _files(item_codes: list[str]) -> dict[str, SimpleUploadedFile]:
    """A made-up file for every uploaded material of the items (PNG where PDF is not taken)."""
    out: dict[str, SimpleUploadedFile] = {}
    for entry in ItemMaterial.objects.filter(item__code__in=item_codes).select_related("kind"):
        kind = entry.kind
        if kind.source or kind.code in out:
            continue
        if "pdf" in (kind.accepted or ["pdf"]):
            out[kind.code] = SimpleUploadedFile(f"{kind.code}.pdf", PDF, "application/pdf")
        else:
            out[kind.code] = SimpleUploadedFile(f"{kind.code}.png", PNG, "image/png")
    return out


RESTAURANT_FACTS = {
    "premises_address": "衢州市柯城区荷花街道荷花中路88号1层",
    "business_format": "餐饮服务经营者",
    "business_scope": "热食类食品制售；冷食类食品制售",
    "premises_area": "120",
    "signboard_text": "衢州味道小馆",
    "signboard_size": "6×1.2",
    "signboard_location": "店面正上方",
    "seating_capacity": "60",
    "enterprise_name": "衢州味道餐饮有限公司",
    "legal_representative": "张三",
}


def _demo_applications(stdout: Any) -> None:
    from shuzhi.domains.services.services.applications import (
        ApplicationRefused,
        application_submit,
        part_decide,
    )

    enterprise = User.objects.filter(username="enterprise").first()
    clerks = _clerks()
    stdout.write(f"  handling clerks: {', '.join(sorted(u.username for u in clerks.values()))}")
    if enterprise is None or not enterprise.credit_code:
        stdout.write("  demo applications skipped: the enterprise user has no credit code yet")
        return
    if Application.objects.filter(applicant=enterprise).exists():
        stdout.write("  demo applications already made")
        return
    made = []
    try:
        restaurant = Bundle.objects.get(code="YJS-KBCYD")
        item_codes = [e.item.code for e in restaurant.entries.select_related("item")]
        made.append(
            application_submit(
                by=enterprise,
                bundle=restaurant,
                facts={**RESTAURANT_FACTS, "credit_code": enterprise.credit_code},
                files=_files(item_codes),
                optional_items=["330800-TOB-XK-001"],
            )
        )
        invoice = ServiceItem.objects.get(code="330800-TAX-FW-002")
        done = application_submit(
            by=enterprise, item=invoice, facts={"invoice_kind": "增值税普通发票"}, files={}
        )
        made.append(done)
        tax = clerks.get("TAX")
        if tax is not None:
            for part in ApplicationPart.objects.filter(application=done):
                part_decide(part=part, by=tax, grant=True, opinion="准予领用增值税普通发票。")
        gov = ServiceItem.objects.get(code="330800-GOV-FW-001")
        refused = application_submit(
            by=enterprise,
            item=gov,
            facts={"information_requested": "本企业所在地块规划信息"},
            files={},
        )
        made.append(refused)
        gov_clerk = clerks.get("GOV")
        if gov_clerk is not None:
            for part in ApplicationPart.objects.filter(application=refused):
                part_decide(
                    part=part,
                    by=gov_clerk,
                    grant=False,
                    opinion="所申请信息属于其他行政机关制作，请向市自然资源和规划局申请。",
                )
    except ApplicationRefused as refusal:
        stdout.write(f"  a demo application was refused: {refusal.message}")
    for application in made:
        application.refresh_from_db()
        stdout.write(f"  application {application.number}: {application.state}")


def load(*, stdout: Any) -> None:
    counts = load_catalogue()
    stdout.write(
        "  {materials} material kinds, {facts} form facts, {items} service items, "
        "{bundles} 一件事 bundles".format(**counts)
    )
    _demo_applications(stdout)
