"""Requests the lab answered unlike AWS (issue 13), each through real boto3 calls, each citing AWS."""

from __future__ import annotations

import json

import pytest

from .conftest import user_arn


@pytest.mark.parametrize("missing", ["Action", "Resource"])
def test_key_policy_statement_without_action_or_resource_is_accepted_and_has_no_effect(lab, missing):
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html (Policy): "If either of the
    required Resource or Action elements are missing from a key policy statement, the policy statement has
    no effect. ... the CreateKey and PutKeyPolicy API requests succeed"."""
    lab.create_user("admin")
    lab.create_user("alice")
    broken = {"Sid": "Broken", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")},
              "Action": "kms:*", "Resource": "*"}
    del broken[missing]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"},
        broken,
    ]}
    lab.create_key("k", policy=policy, created_by="admin")  # CreateKey succeeds
    assert lab.request("alice", "kms:Decrypt", "k").decision == "denied"  # the statement has no effect
    assert lab.request("admin", "kms:Decrypt", "k").decision == "allowed"
    kms = lab.client("kms", as_="admin")
    kms.put_key_policy(KeyId=lab.key_arn("k"), Policy=json.dumps(policy))  # PutKeyPolicy succeeds too
    assert lab.request("alice", "kms:Encrypt", "k").decision == "denied"


def test_reencrypt_on_same_key_is_true_for_a_reencryption_from_a_key_to_itself(lab):
    """https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-reencrypt-on-same-key
    kms:ReEncryptOnSameKey "controls access to the ReEncrypt operation based on whether the request specifies
    a destination KMS key that is the same one used for the original encryption"."""
    lab.create_user("admin")
    lab.create_user("alice")
    admin = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
             "Resource": "*"}
    same_only = {"Sid": "SameKeyOnly", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")},
                 "Action": "kms:ReEncrypt*", "Resource": "*",
                 "Condition": {"Bool": {"kms:ReEncryptOnSameKey": "true"}}}
    lab.create_key("k", policy={"Version": "2012-10-17", "Statement": [admin, same_only]}, created_by="admin")
    lab.create_key("other", policy={"Version": "2012-10-17", "Statement": [admin, {
        "Sid": "AliceTo", "Effect": "Allow", "Principal": {"AWS": user_arn("alice")}, "Action": "kms:ReEncryptTo",
        "Resource": "*"}]}, created_by="admin")
    blob = lab.client("kms", as_="admin").encrypt(KeyId=lab.key_arn("k"), Plaintext=b"x")["CiphertextBlob"]
    kms = lab.client("kms", as_="alice")
    # By ARN, by id, or with the source taken from the ciphertext: the same key.
    kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=lab.key_arn("k"), DestinationKeyId=lab.key_arn("k"))
    kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=lab.key_id("k"))
    assert lab.request("alice", "kms:ReEncryptFrom", "k", destination_key="k").decision == "allowed"
    outcome = lab.request("alice", "kms:ReEncryptFrom", "k", destination_key="other")
    assert outcome.decision == "denied"
    assert outcome.explanation.action == "kms:ReEncryptFrom"


def test_check_fails_like_run_on_a_key_aws_refuses_to_create(tmp_path, capsys):
    """A key policy naming a principal that does not exist: AWS refuses CreateKey
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html: "The principals in the key policy
    must exist and be visible to KMS"). Without expect_error, `check` fails with `run`'s error, exit 2."""
    from pathlib import Path

    from kmslab.cli import EXIT_ERROR, main

    seed = Path(__file__).resolve().parents[2] / "kmslab" / "scenarios" / "seed-without-root.yaml"
    path = tmp_path / "refused.yaml"
    text = seed.read_text()
    assert "user/manabusakai\n          Action" in text
    path.write_text(text.replace("user/manabusakai\n          Action", "user/nobody\n          Action"))
    assert main(["run", str(path)]) == EXIT_ERROR
    run_err = capsys.readouterr().err
    assert main(["check", str(path)]) == EXIT_ERROR
    out = capsys.readouterr()
    assert out.err == run_err and "key 'demo'" in out.err and "MalformedPolicyDocumentException" in out.err
    assert "0 passed" not in out.out


