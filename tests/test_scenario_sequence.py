"""Scenario files run as AWS would: requests in order, each seeing what the ones before it changed; keys built
in the state the file says; named grants; API parameters; a fixed clock for aws:CurrentTime.

AWS pages behind each rule are cited at the test.
"""

from __future__ import annotations

import textwrap

import pytest

from kmslab.runner import lab_from_scenario, run_scenario
from kmslab.scenario import parse_scenario

ACCOUNT = "111122223333"
HEAD = f"""\
version: 1
name: sequence
accounts:
  "{ACCOUNT}":
    users: {{admin: {{}}, app: {{}}, auditor: {{}}}}
keys:
  demo:
    account: "{ACCOUNT}"
    policy:
      Version: "2012-10-17"
      Statement:
        - {{Sid: Root, Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:root"}}, Action: "kms:*",
            Resource: "*"}}
        - {{Sid: Admin, Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:user/admin"}}, Action: "kms:*",
            Resource: "*"}}
        - {{Sid: Use, Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:user/app"}},
            Action: [kms:Encrypt, kms:Decrypt], Resource: "*"}}
"""
ADMIN, APP, AUDITOR = (f"arn:aws:iam::{ACCOUNT}:user/{u}" for u in ("admin", "app", "auditor"))


def run(text: str):
    return run_scenario(parse_scenario(HEAD + textwrap.dedent(text), source="seq.yaml"))


def answers(text: str) -> list[tuple[str, str | None]]:
    return [(o.decision, o.error) for o in run(text).outcomes]


def test_a_request_that_changes_the_world_changes_it_for_the_requests_after_it():
    """DisableKey then Decrypt: DisabledException; EnableKey then Decrypt: allowed.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table"""
    assert answers(f"""\
        requests:
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
          - {{principal: "{ADMIN}", action: kms:DisableKey, key: demo}}
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
          - {{principal: "{ADMIN}", action: kms:EnableKey, key: demo}}
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
        """) == [("allowed", None), ("allowed", None), ("error", "DisabledException"), ("allowed", None),
                 ("allowed", None)]


def test_a_denied_request_changes_nothing_and_undo_puts_back_what_an_allowed_one_changed():
    assert answers(f"""\
        requests:
          - {{principal: "{APP}", action: kms:DisableKey, key: demo}}
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
          - {{principal: "{ADMIN}", action: kms:ScheduleKeyDeletion, key: demo, undo: true}}
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
          - {{principal: "{ADMIN}", action: kms:ScheduleKeyDeletion, key: demo}}
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
        """) == [("denied", "AccessDeniedException"), ("allowed", None), ("allowed", None), ("allowed", None),
                 ("allowed", None), ("error", "KMSInvalidStateException")]


@pytest.mark.parametrize(("state", "decrypt", "describe"), [
    ("Enabled", ("allowed", None), ("allowed", None)),
    ("Disabled", ("error", "DisabledException"), ("allowed", None)),
    ("PendingDeletion", ("error", "KMSInvalidStateException"), ("allowed", None)),
])
def test_a_key_is_built_in_the_state_the_file_says(state, decrypt, describe):
    """https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table"""
    text = HEAD.replace('    account: "111122223333"\n', f'    account: "111122223333"\n    state: {state}\n', 1)
    scenario = parse_scenario(text + f"""\
requests:
  - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
  - {{principal: "{ADMIN}", action: kms:DescribeKey, key: demo}}
""", source="state.yaml")
    got = run_scenario(scenario)
    assert [(o.decision, o.error) for o in got.outcomes] == [decrypt, describe]
    lab = lab_from_scenario(scenario)
    try:
        meta = lab.admin("kms").describe_key(KeyId=lab.key_arn("demo"))["KeyMetadata"]
        assert meta["KeyState"] == state
        assert len(lab.grants("demo")) == 0
    finally:
        lab.stop()


