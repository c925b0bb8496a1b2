"""Property-based tests of the engine with generated policies (hypothesis).

The rules checked are the evaluation logic's invariants:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"An explicit deny in any policy overrides any allows"; an Allow can only add permissions;
statements are all evaluated, so their order and grouping never matter.
Wildcards: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

import contextlib
import json
import random
from dataclasses import replace
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmslab.engine import (
    Caller,
    Grant,
    Key,
    Policy,
    PolicyError,
    Request,
    UnknownActionError,
    authorize,
)
from kmslab.engine.conditions import _arn_like
from kmslab.engine.matching import wildcard_match

ACCOUNT, OTHER = "111122223333", "444455556666"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CALLERS = {
    "alice": Caller(arn=f"arn:aws:iam::{ACCOUNT}:user/alice", account=ACCOUNT, principal_type="User",
                    user_id="AIDAEXAMPLEALICE00001", username="alice", tags={"team": "blue"}),
    "bob-other": Caller(arn=f"arn:aws:iam::{OTHER}:user/bob", account=OTHER, principal_type="User",
                        user_id="AIDAEXAMPLEBOB0000001", username="bob"),
    "session": Caller(arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1", account=ACCOUNT,
                      principal_type="AssumedRole", user_id="AROAEXAMPLEROLEID0001:s1",
                      role_arn=f"arn:aws:iam::{ACCOUNT}:role/app", mfa=False),
    "root": Caller(arn=f"arn:aws:iam::{ACCOUNT}:root", account=ACCOUNT, principal_type="Account", user_id=ACCOUNT),
    "root-other": Caller(arn=f"arn:aws:iam::{OTHER}:root", account=OTHER, principal_type="Account", user_id=OTHER),
}
ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:DescribeKey", "kms:PutKeyPolicy", "kms:ReEncryptFrom",
           "kms:CreateGrant", "kms:ListKeys", "kms:CreateKey"]
ACTION_PATTERNS = ["kms:*", "*", "kms:Decrypt", "kms:Encrypt", "kms:De*", "kms:*crypt", "kms:?ncrypt",
                   "kms:Describe*", "kms:Put*", "kms:ReEncrypt*", "kms:Create*", "kms:List*", "s3:*", "KMS:DECRYPT"]
RESOURCES = ["*", KEY_ARN, f"arn:aws:kms:*:{ACCOUNT}:key/*", "arn:aws:kms:*:*:key/1234*",
             f"arn:aws:kms:us-east-1:{OTHER}:key/*", "arn:aws:kms:*:*:key/${aws:username}*"]
PRINCIPALS = ["*", f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/alice",
              f"arn:aws:iam::{ACCOUNT}:role/app", f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1", OTHER,
              f"arn:aws:iam::{OTHER}:user/bob", "AROAEXAMPLEROLEID0001"]
CONDITIONS = [
    {"StringEquals": {"aws:username": "alice"}},
    {"StringNotEquals": {"kms:CallerAccount": ACCOUNT}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}},
    {"Null": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEqualsIfExists": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
    {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["app"]}},
    {"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}},
]

effects = st.sampled_from(["Allow", "Allow", "Allow", "Deny"])  # mostly Allow, so both outcomes occur
some = st.lists  # shorthand


@st.composite
def statements(draw, kind: str, effect: str | None = None) -> dict[str, Any]:
    eff = effect or draw(effects)
    s: dict[str, Any] = {"Effect": eff}
    acts = draw(some(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3))
    s["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = acts if len(acts) > 1 else acts[0]
    if kind == "resource":
        s["Resource"] = "*"
        principals = draw(some(st.sampled_from(PRINCIPALS), min_size=1, max_size=3))
        if eff == "Deny" and draw(st.integers(0, 4)) == 0:
            s["NotPrincipal"] = {"AWS": principals}
        else:
            s["Principal"] = "*" if principals == ["*"] and draw(st.booleans()) else {"AWS": principals}
    else:
        res = draw(some(st.sampled_from(RESOURCES), min_size=1, max_size=2))
        s["NotResource" if draw(st.integers(0, 6)) == 0 else "Resource"] = res
    if draw(st.integers(0, 3)) == 0:
        cond: dict[str, Any] = {}
        for c in draw(some(st.sampled_from(CONDITIONS), min_size=1, max_size=2)):
            for op, block in c.items():
                cond.setdefault(op, {}).update(block)
        s["Condition"] = cond
    return s


def documents(kind: str, min_size: int = 1):
    return some(statements(kind), min_size=min_size, max_size=4).map(
        lambda stmts: {"Version": "2012-10-17", "Statement": stmts})


@st.composite
def worlds(draw) -> dict[str, Any]:
    """A caller, the documents of every policy type, grants, and one request."""
    caller = draw(st.sampled_from(sorted(CALLERS)))
    is_session = caller == "session"
    world: dict[str, Any] = {
        "caller": caller,
        "action": draw(st.sampled_from(ACTIONS)),
        "key": draw(documents("resource")),
        "identity": draw(some(documents("identity"), max_size=2)),
        "boundary": draw(st.none() | documents("boundary")) if not caller.startswith("root") else None,
        "session": draw(some(documents("session"), max_size=1)) if is_session else [],
        "scps": draw(st.sampled_from([None, None, "scps"]).flatmap(
            lambda v: st.none() if v is None else some(documents("scp"), max_size=2))),
        "grants": draw(some(st.tuples(st.sampled_from([CALLERS[c].arn for c in CALLERS] + [
            f"arn:aws:iam::{ACCOUNT}:role/app", f"arn:aws:iam::{OTHER}:root"]),
            st.frozensets(st.sampled_from(["Decrypt", "Encrypt", "DescribeKey", "CreateGrant"]), min_size=1)),
            max_size=2)),
        "context": draw(st.fixed_dictionaries({}, optional={
            "aws:SourceIp": st.sampled_from(["192.0.2.10", "203.0.113.5"]),
            "kms:ViaService": st.just("ec2.us-east-1.amazonaws.com")})),
        "encryption_context": draw(st.none() | st.just({"app": "x"})),
    }
    return world


def decide(world: dict[str, Any]):
    caller = CALLERS[world["caller"]]
    pol = Policy.parse
    caller = replace(
        caller,
        identity_policies=tuple(pol(d, name=f"id{i}", kind="identity") for i, d in enumerate(world["identity"])),
        permissions_boundary=pol(world["boundary"], name="b", kind="boundary") if world["boundary"] else None,
        session_policies=tuple(pol(d, name="sp", kind="session") for d in world["session"]),
    )
    grants = tuple(Grant(grant_id=f"g{i}", grantee_principal=g, operations=ops)
                   for i, (g, ops) in enumerate(world["grants"]))
    key = Key(arn=KEY_ARN, key_id=KEY_ARN.rsplit("/", 1)[1], account=ACCOUNT, region="us-east-1",
              policy=pol(world["key"], name="key policy", kind="resource"), grants=grants)
    scps = None if world["scps"] is None else tuple(pol(d, name=f"scp{i}", kind="scp")
                                                     for i, d in enumerate(world["scps"]))
    return authorize(Request(caller=caller, action=world["action"], key=key, context=world["context"],
                             scps=scps, encryption_context=world["encryption_context"]))


def _targets(world: dict[str, Any]) -> list[tuple[str, int | None]]:
    """Existing policies a statement can be added to (adding a new boundary would restrict)."""
    out: list[tuple[str, int | None]] = [("key", None), ("identity-new", None)]
    out += [("identity", i) for i in range(len(world["identity"]))]
    if world["boundary"]:
        out.append(("boundary", None))
    out += [("session", i) for i in range(len(world["session"]))]
    if world["scps"]:
        out += [("scps", i) for i in range(len(world["scps"]))]
    return out


def _add(world: dict[str, Any], where: tuple[str, int | None], stmt: dict[str, Any]) -> dict[str, Any]:
    new = json.loads(json.dumps(world, default=sorted))
    new["grants"] = world["grants"]
    name, index = where
    if name == "identity-new":
        new["identity"].append({"Version": "2012-10-17", "Statement": [stmt]})
    elif index is None:
        new[name]["Statement"].append(stmt)
    else:
        new[name][index]["Statement"].append(stmt)
    return new


@SETTINGS
@given(worlds(), st.data())
def test_adding_a_deny_never_allows(world, data):
    """Adding a Deny statement never turns a denied request into an allowed one.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "An explicit deny in any policy overrides any allows."
    """
    before = decide(world)
    where = data.draw(st.sampled_from(_targets(world)))
    kind = "resource" if where[0] == "key" else "identity"
    after = decide(_add(world, where, data.draw(statements(kind, "Deny"))))
    if not before.allowed:
        assert not after.allowed


@SETTINGS
@given(worlds(), st.data())
def test_adding_an_allow_never_denies(world, data):
    """Adding an Allow statement never turns an allowed request into a denied one.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "An explicit allow in an identity-based or resource-based policy overrides this default."
    """
    before = decide(world)
    where = data.draw(st.sampled_from(_targets(world)))
    kind = "resource" if where[0] == "key" else "identity"
    after = decide(_add(world, where, data.draw(statements(kind, "Allow"))))
    if before.allowed:
        assert after.allowed, (before.reason, after.reason)


@SETTINGS
@given(worlds(), st.randoms(use_true_random=False))
def test_statement_order_and_splitting_never_matter(world, rnd):
    """Shuffling statements, and splitting an identity policy in two, never change a decision.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    "AWS evaluates all policies that are applicable to the request context."
    """
    before = decide(world)
    shuffled = json.loads(json.dumps(world, default=sorted))
    shuffled["grants"] = world["grants"]
    docs = [shuffled["key"], *shuffled["identity"], *shuffled["session"], *(shuffled["scps"] or [])]
    if shuffled["boundary"]:
        docs.append(shuffled["boundary"])
    for doc in docs:
        rnd.shuffle(doc["Statement"])
    split = []
    for doc in shuffled["identity"]:
        stmts = doc["Statement"]
        cut = rnd.randint(1, len(stmts)) if len(stmts) > 1 else 1
        split.append({"Version": "2012-10-17", "Statement": stmts[:cut]})
        if stmts[cut:]:
            split.append({"Version": "2012-10-17", "Statement": stmts[cut:]})
    shuffled["identity"] = split
    after = decide(shuffled)
    assert (after.allowed, after.message) == (before.allowed, before.message)


def _flip_case(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, str):
        return "".join(c.upper() if rnd.random() < 0.5 else c.lower() for c in value)
    if isinstance(value, list):
        return [_flip_case(v, rnd) for v in value]
    return value


@SETTINGS
@given(worlds(), st.randoms(use_true_random=False))
def test_action_names_match_regardless_of_case(world, rnd):
    """Changing the case of actions, in the request and in every Action/NotAction, changes nothing.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    "The prefix and the action name are case insensitive."
    """
    before = decide(world)
    flipped = json.loads(json.dumps(world, default=sorted))
    flipped["grants"] = world["grants"]
    flipped["action"] = _flip_case(world["action"], rnd)
    docs = [flipped["key"], *flipped["identity"], *flipped["session"], *(flipped["scps"] or [])]
    if flipped["boundary"]:
        docs.append(flipped["boundary"])
    for doc in docs:
        for s in doc["Statement"]:
            for element in ("Action", "NotAction"):
                if element in s:
                    s[element] = _flip_case(s[element], rnd)
    after = decide(flipped)
    assert after.allowed == before.allowed
    assert after.action == before.action


# ---------------------------------------------------------------- fuzzing the parser

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["*", "Allow", "Deny", "kms:*", ACCOUNT, "2012-10-17", "StringEquals", "AWS"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["Version", "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource",
                         "Principal", "NotPrincipal", "Condition", "Sid", "AWS", "StringEquals", "Bool",
                         "ForAnyValue:StringLike", "Null", "aws:username", "Id", "x"]) | st.text(max_size=5),
        children, max_size=5),
    max_leaves=20,
)
KINDS = ["resource", "identity", "boundary", "session", "scp"]


def _exercise(policy: Policy) -> None:
    """Authorize with a parsed policy in its role; nothing may raise."""
    for caller in CALLERS.values():
        if policy.kind == "resource":
            key = Key(arn=KEY_ARN, key_id="k", account=ACCOUNT, region="us-east-1", policy=policy)
            authorize(Request(caller=caller, action="kms:Decrypt", key=key, context={"aws:SourceIp": "192.0.2.1"}))
        else:
            key = Key(arn=KEY_ARN, key_id="k", account=ACCOUNT, region="us-east-1",
                      policy=Policy.parse({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                                                         "Resource": "*"}}, name="kp", kind="resource"))
            field = {"identity": {"identity_policies": (policy,)}, "boundary": {"permissions_boundary": policy},
                     "session": {"session_policies": (policy,)}, "scp": {}}[policy.kind]
            authorize(Request(caller=replace(caller, **field), action="kms:Encrypt", key=key,
                              scps=(policy,) if policy.kind == "scp" else None))


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from(KINDS))
def test_parse_never_raises_anything_but_policy_error(document, kind):
    """Random JSON-ish documents: PolicyError or a Policy that authorize() can use.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    ("MalformedPolicyDocumentException: ... not syntactically or semantically correct")
    """
    for candidate in (document, json.dumps(document)):
        try:
            policy = Policy.parse(candidate, name="fuzz", kind=kind)  # type: ignore[arg-type]
        except PolicyError:
            continue
        _exercise(policy)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from(KINDS))
def test_parse_random_text(text, kind):
    """Random text: never anything but PolicyError.

    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    """
    with contextlib.suppress(PolicyError):
        _exercise(Policy.parse(text, name="fuzz", kind=kind))  # type: ignore[arg-type]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


@settings(max_examples=300, deadline=None)
@given(worlds(), st.data())
def test_mutated_real_policies(world, data):
    """Valid policies with one subtree replaced or deleted: PolicyError or a usable Policy.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """
    kind = data.draw(st.sampled_from(["resource", "identity"]))
    doc = json.loads(json.dumps(world["key"] if kind == "resource" else (world["identity"] or [world["key"]])[0]))
    path = data.draw(st.sampled_from(_paths(doc)[1:]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()):
        parent[path[-1]] = data.draw(json_values)
    else:
        del parent[path[-1]]
    try:
        policy = Policy.parse(doc, name="mutant", kind=kind)  # type: ignore[arg-type]
    except PolicyError:
        return
    _exercise(policy)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_unknown_actions_raise_only_unknown_action_error(name):
    """Any action string: a decision or UnknownActionError.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
    """
    key = Key(arn=KEY_ARN, key_id="k", account=ACCOUNT, region="us-east-1",
              policy=Policy.parse({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                                                 "Resource": "*"}}, name="kp", kind="resource"))
    with contextlib.suppress(UnknownActionError):
        authorize(Request(caller=CALLERS["alice"], action=name, key=key))


# ---------------------------------------------------------------- wildcards vs a reference


@cache
def reference_match(pattern: str, value: str) -> bool:
    """An independent, recursive matcher: `*` any run, `?` one character, else equality."""
    if not pattern:
        return not value
    head = pattern[0]
    if head == "*":
        return reference_match(pattern[1:], value) or (bool(value) and reference_match(pattern, value[1:]))
    if not value:
        return False
    return (head == "?" or head == value[0]) and reference_match(pattern[1:], value[1:])


pattern_text = st.text(alphabet="ab*?.[]:/\\^$", max_size=10)
value_text = st.text(alphabet="abAB.[]:/\\^$\n", max_size=10)


@settings(max_examples=400, deadline=None)
@given(pattern_text, value_text)
def test_wildcard_match_agrees_with_reference(pattern, value):
    """IAM wildcards: the engine agrees with a recursive reference matcher.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    "an asterisk (*) ... any combination of characters ... a question mark (?) ... any single character"
    """
    assert wildcard_match(pattern, value) == reference_match(pattern, value)
    assert wildcard_match(pattern, value, ignore_case=True) == reference_match(pattern.lower(), value.lower())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab*?", max_size=4), min_size=6, max_size=6),
       st.lists(st.text(alphabet="ab", max_size=4), min_size=6, max_size=6))
def test_arn_like_matches_each_part_separately(pattern_parts, value_parts):
    """ArnLike: each of the six colon-separated parts matched apart.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
    "Each of the six colon-delimited components of the ARN is checked separately"
    """
    expected = all(reference_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))
    assert _arn_like(":".join(pattern_parts), ":".join(value_parts)) == expected
