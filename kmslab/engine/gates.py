"""The gates of KMS authorization, one small function each, beside the AWS sentence it implements.

`authorize` (evaluate.py) walks `GATES` in order. Each gate reads the request (through a
`Walk`), records what it found as a `Gate` (a typed outcome and the statements or grant
involved), and either lets the walk go on (returns None) or settles the request (returns an
`End`). The words for all of it live in `words`; a gate records facts only.

- IAM evaluation order (deny, SCP, resource-based, identity-based, boundary, session):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- KMS: "Unless the key policy explicitly allows it, you cannot use IAM policies to allow
  access to a KMS key." https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
- Grants: "No AWS principal ... has any permissions to a KMS key unless they are explicitly
  allowed, and never denied, in a key policy, IAM policy, or grant."
  https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from .catalog import action_info, service_action_info
from .context import request_context
from .grants import constraints_hold, grantee_match
from .key_states import refusal
from .key_usage import INVALID_KEY_USAGE, usage_refusal
from .matching import LowerKeyContext
from .model import Caller, Gate, GateName, GateOutcome, Grant, GrantRef, Key, Phrase, Ref, Request
from .permissions_reference import cross_account_actions
from .policy import Policy
from .statements import NO_CONTEXT, RANK, Hit, derived, hits, principal_match_of

G, OUT = GateName, GateOutcome

# "Cross-account permission is effective only for the following operations:
# Cryptographic operations, CreateGrant, DescribeKey, GetKeyRotationStatus,
# GetPublicKey, ListGrants, RetireGrant, RevokeGrant ... If you give a user in a
# different account permission for other operations, those permissions have no effect."
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
# The set comes from AWS's permissions table ("Cross-account use: Yes"), kept as data in
# permissions_reference.py and tested row by row in tests/engine/test_permissions_reference.py.
CROSS_ACCOUNT_ACTIONS = cross_account_actions()

class End:
    """How a walk ends: allowed or refused, at which gate, by what, why, and AWS's error if refused."""

    __slots__ = ("allowed", "deciding", "refs", "why", "kind", "explicit", "error", "message")

    def __init__(self, allowed: bool, deciding: GateName, why: tuple[Phrase, ...], refs: tuple[Ref, ...] = (),
                 *, kind: str = "resource", explicit: bool = False) -> None:
        self.allowed, self.deciding, self.why, self.refs = allowed, deciding, why, refs
        self.kind, self.explicit = kind, explicit  # the policy type AWS's AccessDenied message names
        self.error: str | None = None  # set for a refusal that is not AccessDeniedException (a key state)
        self.message: str | None = None


def _own_policies(caller: Caller) -> tuple[Policy, ...]:
    """The caller's identity, session and boundary policies."""
    policies = (*caller.identity_policies, *caller.session_policies)
    return policies + (caller.permissions_boundary,) if caller.permissions_boundary is not None else policies


def _caller_reads_context(caller: Caller) -> bool:
    return any(p.reads_context for p in _own_policies(caller))


