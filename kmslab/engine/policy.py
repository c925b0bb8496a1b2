"""Parse and validate policy documents into immutable statements.

Parsing is cached by document text, so re-rendering a table never re-parses an
unchanged policy. Validation follows the IAM JSON policy grammar
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
and raises `PolicyError` carrying the AWS error code KMS returns.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Literal

from .messages import INVALID_PRINCIPALS_MESSAGE, NO_PRINCIPAL_MESSAGE, overly_permissive_message

PolicyKind = Literal["resource", "identity", "boundary", "session", "scp"]

MALFORMED = "MalformedPolicyDocumentException"
LIMIT_EXCEEDED = "LimitExceededException"
VALIDATION = "ValidationException"

# Key policy size quota: 32 KB.
# https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit
KEY_POLICY_MAX_BYTES = 32768
# The API model's length constraint on the Policy parameter (botocore's KMS model: PolicyType, max 131072).
KEY_POLICY_MAX_CHARACTERS = 131072

_VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_FIELDS = {
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition",
}
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
# Principal ARNs a key policy may name (IAM User Guide, "AWS JSON policy elements: Principal").
# "You cannot use a wildcard to match part of a principal name or ARN": `*` and `?`
# appear only as the whole principal "*".
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
_AWS_PRINCIPAL = re.compile(
    r"^(\*|\d{12}"
    r"|arn:aws[a-z-]*:iam::\d{12}:(root|user/[^*?]+|role/[^*?]+|federated-user/[^*?]+)"
    r"|arn:aws[a-z-]*:sts::\d{12}:(assumed-role/[^/*?]+/[^*?]+|federated-user/[^*?]+)"
    r"|A[A-Z0-9]{20})$"  # a unique id (AIDA.../AROA...) left behind by a deleted principal
)
# "A key policy document can include only the following characters: Printable ASCII
# characters; Printable characters in the Basic Latin and Latin-1 Supplement character
# set; The tab (\u0009), line feed (\u000A), and carriage return (\u000D) special
# characters" (API model: pattern [\u0009\u000A\u000D\u0020-\u00FF]+).
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-format
_KEY_POLICY_CHARS = re.compile(r"[\t\n\r\u0020-\u00ff]*")
# Variables were introduced in version 2012-10-17; in other versions they are literal text.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
VARIABLES_VERSION = "2012-10-17"


class PolicyError(ValueError):
    """A policy document AWS would reject, with the AWS error code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Condition:
    """One operator/key pair of a Condition block, with its (string) values."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """A normalised statement: every list field is a tuple, Principal a mapping of tuples."""

    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    principal: Mapping[str, tuple[str, ...]] | None
    not_principal: Mapping[str, tuple[str, ...]] | None
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditions: tuple[Condition, ...]
    # Policy variables (${aws:username}) are substituted only under Version 2012-10-17.
    variables: bool = True

    def label(self) -> str:
        """`Sid 'Admins'` or `statement 2, no Sid` (counted from 1)."""
        from .words import LABELS, _

        if self.sid:
            return _(LABELS["sid-short"]).format(sid=repr(self.sid))
        return _(LABELS["no-sid-short"]).format(number=self.index + 1)


@dataclass(frozen=True)
class Policy:
    """A named, parsed policy document of one kind (key policy, identity policy, ...)."""

    name: str
    kind: PolicyKind
    statements: tuple[Statement, ...]
    version: str | None
    text: str  # the document as canonical JSON

    @property
    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.text)  # parsed from a JSON object: a dict
        return doc

    # Derived once per parsed policy (parsing is cached, so once per policy text) for the authorizer.
    @cached_property
    def allows(self) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.effect == "Allow")

    @cached_property
    def denies(self) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.effect == "Deny")

    @cached_property
    def reads_context(self) -> bool:
        """Whether any statement reads the request context (a Condition, or a variable in Resource)."""
        return any(
            s.conditions or any("${" in r for r in (s.resources or ()) + (s.not_resources or ()))
            for s in self.statements
        )

    @classmethod
    def parse(cls, document: str | Mapping[str, Any], *, name: str, kind: PolicyKind) -> Policy:
        """Parse a JSON string or mapping; raise PolicyError for anything AWS would reject."""
        if isinstance(document, str):
            text = document
        else:
            if isinstance(document, Mapping) and not isinstance(document, dict):
                document = dict(document)
            try:
                text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
            except (TypeError, ValueError, RecursionError) as exc:
                raise PolicyError(MALFORMED, f"The policy is not valid JSON: {exc}") from exc
        return _parse_cached(text, name, kind)


@lru_cache(maxsize=4096)
def _parse_cached(text: str, name: str, kind: PolicyKind) -> Policy:
    if kind == "resource":
        _check_key_policy_text(text)
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise PolicyError(
            MALFORMED,
            f"The policy is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
        ) from exc
    except RecursionError as exc:
        raise PolicyError(MALFORMED, "The policy is not valid JSON: it is nested too deeply.") from exc
    if not isinstance(doc, dict):
        raise PolicyError(MALFORMED, "The policy must be a JSON object.")
    unknown = set(doc) - {"Version", "Id", "Statement"}
    if unknown:
        raise PolicyError(MALFORMED, f"The policy has an unknown element: {sorted(unknown)[0]}.")
    version = doc.get("Version")
    if version is not None and version not in _VERSIONS:
        raise PolicyError(MALFORMED, f"The policy Version {version!r} is not 2012-10-17 or 2008-10-17.")
    raw = doc.get("Statement")
    if raw is None:
        raise PolicyError(MALFORMED, "The policy has no Statement element.")
    raw_list = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw_list, list) or not raw_list:
        raise PolicyError(MALFORMED, "Statement must be a statement object or a non-empty list of them.")
    variables = version == VARIABLES_VERSION
    statements = tuple(_parse_statement(i, s, kind, variables) for i, s in enumerate(raw_list))
    sids = [s.sid for s in statements if s.sid]
    if kind != "resource" and len(sids) != len(set(sids)):
        # "In IAM, the Sid value must be unique within a JSON policy." An IAM rule: KMS documents none for key
        # policies (a Sid "can include spaces" there), so a key policy may repeat one (nothing stricter than AWS).
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
        raise PolicyError(MALFORMED, "Statement IDs (SID) in a single policy must be unique.")
    canonical = json.dumps(doc, separators=(",", ":"))
    return Policy(name=name, kind=kind, statements=statements, version=version, text=canonical)


def _check_key_policy_text(text: str) -> None:
    """What KMS checks of a key policy's text before reading it, in the order AWS checks them.

    The API model's constraints on `Policy` (length at most 131072, pattern [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+)
    are checked with the request, before the operation runs, and a value outside them is a ValidationException in
    AWS's validation form ("1 validation error detected: Value at 'policy' failed to satisfy constraint: ...", the
    form kms_input uses; seen from real AWS for this very pattern, docs/aws-references.md 2.4). Then the quota:
    "The maximum length of each key policy document is 32 KB (32,768 bytes)" - counted here as the document's
    bytes in UTF-8, the encoding it travels in (AWS does not say more; white space counts: unlike IAM, KMS does not
    say it is left out) - "If the key policy exceeds the length constraint, KMS returns a LimitExceededException."
    https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
    https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-limit
    """
    if len(text) > KEY_POLICY_MAX_CHARACTERS:
        raise PolicyError(VALIDATION, "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                                      f"Member must have length less than or equal to {KEY_POLICY_MAX_CHARACTERS}")
    if not _KEY_POLICY_CHARS.fullmatch(text):
        raise PolicyError(VALIDATION, "1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                                      "Member must satisfy regular expression pattern: "
                                      "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")
    size = len(text.encode("utf-8"))
    if size > KEY_POLICY_MAX_BYTES:
        # The message is kmslab's wording (AWS's is not documented).
        raise PolicyError(LIMIT_EXCEEDED, f"The key policy is {size} bytes; "
                                          f"the key policy size quota is {KEY_POLICY_MAX_BYTES} bytes (32 KB).")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key repeats: `"Effect":"Allow","Effect":"Deny"` is not read as Deny.

    json.loads would silently keep the last value. What KMS does with an exact duplicate is not
    documented (IAM Access Analyzer's checks name only "Duplicate keys with different case",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html);
    kmslab refuses it rather than guess which value AWS keeps (docs/aws-references.md §1.6).
    """
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise PolicyError(MALFORMED, f"The policy has the key {key!r} twice in one JSON object.")
            seen.add(key)
    return doc


