"""Every notebook runs top to bottom in a fresh kernel, and shows what the lesson says it shows.

Predict before you see: after Run All, the notebook's first widget shows the state the story is in
where the widget stands (nothing flipped, checked against the widget state nbclient saves), every
exercise question is displayed where it is asked, and no learner's cell ships an answer. The
answers are supplied here: after the notebook ran, probe cells run in the same kernel (the
learner's next steps: a right and a wrong answer, a click on a widget) and their outputs are read.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
EDITIONS = {"en": FOLDER, "ja": FOLDER / "ja"}  # the Japanese edition: same file names (tests/test_notebooks_ja.py)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# What the learner does next, run in the notebook's kernel after Run All: {notebook: {probe: code}}.
PROBES: dict[str, dict[str, str]] = {
    "00-welcome.ipynb": {
        "answers": 'print(ex1.check("allowed")); print(ex1.check("denied")); print(ex1.hint()); print(ex1.solution())',
    },
    "01-default-key-policy.ipynb": {
        "detach": 'experiment.set_attached(lab.principal_arn("kms-test-2"), "AdministratorAccess", False)\n'
                  "print(sorted((p.rsplit('/', 1)[-1], a) for p, a, _ in experiment.flipped()))",
        "right answer": 'lab.put_inline_policy("kms-test-3", "decrypt-only", {"Version": "2012-10-17", "Statement": '
                        '[{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": lab.key_arn("app-key")}]})\n'
                        "print(ex1.check())",
    },
    "02-without-the-root-statement.ipynb": {
        "iam without the root statement": (
            'user = lab.principal_arn("kms-test-2")\n'
            'experiment.set_attached(user, "AdministratorAccess", False)\n'
            'print("detach flips:", len(experiment.flipped()))\n'
            'print("words:", experiment.status_text)\n'
            'experiment.set_attached(user, "AdministratorAccess", True)\n'
            'print("attach flips:", len(experiment.flipped()))'),
        "predict the root statement": (
            'result = experiment.predict([("kms-test-2", "*"), ("root", "*")], root_statement=True)\n'
            "print(result.correct)\n"
            "print(sorted({(p.rsplit('/', 1)[-1].rsplit(':', 1)[-1], a) for p, a, _ in experiment.flipped()}))\n"
            'print("words:", experiment.status_text)\n'
            "print(experiment.table.value)"),
        "answers": (
            "experiment.set_root_statement(False)\n"
            "print(ex1.check())\n"
            'lab.put_key_policy("demo", course.add_statement(lab.key_policy("demo"), {"Sid": "Decrypt for kms-test-2",'
            ' "Effect": "Allow", "Principal": {"AWS": lab.principal_arn("kms-test-2")}, "Action": "kms:Decrypt",'
            ' "Resource": "*"}))\n'
            "print(ex1.check())"),
    },
    "05-conditions.ipynb": {
        "answers": 'print(predict.check([("ebs-operator", "Decrypt")]))\n'
                   'print(predict.check([("ebs-operator", "Decrypt"), ("ebs-operator", "GenerateDataKey")]))',
    },
    "06-cross-account.ipynb": {
        "answers": 'print(ex3.check({"arn"})); print(ex3.check({"arn", "alias_arn"})); print(ex2.check("allowed"))',
    },
    "08-playground.ipynb": {
        "apply the root statement": (
            'with_root = course.add_statement(lab.key_policy("demo"), {"Sid": "Enable IAM User Permissions", '
            '"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", '
            '"Resource": "*"})\n'
            'print("accepted:", playground.key_editor.apply(json.dumps(with_root)))\n'
            'print(playground.table.value if hasattr(playground.table, "value") else "")'),
        "answers": 'print(ex2.check([("*", "Decrypt")])); print(ex2.check([("kms-test-1", "Decrypt"), '
                   '("manabusakai", "Decrypt"), ("kms-test-2", "Decrypt"), ("root", "Decrypt")]))',
    },
}


@dataclass
class Run:
    nb: nbformat.NotebookNode  # the notebook's own cells, executed
    widgets: dict[str, Any]  # model id -> widget state, saved right after the notebook's last cell
    probes: dict[str, str]  # probe name -> its output text


class Words:
    """The words a notebook of one edition shows, from kmslab's own catalog: `words("The call succeeded.")`.

    English templates in, the edition's rendering out (Japanese from the committed catalog), so one check
    holds the English and the Japanese notebooks to the same sentences.
    """

    def __init__(self, edition: str) -> None:
        from kmslab.i18n import load_catalog

        self.catalog = load_catalog(edition)[0] if edition != "en" else {}

    def __call__(self, template: str, **values: Any) -> str:
        return self.catalog.get(template, template).format(**values)

    def head(self, template: str) -> str:
        """The words before the template's first placeholder."""
        return self.catalog.get(template, template).split("{", 1)[0]


