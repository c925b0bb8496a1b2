"""Identity policies, role sessions, session policies, permissions boundaries and SCPs.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
"""

from __future__ import annotations

import pytest


def test_user_policies_inline_managed_and_group_all_count(w):
    """Any identity-based policy of the user can allow: inline, managed or a group's.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "If only identity-based policies apply to a request, then AWS checks all of those
    policies for at least one Allow."
    """
    key = w.key(w.ROOT_STATEMENT)
    inline = w.allow("kms:Decrypt", name="inline-decrypt")
    managed = w.allow("kms:Encrypt", name="KmsEncrypt")
    group = w.allow("kms:DescribeKey", name="admins/describe")
    caller = w.user(policies=(inline, managed, group))
    for action, policy in (("kms:Decrypt", inline), ("kms:Encrypt", managed), ("kms:DescribeKey", group)):
        decision = w.ask(caller, action, key)
        assert decision.allowed
        assert decision.statements[-1].policy == policy.name
    assert not w.ask(caller, "kms:ScheduleKeyDeletion", key).allowed


def test_identity_policy_resource_must_match_key_arn(w):
    """An IAM policy naming another key's ARN does not cover this key.

    https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html
    """
    key = w.key(w.ROOT_STATEMENT)
    this = w.user(policies=(w.allow("kms:Decrypt", w.KEY_ARN),))
    other = w.user(policies=(w.allow("kms:Decrypt", f"arn:aws:kms:us-east-1:{w.ACCOUNT}:key/other"),))
    alias = w.user(policies=(w.allow("kms:Decrypt", f"arn:aws:kms:us-east-1:{w.ACCOUNT}:alias/demo"),))
    assert w.ask(this, key=key).allowed
    assert not w.ask(other, key=key).allowed
    assert not w.ask(alias, key=key).allowed


def test_role_session_uses_role_policies(w):
    """A role session gets the role's identity policies through account delegation.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
    """
    key = w.key(w.ROOT_STATEMENT)
    assert w.ask(w.session(policies=(w.allow("kms:Decrypt"),)), key=key).allowed
    assert not w.ask(w.session(), key=key).allowed


def test_session_policy_narrows_role_permissions(w):
    """The session's permissions are the intersection of role policies and session policy.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
    "the resulting session's permissions are the intersection of the IAM entity's
    identity-based policy and the session policies."
    """
    key = w.key(w.ROOT_STATEMENT)
    sp = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), "session policy", "session")
    caller = w.session(policies=(w.admin(),), session_policies=(sp,))
    assert w.ask(caller, "kms:Encrypt", key).allowed
    decision = w.ask(caller, "kms:Decrypt", key)
    assert not decision.allowed
    assert decision.message.endswith("because no session policy allows the kms:Decrypt action")
    # A session policy alone grants nothing.
    assert not w.ask(w.session(session_policies=(sp,)), "kms:Encrypt", key).allowed


def test_key_policy_naming_role_is_limited_by_session_policy(w):
    """Naming the role ARN: the session policy limits it.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "Resource-based policies that grant permissions to an IAM role ARN are limited by an
    implicit deny in a permissions boundary or session policy."
    """
    sp = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), "session policy", "session")
    caller = w.session(session_policies=(sp,))
    key = w.key(w.stmt(caller.role_arn))
    assert w.ask(caller, "kms:Encrypt", key).allowed
    decision = w.ask(caller, "kms:Decrypt", key)
    assert not decision.allowed
    assert decision.message.endswith("because no session policy allows the kms:Decrypt action")


def test_key_policy_naming_session_is_not_limited_by_session_policy_or_boundary(w):
    """Naming the session ARN grants the session directly.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "resource-based policies that grant permissions to an IAM role session ARN grant
    permissions directly to the assumed role session. Permissions granted directly to a
    session are not limited by an implicit deny in an identity-based policy, a
    permissions boundary, or session policy."
    """
    sp = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), "session policy", "session")
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "B", "boundary")
    caller = w.session(session_policies=(sp,), boundary=boundary)
    assert w.ask(caller, "kms:Decrypt", w.key(w.stmt(caller.arn))).allowed


def test_key_policy_naming_user_is_not_limited_by_boundary(w):
    """Naming an IAM user ARN is not limited by the user's permissions boundary.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    "Within the same account, resource-based policies that grant permissions to an IAM
    user ARN (that is not a federated user session) are not limited by an implicit deny
    in an identity-based policy or permissions boundary."
    """
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "S3Boundary", "boundary")
    caller = w.user(boundary=boundary)
    assert w.ask(caller, key=w.key(w.stmt(caller.arn))).allowed


