"""Editing policy documents and reading IAM state, for lessons that change policies from code."""

from __future__ import annotations

import copy
import json
from typing import Any

from ..engine.policy import aws_principal_ids, statement_list
from ..lab import Lab

# The console's "Allow use of the key" actions for a symmetric encryption key.
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-users
KEY_USER_ACTIONS: tuple[str, ...] = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                                     "kms:DescribeKey")


def add_statement(policy: dict[str, Any], statement: dict[str, Any]) -> dict[str, Any]:
    """A copy of `policy` with `statement` appended (an existing statement with the same Sid is replaced)."""
    new = copy.deepcopy(policy)
    sid = statement.get("Sid")
    kept = [s for s in statement_list(new) if sid is None or s.get("Sid") != sid]
    new["Statement"] = [*kept, copy.deepcopy(statement)]
    return new


def remove_statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    """A copy of `policy` without the statement(s) whose Sid is `sid`."""
    new = copy.deepcopy(policy)
    new["Statement"] = [s for s in statement_list(new) if s.get("Sid") != sid]
    return new


def unique_id(lab: Lab, user: str, account: str | None = None) -> str:
    """The IAM user's unique id (AIDA...), as GetUser returns it: what a key policy keeps of a deleted user.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
    """
    unique: str = lab.admin("iam", account).get_user(UserName=user)["User"]["UserId"]
    return unique


def key_policy_principals(lab: Lab, key: str) -> list[str]:
    """Every AWS principal the key policy names, in order (ARNs, account ids, or unique ids of deleted ones)."""
    found: list[str] = []
    for s in statement_list(lab.key_policy(key)):
        for value in aws_principal_ids(s):
            if value not in found:
                found.append(value)
    return found


def _iam_split(arn: str) -> tuple[str, str, str]:
    """(account, user|role, name) of an IAM user or role ARN."""
    account, resource = arn.split(":")[4], arn.split(":", 5)[5]
    kind, _, rest = resource.partition("/")
    if kind not in ("user", "role"):
        raise ValueError(f"{arn} is not an IAM user or role")
    return account, kind, rest.rsplit("/", 1)[-1]


def iam_snapshot(lab: Lab, arn: str) -> tuple[dict[str, Any], list[str]]:
    """The inline policy documents and managed policy ARNs of a user or role."""
    account, kind, name = _iam_split(arn)
    iam = lab.admin("iam", account)
    key = f"{kind.capitalize()}Name"
    inline = {}
    for pname in getattr(iam, f"list_{kind}_policies")(**{key: name})["PolicyNames"]:
        doc = getattr(iam, f"get_{kind}_policy")(**{key: name, "PolicyName": pname})["PolicyDocument"]
        inline[pname] = json.loads(doc) if isinstance(doc, str) else doc
    attached = getattr(iam, f"list_attached_{kind}_policies")(**{key: name})["AttachedPolicies"]
    return inline, [p["PolicyArn"] for p in attached]


def iam_restore(lab: Lab, arn: str, inline: dict[str, Any], managed: list[str]) -> None:
    """Put a user's or role's IAM policies back as `iam_snapshot` found them."""
    now_inline, now_managed = iam_snapshot(lab, arn)
    for pname in now_inline:
        if pname not in inline:
            lab.delete_inline_policy(arn, pname)
    for pname, doc in inline.items():
        lab.put_inline_policy(arn, pname, doc)
    for policy in now_managed:
        if policy not in managed:
            lab.detach_policy(arn, policy)
    for policy in managed:
        if policy not in now_managed:
            lab.attach_policy(arn, policy)


def has_iam_policy(lab: Lab, principal: str) -> bool:
    """Whether a user or role has any inline or attached IAM policy."""
    inline, managed = iam_snapshot(lab, lab.principal_arn(principal))
    return bool(inline or managed)
