"""What KMS checks when a key policy is set: grammar, principals, size, lockout.

https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json

import pytest

from kmslab.engine import (
    LIMIT_EXCEEDED,
    MALFORMED,
    Policy,
    PolicyError,
    aws_principals,
    check_lockout,
    messages,
    parse_key_policy,
)


def _stmt(**kw):
    base = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
            "Resource": "*"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def _malformed(document) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        parse_key_policy(document)
    assert info.value.code == MALFORMED
    return info.value


@pytest.mark.parametrize("text", ["", "{", "not json", '{"Statement": [}', "[]", "42", '"x"'])
def test_malformed_json(text):
    """A document that is not a JSON object is MalformedPolicyDocumentException.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    "MalformedPolicyDocumentException: The request was rejected because the specified
    policy is not syntactically or semantically correct."
    """
    _malformed(text)


@pytest.mark.parametrize(
    "document",
    [
        {"Version": "2012-10-17"},  # no Statement
        {"Version": "2012-10-17", "Statement": []},
        {"Version": "2001-01-01", "Statement": [_stmt()]},
        {"Version": "2012-10-17", "Statement": [_stmt()], "Extra": 1},
        {"Version": "2012-10-17", "Statement": [_stmt(Effect="Maybe")]},
        {"Version": "2012-10-17", "Statement": [_stmt(Effect="allow")]},
        {"Version": "2012-10-17", "Statement": [_stmt(Action=[])]},
        {"Version": "2012-10-17", "Statement": [_stmt(Action="Decrypt")]},  # no service prefix
        {"Version": "2012-10-17", "Statement": [_stmt(Action=42)]},
        {"Version": "2012-10-17", "Statement": [_stmt(NotAction="kms:Decrypt")]},  # both Action and NotAction
        {"Version": "2012-10-17", "Statement": [_stmt(Foo="bar")]},
        {"Version": "2012-10-17", "Statement": ["not an object"]},
        {"Version": "2012-10-17", "Statement": [_stmt(Condition={"StringEqualz": {"k": "v"}})]},
        {"Version": "2012-10-17", "Statement": [_stmt(Condition={"StringEquals": "v"})]},
        {"Version": "2012-10-17", "Statement": [_stmt(Condition={"StringEquals": {"k": {"nested": 1}}})]},
        {"Version": "2012-10-17", "Statement": [_stmt(Condition={"NullIfExists": {"k": "true"}})]},
        {"Version": "2012-10-17", "Statement": [_stmt(Condition={"ForAnyValue:Null": {"k": "true"}})]},
        {"Version": "2012-10-17", "Statement": [_stmt(Principal={"Group": "x"})]},
        {"Version": "2012-10-17", "Statement": [_stmt(Principal="arn:aws:iam::111122223333:root")]},
        {"Version": "2012-10-17", "Statement": [_stmt(Principal={"AWS": []})]},
    ],
)
def test_grammar_errors(document):
    """Documents outside the IAM policy grammar are rejected.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    ("You can add IfExists to the end of any condition operator name except the Null condition")
    """
    _malformed(document)


def test_statement_without_principal():
    """A key policy statement needs a principal; AWS's message.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    "Each statement in the key policy must contain one or more principals."
    """
    error = _malformed({"Version": "2012-10-17", "Statement": [_stmt(Principal=None)]})
    assert error.message == messages.NO_PRINCIPAL_MESSAGE == "Policy contains a statement with no principal."


@pytest.mark.parametrize(
    "principal",
    ["arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:role/app*",
     "arn:aws:sts::111122223333:assumed-role/app/*", "arn:aws:iam::*:root", "alice", "arn:aws:iam::12345:root",
     "arn:aws:s3:::bucket"],
)
def test_invalid_principal_forms(principal):
    """Unknown principal forms and partial wildcards are invalid principals.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    "You cannot use a wildcard to match part of a principal name or ARN."
    "When you specify an assumed-role session in a Principal element, you cannot use a
    wildcard "*" to mean all sessions."
    """
    error = _malformed({"Version": "2012-10-17", "Statement": [_stmt(Principal={"AWS": principal})]})
    assert error.message == "Policy contains a statement with one or more invalid principals."


@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": "111122223333"}, {"AWS": "arn:aws:iam::111122223333:root"},
     {"AWS": "arn:aws:iam::111122223333:user/division/alice"}, {"AWS": "arn:aws:iam::111122223333:role/app"},
     {"AWS": "arn:aws:sts::111122223333:assumed-role/app/session"}, {"AWS": "AIDACKCEVSQ6C2EXAMPLE"},
     {"Service": "ec2.amazonaws.com"}, {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]}],
)
def test_valid_principal_forms(principal):
    """Every documented principal form parses.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    policy = parse_key_policy({"Version": "2012-10-17", "Statement": [_stmt(Principal=principal)]})
    assert policy.statements[0].principal


