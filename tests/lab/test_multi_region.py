"""Multi-Region keys (ReplicateKey, UpdatePrimaryRegion) and GetKeyLastUsage, through real boto3 calls (issue 13).

https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdatePrimaryRegion.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html
"""

from __future__ import annotations

import json
import uuid

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from .conftest import ACCOUNT, ROOT_STATEMENT, user_arn

REPLICA = "us-west-2"
CREATE_KEY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}]}


def _statement(sid: str, who: str, action: str | list[str], condition: dict | None = None) -> dict:
    s = {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": user_arn(who)}, "Action": action, "Resource": "*"}
    if condition:
        s["Condition"] = condition
    return s


@pytest.fixture
def mrk(lab):
    """A multi-Region primary key "mrk": admin may do anything; ops may replicate it (key policy) and create keys
    (IAM policy); alice is named nowhere."""
    lab.create_user("admin")
    lab.create_user("ops", inline_policies={"create-keys": CREATE_KEY})
    lab.create_user("alice", inline_policies={"create-keys": CREATE_KEY})
    policy = {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT, _statement("Admin", "admin", "kms:*"),
        _statement("Ops", "ops", ["kms:ReplicateKey", "kms:UpdatePrimaryRegion", "kms:DescribeKey"])]}
    lab.create_key("mrk", policy=policy, created_by="admin", multi_region=True)
    return lab


def _client(lab, who: str, region: str):
    """A boto3 client of the principal's own credentials in another Region than the lab's."""
    return boto3.client("kms", **{**lab.credentials(who), "region_name": region})


def _shape_members(operation: str) -> set[str]:
    model = botocore.session.get_session().get_service_model("kms")
    return set(model.operation_model(operation).output_shape.members)


def test_replicate_key_makes_a_replica_with_its_own_policy_and_answers_in_aws_shape(mrk):
    """The replica shares key id and key material; its key policy is the default one unless given; the response
    reports KeyState Creating (API_ReplicateKey); DescribeKey in the replica Region shows a REPLICA."""
    kms = mrk.client("kms", as_="ops")
    answer = kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA, Description="copy")
    assert set(answer) - {"ResponseMetadata"} == _shape_members("ReplicateKey")
    metadata = answer["ReplicaKeyMetadata"]
    assert metadata["KeyState"] == "Creating" and metadata["Enabled"] is False
    assert metadata["KeyId"] == mrk.key_id("mrk")
    assert metadata["Arn"] == f"arn:aws:kms:{REPLICA}:{ACCOUNT}:key/{mrk.key_id('mrk')}"
    assert json.loads(answer["ReplicaPolicy"])["Statement"] == [ROOT_STATEMENT]  # the default key policy
    replica = _client(mrk, "admin", REPLICA)
    with pytest.raises(ClientError):  # the replica's default key policy: the admin of the primary needs IAM here
        replica.describe_key(KeyId=metadata["KeyId"])
    mrk.attach_policy("admin", "AdministratorAccess")
    described = replica.describe_key(KeyId=metadata["KeyId"])["KeyMetadata"]
    assert described["KeyState"] == "Enabled" and described["Description"] == "copy"
    assert described["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    primary = mrk.client("kms", as_="admin").describe_key(KeyId=mrk.key_arn("mrk"))["KeyMetadata"]
    assert primary["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"
    assert [r["Region"] for r in primary["MultiRegionConfiguration"]["ReplicaKeys"]] == [REPLICA]
    # Interoperable: a ciphertext of the primary decrypts in the replica Region (root statement: IAM decides).
    blob = mrk.client("kms", as_="admin").encrypt(KeyId=mrk.key_arn("mrk"), Plaintext=b"x")["CiphertextBlob"]
    assert replica.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    # Grants are not shared: a grant on the primary is not on the replica.
    mrk.create_grant("mrk", "alice", ["Decrypt"])
    assert replica.list_grants(KeyId=metadata["KeyId"])["Grants"] == []


def test_replicate_key_needs_replicate_key_on_the_primary_and_create_key_in_the_replica_region(mrk):
    """"kms:ReplicateKey permission in the key policy of the primary key" and "kms:CreateKey permission in an
    IAM policy that is effective in the replica key Region" (multi-region-keys-auth.html#mrk-auth-replicate)."""
    outcome = mrk.request("alice", "kms:ReplicateKey", "mrk")  # CreateKey allowed, ReplicateKey not
    assert outcome.decision == "denied"
    assert "kms:ReplicateKey on resource: " + mrk.key_arn("mrk") in outcome.message
    mrk.create_user("no-create")
    mrk.put_key_policy("mrk", {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT, _statement("Admin", "admin", "kms:*"), _statement("Ops", "ops", "kms:ReplicateKey"),
        _statement("R", "no-create", "kms:ReplicateKey")]})
    outcome = mrk.request("no-create", "kms:ReplicateKey", "mrk")
    assert outcome.decision == "denied"
    assert "kms:CreateKey" in outcome.message and "no identity-based policy" in outcome.message
    # The refusal explained is the CreateKey's, in the replica Region (the key's was allowed).
    assert outcome.explanation.action == "kms:CreateKey" and not outcome.explanation.allowed
    assert mrk.request("ops", "kms:ReplicateKey", "mrk").decision == "allowed"


def test_create_key_must_be_allowed_in_the_replica_region(mrk):
    """IAM policies "apply to all AWS Regions by default. However, you can use condition keys, such as
    aws:RequestedRegion, to limit permissions to a particular Region. To create primary and replica keys,
    principals must have kms:CreateKey permission in an IAM policy that applies to the Region where the key is
    created." (multi-region-keys-auth.html#multi-region-auth-about)"""
    home_only = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": mrk.region}}}]}
    mrk.admin("iam").put_user_policy(UserName="ops", PolicyName="create-keys", PolicyDocument=json.dumps(home_only))
    kms = mrk.client("kms", as_="ops")
    with pytest.raises(ClientError) as denied:
        kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "kms:CreateKey" in denied.value.response["Error"]["Message"]
    replica_too = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": REPLICA}}}]}
    mrk.admin("iam").put_user_policy(UserName="ops", PolicyName="create-keys", PolicyDocument=json.dumps(replica_too))
    kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA)


