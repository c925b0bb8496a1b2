"""The kmslab scenario file, version 1: load, validate and dump it.

The format is a public interface, specified in `docs/scenario-format.md`. A file becomes a
frozen `Scenario`; anything wrong with it raises `ScenarioError`, whose text is
`FILE:LINE: message`, so a workshop author can jump straight to the line.

What is checked here is the *file*. Its structure and types are checked against the published
JSON Schema, `kmslab/scenario.schema.json` (the one editors use); what a schema cannot say is
checked in Python: that every name the file uses (accounts, users, roles, groups, keys,
actions) exists, and the references between them. What AWS itself checks (a key policy's
grammar, the lockout safety check) is left to the lab, which answers the way AWS would. A file
can ask for no more than the limits in `model` (size, aliases, nesting, values, requests), so
loading any file takes bounded time and memory.

A module each: `reader` (YAML with line numbers, within the limits), `schema` (the JSON Schema
and its errors in words), `build` (the checks a schema cannot say; the `Scenario`), `dump`
(back to a file), `model` (the dataclasses, `ScenarioError`, the limits).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..engine.context import DEFAULT_REGION, DEFAULT_SOURCE_IP
from .build import REF, Builder, api_operation, check_size
from .dump import dump_scenario, scenario_to_dict
from .model import (
    EXPECTATIONS,
    KEY_REFS,
    KEY_STATES,
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_REQUESTS,
    MAX_SETUP_OBJECTS,
    MAX_VALUES,
    ORIGINS,
    VERSION,
    Account,
    GrantSpec,
    Group,
    KeySpec,
    RequestSpec,
    Role,
    Scenario,
    ScenarioError,
    User,
)
from .reader import read_yaml
from .schema import scenario_schema, validate
from .words import say

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_SOURCE_IP",
    "KEY_REFS",
    "KEY_STATES",
    "EXPECTATIONS",
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_REQUESTS",
    "MAX_SETUP_OBJECTS",
    "MAX_VALUES",
    "ORIGINS",
    "Account",
    "GrantSpec",
    "Group",
    "KeySpec",
    "RequestSpec",
    "Role",
    "Scenario",
    "ScenarioError",
    "User",
    "VERSION",
    "api_operation",
    "dump_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_schema",
    "scenario_to_dict",
    "shipped_scenarios",
    "substitute_key_refs",
]


def parse_scenario(text: str, *, source: str = "<string>") -> Scenario:
    """Parse the text of a scenario file (YAML or JSON); raise ScenarioError."""
    data = read_yaml(text, source)
    validate(data, source)
    scenario = Builder(source, data).scenario()
    check_size(scenario, data, source)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file; raise ScenarioError. Reads at most MAX_FILE_BYTES
    (so a device such as /dev/zero, or a huge file, is refused at once)."""
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(path, None, say("cannot_read", error=exc)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(path, None, say("too_large_bytes", limit=f"{MAX_FILE_BYTES:,}"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, None, say("cannot_read", error=exc)) from None
    return dataclasses.replace(parse_scenario(text, source=str(path)), path=str(path))


def shipped_scenarios() -> dict[str, Path]:
    """The teaching scenarios that come with kmslab: name (file stem) -> path."""
    folder = resources.files("kmslab").joinpath("scenarios")
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".yaml", ".yml", ".json"))
    }


def substitute_key_refs(document: Any, arns: Mapping[str, str], ids: Mapping[str, str],
                        grant_ids: Mapping[str, str] | None = None) -> Any:
    """A copy of `document` with `${key:NAME}` -> arns[NAME], `${key_id:NAME}` -> ids[NAME] and
    `${grant_id:NAME}` -> grant_ids[NAME] in every string (mapping names included). A NAME missing
    from its mapping (a key that failed to build, a grant not made yet) is left as written; other
    `${...}` (IAM policy variables such as `${aws:username}`) are untouched: AWS reads those."""
    tables = {"key": arns, "key_id": ids, "grant_id": grant_ids or {}}

    def replace(match: re.Match[str]) -> str:
        return tables[match.group(1)].get(match.group(2), match.group(0))

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return REF.sub(replace, value) if ("${key" in value or "${grant_id" in value) else value
        if isinstance(value, Mapping):
            return {walk(k): walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        return value

    return walk(document)
