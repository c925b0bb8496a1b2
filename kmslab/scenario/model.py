"""The scenario model: a frozen `Scenario` and its parts, `ScenarioError`, and the format's limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kmslab.engine.context import DEFAULT_REGION, DEFAULT_SOURCE_IP  # one place for the defaults

VERSION = 1
KEY_REFS = ("arn", "id", "alias", "alias_arn")
EXPECTATIONS = ("allowed", "denied", "error")
# The key states a file can ask for, each reached as AWS reaches it (DisableKey, ScheduleKeyDeletion, a key
# with origin EXTERNAL whose material is not imported): https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
KEY_STATES = ("Enabled", "Disabled", "PendingDeletion", "PendingImport")
ORIGINS = ("AWS_KMS", "EXTERNAL")  # CreateKey's Origin for a key outside a custom key store
# A request with `undo: true` may not name what it creates or removes by name (the lab puts back only the tag,
# alias or grant it made itself): action -> the parameter (the lab's kmslab.lab.calls.UNDONE_BY_NAME).
UNDONE_BY_NAME = {
    "kms:TagResource": "Tags", "kms:UntagResource": "TagKeys", "kms:CreateAlias": "AliasName",
    "kms:UpdateAlias": "AliasName", "kms:DeleteAlias": "AliasName", "kms:RetireGrant": "GrantId",
    "kms:RevokeGrant": "GrantId",
}

Document = dict[str, Any]  # a policy document, as plain JSON-compatible data

# What a scenario file may ask for. The largest shipped scenario is 6 KB: 308 values, nested
# 10 deep, 18 requests. These limits leave room for a whole workshop's world, and keep any file
# (an alias bomb, /dev/zero, a policy nested a million levels) to seconds and megabytes.
MAX_FILE_BYTES = 1_000_000  # the file's size, in bytes (characters for parse_scenario's text)
MAX_ALIASES = 1_000  # YAML aliases (*name)
MAX_DEPTH = 64  # mappings and lists nested in one another, after aliases are expanded
MAX_VALUES = 50_000  # values (scalars, mappings, lists), after aliases are expanded
MAX_REQUESTS = 2_000  # requests listed, or the standard set an omitted `requests:` stands for
MAX_SETUP_OBJECTS = 2_000  # users, groups, roles, policies, keys, aliases and grants in all


# ---------------------------------------------------------------- the error


class ScenarioError(ValueError):
    """Anything wrong with a scenario file. `str()` is `FILE:LINE: message`."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = _printable(message)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{_printable(self.path)}:{self.line}" if self.line else _printable(self.path)
        return f"{where}: {self.message}"

    def __reduce__(self):  # picklable despite the custom signature
        return (type(self), (self.path, self.line, self.message))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """`text` with control characters escaped (NUL, ESC...): what a file says never drives the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if m.group() != "\\" else m.group(), text)


_printable = printable


# ---------------------------------------------------------------- the model


@dataclass(frozen=True)
class User:
    """An IAM user: `arn:aws:iam::ACCOUNT:user/NAME`."""

    managed_policies: tuple[str, ...] = ()
    inline_policies: dict[str, Document] = field(default_factory=dict)
    groups: tuple[str, ...] = ()
    permissions_boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """An IAM group; its policies apply to its member users."""

    managed_policies: tuple[str, ...] = ()
    inline_policies: dict[str, Document] = field(default_factory=dict)


@dataclass(frozen=True)
class Role:
    """An IAM role. `trust_policy` None: the default, trusting this account's root."""

    trust_policy: Document | None = None
    managed_policies: tuple[str, ...] = ()
    inline_policies: dict[str, Document] = field(default_factory=dict)
    permissions_boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Account:
    """One AWS account. `scps` None: no SCP restricts it (FullAWSAccess)."""

    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, Document] = field(default_factory=dict)  # customer managed policies
    scps: dict[str, Document] | None = None


@dataclass(frozen=True)
class GrantSpec:
    """A grant on a key, or the parameters of a CreateGrant request."""

    grantee: str
    operations: tuple[str, ...]
    encryption_context_subset: dict[str, str] | None = None
    encryption_context_equals: dict[str, str] | None = None
    retiring_principal: str | None = None
    name: str | None = None  # the file's name for the grant (grant_ref, ${grant_id:NAME}); also CreateGrant's Name


