"""Every exercise of kmslab.course, fed one wrong and one right answer, each in a fresh lab.

The course is a package with a module per lesson (kmslab.course.lesson00 ... lesson08) on the
shared checks of kmslab.exercises; every name the notebooks use is importable from kmslab.course.

The exercises compute their answers through the lab; these tests state the answers AWS's
documented behaviour gives, so a checker that drifts from AWS fails here. Also the course's
helpers for notebooks 3-8 (the cross-account 2x2, grant tables, policy editing).
"""

from __future__ import annotations

import html
import json
import re

import pytest

from kmslab import course
from kmslab.engine import STANDARD_ACTIONS
from kmslab.widgets.context import RequestContextExperiment
from kmslab.widgets.experiment import KeyPolicyExperiment

ACCOUNT = "111122223333"
OTHER = "444455556666"
ROOT_STATEMENT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                  "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}


@pytest.fixture
def start():
    labs = []

    def _start(name: str):
        labs.append(course.start(name))
        return labs[-1]

    yield _start
    for lab in labs:
        lab.stop()


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def wrong_then_right(exercise, wrong, right):
    """Run the wrong answer, then the right one; `wrong`/`right` are () -> CheckResult."""
    first = wrong()
    assert not first, f"a wrong answer passed: {first}"
    assert str(first).startswith("✘ Not yet.")
    second = right()
    assert second, f"the right answer failed: {second}"
    assert str(second).startswith("✔ Correct!")
    assert exercise.hint().startswith("Hint ") and exercise.solution()


# ------------------------------------------------------------------ notebooks 0-2 (existing factories)


def test_root_prediction_without_and_with_the_root_statement(start):
    lab = start("seed-without-root")
    ex = course.exercise_root_prediction(lab, "demo")
    wrong_then_right(ex, lambda: ex.check("allowed"), lambda: ex.check("denied"))
    assert not ex.check("maybe")
    lab = start("lesson-default-key-policy")
    ex = course.exercise_root_prediction(lab, "app-key")
    wrong_then_right(ex, lambda: ex.check("denied"), lambda: ex.check("Allowed "))