@cache
def executed(name: str, edition: str = "en") -> Run:
    """Run notebooks/<name> (or notebooks/ja/<name>) top to bottom with its probes; the kernel's cwd is its folder."""
    path = EDITIONS[edition] / name
    nb = nbformat.read(path, as_version=4)
    # coalesce_streams: one print may reach the notebook as several stream outputs when the kernel flushes between
    # its writes (seen on a loaded machine); JupyterLab shows them as one text, and so do these tests.
    client = NotebookClient(nb, timeout=180, kernel_name="python3", coalesce_streams=True,
                            resources={"metadata": {"path": str(path.parent)}})
    probes: dict[str, str] = {}
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        client.set_widgets_metadata()
        widgets = copy.deepcopy(nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}))
        own = len(nb.cells)
        for probe, code in PROBES.get(name, {}).items():
            nb.cells.append(nbformat.v4.new_code_cell(code))
            client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
            probes[probe] = "".join(cell_texts(nb.cells[-1]))
        del nb.cells[own:]
    return Run(nb, widgets, probes)


def cell_texts(cell: nbformat.NotebookNode) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o["text"])
        elif "data" in o:
            out.append(o["data"].get("text/html") or o["data"].get("text/plain", ""))
        elif o.get("output_type") == "error":
            out.append("\n".join(o.get("traceback", [])))
    return out


def texts(nb: nbformat.NotebookNode) -> list[str]:
    """Every output of the notebook as text (streams, plain text and HTML)."""
    return [t for cell in nb.cells for t in cell_texts(cell)]


def cell_state(table_html: str, principal: str, action: str) -> str:
    """allowed / denied / error of one cell of an access table (by its CSS classes)."""
    match = re.search(rf'class="[^"]*kmslab-p-{re.escape(principal)} kmslab-a-{action}\b[^"]*"', table_html)
    assert match, f"no cell for {principal}/{action}"
    for state in ("allowed", "denied", "error"):
        if f"kmslab-{state}" in match.group(0):
            return state
    return "missing"


def flipped_cells(table_html: str) -> int:
    """How many cells of an access table are marked as flipped by the last change."""
    return len(re.findall(r'<td[^>]*class="[^"]*\bkmslab-flipped\b', table_html))


def tables(nb: nbformat.NotebookNode) -> list[str]:
    return [t for t in texts(nb) if "kmslab-access-table" in t]


def first_widget_tables(run: Run) -> list[str]:
    """The access tables inside the first widget the notebook displays (from the saved widget state)."""
    root = next((o["data"][WIDGET_VIEW]["model_id"] for c in run.nb.cells for o in c.get("outputs", [])
                 if WIDGET_VIEW in o.get("data", {})), None)
    if root is None:
        return []
    found, todo, seen = [], [root], set()
    while todo:
        model = todo.pop()
        if model in seen or model not in run.widgets:
            continue
        seen.add(model)
        state = run.widgets[model]["state"]
        if isinstance(state.get("value"), str) and "kmslab-access-table" in state["value"]:
            found.append(state["value"])
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", repr(state))
    return found


