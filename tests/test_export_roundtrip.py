"""A saved lab always replays to the same answers, and a failed load loses nothing.

Every teaching scenario is built, saved, replayed (`kmslab check`) and loaded again: each of
its own requests must get the same answer in the loaded lab as in the lab that was saved.
A lab whose key policies hold deleted principals' unique ids survives the round trip too:
AWS shows such an id in place of the ARN once the user or role is deleted, matching no one
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids),
and refuses to save a policy that names one
(https://repost.aws/knowledge-center/kms-policy-error-invalid-principals).
"""

from __future__ import annotations

import json
import re

import pytest

from kmslab import Lab
from kmslab.export import export_scenario, key_refs, save_scenario
from kmslab.runner import (
    LoadError,
    ScenarioBuildError,
    build_world,
    deleted_principals,
    lab_from_scenario,
    load_world,
    run_request,
    run_scenario,
    scenario_requests,
)
from kmslab.scenario import load_scenario, shipped_scenarios

ACCOUNT = "111122223333"
UNIQUE_ID = re.compile(r"^(AIDA|AROA)[A-Z0-9]{17}$")


def _answers(lab: Lab, scenario, failed: set[str]) -> list[tuple]:
    """Each of the scenario's requests made in `lab` on the world as it is (each undone before the next: what
    would happen): who, what, on which key, and AWS's answer."""
    from kmslab.lab.calls import UNDONE_BY_NAME

    out = []
    for kwargs in scenario_requests(lab, scenario):
        if UNDONE_BY_NAME.get(kwargs["action"]) in (kwargs.get("parameters") or {}):
            continue  # it changes a grant, alias or tag it names itself: no what-if the lab could undo
        o = run_request(lab, failed | (set(scenario.keys) - set(lab.key_names())), **{**kwargs, "keep": False})
        out.append((o.principal, o.action, o.key, o.decision, o.error))
    return out


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_every_teaching_scenario_saves_and_replays_to_the_same_answers(name, tmp_path):
    scenario = load_scenario(shipped_scenarios()[name])
    lab = Lab(region=scenario.region, account=next(iter(scenario.accounts), ACCOUNT))
    try:
        failed = {b.key for b in build_world(lab, scenario, strict=False) if b.error}
        before = _answers(lab, scenario, failed)
        saved = save_scenario(lab, f"{name}.yaml", base=tmp_path)
    finally:
        lab.stop()
    assert saved.parent == tmp_path.resolve()
    replay = run_scenario(saved)  # what `python -m kmslab check` does
    assert replay.checked() > 0 and replay.mismatches() == []
    loaded = lab_from_scenario(saved)
    try:
        assert _answers(loaded, scenario, failed) == before
    finally:
        loaded.stop()


def test_policies_name_keys_by_reference_so_new_key_ids_do_not_matter(tmp_path):
    # default-key-policy: reader's IAM policy names the key's ARN; a replayed key has a new ARN.
    lab = lab_from_scenario(shipped_scenarios()["default-key-policy"])
    try:
        arn = lab.key_arn("demo")
        exported = export_scenario(lab, actions=())
        text = json.dumps(exported.accounts[ACCOUNT].users["reader"].inline_policies)
    finally:
        lab.stop()
    assert arn not in text and "${key:demo}" in text


