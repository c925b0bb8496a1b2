"""Checks of a request against its key that moto does not make, each from the operation's API Reference page.

- Encrypt, ReEncrypt (destination), Decrypt: the EncryptionAlgorithm must be one the key spec supports (the key's
  EncryptionAlgorithms; SYMMETRIC_DEFAULT when omitted: "The default value, SYMMETRIC_DEFAULT, is the algorithm used
  for symmetric encryption KMS keys"). Otherwise InvalidKeyUsageException: "The encryption algorithm or signing
  algorithm specified for the operation is incompatible with the type of key material in the KMS key (KeySpec)."
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html, Errors). moto encrypted with any.
- GenerateMac, VerifyMac: "The algorithm must be compatible with the HMAC KMS key that you specify" (API_GenerateMac,
  MacAlgorithm): InvalidKeyUsageException. moto made an HMAC-SHA-512 MAC with an HMAC_256 key.
- Decrypt, ReEncrypt: a KeyId (SourceKeyId) that is not the key the ciphertext was encrypted under: "If you identify a
  different KMS key, the Decrypt operation throws an IncorrectKeyException." (API_Decrypt, KeyId), with AWS's message
  as CloudTrail recorded it [obs]; a ciphertext that names no key of the lab: InvalidCiphertextException (moto
  answered both with an AccessDeniedException without a message).
- Sign, Verify: a RAW message longer than 4096 bytes ("Messages can be 0-4096 bytes. To sign a larger message, provide
  a message digest.", API_Sign; the model's constraint: 4096): ValidationException in AWS's constraint form.
- EnableKeyRotation, RotateKeyOnDemand: "You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys,
  KMS keys with imported key material" / "You cannot perform on-demand rotation of asymmetric KMS keys, HMAC KMS
  keys" (API_EnableKeyRotation, API_RotateKeyOnDemand): UnsupportedOperationException.
- UpdateAlias: "The current and new KMS key must be the same type (both symmetric or both asymmetric or both HMAC),
  and they must have the same key usage." (API_UpdateAlias): ValidationException (kmslab's choice of code).
The messages are kmslab's wording where none is quoted. Each runs after authorization and the key state (the hook).
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from moto.kms.exceptions import AccessDeniedException
from moto.kms.responses import KmsResponse
from moto.kms.utils import KEY_ID_LEN

from ....engine.key_specs import algorithms
from ..hooks import AwsError
from ..world import key_id_in_ciphertext
from . import Around, Method, around, backend, params
from .data_key_pairs import find_key

MAX_RAW_MESSAGE = 4096
# IncorrectKeyException as real KMS answered it, in a CloudTrail record of a Decrypt [obs].
INCORRECT_KEY = "The key ID in the request does not identify a CMK that can perform this operation."


def _kind(key: Any) -> str:
    """symmetric, HMAC or asymmetric (API_UpdateAlias: "the same type")."""
    if key.key_spec == "SYMMETRIC_DEFAULT":
        return "symmetric"
    return "HMAC" if key.key_spec.startswith("HMAC_") else "asymmetric"


@lru_cache(maxsize=64)
def _encryption_algorithms(key_spec: str) -> tuple[str, ...]:
    """The EncryptionAlgorithms of an ENCRYPT_DECRYPT key of this spec (the engine's table: a constant; a tuple, so
    `in` compares as the list did, whatever the request's value is)."""
    return tuple(algorithms(key_spec, "ENCRYPT_DECRYPT")["EncryptionAlgorithms"])


def _encryption_algorithm(key: Any, algorithm: str | None) -> None:
    if key.key_usage != "ENCRYPT_DECRYPT":
        return  # the engine refuses another usage (InvalidKeyUsageException) for an authorized caller
    chosen = algorithm or "SYMMETRIC_DEFAULT"
    if chosen not in _encryption_algorithms(key.key_spec):
        raise AwsError("InvalidKeyUsageException", f"{key.arn} key spec is {key.key_spec} which is not valid for "
                                                   f"encryption algorithm {chosen}.")


def _mac_algorithm(response: KmsResponse) -> None:
    request = params(response)
    key = find_key(response, str(request.get("KeyId", "")))
    if key.key_usage == "GENERATE_VERIFY_MAC" and request.get("MacAlgorithm") not in \
            algorithms(key.key_spec, key.key_usage)["MacAlgorithms"]:
        raise AwsError("InvalidKeyUsageException", f"{key.arn} key spec is {key.key_spec} which is not valid for MAC "
                                                   f"algorithm {request.get('MacAlgorithm')}.")


@around("Encrypt")
def encrypt(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    _encryption_algorithm(find_key(response, str(request.get("KeyId", ""))), request.get("EncryptionAlgorithm"))
    return moto_method(response)


@lru_cache(maxsize=1024)
def _base64_of(key_id: str) -> str | None:
    """How a ciphertext made under this key starts, in base64: moto's header starts with the key id's KEY_ID_LEN
    bytes, 48 base64 characters without padding (None for an id of another length: it is read whole)."""
    raw = key_id.encode()
    return base64.b64encode(raw).decode() if len(raw) == KEY_ID_LEN else None


def _made_under(blob: Any, key_id: str) -> bool:
    """Whether the ciphertext names this key or is not moto's (what `key_id_in_ciphertext` reads from it is then
    `key_id` or None): it starts with the key id's own base64, whose characters decode to exactly the key id."""
    start = _base64_of(key_id)
    return start is not None and isinstance(blob, str) and blob.startswith(start)


def _decrypting(response: KmsResponse, moto_method: Method, key_field: str, algorithm_field: str) -> str:
    """Decrypt / ReEncrypt's source: the named key's algorithm, then moto; moto's refusals as AWS's."""
    request = params(response)
    named, blob = request.get(key_field), request.get("CiphertextBlob")
    if named:
        key = find_key(response, str(named))
        _encryption_algorithm(key, request.get(algorithm_field))
        if not _made_under(blob, key.id):  # moto's ReEncrypt ignores SourceKeyId
            blob_key = key_id_in_ciphertext(blob)
            if blob_key in backend(response).keys and key.id != blob_key:
                raise AwsError("IncorrectKeyException", INCORRECT_KEY)
    try:
        return moto_method(response)
    except AccessDeniedException as refused:
        blob_key = key_id_in_ciphertext(blob)
        if blob_key is None or blob_key not in backend(response).keys:
            # AWS answers without a message [obs]: the AWS SDK for Java prints it "InvalidCiphertextException: null".
            raise AwsError("InvalidCiphertextException", "") from refused
        raise


@around("Decrypt")
def decrypt(response: KmsResponse, moto_method: Method) -> str:
    return _decrypting(response, moto_method, "KeyId", "EncryptionAlgorithm")


@around("ReEncrypt")
def re_encrypt(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    destination = request.get("DestinationKeyId")
    if destination:
        _encryption_algorithm(find_key(response, str(destination)), request.get("DestinationEncryptionAlgorithm"))
    return _decrypting(response, moto_method, "SourceKeyId", "SourceEncryptionAlgorithm")


@around("GenerateMac")
def generate_mac(response: KmsResponse, moto_method: Method) -> str:
    _mac_algorithm(response)
    return moto_method(response)


@around("VerifyMac")
def verify_mac(response: KmsResponse, moto_method: Method) -> str:
    _mac_algorithm(response)
    return moto_method(response)


def _raw_message_size(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    if (request.get("MessageType") or "RAW") == "RAW" and \
            len(base64.b64decode(request.get("Message") or "")) > MAX_RAW_MESSAGE:
        raise AwsError("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy "
                                              "constraint: Member must have length less than or equal to 4096")
    return moto_method(response)


around("Sign")(_raw_message_size)
around("Verify")(_raw_message_size)


def _rotation(operation_name: str) -> Around:
    def rotation(response: KmsResponse, moto_method: Method) -> str:
        key = find_key(response, str(params(response).get("KeyId", "")))
        kind = _kind(key)
        if kind != "symmetric":
            raise AwsError("UnsupportedOperationException", f"{key.arn} is an {kind} KMS key: {operation_name} "
                                                            "supports symmetric encryption KMS keys only.")
        if operation_name == "EnableKeyRotation" and key.origin == "EXTERNAL":
            raise AwsError("UnsupportedOperationException", f"{key.arn} has imported key material: automatic "
                                                            "rotation is not available for it.")
        return moto_method(response)
    return rotation


around("EnableKeyRotation")(_rotation("EnableKeyRotation"))
around("RotateKeyOnDemand")(_rotation("RotateKeyOnDemand"))


@around("UpdateAlias")
def update_alias(response: KmsResponse, moto_method: Method) -> str:
    request = params(response)
    current = find_key(response, str(request.get("AliasName", "")))
    new = find_key(response, str(request.get("TargetKeyId", "")))
    if (_kind(current), current.key_usage) != (_kind(new), new.key_usage):
        raise AwsError("ValidationException", f"{request.get('AliasName')} is associated with a {_kind(current)} KMS "
                                              f"key with key usage {current.key_usage}: the new key {new.arn} must be "
                                              "of the same type and key usage.")
    return moto_method(response)
