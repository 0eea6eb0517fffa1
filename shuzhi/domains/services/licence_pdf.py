"""An electronic licence (电子证照) as a PDF (fpdf2): the face, the seal mark (a red circle with
the seal's name), the signature and the QR code of the public verification address.

Set in the CJK font at ``settings.CARBON_PDF_FONT`` (the Debian Noto CJK collection; the
Simplified Chinese face is chosen from a collection), as the carbon report is. The strings come
already translated; this module only lays them out.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shuzhi.platform.pdf_font import FontMissing, font_path
from shuzhi.platform.pdf_font import face_index as _face_index

if TYPE_CHECKING:
    from fpdf import FPDF

FAMILY = "cjk"
RED = (200, 16, 46)


@dataclass(frozen=True)
class LicenceSheet:
    """What the PDF shows, in the reader's language (the face stays as issued)."""

    title: str  # 食品经营许可证
    subtitle: str  # the translated type name, e.g. "Food operation permit"
    number_label: str
    number: str
    face: Sequence[tuple[str, str]]
    dates: Sequence[tuple[str, str]]  # (label, value): issued on, valid until, status
    issuer: str
    seal_name: str
    signature_label: str
    signature_hex: str
    qr_png: bytes
    verify_note: str  # e.g. "Scan to verify at https://…"
    status_note: str = ""  # e.g. "REVOKED" stamped in red when not valid


def qr_png(data: str) -> bytes:
    """The QR code of ``data`` as PNG bytes (made locally with ``qrcode``)."""
    import qrcode

    image = qrcode.make(data, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(data: str) -> str:
    """The QR code of ``data`` as an inline ``<svg>`` element (no external reference)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return str(image.to_string(encoding="unicode"))


def render(sheet: LicenceSheet) -> bytes:
    """The PDF bytes of the licence; ``FontMissing`` when the font cannot be used."""
    from fpdf import FPDF

    path = font_path()
    if not path.is_file():
        raise FontMissing(str(path))
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    try:
        pdf.add_font(FAMILY, fname=str(path), collection_font_number=_face_index(str(path)))
    except Exception as exc:  # fontTools raises many kinds for an unreadable font file
        raise FontMissing(str(path)) from exc
    _draw(pdf, sheet)
    return bytes(pdf.output())


def _draw(pdf: FPDF, sheet: LicenceSheet) -> None:
    pdf.set_title(f"{sheet.title} {sheet.number}")
    pdf.set_creator("Shuzhi")
    pdf.set_subject(sheet.number)  # plain text, so the number is findable in the file
    pdf.add_page()
    # a double frame, as on paper licences
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    pdf.rect(8, 8, 194, 281)
    pdf.set_line_width(0.2)
    pdf.rect(10, 10, 190, 277)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(20)
    pdf.set_font(FAMILY, size=22)
    pdf.multi_cell(0, 12, sheet.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 6, sheet.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(
        0, 7, f"{sheet.number_label}: {sheet.number}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)
    label_width = 55
    pdf.set_x(20)
    for label, value in sheet.face:
        pdf.set_x(20)
        pdf.set_font(FAMILY, size=11)
        pdf.cell(label_width, 8, label)
        pdf.multi_cell(120, 8, value or "—", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for label, value in sheet.dates:
        pdf.set_x(20)
        pdf.cell(label_width, 8, label)
        pdf.multi_cell(120, 8, value, new_x="LMARGIN", new_y="NEXT")
    if sheet.status_note:
        pdf.ln(2)
        pdf.set_x(20)
        pdf.set_text_color(*RED)
        pdf.set_font(FAMILY, size=14)
        pdf.multi_cell(170, 9, sheet.status_note, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    # the issuer and its seal mark at the lower right, the QR code at the lower left
    top = max(pdf.get_y() + 8, 175)
    if top > 205:
        pdf.add_page()
        top = 30
    pdf.image(io.BytesIO(sheet.qr_png), x=20, y=top, w=42, h=42)
    pdf.set_xy(20, top + 43)
    pdf.set_font(FAMILY, size=8)
    pdf.multi_cell(60, 4, sheet.verify_note, new_x="LMARGIN", new_y="NEXT")
    _seal_mark(pdf, centre_x=155, centre_y=top + 22, name=sheet.seal_name)
    pdf.set_xy(110, top + 48)
    pdf.set_font(FAMILY, size=11)
    pdf.multi_cell(90, 6, sheet.issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 62) + 4)
    pdf.set_x(20)
    pdf.set_font(FAMILY, size=8)
    pdf.multi_cell(170, 4, sheet.signature_label, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Courier", size=8)
    for line in textwrap.wrap(sheet.signature_hex, 64):
        pdf.set_x(20)
        pdf.cell(170, 4, line, new_x="LMARGIN", new_y="NEXT")


def _seal_mark(pdf: FPDF, *, centre_x: float, centre_y: float, name: str) -> None:
    """A round red seal: a ring, a star and the seal's name inside."""
    radius = 21
    pdf.set_draw_color(*RED)
    pdf.set_fill_color(*RED)
    pdf.set_text_color(*RED)
    pdf.set_line_width(1.2)
    pdf.circle(centre_x, centre_y, radius)
    pdf.star(centre_x, centre_y - 7, 2.5, 6, corners=5, rotate_degrees=90, style="F")
    pdf.set_font(FAMILY, size=7)
    lines = textwrap.wrap(name, 9) or [name]
    pdf.set_xy(centre_x - radius + 4, centre_y + 1)
    pdf.multi_cell(2 * radius - 8, 3.5, "\n".join(lines[:3]), align="C")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
