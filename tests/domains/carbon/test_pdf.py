"""The carbon credit report PDF: set in the CJK font (a TrueType collection), and a clear
FontMissing when the font is not there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shuzhi.domains.carbon import pdf

SHEET = pdf.Sheet(
    title="碳账户信用报告",
    subtitle="衢州绿色银行 · 2026-11-25 10:00",
    facts=[("企业", "衢州甲化工有限公司"), ("四色评价", "浅绿")],
    header=["年度", "年度碳排放量", "四色评价"],
    rows=[["2024", "1,350.5", "黄"], ["2025", "1,278", "浅绿"]],
    notes=["碳账户贷 -20 基点"],
    footer="企业授权至 2027-02-23",
)


def test_report_is_a_pdf_with_the_chinese_text_embedded() -> None:
    if not pdf.font_available():
        pytest.skip("fonts-noto-cjk is not installed")
    body = pdf.render(SHEET)
    assert body.startswith(b"%PDF-")
    assert body.rstrip().endswith(b"%%EOF")
    assert b"/FontFile" in body  # the subset of the CJK face is embedded


def test_simplified_chinese_face_is_chosen_from_a_collection() -> None:
    if not pdf.font_available():
        pytest.skip("fonts-noto-cjk is not installed")
    path = str(pdf.font_path())
    if path.endswith(".ttc"):
        from fontTools.ttLib import TTCollection

        index = pdf._face_index(path)
        collection = TTCollection(path, lazy=True)
        assert collection.fonts[index]["name"].getDebugName(1).endswith(" SC")
        collection.close()


def test_missing_font_raises_font_missing(settings: Any, tmp_path: Path) -> None:
    settings.CARBON_PDF_FONT = tmp_path / "none.ttc"
    assert not pdf.font_available()
    with pytest.raises(pdf.FontMissing):
        pdf.render(SHEET)


def test_unreadable_font_raises_font_missing(settings: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    settings.CARBON_PDF_FONT = broken
    with pytest.raises(pdf.FontMissing):
        pdf.render(SHEET)
