"""SM2 signatures for the e-seal component (电子印章), interoperable with OpenSSL.

Signing uses gmssl's ``sign_with_sm3`` (GB/T 32918.2-2016 with the SM3 ``Z`` value over the
default user id ``1234567812345678``, GB/T 35276-2017). A signature is ``r || s`` as 128 hex
characters; ``signature_to_der`` turns it into the ASN.1 form that ``openssl dgst -sm3 -verify
… -sigopt distid:1234567812345678`` accepts, and the key pair exports PEM files OpenSSL reads.

>>> pair = SM2KeyPair.generate()
>>> signature = pair.sign(b"certificate 2025-0001")
>>> verify(public_key_hex=pair.public_key_hex, data=b"certificate 2025-0001",
...        signature_hex=signature)
True
>>> verify(public_key_hex=pair.public_key_hex, data=b"certificate 2025-0002",
...        signature_hex=signature)
False
>>> signature_from_der(signature_to_der(signature)) == signature
True
>>> pair.public_key_pem().splitlines()[0]
'-----BEGIN PUBLIC KEY-----'
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import textwrap
from dataclasses import dataclass, field

from gmssl import sm2 as gmssl_sm2

__all__ = [
    "DEFAULT_USER_ID",
    "EC_PUBLIC_KEY_OID",
    "SM2_CURVE_OID",
    "SM2KeyPair",
    "public_key_from_pem",
    "public_key_to_pem",
    "signature_from_der",
    "signature_to_der",
    "verify",
]

# gmssl hashes this user id (ID_A) into Z; OpenSSL needs it passed as ``distid``.
DEFAULT_USER_ID = "1234567812345678"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"  # id-ecPublicKey, RFC 5480
SM2_CURVE_OID = "1.2.156.10197.1.301"  # sm2p256v1, GB/T 33560-2017

_CURVE = gmssl_sm2.default_ecc_table
_P = int(_CURVE["p"], 16)
_A = int(_CURVE["a"], 16)
_B = int(_CURVE["b"], 16)
_N = int(_CURVE["n"], 16)
_G = str(_CURVE["g"])

_HEX_64 = re.compile(r"[0-9a-fA-F]{64}")
_HEX_128 = re.compile(r"[0-9a-fA-F]{128}")
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")

_TAG_INTEGER = 0x02
_TAG_BIT_STRING = 0x03
_TAG_OCTET_STRING = 0x04
_TAG_OID = 0x06
_TAG_SEQUENCE = 0x30
_TAG_CONTEXT_0 = 0xA0
_TAG_CONTEXT_1 = 0xA1


@dataclass(frozen=True)
class SM2KeyPair:
    """An SM2 key pair (SM2 密钥对) in gmssl's hex form.

    ``private_key_hex`` is the scalar d as 64 hex characters; ``public_key_hex`` is the point
    d·G as ``x || y``, 128 hex characters without the ``04`` prefix. The private key is left
    out of ``repr`` so it cannot leak into logs.
    """

    private_key_hex: str = field(repr=False)
    public_key_hex: str

    def __post_init__(self) -> None:
        if not isinstance(self.private_key_hex, str) or not _HEX_64.fullmatch(self.private_key_hex):
            raise ValueError("SM2 private key must be 64 hex characters")
        d = int(self.private_key_hex, 16)
        if not 1 <= d <= _N - 2:
            raise ValueError("SM2 private key is outside [1, n-2]")
        if not isinstance(self.public_key_hex, str) or not _HEX_128.fullmatch(self.public_key_hex):
            raise ValueError("SM2 public key must be 128 hex characters (x || y, no 04 prefix)")
        if self.public_key_hex.lower() != _multiply_base(d):
            raise ValueError("SM2 public key does not belong to the private key")
        object.__setattr__(self, "private_key_hex", self.private_key_hex.lower())
        object.__setattr__(self, "public_key_hex", self.public_key_hex.lower())

    @classmethod
    def generate(cls) -> SM2KeyPair:
        """Make a new key pair from the operating system's secure random source."""
        return cls.from_private_key_hex(f"{secrets.randbelow(_N - 2) + 1:064x}")

    @classmethod
    def from_private_key_hex(cls, private_key_hex: str) -> SM2KeyPair:
        """Rebuild a key pair from its private scalar (64 hex characters)."""
        if not isinstance(private_key_hex, str) or not _HEX_64.fullmatch(private_key_hex):
            raise ValueError("SM2 private key must be 64 hex characters")
        d = int(private_key_hex, 16)
        if not 1 <= d <= _N - 2:
            raise ValueError("SM2 private key is outside [1, n-2]")
        return cls(private_key_hex=private_key_hex, public_key_hex=_multiply_base(d))

    @classmethod
    def from_private_key_pem(cls, pem: str) -> SM2KeyPair:
        """Load an unencrypted SM2 private key PEM (PKCS#8 or SEC1), as OpenSSL writes them.

        Accepts ``openssl genpkey -algorithm SM2`` output (``PRIVATE KEY``) and
        ``openssl ec`` output (``EC PRIVATE KEY`` / ``SM2 PRIVATE KEY``).
        """
        label, der = _pem_decode(pem)
        if label == "PRIVATE KEY":
            version, rest = _read_integer_from(_unwrap(der, _TAG_SEQUENCE))
            if version != 0:
                raise ValueError("unsupported PKCS#8 version")
            algorithm, rest = _read(rest, _TAG_SEQUENCE)
            if algorithm != _ALGORITHM_IDENTIFIER_BODY:
                raise ValueError("PKCS#8 key is not an SM2 key (id-ecPublicKey with sm2 curve)")
            # Optional [0] attributes and [1] public key (PKCS#8 v2) may follow; ignore them.
            sec1, _optional = _read(rest, _TAG_OCTET_STRING)
        elif label in ("EC PRIVATE KEY", "SM2 PRIVATE KEY"):
            sec1 = der
        else:
            raise ValueError(f"PEM block {label!r} is not an SM2 private key")
        return cls._from_sec1(sec1)

    @classmethod
    def _from_sec1(cls, der: bytes) -> SM2KeyPair:
        version, rest = _read_integer_from(_unwrap(der, _TAG_SEQUENCE))
        if version != 1:
            raise ValueError("unsupported EC private key version")
        scalar, rest = _read(rest, _TAG_OCTET_STRING)
        if not 1 <= len(scalar) <= 32:
            raise ValueError("EC private key scalar has the wrong length")
        pair = cls.from_private_key_hex(scalar.rjust(32, b"\0").hex())
        while rest:
            tag, content, rest = _read_any(rest)
            if tag == _TAG_CONTEXT_0 and content != _encode_oid(SM2_CURVE_OID):
                raise ValueError("EC private key is not on the SM2 curve")
            if tag == _TAG_CONTEXT_1 and _unwrap(content, _TAG_BIT_STRING) != (
                b"\x00\x04" + bytes.fromhex(pair.public_key_hex)
            ):
                raise ValueError("EC private key carries a public key that does not match")
        return pair

    def sign(self, data: bytes) -> str:
        """Sign ``data`` (SM3 with Z over the default user id) and return ``r || s`` hex."""
        crypt = _crypt(private_key_hex=self.private_key_hex, public_key_hex=self.public_key_hex)
        while True:
            # gmssl's own nonce comes from ``random``; a predictable k reveals the private key.
            k = f"{secrets.randbelow(_N - 1) + 1:064x}"
            signature = crypt.sign_with_sm3(data, k)
            if signature:  # None for the rare k that gives r = 0, r + k = n or s = 0
                return str(signature)

    def public_key_pem(self) -> str:
        """Return the public key as a PEM SubjectPublicKeyInfo (``BEGIN PUBLIC KEY``)."""
        return public_key_to_pem(self.public_key_hex)

    def private_key_pem(self) -> str:
        """Return the private key as unencrypted PEM PKCS#8 (``BEGIN PRIVATE KEY``).

        The layout matches ``openssl genpkey -algorithm SM2``: an ECPrivateKey (RFC 5915)
        with the public key, wrapped in PKCS#8 with the SM2 curve as algorithm parameters.
        """
        sec1 = _tlv(
            _TAG_SEQUENCE,
            _encode_integer(1)
            + _tlv(_TAG_OCTET_STRING, bytes.fromhex(self.private_key_hex))
            + _tlv(_TAG_CONTEXT_1, _public_key_bit_string(self.public_key_hex)),
        )
        pkcs8 = _tlv(
            _TAG_SEQUENCE,
            _encode_integer(0)
            + _tlv(_TAG_SEQUENCE, _ALGORITHM_IDENTIFIER_BODY)
            + _tlv(_TAG_OCTET_STRING, sec1),
        )
        return _pem_encode("PRIVATE KEY", pkcs8)


