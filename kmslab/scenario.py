"""The kmslab scenario file, version 1: load, validate and dump it.

The format is a public interface, specified in `shared/scenario-format.md`. A file
becomes a frozen `Scenario`; anything wrong with it raises `ScenarioError`, whose
text is `FILE:LINE: message`, so a workshop author can jump straight to the line.

What is checked here is the *file*. Its structure and types are checked against the
published JSON Schema, `kmslab/scenario.schema.json` (the one editors use); what a schema
cannot say is checked in Python: that every name the file uses (accounts, users, roles,
groups, keys, actions) exists, and the references between them. What AWS itself checks
(a key policy's grammar, the lockout safety check) is left to the lab, which answers the
way AWS would. A file can ask for no more than the limits below (size, aliases, nesting,
values, requests), so loading any file takes bounded time and memory.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from kmslab.engine.catalog import STANDARD_ACTIONS, UnknownActionError, action_info

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_SOURCE_IP",
    "KEY_REFS",
    "EXPECTATIONS",
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_REQUESTS",
    "MAX_SETUP_OBJECTS",
    "MAX_VALUES",
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
    "scenario_schema",
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

# What a scenario file may ask for. The largest shipped scenario is about 10 KB, 700 values deep
# at most 9 levels, with 60 requests; these leave room for a whole workshop, and keep any file
# (an alias bomb, /dev/zero, a policy nested a million levels) to seconds and megabytes.
MAX_FILE_BYTES = 1_000_000  # the file's size, in bytes (characters for parse_scenario's text)
MAX_ALIASES = 1_000  # YAML aliases (*name)
MAX_DEPTH = 64  # mappings and lists nested in one another, after aliases are expanded
MAX_VALUES = 100_000  # values (scalars, mappings, lists), after aliases are expanded
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


def _printable(text: str) -> str:
    """`text` with control characters escaped (NUL, ESC...): what a file says never drives the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1] if m.group() != "\\" else m.group(), text)


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


class _TooMuch(Exception):
    """The file asks for more than a limit allows (raised while reading it)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Loader(yaml.SafeLoader):
    """SafeLoader with line-tracking containers, core-schema scalars, no duplicate keys, and
    limits: aliases, nesting and the values a document expands to are counted on the node
    graph, before any Python object is built."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _TooMuch(_line(self.peek_event()), f"more than {MAX_ALIASES:,} aliases (*name): the limit")
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooMuch(_line(self.peek_event()), f"nests deeper than {MAX_DEPTH} levels (the limit)")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            _measure(node, {}, set())
        return node


