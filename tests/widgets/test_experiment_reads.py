"""The experiment reads the key policy again only when something may have changed it (Lab._world_mark)."""

from __future__ import annotations

import pytest

from kmslab import course
from kmslab.engine.policy import has_account_statement, statement_list
from kmslab.widgets.experiment import KeyPolicyExperiment

ACCOUNT = "111122223333"
EXTRA = {"Sid": "Added by code", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/kms-test-1"},
         "Action": "kms:DescribeKey", "Resource": "*"}


@pytest.fixture
def seed_lab():
    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


def sids(policy: dict) -> list[str]:
    return [s.get("Sid", "") for s in statement_list(policy)]


def test_toggles_in_a_row_read_nothing_they_did_not_change(seed_lab, monkeypatch):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    reads = []
    original = type(seed_lab).key_policy
    monkeypatch.setattr(type(seed_lab), "key_policy", lambda lab, key: (reads.append(key), original(lab, key))[1])
    exp.set_root_statement(True)
    exp.set_root_statement(False)
    exp.set_root_statement(True)
    assert reads == []
    assert has_account_statement(original(seed_lab, "demo"), ACCOUNT)


def test_a_change_by_code_is_read_before_the_next_toggle(seed_lab):
    """Even before the widget has redrawn for it (listeners hear of changes inside a batch at its end)."""
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.set_root_statement(True)
    with seed_lab.batch():
        policy = seed_lab.key_policy("demo")
        policy["Statement"].append(EXTRA)
        seed_lab.put_key_policy("demo", policy)
        exp.set_root_statement(False)
    after = seed_lab.key_policy("demo")
    assert "Added by code" in sids(after) and not has_account_statement(after, ACCOUNT)


def test_an_attachment_by_code_in_between_is_no_key_policy_change(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.set_root_statement(True)
    seed_lab.attach_policy("kms-test-2", "AdministratorAccess")
    exp.set_root_statement(False)
    assert not has_account_statement(seed_lab.key_policy("demo"), ACCOUNT)
    assert "AdministratorAccess" in seed_lab.attached_policies("kms-test-2")
