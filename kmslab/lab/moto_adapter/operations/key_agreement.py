"""DeriveSharedSecret, Encapsulate and Decapsulate (moto implements none of them).

AWS's pages:
- https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html: "DeriveSharedSecret uses the
  Elliptic Curve Cryptography Cofactor Diffie-Hellman Primitive (ECDH) ... DeriveSharedSecret returns the raw shared
  secret." Real ECDH with `cryptography` on the KMS key's private key (moto's key pair of the NIST curve) and the
  peer's DER SubjectPublicKeyInfo. Without a Recipient, AWS returns the plaintext SharedSecret, and so does the lab; a
  Recipient (a Nitro attestation document) is refused, since the lab cannot check one (data_key_pairs.no_recipient).
- https://docs.aws.amazon.com/kms/latest/APIReference/API_Encapsulate.html and API_Decapsulate.html: ML-KEM (FIPS 203).
  ML_KEM_768 and ML_KEM_1024 with `cryptography`, ML_KEM_512 with kyber-py (key_pairs.MLKEM512): real ML-KEM, each
  interoperable through GetPublicKey's key.
  "Decapsulate returns an InvalidCiphertextException when the length of the SharedSecretCiphertextBlob is
  inconsistent with the ML-KEM key spec. In all other cases, Decapsulate returns a 32-byte pseudo-random value."
The engine has refused a key of another usage (InvalidKeyUsageException) and a key in a state the key state table
refuses before these run; the adapter checks the usage again for the lab's own (unauthorized) setup requests.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from moto.kms.responses import KmsResponse

from ..hooks import AwsError
from . import operation, params
from .data_key_pairs import find_key, invalid_key_usage, no_recipient
from .key_pairs import ML_KEM_CIPHERTEXT_BYTES


def _key(response: KmsResponse, usage: str, operation_name: str) -> tuple[Any, Mapping[str, Any]]:
    request = params(response)
    key = find_key(response, request.get("KeyId", ""))
    if key.key_usage != usage:
        raise invalid_key_usage(key, operation_name)
    return key, request


@operation("DeriveSharedSecret")
def derive_shared_secret(response: KmsResponse) -> str:
    """The raw ECDH shared secret of the KMS key's private key and the peer's public key."""
    key, request = _key(response, "KEY_AGREEMENT", "DeriveSharedSecret")
    if key.key_spec == "SM2":
        raise AwsError("UnsupportedOperationException", "SM2 key agreement is available in AWS, not in kmslab.")
    no_recipient(request)
    private = key.private_key.private_key  # moto's ECDSAPrivateKey wraps a `cryptography` EC private key
    try:
        peer = serialization.load_der_public_key(base64.b64decode(request.get("PublicKey", "")))
    except (ValueError, TypeError):
        peer = None
    # "The public key can be from another asymmetric KMS key pair or from a key pair generated outside of KMS, but
    # both key pairs must be on the same elliptic curve." (kmslab's wording for the refusal)
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != private.curve.name:
        raise AwsError("ValidationException", "PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo of an "
                                              f"elliptic curve key on the curve of {key.key_spec}.")
    secret = private.exchange(ec.ECDH(), peer)
    return json.dumps({"KeyId": key.arn, "SharedSecret": base64.b64encode(secret).decode(),
                       "KeyAgreementAlgorithm": "ECDH", "KeyOrigin": key.origin})


@operation("Encapsulate")
def encapsulate(response: KmsResponse) -> str:
    """A 32-byte shared secret and its encapsulated form under the ML-KEM key's public key."""
    key, _request = _key(response, "ENCAPSULATE_DECAPSULATE", "Encapsulate")
    secret, blob = key.private_key.encapsulate()
    return json.dumps({"KeyId": key.arn, "SharedSecret": base64.b64encode(secret).decode(),
                       "SharedSecretCiphertextBlob": base64.b64encode(blob).decode(),
                       "EncapsulationAlgorithm": "ML_KEM"})


@operation("Decapsulate")
def decapsulate(response: KmsResponse) -> str:
    """The shared secret an encapsulated blob carries (a pseudo-random value for any other blob of the right size)."""
    key, request = _key(response, "ENCAPSULATE_DECAPSULATE", "Decapsulate")
    blob = base64.b64decode(request.get("SharedSecretCiphertextBlob", ""))
    if len(blob) != ML_KEM_CIPHERTEXT_BYTES[key.key_spec]:
        # "the request was rejected because the length of the SharedSecretCiphertextBlob is inconsistent with the
        # specified ML-KEM key spec." (InvalidCiphertextException; the message is that sentence)
        raise AwsError("InvalidCiphertextException", "The length of the SharedSecretCiphertextBlob is inconsistent "
                                                     f"with the ML-KEM key spec {key.key_spec}.")
    secret = key.private_key.decapsulate(blob)
    return json.dumps({"KeyId": key.arn, "SharedSecret": base64.b64encode(secret).decode(),
                       "EncapsulationAlgorithm": "ML_KEM"})
