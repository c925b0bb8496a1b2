"""The scenario file format: loading, validation with line numbers, dump/load round trips."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kmslab.scenario import (
    DEFAULT_REGION,
    DEFAULT_SOURCE_IP,
    Account,
    GrantSpec,
    Group,
    KeySpec,
    RequestSpec,
    Role,
    Scenario,
    ScenarioError,
    User,
    dump_scenario,
    load_scenario,
    parse_scenario,
    scenario_to_dict,
    shipped_scenarios,
    substitute_key_refs,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_DIR = ROOT / "kmslab" / "scenarios"
SHIPPED = sorted(SHIPPED_DIR.glob("*.yaml"))
SEEDS = ("seed-with-root.yaml", "seed-without-root.yaml")


def parse(text: str) -> Scenario:
    return parse_scenario(textwrap.dedent(text).lstrip("\n"), source="t.yaml")


# --------------------------------------------------------------------------- shipped files


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_loads_and_round_trips(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.path == str(path)
    assert scenario.requests, "a shipped scenario lists its requests"
    missing = [r.line for r in scenario.requests if r.expect is None]
    assert not missing, f"requests without expect: at lines {missing}"
    text = dump_scenario(scenario)
    again = parse_scenario(text)
    assert again == scenario
    assert dump_scenario(again) == text
    # JSON is YAML: the plain-data form loads back too.
    assert parse_scenario(json.dumps(scenario_to_dict(scenario))) == scenario


@pytest.mark.parametrize("path", [p for p in SHIPPED if p.name not in SEEDS], ids=lambda p: p.name)
def test_teaching_scenario_header_says_what_it_teaches_and_cites_aws(path: Path) -> None:
    header = []
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert len(header) >= 2, "a header comment saying what the scenario teaches"
    assert any("https://docs.aws.amazon.com/" in line for line in header), "cite the AWS doc page"


def test_at_least_ten_teaching_scenarios_ship() -> None:
    teaching = [p for p in SHIPPED if p.name not in SEEDS]
    assert len(teaching) >= 10
    assert set(shipped_scenarios()) == {p.stem for p in SHIPPED}
    assert all(p.is_file() for p in shipped_scenarios().values())


def test_seed_without_root_reads_as_written() -> None:
    s = load_scenario(SHIPPED_DIR / "seed-without-root.yaml")
    assert s.region == "ap-northeast-1"
    assert list(s.accounts) == ["111122223333"]
    account = s.accounts["111122223333"]
    assert account.users["kms-test-1"] == User()
    assert account.users["kms-test-2"].managed_policies == ("AdministratorAccess",)
    key = s.keys["demo"]
    assert key.created_by == "arn:aws:iam::111122223333:user/manabusakai"
    assert key.policy["Statement"][0]["Sid"] == "Allow access for Key Administrators"
    first = s.requests[0]
    assert (first.principal, first.action, first.key, first.expect) == (
        "arn:aws:iam::111122223333:user/kms-test-1", "kms:Encrypt", "demo", "allowed",
    )
    text = (SHIPPED_DIR / "seed-without-root.yaml").read_text("utf-8").splitlines()
    for request in s.requests:
        assert request.principal in text[request.line - 1]


# --------------------------------------------------------------------------- every field

FULL = """\
version: 1
name: every-field
title: Every field of the format
region: eu-west-1
now: 2026-01-15T18:00:00+09:00
accounts:
  "111122223333":
    users:
      alice:
        managed_policies: [AdministratorAccess, KmsBoundary, "arn:aws:iam::aws:policy/ReadOnlyAccess"]
        inline_policies:
          deny-decrypt:
            Version: 2012-10-17
            Statement: [{Effect: Deny, Action: kms:Decrypt, Resource: "${key:demo}"}]
        groups: [admins]
        permissions_boundary: KmsBoundary
        tags: {team: blue}
      bob: {}
    groups:
      admins:
        managed_policies: [PowerUserAccess]
        inline_policies:
          list-keys: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: kms:ListKeys, Resource: "*"}]}
    roles:
      app:
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::111122223333:root"}, Action: "sts:AssumeRole"}
        managed_policies: [ReadOnlyAccess]
        inline_policies:
          use-other: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "${key_id:other}"}]}
        permissions_boundary: "arn:aws:iam::aws:policy/PowerUserAccess"
        tags: {app: billing}
    policies:
      KmsBoundary: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
    scps:
      FullAWSAccess: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
  "444455556666": {}
keys:
  demo:
    account: "111122223333"
    policy: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}'
    created_by: arn:aws:iam::111122223333:user/alice
    bypass_lockout_check: true
    key_spec: SYMMETRIC_DEFAULT
    key_usage: ENCRYPT_DECRYPT
    enabled: false
    aliases: [billing-key, alias/other-alias]
    tags: {env: prod}
    grants:
      - name: app-billing
        grantee: arn:aws:iam::111122223333:role/app
        operations: [Decrypt, kms:GenerateDataKey]
        constraints: {encryption_context_subset: {app: billing}}
        retiring_principal: arn:aws:iam::111122223333:user/bob
      - grantee: arn:aws:iam::444455556666:root
        operations: [Encrypt]
        constraints: {encryption_context_equals: {app: billing}}
    expect_error: MalformedPolicyDocumentException
  other:
    account: "111122223333"
  imported:
    account: "111122223333"
    origin: EXTERNAL
    multi_region: true
    state: PendingDeletion
