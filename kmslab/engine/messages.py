"""AWS's wording for denied requests, rejected key policies and the reasons behind them.

The AccessDeniedException templates follow the IAM User Guide, "Access denied
error message examples":
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
"When a policy explicitly denies access ... AWS includes the phrase `with an explicit
deny in a type policy`... When the policy implicitly denies access, then AWS includes
the phrase `because no type policy allows the action action`". The examples there
read "with an explicit deny in an identity-based policy", "... in a resource-based
policy", "... in a permissions boundary", "because no session policy allows the
codecommit:ListRepositories action".
"""

from __future__ import annotations

# Policy type names as they appear in AWS's messages.
POLICY_TYPE = {
    "scp": "service control policy",
    "resource": "resource-based policy",
    "identity": "identity-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
}
# The article before the type name: "in an identity-based policy", "in a permissions boundary".
_ARTICLE = {kind: "an" if name[0] in "aeiou" else "a" for kind, name in POLICY_TYPE.items()}

# MalformedPolicyDocumentException messages KMS returns for CreateKey / PutKeyPolicy,
# as real AWS responses show them (docs/aws-references.md section 2.3).
# Lockout safety check: "The key policy must allow the calling principal to make a
# subsequent PutKeyPolicy request on the KMS key."
# https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future."
# "The principals in the key policy must exist and be visible to KMS."
INVALID_PRINCIPALS_MESSAGE = "Policy contains a statement with one or more invalid principals."
# "Each statement in the key policy must contain one or more principals."
NO_PRINCIPAL_MESSAGE = "Policy contains a statement with no principal."


def overly_permissive_message(what: str) -> str:
    """KMS's OverlyPermissiveCondition text; `what` is "encryption context" or "tag".

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
    """
    return (
        "OverlyPermissiveCondition: Using the ForAllValues set operator with a single-valued "
        f"condition key matches requests without the specified {what} or with an unspecified "
        f"{what}. To fix, remove ForAllValues."
    )


def explicit_deny(principal: str, action: str, resource: str, kind: str) -> str:
    """`User: ARN is not authorized to perform: ACTION on resource: ARN with an explicit deny in a ...`."""
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        f"with an explicit deny in {_ARTICLE[kind]} {POLICY_TYPE[kind]}"
    )


def implicit_deny(principal: str, action: str, resource: str, kind: str) -> str:
    """`User: ARN is not authorized to perform: ACTION on resource: ARN because no ... allows ...`."""
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        f"because no {POLICY_TYPE[kind]} allows the {action} action"
    )


def disabled(key_arn: str) -> str:
    """KMS's DisabledException text for a disabled key."""
    return f"{key_arn} is disabled."


def pending_deletion(key_arn: str) -> str:
    """KMS's KMSInvalidStateException text for a key pending deletion."""
    return f"{key_arn} is pending deletion."
