"""The kmslab scenario file, version 1: load, validate and dump it.

The format is a public interface, specified in `shared/scenario-format.md`. A file
becomes a frozen `Scenario`; anything wrong with it raises `ScenarioError`, whose
text is `FILE:LINE: message`, so a workshop author can jump straight to the line.

What is checked here is the *file*: its fields, their types, and that every name it
uses (accounts, users, roles, groups, keys, actions) exists. What AWS itself checks
(a key policy's grammar, the lockout safety check) is left to the lab, which answers
the way AWS would.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from kmslab.engine.catalog import UnknownActionError, action_info

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_SOURCE_IP",
    "KEY_REFS",
    "EXPECTATIONS",
    "Account",
    "GrantSpec",
    "Group",
    "KeySpec",
    "RequestSpec",
    "Role",
    "Scenario",
    "ScenarioError",
    "User",
    "dump_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_to_dict",
    "shipped_scenarios",
    "substitute_key_refs",
]

VERSION = 1
DEFAULT_REGION = "us-east-1"
DEFAULT_SOURCE_IP = "192.0.2.10"  # TEST-NET-1 (RFC 5737)
KEY_REFS = ("arn", "id", "alias", "alias_arn")
EXPECTATIONS = ("allowed", "denied", "error")

Document = dict[str, Any]  # a policy document, as plain JSON-compatible data


# ---------------------------------------------------------------- the error


class ScenarioError(ValueError):
    """Anything wrong with a scenario file. `str()` is `FILE:LINE: message`."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def __reduce__(self):  # picklable despite the custom signature
        return (type(self), (self.path, self.line, self.message))


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


@dataclass(frozen=True)
class KeySpec:
    """A KMS key to build. `policy` None: the default key policy AWS applies."""

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

    def __post_init__(self) -> None:
        if not self.created_by:
            object.__setattr__(self, "created_by", root_arn(self.account))


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


# ---------------------------------------------------------------- YAML with line numbers


class _Map(dict):
    """A YAML mapping that remembers where it, its keys and its values start."""

    line: int = 0
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]

    def key_line(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: Any) -> int:
        return self.value_lines.get(key, self.line)


class _Seq(list):
    """A YAML sequence that remembers where it and each item start."""

    line: int = 0
    item_lines: list[int]

    def item_line(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


_MERGE = "tag:yaml.org,2002:merge"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
# Plain scalars read like YAML 1.2's core schema: only true/false are booleans (not
# yes/no/on/off), integers are decimal (or 0x/0o), and nothing is a timestamp, so
# `Version: 2012-10-17` stays the string IAM wants.
_INT_RE = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Loader(yaml.SafeLoader):
    """SafeLoader with line-tracking containers, core-schema scalars and no duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _BOOL, "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, _BOOL_RE, list("tTfF"))
_Loader.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)
    except ValueError:
        raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not an integer", node.start_mark) from None


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if not _BOOL_RE.match(text):
        raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not true or false", node.start_mark)
    return text.lower() == "true"


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = _line(node)
    data.key_lines, data.value_lines = {}, {}
    yield data
    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if key_node.tag != _MERGE and isinstance(key_node, yaml.ScalarNode):
            ident = (key_node.tag, key_node.value)
            if ident in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key_node.value!r} (first at line {seen[ident]})",
                    key_node.start_mark,
                )
            seen[ident] = _line(key_node)
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = _line(key_node)
        data.value_lines[key] = _line(value_node)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[_Seq]:
    data = _Seq()
    data.line = _line(node)
    data.item_lines = [_line(n) for n in node.value]
    yield data
    data.extend(loader.construct_object(n, deep=True) for n in node.value)


_Loader.add_constructor(_INT, _construct_int)
_Loader.add_constructor(_BOOL, _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


class _Dumper(yaml.SafeDumper):
    """Quotes every string that `_Loader` or any YAML 1.1 reader would take for another type."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))


class _Flow(dict):
    """A mapping dumped on one line, `{principal: ..., action: ...}`, like hand-written requests."""


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)
)