def test_replica_region_condition_limits_where_a_key_is_replicated(mrk):
    """kms:ReplicaRegion "controls access to the ReplicateKey operation based on the value of the ReplicaRegion
    parameter" (conditions-kms.html#conditions-kms-replica-region): the guide's example."""
    mrk.put_key_policy("mrk", {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT, _statement("Admin", "admin", "kms:*"),
        _statement("Ops", "ops", "kms:ReplicateKey", {"StringEquals": {"kms:ReplicaRegion": ["eu-west-3"]}})]})
    kms = mrk.client("kms", as_="ops")
    with pytest.raises(ClientError) as denied:
        kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA)
    assert "kms:ReplicateKey" in denied.value.response["Error"]["Message"]
    kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion="eu-west-3")


def test_tags_need_tag_resource_in_an_iam_policy_in_the_replica_region(mrk):
    """"To use the Tags parameter, kms:TagResource in an IAM policy in the replica Region." (API_ReplicateKey)"""
    kms = mrk.client("kms", as_="ops")
    tags = [{"TagKey": "team", "TagValue": "blue"}]
    with pytest.raises(ClientError) as denied:
        kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA, Tags=tags)
    message = denied.value.response["Error"]["Message"]
    assert f"kms:TagResource on resource: arn:aws:kms:{REPLICA}:{ACCOUNT}:key/{mrk.key_id('mrk')}" in message
    tagging = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "kms:TagResource", "Resource": f"arn:aws:kms:{REPLICA}:{ACCOUNT}:key/*",
        "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}}]}
    mrk.admin("iam").put_user_policy(UserName="ops", PolicyName="tagging", PolicyDocument=json.dumps(tagging))
    answer = kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA, Tags=tags)
    assert answer["ReplicaTags"] == tags
    mrk.attach_policy("admin", "AdministratorAccess")  # the replica's default key policy: IAM decides
    listed = _client(mrk, "admin", REPLICA).list_resource_tags(KeyId=mrk.key_id("mrk"))["Tags"]
    assert listed == tags


