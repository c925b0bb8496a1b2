"""A KMS request body, read as AWS reads it: AWS's 400 errors for what it cannot read, never a crash.

The hook reads every KMS request's JSON body before moto runs it, from in-process clients and
`kmslab serve` alike. A body that is not a JSON object, names an operation KMS does not have, or
holds values of the wrong type is answered as AWS answers it, checked against botocore's own
KMS service model (the shapes AWS publishes):

- not JSON, not UTF-8, nested too deep, not an object, a value of the wrong type, a blob that is
  not base64: `SerializationException` (the request cannot be deserialized);
- a required member missing, a value too short or too long, a number out of the model's range: `ValidationException`
  ("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null";
  "... Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
- an operation KMS does not have: `UnknownOperationException`.
https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html
Members the model does not know are ignored, as AWS's JSON protocol ignores them.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from functools import lru_cache
from typing import Any

from .moto_adapter import AwsError

MAX_DEPTH = 32  # KMS inputs nest at most 3 levels (EncryptionContext, grant Constraints)
_VALID_MAX = 4096
_valid: set[tuple[str, str]] = set()  # (operation, body) found well-formed by the checks here (checked once)
_lock = threading.Lock()


class _Made(threading.local):
    """The (operation, body) a validating lab client made last on this thread (`note_validated_bodies`): in process,
    moto reads a request on the thread that sent it, next. One slot, no set: nothing to hash, lock or evict on
    every request. A body is well-formed or not whoever sends it, so a slot left from an earlier request is harmless."""

    body: tuple[str, str] | None = None


_MADE = _Made()


@lru_cache(maxsize=1)
def _operation_names() -> frozenset[str]:
    return frozenset(_model().operation_names)  # botocore's is a list


@lru_cache(maxsize=1)
def _model() -> Any:
    """botocore's own KMS model (its data folder only, as the lab's clients load it: not ~/.aws/models)."""
    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    loader = Loader(include_default_search_paths=False, extra_search_paths=[Loader.BUILTIN_DATA_PATH])
    return ServiceModel(loader.load_service_model("kms", "service-2"), "kms")


def _remember(operation: str, text: str) -> None:
    if len(text) <= 2048:
        with _lock:
            if len(_valid) >= _VALID_MAX:
                _valid.clear()
            _valid.add((operation, text))


class _NotingSerializer:
    """A botocore client's serializer that validates, then serializes (botocore's ParamValidationDecorator),
    and tells this module which body it made for which operation."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def serialize_to_request(self, parameters: Any, operation_model: Any) -> Any:
        request = self._inner.serialize_to_request(parameters, operation_model)  # raises on invalid parameters
        body = request.get("body")
        if (isinstance(body, bytes) and operation_model.name in _operation_names()
                and not _over_maximum(operation_model.input_shape, parameters, raw=True)):  # botocore: minimums only
            _MADE.body = (operation_model.name, body.decode("utf-8"))
        return request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def note_validated_bodies(client: Any) -> None:
    """Let the bodies a KMS client makes skip the check in `parse_params`, when the client validates its
    parameters (botocore's default): botocore checks them with the same ParamValidator against the same
    KMS model before it serializes them (types, required members, lengths, ranges; it also refuses members
    the model does not know), and its JSON is well-formed, base64 for blobs, and nests as the shapes do.
    So a body it made passes every check here; a body changed afterwards (an event handler) is another
    text and is checked. Clients that do not validate, and requests from outside (`kmslab serve`), are
    checked as before."""
    from botocore.validate import ParamValidationDecorator

    serializer = getattr(client, "_serializer", None)
    if isinstance(serializer, ParamValidationDecorator) and client.meta.service_model.service_name == "kms":
        client._serializer = _NotingSerializer(serializer)


def _too_deep(text: str) -> bool:
    """Whether brackets nest deeper than MAX_DEPTH in `text`. Nesting never exceeds the number of
    opening brackets, so a body with at most MAX_DEPTH of them (every KMS request boto3 sends) is
    answered by two C-speed counts instead of a walk over every character (~15 us for a ciphertext)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    return _depth(text) > MAX_DEPTH


def _depth(text: str) -> int:
    """How deep brackets nest in `text` (ignoring those inside strings), counted without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _serialization(message: str) -> AwsError:
    return AwsError("SerializationException", message)


def parse_params(operation: str, body: str | bytes | None) -> dict[str, Any]:
    """The request's parameters; AwsError (AWS's code and a message) if AWS could not read them."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _serialization("The request body is not valid UTF-8.") from None
    text = body or "{}"
    if _MADE.body == (operation, text) or (operation, text) in _valid:
        params: dict[str, Any] = json.loads(text)
        return params
    model = _model()
    if operation not in _operation_names():
        raise AwsError("UnknownOperationException", f"Unknown operation {operation!r} for KMS.")
    if _too_deep(text):
        raise _serialization(f"The request body nests deeper than {MAX_DEPTH} levels.")
    try:
        params = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _serialization(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(params, dict):
        raise _serialization(f"Start of {_JSON_TYPE.get(type(params), 'value')} found where an object was expected.")
    _check_shapes(model.operation_model(operation).input_shape, params)
    _remember(operation, text)
    return params


@lru_cache(maxsize=256)  # one per KMS operation: botocore hands out the same shape object each time
def _blob_members(shape: Any) -> tuple[str, ...]:
    """The top-level members of an input shape that are blobs (base64 in the JSON body)."""
    return tuple(name for name, member in shape.members.items() if member.type_name == "blob")


@lru_cache(maxsize=1)
def _validator() -> Any:
    """botocore's validator of parameters against a shape (it keeps no state between calls)."""
    from botocore.validate import ParamValidator

    return ParamValidator()


