"""Each gate on its own: a Walk is made from a Request, one gate runs, and what it recorded is checked.

The gates and the AWS sentences they implement are in kmslab/engine/gates.py; these tests call
them one at a time (the whole walk is tested through `authorize` in the other files).
"""

from __future__ import annotations

from kmslab.engine import GateName, GateOutcome, Grant, GrantRef, Request, authorize, words
from kmslab.engine import gates as g
from kmslab.engine.gates import Walk

ALLOW, DENY, PASS, NO_MATCH = GateOutcome.ALLOW, GateOutcome.DENY, GateOutcome.PASS, GateOutcome.NO_MATCH
NOT_USED, NOT_NEEDED, IGNORED = GateOutcome.NOT_USED, GateOutcome.NOT_NEEDED, GateOutcome.IGNORED


def walk(w, caller, action="kms:Decrypt", key=None, **kwargs) -> Walk:
    return Walk(Request(caller=caller, action=action, key=key, **kwargs))


def run_to(gate, wk: Walk):
    """Run the gates before `gate` (they fill what it reads), then `gate` itself."""
    for earlier in g.GATES[: g.GATES.index(gate)]:
        assert earlier(wk) is None
    return gate(wk)


def test_explicit_deny_gate_records_the_deny_statement(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    wk = walk(w, w.user(policies=(w.deny("kms:Decrypt", Sid="NoDecrypt"),)), key=w.key(w.ROOT_STATEMENT))
    end = g.explicit_deny(wk)
    assert end is not None and not end.allowed and end.explicit and end.kind == "identity"
    assert wk.gates[-1].outcome == DENY and wk.gates[-1].refs[0].sid == "NoDecrypt"
    clean = walk(w, w.user(), key=w.key(w.ROOT_STATEMENT))
    assert g.explicit_deny(clean) is None and clean.gates[-1].outcome == PASS


def test_scp_gate_not_used_without_scps_and_final_without_allow(w):
    """https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"""
    none = walk(w, w.user(), key=w.key(w.ROOT_STATEMENT))
    assert g.scp(none) is None and none.gates[-1].outcome == NOT_USED
    only_s3 = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), kind="scp")
    blocked = walk(w, w.user(), key=w.key(w.ROOT_STATEMENT), scps=(only_s3,))
    end = g.scp(blocked)
    assert end is not None and end.deciding == GateName.SCP and blocked.gates[-1].outcome == NO_MATCH


