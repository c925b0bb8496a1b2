"""The key pairs of the key specs moto does not know (Ed25519, ML-DSA, ML-KEM), and data key pairs of every spec.

Real cryptography, each algorithm from a well-kept library that implements it:
- ECC_NIST_EDWARDS25519: Ed25519 (RFC 8032) with `cryptography`. Signing algorithm ED25519_SHA_512 (MessageType RAW)
  is pure Ed25519; ED25519_PH_SHA_512 (MessageType DIGEST) is Ed25519ph (RFC 8032 section 5.1, empty context) with
  PyCryptodome's `Crypto.Signature.eddsa` (`cryptography` has no Ed25519ph): "When you specify the ED25519_PH_SHA_512
  signing algorithm with MessageType:DIGEST, KMS still performs the SHA-512 prehash described in Step 1 of Section
  7.8.1 in FIPS 186-5. This means the input is hashed twice: once by you and once by KMS." (API_Sign, MessageType),
  so the 64-byte Message is the message Ed25519ph prehashes: any RFC 8032 Ed25519ph verifier checks the signature
  with GetPublicKey's key and that Message.
- ML_DSA_44/65/87: ML-DSA (FIPS 204) with `cryptography`, ML_DSA_SHAKE_256 with MessageType RAW (empty context) or
  EXTERNAL_MU.
- ML_KEM_768/1024: ML-KEM (FIPS 203) with `cryptography`; ML_KEM_512 with `kyber-py` (`kyber_py.ml_kem.ML_KEM_512`,
  its stable API: `key_derive` from the 64-byte seed d||z, `encaps`, `decaps`), since `cryptography` implements
  ML-KEM-768 and ML-KEM-1024 only. Encapsulation and decapsulation (implicit rejection included) are FIPS 203's.

PyCryptodome and kyber-py are imported when an Ed25519ph signature or an ML-KEM-512 key is first needed, not with
this module: every Lab start loads the operations, and most labs never use those specs (about 50 ms of imports).
"""

from __future__ import annotations

import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, rsa
from moto.kms.utils import AbstractPrivateKey

ML_KEM_512_OID = bytes.fromhex("0609608648016503040401")  # 2.16.840.1.101.3.4.4.1 (id-alg-ml-kem-512), DER
# Encapsulated shared secret lengths (API_Encapsulate, SharedSecretCiphertextBlob): "768 bytes for ML_KEM_512, 1088
# bytes for ML_KEM_768, and 1568 bytes for ML_KEM_1024".
ML_KEM_CIPHERTEXT_BYTES = {"ML_KEM_512": 768, "ML_KEM_768": 1088, "ML_KEM_1024": 1568}
_ML_DSA: dict[str, Any] = {"ML_DSA_44": mldsa.MLDSA44PrivateKey, "ML_DSA_65": mldsa.MLDSA65PrivateKey,
           "ML_DSA_87": mldsa.MLDSA87PrivateKey}
_ML_KEM: dict[str, Any] = {"ML_KEM_768": mlkem.MLKEM768PrivateKey, "ML_KEM_1024": mlkem.MLKEM1024PrivateKey}
_EC_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1}
_RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
NEW_SPECS = frozenset({"ECC_NIST_EDWARDS25519", *_ML_DSA, "ML_KEM_512", *_ML_KEM})  # the specs moto does not know
_RAW = serialization.Encoding.Raw


def _ml_kem_512() -> Any:
    """kyber-py's ML-KEM-512 (imported on first use)."""
    from kyber_py.ml_kem import ML_KEM_512

    return ML_KEM_512


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _spki(public: Any) -> bytes:
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


