"""KMS grants: whom a grant covers and whether its constraints hold for a request.

https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from .model import Caller, Grant
from .statements import is_account

# Grant operations that take an encryption context: "Encryption context grant
# constraints are not applied to operations that do not support an encryption
# context, such as cryptographic operations with asymmetric KMS keys and management
# operations, such as DescribeKey or RetireGrant."
# https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
CONTEXT_OPERATIONS = frozenset({
    "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
})


def grantee_match(grant: Grant, caller: Caller) -> Literal["direct", "account"] | None:
    """How a grant's grantee principal covers the caller.

    "The grantee principal can be any AWS principal, including an AWS account (root),
    an IAM user, an IAM role, a federated role or user, or an assumed role user."
    A role grantee covers the role's sessions. An account grantee covers the root user
    directly and the account's other identities through their IAM policies, as the
    account principal of a key policy does ("the grantee principal can represent
    multiple identities").
    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grantee-principal
    """
    grantee = grant.grantee_principal
    if grantee == caller.arn or (caller.role_arn is not None and grantee == caller.role_arn):
        return "direct"
    if is_account(grantee, caller.account):
        return "direct" if caller.is_root else "account"
    return None


def constraints_hold(grant: Grant, operation: str, enc: Mapping[str, str] | None, key_spec: str) -> bool:
    """A grant's encryption context constraints, for the operations they apply to.

    "EncryptionContextSubset ... The grant allows the cryptographic operation only when
    the encryption context in the request includes the key-value pairs specified in this
    constraint"; "EncryptionContextEquals ... only when the encryption context in the
    request is the same"; "in a grant constraint, the key in each key-value pair is not
    case sensitive, but the value is case sensitive."
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html
    https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html
    """
    if operation not in CONTEXT_OPERATIONS or key_spec != "SYMMETRIC_DEFAULT":
        return True  # constraints are not applied where there is no encryption context
    context = {k.lower(): v for k, v in (enc or {}).items()}
    if grant.encryption_context_equals is not None:
        wanted = {k.lower(): v for k, v in grant.encryption_context_equals.items()}
        if context != wanted:
            return False
    if grant.encryption_context_subset is not None:
        for k, v in grant.encryption_context_subset.items():
            if context.get(k.lower()) != v:
                return False
    return True


def grant_allows(
    grant: Grant, caller: Caller, operation: str, enc: Mapping[str, str] | None,
    key_spec: str = "SYMMETRIC_DEFAULT",
) -> bool:
    """A grant allows its grantee the listed operations, within its constraints.

    (An account grantee's IAM users and roles also need an IAM policy: see grantee_match.)
    https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
    """
    return (
        grantee_match(grant, caller) is not None
        and operation in grant.operations
        and constraints_hold(grant, operation, enc, key_spec)
    )