def test_replicate_key_errors(mrk):
    """API_ReplicateKey Errors: AlreadyExistsException for a second replica in a Region ("You cannot create more
    than one replica of a primary key in any Region"); UnsupportedOperationException for a key that is not a
    multi-Region primary key; the key state table's DisabledException ([1]) for a disabled primary."""
    kms = mrk.client("kms", as_="admin")
    mrk.attach_policy("admin", "AdministratorAccess")
    kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA)
    for region in (REPLICA, mrk.region):
        with pytest.raises(ClientError) as again:
            kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=region)
        assert again.value.response["Error"]["Code"] == "AlreadyExistsException"
    with pytest.raises(ClientError) as from_replica:
        _client(mrk, "admin", REPLICA).replicate_key(KeyId=mrk.key_id("mrk"), ReplicaRegion="eu-west-3")
    assert from_replica.value.response["Error"]["Code"] == "UnsupportedOperationException"
    mrk.create_key("single", policy={"Version": "2012-10-17", "Statement": [_statement("A", "admin", "kms:*")]},
                   created_by="admin")
    outcome = mrk.request("admin", "kms:ReplicateKey", "single")
    assert outcome.error == "UnsupportedOperationException"
    kms.disable_key(KeyId=mrk.key_arn("mrk"))
    outcome = mrk.request("admin", "kms:ReplicateKey", "mrk")
    assert (outcome.error, outcome.message) == ("DisabledException", f"{mrk.key_arn('mrk')} is disabled.")


def test_replica_policy_is_checked_like_any_key_policy(mrk):
    """ReplicateKey's Policy: "The key policy must allow the calling principal to make a subsequent PutKeyPolicy
    request on the KMS key" and "The principals in the key policy must exist" (API_ReplicateKey, Policy)."""
    kms = mrk.client("kms", as_="ops")
    locks_out = {"Version": "2012-10-17", "Statement": [_statement("Admin", "admin", "kms:*")]}
    with pytest.raises(ClientError) as refused:
        kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA, Policy=json.dumps(locks_out))
    assert refused.value.response["Error"] == {
        "Code": "MalformedPolicyDocumentException",
        "Message": "The new key policy will not allow you to update the key policy in the future."}
    ghost = {"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, _statement("Ghost", "nobody", "kms:*")]}
    with pytest.raises(ClientError) as refused:
        kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA, Policy=json.dumps(ghost))
    message = refused.value.response["Error"]["Message"]
    assert message == "Policy contains a statement with one or more invalid principals."
    own = {"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, _statement("Ops", "ops", "kms:*")]}
    answer = kms.replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA, Policy=json.dumps(own))
    assert json.loads(answer["ReplicaPolicy"]) == own


