"""The authorizer: one pure function from a Request to a Decision.

Each gate is a small function; `authorize` runs them in the order of the IAM
User Guide's evaluation flow, with KMS's rule that the key policy must allow.

- IAM evaluation order (deny, SCP, resource-based, identity-based, boundary, session):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- KMS: "Unless the key policy explicitly allows it, you cannot use IAM policies to
  allow access to a KMS key."
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
- Cross-account: the key policy must allow the external account or principal, and
  the external account's IAM policies must allow too.
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
- Grants: "No AWS principal ... has any permissions to a KMS key unless they are
  explicitly allowed, and never denied, in a key policy, IAM policy, or grant."
  https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from . import messages
from .catalog import action_info
from .conditions import conditions_hold
from .matching import LowerKeyContext, MissingVariable, action_matches, substitute, wildcard_match
from .model import Caller, Decision, Gate, Grant, Key, Request, StatementRef
from .policy import Policy, Statement

# How a key policy statement's Principal covers the caller.
Match = Literal["direct", "role", "account"]
_RANK = {"direct": 0, "role": 1, "account": 2}

# "Cross-account permission is effective only for the following operations:
# Cryptographic operations, CreateGrant, DescribeKey, GetKeyRotationStatus,
# GetPublicKey, ListGrants, RetireGrant, RevokeGrant ... If you give a user in a
# different account permission for other operations, those permissions have no effect."
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
CROSS_ACCOUNT_ACTIONS = frozenset({
    "kms:CreateGrant", "kms:Decrypt", "kms:DeriveSharedSecret", "kms:DescribeKey", "kms:Encrypt",
    "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:GetKeyRotationStatus",
    "kms:GetPublicKey", "kms:ListGrants", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant",
    "kms:RevokeGrant", "kms:Sign", "kms:Verify", "kms:VerifyMac",
})

# Grant operations that take an encryption context: "Encryption context grant
# constraints are not applied to operations that do not support an encryption
# context, such as cryptographic operations with asymmetric KMS keys and management
# operations, such as DescribeKey or RetireGrant."
# https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
CONTEXT_OPERATIONS = frozenset({
    "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
})


class _Hit:
    """A statement that applies to the request."""

    __slots__ = ("policy", "statement", "match")

    def __init__(self, policy: Policy, statement: Statement, match: Match | None = None) -> None:
        self.policy, self.statement, self.match = policy, statement, match

    def ref(self) -> StatementRef:
        return _ref_and_label(self.policy, self.statement)[0]

    def label(self) -> str:
        return _ref_and_label(self.policy, self.statement)[1]


def _ref_and_label(policy: Policy, s: Statement) -> tuple[StatementRef, str]:
    """A statement's StatementRef and label, made once per parsed policy (both immutable)."""
    made: dict[int, tuple[StatementRef, str]] = _derived(policy, "_kmslab_refs", lambda _: {})
    found = made.get(s.index)
    if found is None:
        ref = StatementRef(policy.name, policy.kind, s.sid, s.index, s.effect)
        found = made[s.index] = (ref, ref.label())
    return found


# ---------------------------------------------------------------- request context

_NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})  # for requests whose policies read no condition key


_NOW: tuple[int, tuple[str, str]] = (-1, ("", ""))


def _now_strings() -> tuple[str, str]:
    """aws:CurrentTime and aws:EpochTime, formatted once per second (their precision)."""
    global _NOW
    second = int(time.time())
    if _NOW[0] != second:
        now = datetime.fromtimestamp(second, UTC)
        _NOW = (second, (now.strftime("%Y-%m-%dT%H:%M:%SZ"), str(second)))
    return _NOW[1]


