"""Tests for SM2 e-seal signatures, including verification by the OpenSSL command line."""

from __future__ import annotations

import doctest
import shutil
import subprocess
from pathlib import Path

import pytest

from shuzhi.platform.security import sm2
from shuzhi.platform.security.sm2 import (
    DEFAULT_USER_ID,
    SM2KeyPair,
    public_key_from_pem,
    public_key_to_pem,
    signature_from_der,
    signature_to_der,
    verify,
)

N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
DATA = "衢州市市场监督管理局 电子印章 2025-0001".encode()

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


@pytest.fixture(scope="module")
def pair() -> SM2KeyPair:
    return SM2KeyPair.generate()


def openssl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *map(str, args)], capture_output=True, text=True, check=False, timeout=30
    )


def openssl_verify(tmp_path: Path, public_pem: str, data: bytes, der: bytes) -> str:
    (tmp_path / "pub.pem").write_text(public_pem)
    (tmp_path / "sig.der").write_bytes(der)
    (tmp_path / "data.bin").write_bytes(data)
    result = openssl(
        "dgst", "-sm3", "-verify", tmp_path / "pub.pem", "-signature", tmp_path / "sig.der",
        "-sigopt", f"distid:{DEFAULT_USER_ID}", tmp_path / "data.bin",
    )  # fmt: skip
    return result.stdout + result.stderr


def test_generated_key_pair_has_gmssl_hex_shapes(pair: SM2KeyPair) -> None:
    assert len(pair.private_key_hex) == 64
    assert len(pair.public_key_hex) == 128
    assert 1 <= int(pair.private_key_hex, 16) <= N - 2
    assert SM2KeyPair.from_private_key_hex(pair.private_key_hex) == pair


def test_generated_keys_differ() -> None:
    assert SM2KeyPair.generate().private_key_hex != SM2KeyPair.generate().private_key_hex


def test_repr_hides_the_private_key(pair: SM2KeyPair) -> None:
    assert pair.private_key_hex not in repr(pair)


def test_sign_then_verify_round_trips(pair: SM2KeyPair) -> None:
    signature = pair.sign(DATA)
    assert len(signature) == 128
    assert verify(public_key_hex=pair.public_key_hex, data=DATA, signature_hex=signature)


def test_verify_accepts_the_04_prefix_and_upper_case(pair: SM2KeyPair) -> None:
    signature = pair.sign(DATA)
    assert verify(public_key_hex="04" + pair.public_key_hex.upper(), data=DATA,
                  signature_hex=signature.upper())  # fmt: skip


def test_signatures_use_fresh_nonces(pair: SM2KeyPair) -> None:
    assert pair.sign(DATA) != pair.sign(DATA)


def test_public_key_starting_with_04_is_not_mangled(tmp_path: Path) -> None:
    # gmssl strips a "04" prefix with str.lstrip, which would eat the start of this x.
    pair = SM2KeyPair.from_private_key_hex(f"{11:064x}")
    assert pair.public_key_hex.startswith("04")
    signature = pair.sign(DATA)
    assert verify(public_key_hex=pair.public_key_hex, data=DATA, signature_hex=signature)
    if shutil.which("openssl"):
        der = signature_to_der(signature)
        assert "Verified OK" in openssl_verify(tmp_path, pair.public_key_pem(), DATA, der)


def test_tampered_data_fails_verification(pair: SM2KeyPair) -> None:
    signature = pair.sign(DATA)
    assert not verify(public_key_hex=pair.public_key_hex, data=DATA + b"!", signature_hex=signature)


def test_tampered_signature_fails_verification(pair: SM2KeyPair) -> None:
    signature = pair.sign(DATA)
    tampered = signature[:10] + ("0" if signature[10] != "0" else "1") + signature[11:]
    assert not verify(public_key_hex=pair.public_key_hex, data=DATA, signature_hex=tampered)


def test_another_key_fails_verification(pair: SM2KeyPair) -> None:
    other = SM2KeyPair.generate()
    assert not verify(public_key_hex=other.public_key_hex, data=DATA, signature_hex=pair.sign(DATA))


@pytest.mark.parametrize(
    ("public_key_hex", "signature_hex"),
    [
        ("", "00" * 64),
        ("zz" * 64, "11" * 64),
        ("11" * 64, "11" * 64),  # not a point on the curve
        (None, "11" * 64),
        ("VALID", "00" * 64),  # r = s = 0
        ("VALID", f"{N:064x}" + "01" * 32),  # r = n
        ("VALID", "11" * 63),
        ("VALID", "11 " * 42 + "11"),
    ],
)
def test_malformed_input_returns_false_without_raising(
    pair: SM2KeyPair, public_key_hex: str | None, signature_hex: str
) -> None:
    key = pair.public_key_hex if public_key_hex == "VALID" else public_key_hex
    assert verify(public_key_hex=key, data=DATA, signature_hex=signature_hex) is False  # type: ignore[arg-type]


