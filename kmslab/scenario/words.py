"""The scenario loader's words: every sentence of a `ScenarioError` is a template here, translated by the
active catalog when the error is raised (`KMSLAB_LANG=ja python -m kmslab check bad.yaml` says it in Japanese).

What stays as written: the file and line (`FILE:LINE:` is `ScenarioError`'s own frame), YAML field names and
values, and words that are not kmslab's: PyYAML's syntax messages, botocore's parameter checks, AWS's names.
The schema's `title`s and `patternErrorMessage`s (kmslab/scenario.schema.json) join the catalogs too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..engine.words import N_, _

T: dict[str, str] = {
    # did-you-mean, quoting hints, the kinds of values
    "did_you_mean": N_("; did you mean {close!r}?"),
    "fields": N_(" (fields: {fields})"),
    "quote_hint": N_(' (write it in quotes: {field}: "{text}")'),
    "quote_hint.item": N_(' (write it in quotes: "{text}")'),
    "kind.null": N_("empty (null)"),
    "kind.boolean": N_("the boolean {value}"),
    "kind.number": N_("the number {value}"),
    "kind.string": N_("the string {value!r}"),
    "kind.mapping": N_("a mapping"),
    "kind.list": N_("a list"),
    "kind.other": N_("a {type}"),
    "none": N_("none"),
    # what a sentence is about
    "the_scenario": N_("the scenario"),
    "account": N_('account "{account}"'),
    "user_of": N_("user {name!r} of {owner}"),
    "group_of": N_("group {name!r} of {owner}"),
    "role_of": N_("role {name!r} of {owner}"),
    "key": N_("key {name!r}"),
    "grant_n": N_("{owner}: grant #{n}"),
    "request_n": N_("request #{n}"),
    "policy_of": N_("{owner}: policy {name!r}"),
    "the_name": N_("{owner}: the name {name!r}"),
    # what a file must have
    "needs.version": N_("`version: 1` (the scenario format version)"),
    "needs.accounts": N_('accounts: (at least one, e.g. "111122223333": {{}})'),
    "needs.account": N_('account: (the id of the account that owns it, e.g. "111122223333")'),
    "needs.operations": N_("operations: (e.g. [Decrypt, GenerateDataKey])"),
    "at_least_one.accounts": N_("accounts: must list at least one account"),
    "at_least_one.scps": N_("scps: lists no SCP; an account always has at least one (omit scps: for no restriction, "
                            "or list FullAWSAccess)"),
    # the schema's findings
    "account_id_number": N_('account id {value} is a YAML number: write account ids in quotes, as "{digits}"'),
    "subject_account_id_number": N_('{subject} {value} is a YAML number: write account ids in quotes, as "{digits}"'),
    "name_must_be_string": N_('{where} must be a string (write it in quotes: "{value}")'),
    "named_rule": N_("{noun} {value!r} {rule}"),
    "unknown_field": N_("unknown field {field!r} in {where}{hint}"),
    "needs": N_("{subject} needs {what}"),
    "owner_at_least_one": N_("{owner}: {rule}"),
    "map_value_string": N_("{subject}: the value of {field!r} must be a string, not {kind}{hint}"),
    "only_strings": N_("{subject} must contain only non-empty strings, not {kind}"),
    "no_document": N_("{subject} has no document"),
    "must_be_not": N_("{subject} must be {wanted}, not {kind}{hint}"),
    "want.string": N_("a string"),
    "want.boolean": N_("true or false"),
    "want.object": N_("a mapping"),
    "want.array": N_("a list"),
    "want.strings": N_("a list of strings"),
    "not_empty": N_("{subject} must not be empty"),
    "pattern": N_("{lead}{text} {rule}"),
    "rule.invalid": N_("is not valid"),
    "enum_title": N_("{subject} {value!r} is not {title}{dym} ({choices})"),
    "enum_options": N_("{subject} {value!r} must be {options}{dym}"),
    "options.few": N_("{first} or {last}"),
    "options.many": N_("one of {choices}"),
    "const": N_("{subject} must be {wanted}, not {kind}{extra}"),
    "const.version_1_only": N_(" (this kmslab reads version 1 only)"),
    "schema_other": N_("{subject}: {message}"),
    "empty_file": N_("the file is empty: a scenario starts with `version: 1`"),
    "not_a_mapping": N_("a scenario file must be a mapping, not {kind}"),
    # reading the file
    "cannot_read": N_("cannot read the file: {error}"),
    "too_large_bytes": N_("the file is larger than {limit} bytes (the limit)"),
    "too_large_chars": N_("the file is larger than {limit} characters (the limit)"),
    "the_file": N_("the file {problem}"),
    "yaml_syntax": N_("YAML syntax: {problem}"),
    "yaml_control": N_("YAML syntax: the file holds the control character U+{code}, which YAML does not allow (write "
                       'it escaped in a double-quoted string, e.g. "\\x1b")'),
    "plain_key": N_("a mapping key must be a plain value"),
    "too_deep_file": N_("the file nests deeper than {limit} levels (the limit)"),
    "too_many_aliases": N_("uses aliases (*name) more than {limit} times (the limit)"),
    "recursive_anchor": N_("has an anchor that refers to itself (a recursive structure)"),
    "too_many_values": N_("expands to more than {limit} values (the limit)"),
    "too_deep": N_("nests deeper than {limit} levels (the limit)"),
    "not_an_integer": N_("{text!r} is not an integer"),
    "not_a_boolean": N_("{text!r} is not true or false"),
    "duplicate_key": N_("duplicate key {key!r} (first at line {line})"),
    # the checks a schema cannot say
    "grant_name_used": N_("{where}: the grant name {name!r} is already used at line {line} (grant names are unique "
                          "in a file: grant_ref and ${{grant_id:NAME}} name one grant)"),
    "doc_too_deep": N_("{where} nests deeper than {limit} levels (the limit)"),
    "doc_not_json": N_("{where} is a string but not valid JSON ({detail})"),
    "json_detail": N_("{message} at line {line} column {column}"),
    "doc_not_object": N_("{where} must be a JSON object (a policy document), not {kind}"),
    "doc_not_number": N_("{where}: {value} is not a JSON number"),
    "doc_not_value": N_("{where}: {kind} is not a JSON value"),
    "no_such_grant_ref": N_("{where}: {ref} names no grant of this file that exists by then{dym} (grant names: "
                            "{known}; a grant is named by the `name:` of a key's grant, or of an earlier "
                            "CreateGrant request's grant:)"),
    "no_such_key_ref": N_("{where}: {ref} names no key of this file{dym} (keys: {known})"),
    "policy_no_document": N_("{where}: policy {name!r} has no document"),
    "now_not_a_time": N_("now: {value!r} is not a time ({error})"),
    "now_before_1970": N_("now: {value!r} is before 1970 (aws:EpochTime counts seconds from 1970-01-01)"),
    "boundary_unknown": N_("{where}: permissions boundary {boundary!r} is not under this account's policies: "
                           "(policies: {known}){dym}; for an AWS managed policy give its ARN, "
                           "arn:aws:iam::aws:policy/NAME"),
    "group_unknown": N_("{where}: group {group!r} is not under this account's groups:{dym}"),
    "not_a_principal_arn": N_("{where}: {arn!r} is not a principal ARN ({example})"),
    "account_id_12_digits": N_("{where}: {arn!r}: the account id must be 12 digits"),
    "not_in_account": N_("{where}: {arn!r} is not in account {account}"),
    "account_not_listed": N_("{where}: account {account} of {arn!r} is not under accounts:"),
    "entity_unknown": N_("{where}: {kind} {name!r} is not under the {kind}s: of account {account}{dym}"),
    "session_arn": N_("{where}: {arn!r} must be arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"),
    "session_role_unknown": N_("{where}: role {role!r} of this session is not under the roles: of account "
                               "{account}{dym}"),
    "not_a_kmslab_principal": N_("{where}: {arn!r} is not a principal kmslab can be ({example})"),
    "key_account_unknown": N_("{where}: account {account} is not under accounts:{dym}"),
    "enabled_false_but_enabled": N_("{where}: enabled: false says state: Disabled, but state: is Enabled: keep one "
                                    "of them"),
    "enabled_shorthand": N_("{where}: enabled: {enabled} is the shorthand for state: {state}, but state: is "
                            "{actual}: leave enabled: out"),
    "pending_import": N_("{where}: PendingImport is the state of a key with origin EXTERNAL whose key material is "
                         "not imported: add origin: EXTERNAL"),
    "alias_taken": N_("key {key!r}: alias/{alias} is already the alias of key {owner!r} in account {account} (alias "
                      "names are unique in an account and Region)"),
    "not_a_grant_operation": N_("{where}: {operation!r} is not a grant operation{dym}"),
    "grantee_not_arn": N_("{where}: {arn!r} is not a principal ARN (arn:aws:iam::ACCOUNT:user/NAME, "
                          "arn:aws:iam::ACCOUNT:role/NAME, ...)"),
    "where_error": N_("{where}: {error}"),
    "unknown_action": N_("{action!r} is not a KMS action."),  # the policy editor's words too (widgets.words)
    "unknown_action.hint": N_(" Did you mean {suggestion}?"),
    "needs_key_one_of": N_("{where}: {action} needs a key: add key: (one of {keys})"),
    "needs_key_none": N_("{where}: {action} needs a key, and this file has no keys:"),
    "no_key_resource": N_("{where}: {action} has no key resource (IAM alone decides it): remove key:"),
    "destination_key": N_("{where}: destination_key is for ReEncrypt: write its action as kms:ReEncryptFrom"),
    "key_ref_needs_key": N_("{where}: key_ref needs a key:"),
    "not_an_ip": N_("{where}: source_ip {value!r} is not an IP address"),
    "sessions_only": N_("{where}: {field} is for role sessions only (a role/... or assumed-role/... principal)"),
    "expect_error_with_error": N_("{where}: expect_error goes with expect: error"),
    "expect_denied": N_("{where}: AccessDeniedException is a denial: write expect: denied instead"),
    "undo_not_yours": N_("{where}: undo: the lab puts back only the tag, alias or grant it makes itself, not the one "
                         "{given} names: remove undo: (or {given})"),
    "grant_name_not_create": N_("{where}: grant: name: names the grant a CreateGrant request makes; {action} makes "
                                "none"),
    "no_api_operation": N_("{where}: {action} is an IAM action with no API operation of its own: remove "
                           "parameters:"),
    "no_such_parameter": N_("{where}: parameters: {operation} has no parameter {name!r}{dym} (its parameters: "
                            "{members})"),
    "parameter_check": N_("{where}: parameters: {text}"),
    "grant_ref_action": N_("{where}: grant_ref names the grant of a RetireGrant or RevokeGrant request, not of "
                           "{action}"),
    "grant_ref_unknown": N_("{where}: grant_ref {name!r} names no grant of this file that exists by then{dym} (grant "
                            "names: {known}; a grant is named by the `name:` of a key's grant, or of an earlier "
                            "CreateGrant request's grant:)"),
    "grant_ref_and_grant_id": N_("{where}: grant_ref and parameters: GrantId both name the grant: keep one"),
    "key_ref_and_key_id": N_("{where}: key_ref and parameters: KeyId both say how the request names the key: keep "
                             "one"),
    "key_id_other_key": N_("{where}: parameters: KeyId {value!r} must name the same key as key: {key} (write "
                           "${{key:{key}}}, ${{key_id:{key}}} or alias/{key}, or leave KeyId out)"),
    "key_id_several": N_("{where}: parameters: KeyId {value!r} names several keys: write ${{key:NAME}}, "
                         "${{key_id:NAME}} or alias/NAME, or add key: (keys: {known})"),
    "key_id_none": N_("{where}: parameters: KeyId {value!r} names no key of this file: write ${{key:NAME}}, "
                      "${{key_id:NAME}} or alias/NAME, or add key: (keys: {known})"),
    "not_a_key": N_("{where}: {field} {name!r} is not a key of this file{dym} (keys: {known})"),
    "json_constant": N_("{name} is not valid JSON"),
    "json_duplicate": N_("duplicate key {name!r} in a JSON object"),
    "too_many_objects": N_("the file sets up {count} users, groups, roles, policies, keys, aliases and grants: more "
                           "than {limit} (the limit)"),
    "too_many_requests": N_("the file lists {count} requests: more than {limit} (the limit)"),
    "too_many_standard": N_("the file omits requests:, which stands for every principal x the standard actions x "
                            "every key, {count} requests: more than {limit} (the limit)"),
}


def say(name: str, /, **values: Any) -> str:
    """One of the loader's templates in the language kmslab speaks, filled in."""
    return _(T[name]).format(**values)


def schema_word(text: str) -> str:
    """A `title` or `patternErrorMessage` of the published schema, in the language kmslab speaks."""
    return _(text)


def _schema_words() -> Iterator[str]:
    from .schema import scenario_schema

    found: dict[str, None] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "patternErrorMessage") and isinstance(value, str):
                    found[value] = None
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(scenario_schema())
    yield from found


def every_template() -> Iterator[tuple[str, str]]:
    """(id, English template) of the loader's words and the schema's, for the message catalogs."""
    yield from ((f"scenario.{k}", v) for k, v in T.items())
    yield from ((f"scenario.schema.{text}", text) for text in _schema_words())
