"""Every sentence kmslab says about a decision, in one place, apart from the logic.

The engine records facts (gates, outcomes, statements, grants, phrases with named values);
this module turns them into words: reason sentences, one line per gate, statement labels,
the flow picture's labels and the CLI's explanation lines. Templates have named
placeholders, gettext-style: each is marked with `N_` where it is defined and passed
through `_` when rendered, so a catalog (`use_catalog`, e.g. a Japanese edition) changes
the words without touching a rule. AWS's own error messages are not here: they are AWS's
wording, kept exactly (see `messages`).

Nothing here imports moto, Jupyter or pandas.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Decision, Gate, Phrase, Ref

_CATALOG: dict[str, str] = {}


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark for translation, translate later"
    """Mark a template for translation where it is defined; it is translated when rendered."""
    return text


def _(text: str) -> str:
    """The active catalog's translation of `text` (itself when there is none)."""
    return _CATALOG.get(text, text) if _CATALOG else text


def placeholders(template: str) -> set[str]:
    """The named placeholders of a template (`{principal}` -> "principal")."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def use_catalog(catalog: Mapping[str, str] | None) -> None:
    """Render with `catalog` (English template -> translation) from now on; None: English.

    A translation must use only the placeholders of its English template.
    """
    if catalog:
        for english, translated in catalog.items():
            extra = placeholders(translated) - placeholders(english)
            if extra:
                raise ValueError(f"the translation of {english!r} uses unknown placeholders {sorted(extra)}")
    _CATALOG.clear()
    _CATALOG.update(catalog or {})


# ---------------------------------------------------------------- reason phrases (Decision.why)

REASONS: dict[str, str] = {
    "explicit-deny": N_("an explicit Deny in {where} ({statement}) matches this request, "
                        "and an explicit Deny always overrides any Allow"),
    "scp-none": N_("no service control policy of account {account} allows {action}"),
    "not-cross-account": N_("{action} is not a cross-account operation: permissions for it on a key in account "
                            "{key_account} have no effect for a principal of account {account}"),
    "named-directly": N_("the key policy names {who} directly ({statement}), so no IAM policy is needed"),
    "role-named": N_("the key policy names this session's role ({statement}), so no IAM policy is needed"),
    "account-root": N_("the key policy allows the account ({statement}), "
                       "and the root user has every permission in its account"),
    "account-iam": N_("the key policy allows the account ({statement}), so IAM policies decide, "
                      "and {iam_statement} allows {action}"),
    "cross-allowed": N_("cross-account: the key policy of account {key_account} allows it ({statement}), "
                        "and {iam_statement} in account {account} allows it too"),
    "cross-allowed-root": N_("cross-account: the key policy of account {key_account} allows it ({statement}), "
                             "and the root user in account {account} allows it too"),
    "grant-direct": N_("{statement} allows {operation} for this principal"),
    "grant-via-iam": N_("{statement} allows {operation} for the account {account}, "
                        "and {iam_statement} allows {action}"),
    "retiring": N_("{who} is the retiring principal of {statement}, so it may retire it without any policy"),
    "grantee-retires": N_("{who} is the grantee of {statement}, which allows RetireGrant, "
                          "so it may retire it without any policy"),
    "retire-by-account": N_("{statement} was created in account {account}, whose root user may retire it "
                            "without any policy"),
    "retire-delegated": N_("account {account} may retire {statement} and delegates that by IAM: "
                           "{iam_statement} allows kms:RetireGrant"),
    "retire-not-allowed": N_("{who} is neither the retiring principal of {statement} nor a grantee it allows to "
                             "retire it, and no IAM policy of an account that may retire it allows kms:RetireGrant "
                             "(kms:RetireGrant in a key policy has no effect)"),
    "keyless": N_("{action} takes no key, so IAM policies alone decide"),
    "resource-iam-only": N_("{action} on {resource}: no key policy covers it, so IAM policies alone decide"),
    "colon-root": N_(": the root user has every permission in its account"),
    "colon-allows-it": N_(": {statement} allows it"),
    "no-statement-for-caller": N_("no statement of the key policy allows {action} for {who}"),
    "root-denied": N_("the key policy has no statement for the account, so even the account's root user is denied"),
    "iam-has-no-effect": N_("the key policy does not name {who} and has no statement for the account, "
                            "so its IAM policy ({policy}) has no effect"),
    "iam-not-consulted": N_("the key policy does not name {who} and has no statement for the account, "
                            "so IAM policies are not consulted"),
    "key-in-account": N_(" (the key belongs to account {key_account})"),
    "cross-account-prefix": N_("cross-account: the key policy of account {key_account} allows it ({statement})"),
    "account-prefix": N_("the key policy allows the account ({statement}), so IAM policies decide"),
    "grant-account-prefix": N_("{statement} is for the account {account}, so IAM policies decide"),
    "role-boundary": N_("the key policy names the role ({statement}), "
                        "but the role's permissions boundary does not allow {action}"),
    "role-session": N_("the key policy names the role ({statement}), but the session policy does not allow {action}"),
    "but-no-iam": N_(", but no IAM policy of {who} allows {action}"),
    "but-boundary": N_(", but the permissions boundary does not allow {action}"),
    "but-session": N_(", but the session policy does not allow {action}"),
    "but-key-disabled": N_("; but the key is disabled, so KMS refuses {operation}"),
    "but-key-pending-deletion": N_("; but the key is pending deletion, so KMS refuses {operation}"),
    "but-key-state": N_("; but the key's state is {state}, so KMS refuses {operation}"),
    "but-key-unsupported": N_("; but KMS does not support {operation} on a key of origin {origin}"),
    "but-key-usage": N_("; but the key's usage is {usage}, which {operation} cannot use"),
}

# ---------------------------------------------------------------- one line per gate (Gate.detail)

GATE_LINES: dict[str, str] = {
    "retiring-principal/allow": N_("{statement}: the caller may retire this grant"),
    "retiring-principal/no-match": N_("the caller is not the grant's retiring principal "
                                      "(nor a grantee it allows to retire it)"),
    "explicit-deny/deny": N_("explicit Deny in {statement}"),
    "explicit-deny/pass": N_("no Deny statement matches"),
    "scp/not-used": N_("no SCP applies to this account"),
    "scp/allow": N_("an SCP allows the action ({statement})"),
    "scp/no-match": N_("no SCP allows the action"),
    "key-policy/not-used": N_("the action has no key resource, so no key policy applies"),
    "key-policy/allow": N_("{statement} names the caller"),
    "key-policy/no-match": N_("no key policy statement names the caller"),
    "not-cross-account-gate": N_("this operation cannot be used on a KMS key in another account"),
    "account-delegation/not-used": N_("the action has no key resource"),
    "account-delegation/not-needed": N_("the key policy already names the caller or its role"),
    "account-allows": N_("{statement} allows the account {account}: IAM policies decide"),
    "no-account-statement": N_("no key policy statement allows the account {account}"),
    "identity-policy/allow": N_("{statement} allows the action"),
    "root-has-every-permission": N_("the root user has every permission in its account"),
    "identity-policy/no-match": N_("no IAM policy of the caller allows the action"),
    "identity-policy/not-needed": N_("the key policy names the caller's role, or a grant allows"),
    "identity-policy/ignored": N_("{statement} would allow, but the key policy gives IAM policies no say"),
    "iam-not-consulted-gate": N_("the key policy gives IAM policies no say"),
    "boundary/not-used": N_("the caller has no permissions boundary"),
    "boundary/not-needed": N_("not consulted here"),
    "boundary/allow": N_("the permissions boundary allows the action"),
    "boundary/no-match": N_("the permissions boundary does not allow the action"),
    "session-policy/not-used": N_("no session policy"),
    "session-policy/not-needed": N_("not consulted here"),
    "session-policy/allow": N_("the session policy allows the action"),
    "session-policy/no-match": N_("the session policy does not allow the action"),
    "grant/not-used": N_("no grant on this key"),
    "grant-allows": N_("{statement} allows {operation}"),
    "grant/no-match": N_("no grant allows the operation"),
    "key-state/pass": N_("the key's state permits the operation"),
    "but-key-disabled": N_("the key is disabled: KMS refuses the operation"),
    "but-key-pending-deletion": N_("the key is pending deletion: KMS refuses the operation"),
    "but-key-state": N_("the key's state is {state}: KMS refuses the operation"),
    "but-key-unsupported": N_("KMS does not support the operation on a key of origin {origin}"),
    "but-key-usage": N_("the key's usage is {usage}: the operation cannot use it"),
}

# ---------------------------------------------------------------- names of things

LABELS: dict[str, str] = {
    "sid": N_("{policy}: Sid {sid}"),
    "no-sid": N_("{policy} (statement {number}, no Sid)"),
    "grant": N_("grant {grant_id}"),
    "sid-short": N_("Sid {sid}"),
    "no-sid-short": N_("statement {number}, no Sid"),
    "where-key-policy": N_("the key policy"),
    "key-policy-name": N_("key policy"),  # the key policy's name in a statement label
    "where-policy": N_("the {policy_type} '{policy}'"),
}

WHO: dict[str, str] = {
    "Account": N_("the account's root user"),
    "User": N_("this IAM user"),
    "AssumedRole": N_("this role session"),
    "FederatedUser": N_("this federated user"),
    "": N_("this principal"),
}

OUTCOMES: dict[str, str] = {  # a gate's outcome in a word, as a list of gates shows it
    "allow": N_("allows"),
    "deny": N_("refuses"),
    "pass": N_("passes"),
    "no-match": N_("no match"),
    "not-used": N_("not used here"),
    "not-needed": N_("not needed"),
    "ignored": N_("ignored"),
}
# Symbols beside an outcome: ✔ allows, ✘ refuses, – plays no part, ○ nothing here (the request goes on).
SYMBOLS = {"allow": "✔", "pass": "✔", "deny": "✘", "no-match": "○", "not-used": "–", "not-needed": "–",
           "ignored": "–"}

GATE_NAMES: dict[str, str] = {  # the gates as a learner reads them
    "retiring-principal": N_("retiring principal"),
    "explicit-deny": N_("explicit Deny"),
    "scp": N_("SCPs"),
    "key-policy": N_("key policy names the caller"),
    "account-delegation": N_("key policy allows the account"),
    "identity-policy": N_("identity policies"),
    "boundary": N_("permissions boundary"),
    "session-policy": N_("session policy"),
    "grant": N_("grants"),
    "key-state": N_("key state"),
}

CLI: dict[str, str] = {
    "path": N_("path:"),
    "gate": N_("  {symbol} {gate:<30} {outcome:<14} {detail}"),
    "deciding": N_("decided at: {gate}"),
    "statements": N_("deciding statements:"),
    "statement": N_("  {label} ({effect})"),
    # the frame of `run`, `check` and `explain` (kmslab/cli.py); AWS's own error lines stay AWS's
    "request": N_("{principal} -> {action}"),
    "on-key": N_(" on key {key}"),
    "decision": N_("decision: {decision}"),
    "why": N_("why: {reason}"),
    "aws-says": N_("AWS says: {line}"),
    "check": N_("check: {passed} passed, {failed} failed"),
    "not-created": N_("   key {key!r} was not created: {error}: {message}"),
    "col/principal": N_("principal"),
    "col/action": N_("action"),
    "col/key": N_("key"),
    "col/decision": N_("decision"),
    "col/error": N_("error"),
    "col/reason": N_("reason"),
    # `serve` (kmslab/serve)
    "serving": N_("kmslab serving {file} at {endpoint} (only on this machine). Profiles: {profiles}"),
    "try": N_("Try:"),
    "press-ctrl-c": N_("Press Ctrl-C to stop."),
    "stopped": N_("kmslab server stopped."),
    "cannot-listen": N_("cannot listen on {address}: {error}"),
    "port-in-use": N_(" (is another server using it? choose another --port)"),
}

# The policy types as a reason names them (AWS's own error messages keep messages.POLICY_TYPE).
POLICY_TYPES: dict[str, str] = {
    "scp": N_("service control policy"),
    "resource": N_("resource-based policy"),
    "identity": N_("identity-based policy"),
    "boundary": N_("permissions boundary"),
    "session": N_("session policy"),
}

# Reasons the lab gives for an AWS error that no decision of the engine explains (kmslab/lab/lab.py).
LAB: dict[str, str] = {
    "aws-answered": N_("AWS answered {code}"),
    "aws-answered-message": N_("AWS answered {code}: {message}"),
    "authorized-but": N_("authorized ({reason}), but AWS answered {code}"),
}


FLOW: dict[str, str] = {  # the flow picture's words (kmslab/widgets/flow.py draws them)
    # "|" separates lines; longer lines wrap to the box.
    "title/explicit-deny": N_("Explicit Deny|anywhere?"),
    "title/scp": N_("SCPs allow|the action?"),
    "title/key-policy": N_("Caller named in|key policy?"),
    "title/account-delegation": N_("Account allowed|in key policy?"),
    "title/iam": N_("IAM policies|allow?"),
    "title/grant": N_("A grant allows the operation?"),
    "edge/no": N_("no"),
    "edge/yes": N_("yes"),
    "edge/named": N_("yes, named directly: no IAM policy needed"),
    "edge/role": N_("yes, but a role or other account: IAM must allow too"),
    "edge/refused": N_("refused"),
    "heading": N_("{action} · {principal} → {verdict}"),
    "svg-title": N_("Evaluation flow: {heading}"),
    "describe": N_("{action} by {principal} is {verdict}. Path: {hops}."),
    "hop": N_("{node}: {lines}"),
    "node/explicit-deny": N_("explicit Deny"),
    "node/scp": N_("SCPs"),
    "node/key-policy": N_("key policy names the caller"),
    "node/account-delegation": N_("key policy allows the account"),
    "node/iam": N_("IAM policies"),
    "node/grant": N_("grant"),
    "ALLOWED": N_("ALLOWED"),
    "DENIED": N_("DENIED"),
    "not-reached": N_("not reached"),
    "not-needed": N_("– not needed"),
    "not-used": N_("– not used here"),
    "deny-in": N_("✘ yes: Deny in"),
    "no-deny": N_("✔ no Deny"),
    "yes": N_("✔ yes"),
    "no": N_("{no} no"),
    "no-scp": N_("{no} no SCP allows"),
    "no-key-resource": N_("– not used here: no key resource"),
    "not-cross-account": N_("✘ not a cross-account operation"),
    "account-yes": N_("✔ yes, so IAM policies decide"),
    "account-no": N_("{no} no statement for the account"),
    "iam-not-consulted": N_("not consulted"),
    "iam-would-allow": N_("not consulted: identity policy ✔ would allow"),
    "identity/allow": N_("identity ✔ allows"),
    "identity/root": N_("identity ✔ root user"),
    "identity/no-match": N_("identity {no} none"),
    "identity/not-needed": N_("identity –|not needed"),
    "boundary/allow": N_("boundary ✔ allows"),
    "boundary/no-match": N_("boundary {no} blocks"),
    "boundary/not-used": N_("boundary –|not used"),
    "boundary/not-needed": N_("boundary –|not needed"),
    "session-policy/allow": N_("session ✔ allows"),
    "session-policy/no-match": N_("session {no} blocks"),
    "session-policy/not-used": N_("session –|not used"),
    "session-policy/not-needed": N_("session –|not needed"),
    "grant-yes": N_("✔ yes: {grant}"),
    "retiring-yes": N_("✔ the retiring principal of {grant}"),
    "grant-no": N_("{no} no grant matches"),
    "key-state/Disabled": N_("the key is disabled"),
    "key-state/PendingDeletion": N_("the key is pending deletion"),
    "legend/passed": N_("✔ on the path: yes"),
    "legend/failed": N_("✘ on the path: why denied"),
    "legend/neutral": N_("○ no, go on / – not used"),
    "legend/off": N_("not reached / not needed"),
}


EXPLAIN: dict[str, str] = {  # the explanation panel (kmslab/widgets/explain.py)
    "allowed": N_("✔ allowed"),
    "denied": N_("✘ denied"),
    "error": N_("⚠ error"),
    "error-code": N_("⚠ {code}"),
    "on-key": N_(" · key {key}"),
    "why": N_("Why:"),
    "deciding": N_("Deciding statements:"),
    "no-deciding": N_("Deciding statements: none — no statement allows the request, "
                      "so it is denied by default (an implicit deny)."),
    "caller-sees": N_("What the caller sees (AWS CLI):"),
    "no-decision": N_("No authorization decision: the request failed before KMS checked permissions."),
    "every-gate": N_("Every gate, in the order AWS evaluates them"),
    "decided-here": N_(" ◀ decided here"),
    "root-marker": N_("◀ root statement: the account principal, so IAM policies count"),
    "highlight-marker": N_("◀ highlighted"),
}


def cli_text(name: str, **args: Any) -> str:
    """One of the CLI's words (a frame line, a column head, a line of `serve`), translated and filled."""
    return _(CLI[name]).format_map(args) if args else _(CLI[name])


