"""AWS's key state table, as data, decides what an authorized caller gets from a key's state.

https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table
"""

from __future__ import annotations

import pytest

from kmslab.engine import key_states
from kmslab.engine.catalog import operation_takes_key
from kmslab.engine.key_states import COLUMNS, TABLE, cell, refusal

ROOT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}


def test_every_operation_that_uses_a_key_has_a_row():
    """"This table includes only the API operations that use an existing KMS key" — so every operation of
    botocore's KMS model that names a key has a row, and every row is such an operation.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"""
    import botocore.session

    model = botocore.session.get_session().get_service_model("kms")
    keyed = {op for op in model.operation_names if "KeyId" in (model.operation_model(op).input_shape.members
                                                                if model.operation_model(op).input_shape else {})}
    keyed |= {"CreateAlias", "UpdateAlias", "DeleteAlias", "ListAliases", "RetireGrant", "ReEncrypt",
              "TagResource", "UntagResource", "ListResourceTags"}
    missing = {op for op in keyed if op not in TABLE and operation_takes_key(op)}
    assert not missing, f"no key state row for {sorted(missing)}"
    assert all(len(row) == len(COLUMNS) for row in TABLE.values())
    assert set(TABLE) >= key_states.INFERRED


@pytest.mark.parametrize(("operation", "state", "error", "message"), [
    # [1] "DisabledException: <key ARN> is disabled."
    ("kms:Decrypt", "Disabled", "DisabledException", "{arn} is disabled."),
    ("kms:Sign", "Disabled", "DisabledException", "{arn} is disabled."),
    ("kms:EnableKeyRotation", "Disabled", "DisabledException", "{arn} is disabled."),
    # [3] "KMSInvalidStateException: <key ARN> is pending deletion"
    ("kms:Encrypt", "PendingDeletion", "KMSInvalidStateException", "{arn} is pending deletion."),
    ("kms:TagResource", "PendingDeletion", "KMSInvalidStateException", "{arn} is pending deletion."),
    ("kms:ScheduleKeyDeletion", "PendingDeletion", "KMSInvalidStateException", "{arn} is pending deletion."),
    ("kms:ReEncryptTo", "PendingReplicaDeletion", "KMSInvalidStateException", "{arn} is pending deletion."),
    # [4] "KMSInvalidStateException: <key ARN> is not pending deletion"
    ("kms:CancelKeyDeletion", "Enabled", "KMSInvalidStateException", "{arn} is not pending deletion."),
    # [5], [11], [14], [15]
    ("kms:GenerateDataKey", "PendingImport", "KMSInvalidStateException", "{arn} is pending import."),
    ("kms:Decrypt", "Unavailable", "KMSInvalidStateException", "{arn} is unavailable."),
    ("kms:DescribeKey", "Creating", None, None),
    ("kms:Encrypt", "Creating", "KMSInvalidStateException", "{arn} is creating."),
    ("kms:ScheduleKeyDeletion", "Updating", "KMSInvalidStateException", "{arn} is updating."),
    # succeeds
    ("kms:CancelKeyDeletion", "PendingDeletion", None, None),
    ("kms:DescribeKey", "PendingDeletion", None, None),
    ("kms:RetireGrant", "PendingDeletion", None, None),
    ("kms:DeleteAlias", "PendingDeletion", None, None),
    ("kms:TagResource", "Disabled", None, None),
    ("kms:ScheduleKeyDeletion", "Disabled", None, None),
])
def test_an_authorized_caller_gets_the_tables_answer(w, operation, state, error, message):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table (footnotes)"""
    key = w.key(ROOT, state=state)
    decision = w.ask(w.root(), operation, key)
    if error is None:
        assert decision.allowed, decision.reason
    else:
        assert not decision.allowed
        assert (decision.error, decision.message) == (error, message.format(arn=key.arn))
        assert decision.deciding == "key-state"


def test_an_unauthorized_caller_is_denied_before_the_state_is_told(w):
    """AccessDeniedException, not the key's state, for a caller the policies do not allow (kmslab checks the
    state after authorization: docs/aws-references.md says AWS does not document the order).
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"""
    key = w.key(ROOT, state="Disabled")
    assert w.ask(w.user("nobody", account="444455556666"), "kms:Decrypt", key).error == "AccessDeniedException"


def test_footnotes_that_depend_on_the_keys_origin(w):
    """[6] "UnsupportedOperationException: <key ARN> origin is EXTERNAL which is not valid for this operation",
    [7] imported material or a custom key store: UnsupportedOperationException, [9] a key that cannot have
    imported material: UnsupportedOperationException.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table"""
    external = w.key(ROOT, origin="EXTERNAL")
    assert refusal("EnableKeyRotation", external)[:2] == (
        "UnsupportedOperationException", f"{external.arn} origin is EXTERNAL which is not valid for this operation.")
    assert refusal("EnableKeyRotation", w.key(ROOT)) is None
    assert refusal("DeleteImportedKeyMaterial", external) is None
    assert refusal("DeleteImportedKeyMaterial", w.key(ROOT))[0] == "UnsupportedOperationException"
    assert refusal("GetKeyRotationStatus", w.key(ROOT, state="PendingImport", origin="EXTERNAL"))[2] == 6
    assert refusal("ImportKeyMaterial", w.key(ROOT, state="PendingDeletion", origin="EXTERNAL"))[0] == (
        "KMSInvalidStateException")  # [8]


def test_cells_are_read_by_api_operation_and_iam_action():
    """ReEncrypt's row answers kms:ReEncryptFrom and kms:ReEncryptTo (the API operation's two IAM actions).
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table"""
    assert cell("ReEncryptFrom", "Disabled") == cell("ReEncrypt", "Disabled") == "X1"
    assert cell("CreateKey", "Enabled") is None  # no row: it does not use an existing key


@pytest.mark.parametrize(("operation", "spec", "usage", "refused"), [
    ("kms:Sign", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", True),
    ("kms:Sign", "ECC_NIST_P256", "SIGN_VERIFY", False),
    ("kms:Verify", "RSA_2048", "ENCRYPT_DECRYPT", True),
    ("kms:GenerateMac", "HMAC_256", "GENERATE_VERIFY_MAC", False),
    ("kms:GenerateMac", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", True),
    ("kms:Encrypt", "HMAC_256", "GENERATE_VERIFY_MAC", True),
    ("kms:Encrypt", "RSA_2048", "ENCRYPT_DECRYPT", False),
    ("kms:GenerateDataKey", "RSA_2048", "ENCRYPT_DECRYPT", True),
    ("kms:DescribeKey", "HMAC_256", "GENERATE_VERIFY_MAC", False),
])
def test_an_authorized_caller_gets_invalid_key_usage(w, operation, spec, usage, refused):
    """"InvalidKeyUsageException: ... The KeyUsage value of the KMS key is incompatible with the API operation"
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html#API_Sign_Errors; the usage each
    operation takes: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-usage.html)."""
    decision = w.ask(w.root(), operation, w.key(ROOT, key_spec=spec, key_usage=usage))
    assert decision.allowed is not refused
    if refused:
        assert decision.error == "InvalidKeyUsageException"
    assert w.ask(w.user("nobody", account="444455556666"), operation,
                 w.key(ROOT, key_spec=spec, key_usage=usage)).error == "AccessDeniedException"
