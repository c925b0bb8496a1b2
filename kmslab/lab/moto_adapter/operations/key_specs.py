"""Every key spec of the KMS model at CreateKey, with the key usages AWS allows; the metadata, public keys, signatures
and verifications of each, where moto's answer differs from AWS's.

moto 5.2.5 refuses ML_DSA_*, ML_KEM_* and ECC_NIST_EDWARDS25519 at CreateKey (its KeySpec list is older), accepts
any KeyUsage with any spec, leaves KeyUsage empty when the request omits it, returns a public key for symmetric and
HMAC keys, and answers a Verify of a bad signature with SignatureValid false. What the adapter does instead:
- CreateKey: the KeySpec and KeyUsage checked as AWS checks them (`engine.key_specs.create_key_refusal`: API_CreateKey
  KeyUsage, https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html; KeyUsage defaults to
  ENCRYPT_DECRYPT); a spec moto does not know is created by moto as RSA_2048 and then given its spec and its own key
  pair (`key_pairs.KeyPair`, made when first needed).
- CreateKey and DescribeKey: KeyMetadata lists the algorithms of the key's usage (EncryptionAlgorithms,
  SigningAlgorithms, MacAlgorithms, KeyAgreementAlgorithms or EncapsulationAlgorithms), as AWS does.
- GetPublicKey: refused for a symmetric encryption or HMAC key (UnsupportedOperationException: "a specified resource
  is not valid for this operation", API_GetPublicKey Errors); the answer names the key by its ARN ("KeyId: The Amazon
  Resource Name (key ARN) of the asymmetric KMS key from which the public key was downloaded.").
- Sign and Verify: ED25519_SHA_512 / ED25519_PH_SHA_512 and ML_DSA_SHAKE_256 by the adapter (key_pairs: Ed25519,
  Ed25519ph and ML-DSA, all real); RSA and ECDSA by the adapter too, on moto's key
  pair (signatures.py: moto hashed a DIGEST again and salted PSS at the maximum length); a signing algorithm the key
  spec does not support is InvalidKeyUsageException ("The encryption algorithm or signing algorithm specified for the
  operation is incompatible with the type of key material in the KMS key (KeySpec)"); a signature that does not verify
  is KMSInvalidSignatureException (API_Verify Errors: "The request was rejected because the signature verification
  failed."), never SignatureValid false. https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from moto.kms.responses import KmsResponse

from ....engine.key_specs import DEFAULT_KEY_USAGE, algorithms, create_key_refusal, signing_algorithms
from ..hooks import AwsError
from . import Method, around, params
from .data_key_pairs import find_key, invalid_key_usage
from .key_pairs import NEW_SPECS, KeyPair
from .signatures import sign as rsa_ecdsa_sign
from .signatures import verify as rsa_ecdsa_verify

STAND_IN_SPEC = "RSA_2048"  # what moto creates a key of a spec it does not know as (its pair is replaced, unmade)
_ALGORITHM_FIELDS = ("EncryptionAlgorithms", "SigningAlgorithms", "MacAlgorithms", "KeyAgreementAlgorithms",
                     "EncapsulationAlgorithms")
_DIGEST_BYTES = {"256": 32, "384": 48, "512": 64}  # "Signing algorithms that end in SHA_256 use the SHA_256 ..."


def _metadata(key: Any, metadata: dict[str, Any]) -> dict[str, Any]:
    for name in _ALGORITHM_FIELDS:
        metadata.pop(name, None)
    metadata.update(algorithms(key.key_spec, key.key_usage))
    return metadata


@around("CreateKey")
def create_key(response: KmsResponse, moto_method: Method) -> str:
    """Check KeySpec and KeyUsage as AWS does; make keys of every spec of the model."""
    request = params(response)
    spec = request.get("KeySpec") or request.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    usage = request.get("KeyUsage") or DEFAULT_KEY_USAGE
    refused = create_key_refusal(spec, usage, response.region)
    if refused:
        raise AwsError(*refused)
    body = response.body
    told = {k: v for k, v in request.items() if k not in ("KeySpec", "CustomerMasterKeySpec")}
    response.body = json.dumps({**told, "KeyUsage": usage,
                                "KeySpec": STAND_IN_SPEC if spec in NEW_SPECS else spec})
    try:
        answer = json.loads(moto_method(response))
    finally:
        response.body = body
    key = response.kms_backend.keys[answer["KeyMetadata"]["KeyId"]]
    if spec in NEW_SPECS:
        key.key_spec, key.private_key = spec, KeyPair(spec)
    answer = {"KeyMetadata": {**answer["KeyMetadata"], **key.to_dict()["KeyMetadata"]}}
    _metadata(key, answer["KeyMetadata"])
    return json.dumps(answer)


@around("DescribeKey")
def describe_key(response: KmsResponse, moto_method: Method) -> str:
    """KeyMetadata with the algorithms of the key's usage."""
    answer = json.loads(moto_method(response))
    metadata = answer.get("KeyMetadata", {})
    key = response.kms_backend.keys.get(metadata.get("KeyId"))
    if key is not None:
        _metadata(key, metadata)
    return json.dumps(answer)


