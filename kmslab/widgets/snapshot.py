"""What a widget can see of the lab, to say in words what code elsewhere changed.

A widget that re-renders after a change from code (`Lab.on_change`) compares a snapshot
taken at its previous render with one taken now: the key policies, grants and states of its
keys, and the managed and inline IAM policies of its principals. Read through the lab's
setup administrator (reads are not changes and are not authorized).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.exceptions import ClientError

from . import words
from .labels import principal_labels


@dataclass(frozen=True)
class Snapshot:
    """The parts of the world a widget's table depends on, as comparable values."""

    key_policies: dict[str, str] = field(default_factory=dict)  # key name -> canonical JSON
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # key name -> the policy as GetKeyPolicy
    root_statement: dict[str, bool] = field(default_factory=dict)
    grants: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> sorted grant ids
    states: dict[str, str] = field(default_factory=dict)  # key -> KeyState
    attached: dict[str, frozenset[str]] = field(default_factory=dict)  # principal ARN -> managed policy names
    inline: dict[str, dict[str, str]] = field(default_factory=dict)  # principal ARN -> name -> canonical JSON


def _canonical(document: Any) -> str:
    if isinstance(document, str):
        document = json.loads(document)
    return json.dumps(document, sort_keys=True)


def _inline(lab: Any, arn: str) -> dict[str, str]:
    account, kind, name = lab._split(arn)
    if kind not in ("user", "role"):
        return {}
    iam = lab.admin("iam", account)
    arg = {f"{kind.capitalize()}Name": name}
    names = getattr(iam, f"list_{kind}_policies")(**arg)["PolicyNames"]
    return {n: _canonical(getattr(iam, f"get_{kind}_policy")(**arg, PolicyName=n)["PolicyDocument"])
            for n in names}


def take(lab: Any, keys: Sequence[str], principals: Sequence[str]) -> Snapshot:
    """A snapshot of `keys` and `principals` (ARNs) as they are now; missing ones are left out."""
    from ..engine.policy import has_account_statement as has_root_statement

    snap = Snapshot()
    for key in keys:
        try:
            info = lab._key(key)
            kms = lab.admin("kms", info["account"])
            policy = lab.key_policy(key)
            snap.key_policies[key] = _canonical(policy)
            snap.documents[key] = policy
            snap.root_statement[key] = has_root_statement(policy, info["account"])
            grants = kms.list_grants(KeyId=info["arn"])["Grants"]
            snap.grants[key] = tuple(sorted(g["GrantId"] for g in grants))
            snap.states[key] = kms.describe_key(KeyId=info["arn"])["KeyMetadata"]["KeyState"]
        except (ClientError, LookupError, RuntimeError):
            continue
    for arn in principals:
        if arn.endswith(":root") or ":assumed-role/" in arn:
            continue
        try:
            snap.attached[arn] = frozenset(lab.attached_policies(arn))
            snap.inline[arn] = _inline(lab, arn)
        except (ClientError, LookupError, RuntimeError):
            continue
    return snap


def with_key_policy(snap: Snapshot, lab: Any, key: str, policy: dict[str, Any] | None = None) -> Snapshot:
    """`snap` after a change of one key policy made by the widget itself (one read instead of a snapshot).

    `policy`: the document the widget has just put, as GetKeyPolicy returns it (then nothing is read).
    """
    from ..engine.policy import has_account_statement

    policy = lab.key_policy(key) if policy is None else policy
    account = lab.key_arn(key).split(":")[4]
    return replace(snap, key_policies={**snap.key_policies, key: _canonical(policy)},
                   documents={**snap.documents, key: policy},
                   root_statement={**snap.root_statement, key: has_account_statement(policy, account)})


def with_attachments(snap: Snapshot, lab: Any, principal: str) -> Snapshot:
    """`snap` after the widget itself attached or detached a managed policy of `principal`."""
    return replace(snap, attached={**snap.attached, principal: frozenset(lab.attached_policies(principal))})


def differences(before: Snapshot, after: Snapshot) -> tuple[list[str], list[str]]:
    """(what changed, in words; the principal ARNs whose IAM policies changed)."""
    said: list[str] = []
    touched: list[str] = []
    labels = principal_labels([*before.attached, *after.attached])
    for key, text in after.key_policies.items():
        old = before.key_policies.get(key)
        if old is None or old == text:
            continue
        was, now = before.root_statement.get(key), after.root_statement.get(key)
        if was != now:
            said.append(words.say("diff_key_policy_root", key=key,
                                  what=words.say("added" if now else "removed")))
        else:
            said.append(words.say("diff_key_policy", key=key))
    for key, grants in after.grants.items():
        if key in before.grants and before.grants[key] != grants:
            said.append(words.say("diff_grants", key=key, before=len(before.grants[key]), after=len(grants)))
    for key, state in after.states.items():
        if key in before.states and before.states[key] != state:
            said.append(words.say("diff_state", key=key, before=before.states[key], after=state))
    for arn, policies in after.attached.items():
        old_policies = before.attached.get(arn)
        if old_policies is None:
            continue
        label = labels.get(arn, arn)
        for policy in sorted(policies - old_policies):
            said.append(words.say("diff_attached", principal=label, policy=policy))
        for policy in sorted(old_policies - policies):
            said.append(words.say("diff_detached", principal=label, policy=policy))
        if policies != old_policies:
            touched.append(arn)
    for arn, docs in after.inline.items():
        old_docs = before.inline.get(arn)
        if old_docs is None:
            continue
        label = labels.get(arn, arn)
        for name in sorted(set(docs) | set(old_docs)):
            if name not in old_docs:
                said.append(words.say("diff_inline_added", principal=label, name=name))
            elif name not in docs:
                said.append(words.say("diff_inline_deleted", principal=label, name=name))
            elif docs[name] != old_docs[name]:
                said.append(words.say("diff_inline_changed", principal=label, name=name))
            else:
                continue
            if arn not in touched:
                touched.append(arn)
    return said, touched
