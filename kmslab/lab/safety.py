"""Fail closed: no request carrying a lab's credentials, or leaving for a non-AWS host, ever leaves the machine.

moto answers every AWS endpoint in-process while a lab runs. What it cannot stop is a
client that outlives its lab (its requests would go to real AWS) or one pointed at a
custom endpoint. kmslab adds a `before-send` handler to every botocore session created
after import (next to moto's own) that refuses both.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest

_ISSUED: set[str] = set()  # access key ids handed out by any lab in this process
_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
_INSTALLED = False


class OutsideLabError(RuntimeError):
    """A request that would have left the machine; kmslab stopped it."""


def remember(access_key_id: str) -> None:
    _ISSUED.add(access_key_id)


def _access_key(request: AWSPreparedRequest) -> str | None:
    auth = request.headers.get("Authorization") or b""
    text = auth.decode() if isinstance(auth, bytes) else str(auth)
    match = _CREDENTIAL.search(text)
    return match.group(1) if match else None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+")


def guard(request: AWSPreparedRequest, **_: Any) -> None:
    """botocore before-send: refuse what would leave the machine with a lab's credentials or while a lab runs."""
    from . import hook

    url = request.url
    netloc = url[8:].split("/", 1)[0] if url.startswith("https://") else None
    # A bare host name (no user, port, query...) is what urlsplit would find; anything else goes through it.
    host = netloc.lower() if netloc and _PLAIN_HOST.fullmatch(netloc) else (urlsplit(url).hostname or "")
    lab_running = hook.active() is not None
    if lab_running and host.endswith(".amazonaws.com"):
        return None  # the fast path of every lab request: moto answers it in-process
    if is_loopback(host):
        return None  # a kmslab/moto server on this machine
    key = _access_key(request)
    if key in _ISSUED and not lab_running:
        raise OutsideLabError(
            "kmslab: this client belongs to a lab that has stopped; the request was not sent. "
            "Start a lab (kmslab.Lab()) and create the client again from it.")
    if lab_running and not host.endswith(".amazonaws.com"):
        raise OutsideLabError(
            f"kmslab: the request was going to {host}, outside the lab; it was not sent. "
            "Inside a lab, use the default AWS endpoints (the lab answers them) or 127.0.0.1.")
    return None


def install() -> None:
    """Register the guard for every botocore session created from now on (once per process)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    from . import moto_adapter

    moto_adapter.load()  # moto's stubber first: while a lab runs it answers AWS endpoints

    BUILTIN_HANDLERS.append(("before-send", guard))
    _INSTALLED = True