class Walk:
    """One request on its way through the gates: what the gates read, and what they found so far."""

    __slots__ = ("request", "action", "operation", "caller", "key", "resource", "is_root", "identity",
                 "boundary", "session", "scps", "cross", "ctx", "gates", "named", "direct", "account",
                 "grant_direct", "grant_account", "_iam", "iam_role", "_key_ctx")

    def __init__(self, request: Request) -> None:
        info = action_info(request.action) if request.resource is None else service_action_info(request.action)
        if request.resource is None and info.takes_key and request.key is None:
            raise ValueError(f"{info.name} needs a key")
        caller = self.caller = request.caller
        key = self.key = request.key if info.takes_key and request.resource is None else None
        self.request, self.action, self.operation = request, info.name, info.operation
        self.resource = request.resource or (key.arn if key is not None else "*")
        self.is_root = root = caller.is_root
        # The root user has no identity policies, boundary or session policies of its own.
        self.identity = () if root else caller.identity_policies
        self.boundary: tuple[Policy, ...] = () if (root or caller.permissions_boundary is None) \
            else (caller.permissions_boundary,)
        self.session = () if root else caller.session_policies
        self.scps = request.scps or ()
        self.cross = key is not None and caller.account != key.account
        self.ctx = self._context(request)
        self.gates: list[Gate] = []
        self.named: list[Hit] = []  # key policy statements naming the caller (direct first) or its role
        self.direct = False  # ... naming the caller itself
        self.account: list[Hit] = []  # key policy statements allowing the caller's account
        self.grant_direct: list[Grant] = []
        self.grant_account: list[Grant] = []
        self._iam: tuple[list[Hit], bool, bool] | None = None
        self.iam_role = "decide"  # what IAM policies are asked here (see _iam_role), set once the key policy is read
        self._key_ctx: Mapping[str, Any] | None = None

    def _context(self, request: Request) -> Mapping[str, Any]:
        """The request context, built only when a condition or a Resource variable reads it."""
        key = self.key
        if (derived(self.caller, "_kmslab_reads_context", _caller_reads_context)
                or (key is not None and key.policy.reads_context)
                or (self.scps and any(p.reads_context for p in self.scps))):
            return request_context(replace(request, key=key) if key is not request.key else request)
        return NO_CONTEXT

    @property
    def key_ctx(self) -> Mapping[str, Any]:
        """The request context as a key policy sees it: without the condition keys KMS supports only in IAM
        policies, so a key policy condition on them finds no value.

        "In AWS KMS, the aws:ResourceTag/tag-key condition key is supported only in IAM policies. It isn't
        supported in key policies, which apply only to one KMS key"
        https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html
        kms:ResourceAliases: "Policy type: IAM policies only"
        https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
        """
        if self._key_ctx is None:
            ctx = self.ctx  # request_context's keys are lower-case (or NO_CONTEXT): the IAM-only names as such
            if "kms:resourcealiases" in ctx or any(k.startswith("aws:resourcetag/") for k in ctx):
                ctx = LowerKeyContext({k: v for k, v in ctx.items() if not _iam_only_key(k)})
            self._key_ctx = ctx
        return self._key_ctx

    def allows(self, policies: tuple[Policy, ...]) -> list[Hit]:
        return hits(policies, "Allow", self.action, self.resource, self.ctx) if policies else []

    def iam(self) -> tuple[list[Hit], bool, bool]:
        """(identity policy statements that allow, boundary allows, session policies allow), once."""
        if self._iam is None:
            self._iam = ([] if self.is_root else self.allows(self.identity),
                         not self.boundary or bool(self.allows(self.boundary)),
                         not self.session or bool(self.allows(self.session)))
        return self._iam

    def iam_ok(self) -> bool:
        """IAM allows: identity policies (the root user needs none), within boundary and session policies.

        "the entity can perform only the actions that are allowed by both its identity-based
        policies and its permissions boundaries"; a session's permissions "are the intersection
        of the IAM entity's identity-based policy and the session policies".
        https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html
        """
        found, boundary_ok, session_ok = self.iam()
        return (self.is_root or bool(found)) and boundary_ok and session_ok


def _iam_only_key(name: str) -> bool:
    """A condition key KMS supports only in IAM policies (see Walk.key_ctx)."""
    lowered = name.lower()
    return lowered.startswith("aws:resourcetag/") or lowered == "kms:resourcealiases"


def _refs(found: list[Hit]) -> tuple[Ref, ...]:
    return tuple([h.ref() for h in found])  # a list first: faster than from a generator, on every decision


def _grant_ref(grant: Grant) -> GrantRef:
    return GrantRef(grant.grant_id, grant.name)


# ---------------------------------------------------------------- the gates, in order


