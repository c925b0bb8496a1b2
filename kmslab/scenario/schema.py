"""The published JSON Schema of the format, and jsonschema's findings in the loader's words:
the file, the line of the value, and what to write instead (did you mean ...?)."""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import ScenarioError
from .reader import LineMap, LineSeq

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


# Libraries that jsonschema imports, when present, for its `format` checks: rfc3987_syntax alone
# builds 38 grammars at import (seconds). The scenario schema uses no `format` (a test checks it),
# so the loader imports jsonschema without them, unless something imported jsonschema before.
_FORMAT_LIBRARIES = (
    "fqdn", "idna", "isoduration", "jsonpointer", "rfc3339_validator", "rfc3986_validator", "rfc3987",
    "rfc3987_syntax", "uri_template", "webcolors",
)  # fmt: skip


@lru_cache(maxsize=1)
def _validator() -> Any:
    """jsonschema's draft-7 validator for the scenario schema."""
    hidden = [name for name in _FORMAT_LIBRARIES if name not in sys.modules and "jsonschema" not in sys.modules]
    # None in sys.modules: `import name` raises ImportError (the import system's documented way to block a
    # module; typeshed types sys.modules' values as modules only).
    sys.modules.update(dict.fromkeys(hidden))  # type: ignore[arg-type]
    try:
        import jsonschema
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
    return jsonschema.Draft7Validator(scenario_schema())


def _defs() -> dict[str, Any]:
    return scenario_schema()["definitions"]


def closest(word: str, choices: Any) -> str | None:
    close = difflib.get_close_matches(str(word)[:200], [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Any) -> str:
    close = closest(word, choices)
    return f"; did you mean {close!r}?" if close else ""


def kind_of(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {short(value)!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def short(text: str) -> str:
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
        if isinstance(node, LineMap) and part in node:
            line = node.key_line(part) if (key and last) else node.value_line(part)
        elif isinstance(node, LineSeq) and isinstance(part, int) and part < len(node):
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
        return fail(f"{schema.get('title', 'name')} {short(value)!r} {rule}", at)
    if kind == "additionalProperties":
        extras = [k for k in value if k not in schema.get("properties", {})]
        first = min(extras, key=lambda k: _line_of(data, [*path, k], key=True) or 0)
        allowed = list(schema.get("properties", {}))
        close = closest(str(first), allowed)
        hint = f"; did you mean {close!r}?" if close else f" (fields: {', '.join(allowed)})"
        return fail(f"unknown field {short(str(first))!r} in {_describe(path)}{hint}",
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
            return fail(f"{_describe(path[:-1])}: the value of {field!r} must be a string, not {kind_of(value)}"
                        f"{_quote_hint(field, value)}")
        if item and schema.get("type") == "string":
            return fail(f"{subject} must contain only non-empty strings, not {kind_of(value)}")
        if schema is _defs()["policyDocument"] and value is None:
            return fail(f"{subject} has no document")
        if schema is _defs()["policyDocument"] or schema is _defs()["optionalPolicyDocument"]:
            return fail(f"{subject} must be {schema['title']}, not {kind_of(value)}")
        types = [t for t in ([schema["type"]] if isinstance(schema["type"], str) else schema["type"]) if t != "null"]
        words = {"string": "a string", "boolean": "true or false", "object": "a mapping", "array": "a list"}
        wanted = "a list of strings" if set(types) == {"array", "string"} else words.get(types[0], types[0])
        hint = _quote_hint(None if item else field, value) if wanted == "a string" else ""
        return fail(f"{subject} must be {wanted}, not {kind_of(value)}{hint}")
    if kind == "minLength":
        if item:
            return fail(f"{subject} must contain only non-empty strings, not {kind_of(value)}")
        return fail(f"{subject} must not be empty")
    if kind == "minItems":
        return fail(f"{owner} needs {_NEEDS.get(str(field), f'{field}:')}")
    if kind == "minProperties":
        return fail(f"{owner}: {_AT_LEAST_ONE[str(field)]}" if len(path) > 1 else _AT_LEAST_ONE[str(field)])
    if kind == "pattern":
        noun = schema.get("title")
        text = f"{noun} {short(value)!r}" if noun else repr(short(value))
        lead = f"{owner}: " if len(path) > (2 if item else 1) else ""
        return fail(f"{lead}{text} {schema.get('patternErrorMessage', 'is not valid')}")
    if kind == "enum":
        choices = [c for c in error.validator_value if c]  # "" and null: the default, not a choice
        dym = did_you_mean(value, choices) if isinstance(value, str) else ""
        if "title" in schema:
            return fail(f"{subject} {short(str(value))!r} is not {schema['title']}{dym} ({', '.join(choices)})")
        options = f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) <= 3 else f"one of {', '.join(choices)}"
        return fail(f"{subject} {short(str(value))!r} must be {options}{dym}")
    if kind == "const":
        extra = " (this kmslab reads version 1 only)" if isinstance(value, int) and value > 1 else ""
        return fail(f"{subject} must be {error.validator_value}, not {kind_of(value)}{extra}")
    return fail(f"{subject}: {error.message}")


def validate(data: Any, source: str) -> None:
    """Check the file against the schema; raise the error that comes first in the file."""
    if data is None:
        raise ScenarioError(source, 1, "the file is empty: a scenario starts with `version: 1`")
    if not isinstance(data, LineMap):
        raise ScenarioError(source, getattr(data, "line", 1), f"a scenario file must be a mapping, not {kind_of(data)}")
    errors = sorted(
        ((e.validator == "required", _schema_error(e, data, source)) for e in _validator().iter_errors(data)),
        key=lambda pair: (pair[0], pair[1].line or 0),  # a missing field is often a misspelt one: say that first
    )
    if errors:
        raise errors[0][1]
