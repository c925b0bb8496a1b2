"""The KMS authorization engine: pure Python, no moto, no Jupyter, no pandas.

One entry point, `authorize(request) -> Decision`, decides like AWS KMS and says why.
"""

from . import words
from .catalog import (
    STANDARD_ACTIONS,
    ActionInfo,
    UnknownActionError,
    action_info,
    kms_actions,
    normalize_action,
    suggest_action,
)
from .context import DEFAULT_REGION, DEFAULT_SOURCE_IP, RequestKeys, request_context, request_keys
from .evaluate import authorize, principal_match
from .model import Caller, Decision, Gate, GateName, GateOutcome, Grant, GrantRef, Key, Request, StatementRef
from .policy import LIMIT_EXCEEDED, MALFORMED, Policy, PolicyError, Statement
from .validate import aws_principals, check_lockout, parse_key_policy

__all__ = [
    "DEFAULT_REGION", "DEFAULT_SOURCE_IP", "LIMIT_EXCEEDED", "MALFORMED", "STANDARD_ACTIONS", "ActionInfo",
    "Caller", "Decision", "Gate", "GateName", "GateOutcome", "Grant", "GrantRef", "Key", "Policy",
    "PolicyError", "Request", "RequestKeys", "Statement", "StatementRef", "UnknownActionError", "action_info",
    "authorize", "aws_principals", "check_lockout", "kms_actions", "normalize_action", "parse_key_policy",
    "principal_match", "request_context", "request_keys", "suggest_action", "words",
]
