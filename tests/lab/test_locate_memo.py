"""A KeyId is looked up once per state of the world: a new, moved or deleted alias is found at once."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from kmslab.lab import Lab


def code(call) -> str | None:
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"]
    return None


def test_aliases_created_moved_and_deleted_are_followed():
    with Lab() as lab:
        lab.create_key("a")
        lab.create_key("b")
        kms = lab.client("kms")
        describe = lambda: kms.describe_key(KeyId="alias/moving")["KeyMetadata"]["Arn"]  # noqa: E731
        assert code(describe) == "NotFoundException"
        kms.create_alias(AliasName="alias/moving", TargetKeyId=lab.key_id("a"))
        assert describe() == lab.key_arn("a")
        kms.update_alias(AliasName="alias/moving", TargetKeyId=lab.key_id("b"))
        assert describe() == lab.key_arn("b")
        kms.delete_alias(AliasName="alias/moving")
        assert code(describe) == "NotFoundException"


@pytest.mark.parametrize("action", ["kms:Decrypt", "kms:ReEncryptFrom"])
def test_a_probe_leaves_no_lookup_behind(action):
    """Scratch keys of a probe are gone afterwards, and so is what was looked up about them."""
    with Lab() as lab:
        lab.create_key("k")
        first = [(o.decision, o.error) for o in lab.access_matrix(["root"], [action, "kms:DescribeKey"], ["k"])]
        again = [(o.decision, o.error) for o in lab.access_matrix(["root"], [action, "kms:DescribeKey"], ["k"])]
        assert first == again == [("allowed", None), ("allowed", None)]
        assert [k["KeyId"] for k in lab.client("kms").list_keys()["Keys"]] == [lab.key_id("k")]
