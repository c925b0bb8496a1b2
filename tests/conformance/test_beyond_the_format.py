"""AWS-documented cases that a scenario file cannot express, asked through the Lab API instead.

The scenario format refuses, before any request runs, a `parameters.Policy` string that is not JSON and a
`KeyId` that names no key of the file; AWS answers both requests with an error of its own.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from kmslab.lab import Lab

ACCOUNT = "111122223333"
ROOT = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}


@pytest.fixture(scope="module")
def lab():
    with Lab() as lab:
        lab.create_user("admin", managed_policies=["AdministratorAccess"])
        lab.create_key("k", policy={"Version": "2012-10-17", "Statement": [ROOT]})
        yield lab


def _code(call) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"]


def test_a_key_policy_that_is_not_json_is_malformed(lab):
    """API_PutKeyPolicy, Errors: "MalformedPolicyDocumentException: The request was rejected because the specified
    policy is not syntactically or semantically correct."
    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html"""
    kms = lab.client("kms", as_="admin")
    broken = json.dumps({"Version": "2012-10-17", "Statement": [ROOT]})[:-2]
    assert _code(lambda: kms.put_key_policy(KeyId=lab.key_arn("k"), PolicyName="default",
                                            Policy=broken)) == "MalformedPolicyDocumentException"
    # the same caller may set the same policy as JSON: the refusal was the syntax, not the permission
    kms.put_key_policy(KeyId=lab.key_arn("k"), PolicyName="default", Policy=broken + "]}")


def test_an_alias_that_does_not_exist_is_not_found(lab):
    """API_Encrypt, KeyId: "To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN"; Errors:
    "NotFoundException: The request was rejected because the specified entity or resource could not be found."
    https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html"""
    kms = lab.client("kms", as_="admin")
    assert kms.encrypt(KeyId="alias/k", Plaintext=b"x")["KeyId"] == lab.key_arn("k")
    assert _code(lambda: kms.encrypt(KeyId="alias/no-such-alias", Plaintext=b"x")) == "NotFoundException"
