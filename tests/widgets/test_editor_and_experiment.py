"""The interactive widgets, driven headlessly: set a control, assert the table and the messages."""

from __future__ import annotations

import json

import pytest

from kmslab import course
from kmslab.widgets.editor import PolicyEditor
from kmslab.widgets.experiment import KeyPolicyExperiment
from kmslab.widgets.playground import Playground

ACCOUNT = "111122223333"


@pytest.fixture
def seed_lab():
    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


def _cell(table_html: str, principal: str, action: str) -> str:
    import re

    m = re.search(rf'class="[^"]*kmslab-p-{principal} kmslab-a-{action}\b[^"]*"', table_html)
    assert m
    return next(s for s in ("allowed", "denied", "error") if f"kmslab-{s}" in m.group(0))


def test_root_toggle_flips_kms_test_2_and_marks_the_flips(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    assert _cell(exp.table.value, "kms-test-2", "Decrypt") == "denied"
    assert _cell(exp.table.value, "kms-test-1", "Decrypt") == "allowed"
    exp.root_toggle.value = True  # as a click would
    assert _cell(exp.table.value, "kms-test-2", "Decrypt") == "allowed"
    assert _cell(exp.table.value, "root", "Decrypt") == "allowed"
    flips = {(p.rsplit("/", 1)[-1].rsplit(":", 1)[-1], a) for p, a, _ in exp.flipped()}
    assert ("kms-test-2", "kms:Decrypt") in flips and ("root", "kms:Decrypt") in flips
    assert not any(p == "kms-test-1" for p, _ in flips)
    assert "◆" in exp.table.value
    assert "Enable IAM User Permissions" in exp.policy_view.value  # the policy view follows


def test_attachment_checkbox_changes_the_table(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.set_root_statement(True)
    box = exp.attach_boxes[(f"arn:aws:iam::{ACCOUNT}:user/kms-test-2", "AdministratorAccess")]
    box.value = False
    assert _cell(exp.table.value, "kms-test-2", "Decrypt") == "denied"
    assert "AdministratorAccess" not in seed_lab.attached_policies("kms-test-2")
    exp.reset()
    assert exp.root_toggle.value is False and box.value is True
    assert _cell(exp.table.value, "kms-test-2", "Decrypt") == "denied"


def test_explanation_follows_the_selected_cell(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.principal_select.value = f"arn:aws:iam::{ACCOUNT}:user/kms-test-2"
    exp.action_select.value = "kms:Decrypt"
    assert "AccessDeniedException" in exp.explanation.value
    assert "<svg" in exp.explanation.value


def test_rerunning_the_cell_closes_the_previous_widgets(seed_lab):
    first = KeyPolicyExperiment(seed_lab, "demo")
    second = KeyPolicyExperiment(seed_lab, "demo")
    assert first.root_toggle.comm is None  # closed: no observers left behind
    assert second.root_toggle.comm is not None or second.root_toggle.comm is None  # alive (no kernel here)
    assert KeyPolicyExperiment.live(seed_lab, "demo") is second


def test_callback_errors_are_shown_not_lost(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    seed_lab.stop()  # any call now fails
    exp.root_toggle.value = True
    assert exp.errors.outputs and "LabError" in exp.errors.outputs[0]["text"]


BAD_INPUTS = {
    "malformed JSON": ('{"Version": "2012-10-17", "Statement": [', "MalformedPolicyDocumentException"),
    "not a policy": (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}',
        "MalformedPolicyDocumentException",
    ),
    "unknown action": (None, "Did you mean kms:Decrypt?"),
    "principal that does not exist": (None, "invalid principals"),
    "over the size limit": (None, "LimitExceededException"),
    "locks the caller out": (None, "will not allow you to update the key policy in the future"),
}


def _bad(case: str) -> str:
    text, _ = BAD_INPUTS[case]
    if text is not None:
        return text
    stmt = {
        "Sid": "Admins",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/manabusakai"},
        "Action": "kms:*",
        "Resource": "*",
    }
    if case == "unknown action":
        extra = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/kms-test-2"},
            "Action": "kms:Decryt",
            "Resource": "*",
        }
        return json.dumps({"Version": "2012-10-17", "Statement": [stmt, extra]})
    if case == "principal that does not exist":
        extra = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/nobody"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
        return json.dumps({"Version": "2012-10-17", "Statement": [stmt, extra]})
    if case == "over the size limit":
        pad = [
            {
                "Sid": f"S{i}",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
            }
            for i in range(400)
        ]
        return json.dumps({"Version": "2012-10-17", "Statement": [stmt, *pad]})
    only_test1 = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/kms-test-1"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [only_test1]})


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_key_policy_shows_aws_error_and_keeps_the_previous_policy(seed_lab, case):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    before_policy, before_table = seed_lab.key_policy("demo"), exp.table.value
    editor = PolicyEditor(seed_lab, key="demo", on_change=exp.refresh)
    assert editor.apply(_bad(case)) is False
    assert BAD_INPUTS[case][1] in editor.status.value
    assert "unchanged" in editor.status.value
    assert seed_lab.key_policy("demo") == before_policy
    assert exp.table.value == before_table
    assert editor.text.value == _bad(case)  # the learner's text is not lost


def test_good_key_policy_applies_and_refreshes(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    editor = PolicyEditor(seed_lab, key="demo", on_change=exp.refresh)
    policy = seed_lab.key_policy("demo")
    policy["Statement"].append(
        {
            "Sid": "Test2Decrypt",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/kms-test-2"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    )
    assert editor.apply(json.dumps(policy)) is True
    assert _cell(exp.table.value, "kms-test-2", "Decrypt") == "allowed"
    assert _cell(exp.table.value, "kms-test-2", "Encrypt") == "denied"


def test_iam_policy_editor_rejects_malformed_and_applies_valid(seed_lab):
    editor = PolicyEditor(seed_lab, principal="kms-test-1", policy_name="mine")
    assert (
        editor.apply('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt"}]}') is False
    )
    assert "MalformedPolicyDocument" in editor.status.value
    ok = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}
    assert editor.apply(json.dumps(ok)) is True
    assert seed_lab.request("kms-test-1", "kms:ListKeys").decision == "allowed"


def test_playground_save_and_load_round_trip(seed_lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the work folder the playground saves into
    pg = Playground(seed_lab)
    assert _cell(pg.table.value, "kms-test-2", "Decrypt") == "denied"
    seed_lab.create_grant("demo", "kms-test-2", ["Decrypt"])
    pg.refresh()
    assert _cell(pg.table.value, "kms-test-2", "Decrypt") == "allowed"
    target = pg.save(tmp_path / "saved.yaml")
    from kmslab.cli import main

    assert main(["check", str(target)]) == 0
    seed_lab.reset()
    assert pg.load(target) is True
    assert _cell(pg.table.value, "kms-test-2", "Decrypt") == "allowed"
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nacounts: {}\n")
    assert pg.load(bad) is False and "acounts" in pg.file_status.value
    assert _cell(pg.table.value, "kms-test-2", "Decrypt") == "allowed"  # the world is kept


def test_playground_starts_with_editors_for_the_first_key_and_principal(seed_lab):
    pg = Playground(seed_lab)
    assert pg.key_editor is not None and pg.key_editor.key == "demo"
    assert pg.iam_editor is not None and pg.explanation.value
