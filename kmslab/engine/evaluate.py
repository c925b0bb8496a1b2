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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from . import messages
from .catalog import action_info
from .conditions import conditions_hold
from .matching import MissingVariable, action_matches, substitute, wildcard_match
from .model import Caller, Decision, Gate, Grant, Request, StatementRef
from .policy import Policy, Statement

# How a key policy statement's Principal covers the caller.
Match = Literal["direct", "role", "account"]
_RANK = {"direct": 0, "role": 1, "account": 2}


@dataclass(frozen=True)
class _Hit:
    policy: Policy
    statement: Statement
    match: Match | None = None

    def ref(self) -> StatementRef:
        s = self.statement
        return StatementRef(self.policy.name, self.policy.kind, s.sid, s.index, s.effect)


# ---------------------------------------------------------------- request context


def request_context(request: Request) -> dict[str, Any]:
    """Every condition key of the request, keys lower-cased (names are case-insensitive).

    Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    KMS keys: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    caller, key = request.caller, request.key
    now = datetime.now(UTC)
    ctx: dict[str, Any] = {
        "aws:principalarn": caller.role_arn if caller.principal_type == "AssumedRole" else caller.arn,
        "aws:principalaccount": caller.account,
        "aws:principaltype": caller.principal_type,
        "aws:userid": caller.user_id,
        "aws:securetransport": "true",
        "aws:requestedregion": request.region,
        "aws:currenttime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:epochtime": str(int(now.timestamp())),
        "aws:principalisawsservice": "false",
        "kms:calleraccount": caller.account,
    }
    if caller.username is not None:
        ctx["aws:username"] = caller.username
    if caller.mfa is not None:
        ctx["aws:multifactorauthpresent"] = "true" if caller.mfa else "false"
    for k, v in caller.tags.items():
        ctx[f"aws:principaltag/{k}".lower()] = v
    if key is not None:
        ctx.update(
            {
                "aws:resourceaccount": key.account,
                "kms:keyspec": key.key_spec,
                "kms:customermasterkeyspec": key.key_spec,
                "kms:keyusage": key.key_usage,
                "kms:customermasterkeyusage": key.key_usage,
                "kms:keyorigin": key.origin,
                "kms:multiregion": "true" if key.multi_region else "false",
            }
        )
        if key.aliases:
            ctx["kms:resourcealiases"] = list(key.aliases)
        for k, v in key.tags.items():
            ctx[f"aws:resourcetag/{k}".lower()] = v
    for k, v in request.context.items():
        ctx[k.lower()] = v
    return ctx


# ---------------------------------------------------------------- statement matching


def principal_match(principals: dict[str, tuple[str, ...]] | Any, caller: Caller) -> Match | None:
    """How a Principal element covers the caller, best match first; None if it does not.

    - "*", the caller's own ARN (user, root or session) or unique id: direct.
    - the role ARN of a role session: role (a boundary or session policy still limits it).
    - the caller's account ("123456789012" or arn:aws:iam::123456789012:root): account,
      which delegates to the account's IAM policies.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    best: Match | None = None
    for ident in principals.get("AWS", ()):
        found: Match | None = None
        if ident == caller.account or ident.endswith(f"::{caller.account}:root"):
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


def _matches_any(patterns: tuple[str, ...], value: str, ctx: dict[str, Any], *, action: bool) -> bool:
    for pattern in patterns:
        if action:
            if action_matches(pattern, value):
                return True
            continue
        try:
            pattern = substitute(pattern, ctx)
        except MissingVariable:
            continue
        if wildcard_match(pattern, value):
            return True
    return False


def statement_applies(
    s: Statement, action: str, resource: str, ctx: dict[str, Any]
) -> bool:
    """Action, resource and condition parts of a statement (the principal is checked apart)."""
    if s.actions is not None:
        if not _matches_any(s.actions, action, ctx, action=True):
            return False
    elif s.not_actions is not None and _matches_any(s.not_actions, action, ctx, action=True):
        return False
    if s.resources is not None:
        if not _matches_any(s.resources, resource, ctx, action=False):
            return False
    elif s.not_resources is not None and _matches_any(s.not_resources, resource, ctx, action=False):
        return False
    return conditions_hold(s.conditions, ctx)


