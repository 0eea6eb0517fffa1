"""Tests for SM3 hashing and SM4 field encryption."""

from __future__ import annotations

import base64
import doctest

import pytest

from shuzhi.platform.security import sm
from shuzhi.platform.security.sm import (
    FieldCipher,
    TamperedCiphertextError,
    UnknownKeyError,
    hmac_sm3_hex,
    sm3_digest,
    sm3_hex,
)

KEY_1 = bytes(range(16))
KEY_2 = bytes(range(16, 32))
TOKEN_KEY = b"token-key-for-tests-32-bytes-lon"


def make_cipher(active: str = "k1", **keys: bytes) -> FieldCipher:
    return FieldCipher(keys=keys or {"k1": KEY_1}, active_key_id=active, token_key=TOKEN_KEY)


def flip_payload_byte(ciphertext: str, index: int) -> str:
    prefix, key_id, payload = ciphertext.split(":")
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[index] ^= 0x01
    return ":".join((prefix, key_id, base64.urlsafe_b64encode(bytes(raw)).decode()))


def test_sm3_matches_gbt_32905_abc_vector() -> None:
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm3_matches_gbt_32905_64_byte_vector() -> None:
    assert sm3_hex(b"abcd" * 16) == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_sm3_digest_is_the_raw_bytes_of_the_hex_digest() -> None:
    assert sm3_digest(b"data").hex() == sm3_hex(b"data")


def test_hmac_sm3_depends_on_key_and_data() -> None:
    mac = hmac_sm3_hex(b"k" * 16, b"data")
    assert len(mac) == 64
    assert mac == hmac_sm3_hex(b"k" * 16, b"data")
    assert mac != hmac_sm3_hex(b"j" * 16, b"data")
    assert mac != hmac_sm3_hex(b"k" * 16, b"date")


def test_field_cipher_round_trips_unicode_and_empty_text() -> None:
    cipher = make_cipher()
    for plaintext in ("张三丰", "浙江省衢州市柯城区", "", "330802199001011232"):
        assert cipher.decrypt(cipher.encrypt(plaintext)) == plaintext


def test_ciphertext_names_the_active_key_and_uses_url_safe_base64() -> None:
    ciphertext = make_cipher().encrypt("x")
    prefix, key_id, payload = ciphertext.split(":")
    assert (prefix, key_id) == ("sm4", "k1")
    raw = base64.urlsafe_b64decode(payload)
    assert len(raw) == 12 + 1 + 16  # nonce, one byte of ciphertext, tag


def test_same_plaintext_encrypts_to_different_ciphertexts() -> None:
    cipher = make_cipher()
    assert cipher.encrypt("张三") != cipher.encrypt("张三")


def test_token_is_deterministic_and_normalises_width_case_and_space() -> None:
    cipher = make_cipher()
    full_width = "11010519491231002X".translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert cipher.token("11010519491231002x") == cipher.token(f" {full_width} ")
    assert cipher.token("a") != cipher.token("b")


def test_token_is_unchanged_when_the_active_key_rotates() -> None:
    before = make_cipher("k1", k1=KEY_1)
    after = make_cipher("k2", k1=KEY_1, k2=KEY_2)
    assert before.token("330802199001011232") == after.token("330802199001011232")


def test_token_depends_on_the_token_key() -> None:
    other = FieldCipher(keys={"k1": KEY_1}, active_key_id="k1", token_key=b"another-token-key")
    assert make_cipher().token("x") != other.token("x")


def test_old_key_still_decrypts_after_rotation() -> None:
    old = make_cipher("k1", k1=KEY_1).encrypt("旧数据")
    rotated = make_cipher("k2", k1=KEY_1, k2=KEY_2)
    assert rotated.decrypt(old) == "旧数据"
    assert rotated.key_id_of(rotated.encrypt("新数据")) == "k2"


def test_rotate_reencrypts_under_the_active_key() -> None:
    old = make_cipher("k1", k1=KEY_1).encrypt("值")
    rotated = make_cipher("k2", k1=KEY_1, k2=KEY_2)
    new = rotated.rotate(old)
    assert rotated.key_id_of(new) == "k2"
    assert rotated.decrypt(new) == "值"
    assert rotated.rotate(new) == new


@pytest.mark.parametrize("index", [0, 11, 12, -17, -1])
def test_changing_any_byte_raises_tampered_ciphertext_error(index: int) -> None:
    cipher = make_cipher()
    tampered = flip_payload_byte(cipher.encrypt("330802199001011232"), index)
    with pytest.raises(TamperedCiphertextError):
        cipher.decrypt(tampered)


def test_relabelling_a_ciphertext_with_another_key_id_is_detected() -> None:
    cipher = make_cipher("k1", k1=KEY_1, k2=KEY_1)
    relabelled = cipher.encrypt("x").replace("sm4:k1:", "sm4:k2:")
    with pytest.raises(TamperedCiphertextError):
        cipher.decrypt(relabelled)


def test_unknown_key_id_raises_unknown_key_error_naming_it() -> None:
    ciphertext = make_cipher("k2", k2=KEY_2).encrypt("x")
    with pytest.raises(UnknownKeyError, match="k2") as caught:
        make_cipher().decrypt(ciphertext)
    assert caught.value.key_id == "k2"
    assert isinstance(caught.value, KeyError)


@pytest.mark.parametrize(
    "value",
    ["", "张三", "sm4:k1", "sm4::AAAA", "aes:k1:" + "A" * 40, "sm4:k1:!!!!", "sm4:k1:AAAA"],
)
def test_malformed_ciphertexts_are_rejected(value: str) -> None:
    cipher = make_cipher()
    assert not cipher.is_ciphertext(value)
    with pytest.raises(TamperedCiphertextError):
        cipher.decrypt(value)


def test_is_ciphertext_and_key_id_of_read_the_format() -> None:
    cipher = make_cipher()
    ciphertext = cipher.encrypt("x")
    assert cipher.is_ciphertext(ciphertext)
    assert cipher.key_id_of(ciphertext) == "k1"


@pytest.mark.parametrize(
    ("keys", "active", "token_key", "message"),
    [
        ({}, "k1", TOKEN_KEY, "at least one"),
        ({"k1": b"short"}, "k1", TOKEN_KEY, "exactly 16 bytes"),
        ({"k:1": KEY_1}, "k:1", TOKEN_KEY, "invalid"),
        ({"k1": KEY_1}, "k2", TOKEN_KEY, "not among"),
        ({"k1": KEY_1}, "k1", b"short", "token key"),
    ],
)
def test_bad_configuration_raises_value_error(
    keys: dict[str, bytes], active: str, token_key: bytes, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        FieldCipher(keys=keys, active_key_id=active, token_key=token_key)


def test_repr_does_not_reveal_key_material() -> None:
    text = repr(make_cipher())
    assert "k1" in text
    assert KEY_1.hex() not in text
    assert str(KEY_1) not in text


def test_module_docstring_examples_run() -> None:
    assert doctest.testmod(sm).failed == 0