# ---------------------------------------------------------------- every notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_and_its_first_widget_shows_nothing_flipped(path):
    run = executed(path.name)
    assert not any(o.get("output_type") == "error" for c in run.nb.cells for o in c.get("outputs", []))
    for probe, text in run.probes.items():
        assert "Traceback" not in text, f"probe {probe!r} failed:\n{text}"
    widget_tables = first_widget_tables(run)
    if any(WIDGET_VIEW in o.get("data", {}) for c in run.nb.cells for o in c.get("outputs", [])):
        assert widget_tables, "the first widget shows no access table"
    for table in widget_tables:
        assert flipped_cells(table) == 0, "after Run All the first widget already shows flipped cells (◆)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_question_is_displayed_where_it_is_asked_and_no_answer_is_prefilled(path):
    run = executed(path.name)
    for cell in run.nb.cells:
        if cell.cell_type != "code":
            continue
        made = re.findall(r"^(\w+) = course\.exercise_\w+\(", cell.source, flags=re.M)
        for name in made:  # the cell that makes an exercise shows its question
            assert any("kmslab-exercise" in t for t in cell_texts(cell)), f"{name} is made but not displayed"
        for call in re.findall(r"\.check\(([^)]*)\)", cell.source):
            assert call.strip() in ("", "..."), f"a learner's cell ships an answer: .check({call})"


# ---------------------------------------------------------------- notebooks 0-2


def test_notebook_0_predict_the_root_user_before_the_table(edition: str = "en"):
    say = Words(edition)
    run = executed("00-welcome.ipynb", edition)
    out = "\n".join(texts(run.nb))
    for name in ("kms-test-1", "kms-test-2", "manabusakai", "arn:aws:iam::111122223333:root"):
        assert name in out
    table = tables(run.nb)[0]
    assert cell_state(table, "kms-test-2", "Decrypt") == "denied"
    assert cell_state(table, "root", "Decrypt") == "denied"
    sources = [c.source for c in run.nb.cells]
    question = next(i for i, s in enumerate(sources) if "exercise_root_prediction" in s)
    first_table = next(i for i, s in enumerate(sources) if "access_table" in s)
    assert question < first_table  # the prediction comes before the table that answers it
    answers = run.probes["answers"]
    assert say("✘ Not yet. ").strip() in answers and say("✔ Correct! ") + say.head("The lab agrees: {why}") in answers
    assert say.head("Hint {i}/{n}: {text}") + "1/2" in answers
    events = next(t for t in texts(run.nb) if "kmslab-events" in t)
    assert "…" not in events and "..." not in events  # the reasons are shown in full


def test_notebook_1_default_key_policy_lets_iam_decide(edition: str = "en"):
    say = Words(edition)
    run = executed("01-default-key-policy.ipynb", edition)
    table = tables(run.nb)[0]
    assert cell_state(table, "kms-test-2", "Decrypt") == "allowed"  # AdministratorAccess counts
    assert cell_state(table, "kms-test-3", "Decrypt") == "denied"  # no IAM policy
    assert cell_state(table, "root", "Decrypt") == "allowed"
    detached = run.probes["detach"]
    assert "('kms-test-2', 'kms:Decrypt')" in detached and "kms-test-1" not in detached
    assert say("✔ Correct! ").strip() in run.probes["right answer"]


def test_notebook_2_administrator_access_counts_only_with_the_root_statement(edition: str = "en"):
    say = Words(edition)
    run = executed("02-without-the-root-statement.ipynb", edition)
    out = "\n".join(texts(run.nb))
    assert ("An error occurred (AccessDeniedException) when calling the Decrypt operation: User: "
            "arn:aws:iam::111122223333:user/kms-test-2 is not authorized to perform: kms:Decrypt") in out
    root_denied = say("the key policy has no statement for the account, so even the account's root user is denied")
    assert html.escape(root_denied) in out or root_denied in out
    table = tables(run.nb)[0]
    assert cell_state(table, "kms-test-1", "Decrypt") == "allowed"
    assert cell_state(table, "kms-test-2", "Decrypt") == "denied"
    assert cell_state(table, "root", "Decrypt") == "denied"
    # The lesson: without the root statement, AdministratorAccess changes nothing, and the widget says why.
    iam = run.probes["iam without the root statement"]
    assert "detach flips: 0" in iam and "attach flips: 0" in iam
    words = iam[iam.index("words:"):iam.index("attach flips")]
    assert "DetachUserPolicy" in words and say("No cell changed") in words
    predicted = run.probes["predict the root statement"]
    lines = predicted.splitlines()
    assert lines[0] == "True"  # the whole rows of kms-test-2 and root, predicted by name
    flips = eval(lines[1])  # noqa: S307 - our own probe's printed list
    assert {p for p, _ in flips} == {"kms-test-2", "root"} and len(flips) == 16
    assert "PutKeyPolicy" in next(line for line in lines if line.startswith("words:"))
    assert flipped_cells(predicted) == 16
    assert cell_state(predicted, "kms-test-2", "Decrypt") == "allowed"
    answers = run.probes["answers"]
    assert say("✘ Not yet. ").strip() in answers and say("✔ Correct! ").strip() in answers