requests:
  - principal: arn:aws:sts::111122223333:assumed-role/app/my-session
    action: reencryptfrom
    key: demo
    key_ref: alias_arn
    destination_key: other
    encryption_context: {app: billing}
    encryption_algorithm: SYMMETRIC_DEFAULT
    via_service: ec2.eu-west-1.amazonaws.com
    source_ip: 203.0.113.10
    mfa: true
    session_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
    session_tags: {project: x}
    expect: error
    expect_error: NotFoundException
  - principal: arn:aws:iam::111122223333:user/alice
    action: kms:CreateGrant
    key: other
    key_ref: id
    grant:
      grantee: arn:aws:iam::111122223333:role/app
      operations: [Decrypt]
      constraints: {encryption_context_subset: {a: b}, encryption_context_equals: {c: d}}
      retiring_principal: arn:aws:iam::111122223333:root
      name: later-grant
    expect: allowed
  - {principal: "arn:aws:iam::444455556666:root", action: ListKeys, expect: denied}
  - {principal: "arn:aws:iam::111122223333:root", action: RetireGrant, grant_ref: later-grant,
     parameters: {DryRun: false}}
  - principal: arn:aws:iam::111122223333:user/alice
    action: ScheduleKeyDeletion
    parameters: {KeyId: "${key:other}", PendingWindowInDays: 7}
    undo: true