def test_a_named_grant_is_retired_by_its_retiring_principal_not_by_its_grantee():
    """"A grant can be retired by ... the retiring principal ... the grantee principal, if the grant
    includes the RetireGrant operation": https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html"""
    text = HEAD + f"""\
    grants:
      - {{name: g, grantee: "{AUDITOR}", operations: [Decrypt], retiring_principal: "{APP}"}}
requests:
  - {{principal: "{AUDITOR}", action: kms:Decrypt, key: demo}}
  - {{principal: "{AUDITOR}", action: kms:RetireGrant, grant_ref: g}}
  - {{principal: "{APP}", action: kms:RetireGrant, grant_ref: g}}
  - {{principal: "{AUDITOR}", action: kms:Decrypt, key: demo}}
"""
    got = run_scenario(parse_scenario(text, source="g.yaml"))
    assert [(o.decision, o.error) for o in got.outcomes] == [
        ("allowed", None), ("denied", "AccessDeniedException"), ("allowed", None), ("denied", "AccessDeniedException")]


def test_a_grant_made_by_a_request_can_be_named_by_later_requests():
    got = run(f"""\
        requests:
          - principal: "{ADMIN}"
            action: kms:CreateGrant
            key: demo
            grant: {{name: later, grantee: "{AUDITOR}", operations: [Decrypt]}}
          - {{principal: "{AUDITOR}", action: kms:Decrypt, key: demo}}
          - {{principal: "{ADMIN}", action: kms:RevokeGrant, grant_ref: later}}
          - {{principal: "{AUDITOR}", action: kms:Decrypt, key: demo}}
        """)
    assert [(o.decision, o.error) for o in got.outcomes] == [
        ("allowed", None), ("allowed", None), ("allowed", None), ("denied", "AccessDeniedException")]


def test_a_grant_ref_whose_grant_was_never_made_names_no_grant():
    got = run(f"""\
        requests:
          - principal: "{APP}"
            action: kms:CreateGrant
            key: demo
            grant: {{name: never, grantee: "{AUDITOR}", operations: [Decrypt]}}
          - {{principal: "{ADMIN}", action: kms:RevokeGrant, grant_ref: never}}
        """)
    assert got.outcomes[0].decision == "denied"
    assert got.outcomes[1].decision == "error"


def test_parameters_are_sent_as_given_and_win_over_what_the_lab_fills_in():
    """CreateAlias with the file's AliasName; the alias names the key for the requests after it
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html)."""
    got = run(f"""\
        requests:
          - {{principal: "{ADMIN}", action: kms:CreateAlias, key: demo, parameters: {{AliasName: alias/billing}}}}
          - {{principal: "{APP}", action: kms:Encrypt, parameters: {{KeyId: alias/demo}}}}
          - {{principal: "{ADMIN}", action: kms:TagResource, key: demo,
             parameters: {{Tags: [{{TagKey: team, TagValue: blue}}]}}}}
          - {{principal: "{ADMIN}", action: kms:ScheduleKeyDeletion, key: demo,
             parameters: {{PendingWindowInDays: 30}}}}
        """)
    assert [(o.decision, o.error) for o in got.outcomes] == [("allowed", None)] * 4


def test_the_world_a_file_leaves_behind_is_what_its_requests_made():
    from kmslab import Lab

    scenario = parse_scenario(HEAD + f"""requests:
  - {{principal: "{ADMIN}", action: kms:CreateAlias, key: demo, parameters: {{AliasName: alias/billing}}}}
  - {{principal: "{ADMIN}", action: kms:TagResource, key: demo,
     parameters: {{Tags: [{{TagKey: team, TagValue: "${{key_id:demo}}/${{aws:username}}"}}]}}}}
  - {{principal: "{ADMIN}", action: kms:UntagResource, key: demo}}
  - {{principal: "{ADMIN}", action: kms:ScheduleKeyDeletion, key: demo, parameters: {{PendingWindowInDays: 30}}}}
""", source="left.yaml")
    lab = Lab()
    try:
        run_scenario(scenario, lab=lab)
        kms = lab.admin("kms")
        arn = lab.key_arn("demo")
        assert sorted(a["AliasName"] for a in kms.list_aliases(KeyId=arn)["Aliases"]) == ["alias/billing", "alias/demo"]
        # The file's tag stays, its reference resolved and the IAM policy variable left as written; the lab's
        # own probe tag (UntagResource's preparation) does not stay.
        assert kms.list_resource_tags(KeyId=arn)["Tags"] == [
            {"TagKey": "team", "TagValue": f"{lab.key_id('demo')}/${{aws:username}}"}]
        meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
        # PendingWindowInDays 30 (the file's), not the 7 the lab's own probe uses.
        assert meta["KeyState"] == "PendingDeletion"
        assert (meta["DeletionDate"] - meta["CreationDate"]).days >= 29
    finally:
        lab.stop()


