"""moto's request path, patched: every KMS request goes to kmslab's handler before moto runs it.

moto calls `BaseResponse._authenticate_and_authorize_normal_action` once per request, before the
action, for in-process mocks and `ThreadedMotoServer` alike (moto/core/responses.py
`call_action`). The patch on `KmsResponse` hands the request to the active handler as a
`KmsRequest`; an `AwsError` raised there reaches boto3 as an ordinary ClientError. The other
patches tell the handler when IAM or STS may have changed, give IAM users AWS-shaped unique ids,
and write a deleted principal's unique id into key policies as AWS does.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Mapping
from typing import Any, Protocol

from moto.core.exceptions import JsonRESTError
from moto.iam.models import IAMBackend
from moto.iam.responses import IamResponse
from moto.kms.responses import KmsResponse
from moto.sts.responses import TokenResponse
from werkzeug.exceptions import HTTPException


class AwsError(JsonRESTError):
    """AWS's JSON error (HTTP 400), as boto3 receives it: `raise AwsError("AccessDeniedException", message)`.

    moto's JsonRESTError without the XML body it renders first and then drops (~20 us a request).
    """

    def __init__(self, error_type: str, message: str) -> None:
        HTTPException.__init__(self)
        self.error_type, self.message = error_type, message
        self.description = json.dumps({"__type": error_type, "message": message})
        self.content_type = "application/json"


class KmsRequest:
    """One KMS request as moto received it, before it runs (a view of moto's `KmsResponse`)."""

    __slots__ = ("_response",)

    def __init__(self, response: KmsResponse) -> None:
        self._response = response

    @property
    def operation(self) -> str:
        """The API operation, e.g. `Decrypt`."""
        return self._response._get_action()

    @property
    def body(self) -> str:
        """The JSON body; assigning it changes what moto runs."""
        return self._response.body or ""

    @body.setter
    def body(self, text: str) -> None:
        self._response.body = text

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def access_key(self) -> str:
        return self._response.access_key

    @property
    def region(self) -> str:
        return self._response.region

    def route_to(self, account: str) -> None:
        """Run the request in `account`'s backend (moto does not route cross-account calls itself)."""
        self._response.current_account = account

    @property
    def note(self) -> Any:
        """What the handler attached to this request (read back in `finish`)."""
        return getattr(self._response, "_kmslab_note", None)

    @note.setter
    def note(self, value: Any) -> None:
        self._response._kmslab_note = value  # type: ignore[attr-defined]


class Handler(Protocol):
    """What kmslab's hook does with moto's requests (`kmslab.lab.hook.Authorizer`)."""

    def authorize_request(self, request: KmsRequest) -> None: ...
    def finish(self, request: KmsRequest, status: int, body: Any) -> None: ...
    def changed(self, scope: str = "all", key_id: str | None = None) -> None: ...


_HANDLER: Handler | None = None
_ORIGINAL: dict[str, Any] = {}


def set_handler(handler: Handler | None) -> None:
    """Make `handler` see every KMS request and IAM/STS change (None: moto alone). Patches moto once."""
    global _HANDLER
    if not _ORIGINAL:
        _patch()
    _HANDLER = handler


def handler() -> Handler | None:
    return _HANDLER


def _kms_authorize(self: KmsResponse, resource: str = "*") -> None:
    if _HANDLER is None:
        return _ORIGINAL["auth"](self, resource)
    _HANDLER.authorize_request(KmsRequest(self))
    return None


def _kms_validate_key_policy(self: KmsResponse, key_id: str, action: str) -> None:
    """moto's own key policy check ignores Principal (a Deny for anyone denies everyone): with a handler,
    kmslab's engine has decided already."""
    if _HANDLER is None:
        _ORIGINAL["validate_key_policy"](self, key_id, action)


def _kms_call_action(self: KmsResponse) -> Any:
    status, headers, body = _ORIGINAL["call_action"](self)
    if _HANDLER is not None:
        _HANDLER.finish(KmsRequest(self), int(status), body)
    return status, headers, body


def _iam_sts_call_action(original: Any) -> Any:
    def call_action(self: Any) -> Any:
        try:
            return original(self)
        finally:
            if _HANDLER is not None and not self._get_action().startswith(("Get", "List")):
                _HANDLER.changed("iam")  # an IAM or STS change may change any decision
    return call_action


def aws_unique_id(prefix: str) -> str:
    """An id shaped like AWS's (AIDA/AROA + 17 characters)."""
    return prefix + "".join(random.choices(string.ascii_uppercase + string.digits, k=17))


def _create_user(self: IAMBackend, *args: Any, **kwargs: Any) -> Any:
    result = _ORIGINAL["create_user"](self, *args, **kwargs)
    user = result[0] if isinstance(result, tuple) else result
    user.id = aws_unique_id("AIDA")  # moto's ids are lower-case; AWS's start with AIDA
    return result


def _delete_user(self: IAMBackend, user_name: str) -> None:
    user = self.get_user(user_name)
    arn, unique_id = user.arn, user.id
    _ORIGINAL["delete_user"](self, user_name)
    _principal_deleted(arn, unique_id)


def _delete_role(self: IAMBackend, role_name: str) -> None:
    role = self.get_role(role_name)
    arn, unique_id = role.arn, role.id
    _ORIGINAL["delete_role"](self, role_name)
    _principal_deleted(arn, unique_id)


def _principal_deleted(arn: str, unique_id: str) -> None:
    from .world import replace_principal_in_key_policies

    replace_principal_in_key_policies(arn, unique_id)
    if _HANDLER is not None:
        _HANDLER.changed()  # an IAM delete that edits key policies


def _patch() -> None:
    _ORIGINAL["auth"] = KmsResponse._authenticate_and_authorize_normal_action
    _ORIGINAL["call_action"] = KmsResponse.call_action
    _ORIGINAL["validate_key_policy"] = KmsResponse._validate_key_policy
    _ORIGINAL["create_user"] = IAMBackend.create_user
    _ORIGINAL["delete_user"] = IAMBackend.delete_user
    _ORIGINAL["delete_role"] = IAMBackend.delete_role
    IamResponse.call_action = _iam_sts_call_action(IamResponse.call_action)  # type: ignore[method-assign]
    TokenResponse.call_action = _iam_sts_call_action(TokenResponse.call_action)  # type: ignore[method-assign]
    KmsResponse._validate_key_policy = _kms_validate_key_policy  # type: ignore[method-assign]
    KmsResponse._authenticate_and_authorize_normal_action = _kms_authorize  # type: ignore[method-assign]
    KmsResponse.call_action = _kms_call_action  # type: ignore[method-assign]
    IAMBackend.create_user = _create_user  # type: ignore[method-assign]
    IAMBackend.delete_user = _delete_user  # type: ignore[method-assign]
    IAMBackend.delete_role = _delete_role  # type: ignore[method-assign]