def verify(*, public_key_hex: str, data: bytes, signature_hex: str) -> bool:
    """Tell whether ``signature_hex`` (``r || s``) is a valid SM2 signature of ``data``.

    Returns False, never raises, for malformed keys or signatures. The public key may carry
    the uncompressed-point prefix ``04``.
    """
    if not isinstance(public_key_hex, str) or not isinstance(signature_hex, str):
        return False
    if not isinstance(data, bytes | bytearray):
        return False
    if len(public_key_hex) == 130 and public_key_hex.startswith("04"):
        public_key_hex = public_key_hex[2:]
    if not _HEX_128.fullmatch(public_key_hex) or not _HEX_128.fullmatch(signature_hex):
        return False
    r, s = int(signature_hex[:64], 16), int(signature_hex[64:], 16)
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    public_key_hex = public_key_hex.lower()
    if not _is_on_curve(public_key_hex):
        return False
    crypt = _crypt(private_key_hex="", public_key_hex=public_key_hex)
    try:
        return bool(crypt.verify_with_sm3(signature_hex.lower(), bytes(data)))
    except (TypeError, ValueError):  # gmssl fails this way on a point at infinity
        return False


def signature_to_der(signature_hex: str) -> bytes:
    """Encode an ``r || s`` hex signature as DER ``SEQUENCE { INTEGER r, INTEGER s }``.

    An integer whose top bit is set gets a leading zero byte so it stays positive:

    >>> signature_to_der("00" * 31 + "01" + "80" + "00" * 31)[:8].hex()
    '3026020101022100'
    """
    if not isinstance(signature_hex, str) or not _HEX_128.fullmatch(signature_hex):
        raise ValueError("SM2 signature must be 128 hex characters (r || s)")
    r, s = int(signature_hex[:64], 16), int(signature_hex[64:], 16)
    if r == 0 or s == 0:
        raise ValueError("SM2 signature components r and s must be positive")
    return _tlv(_TAG_SEQUENCE, _encode_integer(r) + _encode_integer(s))


