"""KMS operations moto does not implement, answered by the adapter in AWS's shape.

moto runs a request by calling the `KmsResponse` method named after the operation
(moto/core/responses.py `call_action`: `camelcase_to_underscores(action)` looked up among the class's
functions), and only after `_authenticate_and_authorize_normal_action`, where kmslab's engine has
already authorized it. A family module here registers a method for each operation moto lacks with
`@operation("GenerateDataKeyPair")`; `install()` adds those methods to `KmsResponse`, never replacing
one moto has (when a moto upgrade implements an operation, moto answers it: check the answer then).

A method reads the request with `params(self)` and returns the JSON text of AWS's response, or raises
`hooks.AwsError` with AWS's error code and message (each operation's API Reference page, Errors).

Where moto implements an operation but misses part of AWS's answer (CreateKey with Origin EXTERNAL makes a key
with material), `@around("CreateKey")` registers a function `(response, moto_method) -> str` that runs in its
place and may call moto's method; `install()` wraps moto's method once. An `@around` may also wrap an operation the
adapter answers (DryRun wraps both kinds: dry_run.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from moto.kms.responses import KmsResponse

from ..world import kms_backend

Method = Callable[[KmsResponse], str]
Around = Callable[[KmsResponse, Method], str]

# snake_case method name -> method; filled by the family modules imported at the end of this file.
OPERATIONS: dict[str, Method] = {}
# snake_case method name -> the functions wrapped around moto's own method (outermost last).
AROUND: dict[str, list[Around]] = {}
_WRAPPED: dict[str, Method] = {}  # snake_case name -> moto's own method, once wrapped


def _snake(operation_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_name).lower()


def operation(name: str) -> Callable[[Method], Method]:
    """Register `method` as the adapter's answer to the KMS operation `name` (e.g. `ImportKeyMaterial`)."""
    def register(method: Method) -> Method:
        OPERATIONS[_snake(name)] = method
        return method
    return register


def around(name: str) -> Callable[[Around], Around]:
    """Register `function(response, moto_method)` to answer the KMS operation `name` that moto implements."""
    def register(function: Around) -> Around:
        AROUND.setdefault(_snake(name), []).append(function)
        return function
    return register


def params(response: KmsResponse) -> Mapping[str, Any]:
    """The request's JSON parameters (kmslab's hook has checked the body against botocore's model), to read only.

    Parsed once per body: several `@around`s of one request read them, the same parse each (a Mapping: a caller that
    would change them works on its own copy, `dict(params(response))`).
    What is kept as `_kmslab_params` is always `(body, json.loads(body))` (speedups.py reads it too): a body that is
    not a JSON object reads as no parameters here and is not kept.
    """
    body = response.body or "{}"
    kept = response._kmslab_params  # type: ignore[attr-defined]  # None on the class (hooks.REQUEST_NOTES)
    if kept is None or kept[0] is not body:
        parsed = json.loads(body)
        if not isinstance(parsed, dict):
            return {}
        kept = response._kmslab_params = (body, parsed)  # type: ignore[attr-defined]
    found: dict[str, Any] = kept[1]
    return found


def backend(response: KmsResponse) -> Any:
    """moto's KMS backend of the request's account and region: `response.kms_backend`, which looks it up through
    moto's BackendDicts (~1-2 us), read from the adapter's own table of them (world.py, kept per mock as the hook's
    lookups of the same request are)."""
    return kms_backend(response.current_account, response.region)


def param(response: KmsResponse, name: str) -> Any:
    """One parameter of the request, read without copying them all (`params(response).get(name)`)."""
    kept = response._kmslab_params  # type: ignore[attr-defined]
    if kept is not None and kept[0] is (response.body or "{}"):
        return kept[1].get(name)
    return params(response).get(name)


def innermost(name: str) -> Method | None:
    """The method that answers the operation `name` (snake_case) under any `@around` wrapped around it."""
    return _WRAPPED.get(name, getattr(KmsResponse, name, None))


def implemented_by_adapter() -> frozenset[str]:
    """The operations (snake_case method names) that the adapter, not moto, answers once installed."""
    return frozenset(name for name, method in OPERATIONS.items() if innermost(name) is method)


def install() -> None:
    """Add each registered operation that moto lacks to `KmsResponse` (idempotent)."""
    for name, method in OPERATIONS.items():
        if not hasattr(KmsResponse, name):
            setattr(KmsResponse, name, method)
    for name, functions in AROUND.items():
        if name in _WRAPPED or not hasattr(KmsResponse, name):
            continue
        wrapped = _WRAPPED[name] = getattr(KmsResponse, name)
        for function in functions:
            wrapped = _wrap(function, wrapped)
        setattr(KmsResponse, name, wrapped)


def _wrap(function: Around, inner: Method) -> Method:
    def method(self: KmsResponse) -> str:
        return function(self, inner)
    method.__name__ = inner.__name__
    return method


# Family modules: each registers its operations on import. Add yours here (one line).
from . import _families  # noqa: E402,F401