def test_notprincipal_only_with_deny():
    """NotPrincipal with Allow is rejected in key policies.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    "Most resource-based policy types do not allow the use of NotPrincipal with "Effect": "Allow"."
    """
    _malformed({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}]})
    parse_key_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}]})


def test_identity_policies_have_no_principal():
    """Identity-based policies cannot name a Principal.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    "You cannot use the Principal element in an identity-based policy."
    """
    with pytest.raises(PolicyError):
        Policy.parse({"Version": "2012-10-17", "Statement": [_stmt()]}, name="p", kind="identity")


@pytest.mark.parametrize("resource", ["arn:aws:kms:us-east-1:111122223333:key/*", ["*", "arn:aws:kms:*"]])
def test_key_policy_resource_must_be_star(resource):
    """In a key policy, Resource is "*" ("this KMS key"); other values are rejected.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
    "In a key policy, the value of the Resource element is "*", which means "this KMS key.""
    (AWS Health notice, docs/aws-references.md 1.6: "the only accepted Resource element
    value in a KMS key policy is "*".")
    """
    _malformed({"Version": "2012-10-17", "Statement": [_stmt(Resource=resource)]})
    _malformed({"Version": "2012-10-17", "Statement": [_stmt(Resource=None, NotResource="*")]})
    parse_key_policy({"Version": "2012-10-17", "Statement": [_stmt(Resource=["*"])]})


@pytest.mark.parametrize("missing", ["Action", "Resource"])
def test_key_policy_statement_without_action_or_resource_is_accepted_without_effect(missing):
    """A key policy statement missing Action or Resource is accepted and has no effect.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (Policy):
    "If either of the required Resource or Action elements are missing from a key policy
    statement, the policy statement has no effect. When a key policy statement is missing one of
    these elements, the KMS console correctly reports an error, but the CreateKey and
    PutKeyPolicy API requests succeed"
    """
    from kmslab.engine import Caller, Key, Request, authorize

    admin = "arn:aws:iam::111122223333:user/admin"
    alice = "arn:aws:iam::111122223333:user/alice"
    policy = parse_key_policy({"Version": "2012-10-17", "Statement": [
        _stmt(Sid="Admin", Principal={"AWS": admin}),
        _stmt(Sid="Broken", Principal={"AWS": alice}, **{missing: None}),
    ]})
    key = Key(arn="arn:aws:kms:us-east-1:111122223333:key/k", key_id="k", account="111122223333",
              region="us-east-1", policy=policy)

    def caller(arn):
        return Caller(arn=arn, account="111122223333", principal_type="User", user_id="AIDA" + arn[-5:].upper(),
                      username=arn.rsplit("/", 1)[1])
    assert authorize(Request(caller=caller(admin), action="kms:Decrypt", key=key)).allowed
    assert not authorize(Request(caller=caller(alice), action="kms:Decrypt", key=key)).allowed
    # The same statement in an identity policy is outside IAM's grammar: IAM refuses it.
    with pytest.raises(PolicyError):
        Policy.parse({"Version": "2012-10-17", "Statement": [_stmt(Principal=None, **{missing: None})]},
                     name="p", kind="identity")