def _check_shapes(shape: Any, params: dict[str, Any]) -> None:
    members = shape.members
    known = {k: v for k, v in params.items() if k in members}  # AWS ignores members it does not know
    report = _validator().validate(known, shape)
    errors = getattr(report, "_errors", [])
    types = [e for e in errors if e[0] in ("invalid type", "unable to encode to json")]
    if types:
        _, name, details = types[0]
        raise _serialization(f"Value of {str(name).lstrip('.')} has the wrong JSON type "
                             f"({_JSON_TYPE.get(type(details.get('param')), 'other')}).")
    for name in _blob_members(shape):
        if isinstance(params.get(name), str):
            try:
                base64.b64decode(params[name], validate=True)
            except (binascii.Error, ValueError):
                raise _serialization(f"Value of {name} is not valid base64.") from None
    problems = _over_maximum(shape, known)
    if not errors and not problems:
        return
    for reason, name, details in errors:
        field = _camel(str(name).lstrip("."))
        if reason == "missing required field":
            field = _camel(".".join(p for p in (str(name).lstrip("."), details.get("required_name", "")) if p))
            problems.append(f"Value null at '{field}' failed to satisfy constraint: Member must not be null")
        elif reason == "invalid length":
            problems.append(f"Value at '{field}' failed to satisfy constraint: Member must have length "
                            f"greater than or equal to {details.get('min_allowed', 1)}")
        elif reason == "invalid range":
            problems.append(f"Value at '{field}' failed to satisfy constraint: Member must have value "
                            f"greater than or equal to {details.get('min_allowed', 1)}")
    if problems:
        count = len(problems)
        raise AwsError("ValidationException", f"{count} validation error{'s' if count > 1 else ''} detected: "
                       + "; ".join(problems))


@lru_cache(maxsize=512)  # one per shape: botocore hands out the same shape objects each time
def _maxima(shape: Any) -> tuple[tuple[str, str, int, Any], ...]:
    """(member, kind, maximum, member shape) of a structure's members the model bounds from above, and of its
    structure members (kind "structure", maximum 0) that hold such members."""
    out = []
    for name, member in shape.members.items():
        maximum = member.metadata.get("max")
        if maximum is not None and member.type_name in ("string", "blob", "list", "map", "integer", "long"):
            out.append((name, member.type_name, int(maximum), member))
        elif member.type_name == "structure" and _maxima(member):
            out.append((name, "structure", 0, member))
    return tuple(out)


def _over_maximum(shape: Any, params: Any, prefix: str = "", *, raw: bool = False) -> list[str]:
    """AWS's messages for values over the model's maximum (botocore's validator checks only minimums): a length
    ("Member must have length less than or equal to N": characters of a string, bytes of a blob, items of a list or
    map) or a number ("Member must have value less than or equal to N"), for the request's members and those of its
    structures. A blob is bytes, or text: base64 in a JSON body, or (`raw`: boto3's parameters) text boto3 sends
    as its UTF-8 bytes."""
    if not isinstance(params, dict):
        return []
    problems = []
    for name, kind, maximum, member in _maxima(shape):
        value = params.get(name)
        if value is None:
            continue
        if kind == "structure":
            problems += _over_maximum(member, value, f"{prefix}{name}.", raw=raw)
        elif kind in ("integer", "long"):
            if isinstance(value, int) and not isinstance(value, bool) and value > maximum:
                problems.append(f"Value at '{_camel(prefix + name)}' failed to satisfy constraint: Member must have "
                                f"value less than or equal to {maximum}")
        elif _length(kind, value, raw) > maximum:
            problems.append(f"Value at '{_camel(prefix + name)}' failed to satisfy constraint: Member must have length "
                            f"less than or equal to {maximum}")
    return problems


def _length(kind: str, value: Any, raw: bool) -> int:
    if kind == "blob" and isinstance(value, str):
        if raw:
            return len(value.encode("utf-8"))
        return len(value) * 3 // 4 - value[-2:].count("=")  # base64 text: the bytes it stands for
    try:
        return len(value)
    except TypeError:  # a value of the wrong type is reported elsewhere
        return 0


_JSON_TYPE = {str: "string", dict: "object", list: "array", bool: "boolean", int: "number", float: "number",
              type(None): "null"}


def _camel(name: str) -> str:
    """AWS's member names in validation messages: keyId, not KeyId."""
    return ".".join(part[:1].lower() + part[1:] for part in str(name).split(".")) if name else name