def _read_yaml(text: str, source: str) -> Any:
    if "\t" in text:
        # JSON allows tabs between tokens, YAML does not; a valid JSON text has no raw
        # tab inside a string, so expanding them keeps its meaning (and line numbers).
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            text = text.replace("\t", " ")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context not in problem:
            problem = f"{problem} ({exc.context})"
        raise ScenarioError(source, mark.line + 1 if mark else None, f"YAML syntax: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, None, f"YAML syntax: {exc}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ScenarioError(source, None, f"YAML syntax: {exc}") from None


# ---------------------------------------------------------------- field names

_SCENARIO_FIELDS = ("version", "name", "title", "region", "accounts", "keys", "requests")
_ACCOUNT_FIELDS = ("users", "groups", "roles", "policies", "scps")
_USER_FIELDS = ("managed_policies", "inline_policies", "groups", "permissions_boundary", "tags")
_GROUP_FIELDS = ("managed_policies", "inline_policies")
_ROLE_FIELDS = (
    "trust_policy",
    "managed_policies",
    "inline_policies",
    "permissions_boundary",
    "tags",
)
_KEY_FIELDS = (
    "account",
    "policy",
    "created_by",
    "bypass_lockout_check",
    "key_spec",
    "key_usage",
    "enabled",
    "aliases",
    "tags",
    "grants",
    "expect_error",
)
_GRANT_FIELDS = ("grantee", "operations", "constraints", "retiring_principal")
_CONSTRAINT_FIELDS = ("encryption_context_subset", "encryption_context_equals")
_REQUEST_FIELDS = (
    "principal",
    "action",
    "key",
    "key_ref",
    "destination_key",
    "encryption_context",
    "encryption_algorithm",
    "grant",
    "via_service",
    "source_ip",
    "mfa",
    "session_policy",
    "session_tags",
    "expect",
    "expect_error",
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_IAM_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
_KEY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,240}$")
_ALIAS_NAME = re.compile(r"^[A-Za-z0-9/_-]{1,250}$")
_ERROR_CODE = re.compile(r"^[A-Z][A-Za-z0-9]{0,99}$")
_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+$")
_SERVICE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")
_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::([^:]*):(.*)$")
_KEY_REF = re.compile(r"\$\{(key|key_id):([^}]*)\}")


@lru_cache(maxsize=1)
def _kms_enums() -> dict[str, tuple[str, ...]]:
    """Enumerations of the KMS API, from botocore's bundled service model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("kms")
    names = ("GrantOperation", "KeySpec", "KeyUsageType", "EncryptionAlgorithmSpec")
    return {name: tuple(model.shape_for(name).enum) for name in names}


def _closest(word: str, choices: Any) -> str | None:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word: str, choices: Any) -> str:
    close = _closest(word, choices)
    return f"; did you mean {close!r}?" if close else ""


def _kind(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


# ---------------------------------------------------------------- validation


class _Parser:
    """Turns the loaded YAML (with line numbers) into a Scenario, or raises ScenarioError."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.key_names: set[str] = set()
        self.accounts: dict[str, Account] = {}

    def fail(self, line: int | None, message: str) -> NoReturn:
        raise ScenarioError(self.source, line, message)

    # --- generic helpers -----------------------------------------------------------

    def mapping(self, value: Any, where: str, line: int, *, null_ok: bool = True) -> _Map:
        if value is None and null_ok:
            empty = _Map()
            empty.line, empty.key_lines, empty.value_lines = line, {}, {}
            return empty
        if not isinstance(value, _Map):
            self.fail(line, f"{where} must be a mapping, not {_kind(value)}")
        return value

    def fields(self, m: _Map, allowed: tuple[str, ...], where: str) -> None:
        for k in m:
            if k not in allowed:
                close = _closest(str(k), allowed)
                hint = f"; did you mean {close!r}?" if close else f" (fields: {', '.join(allowed)})"
                self.fail(m.key_line(k), f"unknown field {str(k)!r} in {where}{hint}")

    def string(self, m: _Map, key: str, where: str, *, required: bool = False) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                line = m.value_line(key) if key in m else m.line
                self.fail(line, f"{where} needs {key}:")
            return None
        if not isinstance(value, str):
            hint = f' (write it in quotes: {key}: "{value}")' if isinstance(value, (int, float)) else ""
            self.fail(m.value_line(key), f"{where}: {key} must be a string, not {_kind(value)}{hint}")
        if not value and required:
            self.fail(m.value_line(key), f"{where}: {key} must not be empty")
        return value

    def boolean(self, m: _Map, key: str, where: str, default: bool) -> bool:
        value = m.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(m.value_line(key), f"{where}: {key} must be true or false, not {_kind(value)}")
        return value

    def strings(self, m: _Map, key: str, where: str) -> tuple[tuple[str, int], ...]:
        """A list of strings (a single string is a list of one), with their lines."""
        value = m.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return ((value, m.value_line(key)),)
        if not isinstance(value, _Seq):
            self.fail(m.value_line(key), f"{where}: {key} must be a list of strings, not {_kind(value)}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                self.fail(
                    value.item_line(i),
                    f"{where}: {key} must contain only non-empty strings, not {_kind(item)}",
                )
            out.append((item, value.item_line(i)))
        return tuple(out)

    def string_map(self, m: _Map, key: str, where: str) -> dict[str, str] | None:
        """Tags, encryption contexts: a mapping of strings to strings."""
        if m.get(key) is None:
            return None
        value = self.mapping(m[key], f"{where}: {key}", m.value_line(key))
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                self.fail(
                    value.key_line(k),
                    f'{where}: {key}: the name {k!r} must be a string (write it in quotes: "{k}")',
                )
            if not isinstance(v, str):
                hint = f' (write it in quotes: {k}: "{str(v).lower() if isinstance(v, bool) else v}")'
                self.fail(
                    value.value_line(k),
                    f"{where}: {key}: the value of {k!r} must be a string, "
                    f"not {_kind(v)}{hint if v is not None else ''}",
                )
            out[k] = v
        return out

    def name(self, value: Any, line: int, what: str, pattern: re.Pattern[str], rule: str) -> str:
        if not isinstance(value, str):
            hint = f' (write it in quotes: "{value}")' if isinstance(value, (int, float)) else ""
            self.fail(line, f"{what} {value!r} must be a string{hint}")
        if not pattern.match(value):
            self.fail(line, f"{what} {value!r} is not valid: {rule}")
        return value

    # --- policy documents ------------------------------------------------------------

    def document(self, value: Any, where: str, line: int) -> Document | None:
        """A policy document: a mapping, or a string holding JSON. Its grammar is AWS's to judge."""
        if value is None:
            return None
        if isinstance(value, str):
            try:
                doc = json.loads(value, parse_constant=_reject_constant)
            except ValueError as exc:
                detail = (
                    f"{exc.msg} at line {exc.lineno} column {exc.colno}"
                    if isinstance(exc, json.JSONDecodeError)
                    else str(exc)
                )
                self.fail(line, f"{where} is a string but not valid JSON ({detail})")
            if not isinstance(doc, dict):
                self.fail(line, f"{where} must be a JSON object (a policy document), not {_kind(doc)}")
            self.check_refs(doc, where, line)
            return doc
        if not isinstance(value, _Map):
            self.fail(
                line,
                f"{where} must be a policy document (a mapping with Version and Statement), not {_kind(value)}",
            )
        return self.plain(value, where, line)

    def plain(self, value: Any, where: str, line: int) -> Any:
        """A plain JSON-compatible copy of a document, checking `${key:NAME}` references."""
        if isinstance(value, _Map):
            out = {}
            for k, v in value.items():
                if not isinstance(k, str):
                    self.fail(
                        value.key_line(k),
                        f'{where}: the name {k!r} must be a string (write it in quotes: "{k}")',
                    )
                self.check_refs(k, where, value.key_line(k))
                out[k] = self.plain(v, where, value.value_line(k))
            return out
        if isinstance(value, _Seq):
            return [self.plain(v, where, value.item_line(i)) for i, v in enumerate(value)]
        if isinstance(value, str):
            self.check_refs(value, where, line)
            return value
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(line, f"{where}: {value} is not a JSON number")
        if value is None or isinstance(value, (bool, int, float)):
            return value
        self.fail(line, f"{where}: {_kind(value)} is not a JSON value")

    def check_refs(self, value: Any, where: str, line: int) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self.check_refs(k, where, line)
                self.check_refs(v, where, line)
        elif isinstance(value, list):
            for v in value:
                self.check_refs(v, where, line)
        elif isinstance(value, str) and "${key" in value:
            for match in _KEY_REF.finditer(value):
                if match.group(2) not in self.key_names:
                    known = ", ".join(sorted(self.key_names)) or "none"
                    self.fail(
                        line,
                        f"{where}: {match.group(0)} names no key of this file"
                        f"{_did_you_mean(match.group(2), self.key_names)} (keys: {known})",
                    )

    def documents(self, m: _Map, key: str, where: str) -> dict[str, Document]:
        """A mapping of policy name -> document (inline policies, customer managed, SCPs)."""
        value = self.mapping(m.get(key), f"{where}: {key}", m.value_line(key))
        out = {}
        for name, doc in value.items():
            self.name(
                name,
                value.key_line(name),
                "policy name",
                _IAM_NAME,
                "use letters, digits and +=,.@_- (at most 128)",
            )
            if doc is None:
                self.fail(value.value_line(name), f"{where}: policy {name!r} has no document")
            out[name] = self.document(doc, f"{where}: policy {name!r}", value.value_line(name))
        return out

    # --- the scenario ------------------------------------------------------------------

    def scenario(self, data: Any) -> Scenario:
        if data is None:
            self.fail(1, "the file is empty: a scenario starts with `version: 1`")
        if not isinstance(data, _Map):
            self.fail(getattr(data, "line", 1), f"a scenario file must be a mapping, not {_kind(data)}")
        self.fields(data, _SCENARIO_FIELDS, "the scenario")
        if "version" not in data:
            self.fail(data.line, "the scenario needs `version: 1` (the scenario format version)")
        version = data["version"]
        if version != VERSION or isinstance(version, bool) or not isinstance(version, int):
            extra = " (this kmslab reads version 1 only)" if isinstance(version, int) and version > 1 else ""
            self.fail(data.value_line("version"), f"version must be 1, not {_kind(version)}{extra}")
        name = self.string(data, "name", "the scenario", required=True)
        if not _NAME.match(name):
            self.fail(
                data.value_line("name"),
                f"name {name!r} must use only lower-case letters, digits and '-' (like 'default-key-policy')",
            )
        title = self.string(data, "title", "the scenario")
        region = self.string(data, "region", "the scenario") or DEFAULT_REGION
        if not _REGION.match(region):
            self.fail(
                data.value_line("region"),
                f"region {region!r} is not an AWS Region name like us-east-1",
            )

        keys_raw = self.mapping(data.get("keys"), "keys", data.value_line("keys"))
        for key_name in keys_raw:
            self.name(
                key_name,
                keys_raw.key_line(key_name),
                "key name",
                _KEY_NAME,
                "use letters, digits, '_' and '-' (the lab also creates alias/<name>)",
            )
        self.key_names = set(keys_raw)

        if data.get("accounts") is None:
            self.fail(
                data.value_line("accounts") if "accounts" in data else data.line,
                'the scenario needs accounts: (at least one, e.g. "111122223333": {})',
            )
        accounts_raw = self.mapping(data["accounts"], "accounts", data.value_line("accounts"))
        if not accounts_raw:
            self.fail(accounts_raw.line, "accounts: must list at least one account")
        for account_id, raw in accounts_raw.items():
            account_id = self.account_id(account_id, accounts_raw.key_line(account_id), "account id")
            self.accounts[account_id] = self.account(account_id, raw, accounts_raw.value_line(account_id))
        for account_id in self.accounts:
            self.cross_check_account(account_id, accounts_raw[account_id])

        keys = {k: self.key(k, raw, keys_raw.key_line(k)) for k, raw in keys_raw.items()}
        self.check_aliases(keys, keys_raw)

        requests = None
        if "requests" in data and data["requests"] is not None:
            raw_requests = data["requests"]
            if not isinstance(raw_requests, _Seq):
                self.fail(
                    data.value_line("requests"),
                    f"requests must be a list, not {_kind(raw_requests)}",
                )
            requests = tuple(self.request(raw, raw_requests.item_line(i), i + 1) for i, raw in enumerate(raw_requests))
        return Scenario(
            version=VERSION,
            name=name,
            title=title,
            region=region,
            accounts=self.accounts,
            keys=keys,
            requests=requests,
        )

    def account_id(self, value: Any, line: int, what: str) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            digits = str(value).zfill(12) if 0 <= value < 10**12 else str(value)
            self.fail(line, f'{what} {value} is a YAML number: write account ids in quotes, as "{digits}"')
        if not isinstance(value, str) or not _ACCOUNT_ID.match(value):
            self.fail(line, f"{what} {value!r} must be 12 digits, in quotes")
        return value

    def account(self, account_id: str, raw: Any, line: int) -> Account:
        where = f'account "{account_id}"'
        m = self.mapping(raw, where, line)
        self.fields(m, _ACCOUNT_FIELDS, where)
        policies = self.documents(m, "policies", where)
        scps = None
        if m.get("scps") is not None:
            scps = self.documents(m, "scps", where)
            if not scps:
                self.fail(
                    m.value_line("scps"),
                    f"{where}: scps: lists no SCP; an account always has at least "
                    "one (omit scps: for no restriction, or list FullAWSAccess)",
                )
        users, groups, roles = {}, {}, {}
        raw_groups = self.mapping(m.get("groups"), f"{where}: groups", m.value_line("groups"))
        for name, g in raw_groups.items():
            self.name(
                name,
                raw_groups.key_line(name),
                "group name",
                _IAM_NAME,
                "use letters, digits and +=,.@_- (at most 128)",
            )
            gw = f"group {name!r} of {where}"
            gm = self.mapping(g, gw, raw_groups.value_line(name))
            self.fields(gm, _GROUP_FIELDS, gw)
            groups[name] = Group(
                managed_policies=self.managed(gm, gw),
                inline_policies=self.documents(gm, "inline_policies", gw),
            )
        raw_users = self.mapping(m.get("users"), f"{where}: users", m.value_line("users"))
        for name, u in raw_users.items():
            self.name(
                name,
                raw_users.key_line(name),
                "user name",
                _IAM_NAME,
                "use letters, digits and +=,.@_- (at most 64)",
            )
            uw = f"user {name!r} of {where}"
            um = self.mapping(u, uw, raw_users.value_line(name))
            self.fields(um, _USER_FIELDS, uw)
            users[name] = User(
                managed_policies=self.managed(um, uw),
                inline_policies=self.documents(um, "inline_policies", uw),
                groups=tuple(g for g, _ in self.strings(um, "groups", uw)),
                permissions_boundary=self.string(um, "permissions_boundary", uw),
                tags=self.string_map(um, "tags", uw) or {},
            )
        raw_roles = self.mapping(m.get("roles"), f"{where}: roles", m.value_line("roles"))
        for name, r in raw_roles.items():
            self.name(
                name,
                raw_roles.key_line(name),
                "role name",
                _IAM_NAME,
                "use letters, digits and +=,.@_- (at most 64)",
            )
            rw = f"role {name!r} of {where}"
            rm = self.mapping(r, rw, raw_roles.value_line(name))
            self.fields(rm, _ROLE_FIELDS, rw)
            roles[name] = Role(
                trust_policy=self.document(
                    rm.get("trust_policy"), f"{rw}: trust_policy", rm.value_line("trust_policy")
                ),
                managed_policies=self.managed(rm, rw),
                inline_policies=self.documents(rm, "inline_policies", rw),
                permissions_boundary=self.string(rm, "permissions_boundary", rw),
                tags=self.string_map(rm, "tags", rw) or {},
            )
        return Account(users=users, groups=groups, roles=roles, policies=policies, scps=scps)

    def managed(self, m: _Map, where: str) -> tuple[str, ...]:
        """Managed policy names: AWS managed, under `policies:`, or ARNs (the lab resolves names)."""
        out = []
        for value, line in self.strings(m, "managed_policies", where):
            if value.startswith("arn:"):
                if not _POLICY_ARN.match(value):
                    self.fail(
                        line,
                        f"{where}: {value!r} is not a policy ARN "
                        "(arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)",
                    )
            elif not _IAM_NAME.match(value):
                self.fail(line, f"{where}: managed policy name {value!r} is not valid")
            out.append(value)
        return tuple(out)

    def cross_check_account(self, account_id: str, raw: Any) -> None:
        """Names that must exist inside the account: users' groups, permissions boundaries."""
        account = self.accounts[account_id]
        m = raw if isinstance(raw, _Map) else None
        for kind, entities in (("users", account.users), ("roles", account.roles)):
            raw_entities = m.get(kind) if m is not None else None
            for name, entity in entities.items():
                em = raw_entities[name] if isinstance(raw_entities, _Map) else None
                em = em if isinstance(em, _Map) else None
                where = f'{kind[:-1]} {name!r} of account "{account_id}"'
                boundary = entity.permissions_boundary
                if boundary is not None and not boundary.startswith("arn:"):
                    if boundary not in account.policies:
                        known = ", ".join(account.policies) or "none"
                        self.fail(
                            em.value_line("permissions_boundary") if em else None,
                            f"{where}: permissions boundary {boundary!r} is not under this account's "
                            f"policies: (policies: {known}){_did_you_mean(boundary, account.policies)}; "
                            "for an AWS managed policy give its ARN, arn:aws:iam::aws:policy/NAME",
                        )
                elif boundary is not None and not _POLICY_ARN.match(boundary):
                    self.fail(
                        em.value_line("permissions_boundary") if em else None,
                        f"{where}: permissions boundary {boundary!r} is not a policy ARN",
                    )
                if kind == "users" and em is not None:
                    for group, line in self.strings(em, "groups", where):
                        if group not in account.groups:
                            self.fail(
                                line,
                                f"{where}: group {group!r} is not under this account's groups:"
                                f"{_did_you_mean(group, account.groups)}",
                            )

    # --- principals --------------------------------------------------------------------

    def principal(self, arn: str, line: int, where: str, *, account: str | None = None) -> tuple[str, str, str]:
        """Check a principal ARN of the scenario; return (kind, account, name-or-role).

        kind is root | user | role | session; the principal must exist in the file.
        """
        example = (
            "arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME, "
            "arn:aws:iam::ACCOUNT:root or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"
        )
        match = _PRINCIPAL_ARN.match(arn)
        if not match:
            self.fail(line, f"{where}: {arn!r} is not a principal ARN ({example})")
        service, account_id, resource = match.groups()
        if not _ACCOUNT_ID.match(account_id):
            self.fail(line, f"{where}: {arn!r}: the account id must be 12 digits")
        if account is not None and account_id != account:
            self.fail(line, f"{where}: {arn!r} is not in account {account}")
        if account_id not in self.accounts:
            self.fail(line, f"{where}: account {account_id} of {arn!r} is not under accounts:")
        acct = self.accounts[account_id]
        if service == "iam" and resource == "root":
            return "root", account_id, ""
        if service == "iam" and resource.startswith("user/"):
            name = resource.split("/")[-1]
            if name not in acct.users:
                self.fail(
                    line,
                    f"{where}: user {name!r} is not under the users: of account {account_id}"
                    f"{_did_you_mean(name, acct.users)}",
                )
            return "user", account_id, name
        if service == "iam" and resource.startswith("role/"):
            name = resource.split("/")[-1]
            if name not in acct.roles:
                self.fail(
                    line,
                    f"{where}: role {name!r} is not under the roles: of account {account_id}"
                    f"{_did_you_mean(name, acct.roles)}",
                )
            return "role", account_id, name
        if service == "sts" and resource.startswith("assumed-role/"):
            parts = resource.split("/")
            if len(parts) != 3 or not parts[1] or not parts[2]:
                self.fail(line, f"{where}: {arn!r} must be arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION")
            if parts[1] not in acct.roles:
                self.fail(
                    line,
                    f"{where}: role {parts[1]!r} of this session is not under the roles: of "
                    f"account {account_id}{_did_you_mean(parts[1], acct.roles)}",
                )
            return "session", account_id, parts[1]
        self.fail(line, f"{where}: {arn!r} is not a principal kmslab can be ({example})")

    # --- keys ------------------------------------------------------------------------

    def key(self, key_name: str, raw: Any, line: int) -> KeySpec:
        """One key; `line` is where its name is."""
        where = f"key {key_name!r}"
        m = self.mapping(raw, where, line)
        self.fields(m, _KEY_FIELDS, where)
        if m.get("account") is None:
            self.fail(
                m.value_line("account") if "account" in m else line,
                f'{where} needs account: (the id of the account that owns it, e.g. "111122223333")',
            )
        account = self.account_id(m["account"], m.value_line("account"), f"{where}: account")
        if account not in self.accounts:
            self.fail(
                m.value_line("account"),
                f"{where}: account {account} is not under accounts:{_did_you_mean(account, self.accounts)}",
            )
        created_by = self.string(m, "created_by", where)
        if created_by is not None:
            self.principal(created_by, m.value_line("created_by"), f"{where}: created_by", account=account)
        policy = self.document(m.get("policy"), f"{where}: policy", m.value_line("policy"))
        enums = _kms_enums()
        key_spec = self.enum(m, "key_spec", where, enums["KeySpec"])
        key_usage = self.enum(m, "key_usage", where, enums["KeyUsageType"])
        aliases = []
        for alias, alias_line in self.strings(m, "aliases", where):
            alias = alias.removeprefix("alias/")
            if not _ALIAS_NAME.match(alias) or alias.startswith("aws/"):
                self.fail(
                    alias_line,
                    f"{where}: alias {alias!r} is not valid: use letters, digits, '/', '_' "
                    "and '-', not starting with aws/",
                )
            aliases.append(alias)
        grants_raw = m.get("grants")
        grants: list[GrantSpec] = []
        if grants_raw is not None:
            if not isinstance(grants_raw, _Seq):
                self.fail(
                    m.value_line("grants"),
                    f"{where}: grants must be a list, not {_kind(grants_raw)}",
                )
            for i, g in enumerate(grants_raw):
                grants.append(self.grant(g, grants_raw.item_line(i), f"{where}: grant #{i + 1}", strict=True))
        expect_error = self.error_code(m, "expect_error", where)
        return KeySpec(
            account=account,
            policy=policy,
            created_by=created_by or root_arn(account),
            bypass_lockout_check=self.boolean(m, "bypass_lockout_check", where, False),
            key_spec=key_spec,
            key_usage=key_usage,
            enabled=self.boolean(m, "enabled", where, True),
            aliases=tuple(aliases),
            tags=self.string_map(m, "tags", where) or {},
            grants=tuple(grants),
            expect_error=expect_error,
        )

    def enum(self, m: _Map, key: str, where: str, choices: tuple[str, ...]) -> str | None:
        value = self.string(m, key, where)
        if value is not None and value not in choices:
            self.fail(
                m.value_line(key),
                f"{where}: {key} {value!r} is not one of AWS's values"
                f"{_did_you_mean(value, choices)} ({', '.join(choices)})",
            )
        return value

    def error_code(self, m: _Map, key: str, where: str) -> str | None:
        value = self.string(m, key, where)
        if value is not None and not _ERROR_CODE.match(value):
            self.fail(
                m.value_line(key),
                f"{where}: {key} {value!r} must be an AWS error code, like NotFoundException",
            )
        return value

    def check_aliases(self, keys: dict[str, KeySpec], keys_raw: _Map) -> None:
        seen: dict[tuple[str, str], str] = {}
        for key_name, spec in keys.items():
            raw = keys_raw[key_name]
            raw_aliases = raw.get("aliases") if isinstance(raw, _Map) else None
            lines = [keys_raw.key_line(key_name)]
            if isinstance(raw_aliases, _Seq):
                lines += [raw_aliases.item_line(i) for i in range(len(spec.aliases))]
            elif isinstance(raw, _Map):
                lines += [raw.value_line("aliases")] * len(spec.aliases)
            for alias, line in zip((key_name, *spec.aliases), lines, strict=True):
                owner = seen.get((spec.account, alias))
                if owner is not None:
                    self.fail(
                        line,
                        f"key {key_name!r}: alias/{alias} is already the alias of key {owner!r} "
                        f"in account {spec.account} (alias names are unique in an account and Region)",
                    )
                seen[(spec.account, alias)] = key_name

    def grant(self, raw: Any, line: int, where: str, *, strict: bool) -> GrantSpec:
        """A grant of a key (strict: AWS's operation names), or CreateGrant request parameters."""
        m = self.mapping(raw, where, line, null_ok=False)
        self.fields(m, _GRANT_FIELDS, where)
        grantee = self.string(m, "grantee", where, required=True)
        ops = self.strings(m, "operations", where)
        if not ops:
            self.fail(
                m.value_line("operations") if "operations" in m else m.line,
                f"{where} needs operations: (e.g. [Decrypt, GenerateDataKey])",
            )
        operations = []
        for op, op_line in ops:
            if strict:
                op = op.removeprefix("kms:")
                valid = _kms_enums()["GrantOperation"]
                if op not in valid:
                    self.fail(
                        op_line,
                        f"{where}: {op!r} is not a grant operation{_did_you_mean(op, valid)}",
                    )
            operations.append(op)
        retiring = self.string(m, "retiring_principal", where)
        if strict:
            self.grant_principal(grantee, m.value_line("grantee"), f"{where}: grantee")
            if retiring is not None:
                self.grant_principal(retiring, m.value_line("retiring_principal"), f"{where}: retiring_principal")
        subset = equals = None
        if m.get("constraints") is not None:
            cw = f"{where}: constraints"
            cm = self.mapping(m["constraints"], cw, m.value_line("constraints"))
            self.fields(cm, _CONSTRAINT_FIELDS, cw)
            subset = self.string_map(cm, "encryption_context_subset", cw)
            equals = self.string_map(cm, "encryption_context_equals", cw)
        return GrantSpec(
            grantee=grantee,
            operations=tuple(operations),
            encryption_context_subset=subset,
            encryption_context_equals=equals,
            retiring_principal=retiring,
        )

    def grant_principal(self, arn: str, line: int, where: str) -> None:
        """A grantee or retiring principal: any principal ARN; if its account is in the file,
        the user or role must be too."""
        match = _PRINCIPAL_ARN.match(arn)
        if match and match.group(2) in self.accounts:
            self.principal(arn, line, where)
        elif not match or not _ACCOUNT_ID.match(match.group(2)):
            self.fail(
                line,
                f"{where}: {arn!r} is not a principal ARN "
                "(arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME, ...)",
            )

    # --- requests ----------------------------------------------------------------------

    def request(self, raw: Any, line: int, number: int) -> RequestSpec:
        where = f"request #{number}"
        m = self.mapping(raw, where, line, null_ok=False)
        self.fields(m, _REQUEST_FIELDS, where)
        principal = self.string(m, "principal", where, required=True)
        kind, _, _ = self.principal(principal, m.value_line("principal"), f"{where}: principal")
        action_raw = self.string(m, "action", where, required=True)
        try:
            info = action_info(action_raw)
        except UnknownActionError as exc:
            self.fail(m.value_line("action"), f"{where}: {exc}")
        key = self.key_ref_name(m, "key", where)
        destination = self.key_ref_name(m, "destination_key", where)
        if info.takes_key and key is None:
            self.fail(
                m.line,
                f"{where}: {info.name} needs a key: add key: (one of {', '.join(sorted(self.key_names))})"
                if self.key_names
                else f"{where}: {info.name} needs a key, and this file has no keys:",
            )
        if not info.takes_key and key is not None:
            self.fail(
                m.value_line("key"),
                f"{where}: {info.name} has no key resource (IAM alone decides it): remove key:",
            )
        if destination is not None and info.name != "kms:ReEncryptFrom":
            self.fail(
                m.value_line("destination_key"),
                f"{where}: destination_key is for ReEncrypt: write its action as kms:ReEncryptFrom",
            )
        key_ref = self.string(m, "key_ref", where) or "arn"
        if key_ref not in KEY_REFS:
            self.fail(
                m.value_line("key_ref"),
                f"{where}: key_ref {key_ref!r} must be one of {', '.join(KEY_REFS)}{_did_you_mean(key_ref, KEY_REFS)}",
            )
        if "key_ref" in m and key is None:
            self.fail(m.value_line("key_ref"), f"{where}: key_ref needs a key:")
        algorithm = self.string(m, "encryption_algorithm", where)
        algorithms = _kms_enums()["EncryptionAlgorithmSpec"]
        if algorithm is not None and algorithm not in algorithms:
            self.fail(
                m.value_line("encryption_algorithm"),
                f"{where}: encryption_algorithm {algorithm!r} is not one of AWS's values"
                f"{_did_you_mean(algorithm, algorithms)} ({', '.join(algorithms)})",
            )
        grant = None
        if m.get("grant") is not None:
            grant = self.grant(m["grant"], m.value_line("grant"), f"{where}: grant", strict=False)
        via_service = self.string(m, "via_service", where)
        if via_service is not None and not _SERVICE.match(via_service):
            self.fail(
                m.value_line("via_service"),
                f"{where}: via_service {via_service!r} must be a service "
                "endpoint name like ec2.us-east-1.amazonaws.com",
            )
        source_ip = self.string(m, "source_ip", where) or DEFAULT_SOURCE_IP
        try:
            ipaddress.ip_address(source_ip)
        except ValueError:
            self.fail(m.value_line("source_ip"), f"{where}: source_ip {source_ip!r} is not an IP address")
        session_policy = self.document(
            m.get("session_policy"), f"{where}: session_policy", m.value_line("session_policy")
        )
        session_tags = self.string_map(m, "session_tags", where)
        for field_name, value in (
            ("session_policy", session_policy),
            ("session_tags", session_tags),
        ):
            if value is not None and kind not in ("role", "session"):
                self.fail(
                    m.value_line(field_name),
                    f"{where}: {field_name} is for role sessions only (a role/... or assumed-role/... principal)",
                )
        expect = self.string(m, "expect", where)
        if expect is not None and expect not in EXPECTATIONS:
            self.fail(
                m.value_line("expect"),
                f"{where}: expect {expect!r} must be allowed, denied or error{_did_you_mean(expect, EXPECTATIONS)}",
            )
        expect_error = self.error_code(m, "expect_error", where)
        if expect_error is not None and expect != "error":
            self.fail(m.value_line("expect_error"), f"{where}: expect_error goes with expect: error")
        if expect_error == "AccessDeniedException":
            self.fail(
                m.value_line("expect_error"),
                f"{where}: AccessDeniedException is a denial: write expect: denied instead",
            )
        return RequestSpec(
            principal=principal,
            action=info.name,
            key=key,
            key_ref=key_ref,
            destination_key=destination,
            encryption_context=self.string_map(m, "encryption_context", where),
            encryption_algorithm=algorithm,
            grant=grant,
            via_service=via_service,
            source_ip=source_ip,
            mfa=self.boolean(m, "mfa", where, False),
            session_policy=session_policy,
            session_tags=session_tags or {},
            expect=expect,
            expect_error=expect_error,
            line=line,
        )

    def key_ref_name(self, m: _Map, field_name: str, where: str) -> str | None:
        name = self.string(m, field_name, where)
        if name is not None and name not in self.key_names:
            known = ", ".join(sorted(self.key_names)) or "none"
            self.fail(
                m.value_line(field_name),
                f"{where}: {field_name} {name!r} is not a key of this file"
                f"{_did_you_mean(name, self.key_names)} (keys: {known})",
            )
        return name


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# ---------------------------------------------------------------- public functions


def parse_scenario(text: str, *, source: str = "<string>") -> Scenario:
    """Parse the text of a scenario file (YAML or JSON); raise ScenarioError."""
    data = _read_yaml(text, source)
    try:
        return _Parser(source).scenario(data)
    except RecursionError:
        raise ScenarioError(source, None, "the file nests too deeply (or an anchor refers to itself)") from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; raise ScenarioError."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, None, f"cannot read the file: {exc}") from None
    return dataclasses.replace(parse_scenario(text, source=str(path)), path=str(path))


def shipped_scenarios() -> dict[str, Path]:
    """The teaching scenarios that come with kmslab: name (file stem) -> path."""
    folder = resources.files("kmslab").joinpath("scenarios")
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".yaml", ".yml", ".json"))
    }


