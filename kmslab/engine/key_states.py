"""AWS's key state table as data: how a KMS key's state answers each API operation.

"Key states of AWS KMS keys", Key state table (KMS Developer Guide):
https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table
Transcribed from the guide's Markdown source (awsdocs/aws-kms-developer-guide, doc_source/key-state.md,
June 2023). Each row lists the cells for the columns of `COLUMNS`; a cell is "OK" (the operation
succeeds), "N/A", "X" + footnotes (it fails) or "?" + footnotes (it succeeds only under conditions).
The footnotes are AWS's own, numbered as on the page (`FOOTNOTES`). Rows marked in `INFERRED` are
operations the 2023 table has no row for; they take the row of their closest documented sibling
(docs/aws-references.md, "Key states", says which and why). The state check runs after
authorization (evaluate.py); AWS does not document that order (docs/aws-references.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Key

# The table's columns; PendingReplicaDeletion shares the PendingDeletion column ("Pending deletion /
# Pending replica deletion").
COLUMNS: tuple[str, ...] = ("Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable",
                            "Creating", "Updating")
_COLUMN_OF = {**{c: i for i, c in enumerate(COLUMNS)}, "PendingReplicaDeletion": 2}

# [n] -> (error code, message template) where the footnote gives both; {arn} is the key ARN.
FOOTNOTE_ERRORS: Mapping[int, tuple[str, str]] = {
    1: ("DisabledException", "{arn} is disabled."),
    2: ("DisabledException", "{arn} is pending deletion."),
    3: ("KMSInvalidStateException", "{arn} is pending deletion."),
    4: ("KMSInvalidStateException", "{arn} is not pending deletion."),
    5: ("KMSInvalidStateException", "{arn} is pending import."),
    6: ("UnsupportedOperationException", "{arn} origin is EXTERNAL which is not valid for this operation."),
    11: ("KMSInvalidStateException", "{arn} is unavailable."),
    14: ("KMSInvalidStateException", "{arn} is creating."),
    15: ("KMSInvalidStateException", "{arn} is updating."),
}
# The footnotes as the page words them (the conditional ones are decided in `refusal`).
FOOTNOTES: Mapping[int, str] = {
    1: "DisabledException: <key ARN> is disabled.",
    2: "DisabledException: <key ARN> is pending deletion (or pending replica deletion).",
    3: "KMSInvalidStateException: <key ARN> is pending deletion (or pending replica deletion).",
    4: "KMSInvalidStateException: <key ARN> is not pending deletion (or pending replica deletion).",
    5: "KMSInvalidStateException: <key ARN> is pending import.",
    6: "UnsupportedOperationException: <key ARN> origin is EXTERNAL which is not valid for this operation.",
    7: "If the KMS key has imported key material or is in a custom key store: UnsupportedOperationException.",
    8: "If the KMS key has imported key material: KMSInvalidStateException",
    9: "If the KMS key cannot or does not have imported key material: UnsupportedOperationException.",
    10: "If the source KMS key is pending deletion, the command succeeds. If the destination KMS key is pending "
        "deletion, the command fails with error: KMSInvalidStateException : <key ARN> is pending deletion.",
    11: "KMSInvalidStateException: <key ARN> is unavailable. You cannot perform this operation on an "
        "unavailable KMS key.",
    12: "The operation succeeds, but the key state of the KMS key does not change until it becomes available.",
    13: "While a KMS key in a custom key store is pending deletion, its key state remains PendingDeletion even "
        "if the KMS key becomes unavailable.",
    14: "KMSInvalidStateException: <key ARN> is creating.",
    15: "KMSInvalidStateException: <key ARN> is updating.",
}

_CRYPTO = ("OK", "X1", "X2|3", "X5", "X11", "X14", "OK")  # Encrypt, Decrypt, GenerateDataKey*, ReEncrypt
_ASYMMETRIC = ("OK", "X1", "X2|3", "N/A", "N/A", "X14", "OK")  # Sign, Verify, GetPublicKey, *Mac
_READ = ("OK",) * 7  # DescribeKey, GetKeyPolicy, List*
_MANAGE = ("OK", "OK", "X3", "OK", "OK", "OK", "OK")  # TagResource, UpdateKeyDescription, ...
_ROTATION = ("?7", "X1|7", "X3|7", "X6", "X7", "X14", "?7")

TABLE: Mapping[str, tuple[str, ...]] = {
    "CancelKeyDeletion": ("X4", "X4", "OK", "X4", "X4", "X4", "X4"),
    "CreateAlias": _MANAGE,
    "CreateGrant": ("OK", "X1", "X2|3", "X5", "OK", "X14", "OK"),
    "Decrypt": _CRYPTO,
    "DeleteAlias": _READ,
    "DeleteImportedKeyMaterial": ("OK9", "OK9", "OK9", "OK", "N/A", "X14", "X15"),
    "DescribeKey": _READ,
    "DisableKey": ("OK", "OK", "X3", "X5", "OK", "X14", "X15"),
    "DisableKeyRotation": _ROTATION,
    "EnableKey": ("OK", "OK", "X3", "X5", "OK", "X14", "X15"),
    "EnableKeyRotation": _ROTATION,
    "Encrypt": _CRYPTO,
    "GenerateDataKey": _CRYPTO,
    "GenerateDataKeyPair": _CRYPTO,
    "GenerateDataKeyPairWithoutPlaintext": _CRYPTO,
    "GenerateDataKeyWithoutPlaintext": _CRYPTO,
    "GenerateMac": _ASYMMETRIC,
    "GetKeyPolicy": _READ,
    "GetKeyRotationStatus": ("?7", "?7", "?7", "X6", "X7", "?7", "?7"),
    "GetParametersForImport": ("?9", "?9", "X8|9", "OK", "X9", "X14", "X15"),
    "GetPublicKey": _ASYMMETRIC,
    "ImportKeyMaterial": ("?9", "?9", "X8|9", "OK", "X9", "X14", "OK"),
    "ListAliases": _READ,
    "ListGrants": _READ,
    "ListKeyPolicies": _READ,
    "ListResourceTags": _READ,
    "PutKeyPolicy": _READ,
    "ReEncrypt": _CRYPTO,
    "ReplicateKey": ("OK", "X1", "X2|3", "X5", "N/A", "X14", "X15"),
    "RetireGrant": _READ,
    "RevokeGrant": _READ,
    "ScheduleKeyDeletion": ("OK", "OK", "X3", "OK", "OK", "OK", "X15"),
    "Sign": _ASYMMETRIC,
    "TagResource": _MANAGE,
    "UntagResource": _MANAGE,
    "UpdateAlias": ("OK", "OK", "?10", "OK", "OK", "OK", "OK"),
    "UpdateKeyDescription": _MANAGE,
    "UpdatePrimaryRegion": ("OK", "X1", "X2|3", "X5", "N/A", "X14", "OK"),
    "Verify": _ASYMMETRIC,
    "VerifyMac": _ASYMMETRIC,
    # Not in the 2023 table (newer operations): the row of their closest documented sibling.
    "DeriveSharedSecret": _ASYMMETRIC,  # a cryptographic operation with an asymmetric key, like Sign
    "Encapsulate": _ASYMMETRIC,  # ML-KEM key encapsulation: the same
    "Decapsulate": _ASYMMETRIC,
    "RotateKeyOnDemand": _ROTATION,  # rotation of the key material, like EnableKeyRotation
    "ListKeyRotations": ("?7", "?7", "?7", "X6", "X7", "?7", "?7"),  # like GetKeyRotationStatus
    "GetKeyLastUsage": _READ,  # a read of the key's metadata, like DescribeKey
}
INFERRED: frozenset[str] = frozenset({"DeriveSharedSecret", "Encapsulate", "Decapsulate", "RotateKeyOnDemand",
                                      "ListKeyRotations", "GetKeyLastUsage"})

# IAM actions whose API operation has another name (ReEncrypt is authorized as two actions).
_OPERATION_OF_ACTION = {"ReEncryptFrom": "ReEncrypt", "ReEncryptTo": "ReEncrypt"}
# Keys whose material was imported, or that live in a custom key store (footnotes [7], [8], [9]).
_IMPORTED = frozenset({"EXTERNAL"})
_CUSTOM_KEY_STORE = frozenset({"AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"})


def cell(operation: str, state: str) -> str | None:
    """The table's cell for an operation (API name or IAM action name) and a key state; None when the
    operation has no row (it does not use an existing key) or the state is not a column."""
    row = TABLE.get(_OPERATION_OF_ACTION.get(operation, operation))
    column = _COLUMN_OF.get(state)
    return None if row is None or column is None else row[column]


def _error(note: int, key: Key) -> tuple[str, str]:
    code, template = FOOTNOTE_ERRORS.get(note) or (
        # [7] and [9] name the error, not its message: KMS's wording for [6] with the key's origin.
        "UnsupportedOperationException", "{arn} origin is {origin} which is not valid for this operation.")
    return code, template.format(arn=key.arn, origin=key.origin)


def refusal(operation: str, key: Key, role: str | None = None) -> tuple[str, str, int] | None:
    """(error code, message, footnote) if the key's state refuses the operation, else None.

    "?n" and "X a|b" cells are decided by their footnotes: [7] a key with imported material or in a
    custom key store; [8]/[9] whether the key has imported material; [2]|[3] (crypto on a key pending
    deletion) is [3], KMSInvalidStateException (docs/aws-references.md: the page gives both); [10]
    (UpdateAlias) refuses a destination key pending deletion, not the source (`role` "source": the alias's current
    key; UpdateAlias authorizes both).
    """
    found = cell(operation, key.state)
    if found is None or found in ("OK", "N/A"):
        return None
    imported, custom = key.origin in _IMPORTED, key.origin in _CUSTOM_KEY_STORE
    rest = found[2:] if found.startswith("OK") else found[1:]
    notes = [int(n) for n in rest.split("|")] if rest else []
    if found.startswith("OK"):  # "OK9": succeeds, unless the key cannot have imported material
        return (*_error(9, key), 9) if 9 in notes and not imported else None
    if found.startswith("?"):
        note = notes[0]
        if note == 7 and (imported or custom):
            return (*_error(7, key), 7)
        if note == 9 and not imported:
            return (*_error(9, key), 9)
        if note == 10:
            return None if role == "source" else (*_error(3, key), 10)
        return None
    # "X": fails; with alternatives, the footnote whose condition holds.
    if notes == [8, 9]:
        return (*_error(3, key), 8) if imported else (*_error(9, key), 9)
    if len(notes) == 2 and notes[1] == 7 and (imported or custom):
        return (*_error(7, key), 7)
    note = 3 if notes == [2, 3] else notes[0]
    return (*_error(note, key), note)
