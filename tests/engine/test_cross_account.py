"""Cross-account use of a KMS key: both the key policy and the caller's IAM must allow.

https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
"Cross-account access requires permission in the key policy of the KMS key and in an
IAM policy in the external user's account."
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("principal_form", ["account-arn", "account-id", "user-arn", "star"])
def test_both_sides_must_allow(w, principal_form):
    """Key policy allows the other account (or a principal in it) AND its IAM allows.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    "Neither the key policy nor the IAM policy alone is sufficient—you must change both."
    """
    bob_arn = f"arn:aws:iam::{w.OTHER}:user/bob"
    principal = {"account-arn": f"arn:aws:iam::{w.OTHER}:root", "account-id": w.OTHER,
                 "user-arn": bob_arn, "star": "*"}[principal_form]
    key = w.key(w.ROOT_STATEMENT, w.stmt(principal, ["kms:Decrypt", "kms:DescribeKey"]))
    bob = w.user("bob", w.OTHER, policies=(w.allow("kms:Decrypt", w.KEY_ARN),))
    decision = w.ask(bob, key=key)
    assert decision.allowed, decision.reason
    # The key policy alone: denied by the caller's IAM.
    no_iam = w.ask(w.user("bob", w.OTHER), key=key)
    assert not no_iam.allowed
    assert no_iam.message.endswith("because no identity-based policy allows the kms:Decrypt action")


def test_iam_alone_is_not_enough(w):
    """The external account's IAM policy alone does not allow.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    "The key policy determines who can have access to the KMS key. The IAM policy
    determines who does have access to the KMS key."
    """
    bob = w.user("bob", w.OTHER, policies=(w.admin(),))
    decision = w.ask(bob, key=w.key(w.ROOT_STATEMENT))
    assert not decision.allowed
    assert decision.message == (
        f"User: {bob.arn} is not authorized to perform: kms:Decrypt on resource: {w.KEY_ARN} "
        "because no resource-based policy allows the kms:Decrypt action"
    )
    assert "belongs to account" in decision.reason


def test_key_policy_actions_bound_what_the_other_account_can_delegate(w):
    """The other account can only delegate the actions the key policy gave it.

    https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html
    "account 1 can only give its principals permission to perform the actions that the
    key policy gave to the account."
    """
    key = w.key(w.ROOT_STATEMENT, w.stmt(w.OTHER, "kms:Decrypt"))
    bob = w.user("bob", w.OTHER, policies=(w.admin(),))
    assert w.ask(bob, "kms:Decrypt", key).allowed
    assert not w.ask(bob, "kms:Encrypt", key).allowed


def test_external_root_user_needs_only_the_key_policy(w):
    """The other account's root user has all permissions in its account.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "By default, all requests are implicitly denied with the exception of the AWS account
    root user, which has full access."
    """
    key = w.key(w.ROOT_STATEMENT, w.stmt(w.OTHER, "kms:Decrypt"))
    assert w.ask(w.root(w.OTHER), key=key).allowed
    assert not w.ask(w.root(w.OTHER), key=w.key(w.ROOT_STATEMENT)).allowed


def test_external_role_session_needs_role_policy_and_is_limited_by_boundary(w):
    """A role session in the other account: role policy AND boundary, even when the key
    policy names the session.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    "The request is allowed only if both evaluations return a decision of Allow."
    """
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "B", "boundary")
    session = w.session("app", w.OTHER, policies=(w.admin(),), boundary=boundary)
    key = w.key(w.stmt(session.arn))
    decision = w.ask(session, key=key)
    assert not decision.allowed
    assert decision.message.endswith("because no permissions boundary allows the kms:Decrypt action")
    assert w.ask(w.session("app", w.OTHER, policies=(w.admin(),)), key=key).allowed


@pytest.mark.parametrize("action", ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:GetKeyPolicy",
                                    "kms:EnableKeyRotation", "kms:TagResource"])
def test_non_cross_account_operations_have_no_effect(w, action):
    """Management operations cannot be used on a key in another account.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    "Cross-account permission is effective only for the following operations:
    Cryptographic operations, CreateGrant, DescribeKey, GetKeyRotationStatus,
    GetPublicKey, ListGrants, RetireGrant, RevokeGrant ... If you give a user in a
    different account permission for other operations, those permissions have no effect."
    """
    key = w.key(w.ROOT_STATEMENT, w.stmt(w.OTHER, "kms:*"))
    bob = w.user("bob", w.OTHER, policies=(w.admin(),))
    decision = w.ask(bob, action, key)
    assert not decision.allowed
    assert "not a cross-account operation" in decision.reason
    assert w.ask(w.root(w.OTHER), action, key).allowed is False


@pytest.mark.parametrize("action", ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
                                    "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant",
                                    "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:RevokeGrant"])
def test_cross_account_operations_work(w, action):
    """The listed operations work across accounts when both sides allow.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    """
    key = w.key(w.ROOT_STATEMENT, w.stmt(w.OTHER, "kms:*"))
    assert w.ask(w.user("bob", w.OTHER, policies=(w.admin(),)), action, key).allowed


def test_account_statement_of_owner_does_not_cover_other_account(w):
    """The owner's account principal delegates to the owner's IAM only.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
    """
    decision = w.ask(w.root(w.OTHER), key=w.key(w.ROOT_STATEMENT))
    assert not decision.allowed