def lab_text(name: str, **args: Any) -> str:
    """One of the lab's reasons for an AWS error, translated and filled."""
    return _(LAB[name]).format_map(args)


def policy_type(kind: str) -> str:
    """A policy type's name as a reason says it ("identity-based policy"), translated."""
    return _(POLICY_TYPES[kind]) if kind in POLICY_TYPES else kind


def explain_text(name: str, **args: Any) -> str:
    """One of the explanation panel's words, translated and filled."""
    return _(EXPLAIN[name]).format_map(args) if args else _(EXPLAIN[name])


def flow_text(key: str, **args: Any) -> str:
    """One of the flow picture's labels, translated and filled."""
    return _(FLOW[key]).format_map(args) if args else _(FLOW[key])


def every_template() -> Iterator[tuple[str, str]]:
    """(id, English template) of every template here."""
    for table in (REASONS, GATE_LINES, LABELS, WHO, OUTCOMES, GATE_NAMES, CLI, POLICY_TYPES, LAB, FLOW, EXPLAIN):
        yield from table.items()


# ---------------------------------------------------------------- rendering


def who(principal_type: str) -> str:
    """How a sentence names the caller ("this IAM user", "this role session", ...)."""
    return _(WHO.get(principal_type, WHO[""]))


def ref_label(ref: Ref) -> str:
    """`key policy: Sid 'Enable IAM User Permissions'`, `inline (statement 1, no Sid)`, `grant 1234...`."""
    if hasattr(ref, "grant_id"):  # a GrantRef (model imports this module: no import of it here, on every label)
        return _(LABELS["grant"]).format(grant_id=ref.grant_id)
    policy = _policy_name(ref)
    if ref.sid:
        return _(LABELS["sid"]).format(policy=policy, sid=repr(ref.sid))
    return _(LABELS["no-sid"]).format(policy=policy, number=ref.index + 1)