# ---------------------------------------------------------------- notebooks 3-8


def key_cell_state(table_html: str, principal: str, action: str, key: str) -> str:
    """allowed / denied / error of one cell of an access table over several keys."""
    match = re.search(rf'class="[^"]*kmslab-p-{re.escape(principal)} kmslab-a-{action} kmslab-k-{re.escape(key)}\b'
                      r'[^"]*"', table_html)
    assert match, f"no cell for {principal}/{action}/{key}"
    return next((s for s in ("allowed", "denied", "error") if f"kmslab-{s}" in match.group(0)), "missing")


def frame_rows(frame_html: str) -> dict[str, list[str]]:
    """A pandas DataFrame's HTML as {row header: [cell texts]}."""
    rows = re.findall(r"<tr>\s*<th>([^<]*)</th>((?:\s*<td>[^<]*</td>)+)\s*</tr>", frame_html)
    return {html.unescape(head): re.findall(r"<td>([^<]*)</td>", cells) for head, cells in rows}


def test_notebook_3_nobody_can_manage_a_key_whose_administrators_are_gone(edition: str = "en"):
    say = Words(edition)
    nb = executed("03-an-unmanageable-key.ipynb", edition).nb
    out = "\n".join(texts(nb))
    before, after_deletion, with_root, alice_only = tables(nb)
    assert key_cell_state(before, "it-admin", "GetKeyPolicy", "admins-only") == "denied"
    assert key_cell_state(before, "root", "PutKeyPolicy", "admins-only") == "denied"
    assert key_cell_state(before, "alice", "PutKeyPolicy", "admins-only") == "allowed"
    assert key_cell_state(before, "it-admin", "PutKeyPolicy", "with-root-statement") == "allowed"
    for who in ("it-admin", "root"):
        assert cell_state(after_deletion, who, "GetKeyPolicy") == "denied"
    assert ("An error occurred (AccessDeniedException) when calling the PutKeyPolicy operation: User: "
            "arn:aws:iam::111122223333:user/it-admin is not authorized to perform: kms:PutKeyPolicy") in out
    root_denied = say("the key policy has no statement for the account, so even the account's root user is denied")
    assert html.escape(root_denied) in out or root_denied in out
    # The new alice is another principal: the key policy holds the old unique ids.
    new_id = re.search(r"the new alice's unique id: (AIDA[A-Z0-9]{17})", out).group(1)
    policy_after = next(t for t in texts(nb) if "Allow access for Key Administrators" in t and "AIDA" in t)
    old_ids = set(re.findall(r"AIDA[A-Z0-9]{17}", policy_after))
    assert len(old_ids) == 2 and new_id not in old_ids
    assert "arn:aws:iam::111122223333:user/alice" not in policy_after
    # With the root statement, an IAM administrator repairs the key.
    assert cell_state(with_root, "it-admin", "GetKeyPolicy") == "allowed"
    assert cell_state(with_root, "alice", "GetKeyPolicy") == "denied"
    assert "alice GetKeyPolicy on with-root-statement: allowed" in out
    for operation in ("PutKeyPolicy", "CreateKey"):
        assert (f"An error occurred (MalformedPolicyDocumentException) when calling the {operation} operation: "
                "The new key policy will not allow you to update the key policy in the future.") in out
    assert cell_state(alice_only, "alice", "PutKeyPolicy") == "allowed"
    assert cell_state(alice_only, "it-admin", "GetKeyPolicy") == "denied"
    assert cell_state(alice_only, "root", "PutKeyPolicy") == "denied"