def test_parameters_policy_mapping_is_sent_as_json_text():
    got = run(f"""\
        requests:
          - principal: "{ADMIN}"
            action: kms:PutKeyPolicy
            key: demo
            parameters:
              Policy:
                Version: "2012-10-17"
                Statement:
                  - {{Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:root"}}, Action: "kms:*",
                     Resource: "${{key:demo}}"}}
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
          - {{principal: "{ADMIN}", action: kms:DescribeKey, key: demo}}
        """)
    # The new policy names the account only, so it would lock admin out of PutKeyPolicy (admin has no IAM
    # policy): the lockout safety check refuses it, and the old policy stays.
    # https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key
    assert [(o.decision, o.error) for o in got.outcomes] == [
        ("error", "MalformedPolicyDocumentException"), ("allowed", None), ("allowed", None)]
    got = run(f"""        requests:
          - principal: "{ADMIN}"
            action: kms:PutKeyPolicy
            key: demo
            parameters:
              Policy:
                Version: "2012-10-17"
                Statement:
                  - {{Effect: Allow, Principal: {{AWS: "{ADMIN}"}}, Action: "kms:*", Resource: "*"}}
          - {{principal: "{APP}", action: kms:Decrypt, key: demo}}
          - {{principal: "{ADMIN}", action: kms:DescribeKey, key: demo}}
        """)
    assert [(o.decision, o.error) for o in got.outcomes] == [
        ("allowed", None), ("denied", "AccessDeniedException"), ("allowed", None)]


@pytest.mark.parametrize(("now", "decision"), [("2025-12-31T23:59:59Z", "allowed"),
                                               ("2026-01-01T09:00:01+09:00", "denied")])
def test_now_is_the_time_aws_current_time_sees(now, decision):
    """aws:CurrentTime with a date condition operator:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-currenttime"""
    text = HEAD.replace("name: sequence\n", f"name: sequence\nnow: {now}\n").replace(
        'Action: [kms:Encrypt, kms:Decrypt], Resource: "*"}',
        'Action: [kms:Encrypt, kms:Decrypt], Resource: "*",\n'
        '            Condition: {DateLessThan: {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}')
    got = run_scenario(parse_scenario(text + f"requests:\n  - {{principal: \"{APP}\", action: kms:Decrypt, "
                                             "key: demo}\n", source="now.yaml"))
    assert got.outcomes[0].decision == decision


def test_the_clock_is_the_labs_own_and_goes_back_to_real_time():
    from kmslab.engine import context

    scenario = parse_scenario(HEAD.replace("name: sequence\n", "name: sequence\nnow: 2026-01-15T09:00:00Z\n"),
                              source="c.yaml")
    lab = lab_from_scenario(scenario)
    try:
        assert lab.clock == "2026-01-15T09:00:00Z" and context.fixed_clock() == 1768467600
        lab.reset()
        assert lab.clock is None and context.fixed_clock() is None
        lab.set_clock("2026-01-15T18:00:00+09:00")
        assert lab.clock == "2026-01-15T09:00:00Z"
    finally:
        lab.stop()
    assert context.fixed_clock() is None


