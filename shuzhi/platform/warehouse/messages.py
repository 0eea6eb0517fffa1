"""Ingest problems in the user's language.

The engine (plain Python) and the security kernel explain problems in English text with a
stable shape; this module recognises those shapes and renders them through gettext, keeping the
values they quote. A text of an unknown shape is shown as it is, never hidden.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from .spec import IngestError

# (pattern, template): the pattern's named groups fill the template's placeholders.
_REASONS: tuple[tuple[re.Pattern[str], object], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (r"^required value is missing$", _("A required value is missing.")),
        (r"^not a mobile number: (?P<value>.*) \(", _("Not a mobile number: %(value)s")),
        (r"^not a division code: (?P<value>.*) \(", _("Not a division code: %(value)s")),
        (r"^not in code table: (?P<value>.*)$", _("Not in the code table: %(value)s")),
        (r"^not an integer: (?P<value>.*)$", _("Not an integer: %(value)s")),
        (r"^integer out of range \(64-bit\): (?P<value>.*)$", _("Integer out of range: %(value)s")),
        (r"^not a decimal number: (?P<value>.*)$", _("Not a number: %(value)s")),
        (r"^too large for a decimal .*: (?P<value>.*)$", _("Number too large: %(value)s")),
        (
            r"^more than (?P<places>\d+) decimal places: (?P<value>.*)$",
            _("More than %(places)s decimal places: %(value)s"),
        ),
        (
            r"^a whole number expected \(no decimal places\): (?P<value>.*)$",
            _("A whole number is expected: %(value)s"),
        ),
        (
            r"^not a date: (?P<value>.*?) \(expected",
            _("Not a date (use 2026-01-31, 2026/01/31 or 20260131): %(value)s"),
        ),
        (r"^not a real date: (?P<value>.*)$", _("Not a real date: %(value)s")),
        (r"^not a date and time: (?P<value>.*?) \(expected", _("Not a date and time: %(value)s")),
        (r"^not a real date and time: (?P<value>.*)$", _("Not a real date and time: %(value)s")),
        (r"^not a yes/no value: (?P<value>.*?) \(", _("Not a yes/no value: %(value)s")),
        (
            r"^below the minimum (?P<bound>\S+): (?P<value>.*)$",
            _("Below the minimum %(bound)s: %(value)s"),
        ),
        (
            r"^above the maximum (?P<bound>\S+): (?P<value>.*)$",
            _("Above the maximum %(bound)s: %(value)s"),
        ),
        (
            r"^duplicate key \((?P<key>.*)\): same as row (?P<row>\d+)$",
            _("Duplicate key (%(key)s): same as row %(row)s"),
        ),
        (r"^no (credit code|identity number) given$", _("A required value is missing.")),
        (
            r"^a credit code has 18 characters, this one has (?P<n>\d+)$",
            _("A unified social credit code has 18 characters; this one has %(n)s."),
        ),
        (
            r"^an identity number has 18 characters, this one has (?P<n>\d+)$",
            _("An ID number has 18 characters; this one has %(n)s."),
        ),
        (
            r"^character (?P<char>'.') at position (?P<position>\d+) is not allowed",
            _("Character %(char)s at position %(position)s is not allowed."),
        ),
        (
            r"^registration authority (?P<char>'.') \(position 1\)",
            _("The first character %(char)s is not a registration authority code."),
        ),
        (
            r"^positions 3-8 must be a six-digit division code, found (?P<value>.*)$",
            _("Characters 3 to 8 must be a division code, not %(value)s."),
        ),
        (
            r"^check character \(position 18\) should be (?P<expected>'.'), found (?P<found>'.')$",
            _(
                "The check character (position 18) should be %(expected)s, not %(found)s: check for a typing error."
            ),
        ),
        (
            r"^this is a 15-digit identity number",
            _("This is an old 15-digit ID number; enter the 18-digit one."),
        ),
        (
            r"^division code (?P<value>'\d+') \(positions 1-6\)",
            _("%(value)s (digits 1 to 6) is not a division code."),
        ),
        (r"^birth date (?P<value>\S+) .*$", _("The birth date %(value)s is not possible.")),
        (r"^header$", _("header row")),
        (r"^line (?P<n>\d+)$", _("line %(n)s")),
        (r"^empty file$", _("The file is empty.")),
        (r"^missing columns? (?P<names>.*)$", _("Missing columns: %(names)s")),
        (r"^unexpected columns? (?P<names>.*)$", _("Unexpected columns: %(names)s")),
        (r"^duplicate columns? (?P<names>.*)$", _("Columns named twice: %(names)s")),
        (
            r"^not a (?P<kind>CSV|XLSX|Parquet|JSON Lines) file",
            _("This is not a %(kind)s file, whatever its name says."),
        ),
        (
            r"^unsupported file type (?P<kind>.*?);",
            _("Unsupported file type %(kind)s: use CSV, XLSX, JSON Lines or Parquet."),
        ),
        (
            r"^byte 0x(?P<byte>[0-9A-F]{2}) ",
            _("Byte 0x%(byte)s cannot be decoded: save the file as UTF-8 or GB18030."),
        ),
    )
)


def translate_reason(text: str) -> str:
    """One problem in the user's language (unknown shapes pass through unchanged).

    The reason of a field graded L3–L4 comes without the value it quoted (``redact_reason``:
    "not a real date"); it is read as if the value were "***".
    """
    for candidate in (text, f"{text}: ***") if ": " not in text else (text,):
        for pattern, template in _REASONS:
            match = pattern.match(candidate)
            if match:
                return str(template) % match.groupdict() if match.groupdict() else str(template)
    return text


def translate_ingest_error(error: IngestError) -> str:
    """The whole-file error, its place kept and each problem translated."""
    problems = "; ".join(translate_reason(part.strip()) for part in error.problem.split(";"))
    where = [error.file]
    if error.location:
        where.append(str(translate_reason(error.location)))
    if error.field is not None:
        where.append(error.field)
    return " · ".join(where) + ": " + problems