def test_key_policy_gate_allows_a_directly_named_principal_alone(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    bob = w.user("bob")
    wk = walk(w, bob, key=w.key(w.stmt(bob.arn, "kms:Decrypt")))
    end = g.key_policy(wk)
    assert end is not None and end.allowed and end.deciding == GateName.KEY_POLICY
    assert wk.gates[-1].outcome == ALLOW


def test_key_policy_gate_refuses_a_non_cross_account_operation(w):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"""
    key = w.key(w.stmt("*"), arn=w.KEY_ARN.replace(w.ACCOUNT, w.OTHER))
    wk = walk(w, w.user(), "kms:PutKeyPolicy", key)
    end = g.key_policy(wk)
    assert end is not None and not end.allowed and wk.gates[-1].outcome == DENY


def test_account_delegation_gate(w):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"""
    wk = walk(w, w.user(), key=w.key(w.ROOT_STATEMENT))
    assert run_to(g.account_delegation, wk) is None
    assert wk.gates[-1].name == GateName.ACCOUNT_DELEGATION and wk.gates[-1].outcome == ALLOW
    assert wk.gates[-1].refs[0].sid == "Enable IAM User Permissions"
    keyless = walk(w, w.user(), "kms:ListKeys")
    run_to(g.account_delegation, keyless)
    assert keyless.gates[-1].outcome == NOT_USED


def test_identity_gate_ignored_when_the_key_policy_gives_iam_no_say(w):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"""
    wk = walk(w, w.user(policies=(w.admin(),)), key=w.key(w.stmt("arn:aws:iam::111122223333:user/bob")))
    assert run_to(g.identity_policies, wk) is None
    assert wk.gates[-1].outcome == IGNORED and wk.gates[-1].refs[0].policy == "AdministratorAccess"


def test_boundary_and_session_gates_are_not_used_without_policies(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"""
    wk = walk(w, w.user(policies=(w.admin(),)), key=w.key(w.ROOT_STATEMENT))
    run_to(g.permissions_boundary, wk)
    assert wk.gates[-1].name == GateName.BOUNDARY and wk.gates[-1].outcome == NOT_USED
    end = g.session_policies(wk)
    assert wk.gates[-1].outcome == NOT_USED and end is not None and end.allowed


def test_boundary_gate_blocks(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"""
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), kind="boundary")
    wk = walk(w, w.user(policies=(w.admin(),), boundary=boundary), key=w.key(w.ROOT_STATEMENT))
    run_to(g.permissions_boundary, wk)
    assert wk.gates[-1].outcome == NO_MATCH


def test_session_policy_gate_limits_a_role_session(w):
    """A session policy allows nothing by itself: a role session's permissions are the intersection of its role's
    identity-based policies and its session policies.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"""
    only_encrypt = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), kind="session")
    key = w.key(w.ROOT_STATEMENT)
    for action, outcome in (("kms:Decrypt", NO_MATCH), ("kms:Encrypt", ALLOW)):
        wk = walk(w, w.session(policies=(w.admin(),), session_policies=(only_encrypt,)), action=action, key=key)
        end = run_to(g.session_policies, wk)
        assert wk.gates[-1].name == GateName.SESSION_POLICY and wk.gates[-1].outcome == outcome
        assert (end is not None and end.allowed) == (outcome == ALLOW)

def test_grant_gate_allows_with_a_grant_reference_not_a_statement(w):
    """https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"""
    bob = w.user("bob")
    grant = Grant("g-1", bob.arn, frozenset({"Decrypt"}))
    wk = walk(w, bob, key=w.key(w.stmt("arn:aws:iam::111122223333:user/alice"), grants=(grant,)))
    end = run_to(g.grants, wk)
    assert end.allowed and end.refs == (GrantRef("g-1"),)
    assert wk.gates[-1].outcome == ALLOW and isinstance(wk.gates[-1].refs[0], GrantRef)


def test_grant_gate_not_used_on_a_key_without_grants_and_refuses(w):
    """https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"""
    wk = walk(w, w.user(), key=w.key(w.stmt("arn:aws:iam::111122223333:user/bob")))
    end = run_to(g.grants, wk)
    assert not end.allowed and end.deciding == GateName.KEY_POLICY
    assert wk.gates[-1].outcome == NOT_USED


def test_key_state_gate(w):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"""
    disabled = w.key(w.ROOT_STATEMENT, state="Disabled")
    wk = walk(w, w.root(), key=disabled)
    allowed = g.End(True, GateName.ACCOUNT_DELEGATION, ())
    end = g.key_state(wk, allowed)
    assert not end.allowed and end.error == "DisabledException" and end.message == f"{w.KEY_ARN} is disabled."
    describe = walk(w, w.root(), "kms:DescribeKey", disabled)
    assert g.key_state(describe, allowed) is allowed and describe.gates[-1].outcome == PASS
    pending = walk(w, w.root(), "kms:DescribeKey", w.key(w.ROOT_STATEMENT, state="PendingDeletion"))
    assert g.key_state(pending, allowed) is allowed  # DescribeKey works on a key pending deletion
    encrypt = walk(w, w.root(), "kms:Encrypt", w.key(w.ROOT_STATEMENT, state="PendingDeletion"))
    assert g.key_state(encrypt, allowed).error == "KMSInvalidStateException"


def test_retiring_principal_gate(w):
    """https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html"""
    cleanup = w.user("cleanup")
    grant = Grant("g-2", "arn:aws:iam::111122223333:user/app", frozenset({"Decrypt"}),
                  retiring_principal=cleanup.arn)
    key = w.key(w.stmt("arn:aws:iam::111122223333:user/alice"), grants=(grant,))
    decision = authorize(Request(cleanup, "kms:RetireGrant", key, grant_id="g-2"))
    assert decision.allowed and decision.deciding == GateName.RETIRING_PRINCIPAL
    assert decision.statements == (GrantRef("g-2"),) and "retiring principal" in decision.reason
    other = authorize(Request(w.user("mallory"), "kms:RetireGrant", key, grant_id="g-2"))
    # after explicit Deny and SCPs (grant-delete.html: "use a Deny action with the kms:RetireGrant permission")
    assert not other.allowed and other.deciding == GateName.RETIRING_PRINCIPAL
    assert [g.name for g in other.gates][:3] == ["explicit-deny", "scp", "retiring-principal"]


def test_the_decision_records_the_path_and_the_deciding_gate(w):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"""
    d = w.ask(w.user(policies=(w.admin(),)), key=w.key(w.ROOT_STATEMENT))
    assert [x.name for x in d.gates] == ["explicit-deny", "scp", "key-policy", "account-delegation",
                                         "identity-policy", "boundary", "session-policy", "key-state"]
    assert d.deciding == GateName.ACCOUNT_DELEGATION
    assert [r.policy for r in d.statements] == ["key policy", "AdministratorAccess"]
    assert words.SYMBOLS[d.gate("key-policy").outcome] == "○"  # "no match" and the request went on: neutral
