"""Every notebook runs top to bottom in a fresh kernel, and shows what the lesson says it shows."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@cache
def executed(name: str) -> nbformat.NotebookNode:
    path = next(p for p in NOTEBOOKS if p.name == name)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def texts(nb: nbformat.NotebookNode) -> list[str]:
    """Every output of the notebook as text (streams, plain text and HTML)."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append(o["text"])
            elif "data" in o:
                out.append(o["data"].get("text/html") or o["data"].get("text/plain", ""))
            elif o.get("output_type") == "error":
                out.append("\n".join(o.get("traceback", [])))
    return out


def cell_state(table_html: str, principal: str, action: str) -> str:
    """allowed / denied / error of one cell of an access table (by its CSS classes)."""
    match = re.search(rf'class="[^"]*kmslab-p-{re.escape(principal)} kmslab-a-{action}\b[^"]*"', table_html)
    assert match, f"no cell for {principal}/{action}"
    for state in ("allowed", "denied", "error"):
        if f"kmslab-{state}" in match.group(0):
            return state
    return "missing"


def tables(nb: nbformat.NotebookNode) -> list[str]:
    return [t for t in texts(nb) if "kmslab-access-table" in t]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path):
    nb = executed(path.name)
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_notebook_0_welcome_shows_the_cast_and_a_first_request():
    out = "\n".join(texts(executed("00-welcome.ipynb")))
    for name in ("kms-test-1", "kms-test-2", "manabusakai", "arn:aws:iam::111122223333:root"):
        assert name in out
    assert cell_state(tables(executed("00-welcome.ipynb"))[0], "kms-test-2", "Decrypt") == "denied"


def test_notebook_1_default_key_policy_lets_iam_decide():
    nb = executed("01-default-key-policy.ipynb")
    table = tables(nb)[0]
    assert cell_state(table, "kms-test-2", "Decrypt") == "allowed"  # AdministratorAccess counts
    assert cell_state(table, "kms-test-3", "Decrypt") == "denied"  # no IAM policy
    assert cell_state(table, "root", "Decrypt") == "allowed"
    out = "\n".join(texts(nb))
    assert "kms-test-2 Decrypt: denied" in out and "kms-test-2 Decrypt: allowed" in out


def test_notebook_2_root_statement_flips_kms_test_2():
    nb = executed("02-without-the-root-statement.ipynb")
    out = "\n".join(texts(nb))
    assert ("An error occurred (AccessDeniedException) when calling the Decrypt operation: User: "
            "arn:aws:iam::111122223333:user/kms-test-2 is not authorized to perform: kms:Decrypt") in out
    assert "kms-test-2 Decrypt: denied -> allowed" in out
    after = tables(nb)[-1]  # the table right after the root statement was added
    assert cell_state(after, "kms-test-2", "Decrypt") == "allowed"
    assert cell_state(after, "kms-test-1", "Decrypt") == "allowed"
    assert cell_state(after, "root", "Decrypt") == "allowed"
    assert "◆" in after
    # Without the statement the root user is denied (the show() before the experiment).
    assert "the account&#x27;s root user is denied" in out or "the account's root user is denied" in out
