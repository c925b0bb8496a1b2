"""Kept decisions never outlive a change: every change is reflected in the very next request.

The lab keeps engine decisions between changes for speed (benchmarks/); these tests make
each kind of change and check that the next identical request is decided afresh.
"""

from __future__ import annotations

import json

import pytest

from .conftest import ACCOUNT, ROOT_STATEMENT, SEED_POLICY


def _decrypt(lab, who="kms-test-2", **kw):
    return lab.request(who, "kms:Decrypt", "demo", **kw).decision


@pytest.fixture
def warm(seed):
    assert _decrypt(seed) == "denied"  # the decision is now kept
    assert _decrypt(seed) == "denied"
    return seed


def test_put_key_policy_by_a_principal(warm):
    policy = {**SEED_POLICY, "Statement": [ROOT_STATEMENT, *SEED_POLICY["Statement"]]}
    warm.client("kms", as_="manabusakai").put_key_policy(KeyId=warm.key_arn("demo"), Policy=json.dumps(policy))
    assert _decrypt(warm) == "allowed"


def test_attach_and_detach(warm):
    warm.put_key_policy("demo", {**SEED_POLICY, "Statement": [ROOT_STATEMENT, *SEED_POLICY["Statement"]]})
    assert _decrypt(warm) == "allowed"
    warm.detach_policy("kms-test-2", "AdministratorAccess")
    assert _decrypt(warm) == "denied"
    warm.attach_policy("kms-test-2", "AdministratorAccess")
    assert _decrypt(warm) == "allowed"


def test_inline_policy_and_group_membership(warm):
    warm.put_key_policy("demo", {**SEED_POLICY, "Statement": [ROOT_STATEMENT, *SEED_POLICY["Statement"]]})
    warm.create_user("carol")
    assert _decrypt(warm, "carol") == "denied"
    warm.put_inline_policy("carol", "d", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]})
    assert _decrypt(warm, "carol") == "allowed"
    warm.delete_inline_policy("carol", "d")
    assert _decrypt(warm, "carol") == "denied"
    warm.create_group("decrypters", inline_policies={"d": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}})
    warm.admin("iam").add_user_to_group(GroupName="decrypters", UserName="carol")
    assert _decrypt(warm, "carol") == "allowed"


def test_boundary_and_scps(warm):
    warm.put_key_policy("demo", {**SEED_POLICY, "Statement": [ROOT_STATEMENT, *SEED_POLICY["Statement"]]})
    assert _decrypt(warm) == "allowed"
    warm.create_policy("NoKms", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    warm.set_permissions_boundary("kms-test-2", "NoKms")
    assert _decrypt(warm) == "denied"
    warm.set_permissions_boundary("kms-test-2", None)
    assert _decrypt(warm) == "allowed"
    warm.set_scps(ACCOUNT, {"DenyDecrypt": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}})
    assert _decrypt(warm) == "denied"
    warm.set_scps(ACCOUNT, None)
    assert _decrypt(warm) == "allowed"


def test_grants_and_key_state(warm):
    gid = warm.create_grant("demo", "kms-test-2", ["Decrypt"])
    assert _decrypt(warm) == "allowed"
    warm.client("kms", as_="manabusakai").revoke_grant(KeyId=warm.key_arn("demo"), GrantId=gid)
    assert _decrypt(warm) == "denied"
    assert _decrypt(warm, "kms-test-1") == "allowed"
    warm.client("kms", as_="manabusakai").disable_key(KeyId=warm.key_arn("demo"))
    assert _decrypt(warm, "kms-test-1") == "error"
    warm.client("kms", as_="manabusakai").enable_key(KeyId=warm.key_arn("demo"))
    assert _decrypt(warm, "kms-test-1") == "allowed"


def test_deleting_a_named_user(warm):
    assert _decrypt(warm, "kms-test-1") == "allowed"
    warm.delete_user("kms-test-1")
    warm.create_user("kms-test-1")
    assert _decrypt(warm, "kms-test-1") == "denied"


def _abac_user(lab) -> str:
    """A user whose IAM policy reads the key's tags and aliases, on a key whose policy lets IAM decide: KMS supports
    aws:ResourceTag/tag-key and kms:ResourceAliases "only in IAM policies".
    https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html"""
    lab.put_key_policy("demo", {**SEED_POLICY, "Statement": [ROOT_STATEMENT, *SEED_POLICY["Statement"]]})
    lab.create_user("abac", inline_policies={"abac": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/blue"}}}]}})
    return "abac"


def test_tags_and_aliases_in_conditions(warm):
    """https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases"""
    who = _abac_user(warm)
    admin = warm.client("kms", as_="manabusakai")
    assert _decrypt(warm, who) == "denied"
    admin.tag_resource(KeyId=warm.key_arn("demo"), Tags=[{"TagKey": "team", "TagValue": "blue"}])
    assert _decrypt(warm, who) == "allowed"
    admin.untag_resource(KeyId=warm.key_arn("demo"), TagKeys=["team"])
    assert _decrypt(warm, who) == "denied"
    assert warm.request(who, "kms:Encrypt", "demo").decision == "denied"
    admin.create_alias(AliasName="alias/blue", TargetKeyId=warm.key_id("demo"))
    assert warm.request(who, "kms:Encrypt", "demo").decision == "allowed"


def test_an_alias_moved_to_another_key_leaves_the_first_one(warm):
    """UpdateAlias names the new target, yet changes the old one too (kms:ResourceAliases).

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
    """
    who = _abac_user(warm)
    warm.create_key("other", policy={**SEED_POLICY, "Statement": [ROOT_STATEMENT, *SEED_POLICY["Statement"]]},
                    created_by="manabusakai")
    admin = warm.client("kms", as_="manabusakai")
    admin.create_alias(AliasName="alias/blue", TargetKeyId=warm.key_id("demo"))
    assert warm.request(who, "kms:Encrypt", "demo").decision == "allowed"
    assert warm.request(who, "kms:Encrypt", "other").decision == "denied"
    admin.update_alias(AliasName="alias/blue", TargetKeyId=warm.key_id("other"))
    assert warm.request(who, "kms:Encrypt", "demo").decision == "denied"
    assert warm.request(who, "kms:Encrypt", "other").decision == "allowed"


def test_a_change_to_one_key_leaves_the_others_answers_right(warm):
    warm.create_key("other", policy=SEED_POLICY, created_by="manabusakai")
    assert warm.request("kms-test-1", "kms:Decrypt", "other").decision == "allowed"
    warm.client("kms", as_="manabusakai").disable_key(KeyId=warm.key_arn("demo"))
    assert _decrypt(warm, "kms-test-1") == "error"
    assert warm.request("kms-test-1", "kms:Decrypt", "other").decision == "allowed"
    warm.client("kms", as_="manabusakai").disable_key(KeyId=warm.key_arn("other"))
    assert warm.request("kms-test-1", "kms:Decrypt", "other").decision == "error"


def test_the_experiment_toggle_shows_the_change_at_once(seed):
    from kmslab.widgets.experiment import KeyPolicyExperiment

    exp = KeyPolicyExperiment(seed, "demo")
    for on in (True, False, True, False):
        exp.set_root_statement(on)
        assert exp.decision("kms-test-2", "kms:Decrypt") == ("allowed" if on else "denied")
