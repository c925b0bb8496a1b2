"""The key pairs of the key specs moto does not know (Ed25519, ML-DSA, ML-KEM), and data key pairs of every spec.

Real cryptography with the `cryptography` package wherever it implements the algorithm:
- ECC_NIST_EDWARDS25519: Ed25519 (RFC 8032), signing algorithm ED25519_SHA_512 (MessageType RAW) - real.
- ML_DSA_44/65/87: ML-DSA (FIPS 204), ML_DSA_SHAKE_256 with MessageType RAW (empty context) or EXTERNAL_MU - real.
- ML_KEM_768/1024: ML-KEM (FIPS 203) encapsulation and decapsulation (implicit rejection included) - real.

Not real, and labelled so wherever they show (docs/aws-references.md 10.7):
- ED25519_PH_SHA_512 (Ed25519ph, RFC 8032 section 5.1 with a prehash): `cryptography` has no Ed25519ph. The lab's
  signature is a pure Ed25519 signature over SIMULATED_PH_PREFIX + SHA-512(digest): the lab's Verify accepts it and
  rejects any other, but no Ed25519ph verifier outside the lab will.
- ML_KEM_512: `cryptography` implements ML-KEM-768 and ML-KEM-1024 only. The lab's ML_KEM_512 keys are NOT real
  ML-KEM: a 64-byte secret seed; the "public key" is a SubjectPublicKeyInfo with ML-KEM-512's OID and 800 bytes
  derived from the seed (no ML-KEM implementation can encapsulate to it); Encapsulate returns 32 random bytes and a
  768-byte blob that only the lab's Decapsulate of the same key opens; any other 768-byte blob decapsulates to a
  pseudo-random value derived from the seed and the blob, as ML-KEM's implicit rejection does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, rsa

SIMULATED_PH_PREFIX = b"kmslab simulated Ed25519ph: "
ML_KEM_512_OID = bytes.fromhex("0609608648016503040401")  # 2.16.840.1.101.3.4.4.1 (id-alg-ml-kem-512), DER
# Encapsulated shared secret lengths (API_Encapsulate, SharedSecretCiphertextBlob): "768 bytes for ML_KEM_512, 1088
# bytes for ML_KEM_768, and 1568 bytes for ML_KEM_1024".
ML_KEM_CIPHERTEXT_BYTES = {"ML_KEM_512": 768, "ML_KEM_768": 1088, "ML_KEM_1024": 1568}
_ML_DSA: dict[str, Any] = {"ML_DSA_44": mldsa.MLDSA44PrivateKey, "ML_DSA_65": mldsa.MLDSA65PrivateKey,
           "ML_DSA_87": mldsa.MLDSA87PrivateKey}
_ML_KEM: dict[str, Any] = {"ML_KEM_768": mlkem.MLKEM768PrivateKey, "ML_KEM_1024": mlkem.MLKEM1024PrivateKey}
_EC_CURVES = {"ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1,
              "ECC_SECG_P256K1": ec.SECP256K1}
_RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
NEW_SPECS = frozenset({"ECC_NIST_EDWARDS25519", *_ML_DSA, "ML_KEM_512", *_ML_KEM})  # the specs moto does not know


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _spki(public: Any) -> bytes:
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class SimulatedMLKEM512:
    """NOT real ML-KEM-512 (see the module docstring): a seed, a look-alike public key, a lab-only encapsulation."""

    def __init__(self, seed: bytes | None = None) -> None:
        self.seed = seed or secrets.token_bytes(64)

    def _stream(self, label: bytes, data: bytes, size: int) -> bytes:
        return hashlib.shake_256(self.seed + label + data).digest(size)

    def public_bytes(self) -> bytes:
        """A SubjectPublicKeyInfo with ML-KEM-512's OID and 800 bytes derived from the seed (not a real key)."""
        algorithm = _der(0x30, ML_KEM_512_OID)
        return _der(0x30, algorithm + _der(0x03, b"\x00" + self._stream(b"public", b"", 800)))

    def private_bytes(self) -> bytes:
        """PKCS #8 PrivateKeyInfo in ML-KEM's seed format (`[0] seed`), with ML-KEM-512's OID."""
        return _der(0x30, bytes.fromhex("020100") + _der(0x30, ML_KEM_512_OID) + _der(0x04, _der(0x80, self.seed)))

    def encapsulate(self) -> tuple[bytes, bytes]:
        secret, nonce = secrets.token_bytes(32), secrets.token_bytes(32)
        masked = bytes(a ^ b for a, b in zip(secret, self._stream(b"mask", nonce, 32), strict=True))
        tag = hmac.new(self.seed, nonce + masked, hashlib.sha256).digest()
        body = nonce + masked + tag
        return secret, body + self._stream(b"pad", body, ML_KEM_CIPHERTEXT_BYTES["ML_KEM_512"] - len(body))

    def decapsulate(self, blob: bytes) -> bytes:
        nonce, masked, tag = blob[:32], blob[32:64], blob[64:96]
        if hmac.compare_digest(tag, hmac.new(self.seed, nonce + masked, hashlib.sha256).digest()):
            return bytes(a ^ b for a, b in zip(masked, self._stream(b"mask", nonce, 32), strict=True))
        return self._stream(b"reject", blob, 32)  # implicit rejection: a pseudo-random value, no error


