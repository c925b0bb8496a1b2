"""IAM condition operators, with IfExists, ForAnyValue and ForAllValues.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .matching import MissingVariable, lookup, substitute, wildcard_match
from .policy import Condition

Compare = Callable[[str, str], bool]


def _num(v: str) -> float:
    return float(v)


def _date(v: str) -> float:
    """Dates are ISO 8601 or epoch seconds."""
    try:
        return float(v)
    except ValueError:
        pass
    text = v.strip().replace("Z", "+00:00")
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _ip(policy: str, value: str) -> bool:
    return ipaddress.ip_address(value) in ipaddress.ip_network(policy, strict=False)


def _arn_like(policy: str, value: str) -> bool:
    """ArnLike matches each of the six colon-delimited ARN parts separately."""
    p_parts, v_parts = policy.split(":", 5), value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return False
    return all(wildcard_match(p, v) for p, v in zip(p_parts, v_parts))


def _binary(policy: str, value: str) -> bool:
    try:
        return base64.b64decode(policy) == (
            value if isinstance(value, bytes) else base64.b64decode(value)
        )
    except (ValueError, TypeError):
        return False


# Positive operators: name -> (compare(policy_value, request_value), negated twin name)
_POSITIVE: dict[str, Compare] = {
    "StringEquals": lambda p, v: p == v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": lambda p, v: wildcard_match(p, v),
    "NumericEquals": lambda p, v: _num(v) == _num(p),
    "NumericLessThan": lambda p, v: _num(v) < _num(p),
    "NumericLessThanEquals": lambda p, v: _num(v) <= _num(p),
    "NumericGreaterThan": lambda p, v: _num(v) > _num(p),
    "NumericGreaterThanEquals": lambda p, v: _num(v) >= _num(p),
    "DateEquals": lambda p, v: _date(v) == _date(p),
    "DateLessThan": lambda p, v: _date(v) < _date(p),
    "DateLessThanEquals": lambda p, v: _date(v) <= _date(p),
    "DateGreaterThan": lambda p, v: _date(v) > _date(p),
    "DateGreaterThanEquals": lambda p, v: _date(v) >= _date(p),
    "Bool": lambda p, v: p.lower() == v.lower(),
    "BinaryEquals": _binary,
    "IpAddress": _ip,
    "ArnEquals": _arn_like,  # ArnEquals and ArnLike behave identically
    "ArnLike": _arn_like,
}
# Negated operators: true when no policy value matches.
_NEGATED: dict[str, str] = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
# Operators whose policy values may contain policy variables.
_VARIABLE_OPERATORS = ("String", "Arn")


@lru_cache(maxsize=1024)
def _split(operator: str) -> tuple[str | None, str, bool] | None:
    qualifier = None
    rest = operator
    for q in ("ForAnyValue:", "ForAllValues:"):
        if operator.startswith(q):
            qualifier, rest = q[:-1], operator[len(q):]
            break
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[: -len("IfExists")] if if_exists else rest
    if base == "Null":
        if qualifier or if_exists:
            return None
        return None, base, False
    if base not in _POSITIVE and base not in _NEGATED:
        return None
    return qualifier, base, if_exists


def known_operator(operator: str) -> bool:
    """True for every documented operator and its IfExists / ForAnyValue / ForAllValues forms."""
    return _split(operator) is not None


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
    return [("true" if x else "false") if isinstance(x, bool) else str(x) for x in items]


def _any_match(base: str, policy_values: tuple[str, ...], value: str) -> bool:
    compare = _POSITIVE[base]
    for p in policy_values:
        try:
            if compare(p, value):
                return True
        except (ValueError, TypeError):
            continue  # a value of the wrong type never matches
    return False


def evaluate_condition(cond: Condition, context: Mapping[str, Any]) -> bool:
    """True when one operator/key pair of a Condition block holds for the request."""
    split = _split(cond.operator)
    assert split is not None, cond.operator  # rejected at parse time
    qualifier, base, if_exists = split
    raw = lookup(context, cond.key)
    present = raw is not None and raw != [] and raw != ()

    if base == "Null":
        # "true": the key must be absent; "false": it must be present.
        return any((v.lower() == "true") == (not present) for v in cond.values)

    try:
        if base.startswith(_VARIABLE_OPERATORS) or base.startswith(("StringNot", "ArnNot")):
            policy_values = tuple(substitute(v, context) for v in cond.values)
        else:
            policy_values = cond.values
    except MissingVariable:
        return False

    negated = base in _NEGATED
    positive = _NEGATED.get(base, base)

    if qualifier == "ForAllValues":
        # Empty or missing key: true. Every request value must match.
        if not present:
            return True
        values = _values(raw)
        if negated:
            return all(not _any_match(positive, policy_values, v) for v in values)
        return all(_any_match(positive, policy_values, v) for v in values)
    if qualifier == "ForAnyValue":
        if not present:
            return if_exists
        values = _values(raw)
        if negated:
            return any(not _any_match(positive, policy_values, v) for v in values)
        return any(_any_match(positive, policy_values, v) for v in values)

    if not present:
        # IfExists: a missing key makes the condition true. Otherwise a positive
        # operator fails; a negated operator holds (the key does not equal the value).
        return True if if_exists else negated
    values = _values(raw)
    matched = any(_any_match(positive, policy_values, v) for v in values)
    return not matched if negated else matched


def conditions_hold(conditions: tuple[Condition, ...], context: Mapping[str, Any]) -> bool:
    """All operator/key pairs must hold (AND); values within one key are OR'ed."""
    return all(evaluate_condition(c, context) for c in conditions)