"""


def test_every_field_is_read() -> None:
    s = parse_scenario(FULL, source="full.yaml")
    assert (s.version, s.name, s.title, s.region) == (1, "every-field", "Every field of the format", "eu-west-1")
    a = s.accounts["111122223333"]
    alice = a.users["alice"]
    assert alice.managed_policies == ("AdministratorAccess", "KmsBoundary", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert alice.inline_policies["deny-decrypt"]["Version"] == "2012-10-17"  # a string, not a date
    assert alice.inline_policies["deny-decrypt"]["Statement"][0]["Resource"] == "${key:demo}"
    assert (alice.groups, alice.permissions_boundary, alice.tags) == (("admins",), "KmsBoundary", {"team": "blue"})
    assert a.groups["admins"].managed_policies == ("PowerUserAccess",)
    app = a.roles["app"]
    assert app.trust_policy["Statement"][0]["Action"] == "sts:AssumeRole"
    assert app.permissions_boundary == "arn:aws:iam::aws:policy/PowerUserAccess"
    assert set(a.policies) == {"KmsBoundary"} and set(a.scps) == {"FullAWSAccess"}
    assert s.accounts["444455556666"] == Account()
    demo = s.keys["demo"]
    assert demo.policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}  # JSON string
    assert demo.created_by == "arn:aws:iam::111122223333:user/alice"
    assert demo.bypass_lockout_check and not demo.enabled
    assert (demo.key_spec, demo.key_usage) == ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    assert demo.aliases == ("billing-key", "other-alias")
    assert demo.grants[0] == GrantSpec(
        grantee="arn:aws:iam::111122223333:role/app", operations=("Decrypt", "GenerateDataKey"),
        encryption_context_subset={"app": "billing"}, retiring_principal="arn:aws:iam::111122223333:user/bob",
        name="app-billing",
    )
    assert demo.grants[1].encryption_context_equals == {"app": "billing"}
    assert (demo.grants[0].name, demo.grants[1].name) == ("app-billing", None)
    assert (demo.key_state, s.keys["other"].key_state) == ("Disabled", "Enabled")
    imported = s.keys["imported"]
    assert (imported.key_state, imported.origin, imported.multi_region, imported.enabled) == (
        "PendingDeletion", "EXTERNAL", True, False)
    assert s.now == "2026-01-15T09:00:00Z"  # UTC, to the second
    assert demo.expect_error == "MalformedPolicyDocumentException"
    assert s.keys["other"] == KeySpec(account="111122223333")
    assert s.keys["other"].created_by == "arn:aws:iam::111122223333:root"
    r0, r1, r2, r3, r4 = s.requests
    assert r0.action == "kms:ReEncryptFrom"
    assert (r0.key, r0.key_ref, r0.destination_key) == ("demo", "alias_arn", "other")
    assert (r0.encryption_context, r0.encryption_algorithm) == ({"app": "billing"}, "SYMMETRIC_DEFAULT")
    assert (r0.via_service, r0.source_ip, r0.mfa) == ("ec2.eu-west-1.amazonaws.com", "203.0.113.10", True)
    assert r0.session_policy["Statement"][0]["Action"] == "kms:*"
    assert (r0.session_tags, r0.expect, r0.expect_error) == ({"project": "x"}, "error", "NotFoundException")
    assert r1.grant.encryption_context_equals == {"c": "d"} and r1.key_ref == "id"
    assert (r2.action, r2.key) == ("kms:ListKeys", None)
    assert r1.grant.name == "later-grant"
    # A RetireGrant names its grant; the key is the grant's own (the CreateGrant request's key).
    assert (r3.action, r3.grant_ref, r3.key, r3.parameters) == ("kms:RetireGrant", "later-grant", "other",
                                                                {"DryRun": False})
    assert (r4.key, r4.parameters) == ("other", {"KeyId": "${key:other}", "PendingWindowInDays": 7})
    assert r4.undo and not r3.undo
    starts = [i + 1 for i, line in enumerate(FULL.splitlines()) if line.startswith("  - ") and "principal" in line]
    assert [r.line for r in s.requests] == starts == [70, 84, 95, 96, 98]
    assert s.principals() == (
        "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:role/app",
        "arn:aws:iam::444455556666:root",
    )


def test_every_field_round_trips_through_dump_and_load() -> None:
    s = parse_scenario(FULL)
    text = dump_scenario(s)
    again = parse_scenario(text)
    assert again == s
    assert scenario_to_dict(again) == scenario_to_dict(s)
    assert parse_scenario(json.dumps(scenario_to_dict(s), indent="\t")) == s


def test_the_full_example_sets_every_field_of_every_class() -> None:
    """Guards the round-trip test: each field of each class differs from its default somewhere."""
    s = parse_scenario(FULL)
    instances: dict[type, list] = {
        Scenario: [s],
        Account: list(s.accounts.values()),
        User: [u for a in s.accounts.values() for u in a.users.values()],
        Group: [g for a in s.accounts.values() for g in a.groups.values()],
        Role: [r for a in s.accounts.values() for r in a.roles.values()],
        KeySpec: list(s.keys.values()),
        GrantSpec: [g for k in s.keys.values() for g in k.grants] + [s.requests[1].grant],
        RequestSpec: list(s.requests),
    }
    defaults = {Scenario: Scenario(), KeySpec: KeySpec(account="111122223333"), GrantSpec: GrantSpec("x", ())}
    defaults.update(
        {cls: cls(principal="x", action="x") if cls is RequestSpec else cls() for cls in (Account, User, Group, Role,
                                                                                        RequestSpec)}
    )
    for cls, objs in instances.items():
        for f in dataclasses.fields(cls):
            if f.name in ("line", "path", "version", "name", "account", "grantee", "operations", "principal",
                          "action"):
                continue
            base = getattr(defaults[cls], f.name)
            assert any(getattr(o, f.name) != base for o in objs), f"{cls.__name__}.{f.name} is never set"


@pytest.mark.parametrize("title", ["\x1f", "two\nlines", "emoji \U0001f511 and 'quotes': yes", "\u2028"])
def test_any_title_round_trips(title: str) -> None:
    s = dataclasses.replace(parse_scenario(FULL), title=title)
    assert parse_scenario(dump_scenario(s)) == s


def test_defaults_of_a_minimal_scenario() -> None:
    s = parse("""
        version: 1
        name: minimal
        accounts:
          "111122223333": {users: {alice: }}
        keys:
          demo: {account: "111122223333"}
    """)
    assert s.requests is None and s.title is None and s.region == DEFAULT_REGION
    assert s.accounts["111122223333"].users["alice"] == User()
    assert s.accounts["111122223333"].scps is None
    key = s.keys["demo"]
    assert key.policy is None and key.enabled and not key.bypass_lockout_check
    assert key.created_by == "arn:aws:iam::111122223333:root"
    assert parse_scenario(dump_scenario(s)) == s
    assert "requests" not in scenario_to_dict(s)


def test_request_defaults_and_action_spellings() -> None:
    s = parse("""
        version: 1
        name: actions
        accounts: {"111122223333": {}}
        keys: {demo: {account: "111122223333"}}
        requests:
          - {principal: "arn:aws:iam::111122223333:root", action: decrypt, key: demo}
          - {principal: "arn:aws:iam::111122223333:root", action: Decrypt, key: demo}
          - {principal: "arn:aws:iam::111122223333:root", action: KMS:DECRYPT, key: demo}
    """)
    assert {r.action for r in s.requests} == {"kms:Decrypt"}
    r = s.requests[0]
    assert (r.key_ref, r.source_ip, r.mfa, r.expect, r.session_tags) == ("arn", DEFAULT_SOURCE_IP, False, None, {})
    assert [r.line for r in s.requests] == [6, 7, 8]
    empty = parse("""
        version: 1
        name: no-requests
        accounts: {"111122223333": {}}
        requests: []
    """)
    assert empty.requests == ()


def test_json_file_with_tabs_loads_with_line_numbers(tmp_path: Path) -> None:
    doc = {
        "version": 1, "name": "from-json", "accounts": {"111122223333": {"users": {"alice": {}}}},
        "keys": {"demo": {"account": "111122223333"}},
        "requests": [{"principal": "arn:aws:iam::111122223333:user/alice", "action": "kms:Decryt", "key": "demo"}],
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc, indent="\t"), "utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = path.read_text("utf-8").splitlines()
    assert '"kms:Decryt"' in text[err.value.line - 1]
    assert "Did you mean kms:Decrypt?" in str(err.value)
    doc["requests"][0]["action"] = "kms:Decrypt"
    path.write_text(json.dumps(doc, indent="\t"), "utf-8")
    assert load_scenario(path).requests[0].action == "kms:Decrypt"


# --------------------------------------------------------------------------- references


def test_substitute_key_refs() -> None:
    doc = {
        "Statement": [{"Resource": ["${key:demo}", "arn:aws:kms:*:*:key/${key_id:demo}"],
                       "Condition": {"StringEquals": {"${key_id:demo}": "${aws:username}"}},
                       "Other": "${key:gone} ${key:other}", "Number": 3}],
    }
    before = json.dumps(doc)
    out = substitute_key_refs(doc, {"demo": "arn:aws:kms:us-east-1:111122223333:key/k1", "other": "ARN2"},
                              {"demo": "k1"})
    assert json.dumps(doc) == before  # a new document
    s = out["Statement"][0]
    assert s["Resource"] == ["arn:aws:kms:us-east-1:111122223333:key/k1", "arn:aws:kms:*:*:key/k1"]
    assert s["Condition"] == {"StringEquals": {"k1": "${aws:username}"}}  # IAM policy variables stay
    assert s["Other"] == "${key:gone} ARN2"  # a key that failed to build stays as written
    assert s["Number"] == 3


def test_substitute_grant_ids_and_leave_iam_policy_variables_alone() -> None:
    doc = {"GrantId": "${grant_id:billing}", "Later": "${grant_id:not-made-yet}",
           "Resource": "arn:aws:kms:*:${aws:PrincipalAccount}:key/${key_id:demo}",
           "Condition": {"StringEquals": {"aws:username": "${aws:username}", "t": "${aws:PrincipalTag/team}"}}}
    out = substitute_key_refs(doc, {}, {"demo": "k1"}, {"billing": "g" * 64})
    assert out["GrantId"] == "g" * 64 and out["Later"] == "${grant_id:not-made-yet}"
    assert out["Resource"] == "arn:aws:kms:*:${aws:PrincipalAccount}:key/k1"
    assert out["Condition"] == doc["Condition"]


def test_iam_policy_variables_load_untouched_and_are_not_references() -> None:
    """${aws:username} and the like are AWS's to read: the loader neither checks nor changes them.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"""
    s = parse("""
        version: 1
        name: variables
        accounts:
          "111122223333":
            users:
              alice:
                inline_policies:
                  own-keys:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: kms:Decrypt
                        Resource: "*"
                        Condition: {StringEquals: {"aws:ResourceTag/owner": "${aws:username}"}}
        requests:
          - principal: arn:aws:iam::111122223333:user/alice
            action: kms:CreateKey
            parameters: {Tags: [{TagKey: owner, TagValue: "${aws:username}"}]}
        """)
    statement = s.accounts["111122223333"].users["alice"].inline_policies["own-keys"]["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}
    assert s.requests[0].parameters == {"Tags": [{"TagKey": "owner", "TagValue": "${aws:username}"}]}


@pytest.mark.parametrize(
    ("lines", "state", "enabled"),
    [
        ([], "Enabled", True),
        (["enabled: false"], "Disabled", False),
        (["state: Disabled"], "Disabled", False),
        (["state: PendingDeletion"], "PendingDeletion", False),
        (["origin: EXTERNAL"], "PendingImport", False),  # no key material: PendingImport
        (["origin: EXTERNAL", "enabled: true"], "Enabled", True),  # imported
        (["origin: EXTERNAL", "state: Disabled"], "Disabled", False),
        (["origin: EXTERNAL", "state: PendingImport"], "PendingImport", False),
    ],
)
def test_key_states_of_the_file(lines: list[str], state: str, enabled: bool) -> None:
    body = "".join(f"    {line}\n" for line in lines)
    s = parse_scenario(f'version: 1\nname: s\naccounts: {{"111122223333": {{}}}}\nkeys:\n  k:\n'
                       f'    account: "111122223333"\n{body}')
    key = s.keys["k"]
    assert (key.key_state, key.enabled) == (state, enabled)
    assert parse_scenario(dump_scenario(s)) == s
    if state == "Disabled":  # one key, however the file says it
        assert key == dataclasses.replace(key, state=None, enabled=False)


# --------------------------------------------------------------------------- errors

HEAD = """\
version: 1
name: errors
accounts:
  "111122223333":
    users:
      alice: {groups: [admins], permissions_boundary: Boundary}
      bob: {}
    groups:
      admins: {}
    roles:
      app: {}
    policies:
      Boundary: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "kms:*", Resource: "*"}]}
keys:
  demo:
    account: "111122223333"
requests:
"""
HEAD_LINES = HEAD.count("\n")  # the first request is on line HEAD_LINES + 1


def request_error(*lines: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(HEAD + "".join(line + "\n" for line in lines), source="req.yaml")
    return err.value


REQ = '  - {principal: "arn:aws:iam::111122223333:user/alice", action: kms:Decrypt, key: demo'


@pytest.mark.parametrize(
    ("request_lines", "line_offset", "needle"),
    [
        ([REQ + ", expect: allowed}", REQ + ", action: kms:Encrypt}"], 1, "duplicate key 'action'"),
        ([REQ + ", principle: x}"], 0, "unknown field 'principle' in request #1; did you mean 'principal'?"),
        ([REQ.replace("kms:Decrypt", "kms:Decryt") + "}"], 0, "'kms:Decryt' is not a KMS action. "
                                                              "Did you mean kms:Decrypt?"),
        ([REQ.replace("key: demo", "key: dem0") + "}"], 0, "key 'dem0' is not a key of this file; "
                                                          "did you mean 'demo'?"),
        ([REQ.replace("alice", "alicia") + "}"], 0, "user 'alicia' is not under the users: of account "
                                                   "111122223333; did you mean 'alice'?"),
        ([REQ.replace("user/alice", "role/ap") + "}"], 0, "role 'ap' is not under the roles:"),
        ([REQ.replace("arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/nope/s")
          + "}"], 0, "role 'nope' of this session"),
        ([REQ.replace("111122223333:user/alice", "999999999999:root") + "}"], 0,
         "account 999999999999 of 'arn:aws:iam::999999999999:root' is not under accounts:"),
        ([REQ.replace("arn:aws:iam::111122223333:user/alice", "alice") + "}"], 0, "is not a principal ARN"),
        ([REQ.replace("arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:group/admins")
          + "}"], 0, "is not a principal kmslab can be"),
        ([REQ + ", key_ref: name}"], 0, "key_ref 'name' must be one of arn, id, alias, alias_arn"),
        ([REQ + ", expect: allow}"], 0, "expect 'allow' must be allowed, denied or error; did you mean 'allowed'?"),
        ([REQ + ", expect: denied, expect_error: NotFoundException}"], 0, "expect_error goes with expect: error"),
        ([REQ + ", expect: error, expect_error: AccessDeniedException}"], 0, "write expect: denied instead"),
        ([REQ.replace("kms:Decrypt", "kms:ReEncryptFrom") + ", destination_key: nope}"], 0,
         "destination_key 'nope' is not a key of this file"),
        ([REQ + ", destination_key: demo}"], 0, "write its action as kms:ReEncryptFrom"),
        ([REQ.replace(", key: demo", "") + "}"], 0, "kms:Decrypt needs a key: add key: (one of demo)"),
        ([REQ.replace("kms:Decrypt", "kms:ListKeys") + "}"], 0, "kms:ListKeys has no key resource"),
        ([REQ + ", session_policy: {Version: '2012-10-17', Statement: []}}"], 0, "for role sessions only"),
        ([REQ + ", encryption_context: {app: 1}}"], 0, """the value of 'app' must be a string, not the number 1 """
                                                        """(write it in quotes: app: "1")"""),
        ([REQ + ", source_ip: 300.1.1.1}"], 0, "is not an IP address"),
        ([REQ + ", via_service: ec2}"], 0, "must be a service endpoint name"),
        ([REQ + ", encryption_algorithm: RSA_OAEP}"], 0, "encryption_algorithm 'RSA_OAEP' is not one of"),
        ([REQ + ", mfa: yes}"], 0, "mfa must be true or false, not the string 'yes'"),
        (["  - principal: arn:aws:iam::111122223333:role/app", "    action: kms:Decrypt", "    key: demo",
          "    session_policy: [not, a, document]"], 3, "session_policy must be a policy document"),
        (["  - principal: arn:aws:iam::111122223333:role/app", "    action: kms:Decrypt", "    key: demo",
          "    grant: {grantee: x, operations: [Decrypt], constraint: {}}"], 3,
         "unknown field 'constraint' in request #1: grant; did you mean 'constraints'?"),
        (["  - principal: arn:aws:iam::111122223333:role/app", "    action: kms:CreateGrant", "    key: demo",
          "    grant: {grantee: x}"], 3, "needs operations:"),
        (["  - just a string"], 0, "request #1 must be a mapping, not the string 'just a string'"),
        (['  - {principal: "arn:aws:iam::111122223333:root", key: demo}'], 0, "request #1 needs action:"),
        # parameters: the API's own names (botocore's model), values of its types, the same key as key:
        ([REQ.replace("kms:Decrypt", "ScheduleKeyDeletion") + ", parameters: {PendingWindowDays: 7}}"], 0,
         "request #1: parameters: ScheduleKeyDeletion has no parameter 'PendingWindowDays'; "
         "did you mean 'PendingWindowInDays'?"),
        ([REQ.replace("kms:Decrypt", "ScheduleKeyDeletion") + ", parameters: {PendingWindowInDays: '7'}}"], 0,
         "request #1: parameters: Invalid type for parameter PendingWindowInDays"),
        ([REQ + ", parameters: {pendingWindowInDays: 7}}"], 0, "is not an API parameter name"),
        ([REQ + ", parameters: {KeyId: 'alias/nope'}}"], 0,
         "parameters: KeyId 'alias/nope' must name the same key as key: demo"),
        ([REQ.replace(", key: demo", "") + ", parameters: {KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab'}}"], 0,
         "names no key of this file: write ${key:NAME}"),
        ([REQ + ", parameters: {KeyId: '${key:dem}'}}"], 0, "${key:dem} names no key of this file; did you mean"),
        ([REQ + ", key_ref: id, parameters: {KeyId: '${key_id:demo}'}}"], 0,
         "key_ref and parameters: KeyId both say how the request names the key"),
        ([REQ.replace("kms:Decrypt", "kms:TagResource") + ", parameters: {Tags: [{TagKey: a}]}}"], 0,
         "Missing required parameter in Tags[0]: \"TagValue\""),
        ([REQ.replace("kms:Decrypt", "kms:SynchronizeMultiRegionKey") + ", parameters: {KeyId: x}}"], 0,
         "kms:SynchronizeMultiRegionKey is an IAM action with no API operation of its own"),
        ([REQ.replace("kms:Decrypt", "kms:RetireGrant") + ", parameters: {GrantId: '${grant_id:nope}'}}"], 0,
         "${grant_id:nope} names no grant of this file that exists by then"),
        # grant_ref: a grant that exists by then, on a RetireGrant or RevokeGrant
        ([REQ.replace("kms:Decrypt", "kms:RevokeGrant") + ", grant_ref: nope}"], 0,
         "grant_ref 'nope' names no grant of this file that exists by then (grant names: none"),
        ([REQ + ", grant_ref: g}"], 0, "grant_ref names the grant of a RetireGrant or RevokeGrant request, not of "
                                       "kms:Decrypt"),
        ([REQ.replace("kms:Decrypt", "kms:RevokeGrant") + ", grant_ref: later}",
          REQ.replace("kms:Decrypt", "kms:CreateGrant") + ", grant: {name: later, grantee: "
          "'arn:aws:iam::111122223333:user/bob', operations: [Decrypt]}}"], 0,
         "grant_ref 'later' names no grant of this file that exists by then"),
        ([REQ.replace("kms:Decrypt", "kms:CreateGrant") + ", grant: {name: g, grantee: "
          "'arn:aws:iam::111122223333:user/bob', operations: [Decrypt]}}",
          REQ.replace("kms:Decrypt", "kms:RetireGrant") + ", grant_ref: g, parameters: {GrantId: x}}"], 1,
         "grant_ref and parameters: GrantId both name the grant"),
        ([REQ.replace("kms:Decrypt", "kms:CreateGrant") + ", grant: {name: g, grantee: "
          "'arn:aws:iam::111122223333:user/bob', operations: [Decrypt]}}",
          REQ.replace("kms:Decrypt", "kms:CreateGrant") + ", grant: {name: g, grantee: "
          "'arn:aws:iam::111122223333:user/bob', operations: [Decrypt]}}"], 1,
         "the grant name 'g' is already used at line"),
        ([REQ + ", grant: {name: g, grantee: 'arn:aws:iam::111122223333:user/bob', operations: [Decrypt]}}"], 0,
         "grant: name: names the grant a CreateGrant request makes; kms:Decrypt makes none"),
        ([REQ.replace("kms:Decrypt", "kms:CreateGrant") + ", grant: {name: 'a grant', grantee: "
          "'arn:aws:iam::111122223333:user/bob', operations: [Decrypt]}}"], 0, "grant name 'a grant' is not valid"),
        ([REQ.replace("kms:Decrypt", "kms:TagResource") + ", undo: true, parameters: {Tags: [{TagKey: a, "
          "TagValue: b}]}}"], 0, "undo: the lab puts back only the tag, alias or grant it makes itself, not the one "
                                 "parameters: Tags names"),
        ([REQ.replace("kms:Decrypt", "kms:CreateGrant") + ", grant: {name: g, grantee: "
          "'arn:aws:iam::111122223333:user/bob', operations: [Decrypt]}}",
          REQ.replace("kms:Decrypt", "kms:RevokeGrant") + ", grant_ref: g, undo: true}"], 1,
         "not the one grant_ref names"),
    ],
)
def test_request_errors_name_the_line(request_lines: list[str], line_offset: int, needle: str) -> None:
    err = request_error(*request_lines)
    assert needle in err.message, err.message
    assert err.line == HEAD_LINES + 1 + line_offset, str(err)
    assert str(err) == f"req.yaml:{err.line}: {err.message}"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("version: 1\nname: x\naccounts: {\n", 4, "YAML syntax"),
        ("version: 1\nname: x\n  bad: indent\n", 3, "YAML syntax"),
        ("version: 2\nname: x\naccounts: {'111122223333': {}}\n", 1, "version must be 1, not the number 2"),
        ("version: '1'\nname: x\naccounts: {'111122223333': {}}\n", 1, "version must be 1"),
        ("name: x\naccounts: {'111122223333': {}}\n", 1, "needs `version: 1`"),
        ("version: 1\nname: x\naccounts: {'111122223333': {}}\nreqeusts: []\n", 4,
         "unknown field 'reqeusts' in the scenario; did you mean 'requests'?"),
        ("version: 1\nnmae: x\naccounts: {'111122223333': {}}\n", 2,  # misspelt, so missing: say the misspelling
         "unknown field 'nmae' in the scenario; did you mean 'name'?"),
        ("version: 1\nname: x\naccounts: {'111122223333': {}}\ncolour: red\n", 4,
         "unknown field 'colour' in the scenario (fields: version, name"),
        ("version: 1\nname: My_Scenario\naccounts: {'111122223333': {}}\n", 2,
         "must use only lower-case letters, digits and '-'"),
        ("version: 1\naccounts: {'111122223333': {}}\n", 1, "the scenario needs name:"),
        ("version: 1\nname: x\naccounts:\n  111122223333: {}\n", 4,
         'account id 111122223333 is a YAML number: write account ids in quotes, as "111122223333"'),
        ("version: 1\nname: x\naccounts:\n  '12345': {}\n", 4, "account id '12345' must be 12 digits"),
        ("version: 1\nname: x\naccounts: {}\n", 3, "accounts: must list at least one account"),
        ("version: 1\nname: x\n", 1, "the scenario needs accounts:"),
        ("version: 1\nname: x\nregion: Tokyo\naccounts: {'111122223333': {}}\n", 3, "is not an AWS Region"),
        ("", 1, "the file is empty"),
        ("- a\n- list\n", 1, "a scenario file must be a mapping, not a list"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    users:\n      alice:\n        managed_policy: [A]\n",
         7, "unknown field 'managed_policy' in user 'alice' of account \"111122223333\"; "
            "did you mean 'managed_policies'?"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    user: {}\n", 5,
         "unknown field 'user' in account \"111122223333\"; did you mean 'users'?"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    users:\n      alice:\n        groups: [admin]\n"
         "    groups:\n      admins: {}\n", 7, "group 'admin' is not under this account's groups:; "
                                               "did you mean 'admins'?"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    users:\n      alice:\n"
         "        permissions_boundary: AdministratorAccess\n", 7,
         "permissions boundary 'AdministratorAccess' is not under this account's policies:"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    roles:\n      app:\n"
         "        permissions_boundary: Boundry\n    policies:\n      Boundary: {Statement: []}\n", 7,
         "did you mean 'Boundary'?"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    users:\n      alice:\n"
         "        managed_policies: ['arn:aws:iam::aws:role/x']\n", 7, "is not a policy ARN"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    users:\n      alice:\n"
         "        inline_policies:\n          p: [1, 2]\n", 8, "must be a policy document"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    policies:\n      P: '{not json'\n", 6,
         "is a string but not valid JSON"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    policies:\n      P: '[1]'\n", 6,
         "must be a JSON object"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    policies:\n      P:\n        Statement:\n"
         "          - Resource: '${key:demo}'\n", 8, "${key:demo} names no key of this file (keys: none)"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    scps: {}\n", 5, "scps: lists no SCP"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    users:\n      alice:\n        tags: {on: true}\n",
         7, """the value of 'on' must be a string, not the boolean true (write it in quotes: on: "true")"""),
        ("version: 1\nname: x\nnow: 2026-01-15 09:00\naccounts: {'111122223333': {}}\n", 3,
         "now '2026-01-15 09:00' is not a time like 2026-01-15T09:00:00Z"),
        ("version: 1\nname: x\nnow: 2026-02-30T09:00:00Z\naccounts: {'111122223333': {}}\n", 3,
         "now: '2026-02-30T09:00:00Z' is not a time (day is out of range for month)"),
        ("version: 1\nname: x\nnow: 1969-12-31T23:59:59Z\naccounts: {'111122223333': {}}\n", 3, "is before 1970"),
        ("version: 1\nname: x\nnwo: 2026-01-15T09:00:00Z\naccounts: {'111122223333': {}}\n", 3,
         "unknown field 'nwo' in the scenario; did you mean 'now'?"),
        ("version: 1\nname: x\naccounts:\n  '111122223333':\n    policies:\n      P:\n        Statement:\n"
         "          - Resource: '${grant_id:g}'\n", 8, "${grant_id:g} names no grant of this file that exists by then"),
    ],
)
def test_file_errors_name_the_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="f.yaml")
    assert needle in err.value.message, err.value.message
    assert err.value.line == line, str(err.value)