class KeyPair:
    """The key pair of a KMS key whose spec moto does not know, made when first needed (moto's `private_key`
    protocol: `sign`, `verify`, `public_key`), plus `encapsulate`/`decapsulate` for ML-KEM keys."""

    __slots__ = ("key_spec", "_key")

    def __init__(self, key_spec: str) -> None:
        self.key_spec, self._key = key_spec, None

    @property
    def private_key(self) -> Any:
        if self._key is None:
            spec = self.key_spec
            if spec == "ECC_NIST_EDWARDS25519":
                self._key = ed25519.Ed25519PrivateKey.generate()
            elif spec in _ML_DSA:
                self._key = _ML_DSA[spec].generate()
            elif spec in _ML_KEM:
                self._key = _ML_KEM[spec].generate()
            else:
                self._key = SimulatedMLKEM512()
        return self._key

    def public_key(self) -> bytes:
        key = self.private_key
        return key.public_bytes() if isinstance(key, SimulatedMLKEM512) else _spki(key.public_key())

    def sign(self, message: bytes, signing_algorithm: str, message_type: str = "RAW") -> bytes:
        key = self.private_key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            if signing_algorithm == "ED25519_PH_SHA_512":  # simulated (module docstring)
                return bytes(key.sign(SIMULATED_PH_PREFIX + hashlib.sha512(message).digest()))
            return bytes(key.sign(message))
        if message_type == "EXTERNAL_MU":
            return bytes(key.sign_mu(message))
        return bytes(key.sign(message))

    def verify(self, message: bytes, signature: bytes, signing_algorithm: str, message_type: str = "RAW") -> bool:
        public = self.private_key.public_key()
        try:
            if isinstance(public, ed25519.Ed25519PublicKey) and signing_algorithm == "ED25519_PH_SHA_512":
                public.verify(signature, SIMULATED_PH_PREFIX + hashlib.sha512(message).digest())
            elif message_type == "EXTERNAL_MU":
                public.verify_mu(signature, message)
            else:
                public.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def encapsulate(self) -> tuple[bytes, bytes]:
        """(shared secret, its encapsulated form) under the key's public key."""
        key = self.private_key
        if isinstance(key, SimulatedMLKEM512):
            return key.encapsulate()
        secret, blob = key.public_key().encapsulate()
        return bytes(secret), bytes(blob)

    def decapsulate(self, blob: bytes) -> bytes:
        return bytes(self.private_key.decapsulate(blob))


def data_key_pair(key_pair_spec: str) -> tuple[bytes, bytes]:
    """(PKCS #8 DER private key, X.509 SubjectPublicKeyInfo DER public key) of a new key pair of the spec.

    "The public key is a DER-encoded X.509 SubjectPublicKeyInfo, as specified in RFC 5280. The private key is a
    DER-encoded PKCS8 PrivateKeyInfo, as specified in RFC 5958." "For ML-KEM data key pairs, the DER-encoded PKCS8
    PrivateKeyInfo contains the private key in seed format." (API_GenerateDataKeyPair). ML_KEM_512 is simulated.
    """
    private: Any
    if key_pair_spec in _RSA_BITS:
        private = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS[key_pair_spec])
    elif key_pair_spec in _EC_CURVES:
        private = ec.generate_private_key(_EC_CURVES[key_pair_spec]())
    elif key_pair_spec == "ECC_NIST_EDWARDS25519":
        private = ed25519.Ed25519PrivateKey.generate()
    elif key_pair_spec in _ML_KEM:
        private = _ML_KEM[key_pair_spec].generate()
    else:  # ML_KEM_512, simulated
        simulated = SimulatedMLKEM512()
        return simulated.private_bytes(), simulated.public_bytes()
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return der, _spki(private.public_key())