def _hits(
    policies: Iterable[Policy], effect: str, action: str, resource: str,
    ctx: dict[str, Any], caller: Caller | None = None,
) -> list[_Hit]:
    """Statements of `effect` that apply to the request; for key policies, to this caller."""
    out = []
    for policy in policies:
        for s in policy.statements:
            if s.effect != effect:
                continue
            match: Match | None = None
            if caller is not None and policy.kind == "resource":
                if s.principal is not None:
                    match = principal_match(s.principal, caller)
                    if match is None:
                        continue
                elif s.not_principal is not None:
                    if principal_match(s.not_principal, caller) is not None:
                        continue
                    match = "direct"
            if statement_applies(s, action, resource, ctx):
                out.append(_Hit(policy, s, match))
    return out


# ---------------------------------------------------------------- grants


def grant_allows(grant: Grant, caller: Caller, operation: str, enc: dict[str, str] | None) -> bool:
    """A grant allows its grantee the listed operations, within its constraints.

    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    https://docs.aws.amazon.com/kms/latest/developerguide/grant-constraints.html
    """
    if grant.grantee_principal not in (caller.arn, caller.role_arn):
        return False
    if operation not in grant.operations:
        return False
    context = enc or {}
    if grant.encryption_context_equals is not None and dict(context) != dict(grant.encryption_context_equals):
        return False
    if grant.encryption_context_subset is not None:
        if any(context.get(k) != v for k, v in grant.encryption_context_subset.items()):
            return False
    return True