def _measure(node: yaml.Node, sizes: dict[int, tuple[int, int]], open_: set[int]) -> tuple[int, int]:
    """(values, depth) of `node` with every alias expanded; raise _TooMuch past the limits.
    Memoized per node, so a bomb of nested aliases costs as little as it is written."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise _TooMuch(_line(node), "an anchor refers to itself (a recursive structure)")
    values, depth = 1, 0
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
        open_.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        for child in children:
            child_values, child_depth = _measure(child, sizes, open_)
            values, depth = values + child_values, max(depth, child_depth)
            if values > MAX_VALUES:
                raise _TooMuch(_line(node), f"expands to more than {MAX_VALUES:,} values (the limit)")
        depth += 1
        if depth > MAX_DEPTH:
            raise _TooMuch(_line(node), f"nests deeper than {MAX_DEPTH} levels (the limit), aliases expanded")
        open_.discard(key)
    sizes[key] = values, depth
    return values, depth


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
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(source, None, f"the file is larger than {MAX_FILE_BYTES:,} characters (the limit)")
    if "\t" in text:
        # JSON allows tabs between tokens, YAML does not; a valid JSON text has no raw
        # tab inside a string, so expanding them keeps its meaning (and line numbers).
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            text = text.replace("\t", " ")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _TooMuch as exc:
        raise ScenarioError(source, exc.line, f"the file {exc.message}") from None
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


# ---------------------------------------------------------------- the schema

_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::([^:]*):(.*)$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_KEY_REF = re.compile(r"\$\{(key|key_id):([^}]*)\}")
# Words for a field a file omits (the schema says *that* it is required; these say what to write).
_NEEDS = {
    "version": "`version: 1` (the scenario format version)",
    "accounts": 'accounts: (at least one, e.g. "111122223333": {})',
    "account": 'account: (the id of the account that owns it, e.g. "111122223333")',
    "operations": "operations: (e.g. [Decrypt, GenerateDataKey])",
}
_AT_LEAST_ONE = {
    "accounts": "accounts: must list at least one account",
    "scps": "scps: lists no SCP; an account always has at least one (omit scps: for no restriction, "
    "or list FullAWSAccess)",
}


@lru_cache(maxsize=1)
def scenario_schema() -> dict[str, Any]:
    """The published JSON Schema of the scenario format (kmslab/scenario.schema.json)."""
    return json.loads(resources.files("kmslab").joinpath("scenario.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(scenario_schema())


def _defs() -> dict[str, Any]:
    return scenario_schema()["definitions"]


def _closest(word: str, choices: Any) -> str | None:
    close = difflib.get_close_matches(str(word)[:200], [str(c) for c in choices], n=1, cutoff=0.6)
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
        return f"the string {_short(value)!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


def _quote_hint(field: Any, value: Any) -> str:
    """How to write a YAML number or boolean as the string a field wants."""
    if not isinstance(value, (bool, int, float)):
        return ""
    text = str(value).lower() if isinstance(value, bool) else value
    return f' (write it in quotes: {field}: "{text}")' if field is not None else f' (write it in quotes: "{text}")'


def _describe(path: Sequence[Any]) -> str:
    """Words for the thing at `path`: `user 'alice' of account "111122223333"`, `request #2: grant`."""
    p = list(path)
    if not p:
        return "the scenario"
    head, rest = "", p
    if p[0] == "accounts" and len(p) >= 2:
        head, rest = f'account "{p[1]}"', p[2:]
        if len(rest) >= 2 and rest[0] in ("users", "groups", "roles"):
            head, rest = f"{rest[0][:-1]} {rest[1]!r} of {head}", rest[2:]
    elif p[0] == "keys" and len(p) >= 2:
        head, rest = f"key {p[1]!r}", p[2:]
        if len(rest) >= 2 and rest[0] == "grants":
            head, rest = f"{head}: grant #{rest[1] + 1}", rest[2:]
    elif p[0] == "requests" and len(p) >= 2:
        head, rest = f"request #{p[1] + 1}", p[2:]
    if len(rest) >= 2 and rest[0] in ("policies", "scps", "inline_policies"):
        head, rest = f"{head}: policy {rest[1]!r}", rest[2:]
    for part in rest:
        head = f"{head}: {part}" if head else str(part)
    return head


def _names_a_thing(path: Sequence[Any]) -> bool:
    """Whether the last part of `path` is a name (request #1, key 'demo', policy 'P') rather than a field."""
    n = len(path)
    return (
        (n == 2 and path[0] in ("accounts", "keys", "requests"))
        or (n == 4 and path[0] == "accounts" and path[2] in ("users", "groups", "roles", "policies", "scps"))
        or (n == 4 and path[0] == "keys" and path[2] == "grants")
        or (n >= 2 and path[-2] == "inline_policies")
    )


def _line_of(data: Any, path: Sequence[Any], *, key: bool = False) -> int | None:
    """The line of the value at `path` (of its key, with `key`) in the loaded YAML."""
    node, line = data, getattr(data, "line", 1)
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, _Map) and part in node:
            line = node.key_line(part) if (key and last) else node.value_line(part)
        elif isinstance(node, _Seq) and isinstance(part, int) and part < len(node):
            line = node.item_line(part)
        else:
            break
        node = node[part]
    return line


