"""Bad input gets a clear error, AWS's limits hold, a failed operation changes nothing, nothing is lost (issue 15)."""

from __future__ import annotations

import json
import sys
import threading

import pytest
from botocore.exceptions import ClientError

from kmslab.engine import Policy, PolicyError
from kmslab.lab import Lab, LabError

ALLOW_KMS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}


@pytest.fixture
def lab():
    lab = Lab()
    lab.create_user("kms-test-2", managed_policies=["AdministratorAccess"])
    lab.create_key("demo")
    yield lab
    lab.stop()


# ------------------------------------------------------------------ bad input -> LabError naming it


@pytest.mark.parametrize("principal", [None, 42, "", "arn:foo", "role/", "assumed-role/x", "role/none",
                                       "nobody", "arn:aws:iam::999999999999:user/x"])
def test_a_principal_the_lab_cannot_call_as_is_a_lab_error(lab, principal):
    with pytest.raises(LabError) as exc:
        lab.request(principal, "kms:Decrypt", "demo")
    assert repr(principal) in str(exc.value) or str(principal) in str(exc.value)


def test_an_action_that_is_not_a_string_is_a_lab_error(lab):
    with pytest.raises(LabError, match="An action is a string"):
        lab.request("kms-test-2", None, "demo")


def test_a_grant_without_grantee_is_a_lab_error(lab):
    with pytest.raises(LabError, match="grantee"):
        lab.request("kms-test-2", "kms:CreateGrant", "demo", grant={"operations": ["Decrypt"]})


@pytest.mark.parametrize(("option", "value", "words"), [
    ("encryption_algorithm", "ROT13", "SYMMETRIC_DEFAULT"),
    ("source_ip", "not-an-ip", "source_ip"),
    ("encryption_context", {"k": "v" * 10_000_000}, "encryption_context"),
    ("encryption_context", {"k": 1}, "strings"),
])
def test_request_options_no_aws_request_could_carry_are_lab_errors(lab, option, value, words):
    with pytest.raises(LabError, match=words):
        lab.request("kms-test-2", "kms:Encrypt", "demo", **{option: value})


def test_valid_request_options_still_work(lab):
    outcome = lab.request("kms-test-2", "kms:Encrypt", "demo", encryption_algorithm="SYMMETRIC_DEFAULT",
                          source_ip="203.0.113.10", encryption_context={"purpose": "test"})
    assert outcome.decision == "allowed"


@pytest.mark.parametrize("principal", ["role/none", "arn:foo", "assumed-role/x", "role/"])
def test_explain_with_a_bad_principal_says_so_without_a_traceback(principal, capsys):
    from kmslab.cli import main

    rc = main(["explain", "kmslab/scenarios/seed-without-root.yaml", "--principal", principal,
               "--action", "Decrypt", "--key", "demo"])
    err = capsys.readouterr().err
    assert rc != 0 and "Traceback" not in err
    assert err.startswith("kmslab: ") and principal in err


# ------------------------------------------------------------------ validated as AWS does
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_an_identity_policy_with_a_principal_is_malformed(lab):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*",
                                                    "Resource": "*"}]}
    with pytest.raises(ClientError) as exc:
        lab.put_inline_policy("kms-test-2", "p", doc)
    assert _code(exc) == "MalformedPolicyDocument" and "principal" in str(exc.value)
    assert lab.request("kms-test-2", "kms:Encrypt", "demo").decision == "allowed"  # the user still works


@pytest.mark.parametrize(("kind", "limit"), [("user", 2048), ("role", 10240), ("group", 5120)])
def test_inline_policies_beyond_iams_quota_are_refused(lab, kind, limit):
    if kind == "role":
        lab.create_role("app")
    if kind == "group":
        lab.create_group("g")
    target = {"user": "kms-test-2", "role": "role/app", "group": "arn:aws:iam::111122223333:group/g"}[kind]

    def doc(size: int) -> str:
        pad = size - len(json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}, separators=(",", ":")))
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "A" * pad, "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}, separators=(",", ":"))

    lab.put_inline_policy(target, "fits", doc(limit))  # exactly at the quota: accepted
    lab.put_inline_policy(target, "fits", json.dumps(json.loads(doc(limit)), indent=8))  # white space is free
    with pytest.raises(ClientError) as exc:
        lab.put_inline_policy(target, "more", doc(100))  # the sum of the entity's inline policies counts
    assert _code(exc) == "LimitExceeded" and str(limit) in str(exc.value)
    with pytest.raises(ClientError):
        lab.put_inline_policy(target, "huge", doc(1_000_000))


def test_a_managed_policy_beyond_6144_characters_is_refused(lab):
    big = {"Version": "2012-10-17", "Statement": [{"Sid": "A" * 6200, "Effect": "Allow", "Action": "kms:*",
                                                    "Resource": "*"}]}
    with pytest.raises(ClientError) as exc:
        lab.create_policy("big", big)
    # IAM's own wording [obs], kmslab/lab/iam_rules.py cites where it was seen.
    assert _code(exc) == "LimitExceeded"
    assert exc.value.response["Error"]["Message"] == "Cannot exceed the quota for PolicySize: 6144."


