"""Requests the lab answered unlike AWS (issue 13), each through real boto3 calls, each citing AWS."""

from __future__ import annotations

import json

import pytest

from .conftest import user_arn


@pytest.mark.parametrize("missing", ["Action", "Resource"])
def test_key_policy_statement_without_action_or_resource_is_accepted_and_has_no_effect(lab, missing):
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (Policy): "If either of the
    required Resource or Action elements are missing from a key policy statement, the policy statement has
    no effect. ... the CreateKey and PutKeyPolicy API requests succeed"."""
    lab.create_user("admin")
    lab.create_user("alice")
    broken = {"Sid": "Broken", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")},
              "Action": "kms:*", "Resource": "*"}
    del broken[missing]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"},
        broken,
    ]}
    lab.create_key("k", policy=policy, created_by="admin")  # CreateKey succeeds
    assert lab.request("alice", "kms:Decrypt", "k").decision == "denied"  # the statement has no effect
    assert lab.request("admin", "kms:Decrypt", "k").decision == "allowed"
    kms = lab.client("kms", as_="admin")
    kms.put_key_policy(KeyId=lab.key_arn("k"), Policy=json.dumps(policy))  # PutKeyPolicy succeeds too
    assert lab.request("alice", "kms:Encrypt", "k").decision == "denied"
