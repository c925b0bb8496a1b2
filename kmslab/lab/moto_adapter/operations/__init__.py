"""KMS operations moto does not implement, answered by the adapter in AWS's shape.

moto runs a request by calling the `KmsResponse` method named after the operation
(moto/core/responses.py `call_action`: `camelcase_to_underscores(action)` looked up among the class's
functions), and only after `_authenticate_and_authorize_normal_action`, where kmslab's engine has
already authorized it. A family module here registers a method for each operation moto lacks with
`@operation("GenerateDataKeyPair")`; `install()` adds those methods to `KmsResponse`, never replacing
one moto has (when a moto upgrade implements an operation, moto answers it: check the answer then).

A method reads the request with `params(self)` and returns the JSON text of AWS's response, or raises
`hooks.AwsError` with AWS's error code and message (each operation's API Reference page, Errors).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from moto.kms.responses import KmsResponse

Method = Callable[[KmsResponse], str]

# snake_case method name -> method; filled by the family modules imported at the end of this file.
OPERATIONS: dict[str, Method] = {}


def _snake(operation_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_name).lower()


def operation(name: str) -> Callable[[Method], Method]:
    """Register `method` as the adapter's answer to the KMS operation `name` (e.g. `ImportKeyMaterial`)."""
    def register(method: Method) -> Method:
        OPERATIONS[_snake(name)] = method
        return method
    return register


def params(response: KmsResponse) -> dict[str, Any]:
    """The request's JSON parameters (kmslab's hook has checked the body against botocore's model)."""
    parsed = json.loads(response.body or "{}")
    return parsed if isinstance(parsed, dict) else {}


def implemented_by_adapter() -> frozenset[str]:
    """The operations (snake_case method names) that the adapter, not moto, answers once installed."""
    return frozenset(name for name, method in OPERATIONS.items() if getattr(KmsResponse, name, None) is method)


def install() -> None:
    """Add each registered operation that moto lacks to `KmsResponse` (idempotent)."""
    for name, method in OPERATIONS.items():
        if not hasattr(KmsResponse, name):
            setattr(KmsResponse, name, method)


# Family modules: each registers its operations on import. Add yours here (one line).
from . import _families  # noqa: E402,F401
