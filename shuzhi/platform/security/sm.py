"""SM3 hashing and SM4 field encryption (国密 SM3 / SM4).

SM3 (GB/T 32905-2016) is the platform's hash: audit chains, HMAC tokens, file digests.
SM4 (GB/T 32907-2016) in GCM mode encrypts L3 and L4 fields at rest; each ciphertext
names the key that made it, so keys can rotate without re-encrypting everything at once.

>>> sm3_hex(b"abc")
'66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'
>>> cipher = FieldCipher(keys={"k1": bytes(16)}, active_key_id="k1", token_key=b"t" * 32)
>>> secret = cipher.encrypt("330802199001011234")
>>> secret.startswith("sm4:k1:")
True
>>> cipher.decrypt(secret)
'330802199001011234'
>>> cipher.token(" 330802199001011234 ") == cipher.token("330802199001011234")
True
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import unicodedata
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "FieldCipher",
    "TamperedCiphertextError",
    "UnknownKeyError",
    "hmac_sm3_hex",
    "sm3_digest",
    "sm3_hex",
    "token_normal_form",
]

SM4_KEY_BYTES = 16
GCM_NONCE_BYTES = 12
GCM_TAG_BYTES = 16
MIN_TOKEN_KEY_BYTES = 16
CIPHERTEXT_PREFIX = "sm4"
_SEPARATOR = ":"
_URLSAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def sm3_digest(data: bytes) -> bytes:
    """Return the 32-byte SM3 digest (SM3 杂凑) of ``data``.

    >>> len(sm3_digest(b""))
    32
    """
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hex(data: bytes) -> str:
    """Return the SM3 digest of ``data`` as 64 lower-case hex characters."""
    return sm3_digest(data).hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    """Return HMAC-SM3 of ``data`` under ``key`` as 64 lower-case hex characters.

    >>> hmac_sm3_hex(b"key", b"data") == hmac_sm3_hex(b"key", b"data")
    True
    >>> hmac_sm3_hex(b"key", b"data") == hmac_sm3_hex(b"other", b"data")
    False
    """
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def token_normal_form(value: str) -> str:
    """Return the form of ``value`` that equality tokens are computed over.

    Full-width characters fold to half-width (NFKC), surrounding space goes, and letters
    are upper-cased, so that ``11010519491231002x`` and ``１１０１０５１９４９１２３１００２Ｘ``
    join to the same row.

    >>> token_normal_form(" ９１３５０１００ｍ000100y43 ")
    '91350100M000100Y43'
    """
    return unicodedata.normalize("NFKC", value).strip().upper()


class UnknownKeyError(KeyError):
    """A ciphertext names a key id that this cipher does not hold."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id

    def __str__(self) -> str:
        return f"no SM4 key with id {self.key_id!r} is configured"


class TamperedCiphertextError(ValueError):
    """A ciphertext is malformed or failed authentication (changed, truncated or forged)."""


