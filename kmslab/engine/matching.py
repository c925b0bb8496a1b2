"""IAM wildcard matching and policy variables.

Hand-written because no library implements IAM's rules: `*` and `?` are the only
wildcards (fnmatch would also treat `[...]` as a character class), actions match
case-insensitively and ARNs case-sensitively.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@lru_cache(maxsize=8192)
def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when `value` matches `pattern` with IAM's `*` (any run) and `?` (one character)."""
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _compile(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Action names are case-insensitive: `KMS:decrypt` matches `kms:Decrypt`."""
    return wildcard_match(pattern, action, ignore_case=True)


class MissingVariable(LookupError):
    """A policy variable whose key is absent from the request context."""


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """Replace `${key}` policy variables from the request context.

    A missing key raises MissingVariable: AWS then treats the element as not
    matching. `${*}`, `${?}`, `${$}` are the literal characters; `${key, 'default'}`
    uses the default when the key is missing.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    if "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body in _SPECIAL:
            return _SPECIAL[body]
        name, _, default = body.partition(",")
        value = lookup(context, name.strip())
        if value is None:
            default = default.strip()
            if len(default) >= 2 and default[0] == default[-1] == "'":
                return default[1:-1]
            raise MissingVariable(name.strip())
        if isinstance(value, (list, tuple)):
            raise MissingVariable(name.strip())  # multivalued keys are not valid as variables
        return str(value).lower() if isinstance(value, bool) else str(value)

    return _VARIABLE.sub(replace, text)


def lookup(context: Mapping[str, Any], key: str) -> Any:
    """Look up a condition key: key names are case-insensitive, suffixes included.

    IAM: "Condition key names are not case-sensitive."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    KMS: the kms:EncryptionContext:context-key name is not case-sensitive either
    (use kms:EncryptionContextKeys for case-sensitive keys).
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    if key in context:
        return context[key]
    lowered = key.lower()
    for k, v in context.items():
        if k.lower() == lowered:
            return v
    return None
