"""What IAM refuses in an identity policy that moto accepts (kmslab/lab/iam_rules.py), checked on its own."""

from __future__ import annotations

import json

import pytest

from kmslab.lab.iam_rules import NO_PRINCIPAL_IN_IDENTITY_POLICY, IamRefusal, check_identity_policy

ALLOW = {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}


@pytest.mark.parametrize("element", ["Principal", "NotPrincipal"])
@pytest.mark.parametrize("as_list", [True, False], ids=["statement list", "one statement object"])
def test_a_principal_in_an_identity_policy_is_refused(element: str, as_list: bool) -> None:
    """An identity policy names no principal: the identity it is attached to is the principal.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    ("You cannot use the Principal element in an IAM identity-based policy.")"""
    statement = {**ALLOW, element: {"AWS": "arn:aws:iam::111122223333:user/alice"}}
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement] if as_list else statement})
    with pytest.raises(IamRefusal) as exc:
        check_identity_policy(text)
    assert (exc.value.code, exc.value.message) == ("MalformedPolicyDocument", NO_PRINCIPAL_IN_IDENTITY_POLICY)


@pytest.mark.parametrize("as_list", [True, False], ids=["statement list", "one statement object"])
def test_an_identity_policy_without_a_principal_is_taken_as_written(as_list: bool) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [ALLOW] if as_list else ALLOW})
    assert check_identity_policy(text) == text


@pytest.mark.parametrize("text", ["not json", "[]", '{"Version": "2012-10-17"}'])
def test_a_document_that_is_not_a_policy_is_malformed(text: str) -> None:
    with pytest.raises(IamRefusal) as exc:
        check_identity_policy(text)
    assert exc.value.code == "MalformedPolicyDocument"
