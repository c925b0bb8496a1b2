"""AWS KMS behaviours moto lacks, as the lab provides them (each through real boto3 calls)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from .conftest import ACCOUNT, ROOT_STATEMENT, SEED_POLICY, user_arn


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_default_key_policy_is_the_root_statement(lab):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"""
    lab.create_user("alice", managed_policies=["AdministratorAccess"])
    lab.create_key("k")
    policy = lab.key_policy("k")
    assert policy["Statement"] == [ROOT_STATEMENT]
    assert lab.request("alice", "kms:Decrypt", "k").decision == "allowed"


def test_policy_name_defaults_to_default(seed):
    """GetKeyPolicy/PutKeyPolicy: PolicyName is optional; the only valid value is default.
    https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html"""
    kms = seed.client("kms", as_="kms-test-1")
    text = kms.get_key_policy(KeyId=seed.key_arn("demo"))["Policy"]
    assert json.loads(text)["Statement"][0]["Sid"] == "Allow access for Key Administrators"
    kms.put_key_policy(KeyId=seed.key_arn("demo"), Policy=text)


@pytest.mark.parametrize("bad", ["{not json", json.dumps({"Statement": [{"Effect": "Allow"}]}), "[]"])
def test_malformed_key_policy_is_rejected(seed, bad):
    """https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html#API_PutKeyPolicy_Errors"""
    with pytest.raises(ClientError) as exc:
        seed.client("kms", as_="kms-test-1").put_key_policy(KeyId=seed.key_arn("demo"), Policy=bad)
    assert _code(exc) == "MalformedPolicyDocumentException"
    assert seed.key_policy("demo") == SEED_POLICY  # the previous policy stays in force


def test_key_policy_naming_a_principal_that_does_not_exist_is_rejected(lab):
    policy = {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT,
        {"Effect": "Allow", "Principal": {"AWS": user_arn("nobody")}, "Action": "kms:*", "Resource": "*"}]}
    with pytest.raises(ClientError) as exc:
        lab.create_key("k", policy=policy)
    assert _code(exc) == "MalformedPolicyDocumentException"
    assert "invalid principals" in exc.value.response["Error"]["Message"]


def test_lockout_safety_check_on_create_key_and_bypass(lab):
    """CreateKey: the policy must allow the caller to call PutKeyPolicy later, unless
    BypassPolicyLockoutSafetyCheck. https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"""
    lab.create_user("creator", managed_policies=["AdministratorAccess"])
    lab.create_user("other")
    locked = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user_arn("other")}, "Action": "kms:*", "Resource": "*"}]}
    with pytest.raises(ClientError) as exc:
        lab.create_key("k", policy=locked, created_by="creator")
    assert _code(exc) == "MalformedPolicyDocumentException"
    assert "will not allow you to update the key policy in the future" in exc.value.response["Error"]["Message"]
    lab.create_key("k2", policy=locked, created_by="creator", bypass_lockout_check=True)
    assert lab.request("creator", "kms:DescribeKey", "k2").decision == "denied"


def test_lockout_safety_check_on_put_key_policy(seed):
    kms = seed.client("kms", as_="manabusakai")
    only_test1 = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user_arn("kms-test-1")}, "Action": "kms:*", "Resource": "*"}]}
    with pytest.raises(ClientError) as exc:
        kms.put_key_policy(KeyId=seed.key_arn("demo"), Policy=json.dumps(only_test1))
    assert _code(exc) == "MalformedPolicyDocumentException"
    kms.put_key_policy(KeyId=seed.key_arn("demo"), Policy=json.dumps(only_test1), BypassPolicyLockoutSafetyCheck=True)
    assert seed.request("manabusakai", "kms:DescribeKey", "demo").decision == "denied"