def test_update_primary_region_needs_permission_on_the_primary_and_the_replica(mrk):
    """"kms:UpdatePrimaryRegion on the current primary key (in the primary key's Region)" and "on the current
    replica key (in the replica key's Region)" (API_UpdatePrimaryRegion); the response has no output."""
    mrk.client("kms", as_="ops").replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA)  # default policy
    replica_arn = f"arn:aws:kms:{REPLICA}:{ACCOUNT}:key/{mrk.key_id('mrk')}"
    kms = mrk.client("kms", as_="ops")
    with pytest.raises(ClientError) as denied:
        kms.update_primary_region(KeyId=mrk.key_arn("mrk"), PrimaryRegion=REPLICA)
    message = denied.value.response["Error"]["Message"]
    assert f"kms:UpdatePrimaryRegion on resource: {replica_arn}" in message  # the replica's key policy refuses
    replica = _client(mrk, "admin", REPLICA)
    mrk.attach_policy("admin", "AdministratorAccess")
    replica.put_key_policy(KeyId=mrk.key_id("mrk"), Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT, _statement("Ops", "ops", "kms:UpdatePrimaryRegion")]}))
    answer = kms.update_primary_region(KeyId=mrk.key_arn("mrk"), PrimaryRegion=REPLICA)
    assert set(answer) == {"ResponseMetadata"}
    config = replica.describe_key(KeyId=mrk.key_id("mrk"))["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY" and config["PrimaryKey"]["Region"] == REPLICA
    old = mrk.client("kms", as_="admin").describe_key(KeyId=mrk.key_arn("mrk"))["KeyMetadata"]
    assert old["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    # The former primary is a replica now: it cannot be replicated (UnsupportedOperationException).
    assert mrk.request("admin", "kms:ReplicateKey", "mrk").error == "UnsupportedOperationException"


def test_primary_region_condition(mrk):
    """kms:PrimaryRegion "controls access to the UpdatePrimaryRegion operation based on the value of the
    PrimaryRegion parameter" (conditions-kms.html#conditions-kms-primary-region)."""
    mrk.put_key_policy("mrk", {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT, _statement("Admin", "admin", "kms:*"),
        _statement("Ops", "ops", "kms:UpdatePrimaryRegion", {"StringEquals": {"kms:PrimaryRegion": "eu-west-3"}})]})
    outcome = mrk.request("ops", "kms:UpdatePrimaryRegion", "mrk")  # the probe's PrimaryRegion is another one
    assert outcome.decision == "denied"
    assert outcome.explanation.resource == mrk.key_arn("mrk")


def test_multi_region_key_type_and_multi_region_conditions(mrk):
    """The guide's examples (multi-region-keys-auth.html#mrk-auth-using): kms:MultiRegionKeyType REPLICA allows
    deletion only of replica keys; kms:MultiRegion true in a Deny stops CreateKey of a multi-Region key."""
    mrk.client("kms", as_="ops").replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA)
    replicas_only = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
        "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*",
        "Condition": {"StringEquals": {"kms:MultiRegionKeyType": "REPLICA"}}}]}
    mrk.create_user("deleter", inline_policies={"replicas-only": replicas_only})
    with pytest.raises(ClientError) as denied:
        mrk.client("kms", as_="deleter").schedule_key_deletion(KeyId=mrk.key_arn("mrk"), PendingWindowInDays=7)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    _client(mrk, "deleter", REPLICA).schedule_key_deletion(KeyId=mrk.key_id("mrk"), PendingWindowInDays=7)
    no_mrk = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:CreateKey", "Resource": "*",
         "Condition": {"Bool": {"kms:MultiRegion": "true"}}}]}
    mrk.create_user("maker", inline_policies={"no-mrk": no_mrk})
    maker = mrk.client("kms", as_="maker")
    with pytest.raises(ClientError) as denied:
        maker.create_key(MultiRegion=True)
    assert "with an explicit deny" in denied.value.response["Error"]["Message"]
    maker.create_key()


def test_get_key_last_usage_reports_the_last_successful_cryptographic_operation(mrk):
    """GetKeyLastUsage: "KeyLastUsage ... If the key has not been used since tracking began, this response element
    is an empty object"; ReEncrypt "Usage information is recorded for both keys independently"
    (API_GetKeyLastUsage). Required permission: kms:GetKeyLastUsage (key policy)."""
    kms = mrk.client("kms", as_="admin")
    answer = kms.get_key_last_usage(KeyId=mrk.key_arn("mrk"))
    assert set(answer) - {"ResponseMetadata"} == _shape_members("GetKeyLastUsage")
    assert answer["KeyLastUsage"] == {} and answer["TrackingStartDate"] == answer["KeyCreationDate"]
    blob = kms.encrypt(KeyId=mrk.key_arn("mrk"), Plaintext=b"x")["CiphertextBlob"]
    usage = kms.get_key_last_usage(KeyId=mrk.key_arn("mrk"))["KeyLastUsage"]
    assert usage["Operation"] == "Encrypt" and set(usage) == {"Operation", "Timestamp", "CloudTrailEventId",
                                                               "KmsRequestId"}
    mrk.create_key("other", policy={"Version": "2012-10-17", "Statement": [_statement("A", "admin", "kms:*")]},
                   created_by="admin")
    kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=mrk.key_arn("other"))
    for key in ("mrk", "other"):
        assert kms.get_key_last_usage(KeyId=mrk.key_arn(key))["KeyLastUsage"]["Operation"] == "ReEncrypt"
    kms.describe_key(KeyId=mrk.key_arn("mrk"))  # not a cryptographic operation
    assert kms.get_key_last_usage(KeyId=mrk.key_arn("mrk"))["KeyLastUsage"]["Operation"] == "ReEncrypt"
    with pytest.raises(ClientError) as refused:  # a refused request is no use of the key
        mrk.client("kms", as_="alice").encrypt(KeyId=mrk.key_arn("mrk"), Plaintext=b"x")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert mrk.request("alice", "kms:GetKeyLastUsage", "mrk").decision == "denied"
    assert mrk.request("admin", "kms:GetKeyLastUsage", "mrk").decision == "allowed"