# ---------------------------------------------------------------- the gates


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
    ctx = request_context(replace(request, key=key) if key is not request.key else request)
    gates: list[Gate] = []

    def denied(kind: str, reason: str, statements: tuple[StatementRef, ...] = (), *, explicit: bool = False) -> Decision:
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
    identity = () if is_root else caller.identity_policies
    boundary = () if (is_root or caller.permissions_boundary is None) else (caller.permissions_boundary,)
    session = () if is_root else caller.session_policies
    scps = request.scps or ()

    # 1. Explicit deny anywhere wins.
    for kind, pols in (
        ("scp", scps), ("resource", key_policies), ("identity", identity),
        ("boundary", boundary), ("session", session),
    ):
        deny = _hits(pols, "Deny", action, resource, ctx, caller)
        if deny:
            refs = tuple(h.ref() for h in deny)
            gates.append(Gate("explicit-deny", "deny", f"explicit Deny in {refs[0].label()}", refs))
            where = "the key policy" if kind == "resource" else f"the {messages.POLICY_TYPE[kind]} {refs[0].policy!r}"
            return denied(
                kind,
                f"an explicit Deny in {where} ({deny[0].statement.label()}) matches this request, "
                "and an explicit Deny always overrides any Allow",
                refs, explicit=True,
            )
    gates.append(Gate("explicit-deny", "pass", "no Deny statement matches"))

    # 2. SCPs of the caller's account must allow (they never grant, only limit).
    if request.scps is not None:
        scp_allow = _hits(scps, "Allow", action, resource, ctx)
        if not scp_allow:
            gates.append(Gate("scp", "fail", "no SCP allows the action"))
            return denied("scp", f"no service control policy of account {caller.account} allows {action}")
        gates.append(Gate("scp", "pass", "an SCP allows the action", tuple(h.ref() for h in scp_allow)))
    else:
        gates.append(Gate("scp", "skip", "no SCP applies to this account"))

    # IAM side: identity policies, limited by the boundary and the session policies.
    id_hits = [] if is_root else _hits(identity, "Allow", action, resource, ctx)
    b_hits = _hits(boundary, "Allow", action, resource, ctx) if boundary else []
    s_hits = _hits(session, "Allow", action, resource, ctx) if session else []
    boundary_ok = not boundary or bool(b_hits)
    session_ok = not session or bool(s_hits)
    iam_ok = (is_root or bool(id_hits)) and boundary_ok and session_ok

    def iam_gates() -> None:
        if is_root:
            gates.append(Gate("identity-policy", "allow", "the root user has every permission in its account"))
            return
        if id_hits:
            gates.append(Gate("identity-policy", "allow", f"{id_hits[0].ref().label()} allows the action",
                              tuple(h.ref() for h in id_hits)))
        else:
            gates.append(Gate("identity-policy", "no-match", "no IAM policy of the caller allows the action"))
        if boundary:
            gates.append(Gate("boundary", "pass" if b_hits else "fail",
                              "the permissions boundary allows the action" if b_hits
                              else "the permissions boundary does not allow the action"))
        if session:
            gates.append(Gate("session-policy", "pass" if s_hits else "fail",
                              "the session policy allows the action" if s_hits
                              else "the session policy does not allow the action"))

    def iam_denial(prefix: str) -> Decision:
        if not (is_root or id_hits):
            return denied("identity", f"{prefix}, but no IAM policy of {messages.who(caller.principal_type)} allows {action}")
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

    # 4. The key policy (and grants).
    kp_hits = _hits(key_policies, "Allow", action, resource, ctx, caller)
    kp_hits.sort(key=lambda h: _RANK[h.match or "account"])
    direct = [h for h in kp_hits if h.match == "direct"]
    role = [h for h in kp_hits if h.match == "role"]
    account = [h for h in kp_hits if h.match == "account"]
    operation = request.grant_operation or info.operation
    grants = [g for g in key.grants if grant_allows(g, caller, operation, request.encryption_context)]
    cross = caller.account != key.account
    gates.append(Gate(
        "key-policy", "allow" if (direct or role) else "no-match",
        f"{(direct or role)[0].ref().label()} names the caller" if (direct or role)
        else "no key policy statement names the caller",
        tuple(h.ref() for h in direct + role),
    ))
    gates.append(Gate(
        "account-delegation", "allow" if account else "no-match",
        f"{account[0].ref().label()} allows the account {caller.account}: IAM policies decide" if account
        else f"no key policy statement allows the account {caller.account}",
        tuple(h.ref() for h in account),
    ))
    if grants:
        gates.append(Gate("grant", "allow", f"grant {grants[0].grant_id} allows {operation}"))
    else:
        gates.append(Gate("grant", "no-match" if key.grants else "skip", "no grant allows the operation"))
    grant_refs = tuple(
        StatementRef(f"grant {g.grant_id}", "grant", g.name, 0, "Allow") for g in grants[:1]
    )

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
        iam_gates()
        side = (kp_hits[0].ref(),) if kp_hits else grant_refs
        if grants and not kp_hits:
            return allowed(f"grant {grants[0].grant_id} allows {operation} for this principal", grant_refs)
        if iam_ok:
            extra = tuple(h.ref() for h in id_hits[:1])
            return allowed(
                f"cross-account: the key policy of account {key.account} allows it ({side[0].label()}), "
                f"and {'the root user' if is_root else extra[0].label()} in account {caller.account} allows it too",
                side + extra,
            )
        return iam_denial(f"cross-account: the key policy of account {key.account} allows it ({side[0].label()})")

    if direct:
        # Same account, principal named directly: no IAM policy needed, not limited by
        # a permissions boundary or session policy (IAM User Guide, "Policy evaluation
        # for requests within a single account").
        ref = direct[0].ref()
        who = "the root user" if is_root else messages.who(caller.principal_type)
        return allowed(f"the key policy names {who} directly ({ref.label()}), so no IAM policy is needed", (ref,))
    if role:
        iam_gates()
        ref = role[0].ref()
        if boundary_ok and session_ok:
            return allowed(f"the key policy names this session's role ({ref.label()}), so no IAM policy is needed", (ref,))
        if not boundary_ok:
            return denied("boundary", f"the key policy names the role ({ref.label()}), but the role's permissions boundary does not allow {action}")
        return denied("session", f"the key policy names the role ({ref.label()}), but the session policy does not allow {action}")
    if grants and not account:
        return allowed(f"grant {grants[0].grant_id} allows {operation} for this principal", grant_refs)

    # Account delegation: the key policy lets IAM policies decide.
    iam_gates()
    ref = account[0].ref()
    if iam_ok:
        if is_root:
            return allowed(f"the key policy allows the account ({ref.label()}), and the root user has every permission in its account", (ref,))
        return allowed(
            f"the key policy allows the account ({ref.label()}), so IAM policies decide, "
            f"and {id_hits[0].ref().label()} allows {action}",
            (ref, id_hits[0].ref()),
        )
    if grants:
        return allowed(f"grant {grants[0].grant_id} allows {operation} for this principal", grant_refs)
    return iam_denial(f"the key policy allows the account ({ref.label()}), so IAM policies decide")