KEY_HEAD = """\
version: 1
name: keys
accounts:
  "111122223333":
    users: {alice: {}}
    roles: {app: {}}
  "444455556666": {users: {eve: {}}}
keys:
  demo:
    account: "111122223333"
"""


@pytest.mark.parametrize(
    ("key_lines", "line", "needle"),
    [
        (["    polcy: {}"], 11, "unknown field 'polcy' in key 'demo'; did you mean 'policy'?"),
        (["    policy: [a, b]"], 11, "key 'demo': policy must be a policy document"),
        (["    created_by: arn:aws:iam::111122223333:user/mallory"], 11, "user 'mallory' is not under the users:"),
        (["    created_by: arn:aws:iam::444455556666:user/eve"], 11, "is not in account 111122223333"),
        (["    created_by: arn:aws:iam::111122223333:role/app"], None, None),
        (["    created_by: arn:aws:iam::111122223333:root"], None, None),
        (["    key_spec: SYMETRIC_DEFAULT"], 11, "did you mean 'SYMMETRIC_DEFAULT'?"),
        (["    key_usage: ENCRYPT"], 11, "key_usage 'ENCRYPT' is not one of AWS's values"),
        (["    enabled: 'no'"], 11, "enabled must be true or false"),
        (["    aliases: [aws/ebs]"], 11, "alias 'aws/ebs' is not valid"),
        (["    grants:", "      - {grantee: 'arn:aws:iam::111122223333:role/app', operations: [Decryt]}"], 12,
         "'Decryt' is not a grant operation; did you mean 'Decrypt'?"),
        (["    grants:", "      - {grantee: 'arn:aws:iam::111122223333:role/ghost', operations: [Decrypt]}"], 12,
         "role 'ghost' is not under the roles:"),
        (["    grants:", "      - {grantee: 'arn:aws:iam::210987654321:role/elsewhere', operations: [Decrypt]}"],
         None, None),
        (["    grants:", "      - {grantee: app, operations: [Decrypt]}"], 12, "'app' is not a principal ARN"),
        (["    grants:", "      - grantee: arn:aws:iam::111122223333:role/app", "        operations: [Decrypt]",
          "        constraints: {encryption_context_subset: {a: b}, encryption_context: {}}"], 14,
         "did you mean 'encryption_context_subset'?"),
        (["    expect_error: not an error code"], 11, "must be an AWS error code"),
        (["  demo-2:", "    account: 111122223333"], 12, "is a YAML number: write account ids in quotes"),
        (["  demo-2:", "    account: '210987654321'"], 12, "account 210987654321 is not under accounts:"),
        (["  demo-2: {}"], 11, "key 'demo-2' needs account:"),
        (["  demo-2:", "    account: '111122223333'", "    aliases: [demo]"], 13,
         "alias/demo is already the alias of key 'demo'"),
        (["  demo/2: {account: '111122223333'}"], 11, "key name 'demo/2' is not valid"),
        # state, origin, multi_region
        (["    state: PendingDeletion"], None, None),
        (["    state: Disabled", "    enabled: false"], None, None),
        (["    state: PendingDeletoin"], 11, "state 'PendingDeletoin' is not a key state the file can ask for; "
                                              "did you mean 'PendingDeletion'?"),
        (["    state: PendingReplicaDeletion"], 11, "(Enabled, Disabled, PendingDeletion, PendingImport)"),
        (["    state: PendingDeletion", "    enabled: false"], 12,
         "enabled: false is the shorthand for state: Disabled, but state: is PendingDeletion: leave enabled: out"),
        (["    state: Enabled", "    enabled: false"], 12,
         "enabled: false says state: Disabled, but state: is Enabled"),
        (["    state: PendingImport"], 11, "PendingImport is the state of a key with origin EXTERNAL whose key "
                                            "material is not imported: add origin: EXTERNAL"),
        (["    origin: EXTERNL"], 11, "origin 'EXTERNL' is not one of AWS_KMS or EXTERNAL; did you mean 'EXTERNAL'?"),
        (["    origin: AWS_CLOUDHSM"], 11, "origin 'AWS_CLOUDHSM' is not one of AWS_KMS or EXTERNAL"),
        (["    multi_region: 'yes'"], 11, "multi_region must be true or false"),
        (["    grants:", "      - {name: g, grantee: 'arn:aws:iam::111122223333:role/app', operations: [Decrypt]}",
          "      - {name: g, grantee: 'arn:aws:iam::111122223333:role/app', operations: [Encrypt]}"], 13,
         "key 'demo': grant #2: the grant name 'g' is already used at line 12"),
    ],
)
def test_key_errors_name_the_line(key_lines: list[str], line: int | None, needle: str | None) -> None:
    text = KEY_HEAD + "".join(line + "\n" for line in key_lines)
    if needle is None:
        parse_scenario(text)
        return
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="k.yaml")
    assert needle in err.value.message, err.value.message
    assert err.value.line == line, str(err.value)