def _derived(obj: Any, slot: str, build: Callable[[Any], Any]) -> Any:
    """A value derived from a frozen Caller, Key or Policy, computed once and kept on it.

    Like functools.cached_property, but defined here: what the authorizer derives belongs to
    the authorizer, not to the model.
    """
    found = obj.__dict__.get(slot)
    if found is None:
        found = obj.__dict__[slot] = build(obj)
    return found


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
    ctx = LowerKeyContext(_derived(caller, "_kmslab_context", _caller_keys))
    ctx["aws:requestedregion"] = request.region
    ctx["aws:currenttime"] = current_time
    ctx["aws:epochtime"] = epoch_time
    if key is not None:
        ctx.update(_derived(key, "_kmslab_context", _key_keys))
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


# ---------------------------------------------------------------- statement matching


@lru_cache(maxsize=4096)  # pure, asked for every principal of every statement
def _is_account(ident: str, account: str) -> bool:
    """The account principal: "123456789012" or arn:PARTITION:iam::123456789012:root.

    "The account ARN and the shortened account ID behave the same way. Both delegate
    permissions to the account."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    """
    return ident == account or (
        ident.endswith(f":iam::{account}:root") and ident.startswith("arn:") and ident.count(":") == 5
    )


def principal_match(principals: Mapping[str, tuple[str, ...]] | Any, caller: Caller) -> Match | None:
    """How a Principal element covers the caller, best match first; None if it does not.

    - "*", the caller's own ARN (user, root or session) or a user's unique id: direct.
    - the role ARN (or role unique id) of a role session: role ("Resource-based policies
      that grant permissions to an IAM role ARN are limited by an implicit deny in a
      permissions boundary or session policy").
    - the caller's account ("123456789012" or arn:aws:iam::123456789012:root): account,
      which delegates to the account's IAM policies.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    best: Match | None = None
    for ident in principals.get("AWS", ()):
        found: Match | None = None
        if _is_account(ident, caller.account):
            found = "account"  # also for the root user: its ARN is the account principal
        elif ident == "*" or ident == caller.arn:
            found = "direct"
        elif caller.role_arn is not None and ident == caller.role_arn:
            found = "role"
        elif ident == caller.user_id or (
            caller.principal_type == "AssumedRole" and ident == caller.user_id.split(":")[0]
        ):
            found = "direct" if caller.principal_type == "User" else "role"
        if found and (best is None or _RANK[found] < _RANK[best]):
            best = found
            if best == "direct":
                break
    return best


def _principal_match_of(principals: Mapping[str, tuple[str, ...]], caller: Caller) -> Match | None:
    """principal_match, kept per Caller for each Principal element it met (both are immutable)."""
    seen: dict[int, tuple[Any, Match | None]] = _derived(caller, "_kmslab_principal_matches", lambda _: {})
    found = seen.get(id(principals))
    if found is None or found[0] is not principals:  # the element itself is kept, so its id is not reused
        found = seen[id(principals)] = (principals, principal_match(principals, caller))
    return found[1]


def not_principal_excludes(principals: Mapping[str, tuple[str, ...]] | Any, caller: Caller) -> bool:
    """True when a Deny statement's NotPrincipal exempts the caller.

    "When you use NotPrincipal with Deny, you must also specify the account ARN of the
    not-denied principal. Otherwise, the policy might deny access to the entire account
    containing the principal. ... If an assumed-role user ... is being evaluated, AWS
    might validate the account first, then the role, and then the assumed-role user."
    So the caller is exempt only when NotPrincipal names it at every level: the account,
    (for a role session) the role, and the user, session or root itself.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    ids = principals.get("AWS", ())
    if "*" in ids:
        return True
    if not any(_is_account(i, caller.account) for i in ids):
        return False
    if caller.is_root:
        return True
    if caller.role_arn is not None:
        role_id = caller.user_id.split(":")[0]
        return caller.arn in ids and (caller.role_arn in ids or role_id in ids)
    return caller.arn in ids or caller.user_id in ids


