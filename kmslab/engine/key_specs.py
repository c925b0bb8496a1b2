"""AWS's key spec reference as data: every KeySpec, the key usages AWS allows for each, and their algorithms.

Sources:
- API_CreateKey, KeyUsage: "For symmetric encryption KMS keys, omit the parameter or specify ENCRYPT_DECRYPT. For HMAC
  KMS keys (symmetric), specify GENERATE_VERIFY_MAC. For asymmetric KMS keys with RSA key pairs, specify
  ENCRYPT_DECRYPT or SIGN_VERIFY. For asymmetric KMS keys with NIST-standard elliptic curve key pairs, specify
  SIGN_VERIFY or KEY_AGREEMENT. For asymmetric KMS keys with ECC_SECG_P256K1 key pairs, specify SIGN_VERIFY. For
  asymmetric KMS keys with ML-DSA key pairs, specify SIGN_VERIFY. For asymmetric KMS keys with ML-KEM key pairs,
  specify ENCAPSULATE_DECAPSULATE. For asymmetric KMS keys with SM2 key pairs (China Regions only), specify
  ENCRYPT_DECRYPT, SIGN_VERIFY, or KEY_AGREEMENT." and KeySpec: "ECC_NIST_EDWARDS25519 (ed25519) - signing and
  verification only", "The ML-KEM key specs are not available in China Regions", "SM2 (China Regions only)".
  https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
- Key spec reference (KMS Developer Guide): https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
  and its pages for asymmetric key specs (algorithms of each):
  https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html
The list of specs is botocore's KMS model's `KeySpec` enum (tests/lab/test_key_specs.py checks it stays equal).
"""

from __future__ import annotations

from collections.abc import Mapping

# Every KeySpec of the KMS model, in the model's order: the list a playground offers.
KEY_SPECS: tuple[str, ...] = (
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
    "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
    "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024",
)
_RSA = ("RSA_2048", "RSA_3072", "RSA_4096")
_NIST = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")
_HMAC = ("HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512")
_ML_DSA = ("ML_DSA_44", "ML_DSA_65", "ML_DSA_87")
_ML_KEM = ("ML_KEM_512", "ML_KEM_768", "ML_KEM_1024")

# Key spec -> the key usages AWS allows for it; the first is what a playground proposes.
KEY_USAGES: Mapping[str, tuple[str, ...]] = {
    "SYMMETRIC_DEFAULT": ("ENCRYPT_DECRYPT",),
    **dict.fromkeys(_HMAC, ("GENERATE_VERIFY_MAC",)),
    **dict.fromkeys(_RSA, ("ENCRYPT_DECRYPT", "SIGN_VERIFY")),
    **dict.fromkeys(_NIST, ("SIGN_VERIFY", "KEY_AGREEMENT")),
    "ECC_NIST_EDWARDS25519": ("SIGN_VERIFY",),
    "ECC_SECG_P256K1": ("SIGN_VERIFY",),
    **dict.fromkeys(_ML_DSA, ("SIGN_VERIFY",)),
    **dict.fromkeys(_ML_KEM, ("ENCAPSULATE_DECAPSULATE",)),
    "SM2": ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"),
}
CHINA_REGIONS_ONLY = frozenset({"SM2"})  # "SM2 (China Regions only)"
NOT_IN_CHINA_REGIONS = frozenset(_ML_KEM)  # "The ML-KEM key specs are not available in China Regions."
DEFAULT_KEY_USAGE = "ENCRYPT_DECRYPT"  # API_CreateKey, KeyUsage: "The default value is ENCRYPT_DECRYPT."

