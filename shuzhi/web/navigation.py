"""The left navigation, grouped like the policy (UX.md), one entry per module of MISSION-MAP.md.

A module that is not built yet links to a page saying what it will do — never a broken link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    slug: str
    name: Promise
    purpose: Promise
    tasks: str  # policy task numbers, as in MISSION-MAP.md
    url_name: str = ""  # set once the module has pages; empty = "coming" page
    permission: str | tuple[str, ...] = ""  # only people holding it (any of them) see it

    @property
    def permissions(self) -> tuple[str, ...]:
        if isinstance(self.permission, str):
            return (self.permission,) if self.permission else ()
        return self.permission

    @property
    def url(self) -> str:
        if self.url_name:
            return reverse(self.url_name)
        return reverse("web:module", args=[self.slug])

    @property
    def built(self) -> bool:
        return bool(self.url_name)


@dataclass(frozen=True)
class Group:
    name: Promise
    modules: tuple[Module, ...]


NAVIGATION: tuple[Group, ...] = (
    Group(
        _("Data resources"),  # 数据资源
        (
            Module(
                "catalog",
                _("Data catalogue"),
                _(
                    "Register every dataset with its owner, fields, grades and share and open attributes; publish, version and trace lineage."
                ),
                "39, 1",
                url_name="catalog:list",
                permission="catalog.view",
            ),
            Module(
                "warehouse",
                _("Data warehouse"),
                _(
                    "Ingest department data with validation and quarantine, versions, quality scores and thematic warehouses."
                ),
                "39, 1, 17",
                url_name="warehouse:overview",
                permission="catalog.view",
            ),
            Module(
                "sharing",
                _("Data sharing"),
                _(
                    "Request datasets from other departments, approve, grant, and call the masked, metered data API."
                ),
                "33",
                url_name="sharing:index",
                permission=("sharing.request", "sharing.approve"),
            ),
            Module(
                "opendata",
                _("Open data"),
                _(
                    "The public portal with a CKAN-compatible API and DCAT export, and restricted-opening applications."
                ),
                "30, 40",
                url_name="opendata:index",
            ),
            Module(
                "operation",
                _("Authorised operation"),
                _(
                    "Vetted operators compute on public data in a sandbox; outputs are reviewed and metered."
                ),
                "29, 36–38",
                url_name="operation:workspace",
                permission=("operation.submit", "operation.review"),
            ),
            Module(
                "resources",
                _("Resource ledger"),
                _("One book of apps, components, datasets and compute, with reuse tracking (IRS)."),
                "41",
            ),
        ),
    ),
    Group(
        _("Closed-loop governance"),  # 闭环治理
        (
            Module(
                "loop",
                _("Tasks"),
                _(
                    "Every problem becomes a task: dispatch, accept, handle, close, rate; deadlines in working days, reminders and escalation."
                ),
                "2, 18, 21–24, 42",
                url_name="loop:index",
                permission="loop.report",
            ),
            Module(
                "warnings",
                _("Warnings"),
                _("Indicators and warning rules over the warehouse; each warning opens a task."),
                "2, 42",
                url_name="brain:warnings",
                permission="brain.view",
            ),
            Module(
                "rankings",
                _("Rankings"),
                _(
                    "比晾晒: on-time closure, handling time, overdue count and satisfaction by department and county."
                ),
                "24, 七",
                url_name="loop:rankings",
                permission=("loop.handle", "loop.dispatch", "loop.supervise"),
            ),
            Module(
                "cockpit",
                _("Cockpit"),
                _("The leadership big screen: key figures of the city with click-through."),
                "22, 42",
                url_name="web:cockpit",
                permission="cockpit.view",
            ),
        ),
    ),
    Group(
        _("Economic regulation"),
        (
            Module(
                "economy",
                _("Economy"),
                _(
                    "Thematic industry, talent, technology and finance warehouses, monitoring and warnings."
                ),
                "1–3, 22, 27, 28",
            ),
            Module(
                "carbon",
                _("Carbon accounts"),
                _(
                    "Emission accounting, three-dimensional evaluation, four colours and green finance."
                ),
                "19",
                url_name="carbon:index",
                permission=("carbon.view", "carbon.own", "carbon.finance"),
            ),
        ),
    ),
    Group(
        _("Market supervision"),
        (
            Module(
                "market",
                _("Market supervision"),
                _(
                    "Enterprise life cycle, credit-risk classes, random inspections, one code four colours, traceability."
                ),
                "4–10",
                url_name="market:index",
                permission=("market.view", "market.own"),
            ),
        ),
    ),
    Group(
        _("Social governance"),
        (
            Module(
                "governance",
                _("Social governance"),
                _("Disputes, petitions, grids and grassroots events handled in the loop."),
                "11–13, 31–32, 35",
            ),
        ),
    ),
    Group(
        _("Public services"),
        (
            Module(
                "services",
                _("Public services"),
                _(
                    "Service catalogue, online applications, 一件事 bundles, e-licences and 免申即享."
                ),
                "4, 14–16, 26, 30",
                url_name="services:index",
            ),
        ),
    ),
    Group(
        _("Ecology and environment"),
        (
            Module(
                "environment",
                _("Ecology and environment"),
                _("Stations, AQI and water class, warnings to tasks, dashboards."),
                "17, 18",
                url_name="environment:index",
                permission=("environment.view",),
            ),
            Module(
                "spatial",
                _("Spatial governance"),
                _("Spatial layers, a map viewer and overlay analysis."),
                "20",
            ),
        ),
    ),
    Group(
        _("Government operation"),
        (
            Module(
                "enforcement",
                _("Law enforcement"),
                _(
                    "Enforcement cases, contract performance supervision and administrative disputes."
                ),
                "21, 34",
            ),
            Module(
                "supervision",
                _("Supervision"),
                _("Key tasks with milestones, problem lists and rectification."),
                "23, 24",
            ),
        ),
    ),
    Group(
        _("Government openness"),
        (
            Module(
                "policy",
                _("Policy library"),
                _(
                    "Policy documents with official metadata, Chinese full-text search and interpretations."
                ),
                "25",
                url_name="policy:index",
            ),
        ),
    ),
    Group(
        _("System administration"),  # 系统管理
        (
            Module(
                "audit",
                _("Audit log"),
                _("The tamper-evident log of every sensitive action, for auditors."),
                "五",
                url_name="audit:browser",
                permission="audit.view",
            ),
            Module(
                "admin",
                _("Back office"),
                _("Divisions, departments, people and roles."),
                "五",
                url_name="admin:index",
                permission="admin.access",
            ),
            Module(
                "api",
                _("API"),
                _("The platform's API with OpenAPI documentation and API keys for machines."),
                "41",
                url_name="web:api_keys",
            ),
        ),
    ),
)


def module_by_slug(slug: str) -> Module | None:
    for group in NAVIGATION:
        for module in group.modules:
            if module.slug == slug:
                return module
    return None
