"""Which statements of which policies apply to a request: principals, actions, resources, conditions.

The pure matching underneath every gate. Results that depend only on a parsed policy (or a
Caller) are kept on it: a policy change is a new Policy, so nothing kept can go stale.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from .conditions import conditions_hold
from .matching import MissingVariable, action_matches, substitute, wildcard_match
from .model import Caller, StatementRef
from .policy import Policy, Statement, is_account_principal

# How a key policy statement's Principal covers the caller.
Match = Literal["direct", "role", "account"]
RANK = {"direct": 0, "role": 1, "account": 2}
NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})  # for requests whose policies read no condition key


def derived(obj: Any, slot: str, build: Callable[[Any], Any]) -> Any:
    """A value derived from a frozen Caller, Key or Policy, computed once and kept on it.

    Like functools.cached_property, but defined here: what the authorizer derives belongs to
    the authorizer, not to the model.
    """
    found = obj.__dict__.get(slot)
    if found is None:
        found = obj.__dict__[slot] = build(obj)
    return found


class Hit:
    """A statement that applies to the request (never changed once made: the same Hit serves many requests)."""

    __slots__ = ("policy", "statement", "match", "_ref")

    def __init__(self, policy: Policy, statement: Statement, match: Match | None = None) -> None:
        self.policy, self.statement, self.match = policy, statement, match
        self._ref: StatementRef | None = None

    def ref(self) -> StatementRef:
        """This statement's StatementRef, made once per parsed policy (both are immutable)."""
        if self._ref is not None:
            return self._ref
        made: dict[int, StatementRef] | None = self.policy.__dict__.get("_kmslab_refs")  # as `derived`, inlined
        if made is None:
            made = self.policy.__dict__["_kmslab_refs"] = {}
        s = self.statement
        found = made.get(s.index)
        if found is None:
            found = made[s.index] = StatementRef(self.policy.name, self.policy.kind, s.sid, s.index, s.effect)
        self._ref = found
        return found


@lru_cache(maxsize=4096)  # pure, asked for every principal of every statement
def is_account(ident: str, account: str) -> bool:
    """`ident` is `account`'s account principal (`policy.is_account_principal`, kept per pair: a hot path)."""
    return is_account_principal(ident, account)


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
        if is_account(ident, caller.account):
            found = "account"  # also for the root user: its ARN is the account principal
        elif ident == "*" or ident == caller.arn:
            found = "direct"
        elif caller.role_arn is not None and ident == caller.role_arn:
            found = "role"
        elif ident == caller.user_id or (
            caller.principal_type == "AssumedRole" and ident == caller.user_id.split(":")[0]
        ):
            found = "direct" if caller.principal_type == "User" else "role"
        if found and (best is None or RANK[found] < RANK[best]):
            best = found
            if best == "direct":
                break
    return best


def principal_match_of(principals: Mapping[str, tuple[str, ...]], caller: Caller) -> Match | None:
    """principal_match, kept per Caller for each Principal element it met (both are immutable)."""
    seen: dict[int, tuple[Any, Match | None]] = derived(caller, "_kmslab_principal_matches", lambda _: {})
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
    "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a
    permissions boundary policy attached, regardless of the values specified in the NotPrincipal
    element." (same page): a caller with a boundary is never exempt.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    if caller.permissions_boundary is not None and not caller.is_root:
        return False
    ids = principals.get("AWS", ())
    if "*" in ids:
        return True
    if not any(is_account(i, caller.account) for i in ids):
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
    return _matches_any(patterns, resource, NO_CONTEXT, False) == (s.resources is not None)


def _resource_applies(s: Statement, resource: str, ctx: Mapping[str, Any]) -> bool:
    if s.resources is not None:
        return _matches_any(s.resources, resource, ctx, s.variables)
    return s.not_resources is None or not _matches_any(s.not_resources, resource, ctx, s.variables)


Candidates = tuple[tuple[Hit, bool], ...]  # (a statement as a Hit, whether its Resource is still to check)


def _candidates(policy: Policy, effect: str, action: str, resource: str) -> Candidates:
    """(statement, Resource still to check) for each statement of `effect` whose Action and Resource
    may cover the request, before principals and conditions.

    A pure function of a parsed policy (parsed once per text), so it is kept on the policy: a
    policy change is a new Policy, and nothing here depends on the caller or the request context.
    """
    statements = policy.denies if effect == "Deny" else policy.allows
    if not statements:
        return ()  # most policies have no Deny statement at all
    cache: dict[tuple[str, str, str], Candidates] | None = policy.__dict__.get(
        "_kmslab_candidates")  # as _derived keeps it, inlined: this runs several times a decision
    if cache is None:
        cache = policy.__dict__["_kmslab_candidates"] = {}
    found = cache.get((effect, action, resource))
    if found is None:
        found = tuple(
            (Hit(policy, s), static is None)
            for s in statements
            if (static := _static_match(s, action, resource)) is not False
        )
        if len(cache) < 4096:
            cache[(effect, action, resource)] = found
    return found


def _new_dict(_: Any) -> dict[Any, Any]:
    return {}


def _covering(policy: Policy, effect: str, action: str, resource: str, caller: Caller) -> Candidates:
    """`_candidates` of a resource-based policy whose Principal (or NotPrincipal) covers the caller, each Hit with
    how it does: a pure function of the policy and the Caller (both immutable), so it is kept on the Caller."""
    kept: dict[tuple[int, str, str, str], tuple[Policy, Candidates]] = derived(caller, "_kmslab_covering", _new_dict)
    found = kept.get((id(policy), effect, action, resource))
    if found is not None and found[0] is policy:  # the policy itself is kept, so its id is not reused
        return found[1]
    out: list[tuple[Hit, bool]] = []
    for hit, check_resource in _candidates(policy, effect, action, resource):
        s, match = hit.statement, None
        if s.principal is not None:
            match = principal_match_of(s.principal, caller)
            if match is None:
                continue
        elif s.not_principal is not None:
            if not_principal_excludes(s.not_principal, caller):
                continue
            match = "direct"
        out.append((Hit(policy, s, match), check_resource))
    if len(kept) < 4096:
        kept[(id(policy), effect, action, resource)] = (policy, tuple(out))
    return tuple(out)


def hits(
    policies: Iterable[Policy], effect: str, action: str, resource: str,
    ctx: Mapping[str, Any], caller: Caller | None = None,
) -> list[Hit]:
    """Statements of `effect` that apply to the request; for key policies, to this caller."""
    out: list[Hit] = []
    for policy in policies:
        candidates = _covering(policy, effect, action, resource, caller) \
            if caller is not None and policy.kind == "resource" else _candidates(policy, effect, action, resource)
        for hit, check_resource in candidates:
            s = hit.statement
            if check_resource and not _resource_applies(s, resource, ctx):
                continue
            if s.conditions and not conditions_hold(s.conditions, ctx, variables=s.variables):
                continue
            out.append(hit)
    return out
