"""Key policy validation as AWS does it, through real boto3 calls (issue 13, item 4): nothing stricter, nothing looser.

https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (Policy)
https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (Policy, Errors)
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import ACCOUNT, ROOT_STATEMENT, user_arn

INVALID_PRINCIPALS = "Policy contains a statement with one or more invalid principals."
LOCKOUT = "The new key policy will not allow you to update the key policy in the future."


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(principal: object, sid: str = "S", action: object = "kms:*") -> dict:
    return {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}


def _error(call) -> dict:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]


@pytest.fixture
def admin(lab):
    lab.create_user("admin", managed_policies=["AdministratorAccess"])
    return lab.client("kms", as_="admin")


@pytest.mark.parametrize("principal", [
    {"AWS": user_arn("nobody")},  # no such user in the account
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/nobody"},  # no such role
    {"AWS": "AIDAEXAMPLEDELETED01"},  # a deleted principal's unique id
    {"AWS": f"arn:aws:iam::{ACCOUNT}:group/admins"},  # "IAM user groups are not a valid principal"
])
def test_a_principal_that_does_not_exist_is_refused(lab, admin, principal):
    """"The principals in the key policy must exist and be visible to KMS" (API_CreateKey, Policy); AWS's message
    [obs] (docs/aws-references.md 2.3)."""
    for call in (lambda: admin.create_key(Policy=_policy(ROOT_STATEMENT, _allow(principal, "Ghost"))),):
        assert _error(call) == {"Code": "MalformedPolicyDocumentException", "Message": INVALID_PRINCIPALS}
    lab.create_key("k")
    error = _error(lambda: admin.put_key_policy(KeyId=lab.key_arn("k"),
                                                Policy=_policy(ROOT_STATEMENT, _allow(principal, "Ghost"))))
    assert error == {"Code": "MalformedPolicyDocumentException", "Message": INVALID_PRINCIPALS}


@pytest.mark.parametrize("principal", [
    {"AWS": user_arn("admin")}, {"AWS": ACCOUNT}, {"AWS": "*"}, "*", {"Service": "logs.amazonaws.com"},
    {"AWS": [user_arn("admin"), f"arn:aws:iam::{ACCOUNT}:root"]},
])
def test_principals_that_exist_are_accepted(admin, principal):
    """Users, the account (ARN or id), everyone and service principals are valid key policy principals
    (IAM User Guide, "AWS JSON policy elements: Principal")."""
    admin.create_key(Policy=_policy(ROOT_STATEMENT, _allow(principal, "P")))


def test_the_lockout_safety_check_counts_iam_policies_and_can_be_bypassed(lab, admin):
    """"The key policy must allow the calling principal to make a subsequent PutKeyPolicy request on the KMS key
    ... (To omit this condition, set BypassPolicyLockoutSafetyCheck to true.)" (API_CreateKey, Policy). The caller
    "can get kms:PutKeyPolicy permission for the KMS key from an IAM policy" (customer-managed-policies.html)."""
    lab.create_user("bob")
    # Only bob is named; admin's IAM policy cannot count (no account statement): admin locks itself out.
    only_bob = _policy(_allow({"AWS": user_arn("bob")}, "Bob"))
    assert _error(lambda: admin.create_key(Policy=only_bob)) == {
        "Code": "MalformedPolicyDocumentException", "Message": LOCKOUT}
    admin.create_key(Policy=only_bob, BypassPolicyLockoutSafetyCheck=True)
    # The account statement lets admin's IAM policy (AdministratorAccess) allow PutKeyPolicy: no lockout.
    admin.create_key(Policy=_policy(ROOT_STATEMENT))
    # A Deny of PutKeyPolicy for the caller in the new policy is a lockout too.
    deny = {"Sid": "NoPut", "Effect": "Deny", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:PutKeyPolicy",
            "Resource": "*"}
    assert _error(lambda: admin.create_key(Policy=_policy(ROOT_STATEMENT, deny)))["Message"] == LOCKOUT


def test_missing_action_or_resource_is_accepted_and_a_repeated_sid_too(lab, admin):
    """"If either of the required Resource or Action elements are missing from a key policy statement, the policy
    statement has no effect ... the CreateKey and PutKeyPolicy API requests succeed" (API_CreateKey, Policy); a
    repeated Sid is an IAM rule KMS does not state (reference_policies_elements_sid.html: "In IAM, ...")."""
    no_action = {"Sid": "NoAction", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Resource": "*"}
    admin.create_key(Policy=_policy(ROOT_STATEMENT, no_action))
    admin.create_key(Policy=_policy(ROOT_STATEMENT, {**ROOT_STATEMENT, "Action": "kms:Decrypt"}))  # Sid twice


def test_size_and_characters_as_aws_checks_them(admin):
    """Over 32 KB (32,768 bytes): LimitExceededException ("If the key policy exceeds the length constraint, KMS
    returns a LimitExceededException", API_PutKeyPolicy). A character outside the model's pattern: the model's
    ValidationException (docs/aws-references.md 2.4)."""
    padding = {"Sid": "x" * 33000, "Effect": "Allow", "Principal": {"AWS": user_arn("admin")},
               "Action": "kms:Decrypt", "Resource": "*"}
    error = _error(lambda: admin.create_key(Policy=_policy(ROOT_STATEMENT, padding)))
    assert error["Code"] == "LimitExceededException"
    raw = json.dumps({"Version": "2012-10-17", "Statement": [{**ROOT_STATEMENT, "Sid": "鍵"}]}, ensure_ascii=False)
    error = _error(lambda: admin.create_key(Policy=raw))
    assert error["Code"] == "ValidationException"
    admin.create_key(Policy=_policy({**ROOT_STATEMENT, "Sid": "鍵"}))  # written as \u9375: ASCII, within it
    admin.create_key(Policy=_policy({**ROOT_STATEMENT, "Sid": "Clé d'été"}))  # Latin-1 is within the pattern
