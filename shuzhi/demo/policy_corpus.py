"""Generated policy documents (政策文件) in the style of real Quzhou notices: plain data, no ORM.

``generate(n, seed)`` yields ``n`` documents deterministically (``random.Random(seed)``), in
the order they were published (2018-01 to 2026-11): titles like
衢州市人民政府办公室关于印发《…实施方案》的通知, 关于开展…的通知, …管理办法 and 政策解读 of an
earlier document; bodies of 1–4 KB with the outline of a real notice (一、 / （一） / 1.), made of
the vocabulary of government terms (一网通办, 免申即享, 碳账户, …) so that search means
something; spread over the topics of the national policy library (主题分类), fourteen publishers
(发布机构) and nine years. A share of them are interpretations (政策解读) linked to the document
they explain, a share amend (修订) or repeal (废止) an earlier document of the same subject (which
is then marked amended or repealed), normative documents (规范性文件) run for two or five years
and have expired (失效) when that time has passed by the reference date, and documents of some
topics name the demo service items (政务服务事项) that implement them.

The demo (``shuzhi.demo.policy``) creates a few hundred of them through the library's services;
the search benchmark (``benchmarks.search``) indexes 100,000 — the generator makes about 10,000
a second. Links between documents are by ``key`` (the position in the sequence); every link
points backwards, to a document already yielded.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

# the day the generated library is "as of": what ended before it has expired
REFERENCE_DATE = date(2026, 11, 20)
FIRST_DATE = date(2018, 1, 8)

# 组配分类 and 有效性 / 公开方式 values (the models' choices, kept as plain strings here)
GOVERNMENT, OFFICE, DEPARTMENT, NORMATIVE = "government", "office", "department", "normative"
INTERPRETATION, NOTICE, PLAN = "interpretation", "notice", "plan"
VALID, EXPIRED, REPEALED, AMENDED = "valid", "expired", "repealed", "amended"
PROACTIVE, ON_REQUEST, NOT_DISCLOSED = "proactive", "on_request", "not_disclosed"


@dataclass(frozen=True)
class PublisherSpec:  # 发布机构
    name: str  # the short name, as in the metadata block (发布机构: 市人民政府)
    full_name: str  # as at the head of a title
    name_en: str
    org_code: str  # 组织机构代码 (18-character unified code of the organ; the last one checks)
    department: str  # code of the publishing department (demo departments)
    prefix: str  # 文号 prefix: 衢政发〔2022〕16号
    topics: tuple[str, ...]  # the second-level topics it writes on; () = every topic
    weight: int  # how often it publishes, relatively


PUBLISHERS: tuple[PublisherSpec, ...] = (
    PublisherSpec(
        "市人民政府", "衢州市人民政府", "Quzhou Municipal People's Government",
        "11330800002618015K", "330800-GOV", "衢政发", (), 10,
    ),
    PublisherSpec(
        "市政府办公室", "衢州市人民政府办公室", "General Office of the Quzhou Municipal Government",
        "11330800002618023E", "330800-GOV", "衢政办发", (), 16,
    ),
    PublisherSpec(
        "市发改委", "衢州市发展和改革委员会", "Quzhou Development and Reform Commission",
        "113308000026180319", "330800-DRC", "衢发改", ("0201", "0405", "0705", "0903"), 7,
    ),
    PublisherSpec(
        "市经信局", "衢州市经济和信息化局", "Quzhou Economy and Information Technology Bureau",
        "11330800MB19573645", "330800-EIB", "衢经信", ("0601", "0602", "0405"), 7,
    ),
    PublisherSpec(
        "市市场监管局", "衢州市市场监督管理局", "Quzhou Administration for Market Regulation",
        "11330800MB1962508A", "330800-AMR", "衢市监", ("0801", "0803", "0804"), 8,
    ),
    PublisherSpec(
        "市生态环境局", "衢州市生态环境局", "Quzhou Ecology and Environment Bureau",
        "11330800MB1966117E", "330800-EEB", "衢环", ("0903",), 5,
    ),
    PublisherSpec(
        "市财政局", "衢州市财政局", "Quzhou Finance Bureau",
        "113308000026180581", "330800-FIN", "衢财", ("0301", "0206", "0303"), 6,
    ),
    PublisherSpec(
        "市人力社保局", "衢州市人力资源和社会保障局", "Quzhou Human Resources and Social Security Bureau",
        "11330800002618066U", "330800-HRS", "衢人社", ("1401", "1402"), 7,
    ),
    PublisherSpec(
        "市民政局", "衢州市民政局", "Quzhou Civil Affairs Bureau",
        "11330800002618074N", "330800-CAB", "衢民", ("1601", "1402"), 5,
    ),
    PublisherSpec(
        "市大数据局", "衢州市大数据发展管理局", "Quzhou Big Data Bureau",
        "11330800MB1956767X", "330800-BDB", "衢数据", ("0102", "0101"), 6,
    ),
    PublisherSpec(
        "国家税务总局衢州市税务局", "国家税务总局衢州市税务局", "Quzhou Tax Service, State Taxation Administration",
        "11330800MB0C12842P", "330800-TAX", "衢税发", ("0302",), 4,
    ),
    PublisherSpec(
        "市科技局", "衢州市科学技术局", "Quzhou Science and Technology Bureau",
        "11330800002618082H", "330800-SCI", "衢科", ("1001", "0602"), 4,
    ),
    PublisherSpec(
        "柯城区人民政府", "衢州市柯城区人民政府", "Kecheng District People's Government",
        "11330802002595031U", "330802-GOV", "柯政发", (), 4,
    ),
    PublisherSpec(
        "江山市人民政府", "江山市人民政府", "Jiangshan Municipal People's Government",
        "113308810026130183", "330881-GOV", "江政发", (), 4,
    ),
)  # fmt: skip
BY_NAME = {p.name: p for p in PUBLISHERS}


@dataclass(frozen=True)
class TopicSpec:  # 主题分类 (a second-level topic and its parent)
    code: str
    name: str
    parent_code: str
    parent_name: str
    subjects: tuple[str, ...]  # what documents of the topic are about (title material)
    terms: tuple[str, ...]  # words their bodies use
    services: tuple[str, ...] = ()  # demo service items (政务服务事项) implementing such policies


# Codes and names as in the library's taxonomy (shuzhi/domains/policy/data/topics.json).
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        "0102", "电子政务", "01", "综合政务",
        ("数字政府建设", "一网通办改革", "掌上办事掌上办公", "政务服务2.0建设", "浙政钉推广应用",
         "公共数据平台建设", "数字化改革", "城市大脑建设"),
        ("数字政府", "数字化政府", "一网通办", "掌上办事", "掌上办公", "掌上治理", "浙里办", "浙政钉",
         "公共数据平台", "数据共享", "城市大脑", "整体智治", "一件事", "最多跑一次", "跨省通办"),
        ("330800-GOV-FW-001",),
    ),
    TopicSpec(
        "0101", "政务公开", "01", "综合政务",
        ("政务公开", "政府信息公开", "基层政务公开标准化规范化", "政策解读回应"),
        ("政务公开", "政府信息公开", "主动公开", "依申请公开", "政策解读", "政府网站", "政务新媒体",
         "公开目录", "一网通办"),
        ("330800-GOV-FW-001",),
    ),
    TopicSpec(
        "0104", "应急管理", "01", "综合政务",
        ("突发事件应急预案", "防汛防台抗旱", "应急管理体系建设", "基层应急能力提升"),
        ("应急预案", "应急响应", "防汛防台", "风险隐患", "基层智治", "网格化管理", "应急物资",
         "值班值守", "掌上治理"),
    ),
    TopicSpec(
        "0201", "发展规划", "02", "国民经济管理、国有资产监管",
        ("国民经济和社会发展规划", "四省边际中心城市建设", "共同富裕示范区建设", "重大项目攻坚"),
        ("高质量发展", "共同富裕", "四省边际", "重大项目", "营商环境", "有效投资", "争先创优",
         "比晾晒", "山海协作"),
    ),
    TopicSpec(
        "0206", "国有资产监管", "02", "国民经济管理、国有资产监管",
        ("市属国有企业改革", "国有资产管理", "国有企业投资监督管理"),
        ("国有资产", "国有企业", "混合所有制", "资产负债", "投资监管", "保值增值", "数字化监管"),
    ),
    TopicSpec(
        "0301", "财政", "03", "财政、金融、审计",
        ("财政专项资金管理", "预算绩效管理", "政府采购", "惠企政策直达"),
        ("财政资金", "专项资金", "预算绩效", "政府采购", "惠企政策", "免申即享", "直达快享",
         "资金拨付", "绩效评价"),
    ),
    TopicSpec(
        "0302", "税务", "03", "财政、金融、审计",
        ("税费优惠政策落实", "非税收入征管", "纳税服务", "首违不罚清单管理"),
        ("税费优惠", "减税降费", "首违不罚", "非接触式办税", "电子发票", "纳税信用", "留抵退税",
         "跨省通办"),
        ("330800-TAX-QR-001", "330800-TAX-FW-002"),
    ),
    TopicSpec(
        "0303", "金融", "03", "财政、金融、审计",
        ("绿色金融改革创新", "碳账户金融", "普惠金融服务", "企业上市培育"),
        ("绿色金融", "碳账户", "碳效贷", "普惠金融", "融资担保", "信贷投放", "金融风险",
         "碳达峰碳中和"),
    ),
    TopicSpec(
        "0405", "能源", "04", "国土资源、能源",
        ("能源消费总量和强度双控", "节能降碳", "可再生能源发展", "碳达峰行动"),
        ("能耗双控", "节能降碳", "碳达峰碳中和", "碳排放", "碳账户", "光伏", "绿色低碳",
         "能效提升"),
    ),
    TopicSpec(
        "0601", "工业", "06", "工业、交通",
        ("工业强市建设", "制造业高质量发展", "专精特新企业培育", "亩均效益综合评价"),
        ("工业强市", "专精特新", "亩均效益", "技术改造", "链长制", "数字化车间", "未来工厂",
         "碳账户"),
    ),
    TopicSpec(
        "0602", "信息产业（含电信）", "06", "工业、交通",
        ("数字经济发展", "5G网络建设", "软件和信息服务业发展", "工业互联网"),
        ("数字经济", "5G", "工业互联网", "数字产业化", "产业数字化", "算力", "大数据",
         "信息技术"),
    ),
    TopicSpec(
        "0705", "服务业", "07", "商贸、海关、旅游",
        ("现代服务业发展", "消费提振", "夜间经济"),
        ("现代服务业", "消费券", "夜间经济", "商贸流通", "电子商务", "服务业集聚区"),
    ),
    TopicSpec(
        "0704", "旅游", "07", "商贸、海关、旅游",
        ("全域旅游", "文旅融合发展", "南孔圣地衢州有礼品牌建设"),
        ("全域旅游", "文旅融合", "衢州有礼", "景区", "乡村旅游", "旅游民宿", "大花园"),
    ),
    TopicSpec(
        "0801", "市场监管", "08", "市场监管、安全生产监管",
        ("市场主体登记管理", "信用风险分类监管", "双随机一公开监管", "包容审慎监管"),
        ("市场主体", "证照分离", "信用监管", "双随机一公开", "一码四色", "互联网+监管",
         "包容审慎监管", "首违不罚", "简易注销"),
        ("330800-AMR-XK-001", "330800-AMR-DJ-005", "330800-AMR-DJ-006"),
    ),
    TopicSpec(
        "0803", "食品药品监管", "08", "市场监管、安全生产监管",
        ("食品安全", "餐饮服务食品安全提升", "药品安全监管"),
        ("食品安全", "阳光厨房", "一业一证", "食品经营许可", "追溯体系", "抽检监测", "餐饮服务"),
        ("330800-AMR-XK-003", "330800-AMR-XK-004"),
    ),
    TopicSpec(
        "0804", "安全生产监管", "08", "市场监管、安全生产监管",
        ("安全生产专项整治", "消防安全", "特种设备安全监管"),
        ("安全生产", "隐患排查", "消防安全", "特种设备", "风险防控", "闭环管理"),
        ("330800-FIRE-XK-001",),
    ),
    TopicSpec(
        "0903", "环境监测、保护与治理", "09", "城乡建设、环境保护",
        ("生态环境保护", "五水共治", "大气污染防治", "生活垃圾分类"),
        ("生态环境", "五水共治", "河长制", "大气污染防治", "垃圾分类", "碳排放", "大花园",
         "生态文明"),
    ),
    TopicSpec(
        "0902", "城乡建设（含住房）", "09", "城乡建设、环境保护",
        ("未来社区建设", "城镇老旧小区改造", "住房保障"),
        ("未来社区", "老旧小区改造", "住房保障", "城市更新", "共同富裕", "15分钟公共服务圈"),
    ),
    TopicSpec(
        "1001", "科技", "10", "科技、教育",
        ("科技创新", "科技型中小企业培育", "高新技术企业培育", "人才科创"),
        ("科技创新", "科技型中小企业", "高新技术企业", "研发投入", "创新券", "人才科创",
         "免申即享"),
        ("330800-SCI-QR-001",),
    ),
    TopicSpec(
        "1002", "教育", "10", "科技、教育",
        ("义务教育优质均衡", "学前教育", "职业教育产教融合"),
        ("义务教育", "学前教育", "教共体", "产教融合", "双减", "15分钟公共服务圈"),
    ),
    TopicSpec(
        "1201", "卫生", "12", "卫生、体育",
        ("县域医共体建设", "基层医疗卫生服务", "健康衢州建设"),
        ("医共体", "基层医疗", "家庭医生", "健康衢州", "医保", "智慧医疗", "掌上办事"),
    ),
    TopicSpec(
        "1401", "劳动就业", "14", "劳动、人事、监察",
        ("稳就业", "高校毕业生就业创业", "职业技能提升"),
        ("稳岗返还", "就业补贴", "创业担保贷款", "职业技能", "高校毕业生", "免申即享", "直达快享"),
        ("330800-HRS-GF-002", "330800-HRS-DJ-001"),
    ),
    TopicSpec(
        "1402", "社会保障", "14", "劳动、人事、监察",
        ("社会保险", "养老服务体系建设", "城乡居民基本养老保险"),
        ("社会保险", "养老保险", "失业保险", "社保卡", "养老服务", "高龄津贴", "民生直达"),
        ("330800-HRS-FW-003", "330800-HRS-GF-002", "330800-CAB-GF-001"),
    ),
    TopicSpec(
        "1601", "社会福利", "16", "民政、扶贫、救灾",
        ("高龄津贴发放", "残疾人两项补贴", "社会救助", "最低生活保障"),
        ("高龄津贴", "残疾人两项补贴", "社会救助", "最低生活保障", "免申即享", "民生直达",
         "困难群众", "居家养老"),
        ("330800-CAB-GF-001", "330800-CAB-GF-002"),
    ),
)  # fmt: skip
TOPIC_BY_CODE = {t.code: t for t in TOPICS}

# words of every kind of notice: the government-terms dictionary in use
GENERAL_TERMS: tuple[str, ...] = (
    "数字化改革", "一网通办", "碳账户", "掌上办事", "一件事", "最多跑一次",
    "数字政府", "浙里办", "浙政钉", "跨省通办", "营商环境", "共同富裕", "高质量发展", "放管服",
    "闭环管理", "整体智治", "争先创优", "四省边际",
)  # fmt: skip
AIMS = (
    "推动{a}提质增效",
    "加快{a}",
    "全面深化{a}",
    "进一步优化{a}",
    "持续推进{a}",
    "高水平推进{a}",
)
VERBS = ("推进", "深化", "落实", "完善", "健全", "强化", "优化", "提升", "加快", "扩大")
OBJECTS = (
    "工作机制", "制度体系", "服务模式", "监管方式", "考核办法", "数据归集", "协同机制",
    "标准规范", "应用场景", "要素保障",
)  # fmt: skip
ADDRESSEES = {
    GOVERNMENT: "各县（市、区）人民政府，市政府各部门、直属各单位：",
    OFFICE: "各县（市、区）人民政府，市政府各部门、直属各单位：",
    DEPARTMENT: "各县（市、区）{short}，局机关各处室、直属各单位：",
}
BASES = (
    "《中华人民共和国政府信息公开条例》",
    "《国务院关于加强数字政府建设的指导意见》（国发〔2022〕14号）",
    "《浙江省公共数据条例》",
    "《优化营商环境条例》",
    "《浙江省人民政府关于深化数字政府建设的实施意见》（浙政发〔2022〕20号）",
    "《中共中央 国务院关于支持浙江高质量发展建设共同富裕示范区的意见》",
    "《浙江省数字化改革总体方案》",
    "有关法律法规和上级文件精神",
)
SAFEGUARDS = (
    ("加强组织领导", "成立由市政府分管领导任组长的工作专班，统筹协调{t}工作中的重大问题。"),
    ("强化要素保障", "市财政每年安排专项资金支持{t}，并纳入预算绩效管理。"),
    ("严格督查考核", "将{t}纳入年度综合考核，实行月度通报和季度点评。"),
    ("注重宣传引导", "通过政府网站、浙里办和政务新媒体做好{t}政策解读和宣传。"),
    ("完善数据支撑", "依托公共数据平台归集{t}相关数据，实现数据共享和动态监测。"),
)
INTERPRETATION_PARTS = (
    ("出台背景", "为贯彻落实上级关于{t}的决策部署，结合我市实际，{pub}研究制定了《{doc}》。"),
    ("主要内容", "《{doc}》共{n}个部分，明确了{t}的总体要求、主要任务和保障措施。"),
    ("创新亮点", "一是突出{t}，二是坚持问题导向，三是强化数字赋能，推动{u}。"),
    ("适用对象", "本政策适用于在我市依法登记注册、符合条件的企业和个人，{u}事项实行“{done}”。"),
    ("解读机关及联系方式", "解读机关：{pub}；联系电话：0570-{phone}。"),
)
NUMERALS = "一二三四五六七八九十"
KINDS = ("办法", "方案", "意见", "措施", "要点", "计划", "公告")  # what 本… in the text calls it
PLATFORMS = (
    "浙里办",
    "浙政钉",
    "公共数据平台",
    "城市大脑",
    "基层智治系统",
    "一体化智能化公共数据平台",
)
OUTCOMES = ("“一件事”集成办理", "全流程网上办理", "数据共享互认", "闭环管理", "精准服务")
PAYMENTS = ("", "，资金实行“免申即享”", "，资金直达快享", "，按规定程序拨付", "，由财政资金列支")
CHECKS = (
    "定期开展“比晾晒”",
    "纳入年度综合考核",
    "建立月度通报机制",
    "加强督促指导",
    "压实工作责任",
)
DONE = ("一网通办", "掌上办事", "最多跑一次", "跨省通办", "免申即享", "一件事", "全程网办")


@dataclass(frozen=True)
class GeneratedDocument:
    """One generated document; links (``interprets``, ``amends``, ``repeals``) are earlier keys."""

    key: int  # position in the sequence, from 0
    title: str
    publisher: str  # PublisherSpec.name
    index_number: str  # 索引号 {org_code}/{year}-{serial:06d}
    doc_number: str  # 文号, "" for interpretations and most notices
    written_on: date
    published_on: date
    topic: str  # second-level topic code
    topic_parent: str  # its first-level code
    genre: str
    validity: str
    disclosure: str
    body: str
    effective_from: date | None = None
    effective_until: date | None = None
    interprets: int | None = None
    amends: int | None = None
    repeals: int | None = None
    service_codes: tuple[str, ...] = ()


@dataclass
class _Plan:
    """What an earlier document asked of a later one: to interpret, amend or repeal it."""

    kind: str  # "interpret" | "amend" | "repeal"
    key: int
    title: str
    core: str  # the title inside 《》
    subject: str
    topic: TopicSpec
    publisher: PublisherSpec
    doc_number: str
    sections: int


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Generator:
    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.span = (REFERENCE_DATE - FIRST_DATE).days
        self.serials: dict[tuple[str, int], int] = {}
        self.numbers: dict[tuple[str, int, bool], int] = {}
        self.plans: dict[int, _Plan] = {}
        self.fate: dict[int, str] = {}  # key → AMENDED / REPEALED, decided when it is planned
        self.weights = [p.weight for p in PUBLISHERS]
        self.by_topic = {
            p.name: [TOPIC_BY_CODE[c] for c in p.topics] if p.topics else list(TOPICS)
            for p in PUBLISHERS
        }

    # -- numbering -------------------------------------------------------------------------

    def index_number(self, publisher: PublisherSpec, year: int) -> str:
        serial = self.serials.get((publisher.name, year), 0) + 1
        self.serials[publisher.name, year] = serial
        return f"{publisher.org_code}/{year}-{serial:06d}"

    def doc_number(self, publisher: PublisherSpec, year: int, normative: bool) -> str:
        number = self.numbers.get((publisher.name, year, normative), 0) + 1
        self.numbers[publisher.name, year, normative] = number
        return f"{publisher.prefix}{'规' if normative else ''}〔{year}〕{number}号"

    # -- text ------------------------------------------------------------------------------

    def sentence(self, topic: TopicSpec) -> str:
        rng = self.rng
        t1, t2 = rng.choice(topic.terms), rng.choice(topic.terms)
        g = rng.choice(GENERAL_TERMS)
        match rng.randrange(8):
            case 0:
                return f"深入{rng.choice(VERBS)}{t1}，加快{g}，不断提升{t2}水平。"
            case 1:
                return f"依托{rng.choice(PLATFORMS)}，推动{t1}与{g}深度融合，实现{t2}{rng.choice(OUTCOMES)}。"
            case 2:
                p = rng.randrange(60, 100)
                return f"到{rng.randrange(2023, 2028)}年，{t1}覆盖率达到{p}%以上，{t2}事项实现“{rng.choice(DONE)}”。"
            case 3:
                o = rng.choice(OBJECTS)
                return f"建立健全{t1}{o}，明确牵头单位和责任分工，形成{t2}齐抓共管的工作格局。"
            case 4:
                amount = rng.choice((5, 10, 20, 30, 50, 100))
                return f"对符合条件的{t1}项目，按照不超过{amount}万元给予一次性奖励{rng.choice(PAYMENTS)}。"
            case 5:
                return (
                    f"各地各部门要把{t1}作为{g}的重要抓手，{rng.choice(CHECKS)}，确保{t2}落地见效。"
                )
            case 6:
                return f"{rng.choice(VERBS)}{t1}{rng.choice(OBJECTS)}，探索{t2}新路径，打造具有衢州辨识度的{g}标志性成果。"
            case _:
                return f"坚持问题导向，聚焦企业和群众办事的堵点难点，以{t1}为突破口，推动{t2}{rng.choice(OBJECTS)}迭代升级。"

    def paragraph(self, topic: TopicSpec, low: int, high: int) -> str:
        return "".join(self.sentence(topic) for _ in range(self.rng.randint(low, high)))

    def body(
        self, publisher: PublisherSpec, topic: TopicSpec, genre: str, core: str, day: date,
        effective: tuple[date | None, date | None], sections: int, tail: str,
    ) -> str:  # fmt: skip
        rng = self.rng
        ascii_parens = rng.random() < 0.2  # the seed document writes (一), most write （一）
        left, right = ("(", ")") if ascii_parens else ("（", "）")
        short = publisher.name.removeprefix("市").removeprefix("国家税务总局衢州")
        addressee = ADDRESSEES.get(genre, ADDRESSEES[DEPARTMENT]).format(short=short)
        kind = next((k for k in KINDS if k in core), "通知")
        lines = [
            addressee,
            f"为{rng.choice(AIMS).format(a=topic.subjects[0])}，根据{rng.choice(BASES)}，"
            f"结合我市实际，制定本{kind}。",
            "一、总体要求",
            f"{left}一{right}指导思想。" + self.paragraph(topic, 1, 2),
            f"{left}二{right}主要目标。到{day.year + rng.randint(2, 4)}年，" + self.paragraph(topic, 1, 2),
        ]  # fmt: skip
        item = 0
        for s in range(1, sections - 1):
            subject = rng.choice(topic.subjects)
            lines.append(f"{NUMERALS[s]}、{rng.choice(VERBS)}{subject}")
            for sub in range(rng.randint(1, 2 if sections > 4 else 3)):
                lines.append(
                    f"{left}{NUMERALS[sub]}{right}{rng.choice(VERBS)}{rng.choice(topic.terms)}"
                    f"{rng.choice(OBJECTS)}。" + self.paragraph(topic, 1, 2)
                )
                for _ in range(rng.randint(0, 2)):
                    item += 1
                    lines.append(
                        f"{item}.{rng.choice(VERBS)}{rng.choice(topic.terms)}。"
                        + self.paragraph(topic, 1, 1)
                    )
        lines.append(f"{NUMERALS[sections - 1]}、保障措施")
        for sub, (head, text) in enumerate(rng.sample(SAFEGUARDS, rng.randint(2, 3))):
            lines.append(f"{left}{NUMERALS[sub]}{right}{head}。" + text.format(t=topic.subjects[0]))
        start, until = effective
        if start is not None:
            ending = f"，有效期至{_chinese_date(until)}" if until is not None else ""
            lines.append(f"本{kind}自{_chinese_date(start)}起施行{ending}。{tail}")
        elif tail:
            lines.append(tail)
        lines += [publisher.full_name, _chinese_date(day)]
        return "\n".join(lines)

    def interpretation_body(self, plan: _Plan, publisher: PublisherSpec) -> str:
        rng = self.rng
        u = rng.choice(plan.topic.terms)
        lines = [
            f"《{plan.core}》（{plan.doc_number or '以下简称《' + plan.core + '》'}）已经印发，现解读如下。"
        ]
        for i, (head, text) in enumerate(INTERPRETATION_PARTS):
            lines.append(f"{NUMERALS[i]}、{head}")
            lines.append(
                text.format(
                    t=plan.subject, pub=plan.publisher.full_name, doc=plan.core,
                    n=NUMERALS[plan.sections - 1], u=u, done=rng.choice(DONE), phone=rng.randrange(3000000, 3099999),
                )
            )  # fmt: skip
            if i < 3:
                lines.append(self.paragraph(plan.topic, 1, 3))
        return "\n".join(lines)

    # -- documents -------------------------------------------------------------------------

    def day(self, key: int) -> date:
        return FIRST_DATE + timedelta(days=key * self.span // max(1, self.n - 1))

    def plan_later(self, plan: _Plan, low: int, high: int) -> None:
        target = plan.key + self.rng.randint(low, high)
        while target in self.plans:
            target += 1
        if target < self.n:
            self.plans[target] = plan
            if plan.kind != "interpret":
                self.fate[plan.key] = AMENDED if plan.kind == "amend" else REPEALED

    def document(self, key: int) -> GeneratedDocument:
        rng = self.rng
        published = self.day(key)
        written = published - timedelta(days=rng.randint(0, 12))
        plan = self.plans.pop(key, None)
        if plan is not None and plan.kind == "interpret":
            return self.interpretation(key, plan, written, published)
        if plan is not None:
            publisher, topic, subject = plan.publisher, plan.topic, plan.subject
        else:
            publisher = rng.choices(PUBLISHERS, self.weights)[0]
            topic = rng.choice(self.by_topic[publisher.name])
            subject = rng.choice(topic.subjects)
        genre, title, core, normative = self.title(publisher, topic, subject, published, plan)
        until: date | None = None
        start: date | None = None
        if normative:
            start = published + timedelta(days=30)
            years = 2 if "暂行" in core else 5
            until = date(start.year + years, start.month, min(start.day, 28)) - timedelta(days=1)
        elif genre == PLAN or (genre != NOTICE and rng.random() < 0.2):
            start = published
            until = date(published.year + rng.choice((1, 2, 3)), 12, 31)
        doc_number = (
            self.doc_number(publisher, published.year, normative)
            if genre != NOTICE or rng.random() < 0.3
            else ""
        )
        tail = ""
        if plan is not None:
            verb = "废止" if plan.kind == "repeal" else "修订"
            number = f"（{plan.doc_number}）" if plan.doc_number else ""
            tail = f"原《{plan.core}》{number}同时{verb}。"
        sections = rng.randint(3, 5)
        body = self.body(publisher, topic, genre, core, written, (start, until), sections, tail)
        roll = rng.random()
        disclosure = NOT_DISCLOSED if roll < 0.01 else ON_REQUEST if roll < 0.04 else PROACTIVE
        services: tuple[str, ...] = ()
        if topic.services and rng.random() < 0.45:
            services = tuple(rng.sample(topic.services, rng.randint(1, len(topic.services))))
        made = _Plan(
            "", key, title, core, subject, topic, publisher, doc_number, sections
        )  # what a later document may refer to
        if disclosure == PROACTIVE and genre != NOTICE:
            if rng.random() < 0.15:
                self.plan_later(_replace(made, "interpret"), 1, 4)
            if genre in (NORMATIVE, GOVERNMENT, OFFICE, DEPARTMENT) and rng.random() < 0.08:
                self.plan_later(_replace(made, rng.choice(("amend", "repeal"))), 5, 60)
        validity = self.fate.pop(key, None) or (
            EXPIRED if until is not None and until < REFERENCE_DATE else VALID
        )
        return GeneratedDocument(
            key=key,
            title=title,
            publisher=publisher.name,
            index_number=self.index_number(publisher, published.year),
            doc_number=doc_number,
            written_on=written,
            published_on=published,
            topic=topic.code,
            topic_parent=topic.parent_code,
            genre=genre,
            validity=validity,
            disclosure=disclosure,
            body=body,
            effective_from=start,
            effective_until=until,
            amends=plan.key if plan is not None and plan.kind == "amend" else None,
            repeals=plan.key if plan is not None and plan.kind == "repeal" else None,
            service_codes=services,
        )

    def title(
        self, publisher: PublisherSpec, topic: TopicSpec, subject: str, day: date,
        plan: _Plan | None,
    ) -> tuple[str, str, str, bool]:  # fmt: skip
        """(genre, title, core inside 《》 or the gist, normative?)."""
        rng = self.rng
        own = (
            GOVERNMENT
            if publisher.name.endswith("人民政府")
            else OFFICE
            if publisher.name == "市政府办公室"
            else DEPARTMENT
        )
        place = (
            "江山市"
            if publisher.name == "江山市人民政府"
            else "柯城区"
            if "柯城" in publisher.name
            else "衢州市"
        )
        head = publisher.full_name
        if plan is not None:  # the new version of an earlier document, on the same subject
            revised = (
                plan.core
                if plan.kind == "repeal"
                else f"{plan.core.removesuffix('（修订）')}（修订）"
            )
            return NORMATIVE, f"{head}关于印发《{revised}》的通知", revised, True
        match rng.randrange(10):
            case 0 | 1:
                core = f"{place}{subject}实施方案"
                return own, f"{head}关于印发《{core}》的通知", core, False
            case 2:
                core = f"关于开展{subject}工作的通知"
                return NOTICE, f"{head}{core}", core, False
            case 3 | 4:
                temp = "暂行" if rng.random() < 0.3 else ""
                core = f"{place}{subject}{temp}管理办法"
                return NORMATIVE, f"{head}关于印发《{core}》的通知", core, True
            case 5:
                core = f"关于进一步推进{subject}的实施意见"
                return own, f"{head}{core}", core, False
            case 6:
                core = f"关于加快{subject}的若干政策措施"
                return NORMATIVE, f"{head}{core}", core, True
            case 7:
                core = f"{place}{day.year}年{subject}工作要点"
                return PLAN, f"{head}关于印发《{core}》的通知", core, False
            case 8:
                core = f"{place}{subject}三年行动计划（{day.year}—{day.year + 2}年）"
                return PLAN, f"{head}关于印发《{core}》的通知", core, False
            case _:
                core = f"关于{subject}有关事项的公告"
                return NOTICE, f"{head}{core}", core, False

    def interpretation(
        self, key: int, plan: _Plan, written: date, published: date
    ) -> GeneratedDocument:
        rng = self.rng
        publisher = plan.publisher
        form = rng.randrange(3)
        title = (
            f"《{plan.core}》政策解读",
            f"一图读懂《{plan.core}》",
            f"关于《{plan.core}》的解读",
        )[form]
        return GeneratedDocument(
            key=key,
            title=title,
            publisher=publisher.name,
            index_number=self.index_number(publisher, published.year),
            doc_number="",
            written_on=written,
            published_on=published,
            topic=plan.topic.code,
            topic_parent=plan.topic.parent_code,
            genre=INTERPRETATION,
            validity=VALID,
            disclosure=PROACTIVE,
            body=self.interpretation_body(plan, publisher),
            interprets=plan.key,
        )


def _replace(plan: _Plan, kind: str) -> _Plan:
    return _Plan(
        kind, plan.key, plan.title, plan.core, plan.subject, plan.topic, plan.publisher,
        plan.doc_number, plan.sections,
    )  # fmt: skip


def generate(n: int, seed: int = 2022) -> Iterator[GeneratedDocument]:
    """``n`` documents, the same for the same ``n`` and ``seed``, oldest first."""
    if n < 0:
        raise ValueError("n must not be negative")
    generator = _Generator(n, seed)
    for key in range(n):
        yield generator.document(key)


def vocabulary() -> tuple[str, ...]:
    """Every term the generated bodies use (for building search queries)."""
    seen: dict[str, None] = dict.fromkeys(GENERAL_TERMS)
    for topic in TOPICS:
        seen.update(dict.fromkeys(topic.terms))
    return tuple(seen)
