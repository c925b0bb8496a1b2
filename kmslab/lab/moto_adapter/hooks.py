"""moto's request path, patched: every KMS request goes to kmslab's handler before moto runs it.

moto calls `BaseResponse._authenticate_and_authorize_normal_action` once per request, before the
action, for in-process mocks and `ThreadedMotoServer` alike (moto/core/responses.py
`call_action`). The patch on `KmsResponse` hands the request to the active handler as a
`KmsRequest`; an `AwsError` raised there reaches boto3 as an ordinary ClientError. The other
patches tell the handler when IAM or STS may have changed, give IAM users AWS-shaped unique ids,
and write a deleted principal's unique id into key policies as AWS does.
"""

from __future__ import annotations

import inspect
import json
import random
import re
import string
import threading
from collections.abc import Callable, Mapping
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
        """The API operation, e.g. `Decrypt`: moto's own `_get_action` (which searches the headers), read once a
        request; moto's `call_action` gets this answer too when it asks again (`_kms_get_action`)."""
        response = self._response
        found: str | None = response._kmslab_operation  # type: ignore[attr-defined]  # None on the class
        if found is None:
            moto_own = _ORIGINAL.get("get_action", KmsResponse._get_action)
            found = response._kmslab_operation = moto_own(response)  # type: ignore[attr-defined]
        return found

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

    def keep_params(self, params: dict[str, Any]) -> None:
        """The parameters of the body as it now stands (the handler has read them): the adapter's operations read
        these instead of parsing the body again (`operations.params`); they are dropped if the body changes."""
        self._response._kmslab_params = (self._response.body or "{}", params)  # type: ignore[attr-defined]

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

    @property
    def used(self) -> tuple[Any, ...]:
        """The keys (`KeyHandle`s) a cryptographic request uses, as the handler found them (for GetKeyLastUsage)."""
        return getattr(self._response, "_kmslab_used", None) or ()

    @used.setter
    def used(self, value: tuple[Any, ...]) -> None:
        self._response._kmslab_used = value  # type: ignore[attr-defined]


# kmslab's notes on a request, kept on moto's `KmsResponse` (one instance a request): None on the class until a
# request sets its own, so reading one that is not set finds None at once (a getattr that misses raises and catches
# an AttributeError inside: ~0.5 us, several times a request). operations/ keeps its per-request values here too.
REQUEST_NOTES = ("_kmslab_operation", "_kmslab_note", "_kmslab_used", "_kmslab_params", "_kmslab_keys")
for _note in REQUEST_NOTES:
    if not hasattr(KmsResponse, _note):
        setattr(KmsResponse, _note, None)


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
    expire_imported_material()  # imported key material whose ValidTo has passed goes first
    _HANDLER.authorize_request(KmsRequest(self))
    return None


# The keys with imported material that expires (operations/import_material.EXPIRING, the same dict once patched):
# before every KMS request, an empty one is all there is to look at.
_EXPIRING: Mapping[int, Any] = {}


def expire_imported_material() -> None:
    """Delete imported key material whose ValidTo has passed (operations/import_material.expire_due), telling the
    handler which keys changed. Before every KMS request, and before a lab probe saves what it will undo."""
    if not _EXPIRING:
        return  # no imported material with a ValidTo
    for key_id in _ORIGINAL["expire_due"]():
        if _HANDLER is not None:
            _HANDLER.changed("kms", key_id)


def _kms_get_action(self: KmsResponse) -> str:
    """moto's `_get_action` (the action named in the query string or headers `setup_class` made), answered with
    what kmslab's hook found for this very request (`KmsRequest.operation`, which asked moto's own) when it has:
    moto's `call_action` asks again once the hook is done (~2-3 us), and nothing it reads has changed since. Not a
    saving on moto's own work (moto asks once a request): the hook's question and moto's are answered once."""
    found: str | None = self._kmslab_operation  # type: ignore[attr-defined]  # None on the class (REQUEST_NOTES)
    return found if found is not None else _ORIGINAL["get_action"](self)


def _kms_validate_key_policy(self: KmsResponse, key_id: str, action: str) -> None:
    """moto's own key policy check ignores Principal (a Deny for anyone denies everyone): with a handler,
    kmslab's engine has decided already."""
    if _HANDLER is None:
        _ORIGINAL["validate_key_policy"](self, key_id, action)


# Every KMS request of the process runs under this lock, and so does a lab's probe from preparation to
# undo (Lab._perform): a probe's temporary state is never seen by another thread's request.
_REQUEST_LOCK = threading.RLock()


def request_lock() -> threading.RLock:
    """The lock KMS requests run under (re-entrant: a probe's own request takes it again)."""
    return _REQUEST_LOCK


def _kms_call_action(self: KmsResponse) -> Any:
    with _REQUEST_LOCK:
        status, headers, body = _ORIGINAL["call_action"](self)
    if _HANDLER is not None:
        _HANDLER.finish(KmsRequest(self), int(status), body)
    return status, headers, body


_KEY_LISTENERS: list[Callable[[str], None]] = []
_ACCESS_KEY_ID = re.compile(r"<AccessKeyId>([A-Za-z0-9]+)</AccessKeyId>")
# IAM and STS actions whose answer carries a new access key id.
_NEW_KEYS = ("CreateAccessKey", "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
             "GetSessionToken", "GetFederationToken")


def on_new_access_key(listener: Callable[[str], None]) -> None:
    """Call `listener(access_key_id)` for every access key moto hands out through IAM or STS (once per listener)."""
    if listener not in _KEY_LISTENERS:
        _KEY_LISTENERS.append(listener)