def test_a_key_policy_may_repeat_a_sid_an_iam_policy_may_not():
    """Sid uniqueness is IAM's rule, not KMS's: "In IAM, the Sid value must be unique within a JSON policy."
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html); the KMS pages
    (key-policy-overview.html, "Key policy document format") set no such rule for key policies. Nothing stricter
    than AWS."""
    doc = {"Version": "2012-10-17", "Statement": [_stmt(Sid="a"), _stmt(Sid="a", Effect="Deny")]}
    assert [s.sid for s in parse_key_policy(doc).statements] == ["a", "a"]
    identity = {"Version": "2012-10-17", "Statement": [_stmt(Sid="a", Principal=None),
                                                       _stmt(Sid="a", Principal=None)]}
    with pytest.raises(PolicyError) as info:
        Policy.parse(identity, name="p", kind="identity")
    assert info.value.message == "Statement IDs (SID) in a single policy must be unique."


def test_key_policy_size_limit():
    """A key policy over 32 KB is LimitExceededException.

    https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit
    "The maximum length of each key policy document is 32 KB (32,768 bytes)."
    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    "If the key policy exceeds the length constraint, KMS returns a LimitExceededException."
    """
    def sized(n: int) -> str:
        text = json.dumps({"Version": "2012-10-17", "Statement": [_stmt(Sid="")]})
        return text.replace('"Sid": ""', '"Sid": "' + "x" * (n - len(text)) + '"')

    assert len(sized(32768).encode()) == 32768
    parse_key_policy(sized(32768))
    with pytest.raises(PolicyError) as info:
        parse_key_policy(sized(32769))
    assert info.value.code == LIMIT_EXCEEDED
    # Counted in bytes ("32 KB (32,768 bytes)"): a Latin-1 letter is two bytes of UTF-8, white space counts.
    latin = sized(32767).replace('"Sid": "x', '"Sid": "é', 1)
    assert len(latin) == 32767 and len(latin.encode()) == 32768
    parse_key_policy(latin)
    with pytest.raises(PolicyError) as info:
        parse_key_policy(sized(32768).replace('"Sid": "x', '"Sid": "é', 1))
    assert info.value.code == LIMIT_EXCEEDED
    with pytest.raises(PolicyError) as info:
        parse_key_policy(" " * 16 + sized(32768 - 16)[:-1] + " " * 2 + "}")
    assert info.value.code == LIMIT_EXCEEDED


def test_key_policy_longer_than_the_model_allows_is_a_validation_error():
    """The API model's constraint on Policy, "max 131072" (botocore's KMS model, PolicyType), is checked before the
    quota: ValidationException in AWS's validation form (docs/aws-references.md 2.4).
    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html#KMS-PutKeyPolicy-request-Policy"""
    with pytest.raises(PolicyError) as info:
        parse_key_policy(" " * 131073)
    assert (info.value.code, info.value.message) == (
        "ValidationException", "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
        "Member must have length less than or equal to 131072")


def test_key_policy_characters():
    """Only printable ASCII, Latin-1, tab, line feed and carriage return.

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-format
    "A key policy document can include only the following characters: Printable ASCII
    characters; Printable characters in the Basic Latin and Latin-1 Supplement character
    set; The tab (\\u0009), line feed (\\u000A), and carriage return (\\u000D) special characters"
    """
    parse_key_policy({"Version": "2012-10-17", "Statement": [_stmt(Sid="Café\tété")]})
    # The API model's pattern on Policy, [\u0009\u000A\u000D\u0020-\u00FF]+: a value outside it is a
    # ValidationException, as AWS answered for the same pattern elsewhere [obs] (docs/aws-references.md 2.4).
    for document in ({"Version": "2012-10-17", "Statement": [_stmt(Sid="鍵")]},
                     '{"Version": "2012-10-17", "Statement": [{"Sid": "\x01"}]}'):
        with pytest.raises(PolicyError) as info:
            parse_key_policy(document)
        assert info.value.code == "ValidationException"
        assert info.value.message.endswith(
            "Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")