@around("GetPublicKey")
def get_public_key(response: KmsResponse, moto_method: Method) -> str:
    """The public key of an asymmetric KMS key; UnsupportedOperationException for a symmetric or HMAC key."""
    key = find_key(response, params(response).get("KeyId", ""))
    if key.key_spec == "SYMMETRIC_DEFAULT" or key.key_spec.startswith("HMAC"):
        # kmslab's wording: AWS documents the error, not its message (docs/aws-references.md 10.7).
        raise AwsError("UnsupportedOperationException", f"{key.arn} is not an asymmetric KMS key: GetPublicKey "
                                                        f"cannot be used on a key with key spec {key.key_spec}.")
    if key.key_spec == "SM2":
        raise AwsError("UnsupportedOperationException", "SM2 key pairs are available in AWS, not in kmslab.")
    return json.dumps({"KeyId": key.arn, "PublicKey": base64.b64encode(key.private_key.public_key()).decode(),
                       "CustomerMasterKeySpec": key.key_spec, "KeySpec": key.key_spec, "KeyUsage": key.key_usage,
                       **algorithms(key.key_spec, key.key_usage)})


def _checked(response: KmsResponse, operation_name: str) -> tuple[Any, Mapping[str, Any], bytes, str, str]:
    """(key, request, message, signing algorithm, message type) once AWS's checks of a Sign/Verify pass."""
    request = params(response)
    key = find_key(response, request.get("KeyId", ""))
    if key.key_usage != "SIGN_VERIFY":
        raise invalid_key_usage(key, operation_name)
    if key.key_spec == "SM2":  # moto's SM2 key is an RSA pair under another name: say so rather than pretend
        raise AwsError("UnsupportedOperationException", "SM2 key pairs are available in AWS, not in kmslab.")
    algorithm = str(request.get("SigningAlgorithm", ""))
    message_type = str(request.get("MessageType") or "RAW")
    if algorithm not in signing_algorithms(key.key_spec):
        # kmslab's wording (the error is AWS's: InvalidKeyUsageException, see the module docstring).
        raise AwsError("InvalidKeyUsageException", f"{key.arn} key spec is {key.key_spec} which is not valid for "
                                                   f"signing algorithm {algorithm}.")
    message = base64.b64decode(request.get("Message", ""))
    _check_message_type(algorithm, message_type, message)
    return key, request, message, algorithm, message_type


def _check_message_type(algorithm: str, message_type: str, message: bytes) -> None:
    """API_Sign, MessageType: "ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW", "ED25519_PH_SHA_512
    signing algorithm requires KMS MessageType:DIGEST", "When the value of MessageType is DIGEST, the length of the
    Message value must match the length of hashed messages for the specified signing algorithm. When the value of
    MessageType is EXTERNAL_MU the length of the Message value must be 64 bytes." (messages: kmslab's wording)"""
    def refuse(why: str) -> AwsError:
        return AwsError("ValidationException", f"MessageType {message_type} cannot be used with {algorithm}: {why}.")

    if algorithm == "ED25519_SHA_512" and message_type != "RAW":
        raise refuse("ED25519_SHA_512 requires MessageType RAW")
    if algorithm == "ED25519_PH_SHA_512" and message_type != "DIGEST":
        raise refuse("ED25519_PH_SHA_512 requires MessageType DIGEST")
    if message_type == "EXTERNAL_MU":
        if algorithm != "ML_DSA_SHAKE_256":
            raise refuse("EXTERNAL_MU is the representative of an ML-DSA message")
        if len(message) != 64:
            raise refuse("the Message must be 64 bytes")
    if message_type == "DIGEST":
        if algorithm == "ML_DSA_SHAKE_256":
            raise refuse("ML-DSA signs a RAW message or its EXTERNAL_MU")
        size = _DIGEST_BYTES.get(algorithm.rsplit("_", 1)[-1])
        if size is not None and len(message) != size:
            # AWS's message as real KMS returned it [obs]: "Digest is invalid length for algorithm ECDSA_SHA_256"
            # (quoted in a KMS client's source, citing github.com/awslabs/aws-sdk-rust/discussions/571; the same text
            # for RSASSA_PKCS1_V1_5_SHA_256 digests of 20, 31, 33, 48 and 64 bytes in a published probe log).
            raise AwsError("ValidationException", f"Digest is invalid length for algorithm {algorithm}.")


@around("Sign")
def sign(response: KmsResponse, moto_method: Method) -> str:
    """Sign with every signing key spec: RSA and ECDSA on moto's key pair (signatures.py: a DIGEST is not hashed
    again, PSS salts are as long as the hash), Ed25519 and ML-DSA on the adapter's."""
    key, _request, message, algorithm, message_type = _checked(response, "Sign")
    if key.key_spec in NEW_SPECS:
        signature = key.private_key.sign(message, algorithm, message_type)
    else:
        signature = rsa_ecdsa_sign(key.private_key.private_key, algorithm, message, message_type)
    return json.dumps({"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(),
                       "SigningAlgorithm": algorithm})


@around("Verify")
def verify(response: KmsResponse, moto_method: Method) -> str:
    """SignatureValid true, or KMSInvalidSignatureException: AWS never answers SignatureValid false."""
    key, request, message, algorithm, message_type = _checked(response, "Verify")
    signature = base64.b64decode(request.get("Signature", ""))
    if key.key_spec in NEW_SPECS:
        valid = key.private_key.verify(message, signature, algorithm, message_type)
    else:
        valid = rsa_ecdsa_verify(key.private_key.private_key, algorithm, message, signature, message_type)
    if not valid:
        # The error's description in API_Verify (AWS's message text is not documented).
        raise AwsError("KMSInvalidSignatureException", "The request was rejected because the signature verification "
                                                       "failed.")
    return json.dumps({"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm})