def test_key_reference_errors_point_at_the_string() -> None:
    text = HEAD.replace(
        "      app: {}\n",
        "      app:\n        inline_policies:\n          p:\n            Statement:\n"
        "              - Effect: Allow\n                Resource: ['*', '${key_id:dmeo}']\n",
    )
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="r.yaml")
    assert err.value.line == 16
    assert "${key_id:dmeo} names no key of this file; did you mean 'demo'?" in err.value.message


def test_scenario_error_formats() -> None:
    assert str(ScenarioError("a.yaml", 3, "bad")) == "a.yaml:3: bad"
    assert str(ScenarioError("a.yaml", None, "bad")) == "a.yaml: bad"
    import pickle

    again = pickle.loads(pickle.dumps(ScenarioError("a.yaml", 3, "bad")))
    assert (again.path, again.line, again.message) == ("a.yaml", 3, "bad")


def test_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "nope.yaml")
    assert "cannot read the file" in str(err.value)
    assert str(err.value).startswith(str(tmp_path / "nope.yaml"))


def test_yaml_surprises_are_strings() -> None:
    """Core-schema scalars: `2012-10-17`, `yes`, `on` and `012...` stay what they look like, or fail clearly."""
    s = parse("""
        version: 1
        name: scalars
        accounts:
          "011122223333":
            users:
              alice: {tags: {enabled: yes, date: 2024-01-01}}
            policies:
              P: {Version: 2012-10-17, Statement: [{Effect: Allow, Action: "kms:*", Resource: "*",
                  Condition: {Bool: {"aws:SecureTransport": true}}}]}
    """)
    account = s.accounts["011122223333"]
    assert account.users["alice"].tags == {"enabled": "yes", "date": "2024-01-01"}
    assert account.policies["P"]["Version"] == "2012-10-17"
    assert account.policies["P"]["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"] is True
    assert parse_scenario(dump_scenario(s)) == s
    with pytest.raises(ScenarioError, match='quotes, as "012345678901"'):
        parse_scenario("version: 1\nname: x\naccounts:\n  012345678901: {}\n")


