"""Predict by clicking, the words line, no dead ends, never stale: the experiment driven headlessly.

Clicks are simulated by setting widget values (as the browser's comm messages do) or by
calling the buttons' click(); expected flips come from the lab itself (a second run of
`access_matrix` after making the same change), never from a hard-coded list.
"""

from __future__ import annotations

import json
import re

import pytest

from kmslab import course
from kmslab.widgets.experiment import KeyPolicyExperiment, with_root_statement
from kmslab.widgets.playground import Playground
from kmslab.widgets.predict import expand_cells

ACCOUNT = "111122223333"
USER2 = f"arn:aws:iam::{ACCOUNT}:user/kms-test-2"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
DECRYPT_ONLY = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}


@pytest.fixture
def seed_lab():
    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


@pytest.fixture
def default_lab():
    """Notebook 01's world: a key with the default key policy (the root statement is its only statement)."""
    lab = course.start("lesson-default-key-policy")
    yield lab
    lab.stop()


def _states(lab, exp):
    return {(o.principal, o.action): o.decision for o in lab.access_matrix(exp.principals, exp.actions, [exp.key])}


def _flips_of(lab, exp, change, undo):
    """What really flips with `change`, measured in the lab (then undone)."""
    before = _states(lab, exp)
    change()
    after = _states(lab, exp)
    undo()
    return {cell for cell in before if before[cell] != after[cell]}


def _root_flips(lab, exp, on):
    policy = lab.key_policy(exp.key)
    return _flips_of(lab, exp,
                     lambda: lab.put_key_policy(exp.key, with_root_statement(policy, exp.account, on)),
                     lambda: lab.put_key_policy(exp.key, policy, bypass_lockout_check=True))


# -- predictions in code: rows, columns and cells


def test_expand_cells_rows_columns_cells_and_typos():
    principals, actions = [USER2, ROOT], ["kms:Encrypt", "kms:Decrypt"]
    labels = {USER2: "kms-test-2", ROOT: "root"}
    assert expand_cells([("kms-test-2", "*")], principals, actions, labels) == {(USER2, "kms:Encrypt"),
                                                                                  (USER2, "kms:Decrypt")}
    assert expand_cells([("*", "decrypt")], principals, actions, labels) == {(USER2, "kms:Decrypt"),
                                                                               (ROOT, "kms:Decrypt")}
    assert expand_cells([(ROOT, "kms:Encrypt")], principals, actions, labels) == {(ROOT, "kms:Encrypt")}
    assert len(expand_cells([("*", "*")], principals, actions, labels)) == 4
    with pytest.raises(ValueError, match="not a row of this table: kms-test-2, root"):
        expand_cells([("kms-test-9", "*")], principals, actions, labels)
    with pytest.raises(ValueError, match="not a column"):
        expand_cells([("root", "Decryt")], principals, actions, labels)