def signature_from_der(der: bytes) -> str:
    """Decode a DER ``SEQUENCE { INTEGER r, INTEGER s }`` into ``r || s`` hex (128 chars).

    Strict DER: minimal lengths and integers, no trailing bytes, 0 < r, s < n.
    """
    r, rest = _read_integer_from(_unwrap(bytes(der), _TAG_SEQUENCE))
    s, rest = _read_integer_from(rest)
    if rest:
        raise ValueError("DER signature has bytes after s")
    if not (1 <= r < _N and 1 <= s < _N):
        raise ValueError("DER signature r or s is outside [1, n-1]")
    return f"{r:064x}{s:064x}"


def public_key_to_pem(public_key_hex: str) -> str:
    """Return an SM2 public key (``x || y`` hex) as PEM SubjectPublicKeyInfo.

    The algorithm is id-ecPublicKey with the SM2 curve OID as its parameter, which
    OpenSSL 3 reads as an SM2 key.
    """
    if len(public_key_hex) == 130 and public_key_hex.startswith("04"):
        public_key_hex = public_key_hex[2:]
    if not _HEX_128.fullmatch(public_key_hex) or not _is_on_curve(public_key_hex.lower()):
        raise ValueError("SM2 public key must be 128 hex characters naming a point on the curve")
    spki = _tlv(
        _TAG_SEQUENCE,
        _tlv(_TAG_SEQUENCE, _ALGORITHM_IDENTIFIER_BODY)
        + _public_key_bit_string(public_key_hex.lower()),
    )
    return _pem_encode("PUBLIC KEY", spki)


def public_key_from_pem(pem: str) -> str:
    """Return the ``x || y`` hex of an SM2 ``BEGIN PUBLIC KEY`` PEM (as OpenSSL writes it)."""
    label, der = _pem_decode(pem)
    if label != "PUBLIC KEY":
        raise ValueError(f"PEM block {label!r} is not a public key")
    algorithm, rest = _read(_unwrap(der, _TAG_SEQUENCE), _TAG_SEQUENCE)
    if algorithm != _ALGORITHM_IDENTIFIER_BODY:
        raise ValueError("public key is not an SM2 key (id-ecPublicKey with sm2 curve)")
    bits, rest = _read(rest, _TAG_BIT_STRING)
    if rest or len(bits) != 66 or bits[:2] != b"\x00\x04":
        raise ValueError("public key is not an uncompressed SM2 point")
    public_key_hex = bits[2:].hex()
    if not _is_on_curve(public_key_hex):
        raise ValueError("public key point is not on the SM2 curve")
    return public_key_hex