def test_disabled_key_answers_disabled_exception(lab):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"""
    lab.create_user("alice", managed_policies=["AdministratorAccess"])
    lab.create_key("k", enabled=False)
    outcome = lab.request("alice", "kms:Encrypt", "k")
    assert (outcome.decision, outcome.error) == ("error", "DisabledException")
    assert lab.request("alice", "kms:DescribeKey", "k").decision == "allowed"


def test_key_pending_deletion_answers_invalid_state(lab):
    lab.create_user("alice", managed_policies=["AdministratorAccess"])
    lab.create_key("k")
    lab.admin("kms").schedule_key_deletion(KeyId=lab.key_id("k"), PendingWindowInDays=7)
    outcome = lab.request("alice", "kms:Encrypt", "k")
    assert (outcome.decision, outcome.error) == ("error", "KMSInvalidStateException")
    assert "pending deletion" in outcome.message


def test_unauthorized_caller_of_disabled_key_is_denied_first(lab):
    lab.create_user("bob")
    lab.create_key("k", enabled=False)
    assert lab.request("bob", "kms:Encrypt", "k").decision == "denied"


def test_cross_account_call_is_routed_to_the_key_owner(lab):
    """Both sides must allow: the key policy and the caller account's IAM policy.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"""
    other = "444455556666"
    lab.add_account(other)
    lab.create_user("ext", account=other)
    policy = {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT,
        {"Sid": "External", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]}
    lab.create_key("shared", policy=policy)
    ext = f"arn:aws:iam::{other}:user/ext"
    assert lab.request(ext, "kms:DescribeKey", "shared").decision == "denied"  # IAM side missing
    lab.put_inline_policy(ext, "use-shared", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:DescribeKey", "kms:Decrypt"], "Resource": lab.key_arn("shared")}]})
    assert lab.request(ext, "kms:DescribeKey", "shared").decision == "allowed"
    assert lab.request(ext, "kms:Encrypt", "shared").decision == "denied"  # key policy side missing
    # Named by its id instead of its ARN, the key is looked up in the caller's account: not found.
    outcome = lab.request(ext, "kms:DescribeKey", "shared", key_ref="id")
    assert (outcome.decision, outcome.error) == ("error", "NotFoundException")


def test_grant_allows_the_grantee_only_the_granted_operations(lab):
    """https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"""
    lab.create_user("app")
    lab.create_key("k")
    lab.create_grant("k", "app", ["Decrypt"], constraints={"encryption_context_subset": {"app": "billing"}})
    assert lab.request("app", "kms:Decrypt", "k", encryption_context={"app": "billing"}).decision == "allowed"
    assert lab.request("app", "kms:Decrypt", "k", encryption_context={"app": "other"}).decision == "denied"
    assert lab.request("app", "kms:Encrypt", "k").decision == "denied"


def test_retire_and_revoke_grant(lab):
    lab.create_user("app")
    lab.create_user("retirer")
    lab.create_key("k")
    gid = lab.create_grant("k", "app", ["Decrypt"], retiring_principal="retirer")
    lab.client("kms", as_="retirer").retire_grant(KeyId=lab.key_arn("k"), GrantId=gid)
    assert lab.grants("k") == []
    assert lab.request("app", "kms:Decrypt", "k").decision == "denied"
    gid = lab.create_grant("k", "app", ["Decrypt"])
    assert lab.request("app", "kms:Decrypt", "k").decision == "allowed"
    lab.client("kms", as_="root").revoke_grant(KeyId=lab.key_arn("k"), GrantId=gid)
    assert lab.request("app", "kms:Decrypt", "k").decision == "denied"


def test_deleted_user_leaves_its_unique_id_and_a_new_namesake_is_not_matched(seed):
    """IAM unique ids: a deleted principal's ARN in a policy becomes its unique id.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids"""
    old_id = seed.admin("iam").get_user(UserName="kms-test-1")["User"]["UserId"]
    assert old_id.startswith("AIDA")
    seed.delete_user("kms-test-1")
    principals = seed.key_policy("demo")["Statement"][0]["Principal"]["AWS"]
    assert old_id in principals and user_arn("kms-test-1") not in principals
    seed.create_user("kms-test-1")
    assert seed.request("kms-test-1", "kms:Decrypt", "demo").decision == "denied"


def test_aws_managed_policies_attach_with_their_real_documents(lab):
    lab.create_user("ro", managed_policies=["ReadOnlyAccess"])
    lab.create_user("pu", managed_policies=["PowerUserAccess"])
    lab.create_user("kp", managed_policies=["AWSKeyManagementServicePowerUser"])
    lab.create_key("k")
    assert lab.attached_policies("ro") == ["ReadOnlyAccess"]
    assert lab.request("ro", "kms:DescribeKey", "k").decision == "allowed"
    assert lab.request("ro", "kms:Decrypt", "k").decision == "denied"
    assert lab.request("pu", "kms:Decrypt", "k").decision == "allowed"
    assert lab.request("kp", "kms:GetKeyPolicy", "k").decision == "allowed"
    assert lab.request("kp", "kms:Encrypt", "k").decision == "denied"


def test_shipped_managed_policies_match_motos_copy_of_aws_data():
    from kmslab.lab import managed

    assert managed.shipped_policies() == managed.extract_from_moto()


def test_event_log_records_every_request_with_its_reason(seed):
    seed.request("kms-test-2", "kms:Decrypt", "demo")
    events = seed.events()
    last = events.iloc[-1]
    assert (last.principal, last.action, last.outcome, last.error) == (
        user_arn("kms-test-2"), "kms:Decrypt", "denied", "AccessDeniedException")
    assert "resource-based policy" in last.message and last.reason
    assert not events.principal.str.contains("kmslab setup").any()


def test_reset_returns_to_an_empty_world(seed):
    seed.reset()
    assert seed.key_names() == [] and seed.users() == []
    assert seed.events().empty
    seed.create_user("kms-test-1")
    assert seed.users() == [user_arn("kms-test-1")]


def test_two_labs_do_not_share_state():
    from kmslab.lab import Lab, LabError

    first = Lab()
    first.create_user("only-in-first")
    second = Lab()
    try:
        assert second.users() == []
        with pytest.raises(LabError):
            first.client("kms", as_="only-in-first")
    finally:
        second.stop()
        first.stop()


def test_role_session_named_by_role_in_key_policy(lab):
    lab.create_role("app")
    policy = {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT,
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
         "Action": "kms:Decrypt", "Resource": "*"}]}
    lab.create_key("k", policy=policy)
    outcome = lab.request("role/app", "kms:Decrypt", "k")
    assert outcome.decision == "allowed"
    assert lab.request("role/app", "kms:Encrypt", "k").decision == "denied"
    narrowed = lab.request("role/app", "kms:Decrypt", "k", session_policy={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    assert narrowed.decision == "denied"  # a role ARN principal is limited by the session policy


def test_unknown_credentials_are_rejected(lab):
    import boto3

    kms = boto3.client("kms", region_name=lab.region, aws_access_key_id="FAKEKMSLABUNKNOWNKEY",
                       aws_secret_access_key="x")
    with pytest.raises(ClientError) as exc:
        kms.list_keys()
    assert _code(exc) == "UnrecognizedClientException"


def test_grantee_may_retire_only_if_the_grant_allows_retire_grant(lab):
    """https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html"""
    lab.create_user("app")
    lab.create_key("k")
    kms = lab.client("kms", as_="app")
    plain = lab.create_grant("k", "app", ["Decrypt"])
    with pytest.raises(ClientError) as exc:
        kms.retire_grant(KeyId=lab.key_arn("k"), GrantId=plain)
    assert _code(exc) == "AccessDeniedException"
    retirable = lab.create_grant("k", "app", ["Decrypt", "RetireGrant"])
    kms.retire_grant(KeyId=lab.key_arn("k"), GrantId=retirable)
    assert [g["GrantId"] for g in lab.grants("k")] == [plain]


def test_a_key_policy_naming_a_deleted_principals_unique_id_cannot_be_saved_again(seed):
    """KMS refuses principals that do not exist; a unique id left by a deletion is one.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"""
    seed.delete_user("kms-test-1")
    policy = seed.key_policy("demo")
    assert any(p.startswith("AIDA") for p in policy["Statement"][0]["Principal"]["AWS"])
    with pytest.raises(ClientError) as exc:
        seed.client("kms", as_="manabusakai").put_key_policy(KeyId=seed.key_arn("demo"), Policy=json.dumps(policy))
    assert _code(exc) == "MalformedPolicyDocumentException"
    assert "invalid principals" in exc.value.response["Error"]["Message"]


def test_a_deny_for_someone_else_does_not_deny_describe_key(lab):
    """A Deny applies only to the principals it names (moto's own check ignores Principal).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"""
    lab.create_user("alice", managed_policies=["AdministratorAccess"])
    lab.create_user("mallory")
    policy = {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT,
        {"Sid": "NoMallory", "Effect": "Deny", "Principal": {"AWS": user_arn("mallory")}, "Action": "kms:*",
         "Resource": "*"}]}
    lab.create_key("k", policy=policy)
    assert lab.request("alice", "kms:DescribeKey", "k").decision == "allowed"
    assert lab.request("mallory", "kms:DescribeKey", "k").decision == "denied"


def test_a_denied_call_reads_as_the_cli_shows_it(seed):
    """The error line is AWS's: no botocore retry note, the IAM User Guide's implicit-deny wording.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    with pytest.raises(ClientError) as denied:
        seed.client("kms", as_="kms-test-2").decrypt(KeyId=seed.key_arn("demo"), CiphertextBlob=b"x" * 64)
    assert str(denied.value) == (
        "An error occurred (AccessDeniedException) when calling the Decrypt operation: "
        f"User: {user_arn('kms-test-2')} is not authorized to perform: kms:Decrypt on resource: "
        f"{seed.key_arn('demo')} because no resource-based policy allows the kms:Decrypt action")
