"""The citizen portal's (我的办事) and 政企通's own sections, registered in the platform's portal
registry (``shuzhi.platform.portal.registry``).

The services domain declares the slots of each portal (``selectors.portal.CITIZEN_SLOTS`` and
``ENTERPRISE_SLOTS``) and fills "applications", "licences", "benefits" for both audiences and
"policies" for enterprises; the market domain fills "credit" and "cases", the carbon domain
"carbon". Each section's ``context`` checks the caller itself (its refusal audited) and reads
only the caller's own records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.audit.actions import register_action
from shuzhi.platform.portal.registry import (
    PortalSection,
    ServiceLink,
    register_section,
    register_service_lookup,
)

from .permissions import enterprise_code, require_audited, require_enterprise
from .selectors.catalogue import published_items
from .selectors.portal import (
    applications_of_enterprise,
    applications_of_user,
    enterprise_policies,
    grants_of_enterprise,
    grants_of_resident,
    licences_of_enterprise,
    licences_of_resident,
    link,
    resident_of,
)

PORTAL_ACTION = "services.portal_view"

# the title of every slot, also shown on the "not yet available" card of an unfilled slot
SLOT_TITLES: dict[str, Any] = {
    "applications": _("My applications"),  # 我的办件
    "licences": _("My licences"),  # 我的证照
    "benefits": _("My benefits"),  # 我的待遇（免申即享）
    "credit": _("My credit class"),  # 我的信用分类
    "carbon": _("My carbon account"),  # 我的碳账户
    "cases": _("My cases"),  # 我的案件
    "policies": _("Policies that apply to me"),  # 惠企政策
}


def own_credit_code(request: HttpRequest) -> str:
    return enterprise_code(request.user)


def _citizen(request: HttpRequest) -> Any:
    require_audited(request.user, "services.apply", action=PORTAL_ACTION, request=request)
    return request.user


def _enterprise(request: HttpRequest) -> str:
    code = own_credit_code(request)
    require_enterprise(request.user, code, action=PORTAL_ACTION, request=request)
    return code


NO_RESIDENT = _(
    "Your account is not linked to a real-name resident record yet, so the platform cannot "
    "show what it holds for you. Link your identity (实名认证) at a service hall or in the app."
)


def citizen_applications(request: HttpRequest) -> dict[str, Any]:
    user = _citizen(request)
    return {"rows": applications_of_user(user), "catalogue_url": link("services:index")}


def citizen_licences(request: HttpRequest) -> dict[str, Any]:
    resident = resident_of(_citizen(request))
    if resident is None:
        return {"unavailable": NO_RESIDENT}
    return {"rows": licences_of_resident(resident)}


def citizen_benefits(request: HttpRequest) -> dict[str, Any]:
    resident = resident_of(_citizen(request))
    if resident is None:
        return {"unavailable": NO_RESIDENT}
    return {"rows": grants_of_resident(resident)}


def enterprise_applications(request: HttpRequest) -> dict[str, Any]:
    code = _enterprise(request)
    return {"rows": applications_of_enterprise(code), "catalogue_url": link("services:index")}


def enterprise_licences(request: HttpRequest) -> dict[str, Any]:
    return {"rows": licences_of_enterprise(_enterprise(request))}


def enterprise_benefits(request: HttpRequest) -> dict[str, Any]:
    return {"rows": grants_of_enterprise(_enterprise(request))}


def enterprise_policy_list(request: HttpRequest) -> dict[str, Any]:
    return {"rows": enterprise_policies(_enterprise(request))}


SECTIONS: tuple[PortalSection, ...] = (
    PortalSection(
        "applications",
        "citizen",
        SLOT_TITLES["applications"],
        "services/portal/_applications.html",
        citizen_applications,
    ),
    PortalSection(
        "licences",
        "citizen",
        SLOT_TITLES["licences"],
        "services/portal/_licences.html",
        citizen_licences,
    ),
    PortalSection(
        "benefits",
        "citizen",
        SLOT_TITLES["benefits"],
        "services/portal/_benefits.html",
        citizen_benefits,
    ),
    PortalSection(
        "applications",
        "enterprise",
        SLOT_TITLES["applications"],
        "services/portal/_applications.html",
        enterprise_applications,
    ),
    PortalSection(
        "licences",
        "enterprise",
        SLOT_TITLES["licences"],
        "services/portal/_licences.html",
        enterprise_licences,
    ),
    PortalSection(
        "benefits",
        "enterprise",
        SLOT_TITLES["benefits"],
        "services/portal/_benefits.html",
        enterprise_benefits,
    ),
    PortalSection(
        "policies",
        "enterprise",
        SLOT_TITLES["policies"],
        "services/portal/_policies.html",
        enterprise_policy_list,
    ),
)


def published_service_links(codes: Sequence[str]) -> list[ServiceLink]:
    """The published items among ``codes`` as links into the service catalogue (for other
    modules, e.g. a policy document's "services implementing this policy")."""
    english = (get_language() or "").startswith("en")
    items = published_items().filter(code__in=[str(c)[:40] for c in codes][:100])
    return [
        ServiceLink(
            code=item.code,
            name=(item.name_en if english and item.name_en else item.name),
            url=reverse("services:item", args=[item.code]),
        )
        for item in items
    ]


def register() -> None:
    register_action(PORTAL_ACTION, _("Citizen or enterprise portal viewed"))
    for section in SECTIONS:
        register_section(section)
    register_service_lookup(published_service_links)