def test_forallvalues_with_single_valued_keys_is_overly_permissive():
    """KMS refuses ForAllValues with kms:EncryptionContext:* or aws:RequestTag/*.

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
    "OverlyPermissiveCondition: Using the ForAllValues set operator with a single-valued
    condition key matches requests without the specified [encryption context or tag] or
    with an unspecified [encryption context or tag]. To fix, remove ForAllValues."
    """
    error = _malformed({"Version": "2012-10-17", "Statement": [
        _stmt(Condition={"ForAllValues:StringEquals": {"kms:EncryptionContext:app": "x"}})]})
    assert error.message.startswith("OverlyPermissiveCondition: Using the ForAllValues set operator")
    assert "encryption context" in error.message
    error = _malformed({"Version": "2012-10-17", "Statement": [
        _stmt(Condition={"ForAllValues:StringEquals": {"aws:RequestTag/env": "x"}})]})
    assert "specified tag" in error.message
    parse_key_policy({"Version": "2012-10-17", "Statement": [
        _stmt(Condition={"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": "x"}})]})


def test_parse_accepts_statement_object_version_2008_and_no_version():
    """Version is optional (2008-10-17 is the older language version).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
    """
    for version in ("2012-10-17", "2008-10-17", None):
        doc = {"Statement": _stmt()}
        if version:
            doc["Version"] = version
        assert parse_key_policy(doc).version == version


def test_aws_principals_lists_named_principals():
    """Every AWS principal a policy names, for the existence check KMS runs.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    "The principals in the key policy must exist and be visible to KMS."
    """
    policy = parse_key_policy({"Version": "2012-10-17", "Statement": [
        _stmt(Principal={"AWS": ["arn:aws:iam::111122223333:user/a", "111122223333"]}),
        {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/r"}, "Action": "kms:*",
         "Resource": "*"}]})
    assert aws_principals(policy) == {"arn:aws:iam::111122223333:user/a", "111122223333",
                                      "arn:aws:iam::111122223333:role/r"}


# ---------------------------------------------------------------- lockout safety check

LOCKOUT = "https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html"


def test_lockout_check_passes_when_caller_keeps_putkeypolicy(w):
    """The new policy must let the caller call PutKeyPolicy later.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    "The key policy must allow the calling principal to make a subsequent PutKeyPolicy
    request on the KMS key."
    """
    caller = w.user("admin", policies=(w.admin(),))
    key = w.key(w.ROOT_STATEMENT)
    check_lockout(parse_key_policy(w.doc(w.ROOT_STATEMENT)), caller, key)  # via IAM delegation
    check_lockout(parse_key_policy(w.doc(w.stmt(caller.arn, "kms:PutKeyPolicy"))), caller, key)  # named directly
    check_lockout(parse_key_policy(w.doc(w.ROOT_STATEMENT)), w.root(), key)


@pytest.mark.parametrize(
    "statements",
    [
        [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/someone-else"},
          "Action": "kms:*", "Resource": "*"}],
        [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/admin"},
          "Action": "kms:Decrypt", "Resource": "*"}],
        [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*",
          "Resource": "*"},
         {"Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy", "Resource": "*"}],
    ],
)
def test_lockout_check_fails_with_aws_message(w, statements):
    """A policy that locks the caller out is MalformedPolicyDocumentException.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    (message seen from AWS: "The new key policy will not allow you to update the key
    policy in the future.")
    """
    caller = w.user("admin", policies=(w.admin(),))
    with pytest.raises(PolicyError) as info:
        check_lockout(parse_key_policy(w.doc(*statements)), caller, w.key(w.ROOT_STATEMENT))
    assert info.value.code == MALFORMED
    assert info.value.message == "The new key policy will not allow you to update the key policy in the future."


def test_lockout_check_counts_iam_policies(w):
    """The account principal passes only when the caller's IAM allows PutKeyPolicy.

    https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html
    "The CreateKey caller can get kms:PutKeyPolicy permission for the KMS key from an IAM
    policy or they can include this permission in the key policy"
    """
    no_put = w.user("dev", policies=(w.allow(["kms:CreateKey", "kms:Decrypt"]),))
    with pytest.raises(PolicyError):
        check_lockout(parse_key_policy(w.doc(w.ROOT_STATEMENT)), no_put, w.key(w.ROOT_STATEMENT))
