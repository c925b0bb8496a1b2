"""Which key usage (and key spec) each cryptographic operation needs: InvalidKeyUsageException otherwise.

Each operation's API reference lists InvalidKeyUsageException: "The request was rejected for one of the
following reasons: The KeyUsage value of the KMS key is incompatible with the API operation. The encryption
algorithm or signing algorithm specified for the operation is incompatible with the type of key material in
the KMS key (KeySpec)." e.g. https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html#API_Sign_Errors
Which usage each operation takes: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-usage.html
The message is kmslab's (AWS documents the code, not the text): "<key ARN> key usage is <usage> which is not
valid for <operation>." (docs/aws-references.md, "Key usage").
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Key

INVALID_KEY_USAGE = "InvalidKeyUsageException"

# IAM action name (without kms:) -> the key usage it needs.
NEEDS_USAGE: Mapping[str, str] = {
    **dict.fromkeys(("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
                     "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
                     "GenerateDataKeyPairWithoutPlaintext"), "ENCRYPT_DECRYPT"),
    **dict.fromkeys(("Sign", "Verify"), "SIGN_VERIFY"),
    **dict.fromkeys(("GenerateMac", "VerifyMac"), "GENERATE_VERIFY_MAC"),
    "DeriveSharedSecret": "KEY_AGREEMENT",
    # "For encapsulating and decapsulating shared secrets, the KeyUsage must be ENCAPSULATE_DECAPSULATE."
    # (API_Encapsulate / API_Decapsulate, InvalidKeyUsageException)
    **dict.fromkeys(("Encapsulate", "Decapsulate"), "ENCAPSULATE_DECAPSULATE"),
}
# Data keys and data key pairs come from a symmetric encryption key: "To generate a data key, specify the
# symmetric encryption KMS key ... You cannot use an asymmetric KMS key" (API_GenerateDataKey,
# API_GenerateDataKeyPair).
NEEDS_SYMMETRIC = frozenset({"GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
                             "GenerateDataKeyPairWithoutPlaintext"})


def usage_refusal(operation: str, key: Key) -> tuple[str, str] | None:
    """(InvalidKeyUsageException, message) if the key's usage or spec does not fit the operation, else None."""
    needed = NEEDS_USAGE.get(operation)
    if needed is None:
        return None
    if key.key_usage != needed or (operation in NEEDS_SYMMETRIC and key.key_spec != "SYMMETRIC_DEFAULT"):
        return INVALID_KEY_USAGE, f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}."
    return None


def supports(operation: str, key_spec: str, key_usage: str) -> bool:
    """Whether a key of this spec and usage supports the operation (a grant operation, e.g. "Sign").

    "the operation must be supported on the KMS key. For example, you cannot create a grant for a symmetric encryption
    KMS key that allows the Sign operation, or a grant for an asymmetric KMS key that allows the GenerateDataKey
    operation." (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html, Operations). GetPublicKey
    needs an asymmetric key ("a specified resource is not valid for this operation", API_GetPublicKey Errors).
    """
    needed = NEEDS_USAGE.get(operation)
    if needed is not None:
        return key_usage == needed and (operation not in NEEDS_SYMMETRIC or key_spec == "SYMMETRIC_DEFAULT")
    if operation == "GetPublicKey":
        return key_spec != "SYMMETRIC_DEFAULT" and not key_spec.startswith("HMAC_")
    return True
