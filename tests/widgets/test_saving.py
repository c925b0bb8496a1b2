"""The playground's Save and Load and the policy editor lose nothing, whatever the learner types.

Save: inside the playground's folder (a tmp_path here), never over a file without a confirm
click, and a failed save says so. Load: a file that fails leaves the world exactly as it was.
Editor: pathological text gets an AWS-style error inline, the policy in force stays.
"""

from __future__ import annotations

import json

import pytest

from kmslab import course
from kmslab.export import SaveError
from kmslab.scenario import ScenarioError, load_scenario, shipped_scenarios
from kmslab.widgets.editor import MAX_POLICY_NESTING, PolicyEditor, policy_text_problem
from kmslab.widgets.playground import Playground

ACCOUNT = "111122223333"


@pytest.fixture
def lab():
    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


@pytest.fixture
def folder(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _world(lab):
    return (lab.principals(), {k: lab.key_arn(k) for k in lab.key_names()},
            {k: lab.key_policy(k) for k in lab.key_names()})


# ---------------------------------------------------------------- save


def test_save_writes_into_the_playground_folder_and_says_so(lab, folder):
    pg = Playground(lab)
    target = pg.save("my-lab.yaml")
    assert target == folder.resolve() / "my-lab.yaml"
    assert "✔ Saved" in pg.file_status.value and "kmslab check" in pg.file_status.value


@pytest.mark.parametrize("path", ["../escape.yaml", "/tmp/kmslab-escape-test.yaml", "notes.txt"])
def test_save_refuses_paths_and_the_status_says_not_saved(lab, folder, path):
    pg = Playground(lab)
    assert pg.save("first.yaml") is not None
    assert pg.save(path) is None
    assert "✔ Saved" not in pg.file_status.value and "Not saved" in pg.file_status.value
    assert not (folder.parent / "escape.yaml").exists()
    assert pg.confirm_box.children == ()  # nothing to confirm: it is simply refused


def test_saving_over_a_file_asks_first(lab, folder):
    pg = Playground(lab)
    notes = folder / "notes.yaml"
    notes.write_text("my first line\n")
    pg.path.value = "notes.yaml"
    pg.save_button.click()
    assert notes.read_text() == "my first line\n"
    assert "already exists" in pg.file_status.value and "✔ Saved" not in pg.file_status.value
    replace, keep = pg.confirm_box.children
    assert "kmslab-confirm-overwrite" in replace._dom_classes
    keep.click()
    assert notes.read_text() == "my first line\n" and pg.confirm_box.children == ()
    assert "kept" in pg.file_status.value
    pg.save_button.click()
    pg.confirm_box.children[0].click()  # Replace notes.yaml
    assert load_scenario(notes).keys.keys() == {"demo"} and "✔ Saved" in pg.file_status.value
    assert pg.confirm_box.children == ()


def test_a_save_that_fails_to_load_back_says_so(lab, folder, monkeypatch):
    import kmslab.export as export

    pg = Playground(lab)
    assert pg.save("good.yaml") is not None

    def refuses(text, source):
        raise ScenarioError(source, 3, "this world would not load back")

    monkeypatch.setattr(export, "parse_scenario", refuses)
    assert pg.save("bad.yaml") is None
    assert "would not load back" in pg.file_status.value and "✔ Saved" not in pg.file_status.value
    assert not (folder / "bad.yaml").exists()


def test_save_outside_is_possible_when_chosen_explicitly(lab, folder, tmp_path):
    pg = Playground(lab)
    target = pg.save(tmp_path / "elsewhere.yaml", allow_outside=True)
    assert target is not None and target.parent == tmp_path.resolve()
    with pytest.raises(SaveError):
        from kmslab.export import save_scenario

        save_scenario(lab, tmp_path / "elsewhere.yaml", allow_outside=True)  # exists now


# ---------------------------------------------------------------- load


def test_a_failed_load_of_a_lab_without_keys_keeps_its_principals(folder):
    lab = course.start("seed-without-root")
    try:
        pg = Playground(lab)
        lab.reset()
        lab.create_user("alice")
        lab.create_user("bob", managed_policies=["AdministratorAccess"])
        pg.refresh()
        before = _world(lab)
        bad = folder / "refused.yaml"
        bad.write_text(f"""version: 1
name: refused
accounts:
  "{ACCOUNT}": {{}}
keys:
  demo:
    account: "{ACCOUNT}"
    policy:
      Version: "2012-10-17"
      Statement:
        - {{Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:user/nobody"}}, Action: "kms:*", Resource: "*"}}
""")
        assert pg.load(bad) is False
        assert "invalid principals" in pg.file_status.value and "unchanged" in pg.file_status.value
        assert _world(lab) == before
    finally:
        lab.stop()


def test_a_failed_load_keeps_the_keys_themselves(lab, folder):
    pg = Playground(lab)
    before = _world(lab)
    bad = folder / "bad.yaml"
    bad.write_text("version: 1\nname: x\nacounts: {}\n")
    assert pg.load(bad) is False and "acounts" in pg.file_status.value
    assert pg.load(folder / "missing.yaml") is False
    assert _world(lab) == before  # the same keys (same ARNs), not a rebuilt copy


def test_load_replaces_the_world(lab, folder):
    pg = Playground(lab)
    assert pg.load(shipped_scenarios()["grants"]) is True
    assert "✔ Loaded" in pg.file_status.value
    assert pg.key_select.options == tuple(load_scenario(shipped_scenarios()["grants"]).keys)


# ---------------------------------------------------------------- the policy editor


def _good_key_policy(lab) -> str:
    return json.dumps(lab.key_policy("demo"))


def _nested(depth: int) -> str:
    """A valid JSON policy whose Sid holds `depth` nested lists."""
    statement = {"Sid": "__", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                 "Action": "kms:*", "Resource": "*"}
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    return text.replace('"__"', "[" * depth + "]" * depth)


PATHOLOGICAL = {
    "brackets": ("[" * 100000 + "]" * 100000, "ValidationException"),  # issue 15: RecursionError escaped
    "short-brackets": ("[" * 20000 + "]" * 20000, "MalformedPolicyDocumentException"),
    "nested-valid-json": (_nested(5000), "MalformedPolicyDocumentException"),
    "nul": ('{"Version": "2012-10-17", "Statement": [{"Sid": "a\x00b"}]}', "ValidationException"),
    "escape": ('{"Version": "2012-10-17", "Statement": [{"Sid": "\x1b]0;pwned\x07"}]}', "ValidationException"),
    "huge": ('{"Version": "2012-10-17", "Sid": "' + "a" * 10_000_000 + '"}', "ValidationException"),
    "empty": ("", "ValidationException"),
}


@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_key_policy_text_gets_an_aws_error_and_changes_nothing(lab, case):
    text, code = PATHOLOGICAL[case]
    editor = PolicyEditor(lab, key="demo")
    before = lab.key_policy("demo")
    assert editor.apply(_good_key_policy(lab)) is True and "Applied" in editor.status.value
    assert editor.apply(text) is False
    assert code in editor.status.value and "is unchanged" in editor.status.value
    assert "Applied" not in editor.status.value  # the earlier answer does not stand
    assert lab.key_policy("demo") == before
    assert editor.text.value == text  # the learner's text is kept


def test_a_key_policy_over_32_kb_is_refused_by_the_quota(lab):
    editor = PolicyEditor(lab, key="demo")
    policy = lab.key_policy("demo")
    policy["Statement"][0]["Sid"] = "a" * 40_000
    before = lab.key_policy("demo")
    assert editor.apply(json.dumps(policy)) is False
    # "The resulting key policy document cannot exceed 32 KB (32,768 bytes)."
    # https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying.html
    assert "LimitExceededException" in editor.status.value and lab.key_policy("demo") == before


@pytest.mark.parametrize("case", ["brackets", "nested-valid-json", "nul"])
def test_pathological_iam_policy_text_gets_iams_error(lab, case):
    text, _ = PATHOLOGICAL[case]
    editor = PolicyEditor(lab, principal="kms-test-2")
    assert editor.apply(text) is False
    code = "MalformedPolicyDocument" if case == "nested-valid-json" else "ValidationError"
    assert f"⚠ {code}" in editor.status.value and "is unchanged" in editor.status.value  # AWS's code first
    assert "playground" not in lab.admin("iam").list_user_policies(UserName="kms-test-2")["PolicyNames"]


def test_policy_text_problem_bounds():
    assert policy_text_problem('{"Version": "2012-10-17"}') is None
    assert policy_text_problem("a" * 131072 + "") is None  # the API's limit itself is allowed
    assert policy_text_problem("a" * 131073)[0] == "ValidationException"
    assert policy_text_problem("[" * MAX_POLICY_NESTING + "]" * MAX_POLICY_NESTING) is None
    deeper = "[" * (MAX_POLICY_NESTING + 1) + "]" * (MAX_POLICY_NESTING + 1)
    assert policy_text_problem(deeper)[0] == "MalformedPolicyDocumentException"
    assert policy_text_problem('["' + "[" * 100 + '"]') is None  # brackets inside a string are text
    assert policy_text_problem('{"Sid": "caf\u00e9"}') is None  # Latin-1 is allowed
    assert policy_text_problem('{"Sid": "\u0430lice"}')[0] == "ValidationException"  # Cyrillic is not
    assert policy_text_problem("\x00", "PolicyDocument", kms=False)[0] == "ValidationError"


def test_reset_brings_back_a_lab_without_keys(folder):
    lab = course.start("seed-without-root")
    try:
        lab.reset()
        lab.create_user("alice", managed_policies=["AdministratorAccess"])
        pg = Playground(lab)
        before = lab.principals()
        lab.delete_user("alice")
        lab.create_key("scratch")
        pg.reset()
        assert lab.principals() == before and lab.key_names() == []
        assert lab.attached_policies("alice") == ["AdministratorAccess"]
    finally:
        lab.stop()


def test_a_lab_after_deletions_saves_and_loads_back_in_the_playground(folder):
    # Issue 15: such a lab lost its key on load and saved a file `check` failed (0 passed, 16 failed).
    lab = course.start("lesson-03-unmanageable-key")
    try:
        pg = Playground(lab)
        lab.delete_user("alice")
        lab.delete_user("bob")
        answers = [(o.principal, o.action, o.key, o.decision) for o in lab.access_matrix()]
        target = pg.save("after-deletion.yaml")
        assert target is not None
        assert pg.load(target) is True, pg.file_status.value
        assert set(lab.key_names()) == {"admins-only", "with-root-statement"}
        assert [(o.principal, o.action, o.key, o.decision) for o in lab.access_matrix()] == answers
    finally:
        lab.stop()
    from kmslab.cli import main

    assert main(["check", str(target)]) == 0  # (a lab of its own: after this test's lab stopped)