def _strings(value: Any, element: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or (not values and not allow_empty):
        raise PolicyError(MALFORMED, f"{element} must be a string or a non-empty list of strings.")
    for v in values:
        if not isinstance(v, str) or not v:
            raise PolicyError(MALFORMED, f"{element} must contain only non-empty strings.")
    return tuple(values)


def _principal(value: Any, element: str) -> Mapping[str, tuple[str, ...]]:
    if value == "*":
        return {"AWS": ("*",)}
    if not isinstance(value, dict) or not value:
        raise PolicyError(MALFORMED, f'{element} must be "*" or a mapping such as {{"AWS": "ARN"}}.')
    out: dict[str, tuple[str, ...]] = {}
    for ptype, ids in value.items():
        if ptype not in _PRINCIPAL_TYPES:
            raise PolicyError(MALFORMED, f"{element} has an unknown principal type: {ptype}.")
        out[ptype] = _strings(ids, f"{element}.{ptype}")
        if ptype == "AWS":
            for ident in out[ptype]:
                if not _AWS_PRINCIPAL.match(ident):
                    raise PolicyError(MALFORMED, INVALID_PRINCIPALS_MESSAGE)
    return out


def _parse_statement(index: int, raw: Any, kind: PolicyKind, variables: bool = True) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError(MALFORMED, f"Statement #{index} must be a JSON object.")
    unknown = set(raw) - _STATEMENT_FIELDS
    if unknown:
        raise PolicyError(MALFORMED, f"Statement #{index} has an unknown element: {sorted(unknown)[0]}.")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(MALFORMED, f"Statement #{index}: Sid must be a string.")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(MALFORMED, f"Statement #{index}: Effect must be \"Allow\" or \"Deny\".")
    no_action, no_resource = _check_elements(index, raw, kind, effect)
    conditions = _conditions(raw.get("Condition"), index)
    if kind == "resource":
        _check_overly_permissive(conditions)
    get = raw.get
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        principal=_principal(get("Principal"), "Principal") if "Principal" in raw else None,
        not_principal=_principal(get("NotPrincipal"), "NotPrincipal") if "NotPrincipal" in raw else None,
        actions=_strings(get("Action"), "Action") if "Action" in raw else (() if no_action else None),
        not_actions=_strings(get("NotAction"), "NotAction") if "NotAction" in raw else None,
        resources=_strings(get("Resource"), "Resource") if "Resource" in raw else (() if no_resource else None),
        not_resources=_strings(get("NotResource"), "NotResource") if "NotResource" in raw else None,
        conditions=conditions,
        variables=variables,
    )


