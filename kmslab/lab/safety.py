"""Fail closed: from the moment a lab starts, no botocore request of the process leaves the machine.

moto answers AWS endpoints in-process through a `before-send` handler that botocore copies into
each client when the client is made, so a client made before moto was imported (before `import
kmslab`, or by a library) never gets it, and one pointed at a custom endpoint is not answered by
it. Every request that moto does not answer ends in `botocore.endpoint.Endpoint._send`, the one
place where botocore hands a request to the network, whoever made the client and whenever.
`install()` (called by the first `Lab()`) wraps that method for the whole process, for good:

- while a lab runs, a request that reaches it is refused (`OutsideLabError`) unless it goes to a
  loopback address (a `kmslab serve` server on this machine). A client made outside the lab is
  not routed into it: its credentials, region and endpoint came from the learner's environment
  before the lab existed, so its answers would be nobody's; the error says to make it again.
- when no lab runs, a request carrying credentials any lab of this process handed out (or that a
  learner made inside one: CreateAccessKey, AssumeRole, ...) is refused too, wherever it goes
  but loopback.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

_ISSUED: set[str] = set()  # access key ids handed out by any lab in this process, or made inside one
_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
_INSTALL_LOCK = threading.Lock()
_ORIGINAL_SEND: Any = None


class OutsideLabError(RuntimeError):
    """A request that would have left the machine; kmslab stopped it."""


def remember(access_key_id: str) -> None:
    """An access key id that belongs to a lab: never sent beyond this machine, even after the lab stops."""
    _ISSUED.add(access_key_id)


def _access_key(request: Any) -> str | None:
    """The access key id a signed request carries (Authorization header, or a presigned URL's query)."""
    auth = request.headers.get("Authorization") or b""
    text = auth.decode("latin-1") if isinstance(auth, bytes) else str(auth)
    match = _CREDENTIAL.search(text) or _CREDENTIAL.search(unquote(request.url or ""))
    return match.group(1) if match else None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def check(request: Any, proxy: str | None = None) -> None:
    """Raise OutsideLabError if `request` (a botocore AWSPreparedRequest about to be sent) must not leave."""
    from . import hook

    host = _hostname(request.url)
    # A proxy elsewhere would carry even a loopback request off the machine.
    if is_loopback(host) and (proxy is None or is_loopback(_hostname(proxy))):
        return
    if hook.active() is not None:
        raise OutsideLabError(
            f"kmslab: a request to {host or request.url!r} would have left this machine while a lab runs; "
            "it was not sent. Its client was not made inside the lab (it was made before the lab started, "
            "or it points at an endpoint outside the lab). Make the client again from the lab, e.g. "
            "lab.client('kms', as_='kms-test-2'), or with boto3 after kmslab.Lab().")
    if _access_key(request) in _ISSUED:
        raise OutsideLabError(
            "kmslab: this request carries credentials of a lab that has stopped; it was not sent "
            f"(it was going to {host or request.url!r}). Start a lab (kmslab.Lab()) and create the client "
            "again from it.")


def _guarded_send(self: Any, request: Any) -> Any:
    """`Endpoint._send`, after `check`: the last step before botocore's HTTP session."""
    proxy = None
    config = getattr(getattr(self, "http_session", None), "_proxy_config", None)
    if config is not None:
        try:
            proxy = config.proxy_url_for(request.url)
        except Exception:  # noqa: BLE001 - an unreadable proxy setting: treat the request as going out
            proxy = "https://unknown-proxy.invalid"
    check(request, proxy)
    return _ORIGINAL_SEND(self, request)


def installed() -> bool:
    return _ORIGINAL_SEND is not None


def install() -> None:
    """Guard every botocore client of the process, made before or after (once; never removed)."""
    global _ORIGINAL_SEND
    with _INSTALL_LOCK:
        if _ORIGINAL_SEND is not None:
            return
        from botocore.endpoint import Endpoint

        from . import moto_adapter

        moto_adapter.load()  # moto's stubber: clients made from now on are answered in-process
        moto_adapter.on_new_access_key(remember)  # keys a learner makes inside a lab stay in too
        _ORIGINAL_SEND = Endpoint._send
        Endpoint._send = _guarded_send
