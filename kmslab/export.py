"""Export a running lab to a scenario file, so any table in a notebook can be replayed with `kmslab check`.

Reads the lab's world back through boto3 (as the setup administrator) and writes the
scenario format (shared/scenario-format.md) with the current answers as `expect`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .engine import STANDARD_ACTIONS
from .lab import Lab
from .lab.managed import is_aws_managed
from .scenario import Account, GrantSpec, Group, KeySpec, RequestSpec, Role, Scenario, dump_scenario, parse_scenario

_NAME = re.compile(r"[^a-z0-9-]+")


def _doc(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else text


def _managed_names(attached: Iterable[dict[str, str]], account: str) -> tuple[str, ...]:
    out = []
    for p in attached:
        arn = p["PolicyArn"]
        if is_aws_managed(arn) or arn.startswith(f"arn:aws:iam::{account}:policy/"):
            out.append(p["PolicyName"])
        else:
            out.append(arn)
    return tuple(out)


def _account(lab: Lab, account: str) -> Account:
    iam = lab.admin("iam", account)
    policies = {}
    for p in iam.list_policies(Scope="Local")["Policies"]:
        version = iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])
        policies[p["PolicyName"]] = _doc(version["PolicyVersion"]["Document"])
    groups = {}
    for g in iam.list_groups()["Groups"]:
        name = g["GroupName"]
        inline = {n: _doc(iam.get_group_policy(GroupName=name, PolicyName=n)["PolicyDocument"])
                  for n in iam.list_group_policies(GroupName=name)["PolicyNames"]}
        groups[name] = Group(managed_policies=_managed_names(
            iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"], account), inline_policies=inline)
    users = {}
    for u in iam.list_users()["Users"]:
        name = u["UserName"]
        inline = {n: _doc(iam.get_user_policy(UserName=name, PolicyName=n)["PolicyDocument"])
                  for n in iam.list_user_policies(UserName=name)["PolicyNames"]}
        boundary = lab.registry.user_boundaries.get(u["Arn"])
        tags = {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=name)["Tags"]}
        users[name] = _user(
            managed_policies=_managed_names(iam.list_attached_user_policies(UserName=name)["AttachedPolicies"],
                                            account),
            inline_policies=inline,
            groups=tuple(g["GroupName"] for g in iam.list_groups_for_user(UserName=name)["Groups"]),
            permissions_boundary=_policy_ref(boundary, account), tags=tags)
    roles = {}
    for r in iam.list_roles()["Roles"]:
        name = r["RoleName"]
        inline = {n: _doc(iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"])
                  for n in iam.list_role_policies(RoleName=name)["PolicyNames"]}
        full = iam.get_role(RoleName=name)["Role"]
        boundary = (full.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        roles[name] = Role(
            trust_policy=_doc(full["AssumeRolePolicyDocument"]),
            managed_policies=_managed_names(iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
                                            account),
            inline_policies=inline, permissions_boundary=_policy_ref(boundary, account),
            tags={t["Key"]: t["Value"] for t in full.get("Tags", [])})
    return Account(users=users, groups=groups, roles=roles, policies=policies, scps=lab.registry.scps.get(account))


def _user(**kwargs: Any) -> Any:
    from .scenario import User

    return User(**kwargs)


def _policy_ref(arn: str | None, account: str) -> str | None:
    if arn and arn.startswith(f"arn:aws:iam::{account}:policy/"):
        return arn.rsplit("/", 1)[-1]
    return arn


def _key(lab: Lab, name: str) -> KeySpec:
    info = lab._key(name)
    kms = lab.admin("kms", info["account"])
    meta = kms.describe_key(KeyId=info["arn"])["KeyMetadata"]
    aliases = [a["AliasName"].removeprefix("alias/") for a in kms.list_aliases(KeyId=info["arn"])["Aliases"]]
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=info["arn"])["Tags"]}
    grants = []
    for g in kms.list_grants(KeyId=info["arn"])["Grants"]:
        constraints = g.get("Constraints") or {}
        grants.append(GrantSpec(
            grantee=g["GranteePrincipal"], operations=tuple(g["Operations"]),
            encryption_context_subset=constraints.get("EncryptionContextSubset"),
            encryption_context_equals=constraints.get("EncryptionContextEquals"),
            retiring_principal=g.get("RetiringPrincipal") or None))
    return KeySpec(
        account=info["account"], policy=lab.key_policy(name), created_by=info["created_by"],
        bypass_lockout_check=True,  # the policy as it is now: it was accepted once, perhaps with the bypass
        key_spec=meta.get("KeySpec"), key_usage=meta.get("KeyUsage"), enabled=meta["Enabled"],
        aliases=tuple(a for a in aliases if a != name), tags=tags, grants=tuple(grants))


def export_scenario(lab: Lab, *, name: str = "exported-lab", title: str | None = None,
                    actions: Iterable[str] = STANDARD_ACTIONS) -> Scenario:
    """The lab's current world as a Scenario, with every principal x action x key and today's answers."""
    accounts = {a: _account(lab, a) for a in lab.accounts}
    keys = {k: _key(lab, k) for k in lab.key_names()}
    requests = []
    for outcome in lab.access_matrix(actions=list(actions)):
        requests.append(RequestSpec(
            principal=outcome.principal, action=outcome.action, key=outcome.key, expect=outcome.decision,
            expect_error=outcome.error if outcome.decision == "error" else None))
    return Scenario(name=_NAME.sub("-", name.lower()).strip("-") or "exported-lab",
                    title=title or "Exported from a kmslab lab", region=lab.region, accounts=accounts, keys=keys,
                    requests=tuple(requests))


def save_scenario(lab: Lab, path: str | Path, **kwargs: Any) -> Path:
    """Write `export_scenario(lab)` to `path` (YAML) after checking it loads back; returns the path."""
    text = dump_scenario(export_scenario(lab, **kwargs))
    parse_scenario(text, source=str(path))  # never write a file that would not load
    target = Path(path)
    target.write_text(text, encoding="utf-8")
    return target
