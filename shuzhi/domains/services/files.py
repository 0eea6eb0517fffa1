"""Uploaded application materials (申请材料) checked by their content, never by their name.

``sniff`` reads the first bytes (magic numbers): PDF starts with ``%PDF-``, PNG with its
eight-byte signature, JPEG with ``FF D8 FF``. ``check_upload`` reads the whole upload once, refuses
one that is empty, larger than :data:`MAX_BYTES`, of a kind the material does not accept, or whose
name claims another kind than its content (a PNG named ``.pdf``), and returns what it found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Final

MAX_BYTES: Final = 10 * 1024 * 1024  # 10 MB per material
KINDS: Final = ("pdf", "png", "jpeg")
# the kind a file name claims by its suffix
_SUFFIXES: Final = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}
_PNG: Final = b"\x89PNG\r\n\x1a\n"


def sniff(head: bytes) -> str:
    """The kind of a file from its first bytes: ``pdf``, ``png``, ``jpeg`` or ``""`` (unknown)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_PNG):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return ""


def claimed_kind(name: str) -> str:
    """The kind a file name claims by its suffix (``""`` when none we know)."""
    name = (name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    return _SUFFIXES.get(suffix, "")


@dataclass(frozen=True)
class Checked:
    kind: str
    size: int
    sha256: str
    name: str


class FileProblem(ValueError):
    """Why an upload is refused: ``code`` is stable, the caller words the message."""

    def __init__(self, code: str, *, kind: str = "", size: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.kind = kind
        self.size = size


def check_upload(upload: Any, accepted: list[str] | tuple[str, ...]) -> Checked:
    """Check ``upload`` (a Django ``UploadedFile``) against the ``accepted`` kinds.

    Raises :class:`FileProblem` with code ``empty``, ``too_large``, ``unknown_kind`` (content is
    none of PDF/PNG/JPEG), ``name_mismatch`` (the name claims another kind than the content) or
    ``not_accepted`` (the content is a kind this material does not take).
    """
    size = int(getattr(upload, "size", 0) or 0)
    if size > MAX_BYTES:
        raise FileProblem("too_large", size=size)
    digest = hashlib.sha256()
    head = b""
    read = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
        read += len(chunk)
        if read > MAX_BYTES:
            raise FileProblem("too_large", size=read)
    upload.seek(0)
    if read == 0:
        raise FileProblem("empty")
    kind = sniff(head)
    if not kind:
        raise FileProblem("unknown_kind")
    claimed = claimed_kind(getattr(upload, "name", "") or "")
    if claimed and claimed != kind:
        raise FileProblem("name_mismatch", kind=kind)
    if kind not in (accepted or KINDS):
        raise FileProblem("not_accepted", kind=kind)
    name = str(getattr(upload, "name", "") or "material").rsplit("/", 1)[-1][:200]
    return Checked(kind=kind, size=read, sha256=digest.hexdigest(), name=name)
