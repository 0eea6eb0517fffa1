"""Uploaded materials are judged by their content (magic bytes), not their name."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.domains.services import files
from tests.domains.services.catalogue_city import JPEG, PDF, PNG


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(("content", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg")])
def test_sniff_knows_pdf_png_jpeg(content: bytes, kind: str) -> None:
    assert files.sniff(content[:16]) == kind


def test_sniff_does_not_know_text() -> None:
    assert files.sniff(b"hello, world") == ""
    assert files.sniff(b"") == ""


def test_a_pdf_is_accepted_with_its_digest() -> None:
    checked = files.check_upload(upload("licence.pdf", PDF), ["pdf"])
    assert checked.kind == "pdf"
    assert checked.size == len(PDF)
    assert len(checked.sha256) == 64


def test_a_png_named_pdf_is_refused() -> None:
    with pytest.raises(files.FileProblem) as refused:
        files.check_upload(upload("licence.pdf", PNG), ["pdf", "png"])
    assert refused.value.code == "name_mismatch"
    assert refused.value.kind == "png"


def test_a_text_file_named_pdf_is_refused() -> None:
    with pytest.raises(files.FileProblem) as refused:
        files.check_upload(upload("licence.pdf", b"not a pdf at all"), ["pdf"])
    assert refused.value.code == "unknown_kind"


def test_a_kind_the_material_does_not_take_is_refused() -> None:
    with pytest.raises(files.FileProblem) as refused:
        files.check_upload(upload("photo.png", PNG), ["pdf"])
    assert refused.value.code == "not_accepted"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(files.FileProblem) as refused:
        files.check_upload(upload("empty.pdf", b""), ["pdf"])
    assert refused.value.code == "empty"


def test_a_file_over_ten_megabytes_is_refused() -> None:
    big = PDF + b"0" * files.MAX_BYTES
    with pytest.raises(files.FileProblem) as refused:
        files.check_upload(upload("big.pdf", big), ["pdf"])
    assert refused.value.code == "too_large"


def test_a_name_without_a_known_suffix_is_judged_by_content() -> None:
    assert files.check_upload(upload("scan", JPEG), ["jpeg"]).kind == "jpeg"
