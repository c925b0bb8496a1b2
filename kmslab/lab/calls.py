"""How the lab makes one request for an IAM action: the boto3 call, its preparation and its undoing.

A table row for kms:Decrypt needs a ciphertext made beforehand; kms:ScheduleKeyDeletion
must be undone so the next row sees the same key. Preparation and undoing run as the
lab's setup administrator, outside authorization (scenario format: "the lab prepares
it beforehand ... outside authorization").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PLAINTEXT = b"kmslab: the quick brown fox"


@dataclass
class CallPlan:
    """The API operation to call with its parameters, and what to undo afterwards."""

    operation: str  # boto3 method name
    params: dict[str, Any]
    undo: list[Callable[[], None]] = field(default_factory=list)


@dataclass
class CallInput:
    """What a plan needs: the admin client, the key id as the request names it, options."""

    admin: Any  # the setup administrator's KMS client in the key's account
    key_arn: str | None
    key_ref: str | None  # the KeyId parameter as the request names it
    destination_arn: str | None = None
    encryption_context: dict[str, str] | None = None
    encryption_algorithm: str | None = None
    grant: dict[str, Any] | None = None
    caller_arn: str = ""


def _ctx(inp: CallInput) -> dict[str, Any]:
    return {"EncryptionContext": inp.encryption_context} if inp.encryption_context else {}


def _ciphertext(inp: CallInput, key_arn: str | None = None) -> bytes:
    return inp.admin.encrypt(KeyId=key_arn or inp.key_arn, Plaintext=PLAINTEXT, **_ctx(inp))["CiphertextBlob"]


def _encrypt(inp: CallInput) -> CallPlan:
    extra = {"EncryptionAlgorithm": inp.encryption_algorithm} if inp.encryption_algorithm else {}
    return CallPlan("encrypt", {"KeyId": inp.key_ref, "Plaintext": PLAINTEXT, **_ctx(inp), **extra})


def _decrypt(inp: CallInput) -> CallPlan:
    extra = {"EncryptionAlgorithm": inp.encryption_algorithm} if inp.encryption_algorithm else {}
    return CallPlan("decrypt", {"CiphertextBlob": _ciphertext(inp), "KeyId": inp.key_ref, **_ctx(inp), **extra})


def _reencrypt(inp: CallInput) -> CallPlan:
    params: dict[str, Any] = {
        "CiphertextBlob": _ciphertext(inp),
        "SourceKeyId": inp.key_ref,
        "DestinationKeyId": inp.destination_arn or inp.key_ref,
    }
    if inp.encryption_context:
        params["SourceEncryptionContext"] = inp.encryption_context
        params["DestinationEncryptionContext"] = inp.encryption_context
    return CallPlan("re_encrypt", params)


def _simple(operation: str, **fixed: Any) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        return CallPlan(operation, {"KeyId": inp.key_ref, **fixed})
    return plan


def _with_context(operation: str, **fixed: Any) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        return CallPlan(operation, {"KeyId": inp.key_ref, **fixed, **_ctx(inp)})
    return plan


def _keyless(operation: str, **fixed: Any) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        return CallPlan(operation, dict(fixed))
    return plan


def _put_key_policy(inp: CallInput) -> CallPlan:
    # Put back the policy the key has: the request is decided, the key is unchanged.
    policy = inp.admin.get_key_policy(KeyId=inp.key_arn, PolicyName="default")["Policy"]
    return CallPlan("put_key_policy", {"KeyId": inp.key_ref, "PolicyName": "default", "Policy": policy})


def _schedule_deletion(inp: CallInput) -> CallPlan:
    def undo() -> None:
        state = inp.admin.describe_key(KeyId=inp.key_arn)["KeyMetadata"]["KeyState"]
        if state == "PendingDeletion":
            inp.admin.cancel_key_deletion(KeyId=inp.key_arn)
            inp.admin.enable_key(KeyId=inp.key_arn)
    return CallPlan("schedule_key_deletion", {"KeyId": inp.key_ref, "PendingWindowInDays": 7}, [undo])


def _disable_key(inp: CallInput) -> CallPlan:
    enabled = inp.admin.describe_key(KeyId=inp.key_arn)["KeyMetadata"]["Enabled"]
    undo = [lambda: inp.admin.enable_key(KeyId=inp.key_arn)] if enabled else []
    return CallPlan("disable_key", {"KeyId": inp.key_ref}, undo)


def _create_grant(inp: CallInput) -> CallPlan:
    grant = inp.grant or {"grantee": inp.caller_arn, "operations": ["Decrypt"]}
    params: dict[str, Any] = {
        "KeyId": inp.key_ref, "GranteePrincipal": grant["grantee"], "Operations": list(grant["operations"]),
    }
    if grant.get("retiring_principal"):
        params["RetiringPrincipal"] = grant["retiring_principal"]
    constraints = grant.get("constraints") or {}
    if constraints.get("encryption_context_equals"):
        params["Constraints"] = {"EncryptionContextEquals": constraints["encryption_context_equals"]}
    elif constraints.get("encryption_context_subset"):
        params["Constraints"] = {"EncryptionContextSubset": constraints["encryption_context_subset"]}
    return CallPlan("create_grant", params)


def _revoke_grant(inp: CallInput) -> CallPlan:
    grant_id = inp.admin.create_grant(KeyId=inp.key_arn, GranteePrincipal=inp.caller_arn,
                                      Operations=["Decrypt"])["GrantId"]
    return CallPlan("revoke_grant", {"KeyId": inp.key_ref, "GrantId": grant_id})


def _create_alias(inp: CallInput) -> CallPlan:
    name = "alias/kmslab-probe"

    def undo() -> None:
        aliases = inp.admin.list_aliases(KeyId=inp.key_arn)["Aliases"]
        if any(a["AliasName"] == name for a in aliases):
            inp.admin.delete_alias(AliasName=name)
    return CallPlan("create_alias", {"AliasName": name, "TargetKeyId": inp.key_ref}, [undo])


def _tag(inp: CallInput) -> CallPlan:
    undo = [lambda: inp.admin.untag_resource(KeyId=inp.key_arn, TagKeys=["kmslab-probe"])]
    return CallPlan("tag_resource", {"KeyId": inp.key_ref, "Tags": [{"TagKey": "kmslab-probe", "TagValue": "1"}]}, undo)


def _rotation(enable: bool) -> Callable[[CallInput], CallPlan]:
    def plan(inp: CallInput) -> CallPlan:
        was = inp.admin.get_key_rotation_status(KeyId=inp.key_arn)["KeyRotationEnabled"]
        restore = inp.admin.enable_key_rotation if was else inp.admin.disable_key_rotation
        return CallPlan("enable_key_rotation" if enable else "disable_key_rotation", {"KeyId": inp.key_ref},
                        [lambda: restore(KeyId=inp.key_arn)])
    return plan


def _create_key(inp: CallInput) -> CallPlan:
    plan = CallPlan("create_key", {"Description": "kmslab probe"})
    return plan


PLANS: dict[str, Callable[[CallInput], CallPlan]] = {
    "kms:Encrypt": _encrypt,
    "kms:Decrypt": _decrypt,
    "kms:ReEncryptFrom": _reencrypt,
    "kms:ReEncryptTo": _reencrypt,
    "kms:GenerateDataKey": _with_context("generate_data_key", KeySpec="AES_256"),
    "kms:GenerateDataKeyWithoutPlaintext": _with_context("generate_data_key_without_plaintext", KeySpec="AES_256"),
    "kms:DescribeKey": _simple("describe_key"),
    "kms:GetKeyPolicy": _simple("get_key_policy", PolicyName="default"),
    "kms:PutKeyPolicy": _put_key_policy,
    "kms:ListKeyPolicies": _simple("list_key_policies"),
    "kms:ListGrants": _simple("list_grants"),
    "kms:ListResourceTags": _simple("list_resource_tags"),
    "kms:GetKeyRotationStatus": _simple("get_key_rotation_status"),
    "kms:EnableKeyRotation": _rotation(True),
    "kms:DisableKeyRotation": _rotation(False),
    "kms:ScheduleKeyDeletion": _schedule_deletion,
    "kms:DisableKey": _disable_key,
    "kms:EnableKey": _simple("enable_key"),
    "kms:CreateGrant": _create_grant,
    "kms:RevokeGrant": _revoke_grant,
    "kms:CreateAlias": _create_alias,
    "kms:TagResource": _tag,
    "kms:UpdateKeyDescription": _simple("update_key_description", Description="kmslab"),
    "kms:ListKeys": _keyless("list_keys"),
    "kms:ListAliases": _keyless("list_aliases"),
    "kms:GenerateRandom": _keyless("generate_random", NumberOfBytes=16),
    "kms:CreateKey": _create_key,
}