def test_key_policy_naming_role_is_limited_by_boundary(w):
    """Naming the role ARN: the role's permissions boundary limits it.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    "IAM role – Resource-based policies that grant permissions to an IAM role ARN are
    limited by an implicit deny in a permissions boundary or session policy."
    """
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "S3Boundary", "boundary")
    caller = w.session(boundary=boundary)
    decision = w.ask(caller, key=w.key(w.stmt(caller.role_arn)))
    assert not decision.allowed
    assert decision.message.endswith("because no permissions boundary allows the kms:Decrypt action")
    kms_boundary = w.policy(w.doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}), "KmsB", "boundary")
    assert w.ask(w.session(boundary=kms_boundary), key=w.key(w.stmt(caller.role_arn))).allowed


@pytest.mark.parametrize("caller_kind", ["user", "session"])
def test_delegated_access_limited_by_boundary(w, caller_kind):
    """Through the account principal, identity policy AND boundary must allow.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "When you set a permissions boundary for an entity, the entity can perform only the
    actions that are allowed by both its identity-based policies and its permissions boundaries."
    """
    key = w.key(w.ROOT_STATEMENT)
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}), "B", "boundary")
    make = w.user if caller_kind == "user" else w.session
    caller = make(policies=(w.admin(),), boundary=boundary)
    assert w.ask(caller, "kms:Encrypt", key).allowed
    decision = w.ask(caller, "kms:Decrypt", key)
    assert not decision.allowed
    assert decision.message.endswith("because no permissions boundary allows the kms:Decrypt action")
    # A boundary alone grants nothing.
    assert not w.ask(make(boundary=boundary), "kms:Encrypt", key).allowed


def _scp(w, *statements):
    return w.policy(w.doc(*statements), "scp", "scp")


def test_scp_limits_delegated_access(w):
    """An SCP must allow too: identity policy AND SCP.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "If an SCP is present, identity-based and resource-based policies grant permissions to
    principals in member accounts only if those policies and the SCP allow the action."
    """
    key = w.key(w.ROOT_STATEMENT)
    caller = w.user(policies=(w.admin(),))
    only_encrypt = (_scp(w, {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}),)
    assert w.ask(caller, "kms:Encrypt", key, scps=only_encrypt).allowed
    decision = w.ask(caller, "kms:Decrypt", key, scps=only_encrypt)
    assert not decision.allowed
    assert decision.message.endswith("because no service control policy allows the kms:Decrypt action")


def test_scp_limits_key_policy_naming_user_and_root(w):
    """SCPs limit even a key policy that names the caller, and the member account's root user.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "The SCP maximum applies to principals in member accounts, including each AWS account root user."
    """
    caller = w.user()
    key = w.key(w.ROOT_STATEMENT, w.stmt(caller.arn))
    s3_only = (_scp(w, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),)
    assert not w.ask(caller, key=key, scps=s3_only).allowed
    assert not w.ask(w.root(), key=key, scps=s3_only).allowed
    full = (_scp(w, {"Effect": "Allow", "Action": "*", "Resource": "*"}),)
    assert w.ask(w.root(), key=key, scps=full).allowed


def test_scp_never_grants(w):
    """An SCP Allow grants nothing by itself.

    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    full = (_scp(w, {"Effect": "Allow", "Action": "*", "Resource": "*"}),)
    assert not w.ask(w.user(), key=w.key(w.ROOT_STATEMENT), scps=full).allowed


def test_scps_none_means_no_scp_and_empty_means_none_allow(w):
    """No SCP applies (None) vs SCPs that allow nothing (an empty tuple).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "If there is no SCP, or if the SCP allows the requested action, the enforcement code
    evaluation continues."
    """
    key = w.key(w.ROOT_STATEMENT)
    assert w.ask(w.root(), key=key, scps=None).allowed
    assert not w.ask(w.root(), key=key, scps=()).allowed


def test_scp_with_several_policies_each_level_allows(w):
    """Several SCP statements: any Allow that matches is enough; a Deny in one wins.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    key = w.key(w.ROOT_STATEMENT)
    scps = (_scp(w, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}),
            _scp(w, {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}))
    assert w.ask(w.root(), "kms:Decrypt", key, scps=scps).allowed
    assert w.ask(w.root(), "kms:Encrypt", key, scps=scps).allowed
    with_deny = scps + (_scp(w, {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"}),)
    decision = w.ask(w.root(), "kms:Encrypt", key, scps=with_deny)
    assert decision.message.endswith("with an explicit deny in a service control policy")


def test_star_principal_is_not_limited_by_session_policy_or_boundary(w):
    """Principal "*" (with aws:PrincipalArn) grants directly, not through the role.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
    "Identity-based policy types, such as permissions boundaries or session policies, do
    not limit permissions granted using the aws:PrincipalArn condition key with a
    wildcard(*) in the Principal element, unless the identity-based policies contain an
    explicit deny."
    """
    sp = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "session policy", "session")
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "B", "boundary")
    caller = w.session("app", session_policies=(sp,), boundary=boundary)
    key = w.key(w.stmt("*", "kms:Decrypt",
                       Condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{w.ACCOUNT}:role/app"}}))
    assert w.ask(caller, key=key).allowed
    denying = w.session("app", policies=(w.deny("kms:Decrypt"),), session_policies=(sp,))
    assert not w.ask(denying, key=key).allowed
