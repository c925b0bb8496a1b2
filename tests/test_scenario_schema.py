"""The published JSON Schema of the scenario format (kmslab/scenario.schema.json).

The schema is what editors check a file against (the YAML language server), and what the loader
checks structure and types with; these tests hold it to the files that ship, to malformed files,
to AWS's enumerations and to the loader's model.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import botocore.session
import jsonschema
import pytest

from kmslab.scenario import (
    GrantSpec,
    KeySpec,
    RequestSpec,
    Scenario,
    ScenarioError,
    User,
    parse_scenario,
    scenario_schema,
    scenario_to_dict,
)
from kmslab.scenario.reader import read_yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "kmslab" / "scenario.schema.json"
SHIPPED = sorted((ROOT / "kmslab" / "scenarios").glob("*.yaml"))
EVERY_FILE = SHIPPED  # the seed article's two files ship here too (kmslab/scenarios/seed-*.yaml)


def schema_errors(data: Any) -> list[jsonschema.ValidationError]:
    return list(jsonschema.Draft7Validator(scenario_schema()).iter_errors(data))


def test_the_schema_is_a_valid_draft_7_schema_and_the_package_ships_it() -> None:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert scenario_schema() == schema
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    assert "scenario.schema.json" in package_data["kmslab"]


@pytest.mark.parametrize("path", EVERY_FILE, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_shipped_scenario_is_valid_against_the_schema(path: Path) -> None:
    data = read_yaml(path.read_text("utf-8"), str(path))
    assert [e.message for e in schema_errors(data)] == []
    # What the loader writes back is valid too.
    assert schema_errors(scenario_to_dict(parse_scenario(path.read_text("utf-8")))) == []


def test_an_editor_reading_plain_json_sees_the_same_verdict() -> None:
    """Editors hand the schema plain JSON data: the shipped files as JSON pass unchanged."""
    for path in EVERY_FILE:
        plain = json.loads(json.dumps(read_yaml(path.read_text("utf-8"), str(path))))
        assert schema_errors(plain) == [], path.name


HEAD = """\
version: 1
name: malformed
accounts:
  "111122223333":
    users: {alice: {}}
keys:
  demo: {account: "111122223333"}
"""


@pytest.mark.parametrize(
    ("text", "path", "keyword"),
    [
        (HEAD + "colour: red\n", [], "additionalProperties"),
        (HEAD.replace("version: 1", "version: 2"), ["version"], "const"),
        (HEAD.replace("name: malformed\n", ""), [], "required"),
        (HEAD.replace("name: malformed", "name: Not_A_Name"), ["name"], "pattern"),
        (HEAD.replace("  demo: {account: \"111122223333\"}", "  demo: {}"), ["keys", "demo"], "required"),
        (HEAD.replace('"111122223333":\n', "111122223333:\n"), ["accounts"], "type"),
        (HEAD.replace('"111122223333":\n', '"1234":\n'), ["accounts"], "pattern"),
        (HEAD.replace("{alice: {}}", "{alice: {tags: {team: 1}}}"),
         ["accounts", "111122223333", "users", "alice", "tags", "team"], "type"),
        (HEAD.replace("{alice: {}}", "{alice: {inline_policies: {p: [1]}}}"),
         ["accounts", "111122223333", "users", "alice", "inline_policies", "p"], "type"),
        (HEAD.replace("{alice: {}}", "{alice: {managed_policies: ['arn:aws:iam::aws:role/x']}}"),
         ["accounts", "111122223333", "users", "alice", "managed_policies", 0], "pattern"),
        (HEAD.replace('{account: "111122223333"}', '{account: "111122223333", key_spec: AES}'),
         ["keys", "demo", "key_spec"], "enum"),
        (HEAD.replace('{account: "111122223333"}', '{account: "111122223333", aliases: [aws/ebs]}'),
         ["keys", "demo", "aliases", 0], "pattern"),
        (HEAD.replace('{account: "111122223333"}', '{account: "111122223333", grants: [{operations: [Decrypt]}]}'),
         ["keys", "demo", "grants", 0], "required"),
        (HEAD.replace('{account: "111122223333"}', '{account: "111122223333", enabled: "no"}'),
         ["keys", "demo", "enabled"], "type"),
        (HEAD + "requests:\n  - {principal: 'arn:aws:iam::111122223333:user/alice', key: demo}\n",
         ["requests", 0], "required"),
        (HEAD + "requests:\n  - {principal: 'arn:aws:iam::111122223333:user/alice', action: Decrypt, expect: allow}\n",
         ["requests", 0, "expect"], "enum"),
        (HEAD + "requests:\n  - {principal: 'arn:aws:iam::111122223333:user/alice', action: Decrypt, mfa: 1}\n",
         ["requests", 0, "mfa"], "type"),
        (HEAD + "requests: {a: b}\n", ["requests"], "type"),
    ],
)
def test_malformed_files_fail_the_schema_where_they_are_wrong(text: str, path: list, keyword: str) -> None:
    errors = schema_errors(read_yaml(text, "m.yaml"))
    assert (path, keyword) in [(list(e.path), e.validator) for e in errors], [e.message for e in errors]
    with pytest.raises(ScenarioError):  # and the loader refuses the file, with its own words
        parse_scenario(text, source="m.yaml")


def _enum(name: str) -> list[str]:
    return list(botocore.session.get_session().get_service_model("kms").shape_for(name).enum)


def test_the_schema_lists_aws_values_as_botocore_has_them() -> None:
    defs = scenario_schema()["definitions"]
    assert [v for v in defs["keySpec"]["enum"] if v] == _enum("KeySpec")
    assert [v for v in defs["keyUsage"]["enum"] if v] == _enum("KeyUsageType")
    assert [v for v in defs["encryptionAlgorithm"]["enum"] if v] == _enum("EncryptionAlgorithmSpec")
    assert defs["grantOperations"]["items"]["examples"] == _enum("GrantOperation")


def _properties(definition: dict[str, Any]) -> set[str]:
    return set(definition["properties"])


def test_the_schema_and_the_model_have_the_same_fields() -> None:
    schema = scenario_schema()
    defs = schema["definitions"]

    def fields(cls: type) -> set[str]:
        return {f.name for f in dataclasses.fields(cls)} - {"line", "path"}

    assert _properties(schema) == {"version", "name", "title", "region", "now", "accounts", "keys", "requests"}
    assert _properties(schema) == fields(Scenario)
    assert _properties(defs["user"]) == fields(User)
    assert _properties(defs["key"]) == fields(KeySpec)
    assert _properties(defs["request"]) == fields(RequestSpec)
    constraints = set(defs["grant"]["properties"]["constraints"]["properties"])
    assert _properties(defs["grant"]) - {"constraints"} | constraints == fields(GrantSpec)


def test_the_schema_uses_no_format_keyword() -> None:
    """The loader imports jsonschema without its format-checker libraries (seconds of import):
    that is only sound while the schema asks for no `format`."""
    assert '"format"' not in SCHEMA_FILE.read_text("utf-8")


def test_loading_a_scenario_imports_jsonschema_without_its_format_libraries() -> None:
    code = (
        "import sys; from kmslab.scenario import load_scenario, shipped_scenarios;"
        "load_scenario(shipped_scenarios()['seed-without-root']);"
        "assert 'jsonschema' in sys.modules;"
        "assert 'rfc3987_syntax' not in sys.modules, 'format libraries imported';"
        "from kmslab.scenario.schema import _FORMAT_LIBRARIES as names;"
        "assert not [n for n in names if n in sys.modules and sys.modules[n] is None], 'a placeholder left'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
