"""What KMS checks when a key policy is set: the grammar and the lockout safety check.

https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from . import messages
from .evaluate import authorize
from .model import Caller, Key, Request
from .policy import MALFORMED, Policy, PolicyError


def parse_key_policy(document: str | Mapping[str, Any]) -> Policy:
    """Parse a key policy; raise PolicyError with AWS's error code."""
    return Policy.parse(document, name="key policy", kind="resource")


def check_lockout(policy: Policy, caller: Caller, key: Key) -> None:
    """Raise MalformedPolicyDocumentException unless `caller` could call PutKeyPolicy later.

    "the key policy must allow the principal that is making the CreateKey request to
    make a subsequent PutKeyPolicy request on the KMS key" (CreateKey API reference).
    """
    decision = authorize(Request(caller=caller, action="kms:PutKeyPolicy", key=replace(key, policy=policy)))
    if not decision.allowed and decision.error == "AccessDeniedException":  # a key state is not a lockout
        raise PolicyError(MALFORMED, messages.LOCKOUT_MESSAGE)


def aws_principals(policy: Policy) -> set[str]:
    """Every AWS principal a policy names (for checking that they exist)."""
    out: set[str] = set()
    for s in policy.statements:
        for element in (s.principal, s.not_principal):
            if element:
                out.update(element.get("AWS", ()))
    return out