def test_least_privilege_through_iam(start):
    lab = start("lesson-default-key-policy")
    ex = course.exercise_least_privilege(lab, "app-key")
    arn = lab.key_arn("app-key")

    def wrong():
        lab.put_inline_policy("kms-test-3", "too-much", doc({"Effect": "Allow", "Action": "kms:*", "Resource": arn}))
        return ex.check()

    def right():
        lab.delete_inline_policy("kms-test-3", "too-much")
        lab.put_inline_policy("kms-test-3", "decrypt-only",
                              doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": arn}))
        return ex.check()

    assert "still cannot Decrypt" in ex.check().feedback
    wrong_then_right(ex, wrong, right)


def test_detach_flips(start):
    lab = start("lesson-default-key-policy")
    ex = course.exercise_detach_flips(lab, "app-key")
    every_action = [("kms-test-2", a) for a in STANDARD_ACTIONS]
    wrong_then_right(ex, lambda: ex.check([("kms-test-2", "Decrypt")]), lambda: ex.check(every_action))
    assert "AdministratorAccess" in lab.attached_policies("kms-test-2")  # put back


def test_root_flips(start):
    lab = start("seed-without-root")
    experiment = KeyPolicyExperiment(lab, "demo")
    try:
        ex = course.exercise_root_flips(experiment)
        right = [(p, a) for p in ("kms-test-2", "root") for a in STANDARD_ACTIONS]
        wrong = [*right, ("kms-test-1", "kms:Decrypt")]
        wrong_then_right(ex, lambda: ex.check(wrong), lambda: ex.check(right))
        assert "Enable IAM User Permissions" not in json.dumps(lab.key_policy("demo"))  # put back
    finally:
        experiment.close()


def test_root_flips_accepts_whole_rows_and_columns(start):
    lab = start("seed-without-root")
    experiment = KeyPolicyExperiment(lab, "demo")
    try:
        ex = course.exercise_root_flips(experiment)
        assert ex.check([("kms-test-2", "*"), ("root", "*")])
        assert not ex.check([("kms-test-2", "*")])
        assert not ex.check([("*", "Decrypt")])
        typo = ex.check([("kms-test-9", "Decrypt")])  # a typo is said, not counted as "does not flip"
        assert not typo and "kms-test-9" in typo.feedback
        assert "not a column" in ex.check([("kms-test-2", "Decryptt")]).feedback
        assert not experiment.flipped()  # the check never touched the learner's widget
    finally:
        experiment.close()


def test_name_in_key_policy_without_the_root_statement(start):
    lab = start("seed-without-root")
    ex = course.exercise_name_in_key_policy(lab, "demo")
    original = lab.key_policy("demo")
    test2 = lab.principal_arn("kms-test-2")

    def wrong():  # the root statement lets AdministratorAccess count: not the task
        lab.put_key_policy("demo", course.add_statement(original, ROOT_STATEMENT))
        return ex.check()

    def also_encrypt():
        lab.put_key_policy("demo", course.add_statement(original, {
            "Sid": "Test2", "Effect": "Allow", "Principal": {"AWS": test2}, "Action": "kms:*", "Resource": "*"}))
        return ex.check()

    def right():
        lab.put_key_policy("demo", course.add_statement(original, {
            "Sid": "Test2", "Effect": "Allow", "Principal": {"AWS": test2}, "Action": "kms:Decrypt", "Resource": "*"}))
        return ex.check()

    assert "cannot Decrypt yet" in ex.check().feedback
    assert "without the root statement" in wrong().feedback
    assert "also Encrypt" in also_encrypt().feedback
    wrong_then_right(ex, wrong, right)


def test_an_unanswered_check_asks_for_an_answer_and_hints_render_like_check(start):
    lab = start("seed-without-root")
    ex = course.exercise_root_prediction(lab, "demo")
    unanswered = ex.check(...)
    assert not unanswered and "Replace the ..." in unanswered.feedback
    assert 'class="kmslab-check"' in unanswered._repr_html_()
    assert "Predict the root user" in ex._repr_html_() and "kmslab-exercise" in ex._repr_html_()
    hint = ex.hint()
    assert hint.startswith("Hint 1/2: ") and 'class="kmslab-hint"' in hint._repr_html_()
    assert ex.hint().startswith("Hint 2/2: ") and ex.hint().startswith("Hint 2/2: ")  # stays at the last
    solution = ex.solution()
    assert 'class="kmslab-solution"' in solution._repr_html_() and str(solution).startswith("Allowed when")
    code = course.exercise_least_privilege(start("lesson-default-key-policy"), "app-key").solution()
    assert "<pre" in code._repr_html_()  # code keeps its lines, never wraps mid-word as a quoted string


def test_events_show_the_whole_reason(start):
    lab = start("seed-without-root")
    outcome = lab.request("kms-test-2", "kms:Decrypt", "demo")
    shown = course.events(lab).to_html()
    assert outcome.reason in html.unescape(shown)
    assert "..." not in shown and "…" not in shown


def test_readable_tables_say_yes_and_no_escape_text_and_keep_short_columns_on_one_line():
    """course.readable: what notebook 06 shows of the four worlds, and the cast and events tables."""
    import pandas as pd

    long = "User: arn:aws:iam::444455556666:user/dev is not authorized <because> 'no' policy allows it"
    shown = course.readable(pd.DataFrame({"key policy allows": [True, False], "message": [long, ""]})).to_html()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", shown)
    assert cells[0::2] == ["yes", "no"] and html.unescape(cells[1]) == long and "<because>" not in shown
    assert "row0" in shown and ">0</th>" not in shown  # no row numbers
    rules = dict(re.findall(r"#(T_\w+?_row0_col\d)[^{]*\{([^}]*)\}", shown))
    by_column = {k[-1]: v for k, v in rules.items()}
    assert "white-space: nowrap" in by_column["0"] and "white-space: normal" in by_column["1"]  # the long one wraps
    assert "text-align: left" in by_column["1"]
    assert re.search(r"th\.col0 \{\s*min-width: 6em", shown)  # a head longer than "yes" wraps, not letter by letter


def test_the_cast_keeps_each_type_on_one_line(start):
    """Japanese breaks anywhere: "IAM ユー|ザー" in a narrow column, unless the column keeps its cells whole."""
    lab = start("lesson-06-cross-account")
    cast = course.cast(lab)
    assert list(cast.data.iloc[:, 1]).count("IAM user") == 3
    shown = cast.to_html()
    type_cells = re.findall(r"#(T_\w+?_row\d+_col1)\b[^{]*\{([^}]*)\}", shown)
    assert type_cells and all("white-space: nowrap" in rule for _, rule in type_cells)


def test_grant_instead(start):
    lab = start("seed-without-root")
    ex = course.exercise_grant_instead(lab, "demo")
    original = lab.key_policy("demo")

    def wrong():
        lab.put_key_policy("demo", course.add_statement(original, {
            "Sid": "Test2", "Effect": "Allow", "Principal": {"AWS": lab.principal_arn("kms-test-2")},
            "Action": "kms:Decrypt", "Resource": "*"}))
        return ex.check()

    def right():
        lab.put_key_policy("demo", original)
        lab.create_grant("demo", "kms-test-2", ["Decrypt"])
        return ex.check()

    assert "still denied" in ex.check().feedback
    wrong_then_right(ex, wrong, right)


# ------------------------------------------------------------------ notebook 3


def test_predict_same_name(start):
    lab = start("lesson-03-unmanageable-key")
    ex = course.exercise_predict_same_name(lab, "admins-only", user="alice")
    wrong_then_right(ex, lambda: ex.check("denied"), lambda: ex.check("allowed"))  # still the old alice
    lab.delete_user("alice")
    lab.create_user("alice")
    wrong_then_right(ex, lambda: ex.check("allowed"), lambda: ex.check("denied"))  # a new alice


def test_safety_check_refuses_dropping_the_root_statement_and_puts_the_policy_back(start):
    lab = start("lesson-03-unmanageable-key")
    before = lab.key_policy("with-root-statement")
    no_root = course.remove_statement(before, "Enable IAM User Permissions")
    ex = course.exercise_safety_check(lab, "with-root-statement", no_root, as_="it-admin")
    wrong_then_right(ex, lambda: ex.check("accepted"), lambda: ex.check("refused"))
    assert "The new key policy will not allow you to update the key policy in the future." in \
        ex.check("refused").feedback
    assert not ex.check("maybe")
    keeps_root = course.add_statement(before, {"Sid": "Tag", "Effect": "Allow", "Principal": {
        "AWS": lab.principal_arn("carol")}, "Action": "kms:TagResource", "Resource": "*"})
    ex = course.exercise_safety_check(lab, "with-root-statement", keeps_root, as_="it-admin")
    wrong_then_right(ex, lambda: ex.check("refused"), lambda: ex.check("accepted"))
    assert lab.key_policy("with-root-statement") == before  # the lab put it back


def test_survives_deletion(start):
    lab = start("lesson-03-unmanageable-key")
    ex = course.exercise_survives_deletion(lab, admin="carol", rescuer="it-admin")
    carol = lab.principal_arn("carol")
    only_carol = doc({"Sid": "Carol", "Effect": "Allow", "Principal": {"AWS": carol}, "Action": "kms:*",
                      "Resource": "*"})
    with_root = doc(ROOT_STATEMENT, only_carol["Statement"][0])
    refused = ex.check(doc(ROOT_STATEMENT))  # carol could not manage it: the safety check refuses
    assert not refused and "MalformedPolicyDocumentException" in refused.feedback
    wrong_then_right(ex, lambda: ex.check(only_carol), lambda: ex.check(with_root))
    assert "carol" in [u.rsplit("/", 1)[-1] for u in lab.users()]  # carol exists again


def test_survives_deletion_solution_solves_it(start):
    """The solution shown is a policy the check accepts (its root statement comes from the engine)."""
    ex = course.exercise_survives_deletion(start("lesson-03-unmanageable-key"), admin="carol", rescuer="it-admin")
    code = str(ex.solution())
    assert code.startswith("check(") and code.endswith(")")
    policy = json.loads(code[len("check("):-1])
    assert policy["Statement"][0] == ROOT_STATEMENT
    assert ex.check(policy)


# ------------------------------------------------------------------ notebook 4


def test_key_admin_decrypt(start):
    lab = start("lesson-04-iam-policies-take-effect")
    ex = course.exercise_key_admin_decrypt(lab, "app-key")
    wrong_then_right(ex, lambda: ex.check("allowed"), lambda: ex.check("denied"))


def test_least_privilege_key_user(start):
    lab = start("lesson-04-iam-policies-take-effect")
    ex = course.exercise_least_privilege_key_user(lab, "app-key", user="intern", other_key="other-key")
    arn = lab.key_arn("app-key")

    def wrong():  # every key, every action
        lab.put_inline_policy("intern", "everything", doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))
        return ex.check()

    def right():
        lab.delete_inline_policy("intern", "everything")
        lab.put_inline_policy("intern", "use-app-key",
                              doc({"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": arn}))
        return ex.check()

    wrong_then_right(ex, wrong, right)
    lab.put_inline_policy("intern", "any-key", doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}))
    assert "other-key" in ex.check().feedback


