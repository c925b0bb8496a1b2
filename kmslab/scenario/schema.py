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
from .words import T, say, schema_word

# Words for a field a file omits (the schema says *that* it is required; these say what to write): words.T's
# "needs.<field>"; a field without its own words is named as `field:`.
_NEEDS = ("version", "accounts", "account", "operations")


def _needs(field: Any) -> str:
    return say(f"needs.{field}") if field in _NEEDS else f"{field}:"


@lru_cache(maxsize=1)
def scenario_schema() -> dict[str, Any]:
    """The published JSON Schema of the scenario format (kmslab/scenario.schema.json)."""
    schema: dict[str, Any] = json.loads(resources.files("kmslab").joinpath("scenario.schema.json").read_text("utf-8"))
    return schema


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
    definitions: dict[str, Any] = scenario_schema()["definitions"]
    return definitions


def closest(word: str, choices: Any) -> str | None:
    close = difflib.get_close_matches(str(word)[:200], [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Any) -> str:
    close = closest(word, choices)
    return say("did_you_mean", close=close) if close else ""


def kind_of(value: Any) -> str:
    if value is None:
        return say("kind.null")
    if isinstance(value, bool):
        return say("kind.boolean", value=str(value).lower())
    if isinstance(value, (int, float)):
        return say("kind.number", value=value)
    if isinstance(value, str):
        return say("kind.string", value=short(value))
    if isinstance(value, Mapping):
        return say("kind.mapping")
    if isinstance(value, list):
        return say("kind.list")
    return say("kind.other", type=type(value).__name__)


def short(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "..."


def _quote_hint(field: Any, value: Any) -> str:
    """How to write a YAML number or boolean as the string a field wants."""
    if not isinstance(value, (bool, int, float)):
        return ""
    text = str(value).lower() if isinstance(value, bool) else value
    return say("quote_hint", field=field, text=text) if field is not None else say("quote_hint.item", text=text)


def _describe(path: Sequence[Any]) -> str:
    """Words for the thing at `path`: `user 'alice' of account "111122223333"`, `request #2: grant`."""
    p = list(path)
    if not p:
        return say("the_scenario")
    head, rest = "", p
    if p[0] == "accounts" and len(p) >= 2:
        head, rest = say("account", account=p[1]), p[2:]
        if len(rest) >= 2 and rest[0] in ("users", "groups", "roles"):
            head, rest = say(f"{rest[0][:-1]}_of", name=rest[1], owner=head), rest[2:]
    elif p[0] == "keys" and len(p) >= 2:
        head, rest = say("key", name=p[1]), p[2:]
        if len(rest) >= 2 and rest[0] == "grants":
            head, rest = say("grant_n", owner=head, n=rest[1] + 1), rest[2:]
    elif p[0] == "requests" and len(p) >= 2:
        head, rest = say("request_n", n=p[1] + 1), p[2:]
    if len(rest) >= 2 and rest[0] in ("policies", "scps", "inline_policies"):
        head, rest = say("policy_of", owner=head, name=rest[1]), rest[2:]
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
                return fail(say("account_id_number", value=value, digits=digits), at)
            noun = schema.get("title")
            where = f"{schema_word(noun)} {value!r}" if noun else say("the_name", owner=_describe(path), name=value)
            return fail(say("name_must_be_string", where=where, value=value), at)
        noun = schema_word(schema.get("title", "name"))
        return fail(say("named_rule", noun=noun, value=short(value), rule=_rule(schema)), at)
    if kind == "additionalProperties":
        extras = [k for k in value if k not in schema.get("properties", {})]
        first = min(extras, key=lambda k: _line_of(data, [*path, k], key=True) or 0)
        allowed = list(schema.get("properties", {}))
        close = closest(str(first), allowed)
        hint = say("did_you_mean", close=close) if close else say("fields", fields=", ".join(allowed))
        return fail(say("unknown_field", field=short(str(first)), where=_describe(path), hint=hint),
                    _line_of(data, [*path, first], key=True))
    if kind == "required":
        missing = next(f for f in error.validator_value if f not in value)
        at = _line_of(data, path, key=True) if path else getattr(data, "line", 1)
        return fail(say("needs", subject=_describe(path), what=_needs(missing)), at)
    if kind == "type" and value is None and (field in _NEEDS or field in ("name", "grantee", "principal", "action")):
        return fail(say("needs", subject=owner, what=_needs(field)))
    if kind == "type" and value is None and schema is _defs()["key"]:
        return fail(say("needs", subject=_describe(path), what=_needs("account")))
    if kind == "type":
        if schema is _defs()["accountId"] and isinstance(value, int) and not isinstance(value, bool):
            digits = str(value).zfill(12) if 0 <= value < 10**12 else str(value)
            return fail(say("subject_account_id_number", subject=subject, value=value, digits=digits))
        if schema is _defs()["mapValue"]:
            return fail(say("map_value_string", subject=_describe(path[:-1]), field=field, kind=kind_of(value),
                            hint=_quote_hint(field, value)))
        if item and schema.get("type") == "string":
            return fail(say("only_strings", subject=subject, kind=kind_of(value)))
        if schema is _defs()["policyDocument"] and value is None:
            return fail(say("no_document", subject=subject))
        if schema is _defs()["policyDocument"] or schema is _defs()["optionalPolicyDocument"]:
            return fail(say("must_be_not", subject=subject, wanted=schema_word(schema["title"]), kind=kind_of(value),
                            hint=""))
        types = [t for t in ([schema["type"]] if isinstance(schema["type"], str) else schema["type"]) if t != "null"]
        wanted = "strings" if set(types) == {"array", "string"} else types[0]
        hint = _quote_hint(None if item else field, value) if wanted == "string" else ""
        words = say(f"want.{wanted}") if f"want.{wanted}" in T else wanted
        return fail(say("must_be_not", subject=subject, wanted=words, kind=kind_of(value), hint=hint))
    if kind == "minLength":
        if item:
            return fail(say("only_strings", subject=subject, kind=kind_of(value)))
        return fail(say("not_empty", subject=subject))
    if kind == "minItems":
        return fail(say("needs", subject=owner, what=_needs(str(field))))
    if kind == "minProperties":
        rule = say(f"at_least_one.{field}")
        return fail(say("owner_at_least_one", owner=owner, rule=rule) if len(path) > 1 else rule)
    if kind == "pattern":
        noun = schema.get("title")
        text = f"{schema_word(noun)} {short(value)!r}" if noun else repr(short(value))
        lead = f"{owner}: " if len(path) > (2 if item else 1) else ""
        return fail(say("pattern", lead=lead, text=text, rule=_rule(schema)))
    if kind == "enum":
        choices = [c for c in error.validator_value if c]  # "" and null: the default, not a choice
        dym = did_you_mean(value, choices) if isinstance(value, str) else ""
        if "title" in schema:
            return fail(say("enum_title", subject=subject, value=short(str(value)), title=schema_word(schema["title"]),
                            dym=dym, choices=", ".join(choices)))
        options = (say("options.few", first=", ".join(choices[:-1]), last=choices[-1]) if len(choices) <= 3
                   else say("options.many", choices=", ".join(choices)))
        return fail(say("enum_options", subject=subject, value=short(str(value)), options=options, dym=dym))
    if kind == "const":
        extra = say("const.version_1_only") if isinstance(value, int) and value > 1 else ""
        return fail(say("const", subject=subject, wanted=error.validator_value, kind=kind_of(value), extra=extra))
    return fail(say("schema_other", subject=subject, message=error.message))


def _rule(schema: Mapping[str, Any]) -> str:
    """The schema's words for a value that does not match its pattern (`patternErrorMessage`), translated."""
    return schema_word(schema["patternErrorMessage"]) if "patternErrorMessage" in schema else say("rule.invalid")


def validate(data: Any, source: str) -> None:
    """Check the file against the schema; raise the error that comes first in the file."""
    if data is None:
        raise ScenarioError(source, 1, say("empty_file"))
    if not isinstance(data, LineMap):
        raise ScenarioError(source, getattr(data, "line", 1), say("not_a_mapping", kind=kind_of(data)))
    errors = sorted(
        ((e.validator == "required", _schema_error(e, data, source)) for e in _validator().iter_errors(data)),
        key=lambda pair: (pair[0], pair[1].line or 0),  # a missing field is often a misspelt one: say that first
    )
    if errors:
        raise errors[0][1]