def _check_elements(index: int, raw: dict[str, Any], kind: PolicyKind, effect: str) -> tuple[bool, bool]:
    """The checks on a statement's elements as the policy's kind requires them; (no Action, no Resource)."""
    pairs = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))
    for a, b in pairs:
        if a in raw and b in raw:
            raise PolicyError(MALFORMED, f"Statement #{index} has both {a} and {b}.")
    no_action = "Action" not in raw and "NotAction" not in raw
    no_resource = kind != "scp" and "Resource" not in raw and "NotResource" not in raw
    if kind != "resource" and no_action:
        raise PolicyError(MALFORMED, f"Statement #{index} has no Action or NotAction.")
    if kind != "resource" and no_resource:
        raise PolicyError(MALFORMED, f"Statement #{index} has no Resource or NotResource.")
    # A key policy statement without Action or Resource is accepted and has no effect: "If either
    # of the required Resource or Action elements are missing from a key policy statement, the
    # policy statement has no effect. When a key policy statement is missing one of these elements,
    # the KMS console correctly reports an error, but the CreateKey and PutKeyPolicy API requests
    # succeed" (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html, Policy).
    # It is kept with an empty Action (or Resource) list, which matches no request.
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if kind == "resource" and not has_principal:
        # AWS's wording (MalformedPolicyDocumentException from CreateKey/PutKeyPolicy):
        # "Each statement in the key policy must contain one or more principals."
        # https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
        raise PolicyError(MALFORMED, NO_PRINCIPAL_MESSAGE)
    if kind == "resource" and not no_resource:
        _check_key_policy_resource(index, raw)
    if kind != "resource" and has_principal:
        raise PolicyError(
            MALFORMED, f"Statement #{index}: a {kind} policy cannot have a Principal element."
        )
    if kind == "resource" and "NotPrincipal" in raw and effect == "Allow":
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
        raise PolicyError(MALFORMED, f"Statement #{index}: NotPrincipal is only supported with Deny.")
    for element in ("Action", "NotAction"):
        for action in raw.get(element, ()) if isinstance(raw.get(element), list) else [raw.get(element)]:
            if action is not None and isinstance(action, str) and action != "*" and ":" not in action:
                raise PolicyError(
                    MALFORMED, f"Statement #{index}: action {action!r} must be service:Action or \"*\"."
                )
    return no_action, no_resource


def _check_key_policy_resource(index: int, raw: Mapping[str, Any]) -> None:
    """A key policy statement's Resource is "*", which means "this KMS key".

    "In a key policy, the value of the Resource element is "*", which means "this KMS
    key."" (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
    Since August 18, 2025 KMS rejects other values: "the KMS CreateKey, ReplicateKey and
    PutKeyPolicy API requests without a valid Action or NotAction, and Resource element
    in the key policy will be rejected with MalformedPolicyDocumentException error ...
    the only accepted Resource element value in a KMS key policy is "*"" (AWS Health
    notice, quoted in docs/aws-references.md section 1.6).
    """
    if "NotResource" in raw:
        raise PolicyError(
            MALFORMED, f'Statement #{index}: a key policy statement needs "Resource": "*", not NotResource.'
        )
    resources = raw.get("Resource")
    listed = resources if isinstance(resources, list) else [resources]
    if not listed or any(r != "*" for r in listed):
        raise PolicyError(
            MALFORMED,
            f'Statement #{index}: the only Resource a key policy accepts is "*" (this KMS key), '
            f"not {resources!r}.",
        )


