"""The licence's e-seal signature verifies with the OpenSSL command line (SM2, SM3, distid).

    openssl dgst -sm3 -verify seal.pem -signature sig.der \\
        -sigopt distid:1234567812345678 canonical.json
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from shuzhi.domains.services.licence_seal import canonical_bytes
from shuzhi.domains.services.selectors.licences import licence_payload
from shuzhi.platform.security.sm2 import DEFAULT_USER_ID, public_key_to_pem, signature_to_der
from tests.domains.services.test_licences import World, issue_food, make_world

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def world(db: None, settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def _openssl_verify(tmp_path: Path, data: bytes, signature_hex: str, public_hex: str) -> str:
    (tmp_path / "canonical.json").write_bytes(data)
    (tmp_path / "sig.der").write_bytes(signature_to_der(signature_hex))
    (tmp_path / "seal.pem").write_text(public_key_to_pem(public_hex))
    done = subprocess.run(
        [
            "openssl",
            "dgst",
            "-sm3",
            "-verify",
            str(tmp_path / "seal.pem"),
            "-signature",
            str(tmp_path / "sig.der"),
            "-sigopt",
            f"distid:{DEFAULT_USER_ID}",
            str(tmp_path / "canonical.json"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.stdout + done.stderr


def test_openssl_verifies_the_licence_and_rejects_a_tampered_one(
    world: World, tmp_path: Path
) -> None:
    licence = issue_food(world)
    data = canonical_bytes(licence_payload(licence))
    public = licence.seal.public_key_hex
    assert "Verified OK" in _openssl_verify(tmp_path, data, licence.signature_hex, public)
    tampered = data.replace(licence.holder_name.encode(), "冒名餐饮有限公司".encode())
    assert tampered != data
    assert "Verification failure" in _openssl_verify(
        tmp_path, tampered, licence.signature_hex, public
    )
