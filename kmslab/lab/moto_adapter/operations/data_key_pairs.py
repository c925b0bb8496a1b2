"""GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (moto implements neither).

AWS's pages:
- https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html
- https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html

"This operation returns a plaintext public key, a plaintext private key, and a copy of the private key that is
encrypted under the symmetric encryption KMS key you specify." The pair is a real, new key pair of the KeyPairSpec
(`key_pairs.data_key_pair`: RSA, NIST and SECG curves, Ed25519, ML-KEM-768/1024 with `cryptography`; ML-KEM-512 with
kyber-py). The private key is encrypted with the lab's own encryption of the KMS key (moto's
`KmsBackend.encrypt`, with the request's encryption context), so Decrypt with the same key and encryption context
returns it, as on AWS ("use the Decrypt operation to decrypt the encrypted private key").
Not simulated: SM2 (China Regions only; kmslab has no SM2), the Recipient parameter (Nitro attestation documents),
DryRun, GrantTokens (docs/aws-references.md 10.7).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

from moto.kms.responses import KmsResponse

from ....engine.key_specs import is_china_region, key_pair_spec_refusal
from ..hooks import AwsError
from . import backend, operation, params
from .key_pairs import data_key_pair


def find_key(response: KmsResponse, key_id: str) -> Any:
    """The moto key a KeyId names (key id, key ARN, alias name or alias ARN); moto's NotFoundException if none.

    Looked up once a request (several `@around`s of one request ask), and asked again if the key has left moto since.
    A key id or key ARN of a key moto holds, which moto's `_validate_cmk_id` accepts, skips that validation (two
    backend lookups); anything else goes through moto's own, which raises its NotFoundException. A key id moto holds
    (neither an ARN nor an alias) is the key moto's `describe_key` returns, which for a key that is not multi-Region
    does nothing else: that key is taken as it is.
    """
    found: dict[str, Any] | None = response._kmslab_keys  # type: ignore[attr-defined]  # None on the class
    if found is None:
        found = response._kmslab_keys = {}  # type: ignore[attr-defined]
    kms = backend(response)
    key = found.get(key_id)
    if key is not None and kms.keys.get(key.id) is key:
        return key
    key = kms.keys.get(key_id)
    if key is None or key.multi_region or key_id.startswith(("arn:", "alias/")):
        if key is None and not (_accepted_key_id(key_id) and kms.get_key_id(key_id) in kms.keys):
            response._validate_key_id(key_id)  # (a key id moto holds is one of its UUIDs: moto accepts it)
        key = kms.describe_key(key_id)  # a multi-Region key's type is brought up to date (moto's describe_key)
    found[key_id] = key
    return key


_RAW_KEY_ID = re.compile(r"^(mrk-)?[A-F0-9]{8}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{4}-[A-F0-9]{12}$", re.IGNORECASE)


def _accepted_key_id(key_id: str) -> bool:
    """A key ARN or a raw key id, as moto's `_validate_cmk_id` tells them (moto/kms/responses.py)."""
    return (key_id.startswith("arn:") and ":key/" in key_id) or _RAW_KEY_ID.match(key_id) is not None


def no_recipient(request: Mapping[str, Any]) -> None:
    """Refuse a Recipient (an attestation document): the lab has no Nitro enclave and cannot check one."""
    if request.get("Recipient"):
        raise AwsError("ValidationException", "kmslab cannot check a Nitro Enclaves or NitroTPM attestation document: "
                                              "make the request without the Recipient parameter.")


def invalid_key_usage(key: Any, operation_name: str) -> AwsError:
    # The engine's wording (engine/key_usage.py): AWS documents the error, not its message.
    return AwsError("InvalidKeyUsageException", f"{key.arn} key usage is {key.key_usage} which is not valid for "
                                                f"{operation_name}.")


def _generate(response: KmsResponse, operation_name: str, plaintext: bool) -> str:
    request = params(response)
    spec = str(request.get("KeyPairSpec", ""))
    refused = key_pair_spec_refusal(spec, response.region)
    if refused:
        raise AwsError(*refused)
    key = find_key(response, request.get("KeyId", ""))
    # "To generate a data key pair, you must specify a symmetric encryption KMS key to encrypt the private key in a
    # data key pair. You cannot use an asymmetric KMS key" (the engine refuses first for an authorized caller).
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.key_usage != "ENCRYPT_DECRYPT":
        raise invalid_key_usage(key, operation_name)
    if spec == "SM2" and is_china_region(response.region):
        raise AwsError("UnsupportedOperationException", "SM2 data key pairs are available in AWS, not in kmslab.")
    if plaintext:
        no_recipient(request)
    private, public = data_key_pair(spec)
    blob, arn = response.kms_backend.encrypt(key_id=key.id, plaintext=private,
                                             encryption_context=request.get("EncryptionContext") or {})
    answer = {"PrivateKeyCiphertextBlob": base64.b64encode(blob).decode(),
              "PublicKey": base64.b64encode(public).decode(), "KeyId": arn, "KeyPairSpec": spec}
    if plaintext:
        answer["PrivateKeyPlaintext"] = base64.b64encode(private).decode()
    return json.dumps(answer)


@operation("GenerateDataKeyPair")
def generate_data_key_pair(response: KmsResponse) -> str:
    """A new key pair: the public key, the private key, and the private key encrypted under the KMS key."""
    return _generate(response, "GenerateDataKeyPair", plaintext=True)


@operation("GenerateDataKeyPairWithoutPlaintext")
def generate_data_key_pair_without_plaintext(response: KmsResponse) -> str:
    """"GenerateDataKeyPairWithoutPlaintext returns a plaintext public key and an encrypted private key, but omits the
    plaintext private key"."""
    return _generate(response, "GenerateDataKeyPairWithoutPlaintext", plaintext=False)