def retiring_principal(w: Walk) -> End | None:
    """RetireGrant: the grant itself says who may retire it; a key policy has no say.

    "The grant determines who can retire it ... A grant can be retired by an optional retiring
    principal specified in the grant. The grantee principal can also retire the grant, but only if
    they are also a retiring principal or the grant includes the RetireGrant operation. As a backup,
    the AWS account in which the grant was created can retire the grant." "The kms:RetireGrant
    permission alone does not allow principals to retire a grant. The kms:RetireGrant permission is
    not effective in a key policy." "The AWS account that owns the KMS key can delegate the
    kms:RetireGrant permission to IAM principal in the account. If the retiring principal is a
    different AWS account, administrators in the other account can use kms:RetireGrant to delegate
    permission to retire the grant to an IAM principal in that account."
    https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html
    It runs after the explicit Deny and SCP gates: "To deny permission to retire a grant, you can
    use a Deny action with the kms:RetireGrant permission in your IAM policies." (same page).
    """
    grant_id = w.request.grant_id
    if w.operation != "RetireGrant" or w.key is None or not grant_id:
        return None  # not part of this request: not recorded
    grant = next((g for g in w.key.grants if g.grant_id == grant_id), None)
    if grant is None:  # no such grant on the key: the usual rules (KMS answers NotFound after them)
        w.gates.append(_RETIRE_NO_MATCH)
        return None
    ref, caller = _grant_ref(grant), w.caller
    retiring = grantee_match(replace(grant, grantee_principal=grant.retiring_principal), caller) \
        if grant.retiring_principal else None
    grantee = grantee_match(grant, caller) if "RetireGrant" in grant.operations else None
    if retiring == "direct" or grantee == "direct":
        w.gates.append(Gate(G.RETIRING_PRINCIPAL, OUT.ALLOW, (ref,)))
        role = "retiring" if retiring == "direct" else "grantee-retires"
        return End(True, G.RETIRING_PRINCIPAL, ((role, {"who": caller.principal_type, "ref": ref}),), (ref,))
    issuing = grant.issuing_account or w.key.account
    if caller.is_root and caller.account == issuing:
        w.gates.append(Gate(G.RETIRING_PRINCIPAL, OUT.ALLOW, (ref,)))
        return End(True, G.RETIRING_PRINCIPAL, (("retire-by-account", {"ref": ref, "account": issuing}),), (ref,))
    # The accounts that may delegate kms:RetireGrant to their IAM principals: the grant's own, and a
    # retiring principal that is an account (or a grantee account whose grant includes RetireGrant).
    delegating = caller.account == issuing or "account" in (retiring, grantee)
    if delegating and not caller.is_root and w.iam_ok():
        iam = w.iam()[0][0].ref()
        w.gates.append(Gate(G.RETIRING_PRINCIPAL, OUT.ALLOW, (ref, iam)))
        return End(True, G.RETIRING_PRINCIPAL, (("retire-delegated", {
            "ref": ref, "iam": iam, "account": caller.account}),), (ref, iam))
    w.gates.append(Gate(G.RETIRING_PRINCIPAL, OUT.DENY, (ref,), ("retiring-principal/no-match", {})))
    return End(False, G.RETIRING_PRINCIPAL, (("retire-not-allowed", {"who": caller.principal_type, "ref": ref}),),
               (ref,), kind="identity" if delegating else "resource")


