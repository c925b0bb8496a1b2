"""lab.access_matrix: every principal x action x key, each cell the same real request lab.request makes.

The seed article's expectations: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
(without the root statement, only the principals the key policy names may use the key).
"""

from __future__ import annotations

from .conftest import ROOT_STATEMENT, SEED_POLICY, user_arn

ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:ListKeys", "kms:PutKeyPolicy"]


def test_every_cell_is_what_a_single_request_answers(seed):
    seed.create_key("open", policy={"Version": "2012-10-17", "Statement": [ROOT_STATEMENT]})
    principals = ["kms-test-1", "kms-test-2", "root"]
    cells = seed.access_matrix(principals, ACTIONS, ["demo", "open"])
    # Key-less ListKeys once per principal; the others once per key.
    assert [(c.principal, c.action, c.key) for c in cells] == [
        (seed.principal_arn(p), a, k)
        for p in principals for a in ACTIONS for k in (["demo", "open"] if a != "kms:ListKeys" else [None])
    ]
    for cell in cells:
        single = seed.request(cell.principal, cell.action, cell.key)
        assert (cell.decision, cell.error, cell.reason, cell.statements) == \
               (single.decision, single.error, single.reason, single.statements), cell
    by = {(c.principal, c.action, c.key): c.decision for c in cells}
    assert by[(user_arn("kms-test-1"), "kms:Decrypt", "demo")] == "allowed"  # named in the key policy
    assert by[(user_arn("kms-test-2"), "kms:Decrypt", "demo")] == "denied"  # AdministratorAccess has no effect
    assert by[(user_arn("kms-test-2"), "kms:Decrypt", "open")] == "allowed"  # the root statement lets IAM decide
    assert by[(user_arn("kms-test-1"), "kms:PutKeyPolicy", "demo")] == "allowed"
    assert seed.key_policy("demo") == SEED_POLICY  # each PutKeyPolicy probe was undone


def test_actions_in_any_spelling_and_from_a_generator(seed):
    cells = seed.access_matrix(["kms-test-1", "kms-test-2"], (a for a in ["decrypt", "KMS:describekey"]), ["demo"])
    assert [(c.action, c.decision) for c in cells] == [
        ("kms:Decrypt", "allowed"), ("kms:DescribeKey", "allowed"),
        ("kms:Decrypt", "denied"), ("kms:DescribeKey", "denied"),
    ]
