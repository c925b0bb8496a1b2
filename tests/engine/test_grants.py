"""Grants: allow-only permissions for a grantee on one key, with encryption context constraints.

https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html
"""

from __future__ import annotations

import pytest

from kmslab.engine import Grant


def _grant(grantee, *ops, **kw):
    return Grant(grant_id=kw.pop("grant_id", "g1"), grantee_principal=grantee, operations=frozenset(ops), **kw)


def _key_with(w, *grants, statements=None):
    """A key whose policy names nobody the tests use, so only grants can allow."""
    stmts = statements or [w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/key-admin")]
    return w.key(*stmts, grants=grants)


def test_grantee_may_perform_granted_operations_without_policy_permission(w):
    """A grant alone allows the grantee its operations.

    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    "The grantee principal can use the permissions that the grant gives them without
    specifying the grant, just as they would if the permissions came from a key policy or
    IAM policy."
    """
    bob = w.user("bob")
    key = _key_with(w, _grant(bob.arn, "Decrypt", "GenerateDataKey"))
    decision = w.ask(bob, "kms:Decrypt", key)
    assert decision.allowed
    assert decision.statements[0].kind == "grant"
    assert w.ask(bob, "kms:GenerateDataKey", key).allowed
    assert not w.ask(bob, "kms:Encrypt", key).allowed
    assert not w.ask(w.user("carol"), "kms:Decrypt", key).allowed


def test_grant_for_role_covers_its_sessions(w):
    """A grant to a role applies to the role's sessions.

    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grantee-principal
    "The grantee principal can be any AWS principal, including ... an IAM role ... or an
    assumed role user."
    """
    session = w.session("app")
    assert w.ask(session, key=_key_with(w, _grant(session.role_arn, "Decrypt"))).allowed
    assert w.ask(session, key=_key_with(w, _grant(session.arn, "Decrypt"))).allowed
    other = w.session("app", session="other")
    assert not w.ask(other, key=_key_with(w, _grant(session.arn, "Decrypt"))).allowed


def test_reencrypt_uses_reencryptfrom_and_reencryptto_grant_operations(w):
    """ReEncrypt is authorized as ReEncryptFrom and ReEncryptTo, in grants too.

    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations
    https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html
    """
    bob = w.user("bob")
    key = _key_with(w, _grant(bob.arn, "ReEncryptFrom"))
    assert w.ask(bob, "kms:ReEncryptFrom", key).allowed
    assert not w.ask(bob, "kms:ReEncryptTo", key).allowed


def test_explicit_deny_beats_a_grant(w):
    """Grants allow only; an explicit Deny in a policy still wins.

    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    "A grant can allow access to a KMS key, but not deny access."
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-algorithm
    "The Deny in this key policy statement ... takes precedence over all grants for this
    KMS key and its principals."
    """
    bob = w.user("bob", policies=(w.deny("kms:Decrypt"),))
    decision = w.ask(bob, key=_key_with(w, _grant(bob.arn, "Decrypt")))
    assert not decision.allowed
    assert decision.message.endswith("with an explicit deny in an identity-based policy")
    carol = w.user("carol")
    key = _key_with(w, _grant(carol.arn, "Decrypt"), statements=[
        w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/key-admin"), w.stmt("*", "kms:Decrypt", effect="Deny")])
    assert not w.ask(carol, key=key).allowed


def test_scp_limits_grants(w):
    """SCPs limit what a member account's principals can do, grants included.

    https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html
    ("Other types of policies that might apply ... such as AWS Organizations service
    control policies ... you can use them to restrict permissions otherwise given to principals.")
    """
    bob = w.user("bob")
    s3_only = (w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "S3", "scp"),)
    assert not w.ask(bob, key=_key_with(w, _grant(bob.arn, "Decrypt")), scps=s3_only).allowed


@pytest.mark.parametrize(
    ("constraint", "request_context", "allowed"),
    [
        ({"encryption_context_equals": {"Department": "IT"}}, {"Department": "IT"}, True),
        ({"encryption_context_equals": {"Department": "IT"}}, {"Department": "IT", "Purpose": "Test"}, False),
        ({"encryption_context_equals": {"Department": "IT"}}, {}, False),
        ({"encryption_context_equals": {"Department": "IT"}}, {"Department": "it"}, False),
        ({"encryption_context_subset": {"Department": "IT"}}, {"Department": "IT"}, True),
        ({"encryption_context_subset": {"Department": "IT"}}, {"Department": "IT", "Purpose": "Test"}, True),
        ({"encryption_context_subset": {"Department": "IT"}}, {"Purpose": "Test"}, False),
        ({"encryption_context_subset": {"Department": "IT"}}, {"Department": "HR"}, False),
        ({"encryption_context_subset": {"Department": "IT"}}, {"department": "IT"}, True),
    ],
)
def test_encryption_context_constraints(w, constraint, request_context, allowed):
    """EncryptionContextEquals is exact; EncryptionContextSubset allows extra pairs.

    https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html
    "EncryptionContextEquals requires that the encryption context pairs in the request are
    an exact ... match"; "EncryptionContextSubset requires that the request include all
    encryption context pairs in the grant constraint ... but the request can also have
    additional encryption context pairs."
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
    "in a grant constraint, the key in each key-value pair is not case sensitive, but the
    value is case sensitive."
    """
    bob = w.user("bob")
    key = _key_with(w, _grant(bob.arn, "Decrypt", **constraint))
    assert w.ask(bob, key=key, encryption_context=request_context).allowed is allowed


def test_constraints_not_applied_to_operations_without_encryption_context(w):
    """DescribeKey has no encryption context, so the constraint does not block it.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
    "Encryption context grant constraints are not applied to operations that do not
    support an encryption context, such as cryptographic operations with asymmetric KMS
    keys and management operations, such as DescribeKey or RetireGrant."
    """
    bob = w.user("bob")
    grant = _grant(bob.arn, "Decrypt", "DescribeKey", "Sign", encryption_context_subset={"app": "x"})
    key = _key_with(w, grant)
    assert w.ask(bob, "kms:DescribeKey", key).allowed
    assert not w.ask(bob, "kms:Decrypt", key).allowed
    assert w.ask(bob, "kms:Decrypt", key, encryption_context={"app": "x"}).allowed
    rsa = w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/key-admin"), grants=(grant,), key_spec="RSA_2048",
                key_usage="SIGN_VERIFY")
    assert w.ask(bob, "kms:Sign", rsa).allowed


def test_cross_account_grant_needs_no_key_policy(w):
    """A grant can give a principal in another account access.

    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    "The grantee principal can be in the same account as the KMS key or a different account."
    https://docs.aws.amazon.com/kms/latest/developerguide/policy-evaluation.html
    "you can also feel confident about using KMS keys in a different AWS account if a
    grant or IAM policy in your account allows you to use the KMS key."
    """
    bob = w.user("bob", w.OTHER)
    assert w.ask(bob, key=_key_with(w, _grant(bob.arn, "Decrypt"))).allowed


def test_account_grantee_delegates_to_that_accounts_iam(w):
    """A grant to an account: its root user directly, its other identities through IAM.

    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grantee-principal
    "Each grant has one grantee principal, but the grantee principal can represent
    multiple identities. The grantee principal can be any AWS principal, including an AWS
    account (root)".
    """
    key = _key_with(w, _grant(f"arn:aws:iam::{w.OTHER}:root", "Encrypt"))
    assert w.ask(w.root(w.OTHER), "kms:Encrypt", key).allowed
    with_iam = w.ask(w.user("bob", w.OTHER, policies=(w.allow("kms:Encrypt"),)), "kms:Encrypt", key)
    assert with_iam.allowed
    without = w.ask(w.user("bob", w.OTHER), "kms:Encrypt", key)
    assert not without.allowed
    assert without.message.endswith("because no identity-based policy allows the kms:Encrypt action")


def test_grant_still_allows_when_boundary_limits_role_statement(w):
    """A grant is its own permission: a key policy statement for the role failing the
    boundary does not hide it.

    https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html
    "You can use grants in combination with the key policy and IAM policies to allow access"
    """
    boundary = w.policy(w.doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "B", "boundary")
    session = w.session(boundary=boundary)
    key = w.key(w.stmt(session.role_arn), grants=(_grant(session.arn, "Decrypt"),))
    assert w.ask(session, key=key).allowed
    assert not w.ask(session, "kms:Encrypt", key).allowed
