"""Fixtures for the lab tests: the seed article's world, built through boto3."""

from __future__ import annotations

import pytest

from kmslab.lab import Lab

ACCOUNT = "111122223333"
ROOT_STATEMENT = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
SEED_POLICY = {
    "Id": "key-consolepolicy-1",
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow access for Key Administrators",
            "Effect": "Allow",
            "Principal": {
                "AWS": [f"arn:aws:iam::{ACCOUNT}:user/kms-test-1", f"arn:aws:iam::{ACCOUNT}:user/manabusakai"]
            },
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


@pytest.fixture
def lab():
    with Lab(region="ap-northeast-1") as lab:
        yield lab


@pytest.fixture
def seed(lab):
    """The article's world: kms-test-1 (no IAM policy), kms-test-2 and manabusakai (AdministratorAccess)."""
    lab.create_user("kms-test-1")
    lab.create_user("kms-test-2", managed_policies=["AdministratorAccess"])
    lab.create_user("manabusakai", managed_policies=["AdministratorAccess"])
    lab.create_key("demo", policy=SEED_POLICY, created_by="manabusakai")
    return lab