def test_anchors_and_merge_keys_work() -> None:
    s = parse("""
        version: 1
        name: anchors
        accounts:
          "111122223333":
            users:
              alice: &admin {managed_policies: [AdministratorAccess], tags: {team: a}}
              bob:
                <<: *admin
                tags: {team: b}
    """)
    users = s.accounts["111122223333"].users
    assert users["bob"].managed_policies == ("AdministratorAccess",)
    assert users["bob"].tags == {"team": "b"}
    with pytest.raises(ScenarioError, match="recursive|nests too deeply"):
        parse_scenario("version: 1\nname: x\naccounts:\n  '111122223333':\n    policies:\n      P: &p [*p]\n")


# --------------------------------------------------------------------------- fuzz

_VALID_TEXTS = [FULL, HEAD + REQ + "}\n"] + [p.read_text("utf-8") for p in SHIPPED[:4]]


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(_VALID_TEXTS))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "swap", "chars"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            lines = [draw(st.text(max_size=30))]
        elif op == "delete":
            del lines[i]
        elif op == "insert":
            lines.insert(i, draw(st.text(alphabet=" -:{}[]'\"#&*!|>\n\tabcx0123456789", max_size=30)))
        elif op == "replace":
            line = lines[i]
            start = draw(st.integers(0, len(line)))
            end = draw(st.integers(start, len(line)))
            filler = draw(st.sampled_from(["", " ", ":", "- ", "{", "]", "'", "1", "true", "null", "kms:*",
                                            "&a ", "*a", "!!int ", "!!binary ", "!!set ", "? ", "\t", "<<: "]))
            lines[i] = line[:start] + filler + line[end:]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.text(max_size=4)) + lines[i][pos:]
    return "".join(lines)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**13, 10**13) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@st.composite