class FieldCipher:
    """Encrypt and decrypt field values with SM4-GCM under rotating, named keys (字段加密).

    ``keys`` maps a key id to a 16-byte SM4 key; new values are encrypted under
    ``active_key_id`` and any key still in ``keys`` can decrypt. ``token_key`` keys the
    deterministic equality token stored beside each ciphertext; it is separate from the SM4
    keys so that rotating them never changes a token.

    A ciphertext looks like ``sm4:<key_id>:<urlsafe base64 of nonce || ciphertext || tag>``.
    The ``sm4:<key_id>`` header is bound as GCM associated data, so it cannot be edited.
    """

    def __init__(self, *, keys: Mapping[str, bytes], active_key_id: str, token_key: bytes) -> None:
        if not keys:
            raise ValueError("FieldCipher needs at least one SM4 key")
        checked: dict[str, bytes] = {}
        for key_id, key in keys.items():
            if not key_id or _SEPARATOR in key_id or key_id != key_id.strip():
                raise ValueError(
                    f"SM4 key id {key_id!r} is invalid: it must be non-empty, "
                    f"without {_SEPARATOR!r} and without surrounding space"
                )
            if not isinstance(key, bytes) or len(key) != SM4_KEY_BYTES:
                length = len(key) if isinstance(key, bytes) else type(key).__name__
                raise ValueError(
                    f"SM4 key {key_id!r} must be exactly {SM4_KEY_BYTES} bytes, got {length}"
                )
            checked[key_id] = key
        if active_key_id not in checked:
            raise ValueError(
                f"active SM4 key id {active_key_id!r} is not among the configured keys "
                f"{sorted(checked)}"
            )
        if not isinstance(token_key, bytes) or len(token_key) < MIN_TOKEN_KEY_BYTES:
            raise ValueError(f"token key must be at least {MIN_TOKEN_KEY_BYTES} bytes")
        self._keys = checked
        self._active_key_id = active_key_id
        self._token_key = token_key

    def __repr__(self) -> str:
        # Key material must never reach logs or tracebacks; show the ids only.
        return f"FieldCipher(key_ids={sorted(self._keys)}, active_key_id={self._active_key_id!r})"

    @property
    def active_key_id(self) -> str:
        """The id of the key that new ciphertexts are made with."""
        return self._active_key_id

    def encrypt(self, plaintext: str) -> str:
        """Encrypt ``plaintext`` under the active key with a fresh random nonce."""
        key_id = self._active_key_id
        nonce = os.urandom(GCM_NONCE_BYTES)
        encryptor = Cipher(algorithms.SM4(self._keys[key_id]), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(_header(key_id))
        body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
        payload = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode("ascii")
        return _SEPARATOR.join((CIPHERTEXT_PREFIX, key_id, payload))

    def decrypt(self, token: str) -> str:
        """Return the plaintext of ``token``.

        Raises ``UnknownKeyError`` if the key id is not configured and
        ``TamperedCiphertextError`` if the token is malformed or fails authentication.
        """
        key_id, raw = _parse(token)
        key = self._keys.get(key_id)
        if key is None:
            raise UnknownKeyError(key_id)
        nonce = raw[:GCM_NONCE_BYTES]
        tag = raw[-GCM_TAG_BYTES:]
        body = raw[GCM_NONCE_BYTES:-GCM_TAG_BYTES]
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(_header(key_id))
        try:
            plaintext = decryptor.update(body) + decryptor.finalize()
        except InvalidTag:
            raise TamperedCiphertextError(
                f"SM4 ciphertext under key {key_id!r} failed authentication"
            ) from None
        try:
            return plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise TamperedCiphertextError("SM4 plaintext is not valid UTF-8") from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt ``ciphertext`` under the active key; return it unchanged if it already is.

        >>> old = FieldCipher(keys={"k1": bytes(16)}, active_key_id="k1", token_key=b"t" * 16)
        >>> keys = {"k1": bytes(16), "k2": bytes(range(16))}
        >>> new = FieldCipher(keys=keys, active_key_id="k2", token_key=b"t" * 16)
        >>> new.key_id_of(new.rotate(old.encrypt("x")))
        'k2'
        """
        if self.key_id_of(ciphertext) == self._active_key_id:
            self.decrypt(ciphertext)  # still prove it is intact
            return ciphertext
        return self.encrypt(self.decrypt(ciphertext))

    def key_id_of(self, ciphertext: str) -> str:
        """Return the id of the key that made ``ciphertext``, without decrypting it."""
        return _parse(ciphertext)[0]

    def is_ciphertext(self, value: str) -> bool:
        """Tell whether ``value`` is shaped like a ciphertext of this scheme.

        This checks the format only; it does not prove the key is held or the tag is good.

        >>> cipher = FieldCipher(keys={"k1": bytes(16)}, active_key_id="k1", token_key=b"t" * 16)
        >>> cipher.is_ciphertext(cipher.encrypt("")), cipher.is_ciphertext("张三")
        (True, False)
        """
        try:
            _parse(value)
        except TamperedCiphertextError:
            return False
        return True

    def token(self, value: str) -> str:
        """Return the deterministic equality token (HMAC-SM3) of ``value``'s normal form.

        Stored beside each ciphertext so equal values can be joined and looked up without
        decryption; it depends only on ``token_key``, never on the SM4 keys.
        """
        return hmac_sm3_hex(self._token_key, token_normal_form(value).encode("utf-8"))


def _header(key_id: str) -> bytes:
    return f"{CIPHERTEXT_PREFIX}{_SEPARATOR}{key_id}".encode()


def _parse(token: str) -> tuple[str, bytes]:
    """Split a ciphertext into its key id and raw ``nonce || body || tag`` bytes."""
    if not isinstance(token, str):
        raise TamperedCiphertextError("SM4 ciphertext must be a string")
    parts = token.split(_SEPARATOR)
    if len(parts) != 3 or parts[0] != CIPHERTEXT_PREFIX or not parts[1]:
        raise TamperedCiphertextError("value is not an 'sm4:<key_id>:<payload>' ciphertext")
    key_id, payload = parts[1], parts[2]
    if not _URLSAFE_BASE64.fullmatch(payload):
        raise TamperedCiphertextError("SM4 ciphertext payload is not url-safe base64")
    try:
        raw = base64.b64decode(payload.encode("ascii"), altchars=b"-_", validate=True)
    except binascii.Error:
        raise TamperedCiphertextError("SM4 ciphertext payload is not url-safe base64") from None
    if len(raw) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
        raise TamperedCiphertextError("SM4 ciphertext payload is too short")
    return key_id, raw