def explicit_deny(w: Walk) -> End | None:
    """An explicit Deny in any policy that applies wins over every Allow.

    "If the enforcement code finds even one explicit deny that applies, the code returns a
    final decision of Deny." A Deny in an IAM policy needs no permission from the key policy.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    if not _may_deny(w):
        w.gates.append(_NO_DENY)
        return None
    key_policies = (w.key.policy,) if w.key is not None else ()
    for kind, policies in (("scp", w.scps), ("resource", key_policies), ("identity", w.identity),
                           ("boundary", w.boundary), ("session", w.session)):
        if not policies:
            continue
        found = hits(policies, "Deny", w.action, w.resource, w.key_ctx if kind == "resource" else w.ctx, w.caller)
        if found:
            refs = _refs(found)
            w.gates.append(Gate(G.EXPLICIT_DENY, OUT.DENY, refs))
            return End(False, G.EXPLICIT_DENY, (("explicit-deny", {"ref": refs[0]}),), refs,
                       kind=kind, explicit=True)
    w.gates.append(_NO_DENY)
    return None


def _may_deny(w: Walk) -> bool:
    """Whether any policy that may apply has a Deny statement at all (most have none)."""
    return bool((w.key is not None and w.key.policy.denies) or (w.scps and any(p.denies for p in w.scps))
                or derived(w.caller, "_kmslab_may_deny", _caller_may_deny))


def _caller_may_deny(caller: Caller) -> bool:
    return any(p.denies for p in _own_policies(caller))


def scp(w: Walk) -> End | None:
    """Service control policies of the caller's account must allow; they never grant.

    "The SCP maximum applies to principals in member accounts, including each AWS account
    root user." https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    """
    if w.request.scps is None:
        w.gates.append(_SCP_NOT_USED)
        return None
    found = hits(w.scps, "Allow", w.action, w.resource, w.ctx)
    if found:
        w.gates.append(Gate(G.SCP, OUT.ALLOW, _refs(found)))
        return None
    w.gates.append(_SCP_NO_MATCH)
    return End(False, G.SCP, (("scp-none", {"account": w.caller.account, "action": w.action}),), kind="scp")


def key_policy(w: Walk) -> End | None:
    """The key policy names the caller (or its role): for a principal of the key's account named
    directly, that alone allows.

    "If a resource-based policy grants permission directly to the IAM user or the session
    principal that is making the request, then an implicit deny in an identity-based policy, a
    permissions boundary, or a session policy does not impact the final decision."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    key = w.key
    if key is None:  # CreateKey, ListKeys, ...: no key resource, so no key policy applies
        w.gates.append(_KEY_POLICY_NOT_USED)
        return None
    if w.cross and w.action not in CROSS_ACCOUNT_ACTIONS:
        w.gates.append(_KEY_POLICY_NOT_CROSS)
        return End(False, G.KEY_POLICY, (("not-cross-account", {
            "action": w.action, "key_account": key.account, "account": w.caller.account}),))
    found = hits((key.policy,), "Allow", w.action, w.resource, w.key_ctx, w.caller)
    if len(found) > 1:
        found.sort(key=lambda h: RANK[h.match or "account"])
    for h in found:  # sorted: direct, role, then account
        if h.match == "account":
            w.account.append(h)
        elif h.match is not None:
            w.named.append(h)
    w.direct = bool(w.named) and w.named[0].match == "direct"
    if not w.named:
        w.gates.append(_KEY_POLICY_NO_MATCH)
    else:
        w.gates.append(Gate(G.KEY_POLICY, OUT.ALLOW, _refs(w.named)))
        if w.direct and not w.cross:
            ref = w.named[0].ref()
            return End(True, G.KEY_POLICY, (("named-directly", {"who": w.caller.principal_type, "ref": ref}),),
                       (ref,))
    _match_grants(w, key)  # for the gates after this one
    return None


def _match_grants(w: Walk, key: Key) -> None:
    """The key's grants whose grantee covers the caller, for this operation, within their constraints."""
    if w.operation == "RetireGrant":
        return  # a grant's RetireGrant lets its grantee retire that grant only (retiring_principal)
    child = _ChildGrant(w.request.context) if w.operation == "CreateGrant" else None
    for g in key.grants:
        how = grantee_match(g, w.caller)
        if how and w.operation in g.operations and constraints_hold(g, w.operation,
                                                                    w.request.encryption_context, key.key_spec):
            if child is not None and not child.within(g):
                continue
            (w.grant_direct if how == "direct" else w.grant_account).append(g)