def test_get_key_last_usage_ids_are_uuids_that_stay_the_same(mrk):
    """CloudTrailEventId and KmsRequestId identify the one request that used the key: UUIDs (version 4, as the
    lab draws them), the same each time GetKeyLastUsage reports that request (API_GetKeyLastUsage)."""
    kms = mrk.client("kms", as_="admin")
    kms.encrypt(KeyId=mrk.key_arn("mrk"), Plaintext=b"x")
    first = kms.get_key_last_usage(KeyId=mrk.key_arn("mrk"))["KeyLastUsage"]
    for field in ("CloudTrailEventId", "KmsRequestId"):
        parsed = uuid.UUID(first[field])
        assert str(parsed) == first[field] and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert kms.get_key_last_usage(KeyId=mrk.key_arn("mrk"))["KeyLastUsage"] == first
    kms.encrypt(KeyId=mrk.key_arn("mrk"), Plaintext=b"y")
    second = kms.get_key_last_usage(KeyId=mrk.key_arn("mrk"))["KeyLastUsage"]
    assert second["CloudTrailEventId"] != first["CloudTrailEventId"]
    assert second["KmsRequestId"] != first["KmsRequestId"]

def test_probes_leave_no_replica_behind(mrk):
    """lab.request of ReplicateKey and UpdatePrimaryRegion: real requests, undone afterwards."""
    before = mrk.client("kms", as_="admin").describe_key(KeyId=mrk.key_arn("mrk"))["KeyMetadata"]
    assert mrk.request("ops", "kms:ReplicateKey", "mrk").decision == "allowed"
    assert mrk.request("admin", "kms:UpdatePrimaryRegion", "mrk").decision == "denied"  # the replica's policy
    mrk.attach_policy("admin", "AdministratorAccess")
    assert mrk.request("admin", "kms:UpdatePrimaryRegion", "mrk").decision == "allowed"
    after = mrk.client("kms", as_="admin").describe_key(KeyId=mrk.key_arn("mrk"))["KeyMetadata"]
    assert after["MultiRegionConfiguration"] == before["MultiRegionConfiguration"]
    with pytest.raises(ClientError):
        _client(mrk, "admin", "us-west-2").describe_key(KeyId=mrk.key_id("mrk"))


def test_a_primary_key_with_replicas_scheduled_for_deletion_is_pending_replica_deletion(mrk):
    """"If you schedule the deletion of a primary key with replicas, its key state changes to PendingReplicaDeletion
    and it cannot be replicated or used in cryptographic operations"; DeletionDate "does not appear"
    (API_ScheduleKeyDeletion). Key state table: the "Pending deletion / Pending replica deletion" column, [3]
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table)."""
    mrk.client("kms", as_="ops").replicate_key(KeyId=mrk.key_arn("mrk"), ReplicaRegion=REPLICA)
    kms = mrk.client("kms", as_="admin")
    answer = kms.schedule_key_deletion(KeyId=mrk.key_arn("mrk"), PendingWindowInDays=7)
    assert answer["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in answer
    assert kms.describe_key(KeyId=mrk.key_arn("mrk"))["KeyMetadata"]["KeyState"] == "PendingReplicaDeletion"
    error = _error(lambda: kms.encrypt(KeyId=mrk.key_arn("mrk"), Plaintext=b"x"))
    assert error == {"Code": "KMSInvalidStateException",
                     "Message": f"{mrk.key_arn('mrk')} is pending deletion."}  # [3], as the footnote words it
    assert mrk.request("admin", "kms:ReplicateKey", "mrk").error == "KMSInvalidStateException"
    assert mrk.request("alice", "kms:Encrypt", "mrk").decision == "denied"  # authorization first
    kms.cancel_key_deletion(KeyId=mrk.key_arn("mrk"))  # the table: CancelKeyDeletion succeeds
    assert kms.describe_key(KeyId=mrk.key_arn("mrk"))["KeyMetadata"]["KeyState"] == "Disabled"
    # A single-Region key, or a primary without replicas, is PendingDeletion as before.
    mrk.create_key("lone", policy={"Version": "2012-10-17", "Statement": [_statement("A", "admin", "kms:*")]},
                   created_by="admin", multi_region=True)
    assert kms.schedule_key_deletion(KeyId=mrk.key_arn("lone"), PendingWindowInDays=7)["DeletionDate"]


def _error(call) -> dict:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]
