"""Signature Version 4, checked as AWS checks it: recomputed with the secret of the access key it names.

botocore's own signer (`botocore.auth.SigV4Auth`) computes the signature the client should have
sent, over exactly the headers the client says it signed; the two are compared in constant time.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_S = 15 * 60  # "more than 15 minutes after the date stamp on the request" (RequestExpired)
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[A-Za-z0-9]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[a-z0-9-]+)/aws4_request,\s*SignedHeaders=(?P<signed>[a-z0-9;_.-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})\s*")


class SignatureProblem(Exception):
    """Why a request's signature is not accepted: `kind` is missing, incomplete, unknown-key,
    mismatch or expired (each answered with its service's error code)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


@dataclass(frozen=True)
class Scope:
    """What a well-formed Authorization header names (not yet verified)."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(headers: Mapping[str, str]) -> Scope:
    """The SigV4 Authorization header's parts; SignatureProblem if it is absent or malformed."""
    auth = headers.get("authorization")
    if not auth:
        raise SignatureProblem("missing", "Missing Authentication Token")
    match = _AUTH.fullmatch(auth.strip())
    if match is None:
        raise SignatureProblem("incomplete", "The request signature does not conform to AWS standards.")
    signed = tuple(match["signed"].split(";"))
    if "host" not in signed or (("x-amz-date" not in signed) and "date" not in signed):
        raise SignatureProblem("incomplete", "The request signature does not conform to AWS standards.")
    return Scope(match["key"], match["date"], match["region"], match["service"], signed, match["signature"])


def verify(method: str, url: str, headers: Mapping[str, str], body: bytes, scope: Scope, secret: str,
           token: str | None = None, now: datetime | None = None) -> None:
    """Raise SignatureProblem unless `scope.signature` is the signature of this request under `secret`.

    `headers` are lower-case names. The payload hash is always the body's own: a client's
    X-Amz-Content-SHA256 must equal it.
    """
    stamp = headers.get("x-amz-date", "")
    try:
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise SignatureProblem("incomplete", "The request signature does not conform to AWS standards.") from None
    if stamp[:8] != scope.date:
        raise SignatureProblem("mismatch", _MISMATCH)
    now = now or datetime.now(UTC)
    if abs((now - when).total_seconds()) > MAX_SKEW_S:
        raise SignatureProblem("expired", f"Signature expired: {stamp} is now earlier than "
                                          f"{now.strftime('%Y%m%dT%H%M%SZ')} (15 min. skew allowed)")
    payload = hashlib.sha256(body).hexdigest()
    claimed = headers.get("x-amz-content-sha256")
    if claimed is not None and not hmac.compare_digest(claimed, payload):
        raise SignatureProblem("mismatch", _MISMATCH)
    if any(name not in headers for name in scope.signed_headers):
        raise SignatureProblem("mismatch", _MISMATCH)

    request = AWSRequest(method=method, url=url, data=body,
                         headers={name: headers[name] for name in scope.signed_headers})
    request.context["timestamp"] = stamp
    signer = _Signer(Credentials(scope.access_key, secret, token), scope.service, scope.region, scope.signed_headers)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, scope.signature):
        raise SignatureProblem("mismatch", _MISMATCH)


_MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
             "Secret Access Key and signing method. Consult the service documentation for details.")


class _Signer(SigV4Auth):  # type: ignore[misc]  # botocore ships no type information: SigV4Auth is Any
    """botocore's SigV4 signer over exactly the headers the client signed."""

    def __init__(self, credentials: Credentials, service: str, region: str, signed: tuple[str, ...]) -> None:
        super().__init__(credentials, service, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> object:
        found = super().headers_to_sign(request)
        for name in list(found.keys()):
            if name not in self._signed:
                del found[name]
        for name in self._signed:  # botocore leaves some out (user-agent, expect): the client signed them
            if name not in found and name in request.headers:
                found[name] = request.headers[name]
        return found