class _ChildGrant:
    """CreateGrant from a grant: the grant being created, which must stay within its parent grant.

    "when a grantee principal gets permission to call CreateGrant from a grant, rather than from a
    policy, that permission is limited. The grantee principal can only create grants that allow some
    or all of the operations in the parent grant. The grant constraints in the grants they create must
    be at least as strict as those in the parent grant." "the child grant can add pairs to an
    EncryptionContextSubset constraint in the parent grant, but it cannot remove them. The child grant
    can change an EncryptionContextSubset constraint to an EncryptionContextEquals constraint, but not
    the reverse." "These limitations don't apply to principals who get CreateGrant permission from a policy"
    https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-creategrant
    The child's operations and constraints are read from CreateGrant's request keys (kms:GrantOperations,
    kms:GrantConstraintType, kms:EncryptionContext:*); in a grant constraint "the key in each key-value pair
    is not case sensitive, but the value is case sensitive" (API_GrantConstraints).
    """

    __slots__ = ("operations", "kind", "pairs")

    def __init__(self, keys: Mapping[str, Any]) -> None:
        operations = keys.get("kms:GrantOperations")
        self.operations = None if operations is None else frozenset(operations)
        kinds = keys.get("kms:GrantConstraintType") or ()
        kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        self.kind = "equals" if "EncryptionContextEquals" in kinds else (
            "subset" if "EncryptionContextSubset" in kinds else None)
        names = keys.get("kms:EncryptionContextKeys") or ()
        self.pairs = {k.lower(): keys.get(f"kms:EncryptionContext:{k}") for k in names}

    def within(self, parent: Grant) -> bool:
        if self.operations is not None and not self.operations <= parent.operations:
            return False
        equals, subset = parent.encryption_context_equals, parent.encryption_context_subset
        if equals is not None:
            return self.kind == "equals" and self.pairs == {k.lower(): v for k, v in equals.items()}
        if subset is not None:
            return self.kind is not None and all(self.pairs.get(k.lower()) == v for k, v in subset.items())
        return True


def account_delegation(w: Walk) -> End | None:
    """The key policy allows the caller's account (the account principal): IAM policies decide.

    "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access
    to a KMS key." The account principal `arn:aws:iam::ACCOUNT:root` "delegates authority to the
    account". https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    """
    if w.key is None:
        w.gates.append(_ACCOUNT_NOT_USED)
    elif w.named:
        w.gates.append(_ACCOUNT_NOT_NEEDED)  # the key policy already names the caller or its role
    elif w.account:
        w.gates.append(Gate(G.ACCOUNT_DELEGATION, OUT.ALLOW, _refs(w.account), _account_note(w.caller.account)))
    else:
        w.gates.append(_no_account_gate(w.caller.account))
    w.iam_role = _iam_role(w)
    return None


def _iam_role(w: Walk) -> str:
    """What the IAM policies are asked here: "decide", "limit" (a role named by the key policy:
    boundary and session policies only), "none" (a grant alone allows), or "ignored" (the key
    policy gives IAM policies no say)."""
    if w.key is None or w.cross:
        return "decide"
    if w.named:
        return "limit"
    if w.account or w.grant_account:
        return "decide"
    return "none" if w.grant_direct else "ignored"


def identity_policies(w: Walk) -> End | None:
    """The caller's identity-based policies (inline, attached, groups'; a role's) allow the action.

    The root user "has complete, unrestricted access to all resources" of its account: it
    needs no identity policy. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
    """
    role = w.iam_role
    if role == "ignored":
        found = w.iam()[0]
        w.gates.append(Gate(G.IDENTITY_POLICY, OUT.IGNORED, _refs(found[:1])) if found else _IDENTITY_NOT_CONSULTED)
    elif role != "decide":
        w.gates.append(_IDENTITY_NOT_NEEDED)
    elif w.is_root:
        w.gates.append(_ROOT_IDENTITY)
    else:
        found = w.iam()[0]
        w.gates.append(Gate(G.IDENTITY_POLICY, OUT.ALLOW, _refs(found)) if found else _IDENTITY_NO_MATCH)
    return None