def _schema_error(error: Any, data: Any, source: str) -> ScenarioError:
    """Today's words for one jsonschema error, at the line of the value it is about."""
    path, value, schema, kind = list(error.path), error.instance, error.schema, error.validator
    field = path[-1] if path else None
    item = isinstance(field, int) and not _names_a_thing(path)  # an item of a list of strings
    subject = _describe(path[:-1] if item else path)  # what the sentence is about
    owner = _describe(path[:-2] if item else path[:-1]) if path else ""  # what holds it
    line = _line_of(data, path)

    def fail(message: str, at: int | None = line) -> ScenarioError:
        return ScenarioError(source, at, message)

    in_names = "propertyNames" in error.relative_schema_path
    if in_names:  # a name that is a key of a mapping: a user name, an account id, a tag name...
        at = _line_of(data, [*path, value], key=True)
        if kind == "type":
            if schema is _defs()["accountId"] and isinstance(value, int):
                digits = str(value).zfill(12) if 0 <= value < 10**12 else str(value)
                return fail(f'account id {value} is a YAML number: write account ids in quotes, as "{digits}"', at)
            noun = schema.get("title")
            where = f"{noun} {value!r}" if noun else f"{_describe(path)}: the name {value!r}"
            return fail(f'{where} must be a string (write it in quotes: "{value}")', at)
        rule = schema.get("patternErrorMessage", "is not valid")
        return fail(f"{schema.get('title', 'name')} {_short(value)!r} {rule}", at)
    if kind == "additionalProperties":
        extras = [k for k in value if k not in schema.get("properties", {})]
        first = min(extras, key=lambda k: _line_of(data, [*path, k], key=True) or 0)
        allowed = list(schema.get("properties", {}))
        close = _closest(str(first), allowed)
        hint = f"; did you mean {close!r}?" if close else f" (fields: {', '.join(allowed)})"
        return fail(f"unknown field {_short(str(first))!r} in {_describe(path)}{hint}",
                    _line_of(data, [*path, first], key=True))
    if kind == "required":
        missing = next(f for f in error.validator_value if f not in value)
        at = _line_of(data, path, key=True) if path else getattr(data, "line", 1)
        return fail(f"{_describe(path)} needs {_NEEDS.get(missing, missing + ':')}", at)
    if kind == "type" and value is None and (field in _NEEDS or field in ("name", "grantee", "principal", "action")):
        return fail(f"{owner} needs {_NEEDS.get(field, f'{field}:')}")
    if kind == "type" and value is None and schema is _defs()["key"]:
        return fail(f"{_describe(path)} needs {_NEEDS['account']}")
    if kind == "type":
        if schema is _defs()["accountId"] and isinstance(value, int) and not isinstance(value, bool):
            digits = str(value).zfill(12) if 0 <= value < 10**12 else str(value)
            return fail(f'{subject} {value} is a YAML number: write account ids in quotes, as "{digits}"')
        if schema is _defs()["mapValue"]:
            return fail(f"{_describe(path[:-1])}: the value of {field!r} must be a string, not {_kind(value)}"
                        f"{_quote_hint(field, value)}")
        if item and schema.get("type") == "string":
            return fail(f"{subject} must contain only non-empty strings, not {_kind(value)}")
        if schema is _defs()["policyDocument"] and value is None:
            return fail(f"{subject} has no document")
        if schema is _defs()["policyDocument"] or schema is _defs()["optionalPolicyDocument"]:
            return fail(f"{subject} must be {schema['title']}, not {_kind(value)}")
        types = [t for t in ([schema["type"]] if isinstance(schema["type"], str) else schema["type"]) if t != "null"]
        words = {"string": "a string", "boolean": "true or false", "object": "a mapping", "array": "a list"}
        wanted = "a list of strings" if set(types) == {"array", "string"} else words.get(types[0], types[0])
        hint = _quote_hint(None if item else field, value) if wanted == "a string" else ""
        return fail(f"{subject} must be {wanted}, not {_kind(value)}{hint}")
    if kind == "minLength":
        if item:
            return fail(f"{subject} must contain only non-empty strings, not {_kind(value)}")
        return fail(f"{subject} must not be empty")
    if kind == "minItems":
        return fail(f"{owner} needs {_NEEDS.get(field, f'{field}:')}")
    if kind == "minProperties":
        return fail(f"{owner}: {_AT_LEAST_ONE[field]}" if len(path) > 1 else _AT_LEAST_ONE[field])
    if kind == "pattern":
        noun = schema.get("title")
        text = f"{noun} {_short(value)!r}" if noun else repr(_short(value))
        lead = f"{owner}: " if len(path) > (2 if item else 1) else ""
        return fail(f"{lead}{text} {schema.get('patternErrorMessage', 'is not valid')}")
    if kind == "enum":
        choices = [c for c in error.validator_value if c is not None]
        dym = _did_you_mean(value, choices) if isinstance(value, str) else ""
        if "title" in schema:
            return fail(f"{subject} {_short(str(value))!r} is not {schema['title']}{dym} ({', '.join(choices)})")
        options = f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) <= 3 else f"one of {', '.join(choices)}"
        return fail(f"{subject} {_short(str(value))!r} must be {options}{dym}")
    if kind == "const":
        extra = " (this kmslab reads version 1 only)" if isinstance(value, int) and value > 1 else ""
        return fail(f"{subject} must be {error.validator_value}, not {_kind(value)}{extra}")
    return fail(f"{subject}: {error.message}")