def _matches_any(patterns: tuple[str, ...], value: str, ctx: Mapping[str, Any], variables: bool) -> bool:
    """Resource/NotResource: ARNs match case-sensitively, with policy variables.

    "If a variable that has no value in the authorization context is used as part of
    the Resource or NotResource element of a policy, the resource that includes a
    policy variable with no value will not match any resource."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
    """
    for pattern in patterns:
        if variables and "${" in pattern:
            try:
                pattern = substitute(pattern, ctx, pattern=True)
            except MissingVariable:
                continue
        if wildcard_match(pattern, value):
            return True
    return False


def _static_match(s: Statement, action: str, resource: str) -> bool | None:
    """Action and Resource without the request context: False (no), True (yes), or None when the
    Action covers the action but Resource holds policy variables, to check with the request's context."""
    if s.actions is not None:
        if not any(action_matches(p, action) for p in s.actions):
            return False
    elif s.not_actions is not None and any(action_matches(p, action) for p in s.not_actions):
        return False
    patterns = s.resources if s.resources is not None else s.not_resources
    if patterns is None:
        return True
    if s.variables and any("${" in p for p in patterns):
        return None
    return _matches_any(patterns, resource, _NO_CONTEXT, False) == (s.resources is not None)


def _resource_applies(s: Statement, resource: str, ctx: Mapping[str, Any]) -> bool:
    if s.resources is not None:
        return _matches_any(s.resources, resource, ctx, s.variables)
    return s.not_resources is None or not _matches_any(s.not_resources, resource, ctx, s.variables)


def _candidates(policy: Policy, effect: str, action: str, resource: str) -> tuple[tuple[Statement, bool], ...]:
    """(statement, Resource still to check) for each statement of `effect` whose Action and Resource
    may cover the request, before principals and conditions.

    A pure function of a parsed policy (parsed once per text), so it is kept on the policy: a
    policy change is a new Policy, and nothing here depends on the caller or the request context.
    """
    statements = policy.denies if effect == "Deny" else policy.allows
    if not statements:
        return ()  # most policies have no Deny statement at all
    cache: dict[tuple[str, str, str], tuple[tuple[Statement, bool], ...]] | None = policy.__dict__.get(
        "_kmslab_candidates")  # as _derived keeps it, inlined: this runs several times a decision
    if cache is None:
        cache = policy.__dict__["_kmslab_candidates"] = {}
    found = cache.get((effect, action, resource))
    if found is None:
        found = tuple(
            (s, static is None)
            for s in statements
            if (static := _static_match(s, action, resource)) is not False
        )
        if len(cache) < 4096:
            cache[(effect, action, resource)] = found
    return found


def _hits(
    policies: Iterable[Policy], effect: str, action: str, resource: str,
    ctx: Mapping[str, Any], caller: Caller | None = None,
) -> list[_Hit]:
    """Statements of `effect` that apply to the request; for key policies, to this caller."""
    out: list[_Hit] = []
    for policy in policies:
        for s, check_resource in _candidates(policy, effect, action, resource):
            match: Match | None = None
            if caller is not None and policy.kind == "resource":
                if s.principal is not None:
                    match = _principal_match_of(s.principal, caller)
                    if match is None:
                        continue
                elif s.not_principal is not None:
                    if not_principal_excludes(s.not_principal, caller):
                        continue
                    match = "direct"
            if check_resource and not _resource_applies(s, resource, ctx):
                continue
            if s.conditions and not conditions_hold(s.conditions, ctx, variables=s.variables):
                continue
            out.append(_Hit(policy, s, match))
    return out


# ---------------------------------------------------------------- grants


def grantee_match(grant: Grant, caller: Caller) -> Literal["direct", "account"] | None:
    """How a grant's grantee principal covers the caller.

    "The grantee principal can be any AWS principal, including an AWS account (root),
    an IAM user, an IAM role, a federated role or user, or an assumed role user."
    A role grantee covers the role's sessions. An account grantee covers the root user
    directly and the account's other identities through their IAM policies, as the
    account principal of a key policy does ("the grantee principal can represent
    multiple identities").
    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grantee-principal
    """
    grantee = grant.grantee_principal
    if grantee == caller.arn or (caller.role_arn is not None and grantee == caller.role_arn):
        return "direct"
    if _is_account(grantee, caller.account):
        return "direct" if caller.is_root else "account"
    return None