def substitute_key_refs(document: Any, arns: Mapping[str, str], ids: Mapping[str, str]) -> Any:
    """A copy of `document` with `${key:NAME}` -> arns[NAME] and `${key_id:NAME}` -> ids[NAME]
    in every string (mapping names included). A NAME missing from the mapping (a key that
    failed to build) is left as written; other `${...}` (IAM policy variables) are untouched."""

    def replace(match: re.Match[str]) -> str:
        table = arns if match.group(1) == "key" else ids
        return table.get(match.group(2), match.group(0))

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _KEY_REF.sub(replace, value) if "${key" in value else value
        if isinstance(value, Mapping):
            return {walk(k): walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return value

    return walk(document)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data in the file format (defaults left out)."""
    out: dict[str, Any] = {"version": scenario.version, "name": scenario.name}
    if scenario.title is not None:
        out["title"] = scenario.title
    out["region"] = scenario.region
    out["accounts"] = {aid: _account_dict(a) for aid, a in scenario.accounts.items()}
    if scenario.keys:
        out["keys"] = {name: _key_dict(k) for name, k in scenario.keys.items()}
    if scenario.requests is not None:
        out["requests"] = [_request_dict(r) for r in scenario.requests]
    return out


def _flow_requests(data: dict[str, Any]) -> dict[str, Any]:
    """Requests without a policy document read best on one line each."""
    if data.get("requests"):
        data = {**data, "requests": [r if "session_policy" in r else _Flow(r) for r in data["requests"]]}
    return data


def dump_scenario(scenario: Scenario) -> str:
    """YAML text of the scenario that loads back to an equal Scenario."""
    title = scenario.title
    header = f"# {title}\n" if title and title.isprintable() else ""  # a comment holds no control chars
    body = yaml.dump(
        _flow_requests(scenario_to_dict(scenario)),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
    )
    return header + body


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _put(out: dict[str, Any], name: str, value: Any) -> None:
    if value:
        out[name] = _copy(value)


def _account_dict(a: Account) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if a.users:
        out["users"] = {}
        for name, u in a.users.items():
            d: dict[str, Any] = {}
            _put(d, "managed_policies", list(u.managed_policies))
            _put(d, "inline_policies", u.inline_policies)
            _put(d, "groups", list(u.groups))
            if u.permissions_boundary is not None:
                d["permissions_boundary"] = u.permissions_boundary
            _put(d, "tags", u.tags)
            out["users"][name] = d
    if a.groups:
        out["groups"] = {}
        for name, g in a.groups.items():
            d = {}
            _put(d, "managed_policies", list(g.managed_policies))
            _put(d, "inline_policies", g.inline_policies)
            out["groups"][name] = d
    if a.roles:
        out["roles"] = {}
        for name, r in a.roles.items():
            d = {}
            if r.trust_policy is not None:
                d["trust_policy"] = _copy(r.trust_policy)
            _put(d, "managed_policies", list(r.managed_policies))
            _put(d, "inline_policies", r.inline_policies)
            if r.permissions_boundary is not None:
                d["permissions_boundary"] = r.permissions_boundary
            _put(d, "tags", r.tags)
            out["roles"][name] = d
    _put(out, "policies", a.policies)
    if a.scps is not None:
        out["scps"] = _copy(a.scps)
    return out


def _grant_dict(g: GrantSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"grantee": g.grantee, "operations": list(g.operations)}
    constraints = {}
    if g.encryption_context_subset is not None:
        constraints["encryption_context_subset"] = dict(g.encryption_context_subset)
    if g.encryption_context_equals is not None:
        constraints["encryption_context_equals"] = dict(g.encryption_context_equals)
    if constraints:
        out["constraints"] = constraints
    if g.retiring_principal is not None:
        out["retiring_principal"] = g.retiring_principal
    return out


def _key_dict(k: KeySpec) -> dict[str, Any]:
    out: dict[str, Any] = {"account": k.account}
    if k.policy is not None:
        out["policy"] = _copy(k.policy)
    if k.created_by != root_arn(k.account):
        out["created_by"] = k.created_by
    if k.bypass_lockout_check:
        out["bypass_lockout_check"] = True
    if k.key_spec is not None:
        out["key_spec"] = k.key_spec
    if k.key_usage is not None:
        out["key_usage"] = k.key_usage
    if not k.enabled:
        out["enabled"] = False
    _put(out, "aliases", list(k.aliases))
    _put(out, "tags", k.tags)
    if k.grants:
        out["grants"] = [_grant_dict(g) for g in k.grants]
    if k.expect_error is not None:
        out["expect_error"] = k.expect_error
    return out


def _request_dict(r: RequestSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"principal": r.principal, "action": r.action}
    if r.key is not None:
        out["key"] = r.key
        if r.key_ref != "arn":
            out["key_ref"] = r.key_ref
    for name in ("destination_key", "encryption_context", "encryption_algorithm"):
        value = getattr(r, name)
        if value is not None:
            out[name] = _copy(value)
    if r.grant is not None:
        out["grant"] = _grant_dict(r.grant)
    if r.via_service is not None:
        out["via_service"] = r.via_service
    if r.source_ip != DEFAULT_SOURCE_IP:
        out["source_ip"] = r.source_ip
    if r.mfa:
        out["mfa"] = True
    if r.session_policy is not None:
        out["session_policy"] = _copy(r.session_policy)
    _put(out, "session_tags", r.session_tags)
    if r.expect is not None:
        out["expect"] = r.expect
    if r.expect_error is not None:
        out["expect_error"] = r.expect_error
    return out