def permissions_boundary(w: Walk) -> End | None:
    """A permissions boundary limits what identity policies (and a role named by a resource
    policy) allow; it never allows by itself.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    """
    _limit(w, G.BOUNDARY, w.boundary, 1)
    return None


def session_policies(w: Walk) -> End | None:
    """Session policies limit a role session to the intersection with its role's policies.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session

    After them, the IAM side is complete: a role named by the key policy, or the account with
    IAM allowing, settles the request here.
    """
    _limit(w, G.SESSION_POLICY, w.session, 2)
    return _iam_end(w)


def _limit(w: Walk, name: GateName, policies: tuple[Policy, ...], slot: int) -> None:
    if w.iam_role in ("none", "ignored"):
        w.gates.append(_NOT_NEEDED[name])
    elif not policies:
        w.gates.append(_NOT_USED[name])
    else:
        w.gates.append(_LIMIT_ALLOWS[name] if w.iam()[slot] else _LIMIT_NO_MATCH[name])


def _iam_end(w: Walk) -> End | None:
    """Allowed on the key policy's word with IAM's: a named role within its limits, a named principal
    of another account, or the account principal, when IAM allows too."""
    if w.key is None:
        return _keyless_end(w)
    if not (w.named or w.account):
        return None
    found, boundary_ok, session_ok = w.iam()
    if w.named and not w.cross and boundary_ok and session_ok:
        ref = w.named[0].ref()
        return End(True, G.KEY_POLICY, (("role-named", {"ref": ref}),), (ref,))
    if not w.iam_ok():
        return None
    side = (w.named or w.account)[0].ref()
    refs = (side, *(h.ref() for h in found[:1]))
    args = {"ref": side, "iam": refs[1] if len(refs) > 1 else None, "key_account": w.key.account,
            "account": w.caller.account, "action": w.action}
    if w.cross:
        return End(True, G.KEY_POLICY if w.named else G.ACCOUNT_DELEGATION,
                   (("cross-allowed-root" if w.is_root else "cross-allowed", args),), refs)
    return End(True, G.ACCOUNT_DELEGATION, (("account-root" if w.is_root else "account-iam", args),), refs)


def _keyless_prefix(w: Walk) -> Phrase:
    """Why IAM policies alone decide: the action takes no key, or its resource is not an existing key (an alias,
    the replica ReplicateKey is making), which no key policy covers."""
    if w.request.resource is not None and w.action.startswith("kms:"):
        return ("resource-iam-only", {"action": w.action, "resource": w.resource})
    return ("keyless", {"action": w.action})


def _keyless_end(w: Walk) -> End | None:
    """No key resource (CreateKey, ListKeys, an alias, ...): IAM policies alone decide."""
    prefix = _keyless_prefix(w)
    if not w.iam_ok():
        return None
    if w.is_root:
        return End(True, G.IDENTITY_POLICY, (prefix, ("colon-root", {})))
    ref = w.iam()[0][0].ref()
    return End(True, G.IDENTITY_POLICY, (prefix, ("colon-allows-it", {"ref": ref})), (ref,))


def grants(w: Walk) -> End:
    """A grant allows its grantee the listed operations, within its constraints; a grant for an
    account covers its IAM identities through their IAM policies. The last gate that may allow:
    whatever did not allow so far is refused here.
    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    """
    if w.key is None or not w.key.grants:
        w.gates.append(_GRANT_NOT_USED)
    elif w.grant_direct or w.grant_account:
        w.gates.append(Gate(G.GRANT, OUT.ALLOW, tuple(map(_grant_ref, w.grant_direct + w.grant_account)),
                      ("grant-allows", {"operation": w.operation})))
    else:
        w.gates.append(_GRANT_NO_MATCH)
    if w.grant_direct:
        ref = _grant_ref(w.grant_direct[0])
        return End(True, G.GRANT, (("grant-direct", {"ref": ref, "operation": w.operation}),), (ref,))
    if w.grant_account and w.iam_ok():
        ref, iam = _grant_ref(w.grant_account[0]), w.iam()[0][0].ref()
        return End(True, G.GRANT, (("grant-via-iam", {
            "ref": ref, "iam": iam, "operation": w.operation, "account": w.caller.account,
            "action": w.action}),), (ref, iam))
    return _refused(w)