def test_key_refs_writes_arns_and_ids_as_references():
    arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    doc = {"Resource": [arn, "arn:aws:kms:*:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "*"],
           "Condition": {"StringEquals": {"kms:KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}}}
    out = key_refs(doc, {"demo": arn}, {"demo": arn.rsplit("/", 1)[1]})
    assert out["Resource"] == ["${key:demo}", "arn:aws:kms:*:111122223333:key/${key_id:demo}", "*"]
    assert out["Condition"]["StringEquals"]["kms:KeyId"] == "${key_id:demo}"


def _lab_with_deleted_principals() -> Lab:
    """Notebook 3's world after alice and bob left, plus a role named in a key policy and then deleted."""
    lab = lab_from_scenario(shipped_scenarios()["lesson-03-unmanageable-key"])
    lab.create_role("batch")
    lab.create_key("role-key", bypass_lockout_check=True, policy={"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Batch", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/batch"},
         "Action": "kms:Decrypt", "Resource": "*"}]})
    lab.delete_user("alice")  # alice created both keys of the file
    lab.delete_user("bob")
    lab.admin("iam").delete_role(RoleName="batch")
    return lab


def _principal_ids(policy: dict) -> list[str]:
    return [p for s in policy["Statement"] for p in (lambda a: a if isinstance(a, list) else [a])(
        s.get("Principal", {}).get("AWS", []))]


def test_a_lab_with_deleted_principals_saves_and_replays(tmp_path):
    lab = _lab_with_deleted_principals()
    try:
        ids = _principal_ids(lab.key_policy("admins-only")) + _principal_ids(lab.key_policy("role-key"))
        assert sum(bool(UNIQUE_ID.match(i)) for i in ids) == 3  # AWS's unique ids where the ARNs were
        matrix = [(o.principal, o.action, o.key, o.decision, o.error) for o in lab.access_matrix()]
        saved = save_scenario(lab, "after-deletion.yaml", base=tmp_path)
    finally:
        lab.stop()
    written = load_scenario(saved)
    assert deleted_principals(written.keys["admins-only"].policy) == [i for i in ids if i.startswith("AIDA")]
    assert deleted_principals(written.keys["role-key"].policy)[0].startswith("AROA")
    replay = run_scenario(saved)
    assert [b.error for b in replay.builds] == [None, None, None]  # no key dropped
    assert replay.checked() == len(matrix) and replay.mismatches() == []
    loaded = lab_from_scenario(saved)
    try:
        assert set(loaded.key_names()) == {"admins-only", "with-root-statement", "role-key"}
        policy = loaded.key_policy("admins-only")
        assert [bool(UNIQUE_ID.match(i)) for i in _principal_ids(policy)] == [True, True]
        assert not any("deleted" in p for p in loaded.principals())  # the stand-ins are gone again
        again = [(o.principal, o.action, o.key, o.decision, o.error) for o in loaded.access_matrix()]
        assert again == matrix
        # Nobody is matched by a deleted principal's id: only it-admin's root statement key is usable.
        assert loaded.request("it-admin", "kms:PutKeyPolicy", "admins-only").decision == "denied"
    finally:
        loaded.stop()


def test_a_hand_written_unique_id_builds_as_a_deleted_principal(tmp_path):
    path = tmp_path / "unique-id.yaml"
    path.write_text(f"""version: 1
name: unique-id
accounts:
  "{ACCOUNT}":
    users: {{carol: {{}}}}
keys:
  demo:
    account: "{ACCOUNT}"
    bypass_lockout_check: true
    policy:
      Version: "2012-10-17"
      Statement:
        - {{Effect: Allow, Principal: {{AWS: AIDACKCEVSQ6C2EXAMPLE}}, Action: "kms:*", Resource: "*"}}
requests:
  - {{principal: "arn:aws:iam::{ACCOUNT}:user/carol", action: kms:Decrypt, key: demo, expect: denied}}
  - {{principal: "arn:aws:iam::{ACCOUNT}:root", action: kms:PutKeyPolicy, key: demo, expect: denied}}
""")
    run = run_scenario(path)
    assert run.builds[0].error is None and run.mismatches() == [] and run.checked() == 2


# ---------------------------------------------------------------- load: all or nothing


def _world(lab: Lab) -> tuple:
    return (lab.principals(), {k: lab.key_arn(k) for k in lab.key_names()},
            {k: lab.key_policy(k) for k in lab.key_names()})


BAD_BUILD = f"""version: 1
name: refused
accounts:
  "{ACCOUNT}":
    users: {{dave: {{}}}}
keys:
  demo:
    account: "{ACCOUNT}"
    policy:
      Version: "2012-10-17"
      Statement:
        - {{Effect: Allow, Principal: {{AWS: "arn:aws:iam::{ACCOUNT}:user/nobody"}}, Action: "kms:*", Resource: "*"}}
"""


@pytest.mark.parametrize("with_keys", [False, True])
def test_a_failed_load_keeps_the_world_exactly(with_keys, tmp_path):
    lab = Lab()
    try:
        lab.create_user("alice")
        lab.create_user("bob", managed_policies=["AdministratorAccess"])
        if with_keys:
            lab.create_key("kept")
        before = _world(lab)
        bad = tmp_path / "refused.yaml"
        bad.write_text(BAD_BUILD)
        with pytest.raises(ScenarioBuildError, match="invalid principals"):
            load_world(lab, bad)
        assert _world(lab) == before  # same principals, same keys (same ARNs), same policies
    finally:
        lab.stop()


def test_a_successful_load_replaces_the_world(tmp_path):
    lab = Lab()
    try:
        lab.create_user("alice")
        scenario, builds = load_world(lab, shipped_scenarios()["seed-without-root"])
        assert [b.error for b in builds] == [None]
        assert f"arn:aws:iam::{ACCOUNT}:user/alice" not in lab.principals()
        assert lab.key_names() == list(scenario.keys)
    finally:
        lab.stop()


def test_a_load_that_fails_after_the_dry_run_puts_the_world_back(monkeypatch):
    # The scratch build succeeded, the build here fails (say, memory): the previous world comes back.
    import kmslab.runner as runner

    lab = Lab()
    try:
        lab.create_user("alice")
        lab.create_key("kept", policy={"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "Action": "kms:*",
             "Resource": "*"}]}, created_by="alice")
        before = lab.request("alice", "kms:Decrypt", "kept").decision
        real = runner.build_world
        calls = []

        def failing_once(lab_, scenario, **kwargs):
            calls.append(scenario.name)
            if len(calls) == 1:
                raise MemoryError("simulated")
            return real(lab_, scenario, **kwargs)

        monkeypatch.setattr(runner, "build_world", failing_once)
        with pytest.raises(MemoryError):
            load_world(lab, shipped_scenarios()["seed-without-root"], dry_run=False)
        assert f"arn:aws:iam::{ACCOUNT}:user/alice" in lab.principals() and lab.key_names() == ["kept"]
        assert lab.request("alice", "kms:Decrypt", "kept").decision == before == "allowed"
    finally:
        lab.stop()


