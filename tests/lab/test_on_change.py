"""`Lab.on_change`: listeners hear of every change of the world, once per call, and never of probes."""

from __future__ import annotations

import json

import pytest

from kmslab import Lab

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}


@pytest.fixture
def lab():
    lab = Lab()
    lab.create_user("alice")
    lab.create_key("demo")
    yield lab
    lab.stop()


@pytest.fixture
def heard(lab):
    calls: list[int] = []
    unsubscribe = lab.on_change(lambda: calls.append(1))
    yield calls
    unsubscribe()


def test_lab_edits_are_heard_once_each(lab, heard):
    lab.put_inline_policy("alice", "p", POLICY)
    assert len(heard) == 1
    lab.attach_policy("alice", "AdministratorAccess")
    lab.put_key_policy("demo", lab.key_policy("demo"))
    lab.set_scps(lab.account, None)
    lab.set_permissions_boundary("alice", "AdministratorAccess")
    assert len(heard) == 5


def test_a_learners_own_boto3_calls_are_heard(lab, heard):
    lab.admin("iam").put_user_policy(UserName="alice", PolicyName="q", PolicyDocument=json.dumps(POLICY))
    assert len(heard) == 1
    kms = lab.client("kms", as_="root")
    kms.disable_key(KeyId=lab.key_id("demo"))
    assert len(heard) == 2


def test_probes_that_undo_themselves_are_not_changes(lab, heard):
    for action in ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant",
                   "kms:Decrypt"):
        lab.request("root", action, "demo")
    lab.access_matrix()
    assert heard == []


def test_reads_and_refused_writes_are_not_changes(lab, heard):
    lab.key_policy("demo")
    lab.attached_policies("alice")
    kms = lab.client("kms", as_="alice")  # no permission: PutKeyPolicy is refused
    with pytest.raises(Exception, match="AccessDenied"):
        kms.put_key_policy(KeyId=lab.key_id("demo"), PolicyName="default", Policy=json.dumps(POLICY))
    assert heard == []


def test_reset_is_a_change(lab, heard):
    lab.reset()
    assert len(heard) == 1


def test_a_listener_can_make_requests_and_a_failing_one_only_warns(lab):
    answers: list[str] = []
    lab.on_change(lambda: answers.append(lab.request("alice", "kms:Decrypt", "demo").decision))
    lab.on_change(lambda: 1 / 0)
    with pytest.warns(RuntimeWarning, match="on_change callback failed"):
        lab.put_inline_policy("alice", "p", POLICY)
    assert answers == ["allowed"]  # the listener saw the world after the change
    assert lab.request("alice", "kms:Decrypt", "demo").decision == "allowed"


def test_unsubscribe(lab):
    calls: list[int] = []
    unsubscribe = lab.on_change(lambda: calls.append(1))
    unsubscribe()
    lab.put_inline_policy("alice", "p", POLICY)
    assert calls == []


def test_a_batch_of_changes_is_heard_once_at_its_end(lab, heard):
    with lab.batch():
        lab.put_inline_policy("alice", "p", POLICY)
        lab.attach_policy("alice", "AdministratorAccess")
        lab.create_key("other")
        assert heard == []
    assert len(heard) == 1
    with lab.batch():
        lab.key_policy("demo")
    assert len(heard) == 1  # nothing changed: nothing heard


def test_a_probe_that_puts_everything_back_is_heard_by_nobody(lab, heard):
    before = lab.request("alice", "kms:Decrypt", "demo").decision
    with lab.probe():
        lab.put_inline_policy("alice", "p", POLICY)
        assert lab.request("alice", "kms:Decrypt", "demo").decision == "allowed"
        lab.delete_inline_policy("alice", "p")
    assert heard == []
    assert lab.request("alice", "kms:Decrypt", "demo").decision == before