def _validate(data: Any, source: str) -> None:
    """Check the file against the schema; raise the error that comes first in the file."""
    if data is None:
        raise ScenarioError(source, 1, "the file is empty: a scenario starts with `version: 1`")
    if not isinstance(data, _Map):
        raise ScenarioError(source, getattr(data, "line", 1), f"a scenario file must be a mapping, not {_kind(data)}")
    errors = sorted(
        ((e.validator == "required", _schema_error(e, data, source)) for e in _validator().iter_errors(data)),
        key=lambda pair: (pair[0], pair[1].line or 0),  # a missing field is often a misspelt one: say that first
    )
    if errors:
        raise errors[0][1]


# ---------------------------------------------------------------- what a schema cannot say


@lru_cache(maxsize=1)
def _grant_operations() -> tuple[str, ...]:
    """AWS's grant operations, from botocore's bundled KMS service model."""
    import botocore.session

    return tuple(botocore.session.get_session().get_service_model("kms").shape_for("GrantOperation").enum)


def _strings(value: Any) -> tuple[str, ...]:
    """A list of strings as the schema allows it: null, one string, or a list."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _empty(line: int) -> _Map:
    empty = _Map()
    empty.line, empty.key_lines, empty.value_lines = line, {}, {}
    return empty


class _Builder:
    """Turns a file that passed the schema into a Scenario, checking what the schema cannot:
    names that must exist (users, groups, keys, accounts), principals, actions, references."""

    def __init__(self, source: str, data: _Map) -> None:
        self.source = source
        self.data = data
        self.key_names: set[str] = set(data.get("keys") or ())
        self.accounts: dict[str, Account] = {}

    def fail(self, line: int | None, message: str) -> NoReturn:
        raise ScenarioError(self.source, line, message)

    @staticmethod
    def mapping(m: _Map, key: str) -> _Map:
        value = m.get(key)
        return value if isinstance(value, _Map) else _empty(m.value_line(key))

    # --- policy documents ------------------------------------------------------------

    def document(self, value: Any, where: str, line: int) -> Document | None:
        """A policy document: a mapping, or a string holding JSON. Its grammar is AWS's to judge."""
        if value is None:
            return None
        if isinstance(value, str):
            try:
                doc = json.loads(value, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
            except RecursionError:
                self.fail(line, f"{where} nests deeper than {MAX_DEPTH} levels (the limit)")
            except ValueError as exc:
                detail = (
                    f"{exc.msg} at line {exc.lineno} column {exc.colno}"
                    if isinstance(exc, json.JSONDecodeError)
                    else str(exc)
                )
                self.fail(line, f"{where} is a string but not valid JSON ({detail})")
            if not isinstance(doc, dict):
                self.fail(line, f"{where} must be a JSON object (a policy document), not {_kind(doc)}")
            if _depth(doc) > MAX_DEPTH:
                self.fail(line, f"{where} nests deeper than {MAX_DEPTH} levels (the limit)")
            self.check_refs(doc, where, line)
            return doc
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
                        f"{where}: {_short(match.group(0))} names no key of this file"
                        f"{_did_you_mean(match.group(2), self.key_names)} (keys: {known})",
                    )

    def documents(self, m: _Map, key: str, where: str) -> dict[str, Document]:
        """A mapping of policy name -> document (inline policies, customer managed, SCPs)."""
        value = self.mapping(m, key)
        return {
            name: self.document(doc, f"{where}: policy {name!r}", value.value_line(name))
            for name, doc in value.items()
        }

    # --- the scenario ------------------------------------------------------------------

    def scenario(self) -> Scenario:
        data = self.data
        accounts_raw: _Map = data["accounts"]
        for account_id, raw in accounts_raw.items():
            m = raw if isinstance(raw, _Map) else _empty(accounts_raw.value_line(account_id))
            self.accounts[account_id] = self.account(account_id, m)
        for account_id, raw in accounts_raw.items():
            self.cross_check_account(account_id, raw if isinstance(raw, _Map) else None)
        keys_raw = self.mapping(data, "keys")
        keys = {k: self.key(k, raw, keys_raw.key_line(k)) for k, raw in keys_raw.items()}
        self.check_aliases(keys, keys_raw)
        requests = None
        if data.get("requests") is not None:
            raw_requests: _Seq = data["requests"]
            requests = tuple(self.request(raw, raw_requests.item_line(i), i + 1) for i, raw in enumerate(raw_requests))
        return Scenario(
            version=VERSION,
            name=data["name"],
            title=data.get("title"),
            region=data.get("region") or DEFAULT_REGION,
            accounts=self.accounts,
            keys=keys,
            requests=requests,
        )

    def account(self, account_id: str, m: _Map) -> Account:
        where = f'account "{account_id}"'
        groups = {
            name: Group(
                managed_policies=_strings(g.get("managed_policies")),
                inline_policies=self.documents(g, "inline_policies", f"group {name!r} of {where}"),
            )
            for name, g in ((n, v if isinstance(v, _Map) else _empty(0)) for n, v in self.mapping(m, "groups").items())
        }
        users = {}
        for name, raw in self.mapping(m, "users").items():
            u = raw if isinstance(raw, _Map) else _empty(0)
            users[name] = User(
                managed_policies=_strings(u.get("managed_policies")),
                inline_policies=self.documents(u, "inline_policies", f"user {name!r} of {where}"),
                groups=_strings(u.get("groups")),
                permissions_boundary=u.get("permissions_boundary"),
                tags=dict(u.get("tags") or {}),
            )
        roles = {}
        for name, raw in self.mapping(m, "roles").items():
            r = raw if isinstance(raw, _Map) else _empty(0)
            rw = f"role {name!r} of {where}"
            roles[name] = Role(
                trust_policy=self.document(r.get("trust_policy"), f"{rw}: trust_policy", r.value_line("trust_policy")),
                managed_policies=_strings(r.get("managed_policies")),
                inline_policies=self.documents(r, "inline_policies", rw),
                permissions_boundary=r.get("permissions_boundary"),
                tags=dict(r.get("tags") or {}),
            )
        scps = self.documents(m, "scps", where) if m.get("scps") is not None else None
        return Account(
            users=users, groups=groups, roles=roles, policies=self.documents(m, "policies", where), scps=scps
        )

    def cross_check_account(self, account_id: str, m: _Map | None) -> None:
        """Names that must exist inside the account: users' groups, permissions boundaries."""
        account = self.accounts[account_id]
        for kind, entities in (("users", account.users), ("roles", account.roles)):
            raw_entities = m.get(kind) if m is not None else None
            for name, entity in entities.items():
                em = raw_entities[name] if isinstance(raw_entities, _Map) else None
                em = em if isinstance(em, _Map) else _empty(0)
                where = f'{kind[:-1]} {name!r} of account "{account_id}"'
                boundary = entity.permissions_boundary
                if boundary is not None and not boundary.startswith("arn:") and boundary not in account.policies:
                    known = ", ".join(account.policies) or "none"
                    self.fail(
                        em.value_line("permissions_boundary"),
                        f"{where}: permissions boundary {boundary!r} is not under this account's "
                        f"policies: (policies: {known}){_did_you_mean(boundary, account.policies)}; "
                        "for an AWS managed policy give its ARN, arn:aws:iam::aws:policy/NAME",
                    )
                groups = em.get("groups")
                for i, group in enumerate(_strings(groups)):
                    if group not in account.groups:
                        line = groups.item_line(i) if isinstance(groups, _Seq) else em.value_line("groups")
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
            self.fail(line, f"{where}: {_short(arn)!r} is not a principal ARN ({example})")
        service, account_id, resource = match.groups()
        if not _ACCOUNT_ID.match(account_id):
            self.fail(line, f"{where}: {_short(arn)!r}: the account id must be 12 digits")
        if account is not None and account_id != account:
            self.fail(line, f"{where}: {arn!r} is not in account {account}")
        if account_id not in self.accounts:
            self.fail(line, f"{where}: account {account_id} of {_short(arn)!r} is not under accounts:")
        acct = self.accounts[account_id]
        if service == "iam" and resource == "root":
            return "root", account_id, ""
        if service == "iam" and resource.startswith(("user/", "role/")):
            kind, name = resource.split("/")[0], resource.split("/")[-1]
            entities = acct.users if kind == "user" else acct.roles
            if name not in entities:
                self.fail(
                    line,
                    f"{where}: {kind} {_short(name)!r} is not under the {kind}s: of account {account_id}"
                    f"{_did_you_mean(name, entities)}",
                )
            return kind, account_id, name
        if service == "sts" and resource.startswith("assumed-role/"):
            parts = resource.split("/")
            if len(parts) != 3 or not parts[1] or not parts[2]:
                self.fail(line, f"{where}: {_short(arn)!r} must be arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION")
            if parts[1] not in acct.roles:
                self.fail(
                    line,
                    f"{where}: role {parts[1]!r} of this session is not under the roles: of "
                    f"account {account_id}{_did_you_mean(parts[1], acct.roles)}",
                )
            return "session", account_id, parts[1]
        self.fail(line, f"{where}: {_short(arn)!r} is not a principal kmslab can be ({example})")

    # --- keys ------------------------------------------------------------------------

    def key(self, key_name: str, m: _Map, line: int) -> KeySpec:
        """One key; `line` is where its name is."""
        where = f"key {key_name!r}"
        account = m["account"]
        if account not in self.accounts:
            self.fail(
                m.value_line("account"),
                f"{where}: account {account} is not under accounts:{_did_you_mean(account, self.accounts)}",
            )
        created_by = m.get("created_by")
        if created_by is not None:
            self.principal(created_by, m.value_line("created_by"), f"{where}: created_by", account=account)
        grants = m.get("grants") or ()
        return KeySpec(
            account=account,
            policy=self.document(m.get("policy"), f"{where}: policy", m.value_line("policy")),
            created_by=created_by or root_arn(account),
            bypass_lockout_check=bool(m.get("bypass_lockout_check")),
            key_spec=m.get("key_spec"),
            key_usage=m.get("key_usage"),
            enabled=m.get("enabled") is not False,
            aliases=tuple(a.removeprefix("alias/") for a in _strings(m.get("aliases"))),
            tags=dict(m.get("tags") or {}),
            grants=tuple(
                self.grant(g, grants.item_line(i), f"{where}: grant #{i + 1}", strict=True)
                for i, g in enumerate(grants)
            ),
            expect_error=m.get("expect_error"),
        )

    def check_aliases(self, keys: dict[str, KeySpec], keys_raw: _Map) -> None:
        seen: dict[tuple[str, str], str] = {}
        for key_name, spec in keys.items():
            raw_aliases = keys_raw[key_name].get("aliases")
            lines = [keys_raw.key_line(key_name)]
            if isinstance(raw_aliases, _Seq):
                lines += [raw_aliases.item_line(i) for i in range(len(spec.aliases))]
            else:
                lines += [keys_raw[key_name].value_line("aliases")] * len(spec.aliases)
            for alias, line in zip((key_name, *spec.aliases), lines, strict=True):
                owner = seen.get((spec.account, alias))
                if owner is not None:
                    self.fail(
                        line,
                        f"key {key_name!r}: alias/{alias} is already the alias of key {owner!r} "
                        f"in account {spec.account} (alias names are unique in an account and Region)",
                    )
                seen[(spec.account, alias)] = key_name

    def grant(self, m: _Map, line: int, where: str, *, strict: bool) -> GrantSpec:
        """A grant of a key (strict: AWS's operation names), or CreateGrant request parameters."""
        operations = list(_strings(m["operations"]))
        if strict:
            valid = _grant_operations()
            raw_ops = m["operations"]
            for i, op in enumerate(operations):
                operations[i] = op = op.removeprefix("kms:")
                if op not in valid:
                    at = raw_ops.item_line(i) if isinstance(raw_ops, _Seq) else m.value_line("operations")
                    self.fail(at, f"{where}: {_short(op)!r} is not a grant operation{_did_you_mean(op, valid)}")
            self.grant_principal(m["grantee"], m.value_line("grantee"), f"{where}: grantee")
            if m.get("retiring_principal") is not None:
                self.grant_principal(
                    m["retiring_principal"], m.value_line("retiring_principal"), f"{where}: retiring_principal"
                )
        constraints = m.get("constraints") or {}
        subset, equals = constraints.get("encryption_context_subset"), constraints.get("encryption_context_equals")
        return GrantSpec(
            grantee=m["grantee"],
            operations=tuple(operations),
            encryption_context_subset=dict(subset) if subset is not None else None,
            encryption_context_equals=dict(equals) if equals is not None else None,
            retiring_principal=m.get("retiring_principal"),
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
                f"{where}: {_short(arn)!r} is not a principal ARN "
                "(arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME, ...)",
            )

    # --- requests ----------------------------------------------------------------------

    def request(self, m: _Map, line: int, number: int) -> RequestSpec:
        where = f"request #{number}"
        principal = m["principal"]
        kind, _, _ = self.principal(principal, m.value_line("principal"), f"{where}: principal")
        try:
            info = action_info(m["action"])
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
        if "key_ref" in m and key is None:
            self.fail(m.value_line("key_ref"), f"{where}: key_ref needs a key:")
        source_ip = m.get("source_ip") or DEFAULT_SOURCE_IP
        try:
            ipaddress.ip_address(source_ip)
        except ValueError:
            self.fail(m.value_line("source_ip"), f"{where}: source_ip {_short(source_ip)!r} is not an IP address")
        session_policy = self.document(
            m.get("session_policy"), f"{where}: session_policy", m.value_line("session_policy")
        )
        for field_name in ("session_policy", "session_tags"):
            if m.get(field_name) is not None and kind not in ("role", "session"):
                self.fail(
                    m.value_line(field_name),
                    f"{where}: {field_name} is for role sessions only (a role/... or assumed-role/... principal)",
                )
        expect, expect_error = m.get("expect"), m.get("expect_error")
        if expect_error is not None and expect != "error":
            self.fail(m.value_line("expect_error"), f"{where}: expect_error goes with expect: error")
        if expect_error == "AccessDeniedException":
            self.fail(
                m.value_line("expect_error"),
                f"{where}: AccessDeniedException is a denial: write expect: denied instead",
            )
        grant = m.get("grant")
        context = m.get("encryption_context")
        return RequestSpec(
            principal=principal,
            action=info.name,
            key=key,
            key_ref=m.get("key_ref") or "arn",
            destination_key=destination,
            encryption_context=dict(context) if context is not None else None,
            encryption_algorithm=m.get("encryption_algorithm"),
            grant=self.grant(grant, m.value_line("grant"), f"{where}: grant", strict=False) if grant else None,
            via_service=m.get("via_service"),
            source_ip=source_ip,
            mfa=bool(m.get("mfa")),
            session_policy=session_policy,
            session_tags=dict(m.get("session_tags") or {}),
            expect=expect,
            expect_error=expect_error,
            line=line,
        )

    def key_ref_name(self, m: _Map, field_name: str, where: str) -> str | None:
        name = m.get(field_name)
        if name is not None and name not in self.key_names:
            known = ", ".join(sorted(self.key_names)) or "none"
            self.fail(
                m.value_line(field_name),
                f"{where}: {field_name} {_short(name)!r} is not a key of this file"
                f"{_did_you_mean(name, self.key_names)} (keys: {known})",
            )
        return name


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose names are unique, as the YAML reader requires (AWS's parser would
    otherwise keep one of two `"Effect"`s silently)."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise ValueError(f"duplicate key {_short(name)!r} in a JSON object")
        out[name] = value
    return out


