"""The authorizer: one pure function from a Request to a Decision.

`authorize` walks the gates of `gates.GATES` in AWS's order (IAM's evaluation flow with
KMS's rule that the key policy must allow), then the key's state, and returns a
`Decision` that records the path: every gate visited, the deciding gate, the statements or
grant that decided, and the reason as phrases that `words` renders.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
"""

from __future__ import annotations

from . import messages
from .context import request_context
from .gates import GATES, End, Walk, key_state
from .grants import constraints_hold, grant_allows, grantee_match
from .model import Decision, Request
from .statements import not_principal_excludes, principal_match

__all__ = [
    "authorize", "constraints_hold", "grant_allows", "grantee_match", "not_principal_excludes",
    "principal_match", "request_context",
]

ACCESS_DENIED = "AccessDeniedException"


def authorize(request: Request) -> Decision:
    """Decide a request the way AWS KMS does, and record the path it took."""
    walk = Walk(request)
    end: End | None = None
    for gate in GATES:
        end = gate(walk)
        if end is not None:
            break
    assert end is not None, "the grant gate always ends the walk"
    if end.allowed:
        end = key_state(walk, end)
    principal, action, resource = request.caller.arn, walk.action, walk.resource
    if end.allowed:
        return Decision(True, action, principal, resource, tuple(walk.gates), end.deciding, end.refs, end.why)
    if end.error is not None:  # refused by the key's state, with KMS's own error
        error, message = end.error, end.message
    else:
        error = ACCESS_DENIED
        build = messages.explicit_deny if end.explicit else messages.implicit_deny
        message = build(principal, action, resource, end.kind)
    return Decision(False, action, principal, resource, tuple(walk.gates), end.deciding, end.refs, end.why,
                    message, error)
