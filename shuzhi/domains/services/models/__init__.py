"""Public services (政务服务): one module per capability, all in the ``services`` app.

- ``residents``: the population base (居民) that 一人一档 and 免申即享 stand on;
- ``catalogue``: service items (政务服务事项), materials, form facts and 一件事 bundles;
- ``applications``: online applications (办件) and their per-department parts;
- ``licences``: electronic licences (电子证照) and the departments' e-seal keys;
- ``benefits``: 免申即享 benefit policies, rule versions, runs and grants.
"""

from .applications import Application, ApplicationMaterial, ApplicationPart
from .benefits import BenefitGrant, BenefitPolicy, EligibilityRun, RuleVersion
from .catalogue import (
    Bundle,
    BundleItem,
    FormFact,
    ItemFact,
    ItemMaterial,
    MaterialKind,
    ServiceItem,
)
from .licences import Licence, SealKey
from .residents import Resident

__all__ = [
    "Application",
    "ApplicationMaterial",
    "ApplicationPart",
    "BenefitGrant",
    "BenefitPolicy",
    "Bundle",
    "BundleItem",
    "EligibilityRun",
    "FormFact",
    "ItemFact",
    "ItemMaterial",
    "Licence",
    "MaterialKind",
    "Resident",
    "RuleVersion",
    "SealKey",
    "ServiceItem",
]