def _iam_sts_call_action(original: Any) -> Any:
    def call_action(self: Any) -> Any:
        action = self._get_action()
        try:
            result = original(self)
        finally:
            if _HANDLER is not None and not action.startswith(("Get", "List")):
                _HANDLER.changed("iam")  # an IAM or STS change may change any decision
        if action in _NEW_KEYS and _KEY_LISTENERS:
            body = result[2] if isinstance(result, tuple) and len(result) == 3 else ""
            for key_id in _ACCESS_KEY_ID.findall(body if isinstance(body, str) else ""):
                for listener in _KEY_LISTENERS:
                    listener(key_id)
        return result
    return call_action


def aws_unique_id(prefix: str) -> str:
    """An id shaped like AWS's (AIDA/AROA + 17 characters)."""
    return prefix + "".join(random.choices(string.ascii_uppercase + string.digits, k=17))


def _create_user(self: IAMBackend, *args: Any, **kwargs: Any) -> Any:
    _check_iam("create_user", self, args, kwargs)
    result = _ORIGINAL["create_user"](self, *args, **kwargs)
    user = result[0] if isinstance(result, tuple) else result
    user.id = aws_unique_id("AIDA")  # moto's ids are lower-case; AWS's start with AIDA
    return result


# IAM writes checked as IAM does (kmslab.lab.iam_rules) before moto runs them: what each names
# (IAM's name parameter, moto's name argument, moto's policy document argument, whose: an entity or "managed").
_IAM_CHECKED: dict[str, tuple[str | None, str | None, str | None, str]] = {
    "create_user": ("userName", "user_name", None, "user"),
    "create_role": ("roleName", "role_name", None, "role"),
    "create_group": ("groupName", "group_name", None, "group"),
    "put_user_policy": ("policyName", "policy_name", "policy_json", "user"),
    "put_role_policy": ("policyName", "policy_name", "policy_json", "role"),
    "put_group_policy": ("policyName", "policy_name", "policy_json", "group"),
    "create_policy": ("policyName", "policy_name", "policy_document", "managed"),
    "create_policy_version": (None, None, "policy_document", "managed"),
}


def _check_iam(method: str, backend: IAMBackend, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse, with IAM's error, a name or policy document AWS would refuse (moto accepts them)."""
    from moto.iam.exceptions import IAMException

    from ..iam_rules import IamRefusal, check_identity_policy, check_inline_size, check_managed_size, check_name

    param, name_arg, doc_arg, kind = _IAM_CHECKED[method]
    bound = inspect.signature(_ORIGINAL[method]).bind(backend, *args, **kwargs).arguments
    name = bound.get(name_arg) if name_arg is not None else None
    try:
        if param is not None:
            check_name(param, name)
        if doc_arg is not None:
            text = check_identity_policy(bound.get(doc_arg))
            if kind == "managed":
                check_managed_size(text)
            else:
                entity = bound.get(f"{kind}_name")
                owner = getattr(backend, f"{kind}s", {}).get(entity) if kind != "role" else next(
                    (r for r in backend.roles.values() if r.name == entity), None)
                existing = getattr(owner, "policies", {}) if owner is not None else {}
                check_inline_size(kind, str(entity), existing, str(name), text)
    except IamRefusal as refusal:
        raise IAMException(refusal.code, refusal.message) from None


def _checked(method: str) -> Any:
    def checked(self: IAMBackend, *args: Any, **kwargs: Any) -> Any:
        _check_iam(method, self, args, kwargs)
        return _ORIGINAL[method](self, *args, **kwargs)
    checked.__name__ = method
    return checked


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
    global _EXPIRING
    from . import operations  # the operations moto lacks (imports this module's AwsError)

    operations.install()
    _ORIGINAL["expire_due"] = operations.import_material.expire_due
    _EXPIRING = operations.import_material.EXPIRING
    _ORIGINAL["auth"] = KmsResponse._authenticate_and_authorize_normal_action
    _ORIGINAL["call_action"] = KmsResponse.call_action
    _ORIGINAL["get_action"] = KmsResponse._get_action
    _ORIGINAL["validate_key_policy"] = KmsResponse._validate_key_policy
    _ORIGINAL["create_user"] = IAMBackend.create_user
    _ORIGINAL["delete_user"] = IAMBackend.delete_user
    _ORIGINAL["delete_role"] = IAMBackend.delete_role
    # moto's methods replaced in place (mypy's method-assign); KmsResponse's two inherited ones take the
    # subclass they are patched onto, narrower than the base class's declared self (assignment).
    IamResponse.call_action = _iam_sts_call_action(IamResponse.call_action)  # type: ignore[method-assign]
    TokenResponse.call_action = _iam_sts_call_action(TokenResponse.call_action)  # type: ignore[method-assign]
    KmsResponse._validate_key_policy = _kms_validate_key_policy  # type: ignore[method-assign]
    KmsResponse._authenticate_and_authorize_normal_action = _kms_authorize  # type: ignore[method-assign, assignment]
    KmsResponse.call_action = _kms_call_action  # type: ignore[method-assign, assignment]
    KmsResponse._get_action = _kms_get_action  # type: ignore[method-assign, assignment]
    IAMBackend.create_user = _create_user  # type: ignore[method-assign]
    for method in _IAM_CHECKED:
        if method != "create_user":
            _ORIGINAL[method] = getattr(IAMBackend, method)
            setattr(IAMBackend, method, _checked(method))
    IAMBackend.delete_user = _delete_user  # type: ignore[method-assign]
    IAMBackend.delete_role = _delete_role  # type: ignore[method-assign]
