"""Action, Resource and Principal matching; statement order and Statement forms.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

import pytest

from kmslab.engine.matching import action_matches, wildcard_match


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("kms:Decrypt", "kms:Decrypt", True),
        ("KMS:decrypt", "kms:Decrypt", True),
        ("kms:*", "kms:Decrypt", True),
        ("*", "kms:Decrypt", True),
        ("kms:Gen*", "kms:GenerateDataKey", True),
        ("kms:generatedatakey*", "kms:GenerateDataKeyPairWithoutPlaintext", True),
        ("kms:ReEncrypt*", "kms:ReEncryptFrom", True),
        ("kms:ReEncrypt?o", "kms:ReEncryptTo", True),
        ("kms:ReEncrypt?o", "kms:ReEncryptFrom", False),
        ("kms:Decrypt?", "kms:Decrypt", False),
        ("kms:*Key", "kms:DescribeKey", True),
        ("kms:*Key", "kms:Decrypt", False),
        ("s3:*", "kms:Decrypt", False),
        ("kms:[D]ecrypt", "kms:Decrypt", False),  # no character classes
    ],
)
def test_action_wildcards_case_insensitive(pattern, action, matches):
    """`*` and `?` in actions; prefix and name are case-insensitive.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    "The prefix and the action name are case insensitive. For example, iam:ListAccessKeys
    is the same as IAM:listaccesskeys."
    """
    assert action_matches(pattern, action) is matches


def test_action_and_notaction_in_policies(w):
    """NotAction matches every action except those listed.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    """
    key = w.key(w.ROOT_STATEMENT)
    caller = w.user(policies=(w.identity({"Effect": "Allow", "NotAction": ["kms:Schedule*", "KMS:PUT*"],
                                          "Resource": "*"}),))
    assert w.ask(caller, "kms:Decrypt", key).allowed
    assert not w.ask(caller, "kms:ScheduleKeyDeletion", key).allowed
    assert not w.ask(caller, "kms:PutKeyPolicy", key).allowed
    upper = w.user(policies=(w.allow("KMS:DECRYPT"),))
    assert w.ask(upper, "kms:Decrypt", key).allowed


def test_key_policy_notaction(w):
    """NotAction in a key policy statement (Allow everything but deletion).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    """
    caller = w.user()
    key = w.key({"Effect": "Allow", "Principal": {"AWS": caller.arn}, "NotAction": "kms:ScheduleKeyDeletion",
                 "Resource": "*"})
    assert w.ask(caller, "kms:Decrypt", key).allowed
    assert not w.ask(caller, "kms:ScheduleKeyDeletion", key).allowed


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("*", True),
        ("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", True),
        ("arn:aws:kms:*:111122223333:key/*", True),
        ("arn:aws:kms:us-east-?:111122223333:key/*", True),
        ("arn:aws:kms:*:*:*", True),
        ("arn:aws:kms:us-east-1:111122223333:key/1234ABCD-12ab-34cd-56ef-1234567890ab", False),
        ("ARN:AWS:KMS:us-east-1:111122223333:key/*", False),
        ("arn:aws:kms:*:444455556666:key/*", False),
        ("arn:aws:kms:*:111122223333:alias/*", False),
        ("arn:aws:kms:us-west-2:111122223333:key/*", False),
    ],
)
def test_resource_arns_case_sensitive_with_wildcards(w, pattern, matches):
    """Resource ARNs match case-sensitively, with `*` and `?` wildcards.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    "You can use wildcard characters (* and ?) within ARN segments ... to represent any
    combination of characters with an asterisk (*) and any single character with a
    question mark (?)."
    """
    caller = w.user(policies=(w.allow("kms:Decrypt", pattern),))
    assert w.ask(caller, key=w.key(w.ROOT_STATEMENT)).allowed is matches


def test_notresource(w):
    """NotResource matches every resource except those listed.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
    """
    key = w.key(w.ROOT_STATEMENT)
    others = w.user(policies=(w.identity({"Effect": "Allow", "Action": "kms:*",
                                          "NotResource": "arn:aws:kms:*:*:key/1234abcd-*"}),))
    assert not w.ask(others, key=key).allowed
    everything_else = w.user(policies=(w.identity({"Effect": "Allow", "Action": "kms:*",
                                                   "NotResource": "arn:aws:kms:*:*:key/ffff*"}),))
    assert w.ask(everything_else, key=key).allowed


def test_wildcard_match_basics():
    """`*` is any run, `?` exactly one character, nothing else is special.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    assert wildcard_match("a*c", "abbbc") and wildcard_match("a*c", "ac")
    assert wildcard_match("a?c", "abc") and not wildcard_match("a?c", "ac")
    assert not wildcard_match("a.c", "abc")
    assert wildcard_match("a[b]c", "a[b]c") and not wildcard_match("a[b]c", "abc")
    assert wildcard_match("x/*", "x/a/b:c")
    assert not wildcard_match("abc", "ABC") and wildcard_match("abc", "ABC", ignore_case=True)