def test_a_right_prediction_by_rows_scores_all_hits(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    expected = _root_flips(seed_lab, exp, True)
    rows = sorted({exp.labels[p] for p, _ in expected})
    result = exp.predict([(row, "*") for row in rows], root_statement=True)
    assert result.flipped == expected and result.correct
    assert result.hits == expected and not result.missed and not result.wrong
    assert "Exactly right" in str(result) and "✔" in result._repr_html_()
    assert exp.root_toggle.value is True  # the change was made for real
    assert exp.decision("kms-test-2", "kms:Decrypt") == "allowed"
    assert "✓ predicted" in exp.table.value and "kmslab-hit" in exp.table.value


def test_a_column_prediction_scores_hits_misses_and_wrong_cells(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    expected = _root_flips(seed_lab, exp, True)
    result = exp.predict([("*", "Decrypt")], root_statement=True)
    column = {(p, "kms:Decrypt") for p in exp.principals}
    assert result.hits == column & expected
    assert result.wrong == column - expected
    assert result.missed == expected - column
    assert not result.correct and result.wrong and result.missed
    table = exp.table.value
    assert table.count("✗ missed</span></td>") == len(result.missed)  # the cell's words, not only its tooltip
    assert table.count("✗ did not flip</span></td>") == len(result.wrong)
    assert "kms-test-1 (Decrypt)" in result.summary()  # named in words, grouped by row


def test_predicting_nothing_is_right_when_nothing_flips(seed_lab):
    """The lesson: without the root statement, AdministratorAccess changes nothing."""
    exp = KeyPolicyExperiment(seed_lab, "demo")
    assert not _flips_of(seed_lab, exp, lambda: seed_lab.detach_policy("kms-test-2", "AdministratorAccess"),
                         lambda: seed_lab.attach_policy("kms-test-2", "AdministratorAccess"))
    result = exp.predict([], detach=("kms-test-2", "AdministratorAccess"))
    assert result.correct and not result.flipped
    assert "nothing changes, and nothing did" in str(result)
    assert "AdministratorAccess" not in seed_lab.attached_policies("kms-test-2")


def test_predict_refuses_a_change_that_is_no_change_and_typos_before_changing(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    with pytest.raises(ValueError, match="state already"):
        exp.predict([], root_statement=False)
    with pytest.raises(ValueError, match="not a row"):
        exp.predict([("kms-test-9", "*")], root_statement=True)
    assert exp.root_toggle.value is False and exp.decision("kms-test-2", "kms:Decrypt") == "denied"
    with pytest.raises(ValueError, match="which change"):
        exp.predict([])


# -- predicting by clicking


def test_clicking_stages_the_change_and_check_scores_the_marked_cells(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo", predict=True)
    expected = _root_flips(seed_lab, exp, True)  # measured first: a change from code clears a staged change
    assert exp.predict_toggle.description == "Predict first: ON"
    assert exp.check_button.disabled
    exp.root_toggle.value = True  # a click: staged, not made
    assert exp.staged is not None and "on Check" in exp.root_toggle.description
    assert exp.decision("kms-test-2", "kms:Decrypt") == "denied"
    assert "Remove" not in exp.staged_view.value and "Add the root statement" in exp.staged_view.value
    assert exp.table_area.children == (exp.grid.box,) and not exp.check_button.disabled

    row_header = next(c for c in exp.grid.box.children if "kmslab-row-kms-test-2" in c._dom_classes)
    row_header.click()  # the whole kms-test-2 row
    cell = next(c for c in exp.grid.box.children if "kmslab-cell-root-Decrypt" in c._dom_classes)
    cell.value = True  # one cell of the root row
    assert "will flip" in cell.description
    assert exp.grid.marked == {(USER2, a) for a in exp.actions} | {(ROOT, "kms:Decrypt")}
    exp.check_button.click()
    result = exp.last_result
    assert result is not None and result.flipped == expected
    assert result.hits == exp.grid.marked & expected and result.missed == expected - exp.grid.marked
    assert exp.table_area.children == (exp.table,) and exp.staged is None
    assert exp.root_toggle.description == "Root statement: ON"
    assert "kmslab-score" in exp.score_view.value
    assert exp.decision("kms-test-2", "kms:Decrypt") == "allowed"


def test_column_header_marks_and_unmarks_a_column_and_clicking_back_unstages(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo", predict=True)
    box = exp.attach_boxes[(USER2, "AdministratorAccess")]
    box.value = False  # staged: detach
    header = next(c for c in exp.grid.box.children if "kmslab-col-Encrypt" in c._dom_classes)
    header.click()
    assert exp.grid.marked == {(p, "kms:Encrypt") for p in exp.principals}
    header.click()
    assert exp.grid.marked == set()
    box.value = True  # clicked back: nothing staged, nothing changed
    assert exp.staged is None and exp.check_button.disabled
    assert "AdministratorAccess" in seed_lab.attached_policies("kms-test-2")
    exp.predict_toggle.value = False  # off: a click changes at once again
    exp.root_toggle.value = True
    assert exp.decision("kms-test-2", "kms:Decrypt") == "allowed"


# -- the words line


def test_words_line_after_a_flip_names_the_call_and_the_cells(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    assert exp.root_toggle.description == "Root statement: OFF"
    exp.root_toggle.value = True
    assert exp.root_toggle.description == "Root statement: ON" and exp.root_toggle.icon == "toggle-on"
    text = exp.status_text
    assert text.startswith("✔ PutKeyPolicy demo (root statement added): succeeded.")
    n = len(exp.flipped())
    assert f"{n} cells flipped" in text and "kms-test-2 every action (✘ → ✔)" in text
    assert "kms-test-1" not in text  # named directly: it did not flip


def test_words_line_when_nothing_flips_gives_the_engines_reason(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.set_attached("kms-test-2", "AdministratorAccess", False)
    exp.set_attached("kms-test-2", "AdministratorAccess", True)
    text = exp.status_text
    assert text.startswith("✔ AttachUserPolicy kms-test-2 AdministratorAccess: succeeded.")
    reason = seed_lab.request("kms-test-2", "kms:Decrypt", "demo").reason
    assert f"No cell changed. kms-test-2: {reason}" in text
    assert "kmslab-status-nothing" in exp.status.value  # the prominent box
    assert not exp.flipped() and not re.search(r'<td[^>]*kmslab-flipped', exp.table.value)


# -- no dead ends


def test_removing_the_only_statement_shows_awss_error_meaning_and_keeps_the_policy(default_lab):
    exp = KeyPolicyExperiment(default_lab, "app-key")
    before_policy, before_table = default_lab.key_policy("app-key"), exp.table.value
    exp.root_toggle.value = False  # a click
    text = exp.status_text
    assert "MalformedPolicyDocumentException" in text and "non-empty list" in text
    assert "needs at least one statement" in text and "stays in force" in text
    assert default_lab.key_policy("app-key") == before_policy
    assert exp.root_toggle.value is True and exp.root_toggle.description == "Root statement: ON"
    assert exp.table.value == before_table
    assert not exp.errors.outputs  # said in words, not as a traceback
    assert "MalformedPolicyDocumentException" in exp.error_view.value  # kept for scripts (and make bench)


def test_refused_change_in_predict_mode_is_not_a_dead_end(default_lab):
    exp = KeyPolicyExperiment(default_lab, "app-key", predict=True)
    exp.root_toggle.value = False
    exp.check_button.click()
    assert "MalformedPolicyDocumentException" in exp.status_text and not exp.errors.outputs
    assert exp.staged is None and exp.root_toggle.value is True
    assert exp.table_area.children == (exp.table,)


def test_reset_restores_policy_attachments_and_a_table_without_marks(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.root_toggle.value = True
    exp.attach_boxes[(USER2, "AdministratorAccess")].value = False
    exp.reset_button.click()
    assert exp.reset_button.description == "Reset"
    assert exp.root_toggle.value is False and exp.attach_boxes[(USER2, "AdministratorAccess")].value is True
    assert "AdministratorAccess" in seed_lab.attached_policies("kms-test-2")
    assert not exp.flipped() and not re.search(r'<td[^>]*kmslab-flipped', exp.table.value)
    assert exp.status_text.startswith("↻ Reset")


def test_playground_reset_rebuilds_the_world(seed_lab):
    pg = Playground(seed_lab)
    seed_lab.create_grant("demo", "kms-test-2", ["Decrypt"])
    assert pg.decision("kms-test-2", "kms:Decrypt") == "allowed"  # followed the change from code
    pg.reset_button.click()
    assert not seed_lab.grants("demo")
    assert pg.decision("kms-test-2", "kms:Decrypt") == "denied"
    pg.close()


# -- never stale


def test_a_change_from_code_redraws_the_table_with_its_own_flips_and_words(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.root_toggle.value = True
    exp.set_attached("kms-test-2", "AdministratorAccess", False)
    seed_lab.put_inline_policy("kms-test-2", "exercise", DECRYPT_ONLY)  # an exercise cell, say
    assert exp.decision("kms-test-2", "kms:Decrypt") == "allowed"
    assert exp.flipped() == {(USER2, "kms:Decrypt", "demo")}  # ◆ = this change's flips only
    text = exp.status_text
    assert "Changed from code: kms-test-2: inline policy 'exercise' added" in text
    assert "1 cell flipped: kms-test-2 Decrypt (✘ → ✔)" in text


def test_code_that_changes_the_root_statement_moves_the_toggle(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    policy = seed_lab.key_policy("demo")
    seed_lab.put_key_policy("demo", with_root_statement(policy, ACCOUNT, True))
    assert exp.root_toggle.value is True and exp.root_toggle.description == "Root statement: ON"
    assert "root statement added" in exp.status_text


def test_a_change_that_touches_nothing_here_leaves_the_marks_alone(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.root_toggle.value = True
    marked, table = exp.flipped(), exp.table.value
    seed_lab.create_key("other")  # another key: no cell of this table changes
    exp.refresh()
    assert exp.flipped() == marked and exp.table.value == table


def test_a_change_from_code_clears_a_staged_prediction(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo", predict=True)
    exp.root_toggle.value = True
    seed_lab.detach_policy("kms-test-2", "AdministratorAccess")
    assert exp.staged is None and exp.root_toggle.value is False
    assert "staged change and your marks were cleared" in exp.status_text


def test_closed_widgets_stop_listening(seed_lab):
    exp = KeyPolicyExperiment(seed_lab, "demo")
    exp.close()
    seed_lab.put_inline_policy("kms-test-2", "exercise", DECRYPT_ONLY)
    assert exp.outcomes and exp.decision("kms-test-2", "kms:Decrypt") == "denied"  # not redrawn after close


def test_context_experiment_follows_code_changes(seed_lab):
    from kmslab.widgets.context import RequestContextExperiment

    exp = RequestContextExperiment(seed_lab, "demo", ["kms-test-2", "kms-test-1"])
    assert exp.decision("kms-test-2", "kms:Decrypt") == "denied"
    seed_lab.put_key_policy("demo", with_root_statement(seed_lab.key_policy("demo"), ACCOUNT, True))
    assert exp.decision("kms-test-2", "kms:Decrypt") == "allowed"
    assert "root statement added" in exp.status_text and "flipped" in exp.status_text


def test_policy_editor_errors_say_what_to_try(seed_lab):
    from kmslab.widgets.editor import PolicyEditor

    editor = PolicyEditor(seed_lab, key="demo")
    assert editor.apply(json.dumps({"Version": "2012-10-17", "Statement": []})) is False
    assert "needs at least one statement" in editor.status.value
    assert editor.revert_button.description == "Reset to the policy in force"


def test_widget_words_are_templates_in_the_engines_catalog():
    from kmslab.engine import words as engine_words
    from kmslab.widgets import words

    for name, template in words.every_template():
        assert template.strip() and engine_words.placeholders(template) is not None, name
    engine_words.use_catalog({"Root statement: {state}": "ルートステートメント: {state}"})
    try:
        assert words.say("root_toggle", state="ON") == "ルートステートメント: ON"
    finally:
        engine_words.use_catalog(None)
    assert words.say("root_toggle", state="ON") == "Root statement: ON"


class _FakeShell:
    """An IPython shell in the middle of a cell: post_run_cell callbacks run when `finish_cell` is called."""

    def __init__(self, msg_type: str = "execute_request") -> None:
        self.callbacks: list = []
        parent = {"header": {"msg_type": msg_type}}
        self.kernel = type("K", (), {"get_parent": staticmethod(lambda: parent)})()
        self.events = self

    def register(self, event, fn):
        assert event == "post_run_cell"
        self.callbacks.append(fn)

    def unregister(self, event, fn):
        self.callbacks.remove(fn)

    def finish_cell(self):
        for fn in list(self.callbacks):
            fn(None)


def test_in_a_cell_several_changes_redraw_once_after_the_cell_with_all_their_flips(seed_lab, monkeypatch):
    import IPython

    exp = KeyPolicyExperiment(seed_lab, "demo")
    shell = _FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    policy = seed_lab.key_policy("demo")
    seed_lab.put_key_policy("demo", with_root_statement(policy, ACCOUNT, True))  # two changes in one cell
    seed_lab.detach_policy("kms-test-2", "AdministratorAccess")
    assert exp.decision("kms-test-2", "kms:Decrypt") == "denied" and not exp.flipped()  # not yet: the cell runs
    shell.finish_cell()
    assert exp.decision("root", "kms:Decrypt") == "allowed"
    assert {p for p, _, _ in exp.flipped()} == {ROOT}  # kms-test-2: denied before and after the cell
    text = exp.status_text
    assert "root statement added" in text and "AdministratorAccess detached" in text
    assert shell.callbacks == []  # unregistered after running


def test_a_click_on_another_widget_redraws_at_once(seed_lab, monkeypatch):
    import IPython

    exp = KeyPolicyExperiment(seed_lab, "demo")
    other = Playground(seed_lab)
    monkeypatch.setattr(IPython, "get_ipython", lambda: _FakeShell("comm_msg"))
    exp.root_toggle.value = True  # a widget's comm message, not a cell
    assert other.decision("kms-test-2", "kms:Decrypt") == "allowed"
    other.close()