# Signing algorithms per key spec (API_Sign SigningAlgorithm; asymmetric-key-specs.html, "Signing algorithms").
_SIGNING: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys(_RSA, ("RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
                           "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512")),
    "ECC_NIST_P256": ("ECDSA_SHA_256",), "ECC_NIST_P384": ("ECDSA_SHA_384",), "ECC_NIST_P521": ("ECDSA_SHA_512",),
    "ECC_SECG_P256K1": ("ECDSA_SHA_256",),
    "ECC_NIST_EDWARDS25519": ("ED25519_SHA_512", "ED25519_PH_SHA_512"),
    **dict.fromkeys(_ML_DSA, ("ML_DSA_SHAKE_256",)),
    "SM2": ("SM2DSA",),
}
_ENCRYPTION: Mapping[str, tuple[str, ...]] = {
    "SYMMETRIC_DEFAULT": ("SYMMETRIC_DEFAULT",),
    **dict.fromkeys(_RSA, ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")),
    "SM2": ("SM2PKE",),
}
_MAC = {"HMAC_224": ("HMAC_SHA_224",), "HMAC_256": ("HMAC_SHA_256",), "HMAC_384": ("HMAC_SHA_384",),
        "HMAC_512": ("HMAC_SHA_512",)}


def is_china_region(region: str) -> bool:
    return region.startswith("cn-")


def algorithms(key_spec: str, key_usage: str) -> dict[str, list[str]]:
    """The algorithm lists of a key's metadata (DescribeKey, GetPublicKey): only the list its usage has.

    "This field appears in the response only when the KeyUsage of the public key is ENCRYPT_DECRYPT" (and
    SIGN_VERIFY, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE likewise): API_GetPublicKey, Response Elements.
    """
    if key_usage == "ENCRYPT_DECRYPT":
        return {"EncryptionAlgorithms": list(_ENCRYPTION.get(key_spec, ()))}
    if key_usage == "SIGN_VERIFY":
        return {"SigningAlgorithms": list(_SIGNING.get(key_spec, ()))}
    if key_usage == "GENERATE_VERIFY_MAC":
        return {"MacAlgorithms": list(_MAC.get(key_spec, ()))}
    if key_usage == "KEY_AGREEMENT":
        return {"KeyAgreementAlgorithms": ["ECDH"]}
    if key_usage == "ENCAPSULATE_DECAPSULATE":
        return {"EncapsulationAlgorithms": ["ML_KEM"]}
    return {}


def signing_algorithms(key_spec: str) -> tuple[str, ...]:
    return _SIGNING.get(key_spec, ())


def create_key_refusal(key_spec: str, key_usage: str, region: str) -> tuple[str, str] | None:
    """(ValidationException, message) if AWS refuses a CreateKey with this KeySpec and KeyUsage in `region`.

    The message for a usage the spec does not allow is the one AWS gave for SYMMETRIC_DEFAULT with SIGN_VERIFY
    ("The operation failed because the KeyUsage value of the CMK is SIGN_VERIFY. To perform this operation, the
    KeyUsage value must be ENCRYPT_DECRYPT.", quoted in github.com/aws/aws-sdk/issues/125) [obs], with the allowed
    usages of the spec; the region messages are kmslab's wording (docs/aws-references.md 10.7).
    """
    refusal = _spec_refusal("KeySpec", key_spec, KEY_SPECS, region)
    if refusal:
        return refusal
    allowed = KEY_USAGES[key_spec]
    if key_usage not in allowed:
        return ("ValidationException", f"The operation failed because the KeyUsage value of the CMK is {key_usage}. "
                                       f"To perform this operation, the KeyUsage value must be {' or '.join(allowed)}.")
    return None


# GenerateDataKeyPair's KeyPairSpec values (the model's DataKeyPairSpec enum): "The SM2 key spec is only available in
# China Regions. The ML-KEM key specs are not available in China Regions." (API_GenerateDataKeyPair, KeyPairSpec)
DATA_KEY_PAIR_SPECS: tuple[str, ...] = (
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2",
    "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024",
)


def key_pair_spec_refusal(key_pair_spec: str, region: str) -> tuple[str, str] | None:
    """(ValidationException, message) if AWS refuses this KeyPairSpec in `region` (kmslab's wording)."""
    return _spec_refusal("KeyPairSpec", key_pair_spec, DATA_KEY_PAIR_SPECS, region)


def _spec_refusal(parameter: str, spec: str, specs: tuple[str, ...], region: str) -> tuple[str, str] | None:
    """AWS's ValidationException for a spec outside the model's enum, or one the region does not offer."""
    if spec not in specs:
        member = parameter[0].lower() + parameter[1:]  # the model's member name, as AWS's validation message says it
        return ("ValidationException", f"1 validation error detected: Value '{spec}' at '{member}' failed to "
                                       f"satisfy constraint: Member must satisfy enum value set: [{', '.join(specs)}]")
    if spec in CHINA_REGIONS_ONLY and not is_china_region(region):
        return "ValidationException", f"{parameter} {spec} is available only in the China Regions."
    if spec in NOT_IN_CHINA_REGIONS and is_china_region(region):
        return "ValidationException", f"{parameter} {spec} is not available in the China Regions."
    return None