def test_notebook_4_iam_policies_count_and_explicit_deny_wins(edition: str = "en"):
    say = Words(edition)
    nb = executed("04-iam-policies-take-effect.ipynb", edition).nb
    out = "\n".join(texts(nb))
    table, after = tables(nb)[0], tables(nb)[-1]
    expected = {
        ("key-admin", "PutKeyPolicy"): "allowed", ("key-admin", "Decrypt"): "denied",
        ("app-user", "Decrypt"): "allowed", ("app-user", "PutKeyPolicy"): "denied",
        ("ops", "ScheduleKeyDeletion"): "allowed", ("ops", "Decrypt"): "denied",
        ("app", "Decrypt"): "allowed", ("app", "GetKeyPolicy"): "denied",
        ("it-admin", "Decrypt"): "allowed", ("intern", "Decrypt"): "denied", ("root", "PutKeyPolicy"): "allowed",
    }
    for (who, action), state in expected.items():
        assert cell_state(table, who, action) == state, (who, action)
    allowed, denied = say("allowed"), say("denied")
    assert f"app · Decrypt · other-key: {denied} (AccessDeniedException)" in out
    assert f"it-admin · Decrypt · other-key: {allowed}" in out
    assert (f"called directly: app-user · CreateGrant · app-key: {denied} (AccessDeniedException)\n"
            f"through Amazon EC2: app-user · CreateGrant · app-key: {allowed}") in out
    assert ("when calling the Decrypt operation: User: arn:aws:iam::111122223333:user/app-user is not authorized to "
            "perform: kms:Decrypt") in out
    assert "with an explicit deny in an identity-based policy" in out
    assert "with an explicit deny in a resource-based policy" in out
    assert cell_state(after, "app-user", "Decrypt") == "denied"
    assert cell_state(after, "app-user", "Encrypt") == "allowed"
    assert cell_state(after, "it-admin", "Decrypt") == "denied"
    assert cell_state(after, "it-admin", "Encrypt") == "allowed"
    assert "◆" in after


def test_notebook_5_conditions_follow_the_request(edition: str = "en"):
    say = Words(edition)
    run = executed("05-conditions.ipynb", edition)
    out = "\n".join(texts(run.nb))
    allowed, denied = say("allowed"), say("denied")
    for line in (f"anyone · DescribeKey · app-key: {allowed}", f"role/batch · DescribeKey · app-key: {allowed}",
                 f"outsider · DescribeKey · app-key: {denied} (AccessDeniedException)",
                 f"role/reports-reader · Decrypt · app-key: {allowed}",
                 f"role/batch · Decrypt · app-key: {denied} (AccessDeniedException)",
                 # the notebook's own code prints Outcome.decision, the API's value (the same in every edition)
                 "billing-app Decrypt with an extra pair: allowed", "billing-app Decrypt with app=payroll: denied"):
        assert line in out
    with_context, through_ec2 = tables(run.nb)
    assert cell_state(with_context, "billing-app", "Encrypt") == "allowed"
    assert cell_state(with_context, "ebs-operator", "Decrypt") == "denied"
    assert cell_state(through_ec2, "ebs-operator", "Decrypt") == "allowed"
    assert cell_state(through_ec2, "ebs-operator", "Encrypt") == "denied"
    assert cell_state(through_ec2, "billing-app", "Encrypt") == "denied"
    assert cell_state(through_ec2, "role-reports-reader", "Decrypt") == "allowed"
    assert "◆" in with_context and "◆" in through_ec2
    assert "Only through Amazon EC2" in out  # the decision path names the statement
    answers = run.probes["answers"]
    assert say("✘ Not yet. ").strip() in answers
    assert say("✔ Correct! ") + say("Exactly these {n} cells flip.", n=2) in answers