@dataclass(frozen=True)
class KeySpec:
    """A KMS key to build. `policy` None: the default key policy AWS applies.

    Its state is `state`, or (None) Enabled / Disabled as `enabled` says: the file's `enabled: false` and
    `state: Disabled` are one key, kept as `enabled=False, state=None`, so both load to equal KeySpecs.
    """

    account: str
    policy: Document | None = None
    created_by: str = ""  # a principal ARN; the account's root user when the file omits it
    bypass_lockout_check: bool = False
    key_spec: str | None = None  # None: AWS's default (SYMMETRIC_DEFAULT)
    key_usage: str | None = None  # None: AWS's default for the key spec
    enabled: bool = True
    aliases: tuple[str, ...] = ()  # extra alias names, without the "alias/" prefix
    tags: dict[str, str] = field(default_factory=dict)
    grants: tuple[GrantSpec, ...] = ()
    expect_error: str | None = None  # building the key must fail with this AWS error code
    state: str | None = None  # PendingDeletion, PendingImport; None: Enabled or Disabled, as `enabled` says
    origin: str = "AWS_KMS"  # EXTERNAL: a key for imported key material
    multi_region: bool = False  # a multi-Region primary key

    def __post_init__(self) -> None:
        if not self.created_by:
            object.__setattr__(self, "created_by", root_arn(self.account))
        if self.state in ("Enabled", "Disabled"):  # one way to say each: enabled=True/False, state None
            object.__setattr__(self, "enabled", self.state == "Enabled")
            object.__setattr__(self, "state", None)
        elif self.state is not None:
            object.__setattr__(self, "enabled", False)

    @property
    def key_state(self) -> str:
        """The state the key reaches before any request runs: Enabled, Disabled, PendingDeletion, PendingImport."""
        return self.state or ("Enabled" if self.enabled else "Disabled")


@dataclass(frozen=True)
class RequestSpec:
    """One request to try. `line` is where it starts in the file (not part of equality)."""

    principal: str
    action: str  # canonical IAM action name, e.g. "kms:Decrypt"
    key: str | None = None
    key_ref: str = "arn"
    destination_key: str | None = None
    encryption_context: dict[str, str] | None = None
    encryption_algorithm: str | None = None
    grant: GrantSpec | None = None
    via_service: str | None = None
    source_ip: str = DEFAULT_SOURCE_IP
    mfa: bool = False
    session_policy: Document | None = None
    session_tags: dict[str, str] = field(default_factory=dict)
    expect: str | None = None
    expect_error: str | None = None
    grant_ref: str | None = None  # the file's name of the grant a RetireGrant / RevokeGrant names (GrantId)
    parameters: Document | None = None  # more API parameters, under the API's names; they win over the lab's
    undo: bool = False  # the lab puts back what the request changed before the next one (a table's what-if)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Scenario:
    """A whole scenario file. `requests` None: the lab tries every principal x the
    standard action set x every key. `path` is where it was loaded from (not part of
    equality)."""

    version: int = VERSION
    name: str = ""
    title: str | None = None
    region: str = DEFAULT_REGION
    accounts: dict[str, Account] = field(default_factory=dict)
    keys: dict[str, KeySpec] = field(default_factory=dict)
    requests: tuple[RequestSpec, ...] | None = None
    now: str | None = None  # the time aws:CurrentTime sees, "YYYY-MM-DDTHH:MM:SSZ"; None: the real clock
    path: str | None = field(default=None, compare=False)

    def principals(self) -> tuple[str, ...]:
        """Every principal of the scenario, in file order: each account's root user,
        its users, then its roles (as role ARNs)."""
        out: list[str] = []
        for account_id, account in self.accounts.items():
            out.append(root_arn(account_id))
            out += [f"arn:aws:iam::{account_id}:user/{name}" for name in account.users]
            out += [f"arn:aws:iam::{account_id}:role/{name}" for name in account.roles]
        return tuple(out)


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"
