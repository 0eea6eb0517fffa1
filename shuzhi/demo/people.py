"""Departments and demo accounts of the synthetic Quzhou (one account for every role)."""

from __future__ import annotations

from dataclasses import dataclass

# (code suffix, city-level name, county-level name pattern, English name)
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("BDB", "市大数据局", "{county}大数据发展中心", "Big Data Bureau"),
    ("DRC", "市发改委", "{county}发改局", "Development and Reform Commission"),
    ("EIB", "市经信局", "{county}经信局", "Economy and Information Technology Bureau"),
    ("AMR", "市市场监管局", "{county}市场监管局", "Administration for Market Regulation"),
    ("EEB", "市生态环境局", "{county}生态环境分局", "Ecology and Environment Bureau"),
    ("FIN", "市财政局", "{county}财政局", "Finance Bureau"),
    ("HRS", "市人力社保局", "{county}人力社保局", "Human Resources and Social Security Bureau"),
    ("CAB", "市民政局", "{county}民政局", "Civil Affairs Bureau"),
    ("JUS", "市司法局", "{county}司法局", "Justice Bureau"),
    ("GOV", "市政府办公室", "{county}人民政府办公室", "General Office of the Government"),
    # public services (政务服务) also reach these handling departments
    ("TAX", "国家税务总局衢州市税务局", "国家税务总局{county}税务局", "Tax Service"),
    ("SCI", "市科技局", "{county}科技局", "Science and Technology Bureau"),
    ("UMB", "市综合行政执法局", "{county}综合行政执法局", "Comprehensive Law Enforcement Bureau"),
    ("FIRE", "市消防救援支队", "{county}消防救援大队", "Fire and Rescue Detachment"),
    ("TOB", "市烟草专卖局", "{county}烟草专卖局", "Tobacco Monopoly Bureau"),
)

# Organisations outside government that consume shared data: (code, name, English name).
CONSUMERS: tuple[tuple[str, str, str], ...] = (
    ("330800-BANK", "衢州绿色银行", "Quzhou Green Bank (fictional)"),
)

DEMO_PASSWORD = "Quzhou@2026"
DEMO_TOTP_SECRET_HEX = "3132333435363738393031323334353637383930"  # RFC 6238 test key


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    department_code: str  # "" for people outside government
    note: str


def department_code(division_code: str, suffix: str) -> str:
    return f"{division_code}-{suffix}"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "系统管理员", "system_admin", "330800-BDB", "TOTP second factor"),
    DemoAccount("auditor", "审计员", "auditor", "330800-BDB", "reads the audit log"),
    DemoAccount("steward", "数据管理员", "data_steward", "330800-BDB", "city big-data bureau"),
    DemoAccount("amr_steward", "市场监管数据管理员", "data_steward", "330800-AMR", ""),
    DemoAccount("eib_steward", "经信数据管理员", "data_steward", "330800-EIB", "energy, output"),
    DemoAccount(
        "drc_steward", "发改委数据管理员", "data_steward", "330800-DRC", "carbon accounts (碳账户)"
    ),
    DemoAccount("fin_steward", "财政数据管理员", "data_steward", "330800-FIN", "tax, real estate"),
    DemoAccount("hrs_steward", "人社数据管理员", "data_steward", "330800-HRS", "social insurance"),
    DemoAccount("eeb_steward", "生态环境数据管理员", "data_steward", "330800-EEB", "air, water"),
    DemoAccount("gov_steward", "政务服务数据管理员", "data_steward", "330800-GOV", "cases, 12345"),
    DemoAccount("cab_steward", "民政数据管理员", "data_steward", "330800-CAB", "免申即享 rules"),
    DemoAccount("sci_steward", "科技数据管理员", "data_steward", "330800-SCI", "tech SME list"),
    # publishers of policy documents (政策文件) whose departments have no steward above
    DemoAccount("tax_steward", "税务数据管理员", "data_steward", "330800-TAX", "tax policies"),
    DemoAccount(
        "kecheng_steward", "柯城区政府数据管理员", "data_steward", "330802-GOV", "柯城区 policies"
    ),
    DemoAccount(
        "jiangshan_steward", "江山市政府数据管理员", "data_steward", "330881-GOV", "江山市 policies"
    ),
    DemoAccount("clerk", "市场监管业务员", "clerk", "330800-AMR", "city market regulation"),
    DemoAccount("kecheng_clerk", "柯城区业务员", "clerk", "330802-AMR", "Kecheng District"),
    DemoAccount("jiangshan_clerk", "江山市业务员", "clerk", "330881-AMR", "Jiangshan City"),
    DemoAccount("amr_inspector", "市场监管执法员", "clerk", "330800-AMR", "random inspections"),
    DemoAccount("kecheng_inspector", "柯城区执法员", "clerk", "330802-AMR", "random inspections"),
    DemoAccount("jiangshan_inspector", "江山市执法员", "clerk", "330881-AMR", "random inspections"),
    # handling clerks of public services (政务服务): applications, licences, benefit reviews
    DemoAccount("gov_clerk", "政务服务业务员", "clerk", "330800-GOV", "一件事 window"),
    DemoAccount("umb_clerk", "综合执法业务员", "clerk", "330800-UMB", "signboards"),
    DemoAccount("fire_clerk", "消防业务员", "clerk", "330800-FIRE", "fire-safety checks"),
    DemoAccount("tob_clerk", "烟草专卖业务员", "clerk", "330800-TOB", "tobacco licences"),
    DemoAccount("tax_clerk", "税务业务员", "clerk", "330800-TAX", "tax clearance"),
    DemoAccount("hrs_clerk", "人社业务员", "clerk", "330800-HRS", "稳岗返还 reviews"),
    DemoAccount("cab_clerk", "民政业务员", "clerk", "330800-CAB", "高龄津贴 reviews"),
    DemoAccount("sci_clerk", "科技业务员", "clerk", "330800-SCI", "tech SME rewards"),
    DemoAccount("approver", "发改委审批人", "approver", "330800-DRC", ""),
    DemoAccount("amr_approver", "市场监管审批人", "approver", "330800-AMR", "sharing, opening"),
    DemoAccount("eib_approver", "经信审批人", "approver", "330800-EIB", "decides energy sharing"),
    DemoAccount("supervisor", "督查员", "supervisor", "330800-GOV", ""),
    DemoAccount("leader", "市领导", "leader", "330800-GOV", "sees the cockpit"),
    DemoAccount(
        "kecheng_supervisor", "柯城区督查员", "supervisor", "330802-GOV", "Kecheng's tasks only"
    ),
    DemoAccount("enterprise", "企业用户", "enterprise", "", "a vetted data operator (授权运营)"),
    DemoAccount("resident", "市民", "public", "", "a resident"),
    DemoAccount("elder", "高龄市民", "public", "", "a resident aged 80+ (高龄津贴, large text)"),
    DemoAccount("restaurant", "餐饮企业用户", "enterprise", "", "a restaurant's own user (政企通)"),
    DemoAccount("bank", "衢州绿色银行信贷员", "bank", "330800-BANK", "green loans (碳账户金融)"),
)
