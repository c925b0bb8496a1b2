"""IAM condition operators, with IfExists, ForAnyValue and ForAllValues.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .matching import MissingVariable, lookup, substitute, wildcard_match
from .policy import Condition

Compare = Callable[[str, str], bool]
# A plain decimal number (Python's float() would also take "1_000", " 5 " or "nan").
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _num(v: str) -> float:
    if not _NUMBER.fullmatch(v):
        raise ValueError(v)
    return float(v)


def _date(v: str) -> float:
    """Dates are ISO 8601 or epoch seconds ("UNIX epoch time")."""
    if _NUMBER.fullmatch(v):
        return float(v)
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
    return all(wildcard_match(p, v) for p, v in zip(p_parts, v_parts, strict=True))


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
# Operators whose policy values may contain policy variables: "You can use a policy
# variable for Condition values in any condition that involves the string operators
# or the ARN operators." Like/ARN operators take wildcards, so a substituted value
# (and ${*}, ${?}) must match itself literally there.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
_VARIABLE_OPERATORS = ("String", "Arn")
_PATTERN_OPERATORS = frozenset({"StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"})


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


def _values(raw: Any) -> list[Any]:
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
    return [
        ("true" if x else "false") if isinstance(x, bool) else x if isinstance(x, (str, bytes)) else str(x)
        for x in items
    ]


def _any_match(base: str, policy_values: tuple[str, ...], value: Any) -> bool:
    compare = _POSITIVE[base]
    for p in policy_values:
        try:
            if compare(p, value):
                return True
        except (ValueError, TypeError, AttributeError, OverflowError):
            continue  # a value of the wrong type never matches
    return False


def _policy_values(cond: Condition, base: str, context: Mapping[str, Any]) -> tuple[str, ...]:
    """The condition's values with policy variables substituted.

    "When policy variables reference a condition context key that has no value or is
    not present ... the value is effectively null. There is no equal or like value."
    A value with such a variable is dropped: it matches nothing, so a positive
    operator left with no values is false and a negated one ("Inverted condition
    operators like StringNotEquals or StringNotLike do match against a null value")
    is true.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
    """
    if not base.startswith(_VARIABLE_OPERATORS):
        return cond.values
    pattern = base in _PATTERN_OPERATORS
    out = []
    for v in cond.values:
        try:
            out.append(substitute(v, context, pattern=pattern))
        except MissingVariable:
            continue
    return tuple(out)


def evaluate_condition(cond: Condition, context: Mapping[str, Any], *, variables: bool = True) -> bool:
    """True when one operator/key pair of a Condition block holds for the request.

    `variables` is False for policies without `"Version": "2012-10-17"`, where
    "variables like ${aws:username} are treated as literal strings".
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    split = _split(cond.operator)
    if split is None:  # rejected at parse time; a hand-built Condition never matches
        return False
    qualifier, base, if_exists = split
    raw = lookup(context, cond.key)
    present = raw is not None and raw != [] and raw != ()

    if base == "Null":
        # "true (the key doesn't exist — it is null) or false (the key exists and its
        # value is not null)"; several values are OR'ed like any other operator.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
        return any((v.lower() == "true") == (not present) for v in cond.values)

    policy_values = _policy_values(cond, base, context) if variables else cond.values
    negated = base in _NEGATED
    positive = _NEGATED.get(base, base)

    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
    if qualifier == "ForAllValues":
        # "It also returns true if there are no keys in the request, or if the key
        # values resolve to a null data set". Every request value must match.
        if not present:
            return True
        values = _values(raw)
        if negated:
            return all(not _any_match(positive, policy_values, v) for v in values)
        return all(_any_match(positive, policy_values, v) for v in values)
    if qualifier == "ForAnyValue":
        # "For no matching key or a null dataset, the condition returns false"
        # (IfExists: "If the key is not present, evaluate the condition element as true").
        if not present:
            return if_exists
        values = _values(raw)
        if negated:
            return any(not _any_match(positive, policy_values, v) for v in values)
        return any(_any_match(positive, policy_values, v) for v in values)

    if not present:
        # "If the key that you specify in a policy condition is not present in the
        # request context, the values do not match and the condition is false. If the
        # policy condition requires that the key is not matched, such as StringNotLike
        # or ArnNotLike, and the right key is not present, the condition is true."
        # IfExists: "If the key is not present, evaluate the condition element as true."
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
        return True if if_exists else negated
    values = _values(raw)
    matched = any(_any_match(positive, policy_values, v) for v in values)
    return not matched if negated else matched


def conditions_hold(
    conditions: tuple[Condition, ...], context: Mapping[str, Any], *, variables: bool = True
) -> bool:
    """All operator/key pairs must hold (AND); values within one key are OR'ed.

    "If your policy has multiple condition operators or multiple keys attached to a
    single condition operator, the conditions are evaluated using a logical AND. If a
    single condition operator includes multiple values for one key, that condition
    operator is evaluated using a logical OR."
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
    """
    return all(evaluate_condition(c, context, variables=variables) for c in conditions)