def replaced_fields(draw: st.DrawFn) -> str:
    """The full example with one value anywhere in it replaced by an arbitrary one."""
    data = scenario_to_dict(parse_scenario(FULL))
    node, path = data, []
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        k = draw(st.sampled_from(keys))
        path.append((node, k))
        node = node[k]
    if path:
        parent, k = path[-1]
        parent[k] = draw(json_values)
    return yaml.safe_dump(data, allow_unicode=True)


def _load_or_scenario_error(text: str) -> None:
    try:
        s = parse_scenario(text, source="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")
        return
    assert parse_scenario(dump_scenario(s)) == s


_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@_FUZZ
@given(st.text(max_size=200))
def test_fuzz_random_text(text: str) -> None:
    _load_or_scenario_error(text)


@_FUZZ
@given(mutated_texts())
def test_fuzz_mutated_scenarios(text: str) -> None:
    _load_or_scenario_error(text)


@_FUZZ
@given(replaced_fields())
def test_fuzz_replaced_values(text: str) -> None:
    _load_or_scenario_error(text)


def test_every_kms_operation_can_be_written_as_a_request_with_its_own_parameters() -> None:
    """Every operation of botocore's KMS model is a request a file can make, each parameter under the API's
    name: the format never stands between a workshop author and an operation."""
    import botocore.session

    from kmslab.engine.catalog import action_info

    model = botocore.session.get_session().get_service_model("kms")
    lines = []
    for operation in model.operation_names:
        action = "kms:ReEncryptFrom" if operation == "ReEncrypt" else f"kms:{operation}"
        members = [m for m in model.operation_model(operation).input_shape.members if m != "KeyId"]
        shape = model.operation_model(operation).input_shape.members
        string = [m for m in members if shape[m].type_name == "string" and m != "Policy"]
        value = "x" * max(1, shape[string[0]].metadata.get("min", 1)) if string else ""
        params = f", parameters: {{{string[0]}: {value}}}" if string else ""
        key = ", key: demo" if action_info(action).takes_key else ""
        lines.append(f'  - {{principal: "arn:aws:iam::111122223333:root", action: {action}{key}{params}}}')
    s = parse_scenario(HEAD + "\n".join(lines) + "\n", source="every.yaml")
    assert len(s.requests) == len(model.operation_names) >= 56


def test_the_loader_and_the_lab_agree_on_what_undo_cannot_put_back() -> None:
    from kmslab.lab.calls import UNDONE_BY_NAME as lab_side
    from kmslab.scenario.model import UNDONE_BY_NAME as file_side

    assert file_side == lab_side