def test_a_dry_run_that_cannot_finish_says_so(monkeypatch, tmp_path):
    import kmslab.runner as runner

    monkeypatch.setattr(runner, "DRY_RUN_TIMEOUT", 0.01)
    lab = Lab()
    try:
        lab.create_user("alice")
        before = _world(lab)
        with pytest.raises(LoadError, match="longer than"):
            load_world(lab, shipped_scenarios()["seed-without-root"])
        assert _world(lab) == before
    finally:
        lab.stop()


def test_states_origins_grant_names_and_the_clock_are_saved_and_replay(tmp_path):
    """What the format says since it grew (state, origin, grant names, now) survives a save: the file replays
    to the same answers, and its keys are in the same states."""
    text = """\
version: 1
name: grown
now: 2026-01-15T09:00:00Z
accounts: {"111122223333": {users: {app: {}, auditor: {}}}}
keys:
  gone: {account: "111122223333", state: PendingDeletion}
  off: {account: "111122223333", enabled: false}
  pending: {account: "111122223333", origin: EXTERNAL}
  used:
    account: "111122223333"
    grants:
      - {name: app-use, grantee: "arn:aws:iam::111122223333:user/app", operations: [Decrypt],
         retiring_principal: "arn:aws:iam::111122223333:user/auditor"}
"""
    from kmslab.scenario import parse_scenario

    scenario = parse_scenario(text, source="grown.yaml")
    lab = lab_from_scenario(scenario)
    try:
        before = sorted((o.principal, o.action, o.key, o.decision, o.error) for o in lab.access_matrix())
        saved = save_scenario(lab, "grown.yaml", base=tmp_path)
    finally:
        lab.stop()
    again = load_scenario(saved)
    assert {k: s.key_state for k, s in again.keys.items()} == {
        "gone": "PendingDeletion", "off": "Disabled", "pending": "PendingImport", "used": "Enabled"}
    assert again.keys["pending"].origin == "EXTERNAL"
    assert [g.name for g in again.keys["used"].grants] == ["app-use"]
    assert again.now == "2026-01-15T09:00:00Z"
    assert all(r.undo for r in again.requests)
    replay = run_scenario(saved)
    assert replay.checked() > 0 and replay.mismatches() == []
    loaded = lab_from_scenario(saved)
    try:
        assert sorted((o.principal, o.action, o.key, o.decision, o.error) for o in loaded.access_matrix()) == before
    finally:
        loaded.stop()
