"""The engine's vocabulary: callers, keys, grants, requests and decisions.

Plain frozen dataclasses so the engine stays pure: whoever builds them (the moto
lab, a test, a notebook) owns the I/O; the engine only reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .policy import Policy

PrincipalType = Literal["Account", "User", "AssumedRole", "FederatedUser"]  # aws:PrincipalType values
KeyState = Literal["Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable"]
GateOutcome = Literal["allow", "deny", "no-match", "pass", "fail", "skip"]


@dataclass(frozen=True)
class Caller:
    """Who makes the request, with every policy that applies to them.

    `arn` is the ARN AWS reports for the caller (a user ARN, the account's root ARN
    `arn:aws:iam::ACCOUNT:root`, or an assumed-role session ARN
    `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    """

    arn: str
    account: str
    principal_type: PrincipalType
    user_id: str  # aws:userid: AIDA... for users, AROA...:session for sessions, the account id for root
    username: str | None = None  # aws:username (IAM users only)
    role_arn: str | None = None  # role sessions: the role's ARN (matched by key policy principals)
    identity_policies: tuple[Policy, ...] = ()  # inline, attached and group policies (users) / role policies
    permissions_boundary: Policy | None = None
    session_policies: tuple[Policy, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)  # aws:PrincipalTag/*
    mfa: bool | None = None  # aws:MultiFactorAuthPresent; None = key absent (long-term user keys)

    @property
    def is_root(self) -> bool:
        return self.principal_type == "Account"


@dataclass(frozen=True)
class Grant:
    """A KMS grant: an allow-only permission for a grantee on one key."""

    grant_id: str
    grantee_principal: str
    operations: frozenset[str]  # API operation names, e.g. {"Decrypt", "GenerateDataKey"}
    retiring_principal: str | None = None
    encryption_context_equals: Mapping[str, str] | None = None
    encryption_context_subset: Mapping[str, str] | None = None
    name: str | None = None
    issuing_account: str | None = None


@dataclass(frozen=True)
class Key:
    """A KMS key as authorization sees it."""

    arn: str
    key_id: str
    account: str
    region: str
    policy: Policy
    grants: tuple[Grant, ...] = ()
    state: KeyState = "Enabled"
    key_spec: str = "SYMMETRIC_DEFAULT"
    key_usage: str = "ENCRYPT_DECRYPT"
    origin: str = "AWS_KMS"
    multi_region: bool = False
    aliases: tuple[str, ...] = ()  # alias names, e.g. ("alias/demo",)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One authorization question: may `caller` perform `action` on `key`?

    `action` is an IAM action name (`kms:Decrypt`); `key` is None for actions with no
    key resource (CreateKey, ListKeys, ...). `context` holds request-specific condition
    keys (`kms:EncryptionContext:app`, `kms:ViaService`, `aws:SourceIp`, ...); the
    engine derives the rest (`aws:PrincipalArn`, `kms:CallerAccount`, ...) from the
    caller and the key. `scps` is None when no SCP restricts the caller's account.
    """

    caller: Caller
    action: str
    key: Key | None = None
    region: str = "us-east-1"
    context: Mapping[str, Any] = field(default_factory=dict)
    scps: tuple[Policy, ...] | None = None
    encryption_context: Mapping[str, str] | None = None  # for grant constraints


@dataclass(frozen=True, slots=True)  # made on every decision: no per-instance dict
class StatementRef:
    """A statement that took part in a decision: where it lives and what it said."""

    policy: str  # the policy's name: "key policy", "AdministratorAccess", "grant 1234...", ...
    kind: str  # resource | identity | boundary | session | scp | grant
    sid: str | None
    index: int  # position in the policy's statement list
    effect: Literal["Allow", "Deny"]

    def label(self) -> str:
        where = f"Sid {self.sid!r}" if self.sid else f"statement #{self.index}"
        return f"{self.policy}: {where}"


@dataclass(frozen=True, slots=True)  # made on every decision: no per-instance dict
class Gate:
    """One step of the evaluation flow and what happened there."""

    # explicit-deny | scp | key-policy | account-delegation | identity-policy | boundary | session-policy | grant
    name: str
    outcome: GateOutcome
    detail: str
    statements: tuple[StatementRef, ...] = ()


@dataclass(frozen=True, slots=True)  # made on every decision: no per-instance dict
class Decision:
    """The engine's answer: allowed or not, why, and AWS's error message if denied."""

    allowed: bool
    action: str
    principal: str
    resource: str | None
    reason: str
    gates: tuple[Gate, ...]
    statements: tuple[StatementRef, ...]  # the statements that decided it
    message: str | None = None  # AccessDeniedException message, AWS wording
    error: str | None = field(default=None)  # "AccessDeniedException" when denied

    @property
    def label(self) -> str:
        return "allowed" if self.allowed else "denied"
