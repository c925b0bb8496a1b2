"""The access table: cell words and symbols, flip markers, legend, CSS hooks, labels."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

from kmslab.lab.outcome import Outcome
from kmslab.widgets import access_table, flipped, outcomes_frame, principal_labels

ACCOUNT, OTHER_ACCOUNT = "111122223333", "444455556666"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
USER1 = f"arn:aws:iam::{ACCOUNT}:user/kms-test-1"
USER2 = f"arn:aws:iam::{ACCOUNT}:user/kms-test-2"


class Cells(HTMLParser):
    """Every <td> of a table: its classes, title and text; plus the title and legend above the table."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.cells: list[dict] = []
        self.caption = ""
        self._in: str | None = None
        self.table_classes: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table_classes = (a.get("class") or "").split()
        if tag == "td":
            self.cells.append({"classes": set((a.get("class") or "").split()), "title": a.get("title"), "text": ""})
            self._in = "td"
        elif tag == "div" and "kmslab-table-head" in (a.get("class") or ""):
            self._in = "caption"

    def handle_endtag(self, tag):
        if tag in ("td", "div"):
            self._in = None

    def handle_data(self, data):
        if self._in == "td":
            self.cells[-1]["text"] += data
        elif self._in == "caption":
            self.caption += data

    def find(self, *classes: str) -> list[dict]:
        return [c for c in self.cells if set(classes) <= c["classes"]]


def one(cells: Cells, *classes: str) -> dict:
    found = cells.find(*classes)
    assert len(found) == 1, (classes, found)
    return found[0]


def test_outcomes_frame_is_long_form(without_root):
    df = outcomes_frame(without_root)
    assert list(df.columns) == ["principal", "action", "key", "decision", "error", "message", "reason", "statements"]
    assert len(df) == 32
    row = df[(df.principal == USER2) & (df.action == "kms:Decrypt")].iloc[0]
    assert row.decision == "denied"
    assert row.error == "AccessDeniedException"
    assert "no resource-based policy allows the kms:Decrypt action" in row.message
    named = df[(df.principal == USER1) & (df.action == "kms:Decrypt")].iloc[0]
    assert named.statements == "key policy: Sid 'Allow access for Key Administrators'"


def test_rows_are_short_principal_labels_and_columns_are_actions(without_root):
    styler = access_table(without_root)
    assert list(styler.data.index) == ["kms-test-1", "kms-test-2", "manabusakai", "root"]
    assert list(styler.data.columns)[:3] == ["Encrypt", "Decrypt", "GenerateDataKey"]
    assert styler.data.loc["kms-test-2", "Decrypt"] == "✘ denied"
    assert styler.data.loc["kms-test-1", "Decrypt"] == "✔ allowed"
    assert styler.data.loc["root", "Decrypt"] == "✘ denied"


def test_root_statement_flips_kms_test_2_decrypt_and_only_flipped_cells_are_marked(without_root, with_root):
    before = Cells(access_table(without_root).to_html())
    cell = one(before, "kmslab-p-kms-test-2", "kmslab-a-Decrypt")
    assert cell["text"] == "✘ denied"
    assert {"kmslab-cell", "kmslab-denied"} <= cell["classes"]
    assert "◆" not in "".join(c["text"] for c in before.cells)
    assert not before.find("kmslab-flipped")

    after = Cells(access_table(with_root, previous=without_root).to_html())
    cell = one(after, "kmslab-p-kms-test-2", "kmslab-a-Decrypt")
    assert cell["text"] == "✔ allowed ◆"
    assert {"kmslab-allowed", "kmslab-flipped"} <= cell["classes"]
    assert cell["title"].startswith("◆ changed: ✘ denied → ✔ allowed.")
    assert "the key policy allows the account" in cell["title"]

    marked = [c for c in after.cells if "◆" in c["text"]]
    assert len(marked) == len(after.find("kmslab-flipped")) == len(flipped(without_root, with_root)) == 16
    assert {p for c in marked for p in c["classes"] if p.startswith("kmslab-p-")} == {
        "kmslab-p-kms-test-2", "kmslab-p-root"}
    unchanged = one(after, "kmslab-p-kms-test-1", "kmslab-a-Decrypt")
    assert unchanged["text"] == "✔ allowed" and "kmslab-flipped" not in unchanged["classes"]


def test_flipped_returns_cell_keys(without_root, with_root):
    changed = flipped(without_root, with_root)
    assert (USER2, "kms:Decrypt", "demo") in changed
    assert (ROOT_ARN, "kms:Decrypt", "demo") in changed
    assert (USER1, "kms:Decrypt", "demo") not in changed
    assert flipped(with_root, with_root) == set()
    assert flipped([], with_root) == set()  # new cells are not flips


def test_legend_and_css_hooks(without_root, with_root):
    markup = access_table(with_root, previous=without_root).to_html()
    cells = Cells(markup)
    assert cells.table_classes == ["kmslab-access-table"]
    for words in ("✔ allowed", "✘ denied", "⚠", "another AWS error", "◆", "changed by the last edit", "demo"):
        assert words in cells.caption
    assert all(c["title"] for c in cells.cells)  # every cell explains itself on hover
    # the legend comes before the table, not in a <caption> (as narrow as the table: a vertical list)
    assert "<caption" not in markup and markup.index("kmslab-legend") < markup.index("<table")
    # colours come from class rules, and every state has a symbol and a word too
    assert "td.kmslab-allowed" in markup and "td.kmslab-denied" in markup and "td.kmslab-flipped" in markup
    assert all(c["text"].startswith(("✔ ", "✘ ", "⚠ ")) for c in cells.cells)