class MLKEM512:
    """An ML-KEM-512 key pair (FIPS 203) with kyber-py, kept as its 64-byte seed d||z."""

    def __init__(self, seed: bytes | None = None) -> None:
        self.seed = seed or secrets.token_bytes(64)
        self._ek, self._dk = _ml_kem_512().key_derive(self.seed)

    def public_bytes(self) -> bytes:
        """X.509 SubjectPublicKeyInfo: id-alg-ml-kem-512 (no parameters) and the 800-byte encapsulation key."""
        return _der(0x30, _der(0x30, ML_KEM_512_OID) + _der(0x03, b"\x00" + self._ek))

    def private_bytes(self) -> bytes:
        """PKCS #8 PrivateKeyInfo in ML-KEM's seed format (`[0] seed`), with ML-KEM-512's OID."""
        return _der(0x30, bytes.fromhex("020100") + _der(0x30, ML_KEM_512_OID) + _der(0x04, _der(0x80, self.seed)))

    def encapsulate(self) -> tuple[bytes, bytes]:
        secret, blob = _ml_kem_512().encaps(self._ek)
        return bytes(secret), bytes(blob)

    def decapsulate(self, blob: bytes) -> bytes:
        return bytes(_ml_kem_512().decaps(self._dk, blob))


def _ed25519ph_sign(key: ed25519.Ed25519PrivateKey, message: bytes) -> bytes:
    from Crypto.Hash import SHA512
    from Crypto.Signature import eddsa

    seed = key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return bytes(eddsa.new(eddsa.import_private_key(seed), "rfc8032").sign(SHA512.new(message)))


def _ed25519ph_verify(public: ed25519.Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    from Crypto.Hash import SHA512
    from Crypto.Signature import eddsa

    raw = public.public_bytes(_RAW, serialization.PublicFormat.Raw)
    try:
        eddsa.new(eddsa.import_public_key(raw), "rfc8032").verify(SHA512.new(message), signature)
    except ValueError:
        return False
    return True


class KeyPair(AbstractPrivateKey):
    """The key pair of a KMS key whose spec moto does not know, made when first needed (moto's `private_key`
    protocol: `sign`, `verify`, `public_key`), plus `encapsulate`/`decapsulate` for ML-KEM keys."""

    __slots__ = ("key_spec", "_key")
    _key: object  # the private key once made: its type depends on the spec

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
                self._key = MLKEM512()
        return self._key

    def public_key(self) -> bytes:
        key = self.private_key
        return key.public_bytes() if isinstance(key, MLKEM512) else _spki(key.public_key())

    def sign(self, message: bytes, signing_algorithm: str, message_type: str = "RAW") -> bytes:
        key = self.private_key
        if isinstance(key, ed25519.Ed25519PrivateKey):
            if signing_algorithm == "ED25519_PH_SHA_512":
                return _ed25519ph_sign(key, message)
            return bytes(key.sign(message))
        if message_type == "EXTERNAL_MU":
            return bytes(key.sign_mu(message))
        return bytes(key.sign(message))

    def verify(self, message: bytes, signature: bytes, signing_algorithm: str, message_type: str = "RAW") -> bool:
        public = self.private_key.public_key()
        if isinstance(public, ed25519.Ed25519PublicKey) and signing_algorithm == "ED25519_PH_SHA_512":
            return _ed25519ph_verify(public, message, signature)
        try:
            if message_type == "EXTERNAL_MU":
                public.verify_mu(signature, message)
            else:
                public.verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def encapsulate(self) -> tuple[bytes, bytes]:
        """(shared secret, its encapsulated form) under the key's public key."""
        key = self.private_key
        if isinstance(key, MLKEM512):
            return key.encapsulate()
        secret, blob = key.public_key().encapsulate()
        return bytes(secret), bytes(blob)

    def decapsulate(self, blob: bytes) -> bytes:
        return bytes(self.private_key.decapsulate(blob))


def data_key_pair(key_pair_spec: str) -> tuple[bytes, bytes]:
    """(PKCS #8 DER private key, X.509 SubjectPublicKeyInfo DER public key) of a new key pair of the spec.

    "The public key is a DER-encoded X.509 SubjectPublicKeyInfo, as specified in RFC 5280. The private key is a
    DER-encoded PKCS8 PrivateKeyInfo, as specified in RFC 5958." "For ML-KEM data key pairs, the DER-encoded PKCS8
    PrivateKeyInfo contains the private key in seed format." (API_GenerateDataKeyPair).
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
    else:  # ML_KEM_512 (kyber-py)
        pair = MLKEM512()
        return pair.private_bytes(), pair.public_bytes()
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return der, _spki(private.public_key())
