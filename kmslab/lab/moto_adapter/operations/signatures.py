"""RSA and ECDSA signatures as AWS KMS makes them, with `cryptography` on the key pair moto holds.

moto 5.2.5 differs from AWS in two ways, both making signatures that a verifier outside the lab rejects:
- MessageType DIGEST is ignored ("The MessageType-parameter DIGEST is not yet implemented", moto's
  `KmsBackend.verify`): the digest is hashed again. AWS: "When the value is DIGEST, KMS skips the hashing step in the
  signing algorithm." (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html, MessageType). Here a
  DIGEST is signed as it is (`cryptography`'s `Prehashed`).
- RSASSA-PSS is signed with the longest salt (`PSS.MAX_LENGTH`). AWS: "RSA signature with PSS padding using SHA-256
  for both the message digest and the MGF1 mask generation function along with a 256-bit salt" (and SHA-384 / 384-bit,
  SHA-512 / 512-bit), https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html (RSA key
  specs, signing algorithms); a verifier that expects the salt of that length rejects moto's (reported for another
  emulator: https://github.com/localstack/localstack/issues/9602). Here the salt is as long as the hash.
ECDSA signatures are DER-encoded, as AWS's ("a DER-encoded object as defined by ANSI X9.62-2005 and RFC 3279 Section
2.2.3", API_Sign, Signature). Verify checks with the same scheme; "The message type does not need to be the same as
the one used for signing" (API_Verify): a RAW message and its digest verify alike.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

# "Signing algorithms that end in SHA_256 use the SHA_256 hashing algorithm ..." (API_Sign, MessageType).
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384,
                                                  "SHA_512": hashes.SHA512}


def _hash(algorithm: str) -> hashes.HashAlgorithm:
    return _HASHES[algorithm[-7:]]()


def _chosen(algorithm: str, message_type: str) -> tuple[hashes.HashAlgorithm, Any]:
    """(the algorithm's hash, what `cryptography` is told: the hash, or Prehashed for a DIGEST)."""
    digest = _hash(algorithm)
    return digest, utils.Prehashed(digest) if message_type == "DIGEST" else digest


def _rsa_padding(algorithm: str, digest: hashes.HashAlgorithm) -> padding.AsymmetricPadding:
    if algorithm.startswith("RSASSA_PSS_"):
        return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    return padding.PKCS1v15()


def sign(private: Any, algorithm: str, message: bytes, message_type: str) -> bytes:
    """The signature of `message` (a RAW message, or a DIGEST signed as it is) by an RSA or EC private key."""
    digest, chosen = _chosen(algorithm, message_type)
    if isinstance(private, rsa.RSAPrivateKey):
        return private.sign(message, _rsa_padding(algorithm, digest), chosen)
    return bytes(private.sign(message, ec.ECDSA(chosen)))


def verify(private: Any, algorithm: str, message: bytes, signature: bytes, message_type: str) -> bool:
    """Whether `signature` is the key's signature of `message` under `algorithm`."""
    digest, chosen = _chosen(algorithm, message_type)
    public = private.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, _rsa_padding(algorithm, digest), chosen)
        else:
            public.verify(signature, message, ec.ECDSA(chosen))
    except (InvalidSignature, ValueError):
        return False
    return True
