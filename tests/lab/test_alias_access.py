"""Alias operations are authorized on the alias (IAM policies) and on every key they touch (key policies), issue 13.

"principals who manage aliases must have permission to call the alias operation on the alias and on all affected
KMS keys" — https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import ACCOUNT, ROOT_STATEMENT, user_arn

ALIAS_ACTIONS = ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]


def _iam(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(resource: str, actions: list[str] | str = ALIAS_ACTIONS, condition: dict | None = None) -> dict:
    s = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if condition:
        s["Condition"] = condition
    return s


@pytest.fixture
def keys(lab):
    """Keys "blue" and "green" with the root statement (IAM policies decide) and "named", whose key policy names
    bob for the alias operations; the lab's admin client sets up aliases outside authorization."""
    lab.create_user("bob")
    lab.create_key("blue", policy=_iam(ROOT_STATEMENT))
    lab.create_key("green", policy=_iam(ROOT_STATEMENT))
    lab.create_key("named", policy=_iam(ROOT_STATEMENT, {
        "Sid": "Bob", "Effect": "Allow", "Principal": {"AWS": user_arn("bob")}, "Action": ALIAS_ACTIONS,
        "Resource": "*"}))
    return lab


def _give(lab, name: str, policy: dict) -> None:
    lab.admin("iam").put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))


def _alias_arn(lab, name: str) -> str:
    return f"arn:aws:kms:{lab.region}:{ACCOUNT}:alias/{name}"


def _error(call) -> dict:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]


def test_an_iam_policy_for_keys_only_does_not_allow_the_alias(keys):
    """"kms:CreateAlias for the alias. Provide this permission in an IAM policy" — an IAM policy allowing
    kms:CreateAlias on key/* but not on alias/* is denied, and the message names the alias."""
    _give(keys, "bob", _iam(_allow(f"arn:aws:kms:*:{ACCOUNT}:key/*")))
    kms = keys.client("kms", as_="bob")
    error = _error(lambda: kms.create_alias(AliasName="alias/new", TargetKeyId=keys.key_arn("blue")))
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        f"User: {user_arn('bob')} is not authorized to perform: kms:CreateAlias on resource: "
        f"{_alias_arn(keys, 'new')} because no identity-based policy allows the kms:CreateAlias action")
    outcome = keys.request("bob", "kms:CreateAlias", "blue")
    assert outcome.decision == "denied"
    assert outcome.explanation.resource == _alias_arn(keys, "kmslab-probe")
    assert "no key policy covers it, so IAM policies alone decide" in outcome.reason
    _give(keys, "bob", _iam(_allow(f"arn:aws:kms:*:{ACCOUNT}:key/*"), _allow(f"arn:aws:kms:*:{ACCOUNT}:alias/*")))
    kms.create_alias(AliasName="alias/new", TargetKeyId=keys.key_arn("blue"))
    assert keys.request("bob", "kms:CreateAlias", "blue").decision == "allowed"


def test_the_key_must_allow_it_too(keys):
    """"kms:CreateAlias for the KMS key. This permission must be provided in a key policy or in an IAM policy that
    is delegated from the key policy." An IAM policy for alias/* alone is denied on the key."""
    _give(keys, "bob", _iam(_allow(f"arn:aws:kms:*:{ACCOUNT}:alias/*")))
    outcome = keys.request("bob", "kms:CreateAlias", "blue")
    assert outcome.decision == "denied"
    assert outcome.explanation.resource == keys.key_arn("blue")
    # The key policy names bob: the IAM policy for the alias and the key policy together allow it.
    assert keys.request("bob", "kms:CreateAlias", "named").decision == "allowed"
    assert keys.request("bob", "kms:DeleteAlias", "named").decision == "allowed"


def test_a_key_policy_alone_cannot_allow_an_alias_operation(keys):
    """The alias has no key policy: a principal the key policy names, without an IAM policy, is denied on the alias."""
    for action in ALIAS_ACTIONS:
        outcome = keys.request("bob", action, "named")
        assert outcome.decision == "denied", action
        assert outcome.explanation.resource.startswith(f"arn:aws:kms:{keys.region}:{ACCOUNT}:alias/")


def test_update_alias_needs_the_alias_the_current_key_and_the_new_key(keys):
    """"To change the KMS key that is associated with an alias, the principal needs three permission elements: one
    for the alias, one for the current KMS key, and one for the new KMS key." (alias-access.html)"""
    keys.admin("kms").create_alias(AliasName="alias/app", TargetKeyId=keys.key_id("blue"))
    _give(keys, "bob", _iam(_allow(_alias_arn(keys, "app")),
                            _allow(keys.key_arn("green"))))  # the new key, not the current one
    kms = keys.client("kms", as_="bob")
    error = _error(lambda: kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("green")))
    assert f"kms:UpdateAlias on resource: {keys.key_arn('blue')}" in error["Message"]  # the current key refuses
    _give(keys, "bob", _iam(_allow(_alias_arn(keys, "app")), _allow(keys.key_arn("blue"))))  # not the new key
    error = _error(lambda: kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("green")))
    assert f"kms:UpdateAlias on resource: {keys.key_arn('green')}" in error["Message"]
    _give(keys, "bob", _iam(_allow(keys.key_arn("blue")), _allow(keys.key_arn("green"))))  # not the alias
    error = _error(lambda: kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("green")))
    assert f"kms:UpdateAlias on resource: {_alias_arn(keys, 'app')}" in error["Message"]
    _give(keys, "bob", _iam(_allow(_alias_arn(keys, "app")), _allow(keys.key_arn("blue")),
                            _allow(keys.key_arn("green"))))
    kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("green"))