def _refused(w: Walk) -> End:
    """Nothing allowed: say which side was missing (the key policy's, or IAM's)."""
    key = w.key
    if key is not None and not (w.named or w.account or w.grant_direct or w.grant_account):
        return End(False, G.KEY_POLICY, _no_resource_why(w, key))
    if key is None:
        prefix: Phrase = _keyless_prefix(w)
    elif w.named and not w.cross:  # a role named, stopped by its boundary or session policy
        boundary_ok = w.iam()[1]
        return End(False, G.BOUNDARY if not boundary_ok else G.SESSION_POLICY, (
            ("role-boundary" if not boundary_ok else "role-session", {"ref": w.named[0].ref(), "action": w.action}),
        ), kind="boundary" if not boundary_ok else "session")
    elif w.cross:
        side: Ref = (w.named or w.account)[0].ref() if (w.named or w.account) else _grant_ref(
            (w.grant_direct + w.grant_account)[0])
        prefix = ("cross-account-prefix", {"key_account": key.account, "ref": side})
    elif w.account:
        prefix = ("account-prefix", {"ref": w.account[0].ref()})
    else:
        prefix = ("grant-account-prefix", {"ref": _grant_ref(w.grant_account[0]), "account": w.caller.account})
    found, boundary_ok, _ = w.iam()
    if not (w.is_root or found):
        return End(False, G.IDENTITY_POLICY, (prefix, ("but-no-iam", {
            "who": w.caller.principal_type, "action": w.action})), kind="identity")
    if not boundary_ok:
        return End(False, G.BOUNDARY, (prefix, ("but-boundary", {"action": w.action})), kind="boundary")
    return End(False, G.SESSION_POLICY, (prefix, ("but-session", {"action": w.action})), kind="session")


def _no_resource_why(w: Walk, key: Key) -> tuple[Phrase, ...]:
    """Why the key policy (and no grant) allows nothing here: which of its statements were missing."""
    caller = w.caller
    who = {"who": caller.principal_type, "action": w.action}
    has_account_statement = any(
        s.principal is not None and principal_match_of(s.principal, caller) == "account"
        for s in key.policy.allows
    )
    found = w.iam()[0]
    if has_account_statement:
        why: Phrase = ("no-statement-for-caller", who)
    elif w.is_root:
        why = ("root-denied", {})
    elif found:
        why = ("iam-has-no-effect", {**who, "policy": found[0].policy.name})
    else:
        why = ("iam-not-consulted", who)
    return (why, ("key-in-account", {"key_account": key.account})) if w.cross else (why,)


def key_state(w: Walk, end: End) -> End:
    """A key's state may refuse an operation the policies allow, as AWS's key state table says.

    "The table in this section shows how key states affect calls to AWS KMS API operations"
    (`key_states.TABLE`, with AWS's footnoted errors and messages).
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table
    """
    key = w.key
    if key is None:
        return end
    found = refusal(w.operation, key, w.request.key_role)
    if found is None:
        wrong_usage = usage_refusal(w.operation, key)
        if wrong_usage is None:
            w.gates.append(_KEY_STATE_PASS)
            return end
        found = (*wrong_usage, 0)
    error, message, note = found
    if error == INVALID_KEY_USAGE:
        tail, values = "but-key-usage", {"usage": key.key_usage}
    elif error == "UnsupportedOperationException":
        tail, values = "but-key-unsupported", {"origin": key.origin}
    elif key.state == "Disabled" and error == "DisabledException":
        tail, values = "but-key-disabled", {"state": key.state}
    elif key.state in ("PendingDeletion", "PendingReplicaDeletion") and note in (2, 3):
        tail, values = "but-key-pending-deletion", {"state": key.state}
    else:
        tail, values = "but-key-state", {"state": key.state}
    w.gates.append(Gate(G.KEY_STATE, OUT.DENY, (), (tail, values)))
    refused = End(False, G.KEY_STATE, (*end.why, (tail, {"operation": w.operation, **values})), end.refs)
    refused.error, refused.message = error, message
    return refused


