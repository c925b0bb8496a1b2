"""Short, unique names for principals, actions and keys, and CSS-safe slugs of them.

A learner reads `kms-test-2`, not `arn:aws:iam::111122223333:user/kms-test-2`; the long
form is only needed when the short one would be ambiguous (several accounts, two sessions
of one role).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

NO_KEY = "(no key)"  # column label for actions that take no key (CreateKey, ListKeys, ...)

_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>iam|sts)::(?P<account>\d{12}):(?P<resource>.+)$")
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


def _parts(arn: str) -> tuple[str | None, str, str]:
    """(account, short label, more specific label) of a principal ARN."""
    m = _ARN.match(arn)
    if m is None:
        return None, arn, arn
    account, service, resource = m["account"], m["service"], m["resource"]
    if service == "iam":
        if resource == "root":
            return account, "root", "root"
        kind, _, rest = resource.partition("/")
        name = rest.rsplit("/", 1)[-1]  # drop an IAM path (user/dev/alice -> alice)
        if kind == "user":
            return account, name, name
        if kind == "role":
            return account, f"role/{name}", f"role/{name}"
        return account, resource, resource
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        role, _, session = rest.partition("/")
        return account, f"role/{role}", f"role/{role}/{session}"
    return account, resource, resource


def action_label(action: str) -> str:
    """`kms:Decrypt` -> `Decrypt` (every action in the lab is a KMS action)."""
    return action.split(":", 1)[1] if action.lower().startswith("kms:") else action


def key_label(key: str | None) -> str:
    """The lab's key name, or `(no key)` for key-less actions."""
    return NO_KEY if key is None else key


def principal_labels(arns: Iterable[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Short labels for principal ARNs that stay unique among them.

    `kms-test-1` for users, `root` for the account's root user, `role/NAME` for roles and
    their sessions (`role/NAME/SESSION` when two sessions of one role appear), with
    ` (ACCOUNT)` appended when the ARNs span several accounts; `overrides` (ARN -> label)
    wins. Raises ValueError when two principals would share a label.
    """
    arns = list(dict.fromkeys(arns))
    parts = {arn: _parts(arn) for arn in arns}
    labels = {arn: p[1] for arn, p in parts.items()}
    counts = Counter(labels.values())
    for arn, (_, short, specific) in parts.items():
        if counts[short] > 1:
            labels[arn] = specific
    accounts = {p[0] for p in parts.values() if p[0] is not None}
    if len(accounts) > 1:
        labels = {arn: f"{lab} ({parts[arn][0]})" if parts[arn][0] else lab for arn, lab in labels.items()}
    counts = Counter(labels.values())
    labels = {arn: arn if counts[lab] > 1 else lab for arn, lab in labels.items()}
    if overrides:
        labels.update({arn: lab for arn, lab in overrides.items() if arn in labels})
    clash = [lab for lab, n in Counter(labels.values()).items() if n > 1]
    if clash:
        raise ValueError(f"two principals would both be shown as {clash[0]!r}: give them distinct labels")
    return labels


def principal_label(arn: str) -> str:
    """The short label of one principal ARN (see `principal_labels`)."""
    return _parts(arn)[1]


def slug(text: str) -> str:
    """A CSS-class-safe form of a label: `role/app (1111)` -> `role-app-1111`."""
    return _SLUG.sub("-", text).strip("-") or "x"