@pytest.mark.parametrize("name", ["../../etc", "\u202ealice", "\u0430lice", "a b", "x" * 65])
def test_names_iam_refuses_are_refused(lab, name):
    with pytest.raises(ClientError) as exc:
        lab.create_user(name)
    assert _code(exc) == "ValidationError"
    assert lab.users() == ["arn:aws:iam::111122223333:user/kms-test-2"]
    with pytest.raises(ClientError):
        lab.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ALLOW_KMS))


def test_a_policy_with_a_duplicate_key_is_refused():
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"kms:*","Resource":"*"}]}'
    with pytest.raises(PolicyError, match="'Effect' twice"):
        Policy.parse(text, name="p", kind="identity")


def test_an_iam_policy_with_a_duplicate_key_is_refused_by_iam(lab):
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"kms:*","Resource":"*"}]}'
    with pytest.raises(ClientError) as exc:
        lab.put_inline_policy("kms-test-2", "dup", text)
    assert _code(exc) == "MalformedPolicyDocument"


# ------------------------------------------------------------------ a failed operation changes nothing


def test_a_second_create_key_with_the_same_name_changes_nothing(lab):
    arn, aliases = lab.key_arn("demo"), lab.admin("kms").list_aliases()["Aliases"]
    keys = lab.admin("kms").list_keys()["Keys"]
    with pytest.raises(LabError, match="demo"):
        lab.create_key("demo")
    assert lab.key_arn("demo") == arn
    assert lab.admin("kms").list_aliases()["Aliases"] == aliases
    assert lab.admin("kms").list_keys()["Keys"] == keys


def test_a_key_name_no_alias_can_have_changes_nothing(lab):
    keys = lab.admin("kms").list_keys()["Keys"]
    with pytest.raises(LabError, match="alias"):
        lab.create_key("../../etc")
    assert lab.key_names() == ["demo"]
    assert lab.admin("kms").list_keys()["Keys"] == keys


def test_a_create_key_failing_after_createkey_leaves_no_key(lab, monkeypatch):
    keys = lab.admin("kms").list_keys()["Keys"]
    kms = lab.admin("kms")

    def refuse(**_):
        raise ClientError({"Error": {"Code": "LimitExceededException", "Message": "no"}}, "CreateAlias")
    monkeypatch.setattr(kms, "create_alias", refuse)
    with pytest.raises(ClientError):
        lab.create_key("other")
    assert lab.key_names() == ["demo"]
    assert lab.admin("kms").list_keys()["Keys"] == keys


# ------------------------------------------------------------------ nothing is lost


def test_the_event_log_is_bounded_and_says_what_it_dropped():
    with Lab(max_events=50) as lab:
        lab.create_user("u")
        lab.create_key("k")
        for _ in range(80):
            lab.request("u", "kms:Encrypt", "k")
        assert len(lab._events) == 50
        assert lab.events_total >= 80 and lab.events_dropped == lab.events_total - 50
        with pytest.warns(UserWarning, match="dropped"):
            frame = lab.events(include_setup=True)
        assert len(frame) == 50 and frame.attrs["dropped"] == lab.events_dropped
        assert frame.attrs["total"] == lab.events_total


def test_probes_are_invisible_to_other_threads():
    """DisableKey / ScheduleKeyDeletion probes on one thread; Encrypt on another never sees their state."""
    lab = Lab()
    try:
        lab.create_user("u", managed_policies=["AdministratorAccess"])
        lab.create_key("k")
        kms = lab.client("kms", as_="u")
        errors: list[str] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                lab.request("u", "kms:DisableKey", "k")
                lab.request("u", "kms:ScheduleKeyDeletion", "k")

        def encrypt() -> None:
            for _ in range(300):
                try:
                    kms.encrypt(KeyId=lab.key_arn("k"), Plaintext=b"x")
                except ClientError as exc:
                    errors.append(exc.response["Error"]["Code"])
                if lab.request("u", "kms:Encrypt", "k").decision != "allowed":
                    errors.append("lab.request Encrypt")

        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)
        try:
            prober = threading.Thread(target=probe)
            prober.start()
            encrypt()
        finally:
            stop.set()
            prober.join()
            sys.setswitchinterval(old)
        assert errors == []
        assert lab.admin("kms").describe_key(KeyId=lab.key_arn("k"))["KeyMetadata"]["KeyState"] == "Enabled"
    finally:
        lab.stop()


def test_the_decision_memo_keeps_only_the_current_seconds_decisions(lab, monkeypatch):
    """A kept decision is keyed by its second (aws:CurrentTime): older ones are dropped, not kept forever."""
    from kmslab.lab import hook

    clock = [1_000_000.0]
    monkeypatch.setattr(hook.time, "time", lambda: clock[0])
    for n in range(30):
        lab.request("kms-test-2", "kms:Encrypt", "demo", encryption_context={"n": str(n)})
    held = len(lab._authorizer._memo.decisions)
    assert held >= 30
    clock[0] += 1
    lab.request("kms-test-2", "kms:Encrypt", "demo")
    assert len(lab._authorizer._memo.decisions) < held
