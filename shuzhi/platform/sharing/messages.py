"""Query problems (warehouse.query.QueryError) in the user's language.

The query layer explains problems in English with a stable shape; this module renders the
known shapes through gettext, keeping the field name and values. Unknown shapes are shown as
they are, inside a translated sentence.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from shuzhi.platform.warehouse.messages import translate_reason
from shuzhi.platform.warehouse.query import QueryError


def translate_query_error(error: QueryError) -> str:
    message = error.message
    field = error.field or ""
    if message == "no such field":
        return _("No such field in this grant: %(field)s") % {"field": field}
    if message == "choose at least one field":
        return _("Choose at least one field.")
    if message == "a field is listed twice":
        return _("A field is listed twice.")
    if message.startswith("limit must be"):
        return _("limit must be a whole number from 0 to %(max)s.") % {
            "max": message.rsplit(" ", 1)[-1]
        }
    if message.startswith("offset must"):
        return _("offset must not be negative.")
    if message == "an encrypted field cannot be sorted":
        return _("%(field)s is encrypted and cannot be sorted.") % {"field": field}
    if message == "this field cannot be filtered here":
        return _("%(field)s cannot be filtered here.") % {"field": field}
    if message.startswith("an empty filter value"):
        return _("An empty filter value on %(field)s matches nothing; leave the filter out.") % {
            "field": field
        }
    if message.startswith("give from 1 to"):
        return _("Give from 1 to %(max)s values for %(field)s.") % {
            "max": message.split()[4],
            "field": field,
        }
    if message.startswith("search text may have at most"):
        return _("The search text is too long.")
    if message.startswith("a filter value may have at most"):
        return _("A filter value on %(field)s is too long.") % {"field": field}
    match = re.match(r"^filter value (?P<value>'.*'|\".*\"): (?P<reason>.*)$", message, re.S)
    if match:
        return _("Filter on %(field)s: %(reason)s") % {
            "field": field,
            "reason": translate_reason(match.group("reason")),
        }
    if message.startswith("the row scope names"):
        return _("The grant's row scope no longer fits the dataset; ask the owner department.")
    return _("The query cannot be run: %(detail)s") % {"detail": str(error)}
