"""Policy documents as people write them: the root statement and the Statement element, known in one place.

https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
"""

from __future__ import annotations

import pytest

from kmslab.engine import Caller, Key, Policy, Request, authorize
from kmslab.engine.policy import (
    account_statement,
    aws_principal_ids,
    has_account_statement,
    is_account_principal,
    is_account_statement,
    statement_list,
    with_account_statement,
)

ACCOUNT = "111122223333"
ADMINS = {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/admin"},
          "Action": "kms:*", "Resource": "*"}


@pytest.mark.parametrize(("ident", "account", "expected"), [
    (ACCOUNT, None, True), (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, True),
    (f"arn:aws-cn:iam::{ACCOUNT}:root", None, True), (f"arn:aws:iam::{ACCOUNT}:root", "444455556666", False),
    (f"arn:aws:iam::{ACCOUNT}:user/root", None, False), ("*", None, False), ("12345", None, False),
])
def test_account_principal_forms(ident, account, expected):
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts"""
    assert is_account_principal(ident, account) is expected


def test_statement_normalises_from_an_object_or_a_list():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html"""
    assert statement_list({"Statement": ADMINS}) == [ADMINS]
    assert statement_list({"Statement": [ADMINS, ADMINS]}) == [ADMINS, ADMINS]
    assert statement_list({}) == []
    assert aws_principal_ids({"Principal": "*"}) == ["*"]
    assert aws_principal_ids({"Principal": {"AWS": ["a", "b"]}}) == ["a", "b"]


def test_root_statement_is_an_allow_for_the_account():
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"""
    root = account_statement(ACCOUNT)
    assert is_account_statement(root) and is_account_statement(root, ACCOUNT)
    assert not is_account_statement(root, "444455556666")
    assert not is_account_statement({**root, "Effect": "Deny"})
    assert not is_account_statement(ADMINS)


def test_toggling_the_root_statement_is_what_the_engine_sees():
    """with_account_statement(on) is exactly what makes IAM policies count; off removes every form of it.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    """
    short_form = {**account_statement(ACCOUNT), "Principal": {"AWS": ACCOUNT}}
    doc = {"Version": "2012-10-17", "Statement": [ADMINS, short_form]}
    off = with_account_statement(doc, ACCOUNT, False)
    on = with_account_statement(off, ACCOUNT, True)
    assert not has_account_statement(off, ACCOUNT) and has_account_statement(on, ACCOUNT)
    assert on["Statement"][0]["Sid"] == "Enable IAM User Permissions" and doc["Statement"][0] is ADMINS  # a copy
    admin_policy = Policy.parse({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                          "Resource": "*"}]},
                                name="AdministratorAccess", kind="identity")
    user = Caller(f"arn:aws:iam::{ACCOUNT}:user/kms-test-2", ACCOUNT, "User", "AIDAEXAMPLE0000000002",
                  username="kms-test-2", identity_policies=(admin_policy,))
    def decide(document):
        key = Key(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k", "k", ACCOUNT, "us-east-1",
                  Policy.parse(document, name="key policy", kind="resource"))
        return authorize(Request(user, "kms:Decrypt", key)).allowed

    assert decide(on) and not decide(off)
