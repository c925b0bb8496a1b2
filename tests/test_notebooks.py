"""Every notebook runs top to bottom in a fresh kernel, and shows what the lesson says it shows."""

from __future__ import annotations

import html
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


def test_notebook_3_nobody_can_manage_a_key_whose_administrators_are_gone():
    nb = executed("03-an-unmanageable-key.ipynb")
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
    assert "even the account&#x27;s root user is denied" in out or "even the account's root user is denied" in out
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


def test_notebook_4_iam_policies_count_and_explicit_deny_wins():
    nb = executed("04-iam-policies-take-effect.ipynb")
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
    assert "app · Decrypt · other-key: denied (AccessDeniedException)" in out
    assert "it-admin · Decrypt · other-key: allowed" in out
    assert ("called directly: app-user · CreateGrant · app-key: denied (AccessDeniedException)\n"
            "through Amazon EC2: app-user · CreateGrant · app-key: allowed") in out
    assert ("when calling the Decrypt operation: User: arn:aws:iam::111122223333:user/app-user is not authorized to "
            "perform: kms:Decrypt") in out
    assert "with an explicit deny in an identity-based policy" in out
    assert "with an explicit deny in a resource-based policy" in out
    assert cell_state(after, "app-user", "Decrypt") == "denied"
    assert cell_state(after, "app-user", "Encrypt") == "allowed"
    assert cell_state(after, "it-admin", "Decrypt") == "denied"
    assert cell_state(after, "it-admin", "Encrypt") == "allowed"
    assert "◆" in after


def test_notebook_5_conditions_follow_the_request():
    nb = executed("05-conditions.ipynb")
    out = "\n".join(texts(nb))
    for line in ("anyone · DescribeKey · app-key: allowed", "role/batch · DescribeKey · app-key: allowed",
                 "outsider · DescribeKey · app-key: denied (AccessDeniedException)",
                 "role/reports-reader · Decrypt · app-key: allowed",
                 "role/batch · Decrypt · app-key: denied (AccessDeniedException)",
                 "billing-app Encrypt: allowed", "ebs-operator Decrypt: allowed",
                 "billing-app Decrypt with an extra pair: allowed", "billing-app Decrypt with app=payroll: denied"):
        assert line in out
    with_context, through_ec2 = tables(nb)
    assert cell_state(with_context, "billing-app", "Encrypt") == "allowed"
    assert cell_state(with_context, "ebs-operator", "Decrypt") == "denied"
    assert cell_state(through_ec2, "ebs-operator", "Decrypt") == "allowed"
    assert cell_state(through_ec2, "ebs-operator", "Encrypt") == "denied"
    assert cell_state(through_ec2, "billing-app", "Encrypt") == "denied"
    assert cell_state(through_ec2, "role-reports-reader", "Decrypt") == "allowed"
    assert "◆" in with_context and "◆" in through_ec2
    assert "Only through Amazon EC2" in out  # the decision path names the statement


def test_notebook_6_cross_account_needs_both_sides():
    nb = executed("06-cross-account.ipynb")
    out = "\n".join(texts(nb))
    two_by_two = next(t for t in texts(nb) if "IAM policy of dev allows kms:Encrypt?" in t)
    assert frame_rows(two_by_two) == {"yes": ["✔ allowed", "✘ denied"], "no": ["✘ denied", "✘ denied"]}
    assert "because no identity-based policy allows the kms:Encrypt action" in out
    assert "because no resource-based policy allows the kms:Encrypt action" in out
    table = tables(nb)[0]
    assert cell_state(table, "dev", "Encrypt") == "allowed"
    assert cell_state(table, "dev", "GetKeyPolicy") == "denied"  # not a cross-account operation
    assert cell_state(table, "intern", "Encrypt") == "denied"
    assert cell_state(table, "root", "Decrypt") == "allowed"
    assert "key ARN: The call succeeded." in out
    assert ("key id:  An error occurred (NotFoundException) when calling the Encrypt operation: "
            "Key 'arn:aws:kms:us-east-1:444455556666:key/") in out


def test_notebook_7_grants_allow_retire_and_revoke():
    nb = executed("07-grants.ipynb")
    out = "\n".join(texts(nb))
    before, after = tables(nb)
    assert cell_state(before, "app", "Decrypt") == "denied"
    assert cell_state(after, "app", "Decrypt") == "allowed"
    assert cell_state(after, "app", "GenerateDataKey") == "allowed"
    assert cell_state(after, "app", "Encrypt") == "denied"
    assert cell_state(after, "app", "DescribeKey") == "denied"
    assert "◆" in after
    assert "EncryptionContextSubset" in out and "EncryptionContextEquals" in out
    grid = frame_rows(next(t for t in texts(nb) if "Decrypt with encryption context" in t))
    assert grid["(no encryption context)"] == ["✘ denied", "✘ denied"]
    assert grid['{"department": "finance"}'] == ["✔ allowed", "✔ allowed"]
    assert grid['{"department": "finance", "year": "2024"}'] == ["✔ allowed", "✘ denied"]
    assert grid['{"department": "hr"}'] == ["✘ denied", "✘ denied"]
    assert "app · Decrypt · app-key: denied (AccessDeniedException)" in out  # retired by cleanup-job
    assert "An error occurred (AccessDeniedException) when calling the RetireGrant operation" in out
    assert "app revokes: An error occurred (AccessDeniedException) when calling the RevokeGrant operation" in out
    assert "after key-admin revoked it: reports · Decrypt · app-key: denied (AccessDeniedException)" in out


def test_notebook_8_playground_rejects_bad_policies_and_replays_the_lab():
    nb = executed("08-playground.ipynb")
    out = "\n".join(texts(nb))
    assert out.count("accepted: False") == 3 and "accepted: True" in out
    assert "the policy is not valid JSON" in out
    assert ("An error occurred (MalformedPolicyDocumentException) when calling the PutKeyPolicy operation: "
            "The new key policy will not allow you to update the key policy in the future.") in out
    assert "An error occurred (MalformedPolicyDocument) when calling the PutUserPolicy operation" in out
    assert "is unchanged" in out
    table = tables(nb)[0]
    assert cell_state(table, "kms-test-2", "Decrypt") == "allowed" and "◆" in table
    assert cell_state(table, "kms-test-3", "Decrypt") == "denied"
    assert re.search(r"check: \d+ passed, 0 failed\nexit status: 0", out)
    assert "loaded grants.yaml: True" in out and "loaded my-lab.yaml: True" in out
    assert "loaded my-lab.yaml: True\n  kms-test-2 Decrypt: allowed" in out
