"""Publishing rules (发布规则): what must hold before a dataset is published.

Each rule returns a machine code and a message in the user's language, so a steward sees every
failed check explained at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Dataset, Grade, OpenAttribute, ShareAttribute


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def publish_problems(dataset: Dataset) -> list[Problem]:
    """Every reason the dataset cannot be published yet (empty: it can)."""
    problems: list[Problem] = []
    fields = list(dataset.fields.all())
    if not fields:
        problems.append(Problem("no_fields", _("The dataset has no fields.")))
    ungraded = [f.name for f in fields if f.grade is None]
    if ungraded:
        problems.append(
            Problem(
                "field_not_graded",
                _("These fields have no grade: %(names)s.") % {"names": ", ".join(ungraded)},
            )
        )
    above = [f.name for f in fields if f.grade is not None and f.grade > dataset.grade]
    if above:
        problems.append(
            Problem(
                "field_above_dataset_grade",
                _("These fields are graded above the dataset's own grade: %(names)s.")
                % {"names": ", ".join(above)},
            )
        )
    if not dataset.owner_id:
        problems.append(Problem("no_owner", _("The owner department is not set.")))
    if not dataset.frequency:
        problems.append(Problem("no_frequency", _("The update frequency is not set.")))
    if dataset.grade == Grade.L4 and dataset.open_attribute != OpenAttribute.CLOSED:
        problems.append(
            Problem("l4_open", _("An L4 dataset can never be opened: set it to 'Not open'."))
        )
    if (
        dataset.grade in (Grade.L2, Grade.L3)
        and dataset.open_attribute == OpenAttribute.OPEN
        and not dataset.deidentified
    ):
        problems.append(
            Problem(
                "open_without_deidentification",
                _(
                    "An L2–L3 dataset can be opened unconditionally only de-identified "
                    "(GB/T 37964); mark it de-identified or open it on application."
                ),
            )
        )
    if (
        dataset.share_attribute in (ShareAttribute.NONE, ShareAttribute.CONDITIONAL)
        and not dataset.share_condition.strip()
    ):
        problems.append(
            Problem(
                "share_basis_missing",
                _("Not sharing the dataset needs its legal basis written down.")
                if dataset.share_attribute == ShareAttribute.NONE
                else _("Conditional sharing needs its conditions written down."),
            )
        )
    return problems