def constraints_hold(grant: Grant, operation: str, enc: Mapping[str, str] | None, key_spec: str) -> bool:
    """A grant's encryption context constraints, for the operations they apply to.

    "EncryptionContextSubset ... The grant allows the cryptographic operation only when
    the encryption context in the request includes the key-value pairs specified in this
    constraint"; "EncryptionContextEquals ... only when the encryption context in the
    request is the same"; "in a grant constraint, the key in each key-value pair is not
    case sensitive, but the value is case sensitive."
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
    https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html
    """
    if operation not in CONTEXT_OPERATIONS or key_spec != "SYMMETRIC_DEFAULT":
        return True  # constraints are not applied where there is no encryption context
    context = {k.lower(): v for k, v in (enc or {}).items()}
    if grant.encryption_context_equals is not None:
        wanted = {k.lower(): v for k, v in grant.encryption_context_equals.items()}
        if context != wanted:
            return False
    if grant.encryption_context_subset is not None:
        for k, v in grant.encryption_context_subset.items():
            if context.get(k.lower()) != v:
                return False
    return True


def grant_allows(
    grant: Grant, caller: Caller, operation: str, enc: Mapping[str, str] | None,
    key_spec: str = "SYMMETRIC_DEFAULT",
) -> bool:
    """A grant allows its grantee the listed operations, within its constraints.

    (An account grantee's IAM users and roles also need an IAM policy: see grantee_match.)
    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    """
    return (
        grantee_match(grant, caller) is not None
        and operation in grant.operations
        and constraints_hold(grant, operation, enc, key_spec)
    )


# ---------------------------------------------------------------- the gates

# The gates whose words never change, made once (a Gate is immutable).
_NO_DENY = Gate("explicit-deny", "pass", "no Deny statement matches")
_SCP_FAIL = Gate("scp", "fail", "no SCP allows the action")
_SCP_SKIP = Gate("scp", "skip", "no SCP applies to this account")
_ROOT_IDENTITY = Gate("identity-policy", "allow", "the root user has every permission in its account")
_NO_IDENTITY = Gate("identity-policy", "no-match", "no IAM policy of the caller allows the action")
_BOUNDARY_PASS = Gate("boundary", "pass", "the permissions boundary allows the action")
_BOUNDARY_FAIL = Gate("boundary", "fail", "the permissions boundary does not allow the action")
_SESSION_PASS = Gate("session-policy", "pass", "the session policy allows the action")
_SESSION_FAIL = Gate("session-policy", "fail", "the session policy does not allow the action")
_GRANT_NO_MATCH = Gate("grant", "no-match", "no grant allows the operation")
_GRANT_SKIP = Gate("grant", "skip", "no grant allows the operation")
_KEY_POLICY_NO_MATCH = Gate("key-policy", "no-match", "no key policy statement names the caller")


@lru_cache(maxsize=256)
def _no_account_gate(account: str) -> Gate:
    return Gate("account-delegation", "no-match", f"no key policy statement allows the account {account}")


def _caller_reads_context(caller: Caller) -> bool:
    policies = (*caller.identity_policies, *caller.session_policies)
    if caller.permissions_boundary is not None:
        policies += (caller.permissions_boundary,)
    return any(p.reads_context for p in policies)


