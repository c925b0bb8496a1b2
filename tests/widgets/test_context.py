"""The request-context experiment, driven headlessly: type a pair, pick a service, assert the table."""

from __future__ import annotations

import re

import pytest

from kmslab import course
from kmslab.widgets.context import NO_SERVICE, RequestContextExperiment, context_text, via_service_options

PRINCIPALS = ["ebs-operator", "billing-app", "role/reports-reader", "anyone"]
EC2 = "ec2.us-east-1.amazonaws.com"


@pytest.fixture
def lab():
    lab = course.start("lesson-05-conditions")
    yield lab
    lab.stop()


def _cell(table_html: str, principal: str, action: str) -> str:
    m = re.search(rf'class="[^"]*kmslab-p-{re.escape(principal)} kmslab-a-{action}\b[^"]*"', table_html)
    assert m, f"no cell for {principal}/{action}"
    return next(s for s in ("allowed", "denied", "error") if f"kmslab-{s}" in m.group(0))


def test_starts_with_no_context_and_real_answers(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    assert exp.service_select.value == NO_SERVICE
    assert _cell(exp.table.value, "billing-app", "Encrypt") == "denied"
    assert _cell(exp.table.value, "ebs-operator", "Decrypt") == "denied"
    assert _cell(exp.table.value, "role-reports-reader", "Decrypt") == "allowed"
    assert _cell(exp.table.value, "anyone", "DescribeKey") == "allowed"
    assert "no encryption context" in exp.context_view.value
    assert len(exp.outcomes) == 16


def test_typing_a_pair_changes_the_table_and_marks_flips(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    exp.key_fields[0].value = "app"  # half a pair: refused, the table keeps the previous context
    assert exp.errors.outputs and "needs both a key and a value" in exp.errors.outputs[0]["text"]
    assert _cell(exp.table.value, "billing-app", "Encrypt") == "denied"
    exp.value_fields[0].value = "billing"  # as typing and pressing Enter would
    assert not exp.errors.outputs
    assert exp.encryption_context == {"app": "billing"}
    assert _cell(exp.table.value, "billing-app", "Encrypt") == "allowed"
    assert _cell(exp.table.value, "billing-app", "Decrypt") == "allowed"
    assert "◆" in exp.table.value
    flips = {(p.rsplit("/", 1)[-1], a) for p, a, _ in exp.flipped()}
    assert flips == {("billing-app", "kms:Encrypt"), ("billing-app", "kms:Decrypt"),
                     ("billing-app", "kms:GenerateDataKey")}
    assert "app: billing" in exp.context_view.value


def test_extra_pairs_and_wrong_values(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    exp.set_context({"app": "billing", "invoice": "2024-001"})
    assert exp.decision("billing-app", "kms:Decrypt") == "allowed"
    exp.set_context({"app": "payroll"})
    assert exp.decision("billing-app", "kms:Decrypt") == "denied"
    assert exp.key_fields[1].value == "" and exp.value_fields[1].value == ""
    with pytest.raises(ValueError, match="2 encryption context pairs"):
        exp.set_context({"a": "1", "b": "2", "c": "3"})


def test_via_service_dropdown(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    assert ("none (called directly)", NO_SERVICE) in exp.service_select.options
    exp.service_select.value = EC2  # as picking it would
    assert exp.via_service == EC2
    assert _cell(exp.table.value, "ebs-operator", "Decrypt") == "allowed"
    assert _cell(exp.table.value, "ebs-operator", "GenerateDataKey") == "allowed"
    assert _cell(exp.table.value, "ebs-operator", "Encrypt") == "denied"
    exp.service_select.value = f"rds.{lab.region}.amazonaws.com"
    assert _cell(exp.table.value, "ebs-operator", "Decrypt") == "denied"
    exp.reset_button.click()
    assert exp.service_select.value == NO_SERVICE and exp.via_service is None
    assert _cell(exp.table.value, "ebs-operator", "Decrypt") == "denied"


def test_every_cell_is_a_real_request(lab):
    exp = RequestContextExperiment(lab, "app-key", ["billing-app"], ["kms:Encrypt"])
    before = len(lab.events())
    exp.set_context({"app": "billing"}, EC2)
    events = lab.events()
    assert len(events) == before + 1
    assert events.iloc[-1]["action"] == "kms:Encrypt" and events.iloc[-1]["outcome"] == "allowed"


def test_explanation_follows_the_selected_cell(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    exp.principal_select.value = lab.principal_arn("ebs-operator")
    exp.action_select.value = "kms:Decrypt"
    assert "AccessDeniedException" in exp.explanation.value and "<svg" in exp.explanation.value
    exp.set_context(None, EC2)
    assert "Only through Amazon EC2" in exp.explanation.value


def test_errors_go_to_the_output_not_lost(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    lab.stop()
    exp.service_select.value = EC2
    assert exp.errors.outputs and "LabError" in exp.errors.outputs[0]["text"]


def test_stable_css_classes(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    classes = {c for widget in (*exp.key_fields, *exp.value_fields, exp.service_select, exp.table, exp.errors,
                                exp.explanation, exp.context_view, exp.reset_button) for c in widget._dom_classes}
    assert {"kmslab-context-key-0", "kmslab-context-value-0", "kmslab-context-key-1", "kmslab-via-service",
            "kmslab-table", "kmslab-errors", "kmslab-explanation", "kmslab-request-context",
            "kmslab-reset"} <= classes
    assert "kmslab-context-experiment" in exp.widget._dom_classes


def test_rerunning_the_cell_closes_the_previous_widgets(lab):
    first = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    second = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    assert first.service_select.comm is None
    assert RequestContextExperiment.live(lab, "app-key") is second
    second.close()
    assert (id(lab), "app-key") not in RequestContextExperiment._open


def test_helpers():
    options = via_service_options("eu-west-1")
    assert options[0][1] == NO_SERVICE and ("ec2.eu-west-1.amazonaws.com" in {v for _, v in options})
    assert context_text({"app": "billing"}, None) == \
        "encryption context {app: billing} · called directly (no kms:ViaService)"
    assert context_text(None, EC2).startswith("no encryption context · through ec2.us-east-1")


def test_words_line_says_the_context_and_what_flipped(lab):
    exp = RequestContextExperiment(lab, "app-key", PRINCIPALS)
    exp.set_context({"app": "billing"})
    text = exp.status_text
    assert text.startswith("↻ Request context: encryption context {app: billing}")
    assert f"{len(exp.flipped())} cells flipped: billing-app" in text
    exp.set_context({"app": "billing"}, None)  # the same context again: nothing flips, and it says so
    assert "No cell changed" in exp.status_text