def test_deny_deletion(start):
    lab = start("lesson-04-iam-policies-take-effect")
    ex = course.exercise_deny_deletion(lab, "app-key", user="it-admin")

    def wrong():  # denies too much
        lab.put_inline_policy("it-admin", "no-kms", doc({"Effect": "Deny", "Action": "kms:*", "Resource": "*"}))
        return ex.check()

    def right():
        lab.delete_inline_policy("it-admin", "no-kms")
        lab.put_inline_policy("it-admin", "no-key-deletion",
                              doc({"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}))
        return ex.check()

    wrong_then_right(ex, wrong, right)
    assert "with an explicit deny in an identity-based policy" in ex.check().feedback


# ------------------------------------------------------------------ notebook 5


def test_via_service_flips(start):
    lab = start("lesson-05-conditions")
    experiment = RequestContextExperiment(lab, "app-key", ["ebs-operator", "billing-app", "role/reports-reader",
                                                            "anyone"])
    try:
        experiment.set_context({"app": "billing"}, None)
        ex = course.exercise_via_service_flips(experiment)
        wrong_then_right(ex, lambda: ex.check([("ebs-operator", "Decrypt")]),
                         lambda: ex.check([("ebs-operator", "Decrypt"), ("ebs-operator", "kms:GenerateDataKey")]))
        assert experiment.encryption_context == {"app": "billing"} and experiment.via_service is None  # put back
    finally:
        experiment.close()


def test_context_statement(start):
    lab = start("lesson-05-conditions")
    ex = course.exercise_context_statement(lab, "app-key", role="role/batch", pair=("project", "alpha"))
    original = lab.key_policy("app-key")
    batch = {"Sid": "Batch", "Effect": "Allow", "Principal": {"AWS": lab.principal_arn("role/batch")},
             "Action": "kms:Decrypt", "Resource": "*"}

    def wrong():  # no condition
        lab.put_key_policy("app-key", course.add_statement(original, batch))
        return ex.check()

    def right():
        conditioned = dict(batch, Condition={"StringEquals": {"kms:EncryptionContext:project": "alpha"}})
        lab.put_key_policy("app-key", course.add_statement(original, conditioned))
        return ex.check()

    wrong_then_right(ex, wrong, right)
    lab.put_key_policy("app-key", course.remove_statement(lab.key_policy("app-key"), "Enable IAM User Permissions"),
                       bypass_lockout_check=True)
    assert "root statement" in ex.check().feedback


def test_caller_account(start):
    lab = start("lesson-05-conditions")
    ex = course.exercise_caller_account(lab, "app-key")
    wrong_then_right(ex, lambda: ex.check("allowed"), lambda: ex.check("denied"))


# ------------------------------------------------------------------ notebook 6


def test_cross_account_user(start):
    lab = start("lesson-06-cross-account")
    intern = f"arn:aws:iam::{OTHER}:user/intern"
    ex = course.exercise_cross_account_user(lab, "shared", user=intern)
    original = lab.key_policy("shared")

    def wrong():  # the key policy side again: not the missing yes
        lab.put_key_policy("shared", course.add_statement(original, {
            "Sid": "Intern", "Effect": "Allow", "Principal": {"AWS": intern}, "Action": "kms:Encrypt",
            "Resource": "*"}))
        return ex.check()

    def right():
        lab.put_key_policy("shared", original)
        lab.put_inline_policy(intern, "use-shared",
                              doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": lab.key_arn("shared")}))
        return ex.check()

    assert "Still denied" in ex.check().feedback
    wrong_then_right(ex, wrong, right)


def test_foreign_root(start):
    lab = start("lesson-06-cross-account")
    ex = course.exercise_foreign_root(lab, "shared")
    wrong_then_right(ex, lambda: ex.check("denied"), lambda: ex.check("allowed"))


def test_key_reference(start):
    lab = start("lesson-06-cross-account")
    ex = course.exercise_key_reference(lab, "shared", principal=f"arn:aws:iam::{OTHER}:user/dev")
    wrong_then_right(ex, lambda: ex.check({"arn", "id"}), lambda: ex.check({"arn", "alias_arn"}))
    assert "Use the names" in ex.check({"key arn"}).feedback


# ------------------------------------------------------------------ notebook 7


def test_grant_with_constraint(start):
    lab = start("lesson-07-grants")
    ex = course.exercise_grant_with_constraint(lab, "app-key", grantee="batch", pair=("project", "alpha"))
    kms = lab.client("kms", as_="key-admin")
    key, batch = lab.key_arn("app-key"), lab.principal_arn("batch")
    state = {}

    def wrong():  # no constraint
        state["id"] = kms.create_grant(KeyId=key, GranteePrincipal=batch,
                                       Operations=["Decrypt", "GenerateDataKey"])["GrantId"]
        return ex.check()

    def right():
        kms.revoke_grant(KeyId=key, GrantId=state["id"])
        kms.create_grant(KeyId=key, GranteePrincipal=batch, Operations=["Decrypt", "GenerateDataKey"],
                         Constraints={"EncryptionContextSubset": {"project": "alpha"}})
        return ex.check()

    wrong_then_right(ex, wrong, right)


def test_constraint_prediction(start):
    lab = start("lesson-07-grants")
    lab.create_grant("app-key", "auditor", ["Decrypt"],
                     constraints={"encryption_context_equals": {"department": "finance"}})
    lab.create_grant("app-key", "reports", ["Decrypt"],
                     constraints={"encryption_context_subset": {"department": "finance"}})
    extra = {"department": "finance", "year": "2024"}
    ex = course.exercise_constraint_prediction(lab, "app-key", "auditor", extra)
    wrong_then_right(ex, lambda: ex.check("allowed"), lambda: ex.check("denied"))
    ex = course.exercise_constraint_prediction(lab, "app-key", "reports", extra)
    wrong_then_right(ex, lambda: ex.check("denied"), lambda: ex.check("allowed"))


# ------------------------------------------------------------------ notebook 8


def test_playground_goal(start):
    lab = start("lesson-08-playground")
    ex = course.exercise_playground_goal(lab, "demo", user="kms-test-2")
    original = lab.key_policy("demo")

    def wrong():  # the root statement: kms-test-2 may decrypt, but through IAM
        lab.put_key_policy("demo", course.add_statement(original, ROOT_STATEMENT))
        return ex.check()

    def right():
        lab.put_key_policy("demo", course.add_statement(original, {
            "Sid": "Decrypt for kms-test-2", "Effect": "Allow", "Principal": {"AWS": lab.principal_arn("kms-test-2")},
            "Action": "kms:Decrypt", "Resource": "*"}))
        return ex.check()

    wrong_then_right(ex, wrong, right)


def test_deny_everyone_flips(start):
    lab = start("lesson-08-playground")
    before = lab.key_policy("demo")
    ex = course.exercise_deny_everyone_flips(lab, "demo")
    wrong_then_right(ex, lambda: ex.check([("kms-test-1", "Decrypt"), ("kms-test-2", "Decrypt")]),
                     lambda: ex.check([("kms-test-1", "Decrypt"), ("manabusakai", "Decrypt")]))
    assert lab.key_policy("demo") == before


# ------------------------------------------------------------------ helpers


def test_cross_account_2x2_needs_both_yeses_and_puts_the_world_back(start):
    lab = start("lesson-06-cross-account")
    dev = f"arn:aws:iam::{OTHER}:user/dev"
    policy_before = lab.key_policy("shared")
    iam_before = course.iam_snapshot(lab, dev)
    table = course.cross_account_2x2(lab, "shared", dev)
    assert table.loc["yes", "yes"] == "✔ allowed"
    assert table.loc["yes", "no"] == table.loc["no", "yes"] == table.loc["no", "no"] == "✘ denied"
    assert table.index.name == f"key policy of shared allows account {OTHER}?"
    assert table.columns.name == "IAM policy of dev allows kms:Encrypt?"
    assert lab.key_policy("shared") == policy_before
    assert course.iam_snapshot(lab, dev) == iam_before
    worlds = course.cross_account_worlds(lab, "private", f"arn:aws:iam::{OTHER}:user/intern", "Decrypt")
    by_world = {(w[0], w[1]): w for w in worlds.itertuples(index=False)}
    assert by_world[(True, True)][2] == "allowed"
    assert "because no identity-based policy allows the kms:Decrypt action" in by_world[(True, False)][3]
    assert "because no resource-based policy allows the kms:Decrypt action" in by_world[(False, True)][3]
    assert lab.request(dev, "kms:Encrypt", "shared").decision == "allowed"  # dev's own IAM policy is back
    with pytest.raises(ValueError, match="own account"):
        course.cross_account_2x2(lab, "shared", "key-owner")


def test_cross_account_2x2_restores_managed_policies(start):
    lab = start("lesson-06-cross-account")
    intern = f"arn:aws:iam::{OTHER}:user/intern"
    lab.attach_policy(intern, "AdministratorAccess")
    table = course.cross_account_2x2(lab, "shared", intern, "kms:Decrypt")
    assert table.loc["yes", "no"] == "✘ denied"  # AdministratorAccess was set aside for the worlds
    assert lab.attached_policies(intern) == ["AdministratorAccess"]


def test_grants_frame_and_context_grid(start):
    lab = start("lesson-07-grants")
    assert course.grants_frame(lab, "app-key").empty
    lab.create_grant("app-key", "reports", ["Decrypt"], constraints={"encryption_context_subset": {"d": "f"}},
                     retiring_principal="cleanup-job")
    frame = course.grants_frame(lab, "app-key")
    row = frame.iloc[0]
    assert (row["grantee principal"], row["operations"], row["retiring principal"]) == \
        ("reports", "Decrypt", "cleanup-job")
    assert row["constraints"] == 'EncryptionContextSubset {"d": "f"}'
    grid = course.context_grid(lab, "app-key", ["reports", "auditor"], "kms:Decrypt", [None, {"d": "f"}])
    assert list(grid.columns) == ["reports", "auditor"]
    assert grid.loc["(no encryption context)", "reports"] == "✘ denied"
    assert grid.loc['{"d": "f"}', "reports"] == "✔ allowed"
    assert grid.loc['{"d": "f"}', "auditor"] == "✘ denied"


def test_policy_helpers_and_unique_ids(start):
    lab = start("lesson-03-unmanageable-key")
    policy = lab.key_policy("with-root-statement")
    added = course.add_statement(policy, {"Sid": "X", "Effect": "Allow", "Principal": {"AWS": "*"},
                                          "Action": "kms:DescribeKey", "Resource": "*"})
    assert [s["Sid"] for s in added["Statement"]][-1] == "X" and len(policy["Statement"]) == 2  # a copy
    replaced = course.add_statement(added, {"Sid": "X", "Effect": "Deny", "Principal": {"AWS": "*"},
                                            "Action": "kms:DescribeKey", "Resource": "*"})
    assert [s["Effect"] for s in replaced["Statement"] if s["Sid"] == "X"] == ["Deny"]
    assert "Enable IAM User Permissions" not in json.dumps(
        course.remove_statement(policy, "Enable IAM User Permissions"))
    old = course.unique_id(lab, "alice")
    assert old.startswith("AIDA")
    lab.delete_user("alice")
    lab.create_user("alice")
    assert course.unique_id(lab, "alice") != old
    assert old in course.key_policy_principals(lab, "admins-only")
    assert lab.principal_arn("alice") not in course.key_policy_principals(lab, "admins-only")
    line = course.outcome_line(lab.request("alice", "kms:Decrypt", "admins-only"))
    assert line == "alice · Decrypt · admins-only: denied (AccessDeniedException)"


def test_start_gives_the_same_ids_every_time(start):
    first = start("lesson-07-grants")
    ids = (first.key_arn("app-key"), first.create_grant("app-key", "app", ["Decrypt"]))
    second = start("lesson-07-grants")
    assert (second.key_arn("app-key"), second.create_grant("app-key", "app", ["Decrypt"])) == ids


def test_playground_selects_its_first_key_and_principal(start, tmp_path):
    lab = start("lesson-08-playground")
    pg = course.playground(lab)
    assert pg.key_editor is not None and pg.key_editor.key == "demo"
    assert pg.iam_editor is not None and pg.iam_editor.principal == lab.principal_arn("kms-test-1")
    assert pg.explanation.value  # the first cell is explained
    assert pg.load(course.scenario_path("grants"))
    assert pg.key_editor is not None and pg.iam_editor is not None  # also after a load
    assert course.workdir().is_dir() and course.workdir() == course.workdir()



def test_lessons_build_on_the_shared_checks():
    """No lesson re-implements a shared check: their checkers come from kmslab.exercises (prediction, selection,
    flips, goal). The one exception builds a key from the learner's policy and then runs `goal`."""
    import ast
    from pathlib import Path

    lessons = sorted(Path(course.__file__).parent.glob("lesson0*.py"))
    assert [p.stem for p in lessons] == [f"lesson0{n}" for n in range(9)]
    own_checks, defined = {}, set()
    for path in lessons:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("exercise_")}
        made = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                and n.func.id == "CheckResult"]
        if made:
            own_checks[path.stem] = len(made)
    assert own_checks == {"lesson03": 1}  # exercise_survives_deletion: AWS refused to create the key
    assert defined == {name for name in course.__all__ if name.startswith("exercise_")}  # all importable as before
