"""The CJK font printable PDFs are set in (carbon credit reports, e-licences): one setting,
``settings.CARBON_PDF_FONT`` (the Debian package fonts-noto-cjk by default), and the face of a
font collection to use."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings


class FontMissing(Exception):
    """The configured CJK font file is not there (or cannot be read)."""


def font_path() -> Path:
    return Path(settings.CARBON_PDF_FONT)


def font_available() -> bool:
    return font_path().is_file()


@lru_cache(maxsize=4)
def face_index(path: str) -> int:
    """The Simplified Chinese face of a collection (e.g. Noto Sans CJK SC), else the first."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(1) or ""
            if family.endswith(" SC") and "Mono" not in family:
                return index
    finally:
        collection.close()
    return 0