def _policy_name(ref: Any) -> str:
    """A statement's policy as a label names it: the key policy in words, any other policy by its own name."""
    if getattr(ref, "kind", None) == "resource" and ref.policy == "key policy":
        return _(LABELS["key-policy-name"])
    return str(ref.policy)


def ref_short(ref: Ref) -> str:
    """A statement without its policy (`Sid Admins`, `statement 2, no Sid`), or a grant."""
    if hasattr(ref, "grant_id"):  # a GrantRef
        return _(LABELS["grant"]).format(grant_id=ref.grant_id)
    if ref.sid:
        return _(LABELS["sid-short"]).format(sid=ref.sid)
    return _(LABELS["no-sid-short"]).format(number=ref.index + 1)


def _where(ref: Any) -> str:
    if getattr(ref, "kind", None) == "resource":
        return _(LABELS["where-key-policy"])
    return _(LABELS["where-policy"]).format(policy_type=policy_type(ref.kind), policy=ref.policy)


def values(args: Mapping[str, Any]) -> dict[str, Any]:
    """A phrase's values as its template reads them: statements and grants as labels, the caller in words."""
    out = dict(args)
    ref = args.get("ref")
    if ref is not None:
        out["statement"] = ref_label(ref)
        if not hasattr(ref, "grant_id"):
            out["where"] = _where(ref)
    iam = args.get("iam")
    if iam is not None:
        out["iam_statement"] = ref_label(iam)
    if "who" in args:
        out["who"] = who(args["who"])
    return out


