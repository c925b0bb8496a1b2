"""Which operations of botocore's KMS service model the lab can request, and the new ones answering as AWS.

The gap is visible and can only shrink: an operation the lab cannot make must be on NOT_YET, and an operation
on NOT_YET that the lab can make fails the test until it is taken off.
IAM actions of each operation: https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
"""

from __future__ import annotations

import botocore.session
import pytest

from kmslab.lab.calls import PLANS

from .conftest import user_arn

# Operations the lab cannot make yet (issue 13). Shrink it; never grow it.
NOT_YET = frozenset({
    "ReplicateKey", "UpdatePrimaryRegion", "GetKeyLastUsage",
})
NOT_YET_CEILING = 3  # the size of NOT_YET now: it may only go down


def _actions(operation: str) -> tuple[str, ...]:
    """The IAM actions that authorize an API operation (ReEncrypt is ReEncryptFrom + ReEncryptTo)."""
    return ("kms:ReEncryptFrom", "kms:ReEncryptTo") if operation == "ReEncrypt" else (f"kms:{operation}",)


def test_every_operation_of_the_kms_model_can_be_requested_or_is_listed_not_yet():
    """Every operation of botocore's KMS model: a plan for each of its IAM actions, or on NOT_YET."""
    operations = botocore.session.get_session().get_service_model("kms").operation_names
    cannot = {op for op in operations if not all(a in PLANS for a in _actions(op))}
    assert not cannot - NOT_YET, f"the lab cannot make these, and they are not on NOT_YET: {sorted(cannot - NOT_YET)}"
    assert not NOT_YET - cannot, f"the lab can make these now: take them off NOT_YET: {sorted(NOT_YET - cannot)}"
    assert len(NOT_YET) <= NOT_YET_CEILING
    assert len(operations) - len(cannot) >= 53  # 26 when issue 13 was filed


ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}


@pytest.fixture
def keys(lab):
    """A symmetric, a signing (ECC_NIST_P256) and an HMAC (HMAC_256) key; admin may do anything, alice nothing."""
    lab.create_user("admin")
    lab.create_user("alice")
    policy = {"Version": "2012-10-17", "Statement": [ADMIN]}
    lab.create_key("sym", policy=policy, created_by="admin")
    lab.create_key("signing", policy=policy, created_by="admin", key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY")
    lab.create_key("hmac", policy=policy, created_by="admin", key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC")
    return lab


@pytest.mark.parametrize(("action", "key", "admin_gets"), [
    # API_Sign / API_Verify / API_GetPublicKey: a SIGN_VERIFY key.
    ("kms:Sign", "signing", "allowed"),
    ("kms:Verify", "signing", "allowed"),
    ("kms:GetPublicKey", "signing", "allowed"),
    ("kms:Sign", "sym", "InvalidKeyUsageException"),
    # API_GenerateMac / API_VerifyMac: a GENERATE_VERIFY_MAC key.
    ("kms:GenerateMac", "hmac", "allowed"),
    ("kms:VerifyMac", "hmac", "allowed"),
    ("kms:GenerateMac", "signing", "InvalidKeyUsageException"),
    ("kms:Encrypt", "hmac", "InvalidKeyUsageException"),
    # Key state table [4]: CancelKeyDeletion of a key that is not pending deletion.
    ("kms:CancelKeyDeletion", "sym", "KMSInvalidStateException"),
    ("kms:UpdateAlias", "sym", "allowed"),
    ("kms:DeleteAlias", "sym", "allowed"),
    ("kms:UntagResource", "sym", "allowed"),
    ("kms:RotateKeyOnDemand", "sym", "allowed"),
    ("kms:ListKeyRotations", "sym", "allowed"),
])
def test_new_operations_answer_as_aws(keys, action, key, admin_gets):
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html (and each operation's page, Errors);
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table"""
    before = keys.admin("kms").list_keys()["Keys"], keys.key_policy(key)
    outcome = keys.request("admin", action, key)
    assert (outcome.error or outcome.decision) == admin_gets, outcome.reason
    assert keys.request("alice", action, key).decision == "denied"  # no statement allows alice
    assert (keys.admin("kms").list_keys()["Keys"], keys.key_policy(key)) == before  # the probe left no trace


def test_retire_grant_and_list_retirable_grants(keys):
    """RetireGrant by the grant's retiring principal needs no permission; ListRetirableGrants is authorized by an
    IAM policy (https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html,
    https://docs.aws.amazon.com/kms/latest/APIReference/API_ListRetirableGrants.html)."""
    assert keys.request("alice", "kms:RetireGrant", "sym").decision == "allowed"
    assert keys.grants("sym") == []
    assert keys.request("alice", "kms:ListRetirableGrants").decision == "denied"


def test_verify_probes_carry_a_real_signature_and_mac(keys):
    """The Verify and VerifyMac cells check a signature/MAC the key made (else AWS would answer
    KMSInvalidSignatureException / KMSInvalidMacException: API_Verify, API_VerifyMac Errors).
    https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html"""
    from kmslab.lab import calls
    from kmslab.lab.moto_adapter import key_store

    kms = keys.client("kms", as_="admin")
    store = key_store(keys.account, keys.region)
    sig = calls.PLANS["kms:Verify"](calls.CallInput(store, keys.key_id("signing"), keys.key_arn("signing")))
    assert kms.verify(**sig.params)["SignatureValid"] is True
    mac = calls.PLANS["kms:VerifyMac"](calls.CallInput(store, keys.key_id("hmac"), keys.key_arn("hmac")))
    assert kms.verify_mac(**mac.params)["MacValid"] is True
