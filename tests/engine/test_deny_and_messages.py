"""An explicit Deny in any policy type wins, and AWS's AccessDeniedException wording.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"An explicit deny in any of these policies overrides the allow."
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
"""

from __future__ import annotations

import pytest

from kmslab.engine import messages

TEMPLATE = "User: {p} is not authorized to perform: kms:Decrypt on resource: {r} "


def _deny_everywhere_world(w, where):
    """A role session allowed everywhere, plus one Deny for kms:Decrypt in `where`."""
    deny_stmt = {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}
    key_stmts = [w.ROOT_STATEMENT]
    policies = (w.admin(),)
    boundary = w.policy(w.ALLOW_ALL, "Boundary", "boundary")
    session_policies = (w.policy(w.ALLOW_ALL, "session policy", "session"),)
    scps = (w.policy(w.ALLOW_ALL, "FullAWSAccess", "scp"),)
    if where == "resource":
        key_stmts.append({**deny_stmt, "Principal": "*"})
    elif where == "identity":
        policies += (w.identity(deny_stmt, name="DenyDecrypt"),)
    elif where == "boundary":
        boundary = w.policy(w.doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, deny_stmt), "B", "boundary")
    elif where == "session":
        session_policies = (w.policy(w.doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, deny_stmt),
                                     "session policy", "session"),)
    elif where == "scp":
        scps += (w.policy(w.doc(deny_stmt), "DenyDecrypt", "scp"),)
    caller = w.session(policies=policies, boundary=boundary, session_policies=session_policies)
    return caller, w.key(*key_stmts), scps


@pytest.mark.parametrize(
    ("where", "phrase"),
    [
        ("resource", "with an explicit deny in a resource-based policy"),
        ("identity", "with an explicit deny in an identity-based policy"),
        ("boundary", "with an explicit deny in a permissions boundary"),
        ("session", "with an explicit deny in a session policy"),
        ("scp", "with an explicit deny in a service control policy"),
    ],
)
def test_explicit_deny_in_each_policy_type_wins(w, where, phrase):
    """A Deny in any policy type overrides every Allow; the message names the policy type.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    "When a policy explicitly denies access because the policy contains a Deny statement,
    then AWS includes the phrase `with an explicit deny in a type policy`"; examples:
    "with an explicit deny in an identity-based policy", "... in a resource-based policy",
    "... in a permissions boundary", "... in a service control policy".
    """
    caller, key, scps = _deny_everywhere_world(w, where)
    decision = w.ask(caller, key=key, scps=scps)
    assert not decision.allowed
    assert decision.error == "AccessDeniedException"
    assert decision.message == TEMPLATE.format(p=caller.arn, r=key.arn) + phrase
    assert decision.gates[0].name == "explicit-deny" and decision.gates[0].outcome == "deny"
    assert decision.statements and all(s.effect == "Deny" for s in decision.statements)


def test_same_world_without_the_deny_is_allowed(w):
    """Control for the test above: no Deny, everything allows.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    caller, key, scps = _deny_everywhere_world(w, None)
    assert w.ask(caller, key=key, scps=scps).allowed


def test_key_policy_deny_beats_key_policy_allow_naming_the_caller(w):
    """Deny and Allow in the same key policy: the Deny wins, whatever the statement order.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
    "If policies that apply to a request include an Allow statement and a Deny statement,
    the Deny statement trumps the Allow statement."
    """
    caller = w.user("bob")
    allow = w.stmt(caller.arn)
    deny = w.stmt(caller.arn, "kms:Decrypt", effect="Deny")
    for order in ((allow, deny), (deny, allow)):
        decision = w.ask(caller, key=w.key(*order))
        assert not decision.allowed
        assert decision.message.endswith("with an explicit deny in a resource-based policy")


def test_deny_naming_account_principal_applies_to_its_users(w):
    """A Deny naming the account principal denies every identity of that account.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    (account principal "delegates authority to the account"; see docs/aws-references.md 9)
    """
    caller = w.user("bob")
    key = w.key(w.stmt(caller.arn), w.stmt(w.ACCOUNT, "kms:Decrypt", effect="Deny"))
    assert not w.ask(caller, key=key).allowed
    assert not w.ask(w.root(), key=key).allowed


def test_deny_for_another_principal_does_not_apply(w):
    """A Deny statement's Principal limits whom it denies.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    caller = w.user("bob")
    key = w.key(w.stmt(caller.arn), w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/carol", effect="Deny"))
    assert w.ask(caller, key=key).allowed


@pytest.mark.parametrize(
    ("kind", "phrase"),
    [
        ("resource", "because no resource-based policy allows the kms:Decrypt action"),
        ("identity", "because no identity-based policy allows the kms:Decrypt action"),
        ("boundary", "because no permissions boundary allows the kms:Decrypt action"),
        ("session", "because no session policy allows the kms:Decrypt action"),
        ("scp", "because no service control policy allows the kms:Decrypt action"),
    ],
)
def test_implicit_deny_message_variants(w, kind, phrase):
    """Each implicit deny names the policy type that gave no Allow.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    "When the policy implicitly denies access, then AWS includes the phrase `because no
    type policy allows the action action`"; e.g. "because no permissions boundary allows
    the codedeploy:ListDeployments action", "because no session policy allows ...".
    """
    decrypt_only = w.allow("kms:Decrypt")
    encrypt_only = w.allow("kms:Encrypt")
    key = w.key(w.ROOT_STATEMENT) if kind != "resource" else w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/x"))
    caller = w.session(
        policies=(encrypt_only if kind == "identity" else decrypt_only,),
        boundary=w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), "B", "boundary")
        if kind == "boundary" else None,
        session_policies=(w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}),
                                   "session policy", "session"),) if kind == "session" else (),
    )
    scps = (w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "S3Only", "scp"),) \
        if kind == "scp" else None
    decision = w.ask(caller, key=key, scps=scps)
    assert not decision.allowed
    assert decision.message == TEMPLATE.format(p=caller.arn, r=key.arn) + phrase


def test_message_names_the_session_arn(w):
    """For a role session, "User:" is the assumed-role session ARN, not the role ARN.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    ("User: arn:aws:sts::111122223333:assumed-role/role-name/role-session-name is not authorized ...")
    """
    caller = w.session("app", session="s1")
    decision = w.ask(caller, key=w.key(w.ROOT_STATEMENT))
    assert decision.message.startswith(f"User: arn:aws:sts::{w.ACCOUNT}:assumed-role/app/s1 is not authorized")


def test_message_helpers_articles():
    """"in an identity-based policy" but "in a resource-based policy".

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    assert messages.explicit_deny("U", "kms:Decrypt", "K", "identity").endswith(
        "with an explicit deny in an identity-based policy")
    for kind in ("resource", "boundary", "session", "scp"):
        assert " in a " in messages.explicit_deny("U", "kms:Decrypt", "K", kind)
    assert messages.implicit_deny("U", "kms:Encrypt", "K", "resource") == (
        "User: U is not authorized to perform: kms:Encrypt on resource: K "
        "because no resource-based policy allows the kms:Encrypt action")


def test_allowed_decision_has_no_message(w):
    """Only denials carry AccessDeniedException.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    decision = w.ask(w.root(), key=w.key(w.ROOT_STATEMENT))
    assert decision.allowed and decision.message is None and decision.error is None