def test_reencrypt_cells_answer_their_own_column(lab):
    """ReEncrypt is authorized twice: kms:ReEncryptFrom on the source key, kms:ReEncryptTo on the destination
    key (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html, Required permissions;
    https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html). A cell asks
    about its own action on this key: ReEncryptFrom re-encrypts from it to a key the caller may use,
    ReEncryptTo to it from a key the caller may use."""
    lab.create_user("admin")
    lab.create_user("from-only")
    lab.create_user("to-only")
    admin = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
             "Resource": "*"}
    lab.create_key("k", created_by="admin", policy={"Version": "2012-10-17", "Statement": [
        admin,
        {"Sid": "From", "Effect": "Allow", "Principal": {"AWS": user_arn("from-only")},
         "Action": "kms:ReEncryptFrom", "Resource": "*"},
        {"Sid": "To", "Effect": "Allow", "Principal": {"AWS": user_arn("to-only")},
         "Action": "kms:ReEncryptTo", "Resource": "*"},
    ]})
    keys_before = lab.admin("kms").list_keys()["Keys"]
    cells = {(o.principal.rsplit("/", 1)[1], o.action): o
             for o in lab.access_matrix(["admin", "from-only", "to-only"], ["kms:ReEncryptFrom", "kms:ReEncryptTo"])}
    assert {k: o.decision for k, o in cells.items()} == {
        ("admin", "kms:ReEncryptFrom"): "allowed", ("admin", "kms:ReEncryptTo"): "allowed",
        ("from-only", "kms:ReEncryptFrom"): "allowed", ("from-only", "kms:ReEncryptTo"): "denied",
        ("to-only", "kms:ReEncryptFrom"): "denied", ("to-only", "kms:ReEncryptTo"): "allowed",
    }
    # Each cell's explanation is about its own action on this key.
    for (_who, action), outcome in cells.items():
        assert outcome.explanation.action == action
        assert outcome.explanation.resource == lab.key_arn("k")
    assert "'From'" in cells[("from-only", "kms:ReEncryptFrom")].reason
    assert lab.admin("kms").list_keys()["Keys"] == keys_before  # the other end of each probe is gone


def test_access_table_legend_says_what_a_reencrypt_cell_tried(lab):
    """The legend names the other end of each ReEncrypt cell (ReEncryptFrom/ReEncryptTo:
    https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html), and only when the column is shown."""
    from kmslab.widgets.table import access_table

    lab.create_user("alice")
    lab.create_key("k")
    html_both = access_table(lab.access_matrix(["alice"], ["kms:ReEncryptFrom", "kms:ReEncryptTo"])).to_html()
    assert "from this key to a key the principal may use" in html_both
    assert "to this key from a key the principal may use" in html_both
    html_none = access_table(lab.access_matrix(["alice"], ["kms:Decrypt"])).to_html()
    assert "ReEncryptFrom:" not in html_none


def test_key_state_table_answers_through_boto3(lab):
    """A key pending deletion refuses TagResource and ScheduleKeyDeletion ([3] KMSInvalidStateException), and
    allows CancelKeyDeletion's neighbours DescribeKey and GetKeyPolicy; an enabled key refuses
    CancelKeyDeletion ([4]). https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table"""
    from botocore.exceptions import ClientError

    lab.create_user("admin")
    lab.create_key("k", created_by="admin", policy={"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}]})
    kms = lab.client("kms", as_="admin")
    with pytest.raises(ClientError) as exc:
        kms.cancel_key_deletion(KeyId=lab.key_arn("k"))
    assert exc.value.response["Error"]["Code"] == "KMSInvalidStateException"
    assert exc.value.response["Error"]["Message"] == f"{lab.key_arn('k')} is not pending deletion."
    kms.schedule_key_deletion(KeyId=lab.key_arn("k"), PendingWindowInDays=7)
    for action in ("kms:TagResource", "kms:ScheduleKeyDeletion"):
        outcome = lab.request("admin", action, "k")
        assert (outcome.decision, outcome.error) == ("error", "KMSInvalidStateException"), action
        assert outcome.message == f"{lab.key_arn('k')} is pending deletion."
    for action in ("kms:DescribeKey", "kms:GetKeyPolicy"):
        assert lab.request("admin", action, "k").decision == "allowed"


@pytest.mark.parametrize(("days", "accepted"), [(6, False), (7, True), (30, True), (31, False), (1, False)])
def test_schedule_key_deletion_waiting_period_is_7_to_30_days(lab, days, accepted):
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html PendingWindowInDays:
    "If you include a value, it must be between 7 and 30, inclusive" (the model allows 1-365; moto took any)."""
    from botocore.exceptions import ClientError

    lab.create_user("admin")
    lab.create_key("k", policy={"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": user_arn("admin")}, "Action": "kms:*",
         "Resource": "*"}]}, created_by="admin")
    kms = lab.client("kms", as_="admin")
    if accepted:
        kms.schedule_key_deletion(KeyId=lab.key_arn("k"), PendingWindowInDays=days)
        assert kms.describe_key(KeyId=lab.key_arn("k"))["KeyMetadata"]["KeyState"] == "PendingDeletion"
        return
    with pytest.raises(ClientError) as excinfo:
        kms.schedule_key_deletion(KeyId=lab.key_arn("k"), PendingWindowInDays=days)
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert excinfo.value.response["Error"]["Message"] == "PendingWindowInDays must be between 7 and 30"
    assert kms.describe_key(KeyId=lab.key_arn("k"))["KeyMetadata"]["KeyState"] == "Enabled"  # nothing changed