def test_notebook_6_cross_account_needs_both_sides(edition: str = "en"):
    say = Words(edition)
    run = executed("06-cross-account.ipynb", edition)
    nb = run.nb
    out = "\n".join(texts(nb))
    head = say("IAM policy of {principal} allows {action}?", principal="dev", action="kms:Encrypt")
    two_by_two = next(t for t in texts(nb) if html.escape(head) in t)
    yes, no, allowed, denied = say("yes"), say("no"), say("✔ allowed"), say("✘ denied")
    assert frame_rows(two_by_two) == {yes: [allowed, denied], no: [denied, denied]}
    assert "because no identity-based policy allows the kms:Encrypt action" in out
    assert "because no resource-based policy allows the kms:Encrypt action" in out
    table = tables(nb)[0]
    assert cell_state(table, "dev", "Encrypt") == "allowed"
    assert cell_state(table, "dev", "GetKeyPolicy") == "denied"  # not a cross-account operation
    assert cell_state(table, "intern", "Encrypt") == "denied"
    assert cell_state(table, "root", "Decrypt") == "allowed"
    assert "key ARN: " + say("The call succeeded.") in out
    assert ("key id:  An error occurred (NotFoundException) when calling the Encrypt operation: "
            "Key 'arn:aws:kms:us-east-1:444455556666:key/") in out
    answers = run.probes["answers"].splitlines()
    assert answers[0].startswith(say("✘ Not yet. ").strip()) and answers[1].startswith(say("✔ Correct! ").strip())
    assert answers[2].startswith(say("✔ Correct! ").strip())


def test_notebook_7_grants_allow_retire_and_revoke(edition: str = "en"):
    say = Words(edition)
    nb = executed("07-grants.ipynb", edition).nb
    out = "\n".join(texts(nb))
    before, after = tables(nb)
    assert cell_state(before, "app", "Decrypt") == "denied"
    assert cell_state(after, "app", "Decrypt") == "allowed"
    assert cell_state(after, "app", "GenerateDataKey") == "allowed"
    assert cell_state(after, "app", "Encrypt") == "denied"
    assert cell_state(after, "app", "DescribeKey") == "denied"
    assert "◆" in after
    assert "EncryptionContextSubset" in out and "EncryptionContextEquals" in out
    allowed, denied = say("✔ allowed"), say("✘ denied")
    index = html.escape(say("{operation} with encryption context", operation="Decrypt"))
    grid = frame_rows(next(t for t in texts(nb) if index in t))
    assert grid[say("(no encryption context)")] == [denied, denied]
    assert grid['{"department": "finance"}'] == [allowed, allowed]
    assert grid['{"department": "finance", "year": "2024"}'] == [allowed, denied]
    assert grid['{"department": "hr"}'] == [denied, denied]
    assert f"app · Decrypt · app-key: {say('denied')} (AccessDeniedException)" in out  # retired by cleanup-job
    assert "An error occurred (AccessDeniedException) when calling the RetireGrant operation" in out
    assert "app revokes: An error occurred (AccessDeniedException) when calling the RevokeGrant operation" in out
    assert f"after key-admin revoked it: reports · Decrypt · app-key: {say('denied')} (AccessDeniedException)" in out


def test_notebook_8_aws_refuses_bad_policies_and_the_lab_replays(edition: str = "en"):
    say = Words(edition)
    run = executed("08-playground.ipynb", edition)
    out = "\n".join(texts(run.nb))
    assert ("An error occurred (MalformedPolicyDocumentException) when calling the PutKeyPolicy operation: "
            "The new key policy will not allow you to update the key policy in the future.") in out
    assert "An error occurred (MalformedPolicyDocument) when calling the PutUserPolicy operation" in out
    assert out.count("An error occurred (MalformedPolicyDocument") == 3
    summary = re.escape(say("check: {passed} passed, {failed} failed", passed="<n>", failed=0)).replace("<n>", r"\d+")
    assert re.search(summary + r"\nexit status: 0", out)
    applied = run.probes["apply the root statement"]
    assert "accepted: True" in applied
    answers = run.probes["answers"].splitlines()
    assert answers[0].startswith(say("✘ Not yet. ").strip()) and answers[1].startswith(say("✔ Correct! ").strip())