def test_delete_alias_needs_the_alias_and_its_key(keys):
    """"To delete an alias, the principal needs permission for the alias and for the associated KMS key.\""""
    keys.admin("kms").create_alias(AliasName="alias/old", TargetKeyId=keys.key_id("blue"))
    kms = keys.client("kms", as_="bob")
    _give(keys, "bob", _iam(_allow(keys.key_arn("blue"))))
    assert _alias_arn(keys, "old") in _error(lambda: kms.delete_alias(AliasName="alias/old"))["Message"]
    _give(keys, "bob", _iam(_allow(_alias_arn(keys, "old"))))
    assert keys.key_arn("blue") in _error(lambda: kms.delete_alias(AliasName="alias/old"))["Message"]
    _give(keys, "bob", _iam(_allow(_alias_arn(keys, "old")), _allow(keys.key_arn("blue"))))
    kms.delete_alias(AliasName="alias/old")


def test_a_deny_on_an_alias_pattern(keys):
    """The guide's example: allow every alias, deny those that begin with Restricted."""
    _give(keys, "bob", _iam(
        _allow(f"arn:aws:kms:{keys.region}:{ACCOUNT}:alias/*"), _allow(f"arn:aws:kms:*:{ACCOUNT}:key/*"),
        {"Effect": "Deny", "Action": ALIAS_ACTIONS,
         "Resource": f"arn:aws:kms:{keys.region}:{ACCOUNT}:alias/Restricted*"}))
    kms = keys.client("kms", as_="bob")
    kms.create_alias(AliasName="alias/Open", TargetKeyId=keys.key_arn("blue"))
    error = _error(lambda: kms.create_alias(AliasName="alias/Restricted-1", TargetKeyId=keys.key_arn("blue")))
    assert error["Message"].endswith("with an explicit deny in an identity-based policy")
    assert _alias_arn(keys, "Restricted-1") in error["Message"]


def test_key_condition_keys_do_not_apply_to_the_alias(keys):
    """"You can use condition keys to limit alias permissions when the resource is a KMS key" ... "You can't use
    condition keys in a policy statement where the resource is an alias." A statement for every resource with a
    kms:KeyOrigin condition allows the key, not the alias; the guide's two statements allow both."""
    origin = {"StringEquals": {"kms:KeyOrigin": "AWS_KMS"}}
    _give(keys, "bob", _iam(_allow("*", condition=origin)))
    outcome = keys.request("bob", "kms:CreateAlias", "blue")
    assert outcome.decision == "denied" and outcome.explanation.resource == _alias_arn(keys, "kmslab-probe")
    _give(keys, "bob", _iam(_allow(f"arn:aws:kms:{keys.region}:{ACCOUNT}:key/*", condition=origin),
                            _allow(f"arn:aws:kms:{keys.region}:{ACCOUNT}:alias/*")))
    assert keys.request("bob", "kms:CreateAlias", "blue").decision == "allowed"


def test_resource_aliases_limits_the_key_side_of_update_alias(keys):
    """"you can use a kms:ResourceAliases condition key to allow the principal to update aliases only when the
    target KMS key already has a particular alias" (alias-access.html, kms:UpdateAlias)."""
    keys.admin("kms").create_alias(AliasName="alias/app", TargetKeyId=keys.key_id("blue"))
    keys.admin("kms").create_alias(AliasName="alias/team-green", TargetKeyId=keys.key_id("green"))
    team = {"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/team-*"}}
    _give(keys, "bob", _iam(_allow(f"arn:aws:kms:*:{ACCOUNT}:alias/*"),
                            _allow(keys.key_arn("blue")),
                            _allow(f"arn:aws:kms:*:{ACCOUNT}:key/*", "kms:UpdateAlias", team)))
    kms = keys.client("kms", as_="bob")
    kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("green"))  # green has alias/team-green
    keys.admin("kms").update_alias(AliasName="alias/app", TargetKeyId=keys.key_id("blue"))
    keys.admin("kms").delete_alias(AliasName="alias/team-green")
    error = _error(lambda: kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("green")))
    assert keys.key_arn("green") in error["Message"]


def test_update_alias_from_a_key_pending_deletion_but_not_to_one(keys):
    """Key state table [10]: "If the source KMS key is pending deletion, the command succeeds. If the destination
    KMS key is pending deletion, the command fails with error: KMSInvalidStateException"
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table)."""
    admin = keys.admin("kms")
    admin.create_alias(AliasName="alias/app", TargetKeyId=keys.key_id("blue"))
    _give(keys, "bob", _iam(_allow("*")))
    kms = keys.client("kms", as_="bob")
    admin.schedule_key_deletion(KeyId=keys.key_id("blue"), PendingWindowInDays=7)
    kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("green"))  # from blue, pending deletion
    admin.schedule_key_deletion(KeyId=keys.key_id("named"), PendingWindowInDays=7)
    error = _error(lambda: kms.update_alias(AliasName="alias/app", TargetKeyId=keys.key_arn("named")))
    assert error == {"Code": "KMSInvalidStateException", "Message": f"{keys.key_arn('named')} is pending deletion."}