def test_der_round_trip(pair: SM2KeyPair) -> None:
    for _ in range(5):
        signature = pair.sign(DATA)
        assert signature_from_der(signature_to_der(signature)) == signature


@pytest.mark.parametrize(
    ("r", "s", "der_hex"),
    [
        (1, 0x7F, "3006020101020 17f"),
        (0x80, 1, "30070202008002 0101"),
        (0xFF << 248, 0x01 << 248, "30450221 00ff" + "00" * 31 + "0220 01" + "00" * 31),
    ],
)
def test_der_integers_are_minimal_with_a_zero_before_a_high_bit(
    r: int, s: int, der_hex: str
) -> None:
    der = signature_to_der(f"{r:064x}{s:064x}")
    assert der.hex() == der_hex.replace(" ", "")
    assert signature_from_der(der) == f"{r:064x}{s:064x}"


@pytest.mark.parametrize(
    "der_hex",
    [
        "",
        "3006020101020101ff",  # a byte after the SEQUENCE
        "300702010102010100",  # a byte after s inside the SEQUENCE
        "30070202000102017f",  # non-minimal integer
        "3006020181020101",  # negative integer
        "3005020101020100",  # s truncated
        "3006020100020101",  # r = 0
        "308106020101020101",  # non-minimal length
        "3106020101020101",  # not a SEQUENCE
    ],
)
def test_malformed_der_signatures_are_rejected(der_hex: str) -> None:
    with pytest.raises(ValueError, match="DER"):
        signature_from_der(bytes.fromhex(der_hex))


def test_signature_to_der_rejects_bad_hex() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        signature_to_der("00" * 64)
    with pytest.raises(ValueError, match="128 hex characters"):
        signature_to_der("xy" * 64)


def test_public_key_pem_round_trips(pair: SM2KeyPair) -> None:
    pem = pair.public_key_pem()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert public_key_from_pem(pem) == pair.public_key_hex
    assert public_key_to_pem("04" + pair.public_key_hex) == pem


def test_private_key_pem_round_trips(pair: SM2KeyPair) -> None:
    pem = pair.private_key_pem()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert SM2KeyPair.from_private_key_pem(pem) == pair


def test_public_key_to_pem_rejects_points_off_the_curve() -> None:
    with pytest.raises(ValueError, match="point on the curve"):
        public_key_to_pem("11" * 64)


def test_key_pair_rejects_a_mismatched_public_key(pair: SM2KeyPair) -> None:
    with pytest.raises(ValueError, match="does not belong"):
        SM2KeyPair(private_key_hex=pair.private_key_hex, public_key_hex="11" * 64)


@needs_openssl
def test_openssl_verifies_our_signature(pair: SM2KeyPair, tmp_path: Path) -> None:
    der = signature_to_der(pair.sign(DATA))
    assert "Verified OK" in openssl_verify(tmp_path, pair.public_key_pem(), DATA, der)


@needs_openssl
def test_openssl_rejects_tampered_data(pair: SM2KeyPair, tmp_path: Path) -> None:
    der = signature_to_der(pair.sign(DATA))
    output = openssl_verify(tmp_path, pair.public_key_pem(), DATA + b"x", der)
    assert "Verified OK" not in output
    assert "Verification failure" in output


@needs_openssl
def test_openssl_reads_our_private_key_and_we_verify_its_signature(
    pair: SM2KeyPair, tmp_path: Path
) -> None:
    (tmp_path / "key.pem").write_text(pair.private_key_pem())
    (tmp_path / "data.bin").write_bytes(DATA)
    public = openssl("pkey", "-in", tmp_path / "key.pem", "-pubout")
    assert public.stdout == pair.public_key_pem()
    signed = openssl(
        "dgst", "-sm3", "-sign", tmp_path / "key.pem", "-sigopt", f"distid:{DEFAULT_USER_ID}",
        "-out", tmp_path / "sig.der", tmp_path / "data.bin",
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    signature = signature_from_der((tmp_path / "sig.der").read_bytes())
    assert verify(public_key_hex=pair.public_key_hex, data=DATA, signature_hex=signature)


@needs_openssl
def test_keys_generated_by_openssl_load_and_sign(tmp_path: Path) -> None:
    generated = openssl("genpkey", "-algorithm", "SM2", "-out", tmp_path / "key.pem")
    assert generated.returncode == 0, generated.stderr
    pair = SM2KeyPair.from_private_key_pem((tmp_path / "key.pem").read_text())
    public_pem = openssl("pkey", "-in", tmp_path / "key.pem", "-pubout").stdout
    assert public_key_from_pem(public_pem) == pair.public_key_hex
    der = signature_to_der(pair.sign(DATA))
    assert "Verified OK" in openssl_verify(tmp_path, public_pem, DATA, der)


def test_module_docstring_examples_run() -> None:
    assert doctest.testmod(sm2).failed == 0
