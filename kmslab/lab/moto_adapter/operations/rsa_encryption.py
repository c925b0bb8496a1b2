"""Encrypt, Decrypt and ReEncrypt with RSA keys as AWS does them: RSAES-OAEP with the key pair, which moto does not use
(moto encrypted under an RSA key with its symmetric layout, so neither side could read the other's ciphertexts).

https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html: "RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256"; the
plaintext limits of each key spec ("RSA_2048 ... RSAES_OAEP_SHA_1: 214 bytes, RSAES_OAEP_SHA_256: 190 bytes", and 342 /
318 for RSA_3072, 470 / 446 for RSA_4096: the OAEP limit, key bytes - 2 * hash bytes - 2); "The Decrypt operation also
decrypts ciphertext that was encrypted outside of KMS by the public key in an KMS asymmetric KMS key"
(API_Decrypt), whose KeyId and EncryptionAlgorithm are "required only when the ciphertext was encrypted under an
asymmetric KMS key". RSAES-OAEP uses the same hash for MGF1 (the asymmetric key spec reference). A ciphertext that
does not decrypt: InvalidCiphertextException (without a message, as AWS's [obs], key_checks.py). A plaintext over the
limit: ValidationException (kmslab's wording; the page states the limit, not the error). The algorithm checks
(key_checks.py) run first.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from moto.kms.responses import KmsResponse

from ..hooks import AwsError
from . import Method, around, params
from .data_key_pairs import find_key

_HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


def _is_rsa(key: Any) -> bool:
    return bool(key.key_spec.startswith("RSA_") and key.key_usage == "ENCRYPT_DECRYPT")


def _oaep(algorithm: str) -> padding.OAEP:
    digest = _HASHES[algorithm]()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def _rsa_encrypt(key: Any, plaintext: bytes, algorithm: str) -> bytes:
    private = key.private_key.private_key  # moto's RSAPrivateKey holds a `cryptography` key
    limit = private.key_size // 8 - 2 * _HASHES[algorithm]().digest_size - 2
    if len(plaintext) > limit:
        raise AwsError("ValidationException", f"The plaintext is {len(plaintext)} bytes: {key.key_spec} with "
                                              f"{algorithm} encrypts at most {limit} bytes.")
    return bytes(private.public_key().encrypt(plaintext, _oaep(algorithm)))


def _rsa_decrypt(key: Any, blob: bytes, algorithm: str) -> bytes:
    try:
        return bytes(key.private_key.private_key.decrypt(blob, _oaep(algorithm)))
    except ValueError:
        raise AwsError("InvalidCiphertextException", "") from None


@around("Encrypt")
def encrypt(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    key = find_key(response, str(request.get("KeyId", "")))
    if not _is_rsa(key):
        return moto_method(response)
    algorithm = str(request.get("EncryptionAlgorithm"))
    blob = _rsa_encrypt(key, base64.b64decode(request.get("Plaintext", "")), algorithm)
    return json.dumps({"CiphertextBlob": base64.b64encode(blob).decode(), "KeyId": key.arn,
                       "EncryptionAlgorithm": algorithm})


@around("Decrypt")
def decrypt(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    key = find_key(response, str(request["KeyId"])) if request.get("KeyId") else None
    if key is None or not _is_rsa(key):
        return moto_method(response)
    algorithm = str(request.get("EncryptionAlgorithm"))
    plaintext = _rsa_decrypt(key, base64.b64decode(request.get("CiphertextBlob", "")), algorithm)
    return json.dumps({"KeyId": key.arn, "Plaintext": base64.b64encode(plaintext).decode(),
                       "EncryptionAlgorithm": algorithm})


@around("ReEncrypt")
def re_encrypt(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    source = find_key(response, str(request["SourceKeyId"])) if request.get("SourceKeyId") else None
    destination = find_key(response, str(request.get("DestinationKeyId", "")))
    if not (source is not None and _is_rsa(source)) and not _is_rsa(destination):
        return moto_method(response)
    backend = response.kms_backend
    blob = base64.b64decode(request.get("CiphertextBlob", ""))
    source_algorithm = str(request.get("SourceEncryptionAlgorithm") or "SYMMETRIC_DEFAULT")
    if source is not None and _is_rsa(source):
        plaintext, source_arn = _rsa_decrypt(source, blob, source_algorithm), source.arn
    else:
        plaintext, source_arn = backend.decrypt(ciphertext_blob=blob,
                                                encryption_context=request.get("SourceEncryptionContext") or {})
    destination_algorithm = str(request.get("DestinationEncryptionAlgorithm") or "SYMMETRIC_DEFAULT")
    if _is_rsa(destination):
        new_blob = _rsa_encrypt(destination, plaintext, destination_algorithm)
    else:
        new_blob, _arn = backend.encrypt(key_id=destination.id, plaintext=plaintext,
                                         encryption_context=request.get("DestinationEncryptionContext") or {})
    return json.dumps({"CiphertextBlob": base64.b64encode(new_blob).decode(), "SourceKeyId": source_arn,
                       "KeyId": destination.arn, "SourceEncryptionAlgorithm": source_algorithm,
                       "DestinationEncryptionAlgorithm": destination_algorithm})