def _outcome(principal: str, action: str, key: str | None, decision: str, error: str | None = None) -> Outcome:
    return Outcome(principal, action, key, decision, error=error, message=f"{error} message" if error else None,
                   reason="because" if decision != "error" else "")


def test_error_cells_and_missing_cells():
    before = [_outcome(USER1, "kms:Decrypt", "demo", "allowed"), _outcome(USER2, "kms:Decrypt", "demo", "denied",
                                                                          "AccessDeniedException")]
    after = [_outcome(USER1, "kms:Decrypt", "demo", "error", "DisabledException"),
             _outcome(USER2, "kms:Decrypt", "demo", "denied", "AccessDeniedException"),
             _outcome(USER2, "kms:Encrypt", "demo", "allowed")]
    cells = Cells(access_table(after, previous=before).to_html())
    err = one(cells, "kmslab-p-kms-test-1", "kmslab-a-Decrypt")
    assert err["text"] == "⚠ DisabledException ◆" and {"kmslab-error", "kmslab-flipped"} <= err["classes"]
    assert "DisabledException message" in err["title"]
    missing = one(cells, "kmslab-p-kms-test-1", "kmslab-a-Encrypt")
    assert missing["text"] == "–" and "kmslab-missing" in missing["classes"]
    assert flipped(before, after) == {(USER1, "kms:Decrypt", "demo")}


def test_several_keys_give_key_action_columns_and_key_classes():
    outs = [_outcome(USER1, "kms:Decrypt", "demo", "allowed"), _outcome(USER1, "kms:Decrypt", "other", "denied"),
            _outcome(USER1, "kms:ListKeys", None, "allowed")]
    styler = access_table(outs)
    assert isinstance(styler.data.columns, pd.MultiIndex)
    assert list(styler.data.columns) == [("demo", "Decrypt"), ("other", "Decrypt"), ("(no key)", "ListKeys")]
    cells = Cells(styler.to_html())
    assert one(cells, "kmslab-a-Decrypt", "kmslab-k-other")["text"] == "✘ denied"
    assert one(cells, "kmslab-a-Decrypt", "kmslab-k-demo")["text"] == "✔ allowed"


def test_one_key_plus_keyless_actions_stay_flat():
    outs = [_outcome(USER1, "kms:Decrypt", "demo", "allowed"), _outcome(USER1, "kms:ListKeys", None, "allowed")]
    assert list(access_table(outs).data.columns) == ["Decrypt", "ListKeys"]


def test_principal_labels_stay_unique():
    session_a = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/alice"
    session_b = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/bob"
    role = f"arn:aws:iam::{ACCOUNT}:role/service-role/worker"
    assert principal_labels([USER1, ROOT_ARN, session_a, role]) == {
        USER1: "kms-test-1", ROOT_ARN: "root", session_a: "role/app", role: "role/worker"}
    assert principal_labels([session_a, session_b]) == {session_a: "role/app/alice", session_b: "role/app/bob"}
    other_root = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
    assert principal_labels([ROOT_ARN, other_root]) == {ROOT_ARN: f"root ({ACCOUNT})",
                                                        other_root: f"root ({OTHER_ACCOUNT})"}
    assert principal_labels([USER1, USER2], {USER2: "admin"})[USER2] == "admin"
    with pytest.raises(ValueError, match="distinct labels"):
        principal_labels([USER1, USER2], {USER2: "kms-test-1"})


def test_labels_and_text_are_escaped():
    outs = [Outcome(USER1, "kms:Decrypt", "demo", "error", error="<b>Bad</b>", reason='say "<hi>"')]
    markup = access_table(outs, principal_labels={USER1: "<i>me</i>"}).to_html()
    assert "<i>me</i>" not in markup and "&lt;i&gt;me&lt;/i&gt;" in markup
    assert "<b>Bad</b>" not in markup and "&lt;b&gt;Bad&lt;/b&gt;" in markup
    assert '"<hi>"' not in markup


def test_seed_outcomes_match_the_course_story(without_root, with_root):
    by = {(o.principal, o.action): o.decision for o in without_root}
    assert by[(USER1, "kms:Decrypt")] == "allowed" and by[(USER2, "kms:Decrypt")] == "denied"
    by = {(o.principal, o.action): o.decision for o in with_root}
    assert by[(USER2, "kms:Decrypt")] == "allowed"


def test_predicted_cells_read_predicted_missed_or_did_not_flip(without_root, with_root):
    predicted = {(USER2, "kms:Decrypt"), (USER1, "kms:Decrypt")}  # one real flip, one that does not flip
    cells = Cells(access_table(with_root, previous=without_root, predicted=predicted).to_html())
    hit = one(cells, "kmslab-p-kms-test-2", "kmslab-a-Decrypt")
    assert hit["text"] == "✔ allowed ◆✓ predicted" and "kmslab-hit" in hit["classes"]  # a <br> between
    wrong = one(cells, "kmslab-p-kms-test-1", "kmslab-a-Decrypt")
    assert wrong["text"] == "✔ allowed✗ did not flip" and "kmslab-wrong" in wrong["classes"]
    missed = one(cells, "kmslab-p-root", "kmslab-a-Decrypt")
    assert missed["text"].endswith("✗ missed") and "kmslab-missed" in missed["classes"]
    assert len(cells.find("kmslab-missed")) == len(flipped(without_root, with_root)) - 1
    for words in ("✓ predicted", "✗ missed", "✗ did not flip"):
        assert words in cells.caption  # explained in the legend
