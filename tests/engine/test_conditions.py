"""Condition operators, set operators, policy variables and the request context keys.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kmslab.engine import Request, request_context
from kmslab.engine.conditions import evaluate_condition
from kmslab.engine.policy import Condition

OPERATORS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"


def holds(operator: str, key: str, values: Any, context: dict[str, Any]) -> bool:
    listed = values if isinstance(values, list) else [values]
    return evaluate_condition(Condition(operator, key, tuple(str(v) for v in listed)), context)


def allowed_with(w, condition: dict[str, Any], *, caller=None, key=None, action="kms:Decrypt",
                 version: str | None = "2012-10-17", **request: Any) -> bool:
    """Whether an identity policy Allow with `condition` allows, the key delegating to IAM."""
    policy = w.policy(w.doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": condition},
                            version=version))
    base = caller or w.user("alice")
    caller = type(base)(**{**base.__dict__, "identity_policies": (policy,)})
    return w.ask(caller, action, key or w.key(w.ROOT_STATEMENT), **request).allowed


# ---------------------------------------------------------------- operator families


@pytest.mark.parametrize(
    ("operator", "policy", "value", "expected"),
    [
        ("StringEquals", "abc", "abc", True),
        ("StringEquals", "abc", "ABC", False),
        ("StringNotEquals", "abc", "ABC", True),
        ("StringEqualsIgnoreCase", "abc", "ABC", True),
        ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
        ("StringLike", "a*c?", "abbbcd", True),
        ("StringLike", "a*C", "abc", False),
        ("StringNotLike", "a*", "bcd", True),
        ("StringEquals", "a*", "abc", False),  # no wildcards in StringEquals
        ("NumericEquals", "10", "10.0", True),
        ("NumericNotEquals", "10", "11", True),
        ("NumericLessThan", "10", "9", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericGreaterThan", "10", "11", True),
        ("NumericGreaterThanEquals", "10", "9", False),
        ("NumericEquals", "10", "ten", False),
        ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00+00:00", True),
        ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
        ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
        ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", True),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z", False),
        ("DateEquals", "1577836800", "2020-01-01T00:00:00Z", True),  # epoch seconds
        ("Bool", "true", "true", True),
        ("Bool", "true", "false", False),
        ("Bool", "false", "false", True),
        ("BinaryEquals", base64.b64encode(b"\x00\x01").decode(), base64.b64encode(b"\x00\x01").decode(), True),
        ("BinaryEquals", base64.b64encode(b"\x00\x01").decode(), base64.b64encode(b"\x00\x02").decode(), False),
        ("IpAddress", "203.0.113.0/24", "203.0.113.10", True),
        ("IpAddress", "203.0.113.0/24", "198.51.100.1", False),
        ("IpAddress", "2001:db8::/32", "2001:db8::1", True),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
        ("ArnEquals", "arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/app", True),
        ("ArnLike", "arn:aws:iam::*:role/app", "arn:aws:iam::111122223333:role/app", True),
        ("ArnLike", "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:role/App", False),
        ("ArnLike", "arn:aws:iam::*", "arn:aws:iam::111122223333:role/app", False),  # six parts, each apart
        ("ArnNotEquals", "arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:user/bob", True),
        ("ArnNotLike", "arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/app", False),
    ],
)
def test_operator_families(operator, policy, value, expected):
    """Every documented operator family, positive and negated.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    String ("StringEquals: Exact matching, case sensitive"), Numeric, Date, Bool,
    BinaryEquals ("compares the value of the specified key byte for byte against a
    base-64 encoded representation"), IpAddress, ARN ("Each of the six colon-delimited
    components of the ARN is checked separately").
    """
    assert holds(operator, "k", policy, {"k": value}) is expected


def test_binary_equals_with_raw_bytes():
    """BinaryEquals compares bytes with the base-64 policy value.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
    """
    assert holds("BinaryEquals", "k", base64.b64encode(b"key").decode(), {"k": b"key"})


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False), ("StringNotEquals", True), ("StringLike", False), ("StringNotLike", True),
        ("NumericEquals", False), ("NumericNotEquals", True), ("DateEquals", False), ("DateNotEquals", True),
        ("Bool", False), ("IpAddress", False), ("NotIpAddress", True), ("ArnLike", False), ("ArnNotLike", True),
        ("BinaryEquals", False),
        ("StringEqualsIfExists", True), ("StringNotEqualsIfExists", True), ("BoolIfExists", True),
        ("ArnLikeIfExists", True), ("NumericLessThanIfExists", True),
    ],
)
def test_missing_key(operator, expected):
    """A missing key: positive operators false, negated operators true, IfExists true.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    "If the key that you specify in a policy condition is not present in the request
    context, the values do not match and the condition is false. If the policy condition
    requires that the key is not matched, such as StringNotLike or ArnNotLike, and the
    right key is not present, the condition is true." IfExists: "If the key is not
    present, evaluate the condition element as true."
    """
    assert holds(operator, "absent", "1", {}) is expected


def test_ifexists_still_checks_a_present_key():
    """IfExists processes a present key as the base operator does.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
    "If the policy key is present in the context of the request, process the key as
    specified in the policy."
    """
    assert holds("StringEqualsIfExists", "k", "a", {"k": "a"})
    assert not holds("StringEqualsIfExists", "k", "a", {"k": "b"})


def test_null_operator():
    """Null true: the key is absent; Null false: the key is present.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
    """
    assert holds("Null", "k", "true", {})
    assert not holds("Null", "k", "true", {"k": "v"})
    assert holds("Null", "k", "false", {"k": "v"})
    assert not holds("Null", "k", "false", {})


def test_mfa_null_and_bool_with_long_term_keys(w):
    """aws:MultiFactorAuthPresent is absent for long-term keys: Bool false does not match.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
    "This statement does not deny access to requests that are made using long-term credentials"
    """
    deny_no_mfa = {"Effect": "Deny", "Action": "kms:*", "Resource": "*",
                   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
    key = w.key(w.ROOT_STATEMENT)
    long_term = w.user(policies=(w.admin(), w.identity(deny_no_mfa)), mfa=None)
    session_no_mfa = w.user(policies=(w.admin(), w.identity(deny_no_mfa)), mfa=False)
    session_mfa = w.user(policies=(w.admin(), w.identity(deny_no_mfa)), mfa=True)
    assert w.ask(long_term, key=key).allowed
    assert not w.ask(session_no_mfa, key=key).allowed
    assert w.ask(session_mfa, key=key).allowed
    assert allowed_with(w, {"Null": {"aws:MultiFactorAuthPresent": "true"}}, key=key)


# ---------------------------------------------------------------- sets and AND/OR


def test_multiple_keys_and_multiple_values():
    """Keys and operators are AND'ed; values of one key are OR'ed.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
    "If your policy has multiple condition operators or multiple keys attached to a single
    condition operator, the conditions are evaluated using a logical AND. If a single
    condition operator includes multiple values for one key, that condition operator is
    evaluated using a logical OR."
    """
    from kmslab.engine.conditions import conditions_hold

    conds = (Condition("StringEquals", "a", ("1", "2")), Condition("StringEquals", "b", ("x",)))
    assert conditions_hold(conds, {"a": "2", "b": "x"})
    assert not conditions_hold(conds, {"a": "3", "b": "x"})
    assert not conditions_hold(conds, {"a": "1", "b": "y"})
    # Negated operator with several values: none may match (an AND of the negations).
    assert not holds("StringNotEquals", "a", ["1", "2"], {"a": "2"})
    assert holds("StringNotEquals", "a", ["1", "2"], {"a": "3"})


@pytest.mark.parametrize(
    ("operator", "request_values", "expected"),
    [
        ("ForAnyValue:StringEquals", ["app", "x"], True),
        ("ForAnyValue:StringEquals", ["x", "y"], False),
        ("ForAnyValue:StringEquals", [], False),
        ("ForAnyValue:StringEquals", None, False),
        ("ForAllValues:StringEquals", ["app", "team"], True),
        ("ForAllValues:StringEquals", ["app", "x"], False),
        ("ForAllValues:StringEquals", [], True),
        ("ForAllValues:StringEquals", None, True),
        ("ForAnyValue:StringNotEquals", ["app", "x"], True),
        ("ForAnyValue:StringNotEquals", ["app"], False),
        ("ForAllValues:StringNotEquals", ["x", "y"], True),
        ("ForAllValues:StringNotEquals", ["x", "app"], False),
        ("ForAnyValue:StringLike", ["a*"], False),  # the request value is literal
        ("ForAnyValue:StringLike", ["apple"], False),
        ("ForAnyValue:StringEqualsIfExists", None, True),
    ],
)
def test_set_operators(operator, request_values, expected):
    """ForAnyValue / ForAllValues on a multivalued key (kms:EncryptionContextKeys).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
    "ForAllValues ... returns true if every key value in the request matches at least one
    value in the policy. It also returns true if there are no keys in the request";
    "ForAnyValue ... For no matching key or a null dataset, the condition returns false."
    """
    context = {} if request_values is None else {"kms:encryptioncontextkeys": request_values}
    assert holds(operator, "kms:EncryptionContextKeys", ["app", "team"], context) is expected


# ---------------------------------------------------------------- policy variables


def test_username_variable_in_resource_and_condition(w):
    """${aws:username} is replaced by the user's friendly name.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    "IAM replaces the variable ${aws:username} with the friendly name of the actual
    current user."
    """
    key = w.key(w.ROOT_STATEMENT, tags={"owner": "alice"})
    assert allowed_with(w, {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}, key=key)
    assert not allowed_with(w, {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}, key=key,
                            caller=w.user("bob"))
    by_tag = w.user("alice", tags={"keyid": "1234abcd"}, policies=(w.allow(
        "kms:Decrypt", "arn:aws:kms:*:*:key/${aws:PrincipalTag/keyid}-*"),))
    assert w.ask(by_tag, key=key).allowed


def test_missing_variable_positive_false_negated_true(w):
    """A variable with no value: positive operators do not match, negated ones do.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
    "When you use a variable with no value in the condition element ... StringEquals or
    StringLike do not match ... Inverted condition operators like StringNotEquals or
    StringNotLike do match against a null value"
    """
    session = w.session()  # no aws:username for a role session
    ctx_key = w.key(w.ROOT_STATEMENT, tags={"owner": "alice"})
    assert not allowed_with(w, {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}},
                            caller=session, key=ctx_key)
    assert allowed_with(w, {"StringNotEquals": {"aws:ResourceTag/owner": "${aws:username}"}},
                        caller=session, key=ctx_key)
    assert allowed_with(w, {"StringNotLike": {"aws:ResourceTag/owner": "${aws:username}*"}},
                        caller=session, key=ctx_key)


def test_missing_variable_in_resource_matches_nothing(w):
    """A Resource with an unresolved variable matches no resource.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
    "the resource that includes a policy variable with no value will not match any resource."
    """
    caller = w.session(policies=(w.allow("kms:Decrypt", "arn:aws:kms:*:*:key/${aws:username}*"),))
    assert not w.ask(caller, key=w.key(w.ROOT_STATEMENT)).allowed
    deny_other = w.identity({"Effect": "Deny", "Action": "kms:*", "NotResource": "arn:aws:kms:*:*:key/${aws:username}"})
    caller = w.session(policies=(w.admin(), deny_other))
    assert not w.ask(caller, key=w.key(w.ROOT_STATEMENT)).allowed  # NotResource matches nothing: Deny applies


def test_variable_default_value(w):
    """${key, 'default'} uses the default when the key is missing.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-default-values
    """
    key = w.key(w.ROOT_STATEMENT, tags={"team": "company-wide"})
    cond = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team, 'company-wide'}"}}
    assert allowed_with(w, cond, key=key)
    assert not allowed_with(w, cond, key=key, caller=w.user(tags={"team": "yellow"}))


def test_special_character_variables_are_literal(w):
    """${*} and ${?} stand for a literal * and ?, not wildcards.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
    "${*} - use where you need an * (asterisk) character."
    """
    key_star = w.key(w.ROOT_STATEMENT, tags={"pattern": "a*"})
    key_abc = w.key(w.ROOT_STATEMENT, tags={"pattern": "abc"})
    cond = {"StringLike": {"aws:ResourceTag/pattern": "a${*}"}}
    assert allowed_with(w, cond, key=key_star)
    assert not allowed_with(w, cond, key=key_abc)
    assert allowed_with(w, {"StringEquals": {"aws:ResourceTag/pattern": "a${*}"}}, key=key_star)
    assert allowed_with(w, {"StringEquals": {"aws:ResourceTag/pattern": "${$}x"}},
                        key=w.key(w.ROOT_STATEMENT, tags={"pattern": "$x"}))


def test_variables_need_version_2012_10_17(w):
    """Without Version 2012-10-17, ${aws:username} is literal text.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    "If you don't include the Version element and set it to an appropriate version date,
    variables like ${aws:username} are treated as literal strings in the policy."
    """
    cond = {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert allowed_with(w, cond, key=w.key(w.ROOT_STATEMENT, tags={"owner": "alice"}))
    for version in (None, "2008-10-17"):
        assert not allowed_with(w, cond, key=w.key(w.ROOT_STATEMENT, tags={"owner": "alice"}), version=version)
        assert allowed_with(w, cond, key=w.key(w.ROOT_STATEMENT, tags={"owner": "${aws:username}"}),
                            version=version)


def test_multivalued_key_is_not_a_variable(w):
    """A multivalued key cannot be used as a policy variable.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_single-vs-multi-valued-context-keys.html
    "You cannot use a multivalued condition key as a policy variable."
    """
    key = w.key(w.ROOT_STATEMENT, aliases=("alias/a",), tags={"x": "alias/a"})
    assert not allowed_with(w, {"StringEquals": {"aws:ResourceTag/x": "${kms:ResourceAliases}"}}, key=key)


# ---------------------------------------------------------------- key names


def test_condition_key_names_case_insensitive(w):
    """Condition key names, tag keys and encryption context keys ignore case; values do not.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    "Condition key names are not case-sensitive."
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
    "The key name is not case sensitive. The case sensitivity of the value is determined
    by the condition operator"
    """
    assert allowed_with(w, {"StringEquals": {"AWS:SOURCEIP": "203.0.113.5"}}, context={"aws:SourceIp": "203.0.113.5"})
    assert allowed_with(w, {"StringEquals": {"kms:EncryptionContext:Department": "IT"}},
                        context={"kms:EncryptionContext:department": "IT"})
    assert not allowed_with(w, {"StringEquals": {"kms:EncryptionContext:Department": "IT"}},
                            context={"kms:EncryptionContext:Department": "it"})
    assert allowed_with(w, {"StringEqualsIgnoreCase": {"kms:EncryptionContext:Department": "IT"}},
                        context={"kms:EncryptionContext:Department": "it"})
    assert allowed_with(w, {"StringEquals": {"aws:ResourceTag/Env": "prod"}},
                        key=w.key(w.ROOT_STATEMENT, tags={"env": "prod"}))


# ---------------------------------------------------------------- the request context keys

CONDITION_KEYS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"


def test_derived_context_for_a_user(w):
    """What request_context() derives for an IAM user and a key.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    caller = w.user("alice", tags={"Team": "blue"}, mfa=True, user_id="AIDAEXAMPLEALICE00001")
    key = w.key(w.ROOT_STATEMENT, aliases=("alias/demo", "alias/other"), tags={"Env": "prod"},
                key_spec="SYMMETRIC_DEFAULT", key_usage="ENCRYPT_DECRYPT", origin="AWS_KMS")
    ctx = request_context(Request(caller=caller, action="kms:Decrypt", key=key, region="eu-west-1"))
    assert ctx["aws:principalarn"] == caller.arn
    assert ctx["aws:principalaccount"] == w.ACCOUNT
    assert ctx["aws:principaltype"] == "User"
    assert ctx["aws:username"] == "alice"
    assert ctx["aws:userid"] == "AIDAEXAMPLEALICE00001"
    assert ctx["aws:principaltag/team"] == "blue"
    assert ctx["aws:multifactorauthpresent"] == "true"
    assert ctx["aws:requestedregion"] == "eu-west-1"
    assert ctx["aws:securetransport"] == "true"
    assert ctx["aws:resourcetag/env"] == "prod"
    assert ctx["kms:calleraccount"] == w.ACCOUNT
    assert ctx["kms:keyspec"] == "SYMMETRIC_DEFAULT"
    assert ctx["kms:keyusage"] == "ENCRYPT_DECRYPT"
    assert ctx["kms:keyorigin"] == "AWS_KMS"
    assert ctx["kms:resourcealiases"] == ["alias/demo", "alias/other"]
    now = datetime.now(UTC)
    assert abs(datetime.fromisoformat(ctx["aws:currenttime"].replace("Z", "+00:00")) - now) < timedelta(seconds=5)


def test_derived_context_for_session_and_root(w):
    """aws:PrincipalArn is the role ARN for sessions; no aws:username for sessions or root.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    "For IAM roles, the request context returns the ARN of the role, not the ARN of the
    user that assumed the role."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
    """
    session = w.session("app", session="s1")
    ctx = request_context(Request(caller=session, action="kms:Decrypt", key=w.key(w.ROOT_STATEMENT)))
    assert ctx["aws:principalarn"] == f"arn:aws:iam::{w.ACCOUNT}:role/app"
    assert ctx["aws:principaltype"] == "AssumedRole"
    assert ctx["aws:userid"] == "AROAEXAMPLEROLEID0001:s1"
    assert "aws:username" not in ctx
    root = request_context(Request(caller=w.root(), action="kms:ListKeys"))
    assert root["aws:principalarn"] == f"arn:aws:iam::{w.ACCOUNT}:root"
    assert root["aws:principaltype"] == "Account"
    assert root["aws:userid"] == w.ACCOUNT
    assert "aws:username" not in root and "kms:keyspec" not in root


@pytest.mark.parametrize(
    ("condition", "caller_kind"),
    [
        ({"StringEquals": {"kms:CallerAccount": "111122223333"}}, "user"),
        ({"StringEquals": {"aws:PrincipalAccount": "111122223333"}}, "user"),
        ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}, "session"),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"}}, "user"),
        ({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, "session"),
        ({"StringEquals": {"aws:PrincipalTag/team": "blue"}}, "user"),
        ({"StringEquals": {"aws:username": "alice"}}, "user"),
        ({"StringLike": {"aws:userid": "AROA*:kmslab"}}, "session"),
        ({"StringLike": {"aws:userid": "AIDA*"}}, "user"),
        ({"Bool": {"aws:MultiFactorAuthPresent": "false"}}, "session"),
        ({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}, "user"),
        ({"StringEquals": {"aws:ResourceTag/env": "prod"}}, "user"),
        ({"Bool": {"aws:SecureTransport": "true"}}, "user"),
        ({"DateLessThan": {"aws:CurrentTime": "2999-01-01T00:00:00Z"}}, "user"),
        ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, "user"),
        ({"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}}, "user"),
        ({"StringEquals": {"kms:KeyUsage": "ENCRYPT_DECRYPT"}}, "user"),
        ({"StringEquals": {"kms:KeyOrigin": "AWS_KMS"}}, "user"),
        ({"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/dem*"}}, "user"),
    ],
)
def test_derived_keys_in_policies(w, condition, caller_kind):
    """Each derived key works in a policy condition.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    caller = w.user("alice", tags={"team": "blue"}) if caller_kind == "user" else w.session("app")
    key = w.key(w.ROOT_STATEMENT, aliases=("alias/demo",), tags={"env": "prod"})
    assert allowed_with(w, condition, caller=caller, key=key)
    opposite = {"StringEquals": "StringNotEquals", "StringLike": "StringNotLike", "ArnEquals": "ArnNotEquals",
                "ArnLike": "ArnNotLike", "DateLessThan": "DateGreaterThanEquals",
                "DateGreaterThan": "DateLessThanEquals", "ForAnyValue:StringLike": "ForAnyValue:StringNotLike"}
    negated = {opposite.get(op, op): v for op, v in condition.items()}
    if "Bool" not in condition:
        assert not allowed_with(w, negated, caller=caller, key=key)


@pytest.mark.parametrize(
    ("condition", "context"),
    [
        ({"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
         {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}),
        ({"StringEquals": {"kms:EncryptionContext:app": "billing"}}, {"kms:EncryptionContext:app": "billing"}),
        ({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["app", "team"]}},
         {"kms:EncryptionContextKeys": ["app"]}),
        ({"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}},
         {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
        ({"StringEquals": {"kms:RequestAlias": "alias/demo"}}, {"kms:RequestAlias": "alias/demo"}),
        ({"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt", "Encrypt"]}},
         {"kms:GrantOperations": ["Decrypt"]}),
        ({"StringEquals": {"kms:GranteePrincipal": "arn:aws:iam::111122223333:role/app"}},
         {"kms:GranteePrincipal": "arn:aws:iam::111122223333:role/app"}),
        ({"Bool": {"kms:GrantIsForAWSResource": "true"}}, {"kms:GrantIsForAWSResource": "true"}),
        ({"Bool": {"kms:BypassPolicyLockoutSafetyCheck": "false"}}, {"kms:BypassPolicyLockoutSafetyCheck": "false"}),
        ({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, {"aws:SourceIp": "192.0.2.10"}),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "192.0.2.10"}),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"}),
    ],
)
def test_request_specific_keys_from_context(w, condition, context):
    """Request-specific keys come in Request.context (as the lab passes them).

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
    """
    assert allowed_with(w, condition, context=context)
    # Without the key: false, except ForAllValues and negated operators (true when absent).
    if not any(op.startswith(("ForAllValues", "Not")) for op in condition):
        assert not allowed_with(w, condition, context={})


def test_encryption_context_keys_derived_from_request(w):
    """kms:EncryptionContext:* and kms:EncryptionContextKeys follow the request's context.

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context-keys
    "ForAnyValue: At least one encryption context key in the request must match ... If the
    request has no encryption context, the condition is not satisfied."
    """
    cond = {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "app"}}
    assert allowed_with(w, cond, encryption_context={"app": "billing"})
    assert not allowed_with(w, cond, encryption_context={"team": "x"})
    assert not allowed_with(w, cond)
    assert allowed_with(w, {"StringEquals": {"kms:EncryptionContext:app": "billing"}},
                        encryption_context={"app": "billing"})


def test_via_service_limits_key_policy(w):
    """kms:ViaService in a key policy: only requests through that service.

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
    "limits use of an KMS key to requests from specified AWS services."
    """
    caller = w.user()
    key = w.key(w.stmt(caller.arn, Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}))
    assert not w.ask(caller, key=key).allowed
    assert w.ask(caller, key=key, context={"kms:ViaService": "s3.us-east-1.amazonaws.com"}).allowed


def test_caller_account_with_star_principal(w):
    """Principal "*" with kms:CallerAccount: all identities of one account (AWS managed keys).

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
    "you can achieve this effect by combining this condition key with a Principal element
    that specifies all AWS identities."
    """
    key = w.key(w.stmt("*", "kms:Decrypt", Condition={"StringEquals": {"kms:CallerAccount": w.ACCOUNT}}))
    assert w.ask(w.user("anyone"), key=key).allowed
    assert not w.ask(w.user("anyone", w.OTHER, policies=(w.admin(),)), key=key).allowed


def test_reencrypt_on_same_key_comes_from_the_resolved_keys():
    """kms:ReEncryptOnSameKey is set for ReEncrypt only, true when source and destination are one key.

    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-reencrypt-on-same-key
    """
    from kmslab.engine.context import request_keys

    assert request_keys("ReEncrypt", {}, same_key=True)["kms:ReEncryptOnSameKey"] == "true"
    assert request_keys("ReEncrypt", {}, same_key=False)["kms:ReEncryptOnSameKey"] == "false"
    assert "kms:ReEncryptOnSameKey" not in request_keys("Decrypt", {}, same_key=True)


@pytest.mark.parametrize(("operation", "params", "key", "value"), [
    ("Sign", {"SigningAlgorithm": "ECDSA_SHA_256"}, "kms:SigningAlgorithm", "ECDSA_SHA_256"),
    ("Verify", {}, "kms:MessageType", "RAW"),
    ("Sign", {"MessageType": "DIGEST"}, "kms:MessageType", "DIGEST"),
    ("GenerateMac", {"MacAlgorithm": "HMAC_SHA_256"}, "kms:MacAlgorithm", "HMAC_SHA_256"),
    ("GenerateDataKeyPair", {"KeyPairSpec": "RSA_2048"}, "kms:DataKeyPairSpec", "RSA_2048"),
    ("ScheduleKeyDeletion", {"PendingWindowInDays": 7}, "kms:ScheduleKeyDeletionPendingWindowInDays", "7"),
    ("ScheduleKeyDeletion", {}, "kms:ScheduleKeyDeletionPendingWindowInDays", "30"),
    ("EnableKeyRotation", {"RotationPeriodInDays": 90}, "kms:RotationPeriodInDays", "90"),
])
def test_parameter_condition_keys(operation, params, key, value):
    """Each key carries its request parameter, or the parameter's default when absent: "This type of
    condition works even when the parameter doesn't appear in the request, such as when you use the
    parameter's default value." https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"""
    from kmslab.engine.context import request_keys

    assert request_keys(operation, params)[key] == value
    assert key not in request_keys("Encrypt", params)


def test_pending_window_condition_limits_schedule_key_deletion(w):
    """kms:ScheduleKeyDeletionPendingWindowInDays with a numeric operator: a key policy that allows
    ScheduleKeyDeletion only with a window of at least 21 days.
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html"""
    from kmslab.engine import RequestKeys

    key = w.key(w.stmt(f"arn:aws:iam::{w.ACCOUNT}:user/alice", "kms:ScheduleKeyDeletion", Condition={
        "NumericGreaterThanEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": "21"}}))
    alice = w.user("alice")
    assert not w.ask(alice, "kms:ScheduleKeyDeletion", key,
                     context=RequestKeys("ScheduleKeyDeletion", {"PendingWindowInDays": 7})).allowed
    assert w.ask(alice, "kms:ScheduleKeyDeletion", key,
                 context=RequestKeys("ScheduleKeyDeletion", {"PendingWindowInDays": 30})).allowed