def render(template: str, args: Mapping[str, Any]) -> str:
    """One template, translated, with its placeholders filled."""
    return _(template).format_map(values(args))


def phrase(p: Phrase) -> str:
    """A phrase of a reason (`Decision.why`)."""
    return render(REASONS[p[0]], p[1])


def reason(decision: Decision) -> str:
    """The decision's reason in one sentence."""
    return "".join(phrase(p) for p in decision.why)


def gate_detail(gate: Gate) -> str:
    """One gate in one line."""
    args: dict[str, Any] = {"ref": gate.refs[0]} if gate.refs else {}
    if gate.note is not None:
        return render(GATE_LINES[gate.note[0]], {**args, **gate.note[1]})
    return render(GATE_LINES[f"{gate.name}/{gate.outcome}"], args)


def gate_name(name: str) -> str:
    return _(GATE_NAMES.get(name, name))


def outcome_word(outcome: str) -> str:
    return _(OUTCOMES.get(outcome, outcome))


def cli_lines(decision: Decision) -> list[str]:
    """The CLI's explanation of a decision: every gate visited, the deciding gate, the deciding statements."""
    lines = [_(CLI["path"])]
    for g in decision.gates:
        lines.append(_(CLI["gate"]).format(symbol=SYMBOLS.get(g.outcome, "?"), gate=gate_name(g.name),
                                          outcome=outcome_word(g.outcome), detail=g.detail))
    if decision.deciding is not None:
        lines.append(_(CLI["deciding"]).format(gate=gate_name(decision.deciding)))
    if decision.statements:
        lines.append(_(CLI["statements"]))
        lines.extend(_(CLI["statement"]).format(label=ref_label(r), effect=r.effect) for r in decision.statements)
    return lines