def authorize(request: Request) -> Decision:
    """Decide a request the way AWS KMS does, with the gates, statements and reason."""
    info = action_info(request.action)
    action = info.name
    caller, key = request.caller, request.key
    if info.takes_key and key is None:
        raise ValueError(f"{action} needs a key")
    resource = key.arn if (key is not None and info.takes_key) else "*"
    if not info.takes_key:
        key = None
    gates: list[Gate] = []

    def denied(
        kind: str, reason: str, statements: tuple[StatementRef, ...] = (), *, explicit: bool = False
    ) -> Decision:
        build = messages.explicit_deny if explicit else messages.implicit_deny
        return Decision(
            allowed=False, action=action, principal=caller.arn, resource=resource,
            reason=reason, gates=tuple(gates), statements=statements,
            message=build(caller.arn, action, resource, kind), error="AccessDeniedException",
        )

    def allowed(reason: str, statements: tuple[StatementRef, ...]) -> Decision:
        return Decision(
            allowed=True, action=action, principal=caller.arn, resource=resource,
            reason=reason, gates=tuple(gates), statements=statements,
        )

    key_policies = (key.policy,) if key is not None else ()
    is_root = caller.is_root
    # The root user has no identity policies, boundary or session policies of its own.
    identity = () if is_root else caller.identity_policies
    boundary = () if (is_root or caller.permissions_boundary is None) else (caller.permissions_boundary,)
    session = () if is_root else caller.session_policies
    scps = request.scps or ()
    # Only conditions and Resource variables read the request context: build it only for them.
    if (_derived(caller, "_kmslab_reads_context", _caller_reads_context)
            or any(p.reads_context for p in key_policies) or any(p.reads_context for p in scps)):
        ctx: Mapping[str, Any] = request_context(replace(request, key=key) if key is not request.key else request)
    else:
        ctx = _NO_CONTEXT

    # 1. Explicit deny anywhere wins: "If the enforcement code finds even one explicit
    #    deny that applies, the code returns a final decision of Deny." A Deny in an IAM
    #    policy needs no permission from the key policy.
    for kind, pols in (
        ("scp", scps), ("resource", key_policies), ("identity", identity),
        ("boundary", boundary), ("session", session),
    ):
        deny = _hits(pols, "Deny", action, resource, ctx, caller) if pols else None
        if deny:
            refs = tuple(h.ref() for h in deny)
            gates.append(Gate("explicit-deny", "deny", f"explicit Deny in {refs[0].label()}", refs))
            where = (
                "the key policy" if kind == "resource" else f"the {messages.POLICY_TYPE[kind]} {refs[0].policy!r}"
            )
            return denied(
                kind,
                f"an explicit Deny in {where} ({deny[0].statement.label()}) matches this request, "
                "and an explicit Deny always overrides any Allow",
                refs, explicit=True,
            )
    gates.append(_NO_DENY)

    # 2. SCPs of the caller's account must allow (they never grant, only limit), for
    #    every principal of a member account, the root user included: "The SCP maximum
    #    applies to principals in member accounts, including each AWS account root user."
    if request.scps is not None:
        scp_allow = _hits(scps, "Allow", action, resource, ctx)
        if not scp_allow:
            gates.append(_SCP_FAIL)
            return denied("scp", f"no service control policy of account {caller.account} allows {action}")
        gates.append(Gate("scp", "pass", "an SCP allows the action", tuple(h.ref() for h in scp_allow)))
    else:
        gates.append(_SCP_SKIP)

    # IAM side: identity policies, limited by the boundary and the session policies.
    # "the entity can perform only the actions that are allowed by both its
    # identity-based policies and its permissions boundaries"; a session's permissions
    # "are the intersection of the IAM entity's identity-based policy and the session
    # policies". https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html
    id_hits = [] if is_root else _hits(identity, "Allow", action, resource, ctx)
    b_hits = _hits(boundary, "Allow", action, resource, ctx) if boundary else []
    s_hits = _hits(session, "Allow", action, resource, ctx) if session else []
    boundary_ok = not boundary or bool(b_hits)
    session_ok = not session or bool(s_hits)
    iam_ok = (is_root or bool(id_hits)) and boundary_ok and session_ok

    def iam_gates() -> None:
        if is_root:
            gates.append(_ROOT_IDENTITY)
            return
        if id_hits:
            gates.append(Gate("identity-policy", "allow", f"{id_hits[0].label()} allows the action",
                              tuple(h.ref() for h in id_hits)))
        else:
            gates.append(_NO_IDENTITY)
        if boundary:
            gates.append(_BOUNDARY_PASS if b_hits else _BOUNDARY_FAIL)
        if session:
            gates.append(_SESSION_PASS if s_hits else _SESSION_FAIL)

    def iam_denial(prefix: str) -> Decision:
        if not (is_root or id_hits):
            who = messages.who(caller.principal_type)
            return denied("identity", f"{prefix}, but no IAM policy of {who} allows {action}")
        if not boundary_ok:
            return denied("boundary", f"{prefix}, but the permissions boundary does not allow {action}")
        return denied("session", f"{prefix}, but the session policy does not allow {action}")

    # 3. No key resource (CreateKey, ListKeys, ...): IAM alone decides.
    if key is None:
        gates.append(Gate("key-policy", "skip", f"{action} has no key resource: no key policy applies"))
        iam_gates()
        if iam_ok:
            refs = tuple(h.ref() for h in id_hits[:1])
            why = "the root user has every permission in its account" if is_root else f"{refs[0].label()} allows it"
            return allowed(f"{action} takes no key, so IAM policies alone decide: {why}", refs)
        return iam_denial(f"{action} takes no key, so IAM policies alone decide")

    cross = caller.account != key.account
    if cross and action not in CROSS_ACCOUNT_ACTIONS:
        gates.append(Gate("key-policy", "fail", f"{action} cannot be used on a KMS key in another account"))
        return denied(
            "resource",
            f"{action} is not a cross-account operation: permissions for it on a key in account "
            f"{key.account} have no effect for a principal of account {caller.account}",
        )

    # 4. The key policy (and grants).
    kp_hits = _hits(key_policies, "Allow", action, resource, ctx, caller)
    direct: list[_Hit] = []
    role: list[_Hit] = []
    account: list[_Hit] = []
    if kp_hits:
        if len(kp_hits) > 1:
            kp_hits.sort(key=lambda h: _RANK[h.match or "account"])
        for h in kp_hits:
            if h.match == "direct":
                direct.append(h)
            elif h.match == "role":
                role.append(h)
            elif h.match == "account":
                account.append(h)
    # Grant operations are named like the IAM actions (ReEncryptFrom/ReEncryptTo for ReEncrypt).
    operation = info.operation
    enc = request.encryption_context
    grant_direct: list[Grant] = []
    grant_account: list[Grant] = []
    for g in key.grants:
        how = grantee_match(g, caller)
        if how and operation in g.operations and constraints_hold(g, operation, enc, key.key_spec):
            (grant_direct if how == "direct" else grant_account).append(g)
    grants = grant_direct + grant_account
    if direct or role:
        gates.append(Gate("key-policy", "allow", f"{(direct or role)[0].label()} names the caller",
                          tuple(h.ref() for h in direct + role)))
    else:
        gates.append(_KEY_POLICY_NO_MATCH)
    if account:
        gates.append(Gate("account-delegation", "allow",
                          f"{account[0].label()} allows the account {caller.account}: IAM policies decide",
                          tuple(h.ref() for h in account)))
    else:
        gates.append(_no_account_gate(caller.account))
    if grants:
        gates.append(Gate("grant", "allow", f"grant {grants[0].grant_id} allows {operation}"))
    else:
        gates.append(_GRANT_NO_MATCH if key.grants else _GRANT_SKIP)

    def grant_ref(g: Grant) -> tuple[StatementRef, ...]:
        return (StatementRef(f"grant {g.grant_id}", "grant", g.name, 0, "Allow"),)

    def by_grant(g: Grant, via_iam: bool) -> Decision:
        why = f"grant {g.grant_id} allows {operation} for this principal"
        if via_iam:
            why = (f"grant {g.grant_id} allows {operation} for the account {caller.account}, "
                   f"and {id_hits[0].label()} allows {action}")
        return allowed(why, grant_ref(g) + (tuple(h.ref() for h in id_hits[:1]) if via_iam else ()))

    if not (kp_hits or grants):
        iam_gates()
        has_account_stmt = any(
            s.effect == "Allow" and s.principal is not None
            and principal_match(s.principal, caller) == "account"
            for s in key.policy.statements
        )
        if has_account_stmt:
            reason = f"no statement of the key policy allows {action} for {messages.who(caller.principal_type)}"
        elif is_root:
            reason = ("the key policy has no statement for the account, so even the account's "
                      "root user is denied")
        elif id_hits:
            reason = (f"the key policy does not name {messages.who(caller.principal_type)} and has no "
                      f"statement for the account, so its IAM policy ({id_hits[0].policy.name}) has no effect")
        else:
            reason = (f"the key policy does not name {messages.who(caller.principal_type)} and has no "
                      "statement for the account, so IAM policies are not consulted")
        if cross:
            reason += f" (the key belongs to account {key.account})"
        return denied("resource", reason)

    if cross:
        # Both sides must allow: the key policy (or a grant) and the caller's own account.
        # "Cross-account access requires permission in the key policy of the KMS key and
        # in an IAM policy in the external user's account."
        iam_gates()
        if kp_hits and iam_ok:
            side = kp_hits[0].ref()
            who = "the root user" if is_root else id_hits[0].label()
            return allowed(
                f"cross-account: the key policy of account {key.account} allows it ({side.label()}), "
                f"and {who} in account {caller.account} allows it too",
                (side,) + tuple(h.ref() for h in id_hits[:1]),
            )
        if grant_direct:
            return by_grant(grant_direct[0], via_iam=False)
        if grant_account and iam_ok:
            return by_grant(grant_account[0], via_iam=True)
        where = f"({kp_hits[0].label()})" if kp_hits else f"(grant {grants[0].grant_id})"
        return iam_denial(f"cross-account: the key policy of account {key.account} allows it {where}")

    if direct:
        # Same account, principal named directly: no IAM policy needed, not limited by
        # a permissions boundary or session policy: "If a resource-based policy grants
        # permission directly to the IAM user or the session principal that is making the
        # request, then an implicit deny in an identity-based policy, a permissions
        # boundary, or a session policy does not impact the final decision."
        ref = direct[0].ref()
        who = "the root user" if is_root else messages.who(caller.principal_type)
        return allowed(f"the key policy names {who} directly ({ref.label()}), so no IAM policy is needed", (ref,))
    iam_gates()
    if role and boundary_ok and session_ok:
        ref = role[0].ref()
        return allowed(f"the key policy names this session's role ({ref.label()}), so no IAM policy is needed", (ref,))
    if account and iam_ok:
        ref = account[0].ref()
        if is_root:
            return allowed(
                f"the key policy allows the account ({ref.label()}), "
                "and the root user has every permission in its account", (ref,),
            )
        return allowed(
            f"the key policy allows the account ({ref.label()}), so IAM policies decide, "
            f"and {id_hits[0].label()} allows {action}",
            (ref, id_hits[0].ref()),
        )
    if grant_direct:
        return by_grant(grant_direct[0], via_iam=False)
    if grant_account and iam_ok:
        return by_grant(grant_account[0], via_iam=True)
    if role:
        ref = role[0].ref()
        if not boundary_ok:
            return denied("boundary", f"the key policy names the role ({ref.label()}), "
                                      f"but the role's permissions boundary does not allow {action}")
        return denied("session", f"the key policy names the role ({ref.label()}), "
                                 f"but the session policy does not allow {action}")
    if account:
        return iam_denial(f"the key policy allows the account ({account[0].label()}), so IAM policies decide")
    return iam_denial(f"grant {grant_account[0].grant_id} is for the account {caller.account}, so IAM policies decide")
