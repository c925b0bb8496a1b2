"""The engine's vocabulary: callers, keys, grants, requests and decisions.

Plain immutable values (frozen dataclasses; a Gate is a NamedTuple) so the engine stays pure: whoever
builds them (the moto lab, a test, a notebook) owns the I/O; the engine only reads them. A Request, made
for every decision, is a plain dataclass (a frozen one costs three times as much to build); the engine
never changes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from . import words
from .policy import Policy

PrincipalType = Literal["Account", "User", "AssumedRole", "FederatedUser"]  # aws:PrincipalType values
KeyState = Literal["Enabled", "Disabled", "PendingDeletion", "PendingReplicaDeletion", "PendingImport", "Unavailable",
                   "Creating", "Updating"]


DEFAULT_REGION = "us-east-1"  # a Request's Region unless told otherwise


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
    # A multi-Region key's MultiRegionKeyType: "PRIMARY" or "REPLICA" (None for a single-Region key).
    multi_region_key_type: str | None = None
    aliases: tuple[str, ...] = ()  # alias names, e.g. ("alias/demo",)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)  # made for every decision: a frozen dataclass costs three times as much to build
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
    region: str = DEFAULT_REGION
    context: Mapping[str, Any] = field(default_factory=dict)
    scps: tuple[Policy, ...] | None = None
    encryption_context: Mapping[str, str] | None = None  # for grant constraints and kms:EncryptionContext:*
    grant_id: str | None = None  # RetireGrant: the grant to retire (its retiring principal may, by the grant)
    # A non-KMS action's resource ARN (`kmslab serve`'s IAM and STS requests, e.g. iam:AttachUserPolicy on
    # arn:aws:iam::111122223333:user/alice): with it, `action` may be any service's and `key` is None, so
    # explicit Deny, SCPs and the identity policies (within boundary and session policies) alone decide.
    resource: str | None = None
    # Which of the request's keys `key` is, where the key state table tells them apart: UpdateAlias's "source"
    # (the alias's current key) or "destination" (the new one); None for every other request.
    key_role: str | None = None


class GateName(StrEnum):
    """The gates of the evaluation flow, in the order `authorize` visits them."""

    RETIRING_PRINCIPAL = "retiring-principal"  # RetireGrant only: the grant names who may retire it
    EXPLICIT_DENY = "explicit-deny"
    SCP = "scp"
    KEY_POLICY = "key-policy"  # the key policy names the caller (or its role)
    ACCOUNT_DELEGATION = "account-delegation"  # the key policy allows the account: IAM policies count
    IDENTITY_POLICY = "identity-policy"
    BOUNDARY = "boundary"
    SESSION_POLICY = "session-policy"
    GRANT = "grant"
    KEY_STATE = "key-state"


class GateOutcome(StrEnum):
    """What happened at one gate: one vocabulary for every gate.

    A gate that plays no part in this request (no SCP, no boundary, a key-less action) is
    NOT_USED; one skipped because another gate already settled the question is NOT_NEEDED;
    IAM policies that would allow but count for nothing (the key policy gives IAM no say) are
    IGNORED. Only DENY refuses by itself; NO_MATCH refuses only when no later gate allows.
    """

    ALLOW = "allow"  # a statement or grant here allows the request
    DENY = "deny"  # this gate refuses the request (an explicit Deny, a key state, ...)
    PASS = "pass"  # nothing here stops the request (no explicit Deny; the key state permits it)
    NO_MATCH = "no-match"  # nothing here allows the request
    NOT_USED = "not-used"  # plays no part here
    NOT_NEEDED = "not-needed"  # not consulted: another gate already settled what it would decide
    IGNORED = "ignored"  # would allow, but counts for nothing here


PolicyKindName = Literal["resource", "identity", "boundary", "session", "scp"]


@dataclass(frozen=True, slots=True)  # made on every decision: no per-instance dict
class StatementRef:
    """A statement that took part in a decision: which policy, which statement (Sid and position)."""

    policy: str  # the policy's name: "key policy", "AdministratorAccess", ...
    kind: str  # resource | identity | boundary | session | scp
    sid: str | None
    index: int  # 0-based position in the policy's statement list
    effect: Literal["Allow", "Deny"]

    def label(self) -> str:
        """`key policy: Sid 'Enable IAM User Permissions'` or `AdministratorAccess (statement 1, no Sid)`."""
        return words.ref_label(self)


@dataclass(frozen=True, slots=True)
class GrantRef:
    """A grant that took part in a decision (a grant is not a policy statement)."""

    grant_id: str
    name: str | None = None
    effect: Literal["Allow"] = "Allow"  # grants only ever allow
    kind: Literal["grant"] = "grant"

    def label(self) -> str:
        return words.ref_label(self)


Ref = StatementRef | GrantRef
# A sentence to render: a template id of `words.TEMPLATES` and its named values.
Phrase = tuple[str, Mapping[str, Any]]


class Gate(NamedTuple):  # immutable like the dataclasses here, and made on most decisions: a third of the cost
    """One gate visited: its outcome, the statements or grant it found, and what to say about it."""

    name: GateName
    outcome: GateOutcome
    refs: tuple[Ref, ...] = ()
    note: Phrase | None = None  # words for this gate's detail; None: the outcome's default words

    @property
    def detail(self) -> str:
        """This gate in one line of words (rendered by `words`, only when asked)."""
        return words.gate_detail(self)

    @property
    def statements(self) -> tuple[Ref, ...]:
        return self.refs


class _Decided(NamedTuple):
    allowed: bool
    action: str
    principal: str
    resource: str | None
    gates: tuple[Gate, ...]
    deciding: GateName | None
    statements: tuple[Ref, ...]  # the statements or grant that decided it
    why: tuple[Phrase, ...]
    message: str | None = None  # AWS's error message
    error: str | None = None  # AWS's error code: "AccessDeniedException", "DisabledException", ...


class Decision(_Decided):  # immutable, and made on every decision: a NamedTuple builds in a quarter of the time
    """The engine's answer, with the path it took: allowed or not, at which gate, and why.

    `gates` are the gates visited, in order; `deciding` is the gate that settled the answer;
    `statements` the statements or grant that decided it; `why` the reason as phrases, rendered
    into `reason` by `words` when read. `error`/`message` are AWS's error code and message when
    the request is refused (AccessDeniedException, or a key state's error).
    """

    @property
    def label(self) -> str:
        return "allowed" if self.allowed else "denied"

    @property
    def reason(self) -> str:
        """The reason in one sentence (rendered from `why` by `words`)."""
        kept = self.__dict__  # the fields are the tuple's; only the rendered reason is kept here, once asked for
        text: str | None = kept.get("reason")
        if text is None:  # rendered once: the lab's memo hands the same Decision to many requests
            text = kept["reason"] = words.reason(self)
        return text

    def gate(self, name: str) -> Gate | None:
        """The visited gate of this name, or None if the request never reached it."""
        for g in self.gates:
            if g.name == name:
                return g
        return None