# The order of the walk: AWS's evaluation flow (a grant's word on RetireGrant after Deny and SCPs, before the
# key policy, which has no say on it), then the key's state.
GATES: tuple[Callable[[Walk], End | None], ...] = (
    explicit_deny, scp, retiring_principal, key_policy, account_delegation,
    identity_policies, permissions_boundary, session_policies, grants,
)

# ---------------------------------------------------------------- gates whose record never changes (made once)

_RETIRE_NO_MATCH = Gate(G.RETIRING_PRINCIPAL, OUT.NO_MATCH)
_NO_DENY = Gate(G.EXPLICIT_DENY, OUT.PASS)
_SCP_NOT_USED = Gate(G.SCP, OUT.NOT_USED)
_SCP_NO_MATCH = Gate(G.SCP, OUT.NO_MATCH)
_KEY_POLICY_NOT_USED = Gate(G.KEY_POLICY, OUT.NOT_USED)
_KEY_POLICY_NOT_CROSS = Gate(G.KEY_POLICY, OUT.DENY, (), ("not-cross-account-gate", {}))
_KEY_POLICY_NO_MATCH = Gate(G.KEY_POLICY, OUT.NO_MATCH)
_ACCOUNT_NOT_USED = Gate(G.ACCOUNT_DELEGATION, OUT.NOT_USED)
_ACCOUNT_NOT_NEEDED = Gate(G.ACCOUNT_DELEGATION, OUT.NOT_NEEDED)
_IDENTITY_NOT_CONSULTED = Gate(G.IDENTITY_POLICY, OUT.NOT_NEEDED, (), ("iam-not-consulted-gate", {}))
_IDENTITY_NOT_NEEDED = Gate(G.IDENTITY_POLICY, OUT.NOT_NEEDED)
_ROOT_IDENTITY = Gate(G.IDENTITY_POLICY, OUT.ALLOW, (), ("root-has-every-permission", {}))
_IDENTITY_NO_MATCH = Gate(G.IDENTITY_POLICY, OUT.NO_MATCH)
_NOT_USED = {name: Gate(name, OUT.NOT_USED) for name in (G.BOUNDARY, G.SESSION_POLICY)}
_NOT_NEEDED = {name: Gate(name, OUT.NOT_NEEDED) for name in (G.BOUNDARY, G.SESSION_POLICY)}
_LIMIT_ALLOWS = {name: Gate(name, OUT.ALLOW) for name in (G.BOUNDARY, G.SESSION_POLICY)}
_LIMIT_NO_MATCH = {name: Gate(name, OUT.NO_MATCH) for name in (G.BOUNDARY, G.SESSION_POLICY)}
_GRANT_NOT_USED = Gate(G.GRANT, OUT.NOT_USED)
_GRANT_NO_MATCH = Gate(G.GRANT, OUT.NO_MATCH)
_KEY_STATE_PASS = Gate(G.KEY_STATE, OUT.PASS)


@lru_cache(maxsize=256)
def _account_note(account: str) -> Phrase:
    return ("account-allows", {"account": account})


@lru_cache(maxsize=256)
def _no_account_gate(account: str) -> Gate:
    return Gate(G.ACCOUNT_DELEGATION, OUT.NO_MATCH, (), ("no-account-statement", {"account": account}))
