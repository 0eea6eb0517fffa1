"""The carbon credit report as a PDF (fpdf2), set in the CJK font at settings.CARBON_PDF_FONT.

Plain layout from already-translated strings: a title, key facts, one table, notes. The font
may be a TrueType/OpenType file or a collection (.ttc); from a collection the Simplified
Chinese face is chosen when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shuzhi.platform.pdf_font import FontMissing, font_available, font_path
from shuzhi.platform.pdf_font import face_index as _face_index

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["FontMissing", "LayoutFailed", "Sheet", "font_available", "font_path", "render"]

FAMILY = "cjk"


class LayoutFailed(Exception):
    """The sheet does not fit the page (e.g. too many table columns for a character to fit)."""


@dataclass(frozen=True)
class Sheet:
    """What the report says, in the reader's language."""

    title: str
    subtitle: str
    facts: Sequence[tuple[str, str]]
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    notes: Sequence[str] = field(default_factory=tuple)
    footer: str = ""


def render(sheet: Sheet) -> bytes:
    """The PDF bytes of ``sheet``; ``FontMissing`` when the font cannot be used,
    ``LayoutFailed`` when the sheet cannot be laid out on the page."""
    from fpdf import FPDF
    from fpdf.errors import FPDFException

    path = font_path()
    if not path.is_file():
        raise FontMissing(str(path))
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    try:
        pdf.add_font(FAMILY, fname=str(path), collection_font_number=_face_index(str(path)))
    except Exception as exc:  # fontTools raises many kinds for an unreadable font file
        raise FontMissing(str(path)) from exc
    try:
        _draw(pdf, sheet)
        return bytes(pdf.output())
    except FPDFException as exc:
        raise LayoutFailed(str(exc)) from exc


def _draw(pdf: FPDF, sheet: Sheet) -> None:
    from fpdf.fonts import FontFace

    pdf.set_title(sheet.title)
    pdf.set_creator("Shuzhi")
    pdf.add_page()
    pdf.set_font(FAMILY, size=18)
    pdf.multi_cell(0, 10, sheet.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 6, sheet.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.set_font(FAMILY, size=11)
    label_width = 55
    for label, value in sheet.facts:
        pdf.cell(label_width, 7, label)
        pdf.multi_cell(0, 7, value or "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if sheet.rows:
        pdf.set_font(FAMILY, size=9)
        heading = FontFace(emphasis="", fill_color=(233, 236, 239))
        with pdf.table(headings_style=heading, text_align="LEFT") as table:
            row = table.row()
            for name in sheet.header:
                row.cell(name)
            for values in sheet.rows:
                row = table.row()
                for value in values:
                    row.cell(value or "—")
        pdf.ln(4)
    pdf.set_font(FAMILY, size=9)
    for note in sheet.notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    if sheet.footer:
        pdf.ln(2)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 5, sheet.footer, new_x="LMARGIN", new_y="NEXT")