def test_grant_ids_in_a_key_policy_are_resolved_once_the_grants_exist():
    text = HEAD.replace('Action: [kms:Encrypt, kms:Decrypt], Resource: "*"}',
                        'Action: [kms:Encrypt, kms:Decrypt], Resource: "*",\n'
                        '            Condition: {StringEquals: {"kms:GrantId": "${grant_id:g}"}}}') + f"""\
    grants:
      - {{name: g, grantee: "{AUDITOR}", operations: [Decrypt]}}
"""
    lab = lab_from_scenario(parse_scenario(text, source="gid.yaml"))
    try:
        grant_id = lab.grants("demo")[0]["GrantId"]
        condition = lab.key_policy("demo")["Statement"][2]["Condition"]
        assert condition == {"StringEquals": {"kms:GrantId": grant_id}}
    finally:
        lab.stop()


def test_external_keys_are_pending_import_until_their_material_is_imported():
    """"PendingImport: the key material was never imported" — Encrypt is KMSInvalidStateException there.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table"""
    text = HEAD.replace("keys:\n", f"""keys:
  pending: {{account: "{ACCOUNT}", origin: EXTERNAL}}
  imported: {{account: "{ACCOUNT}", origin: EXTERNAL, state: Enabled}}
  imported-off: {{account: "{ACCOUNT}", origin: EXTERNAL, state: Disabled}}
""") + "requests:\n" + "".join(
        f'  - {{principal: "arn:aws:iam::{ACCOUNT}:root", action: kms:Encrypt, key: {k}}}\n'
        for k in ("pending", "imported", "imported-off"))
    got = run_scenario(parse_scenario(text, source="ext.yaml"))
    assert [(o.decision, o.error) for o in got.outcomes] == [
        ("error", "KMSInvalidStateException"), ("allowed", None), ("error", "DisabledException")]


def test_lab_request_refuses_to_undo_what_the_caller_named():
    """A probe puts back only its own tag, alias or grant: one the caller names would stay changed."""
    from kmslab.lab import LabError

    lab = lab_from_scenario(parse_scenario(HEAD, source="u.yaml"))
    try:
        with pytest.raises(LabError, match="cannot undo a kms:CreateAlias request whose AliasName you give"):
            lab.request(ADMIN, "kms:CreateAlias", "demo", parameters={"AliasName": "alias/x"})
        assert lab.request(ADMIN, "kms:CreateAlias", "demo", parameters={"AliasName": "alias/x"},
                           keep=True).decision == "allowed"
        names = [a["AliasName"] for a in lab.admin("kms").list_aliases(KeyId=lab.key_arn("demo"))["Aliases"]]
        assert sorted(names) == ["alias/demo", "alias/x"]
    finally:
        lab.stop()


@pytest.mark.parametrize("key_spec", ["ECC_NIST_P256", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "HMAC_256",
                                      "RSA_2048", "ML_DSA_44", "ML_KEM_768", "SYMMETRIC_DEFAULT"])
def test_a_file_key_with_only_a_key_spec_gets_a_usage_aws_allows_for_it(key_spec):
    """AWS's default KeyUsage (ENCRYPT_DECRYPT, API_CreateKey) is refused for ECC, HMAC, ML-DSA and ML-KEM
    specs; a file that names only `key_spec` gets the first usage AWS allows for it
    (https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html)."""
    from kmslab.engine.key_specs import KEY_USAGES

    text = HEAD + textwrap.dedent(f"""\
      other:
        account: "{ACCOUNT}"
        key_spec: {key_spec}
        created_by: {ADMIN}
        policy:
          Version: "2012-10-17"
          Statement:
            - {{Sid: Admin, Effect: Allow, Principal: {{AWS: "{ADMIN}"}}, Action: "kms:*", Resource: "*"}}
    requests:
      - {{principal: "{ADMIN}", action: kms:DescribeKey, key: other, expect: allowed}}
    """)
    lab = lab_from_scenario(parse_scenario(text, source="specs.yaml"))
    try:
        meta = lab.admin("kms").describe_key(KeyId=lab.key_arn("other"))["KeyMetadata"]
        assert (meta["KeySpec"], meta["KeyUsage"]) == (key_spec, KEY_USAGES[key_spec][0])
    finally:
        lab.stop()