def _depth(value: Any) -> int:
    """How deeply a JSON value nests (without recursion: the value may be as deep as the parser allows)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            stack += [(child, depth + 1) for child in node]
    return deepest


# ---------------------------------------------------------------- public functions


def parse_scenario(text: str, *, source: str = "<string>") -> Scenario:
    """Parse the text of a scenario file (YAML or JSON); raise ScenarioError."""
    data = _read_yaml(text, source)
    _validate(data, source)
    scenario = _Builder(source, data).scenario()
    _check_size(scenario, data, source)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; raise ScenarioError. Reads at most MAX_FILE_BYTES
    (so a device such as /dev/zero, or a huge file, is refused at once)."""
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(path, None, f"cannot read the file: {exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(path, None, f"the file is larger than {MAX_FILE_BYTES:,} bytes (the limit)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, None, f"cannot read the file: {exc}") from None
    return dataclasses.replace(parse_scenario(text, source=str(path)), path=str(path))


def _check_size(scenario: Scenario, data: _Map, source: str) -> None:
    """The work a file asks of the lab: at most MAX_SETUP_OBJECTS to build and MAX_REQUESTS to run."""
    objects = sum(
        len(a.users) + len(a.groups) + len(a.roles) + len(a.policies) + len(a.scps or ())
        for a in scenario.accounts.values()
    ) + sum(1 + len(k.aliases) + len(k.grants) for k in scenario.keys.values())
    if objects > MAX_SETUP_OBJECTS:
        raise ScenarioError(
            source, data.line, f"the file sets up {objects:,} users, groups, roles, policies, keys, aliases and "
            f"grants: more than {MAX_SETUP_OBJECTS:,} (the limit)"
        )
    if scenario.requests is not None:
        count, what = len(scenario.requests), "lists"
    else:
        keyed = sum(1 for a in STANDARD_ACTIONS if action_info(a).takes_key)
        count = len(scenario.principals()) * (keyed * len(scenario.keys) + len(STANDARD_ACTIONS) - keyed)
        what = "omits requests:, which stands for every principal x the standard actions x every key,"
    if count > MAX_REQUESTS:
        line = data.value_line("requests") if "requests" in data else data.line
        raise ScenarioError(
            source, line, f"the file {what} {count:,} requests: more than {MAX_REQUESTS:,} (the limit)"
        )


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
