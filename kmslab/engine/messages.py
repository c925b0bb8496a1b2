"""AWS's wording for denied requests and for the reasons behind them.

The AccessDeniedException templates follow the IAM User Guide, "Access denied
error message examples":
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
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

LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future."
INVALID_PRINCIPALS_MESSAGE = "Policy contains a statement with one or more invalid principals."


def explicit_deny(principal: str, action: str, resource: str, kind: str) -> str:
    """`User: ARN is not authorized to perform: ACTION on resource: ARN with an explicit deny in a ...`."""
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        f"with an explicit deny in a {POLICY_TYPE[kind]}"
    )


def implicit_deny(principal: str, action: str, resource: str, kind: str) -> str:
    """`User: ARN is not authorized to perform: ACTION on resource: ARN because no ... allows ...`."""
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        f"because no {POLICY_TYPE[kind]} allows the {action} action"
    )


def who(caller_type: str) -> str:
    """How a reason sentence names the caller."""
    return {
        "Account": "the account's root user",
        "User": "this IAM user",
        "AssumedRole": "this role session",
        "FederatedUser": "this federated user",
    }.get(caller_type, "this principal")