@pytest.mark.parametrize(
    ("principal", "caller_kind", "allowed"),
    [
        ("*", "user", True),
        ({"AWS": "*"}, "session", True),
        ({"AWS": "arn:aws:iam::111122223333:user/alice"}, "user", True),
        ({"AWS": ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:user/alice"]}, "user", True),
        ({"AWS": "arn:aws:iam::111122223333:user/Alice"}, "user", False),  # ARNs are case-sensitive
        ({"AWS": "arn:aws:iam::111122223333:role/app"}, "session", True),
        ({"AWS": "arn:aws:sts::111122223333:assumed-role/app/kmslab"}, "session", True),
        ({"AWS": "arn:aws:sts::111122223333:assumed-role/app/other"}, "session", False),
        ({"AWS": "AROAEXAMPLEROLEID0001"}, "session", True),  # a role's unique id
        ({"AWS": "arn:aws:iam::111122223333:role/app"}, "user", False),
        ({"Service": "ec2.amazonaws.com"}, "user", False),
        ({"AWS": "arn:aws:iam::111122223333:root"}, "root", True),
        ({"AWS": "111122223333"}, "root", True),
    ],
)
def test_principal_forms(w, principal, caller_kind, allowed):
    """Principal as "*", {"AWS": "*"}, ARNs, lists, unique ids and service principals.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    "For anonymous users, the following elements are equivalent: "Principal": "*" and
    "Principal" : { "AWS" : "*" }"; "In a Principal element, the user name part of the
    Amazon Resource Name (ARN) is case sensitive."
    """
    caller = {"user": w.user("alice"), "session": w.session("app"), "root": w.root()}[caller_kind]
    key = w.key({"Effect": "Allow", "Principal": principal, "Action": "kms:*", "Resource": "*"})
    assert w.ask(caller, key=key).allowed is allowed


@pytest.mark.parametrize(
    ("not_principal", "caller_kind", "denied"),
    [
        (["arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:root"], "user", False),
        (["arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:root"], "other-user", True),
        (["arn:aws:iam::111122223333:user/alice"], "user", True),  # the account ARN is missing
        (["arn:aws:iam::111122223333:root"], "user", True),  # the account alone does not name alice
        (["arn:aws:iam::111122223333:root"], "root", False),
        (["arn:aws:sts::111122223333:assumed-role/app/kmslab", "arn:aws:iam::111122223333:role/app",
          "arn:aws:iam::111122223333:root"], "session", False),
        (["arn:aws:sts::111122223333:assumed-role/app/kmslab", "arn:aws:iam::111122223333:root"], "session", True),
        ("*", "user", False),
    ],
)
def test_notprincipal_with_deny(w, not_principal, caller_kind, denied):
    """A Deny with NotPrincipal exempts the caller only when it names the account too
    (and, for a role session, the role and the session).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    "When you use NotPrincipal with Deny, you must also specify the account ARN of the
    not-denied principal. Otherwise, the policy might deny access to the entire account
    containing the principal."
    """
    caller = {"user": w.user("alice"), "other-user": w.user("bob"), "session": w.session("app"),
              "root": w.root()}[caller_kind]
    key = w.key(w.stmt("*", "kms:*"),
                {"Effect": "Deny", "NotPrincipal": {"AWS": not_principal}, "Action": "kms:*", "Resource": "*"})
    decision = w.ask(caller, key=key)
    assert decision.allowed is not denied
    if denied:
        assert decision.message.endswith("with an explicit deny in a resource-based policy")


def test_statement_order_does_not_matter(w):
    """Evaluation considers every statement; order never changes the decision.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "The AWS enforcement code evaluates all policies within the account that apply to the request."
    """
    alice = w.user("alice")
    statements = [w.ROOT_STATEMENT, w.stmt(alice.arn, "kms:Encrypt"),
                  w.stmt(alice.arn, "kms:Decrypt", effect="Deny"), w.stmt("*", "kms:DescribeKey")]
    for order in (statements, statements[::-1], statements[1:] + statements[:1]):
        key = w.key(*order)
        assert [w.ask(alice, a, key).allowed for a in ("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey",
                                                       "kms:Sign")] == [True, False, True, False]


def test_statement_as_single_object_or_list(w):
    """Statement may be one statement object or an array of them.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    ("statement_block" = "Statement" : [ <statement>, <statement>, ... ] or a single <statement>)
    """
    single = w.policy({"Version": "2012-10-17", "Statement": w.ROOT_STATEMENT}, "key policy", "resource")
    listed = w.policy({"Version": "2012-10-17", "Statement": [w.ROOT_STATEMENT]}, "key policy", "resource")
    assert single.statements == listed.statements
    key = w.key(document={"Version": "2012-10-17", "Statement": w.ROOT_STATEMENT})
    assert w.ask(w.root(), key=key).allowed


def test_statement_string_or_list_values_are_equivalent(w):
    """Action, Resource and Principal take a string or a list of strings.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    a = w.policy(w.doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}))
    b = w.policy(w.doc({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": ["*"]}))
    assert a.statements == b.statements
