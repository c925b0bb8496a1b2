"""The hook's one-key path (a `_Plan` per credential, operation, Region and key) answers exactly as its general path.

A request on one key (Encrypt, Decrypt, DescribeKey, ...) reads what does not depend on its body from a plan kept for
one state of the world; every other request takes the general path. Both must give every principal, action and key
the same answer, reason and deciding statements, and log the same event.
"""

from __future__ import annotations

import re

import pytest

from kmslab.lab import Lab, hook
from kmslab.lab.calls import PLANS

from .conftest import ACCOUNT, ROOT_STATEMENT, SEED_POLICY, user_arn

CONDITIONAL_POLICY = {"Version": "2012-10-17", "Statement": [
    ROOT_STATEMENT,
    {"Sid": "Users from the office", "Effect": "Allow", "Principal": {"AWS": user_arn("bob")},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}},
    {"Sid": "Never carol", "Effect": "Deny", "Principal": {"AWS": user_arn("carol")},
     "Action": ["kms:Decrypt", "kms:Disable*"], "Resource": "*"},
]}


def _world() -> Lab:
    lab = Lab(region="ap-northeast-1", accounts=["444455556666"])
    lab.create_user("kms-test-1")
    lab.create_user("manabusakai", managed_policies=["AdministratorAccess"])
    lab.create_user("bob", inline_policies={"use": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey"], "Resource": "*"}]}})
    lab.create_user("carol", managed_policies=["AdministratorAccess"])
    lab.create_user("dave")
    lab.create_user("eve", account="444455556666", managed_policies=["AdministratorAccess"])
    lab.create_key("seed", policy=SEED_POLICY, created_by="manabusakai")
    lab.create_key("conditional", policy=CONDITIONAL_POLICY)
    lab.create_key("default")
    lab.create_grant("default", "dave", ["Encrypt", "Decrypt", "DescribeKey"])
    return lab


KEYS = ["seed", "conditional", "default"]


def _named(lab: Lab, values: tuple) -> tuple:
    """The values with each key's id and grant id (new in every world) replaced by a name."""
    ids = {lab.key_id(name): f"<{name}>" for name in KEYS}
    out = []
    for value in values:
        if isinstance(value, str):
            for key_id, name in ids.items():
                value = value.replace(key_id, name)
            value = re.sub(r"\bgrant [0-9a-f]{8,64}\b", "grant <id>", value)
            value = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<scratch key>", value)
        elif value != value:  # the event log's empty cells (NaN)
            value = None
        out.append(value)
    return tuple(out)


def _answers(lab: Lab) -> list[tuple]:
    outcomes = lab.access_matrix(lab.principals(), sorted(PLANS), KEYS)
    return [_named(lab, (o.principal, o.action, o.key, o.decision, o.error, o.message, o.reason,
                         " | ".join(o.statements))) for o in outcomes]


def _events(lab: Lab) -> list[tuple]:
    frame = lab.events()
    return [_named(lab, row) for row in zip(frame["principal"], frame["action"], frame["key"], frame["outcome"],
                                             frame["error"], frame["reason"], strict=True)]


def test_every_principal_action_and_key_is_answered_alike_on_both_paths(monkeypatch):
    with _world() as lab:
        planned, planned_events = _answers(lab), _events(lab)
        assert any(o[3] == "allowed" for o in planned) and any(o[3] == "denied" for o in planned)
    monkeypatch.setattr(hook, "_one_key", lambda operation: False)  # every request through the general path
    with _world() as lab:
        general, general_events = _answers(lab), _events(lab)
    assert len(planned) == len(general) > 100
    for ours, theirs in zip(planned, general, strict=True):
        assert ours[:3] == theirs[:3]  # the same cell
        assert ours == theirs
    assert [e[1:] for e in planned_events] == [e[1:] for e in general_events]


@pytest.mark.parametrize("who", ["kms-test-1", "dave"])
def test_a_plan_is_not_kept_across_a_change_of_the_world(who):
    """The plan holds the engine's Key and Caller: a key policy change is seen by the very next request."""
    with _world() as lab:
        kms = lab.client("kms", as_=who)
        key = lab.key_arn("seed")
        allowed = who == "kms-test-1"
        assert (lab.request(who, "kms:Encrypt", "seed").decision == "allowed") is allowed
        kms_admin = lab.client("kms", as_="manabusakai")
        kms_admin.put_key_policy(KeyId=key, PolicyName="default", Policy=_with_user(who))
        kms.encrypt(KeyId=key, Plaintext=b"now named in the key policy")  # no AccessDeniedException
        assert lab.request(who, "kms:Encrypt", "seed").decision == "allowed"


def _with_user(name: str) -> str:
    import json

    policy = json.loads(json.dumps(SEED_POLICY))
    policy["Statement"][0]["Principal"]["AWS"].append(f"arn:aws:iam::{ACCOUNT}:user/{name}")
    return json.dumps(policy)