def _check_overly_permissive(conditions: tuple[Condition, ...]) -> None:
    """KMS refuses ForAllValues with a single-valued encryption context or tag key.

    "If you create or update a policy that includes a ForAllValues set operator with the
    kms:EncryptionContext:context-key or aws:RequestTag/tag-key condition keys, AWS KMS
    returns the following error message: OverlyPermissiveCondition: ..."
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
    """
    for cond in conditions:
        if not cond.operator.startswith("ForAllValues:"):
            continue
        key = cond.key.lower()
        if key.startswith("kms:encryptioncontext:"):
            raise PolicyError(MALFORMED, overly_permissive_message("encryption context"))
        if key.startswith("aws:requesttag/"):
            raise PolicyError(MALFORMED, overly_permissive_message("tag"))


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise PolicyError(MALFORMED, f"{where}: condition values must be strings, numbers or booleans.")


def _conditions(raw: Any, index: int) -> tuple[Condition, ...]:
    from .conditions import known_operator  # local: conditions imports this module's types

    if raw is None:
        return ()
    where = f"Statement #{index} Condition"
    if not isinstance(raw, dict):
        raise PolicyError(MALFORMED, f"{where} must be a JSON object.")
    out = []
    for operator, block in raw.items():
        if not known_operator(operator):
            raise PolicyError(MALFORMED, f"{where}: unknown condition operator {operator!r}.")
        if not isinstance(block, dict) or not block:
            raise PolicyError(MALFORMED, f"{where}: {operator} must map condition keys to values.")
        for key, values in block.items():
            listed = values if isinstance(values, list) else [values]
            out.append(Condition(operator, key, tuple(_scalar(v, where) for v in listed)))
    return tuple(out)


# ---------------------------------------------------------------- policy documents as people write them
# What a "root statement" is and how a Statement element normalises, known here only; widgets,
# course and lab read documents through these (pure functions on JSON-like dicts).

# The account principal: "123456789012" or arn:PARTITION:iam::123456789012:root. "The account ARN
# and the shortened account ID behave the same way. Both delegate permissions to the account."
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
_ACCOUNT_PRINCIPAL = re.compile(r"^(?:\d{12}|arn:aws[a-z-]*:iam::(\d{12}):root)$")


def statement_list(document: Mapping[str, Any]) -> list[Any]:
    """A document's statements as a list: "Statement" may be one statement object or a list of them."""
    raw = document.get("Statement", [])
    return list(raw) if isinstance(raw, list) else [raw]


def aws_principal_ids(statement: Mapping[str, Any], element: str = "Principal") -> list[str]:
    """The AWS principals a statement's Principal (or NotPrincipal) names; "*" for everyone."""
    principal = statement.get(element)
    if principal == "*":
        return ["*"]
    ids = principal.get("AWS", []) if isinstance(principal, Mapping) else principal
    if isinstance(ids, str):
        return [ids]
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def is_account_principal(ident: str, account: str | None = None) -> bool:
    """Whether `ident` is the account principal (of `account`, when given): "123456789012" or
    arn:PARTITION:iam::123456789012:root.

    "The account ARN and the shortened account ID behave the same way. Both delegate
    permissions to the account."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    """
    found = _ACCOUNT_PRINCIPAL.match(ident)
    return found is not None and (account is None or account in (ident, found.group(1)))


def is_account_statement(statement: Any, account: str | None = None) -> bool:
    """An Allow statement whose Principal is the account (the "root statement", which lets IAM policies count).

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
    """
    return (isinstance(statement, Mapping) and statement.get("Effect") == "Allow"
            and any(is_account_principal(p, account) for p in aws_principal_ids(statement)))


def account_statement(account: str) -> dict[str, Any]:
    """The default key policy's statement that lets IAM policies decide (the "root statement").

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    """
    return {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def has_account_statement(document: Mapping[str, Any], account: str | None = None) -> bool:
    """Whether a key policy document has a root statement (for `account`, when given)."""
    return any(is_account_statement(s, account) for s in statement_list(document))


def with_account_statement(document: Mapping[str, Any], account: str, on: bool) -> dict[str, Any]:
    """A copy of the document with the account statement added (first) or every such statement removed."""
    new = copy.deepcopy(dict(document))
    kept = [s for s in statement_list(new) if not is_account_statement(s, account)]
    new["Statement"] = [account_statement(account), *kept] if on else kept
    return new
