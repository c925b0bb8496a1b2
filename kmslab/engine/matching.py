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

# A `*` or `?` that must match itself, not act as a wildcard: what `${*}` and `${?}`
# become in a pattern ("use where you need an * (asterisk) character"), and what a
# wildcard character inside a substituted request value becomes. Unicode
# noncharacters, so no real policy or request text collides with them.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
LITERAL_STAR = "\ufdd0"
LITERAL_QUESTION = "\ufdd1"
_TO_LITERAL = str.maketrans({"*": LITERAL_STAR, "?": LITERAL_QUESTION})
_FROM_LITERAL = str.maketrans({LITERAL_STAR: "*", LITERAL_QUESTION: "?"})


@lru_cache(maxsize=8192)
def _compile(pattern: str) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        if ch == "*":
            parts.append(".*")
        elif ch == "?":
            parts.append(".")
        else:
            parts.append(re.escape(ch.translate(_FROM_LITERAL)))
    return re.compile("".join(parts), re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """True when `value` matches `pattern` with IAM's `*` (any run) and `?` (one character).

    With `ignore_case`, both sides are lower-cased first (one rule for the fast
    path and the regex path alike).
    """
    if pattern == "*":
        return True
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    if "*" not in pattern and "?" not in pattern:
        if LITERAL_STAR in pattern or LITERAL_QUESTION in pattern:
            pattern = pattern.translate(_FROM_LITERAL)
        return pattern == value
    return _compile(pattern).fullmatch(value) is not None


@lru_cache(maxsize=65536)  # pure, and asked for the same few pairs on every decision
def action_matches(pattern: str, action: str) -> bool:
    """Action names are case-insensitive: `KMS:decrypt` matches `kms:Decrypt`.

    "The prefix and the action name are case insensitive."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    return wildcard_match(pattern, action, ignore_case=True)


class MissingVariable(LookupError):
    """A policy variable whose key is absent from the request context."""


def substitute(text: str, context: Mapping[str, Any], *, pattern: bool = False) -> str:
    """Replace `${key}` policy variables from the request context.

    A missing key raises MissingVariable: AWS then treats the value as null, which
    no positive operator and no Resource matches. `${*}`, `${?}`, `${$}` are the
    literal characters; `${key, 'default'}` uses the default when the key is missing.
    With `pattern` (StringLike, ArnLike, Resource), the result is a wildcard pattern
    in which `${*}`, `${?}` and substituted values match themselves literally.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    if "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body in _SPECIAL:
            value = _SPECIAL[body]
        else:
            name, _, default = body.partition(",")
            found = lookup(context, name.strip())
            if found is None:
                default = default.strip()
                if len(default) >= 2 and default[0] == default[-1] == "'":
                    value = default[1:-1]
                else:
                    raise MissingVariable(name.strip())
            elif isinstance(found, (list, tuple, set, frozenset)):
                # "You cannot use a multivalued condition key as a policy variable."
                raise MissingVariable(name.strip())
            else:
                value = str(found).lower() if isinstance(found, bool) else str(found)
        return value.translate(_TO_LITERAL) if pattern else value

    return _VARIABLE.sub(replace, text)


class LowerKeyContext(dict[str, Any]):
    """A request context whose keys are all lower-case, so lookups need no scan."""

    __slots__ = ()


def lookup(context: Mapping[str, Any], key: str) -> Any:
    """Look up a condition key: key names are case-insensitive, suffixes included.

    IAM: "Condition key names are not case-sensitive."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    KMS: the kms:EncryptionContext:context-key name is not case-sensitive either
    (use kms:EncryptionContextKeys for case-sensitive keys).
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
    """
    if isinstance(context, LowerKeyContext):
        return context.get(key.lower())
    if key in context:
        return context[key]
    lowered = key.lower()
    for k, v in context.items():
        if k.lower() == lowered:
            return v
    return None