# --- curve arithmetic helpers -------------------------------------------------------------


def _crypt(*, private_key_hex: str, public_key_hex: str) -> gmssl_sm2.CryptSM2:
    # gmssl strips a leading "04" with str.lstrip("04"), which also eats the first digits of
    # an x coordinate that starts with 0 or 4; set the attribute directly to avoid that.
    crypt = gmssl_sm2.CryptSM2(private_key=private_key_hex, public_key="")
    crypt.public_key = public_key_hex
    return crypt


def _multiply_base(d: int) -> str:
    point = _crypt(private_key_hex="", public_key_hex="")._kg(d, _G)
    return str(point).lower()


def _is_on_curve(public_key_hex: str) -> bool:
    x, y = int(public_key_hex[:64], 16), int(public_key_hex[64:], 16)
    if x >= _P or y >= _P:
        return False
    return (y * y - (x * x * x + _A * x + _B)) % _P == 0


# --- a small DER encoder and reader (X.690), enough for keys and signatures ---------------


def _encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _encode_length(len(content)) + content


def _encode_integer(value: int) -> bytes:
    """DER INTEGER for a non-negative value: minimal, with 0x00 before a set high bit."""
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return _tlv(_TAG_INTEGER, body)


def _encode_oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        # Base 128, most significant group first, the high bit set on all but the last.
        groups = [arc & 0x7F]
        rest = arc >> 7
        while rest:
            groups.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body.extend(reversed(groups))
    return _tlv(_TAG_OID, bytes(body))


_ALGORITHM_IDENTIFIER_BODY = _encode_oid(EC_PUBLIC_KEY_OID) + _encode_oid(SM2_CURVE_OID)


def _public_key_bit_string(public_key_hex: str) -> bytes:
    return _tlv(_TAG_BIT_STRING, b"\x00\x04" + bytes.fromhex(public_key_hex))


def _read_any(der: bytes) -> tuple[int, bytes, bytes]:
    """Read one TLV; return its tag, content and the bytes after it. Strict DER lengths."""
    if len(der) < 2:
        raise ValueError("DER is truncated")
    tag, first = der[0], der[1]
    if tag & 0x1F == 0x1F:
        raise ValueError("DER multi-byte tags are not supported")
    position = 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(der) < position + count:
            raise ValueError("DER length is indefinite or malformed")
        length = int.from_bytes(der[position : position + count], "big")
        if length < 0x80 or der[position] == 0:
            raise ValueError("DER length is not minimal")
        position += count
    end = position + length
    if end > len(der):
        raise ValueError("DER is truncated")
    return tag, der[position:end], der[end:]


def _read(der: bytes, expected_tag: int) -> tuple[bytes, bytes]:
    tag, content, rest = _read_any(der)
    if tag != expected_tag:
        raise ValueError(f"DER: expected tag 0x{expected_tag:02x}, found 0x{tag:02x}")
    return content, rest


def _unwrap(der: bytes, expected_tag: int) -> bytes:
    """Read exactly one TLV with ``expected_tag`` and nothing after it."""
    content, rest = _read(der, expected_tag)
    if rest:
        raise ValueError("DER has trailing bytes")
    return content


def _read_integer_from(der: bytes) -> tuple[int, bytes]:
    """Read a non-negative, minimally encoded DER INTEGER."""
    content, rest = _read(der, _TAG_INTEGER)
    if not content:
        raise ValueError("DER INTEGER is empty")
    if content[0] & 0x80:
        raise ValueError("DER INTEGER is negative")
    if len(content) > 1 and content[0] == 0 and not content[1] & 0x80:
        raise ValueError("DER INTEGER is not minimal")
    return int.from_bytes(content, "big"), rest


def _pem_encode(label: str, der: bytes) -> str:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def _pem_decode(pem: str) -> tuple[str, bytes]:
    match = _PEM.search(pem)
    if match is None:
        raise ValueError("no PEM block found")
    try:
        der = base64.b64decode("".join(match.group(2).split()), validate=True)
    except binascii.Error:
        raise ValueError("PEM body is not valid base64") from None
    return match.group(1), der
