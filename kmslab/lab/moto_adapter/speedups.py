"""Patches that change what moto costs, never what it answers.

- moto makes an RSA-2048 key pair for every KMS key, symmetric ones too (50-300 ms each, the
  largest cost of building a world); only Sign, Verify and GetPublicKey read it. A key's pair is
  now made when one of those first needs it.
- moto lists regions with a boto3 Session of its own and parses botocore's service models with a
  fresh loader per service (scanning every service's folder); with `share_session`, both come from
  the lab's session, which has loaded them already for its clients. A model moto adds to (its
  "moto-extras") or botocore adds to (its "sdk-extras") still comes from moto's own loader, so
  what moto parses is exactly what it parsed before.
- moto's `BaseResponse.call_action` asks `action in method_names_from_class(cls)` on every request,
  and that list comes from `inspect.getmembers` over the whole response class (~60 us a KMS
  request). It now gets `FunctionNames`, which answers the same `in` for one name at once.
- moto's in-process request path (`BotocoreStubber.process_request`) finds the service of every
  request by trying ~100 URL patterns in turn and rebuilds the service's URL table: ~60-120 us a
  request. `_process_request` is moto 5.2.5's own code with both lookups kept per URL (and per what
  else they read: moto's settings, the backend's URL bases); it is installed only over exactly that
  code (its source's SHA-256), so another moto runs its own.
- moto turns every in-process request into a werkzeug Request through werkzeug's `EnvironBuilder`
  (`Request.from_primitives`: ~100-150 us, most of it the builder's general machinery). For what botocore
  sends (bytes, a plain URL without query string), `_from_primitives` writes the same WSGI environ, key for
  key and in the same order, itself; anything else, or another moto or werkzeug, goes through moto's own.
- moto gives every answer a request id of 52 characters drawn one `choice` at a time from its seeded random
  source (~30-50 us); `_request_id` draws exactly the same numbers, in a loop without the calls between. The
  date header moto writes on every answer is formatted once per second.
- moto finds a request's access key with `AWS.*(?P<access_key>...)[:/]` over the Authorization header, twice a
  request (~10 us each: the greedy `.*` backtracks from the end of the header); `_get_access_key` reads it from
  botocore's SigV4 header shape directly, where that shape admits no other match (see `_SIGV4`), and otherwise
  asks moto's regex. moto then looks the key up in every account and partition through `BackendDict.__getitem__`;
  `_get_account_id_from` makes the same lookups in the same order, straight from the dicts where the backend exists.
- Every `backends[account]` of moto (several a request: the caller's account, `kms_backend`, ...) makes sure the
  account's entry exists and the BackendDict is listed, under a lock, by building a list of the accounts and
  comparing itself with every listed BackendDict (~3-10 us); `_ensure_account` returns at once when both are so
  already (the entry is there, the dict itself is in the list) and otherwise runs moto's own.
- moto turns the action's name into a method name (`camelcase_to_underscores`, a character loop of ~5-10 us)
  on every request; the name is a pure function of the action's, so `_method_name` keeps it per action.
- moto's `KmsResponse._get_param` parses the JSON body and base64-decodes its Plaintext, CiphertextBlob and Message
  on every call (an Encrypt or Decrypt calls it three times: ~3 us each). `_get_kms_param` is moto 5.2.5's method
  (installed only over exactly that code) with the body parsed and decoded once per body object; each call returns
  what moto's returns, a container freshly built as moto's is. When kmslab's hook has parsed the same body object
  already (moto_adapter/hooks.py `KmsRequest.keep_params` keeps it as `_kmslab_params`), that parse is the one
  used: the lab saves one more parse than bare moto does. Like every patch here it applies to the benchmark's bare
  moto too (benchmarks/workers.py `_lab_speedups`), which then parses once per request where it parsed three times
  (measured in situ, time spent in `_get_param` a request: bare moto's Encrypt/Decrypt ~19 -> ~12 us, the lab's
  ~17 -> ~7 us); an operation that asks once (DescribeKey) costs bare moto ~1 us more (the parse is kept).
- Not moto's, the clients': botocore's SigV4 signer collects the headers to sign twice per request
  through `email.message` and parses the URL's host each time. `sign_faster(client)` has the
  client sign with `FasterSigV4Auth`, which computes the same signature, byte for byte, once.
"""

from __future__ import annotations

import binascii
import hashlib
import importlib.metadata
import inspect
import json
import os
import re
import string
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from glob import glob
from hashlib import sha256
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import botocore
import botocore.auth
import botocore.handlers
import moto
import moto.backend_index as moto_backend_index
import moto.core.botocore_stubber as moto_stubber
import moto.core.request as moto_request
import moto.core.responses as moto_core_responses
import moto.core.utils as moto_core_utils
import moto.iam.models as moto_iam_models
import moto.kms.models as moto_kms_models
import moto.kms.responses as moto_kms_responses
import moto.utilities.aws_headers as moto_aws_headers
import werkzeug.http as werkzeug_http
from botocore.awsrequest import AWSRequest
from moto.core.base_backend import AccountSpecificBackend, BackendDict

_ORIGINAL: dict[str, Any] = {}


class LazyPrivateKey:
    """Stands in for moto's key pair of one KMS key until something reads it."""

    __slots__ = ("_key_spec", "_key")

    def __init__(self, key_spec: str) -> None:
        self._key_spec, self._key = key_spec, None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy/pickle probes: not the key's
            raise AttributeError(name)
        if self._key is None:
            self._key = _ORIGINAL["generate_private_key"](self._key_spec)
        return getattr(self._key, name)


def _lazy_private_key(key_spec: str) -> LazyPrivateKey:
    return LazyPrivateKey(key_spec)


class FunctionNames(Sequence[str]):
    """`method_names_from_class(cls)` (the names of `cls`'s functions, by `inspect.getmembers`), with
    `name in names` answered for that one name: a name is listed exactly when `getattr(cls, name)` is
    a function (getmembers lists every name of `dir(cls)` whose attribute passes `inspect.isfunction`;
    a name outside `dir(cls)` resolves, if at all, on the metaclass `type`, which has no functions).
    Read the class when asked, never cached: a method added later (kmslab's operations) is found.
    Anything else (iterating, indexing) gets moto's own list."""

    __slots__ = ("_cls",)

    def __init__(self, cls: type) -> None:
        self._cls = cls

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and inspect.isfunction(getattr(self._cls, name, None))

    def _names(self) -> list[str]:
        names: list[str] = _ORIGINAL["method_names_from_class"](self._cls)
        return names

    def __getitem__(self, index: Any) -> Any:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


def _method_names_from_class(clazz: Any) -> Sequence[str]:
    if type(clazz) is type:  # no metaclass of its own: see FunctionNames
        return FunctionNames(clazz)
    names: list[str] = _ORIGINAL["method_names_from_class"](clazz)
    return names


def apply_speedups() -> None:
    """Make moto's KMS key pairs lazy, its action lookup, request building and request ids cheap (once per process)."""
    if "generate_private_key" not in _ORIGINAL:
        _ORIGINAL["generate_private_key"] = moto_kms_models.generate_private_key
        moto_kms_models.generate_private_key = _lazy_private_key  # type: ignore[assignment]
    stubber = moto_stubber.BotocoreStubber
    if "process_request" not in _ORIGINAL and _source_hash(stubber.process_request) == _PROCESS_REQUEST_525:
        _ORIGINAL["process_request"] = stubber.process_request
        stubber.process_request = _process_request  # type: ignore[method-assign]
    original = getattr(moto_core_responses, "method_names_from_class", None)
    if "method_names_from_class" not in _ORIGINAL and original is not None:  # a moto without it: nothing to do
        _ORIGINAL["method_names_from_class"] = original
        # A Sequence where moto declares a list: moto's call_action only asks `in` of it (see FunctionNames).
        moto_core_responses.method_names_from_class = _method_names_from_class  # type: ignore[assignment]
    from_primitives = moto_request.Request.__dict__.get("from_primitives")
    if ("from_primitives" not in _ORIGINAL and isinstance(from_primitives, classmethod)
            and _source_hash(from_primitives.__func__) == _FROM_PRIMITIVES_525
            and importlib.metadata.version("werkzeug") == _WERKZEUG):
        _ORIGINAL["from_primitives"] = from_primitives
        moto_request.Request.from_primitives = classmethod(_from_primitives)  # type: ignore[assignment, method-assign]
    if ("gen_amzn_requestid_long" not in _ORIGINAL
            and moto_core_responses.gen_amzn_requestid_long is moto_aws_headers.gen_amzn_requestid_long
            and _source_hash(moto_aws_headers.gen_amzn_requestid_long) == _REQUEST_ID_525 and _draws_as_choice()):
        _ORIGINAL["gen_amzn_requestid_long"] = moto_core_responses.gen_amzn_requestid_long
        moto_core_responses.gen_amzn_requestid_long = _request_id
    base = moto_core_responses.BaseResponse
    if "get_access_key" not in _ORIGINAL and _source_hash(base.get_access_key) == _GET_ACCESS_KEY_525:
        _ORIGINAL["get_access_key"] = base.get_access_key
        base.get_access_key = _get_access_key  # type: ignore[method-assign]
    if "get_account_id_from" not in _ORIGINAL and _source_hash(moto_iam_models.get_account_id_from) == _ACCOUNT_ID_525:
        _ORIGINAL["get_account_id_from"] = moto_iam_models.get_account_id_from
        moto_iam_models.get_account_id_from = _get_account_id_from
    if ("camelcase_to_underscores" not in _ORIGINAL
            and moto_core_responses.camelcase_to_underscores is moto_core_utils.camelcase_to_underscores):
        _ORIGINAL["camelcase_to_underscores"] = moto_core_responses.camelcase_to_underscores
        moto_core_responses.camelcase_to_underscores = _method_name
    ensure = BackendDict.__dict__.get("_create_account_specific_backend")
    if "ensure_account" not in _ORIGINAL and ensure is not None and _source_hash(ensure) == _ENSURE_ACCOUNT_525:
        _ORIGINAL["ensure_account"] = ensure
        BackendDict._create_account_specific_backend = _ensure_account  # type: ignore[method-assign]
    kms_response = moto_kms_responses.KmsResponse
    if "kms_get_param" not in _ORIGINAL and _source_hash(kms_response._get_param) == _KMS_GET_PARAM_525:
        _ORIGINAL["kms_get_param"] = kms_response._get_param
        kms_response._get_param = _get_kms_param  # type: ignore[method-assign]
        if not hasattr(kms_response, "_kmslab_params"):  # None on the class: reading it where unset finds that
            kms_response._kmslab_params = None  # type: ignore[attr-defined]
    if "http_date" not in _ORIGINAL and moto_core_responses.http_date is werkzeug_http.http_date:
        _ORIGINAL["http_date"] = moto_core_responses.http_date
        moto_core_responses.http_date = _http_date


@cache
def _plain_botocore_model(service_name: str, type_name: str) -> bool:
    """Whether neither moto nor botocore adds anything to this model: both loaders then load the same data."""
    moto_files = glob(os.path.join(os.path.dirname(moto.__file__), service_name.replace("-", ""), "*",
                                   f"{type_name}*.json*"))
    sdk_extras = glob(os.path.join(os.path.dirname(botocore.__file__), "data", service_name, "*",
                                   f"{type_name}.sdk-extras.json*"))
    return not moto_files and not sdk_extras


class _SharedLoader:
    """What moto's `create_loader()` returns while a session is shared: that session's (warm) loader
    for plain botocore models, moto's own loader for the rest."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        if _plain_botocore_model(service_name, type_name):
            return self._loader.load_service_model(service_name, type_name, api_version)
        return _ORIGINAL["create_loader"]().load_service_model(service_name, type_name, api_version)


def share_session(session: Any) -> None:
    """Let moto read regions and service models through `session` (a boto3 Session) instead of its own."""
    shared = _SharedLoader(session._session.get_component("data_loader"))
    if "create_loader" not in _ORIGINAL:
        _ORIGINAL["create_loader"] = moto_core_utils.create_loader
        _ORIGINAL["get_session"] = AccountSpecificBackend.get_session
    # Duck-typed: moto asks its Loader for load_service_model alone, which _SharedLoader answers.
    moto_core_utils.create_loader = lambda: shared  # type: ignore[assignment, return-value]
    AccountSpecificBackend.get_session = classmethod(lambda cls: session)  # type: ignore[assignment,method-assign]


_host_from_url = cache(botocore.auth._host_from_url)  # a pure function of the URL string
_SIGNING_KEYS: dict[tuple[str, str, str, str], bytes] = {}  # (secret, day, region, service) -> SigV4 signing key


class FasterSigV4Auth(botocore.auth.SigV4Auth):  # type: ignore[misc]  # botocore has no type hints
    """botocore's SigV4Auth, computing the same signature: the headers to sign are collected once per
    signing (botocore collects them for the canonical request and again for SignedHeaders, with nothing
    changed in between), a URL's host is kept, the canonical headers read the collected headers once, the
    body is hashed without preparing the whole request, and a signing key is derived once per day."""

    _collected: Any = None  # (request, its headers to sign), while add_auth runs

    def add_auth(self, request: Any) -> None:
        self._collected = None
        self._signing = True
        try:
            super().add_auth(request)
        finally:
            self._signing, self._collected = False, None

    def headers_to_sign(self, request: Any) -> Any:
        """botocore's HTTPHeaders of the headers to sign; while signing, the same (name, value) pairs in a plain
        list (`_HeadersToSign`): what this signer's canonical_headers and botocore's signed_headers read of it."""
        signing = getattr(self, "_signing", False)
        if signing and self._collected is not None and self._collected[0] is request:
            return self._collected[1]
        header_map: Any = _HeadersToSign() if signing else botocore.auth.HTTPHeaders()
        for name, value in request.headers.items():
            lname = name.lower()
            if lname not in botocore.auth.SIGNED_HEADERS_BLACKLIST:
                header_map[lname] = value
        if "host" not in header_map:
            header_map["host"] = _host_from_url(request.url)
        if signing:
            self._collected = (request, header_map)
        return header_map

    def payload(self, request: Any) -> str:
        """The body's SHA-256 from the bytes a plain AWSRequest holds (botocore prepares the whole request for it)."""
        data = request.data
        if (type(request) is AWSRequest and isinstance(data, bytes) and not self._is_streaming_checksum_payload(request)
                and self._should_sha256_sign_payload(request)):
            return sha256(data).hexdigest() if data else botocore.auth.EMPTY_SHA256_HASH
        payload: str = super().payload(request)
        return payload

    def signature(self, string_to_sign: str, request: Any) -> str:
        """The signature, with the signing key derived once per secret, day, region and service."""
        scope = (self.credentials.secret_key, request.context["timestamp"][0:8], self._region_name, self._service_name)
        key = _SIGNING_KEYS.get(scope)
        if key is None:
            key = self._sign(f"AWS4{scope[0]}".encode(), scope[1])
            for part in (scope[2], scope[3], "aws4_request"):
                key = self._sign(key, part)
            if len(_SIGNING_KEYS) >= 256:
                _SIGNING_KEYS.clear()
            _SIGNING_KEYS[scope] = key
        signature: str = self._sign(key, string_to_sign, hex=True)
        return signature

    def canonical_headers(self, headers_to_sign: Any) -> str:
        values: dict[str, list[str]] = {}
        for name, value in headers_to_sign.items():  # get_all(key), for every key at once
            values.setdefault(name.lower(), []).append(value)
        return "\n".join(
            f"{key}:{botocore.auth.ensure_unicode(','.join(self._header_value(v) for v in values[key.lower()]))}"
            for key in sorted(set(headers_to_sign)))


class _HeadersToSign:
    """The headers to sign as botocore's HTTPHeaders (an email Message) holds them, without the Message: its
    `__setitem__` appends (name, value) (the compat32 policy stores both as given), and reading gives the
    values back unchanged (compat32 only turns a str with surrogates into a Header, and what `request.headers`
    hands over has been through that already); names compare case-insensitively."""

    __slots__ = ("_pairs",)

    def __init__(self) -> None:
        self._pairs: list[tuple[str, Any]] = []

    def __setitem__(self, name: str, value: Any) -> None:
        self._pairs.append((name, value))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(key.lower() == name.lower() for key, _ in self._pairs)

    def __iter__(self) -> Iterator[str]:
        return iter([key for key, _ in self._pairs])

    def __len__(self) -> int:
        return len(self._pairs)

    def items(self) -> list[tuple[str, Any]]:
        return list(self._pairs)

    def get_all(self, name: str, failobj: Any = None) -> Any:
        values = [value for key, value in self._pairs if key.lower() == name.lower()]
        return values or failobj


_FASTER_V4 = "kmslab-v4"


def _choose_faster_signer(signature_version: Any = None, context: Any = None, signing_name: Any = None,
                          **kwargs: Any) -> Any:
    """botocore's own choice (`set_operation_specific_signer`, or the client's version), with v4 signed by
    FasterSigV4Auth; any other choice is left to botocore."""
    chosen = botocore.handlers.set_operation_specific_signer(context=context or {}, signing_name=signing_name,
                                                             **kwargs)
    if (chosen or signature_version) == "v4":
        return _FASTER_V4
    return chosen


def sign_faster(client: Any) -> None:
    """Have a botocore client sign its SigV4 requests with FasterSigV4Auth (when botocore itself would use
    its plain SigV4Auth: not with the CRT signer installed)."""
    maps = botocore.auth.AUTH_TYPE_MAPS
    if maps.get("v4") is not botocore.auth.SigV4Auth:
        return
    maps.setdefault(_FASTER_V4, FasterSigV4Auth)
    client.meta.events.register_first(f"choose-signer.{client.meta.service_model.service_id.hyphenize()}",
                                      _choose_faster_signer)


# ------------------------------------------------------------------ moto's in-process request path

# SHA-256 of moto 5.2.5's BotocoreStubber.process_request source: `_process_request` is that code.
_PROCESS_REQUEST_525 = "f79a1a778c7e755f0c7f234cdab9e36312ed2b16d7051baf06b04872f79dd5b2"
_SERVICES: dict[str, list[tuple[str, Any]]] = {}  # clean URL -> the (service, pattern)s matching it, in order
_HANDLERS: dict[tuple[Any, ...], Any] = {}  # (backend class, URL bases, ISO regions on, clean URL) -> handler


def _source_hash(function: Any) -> str | None:
    try:
        return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()
    except (OSError, TypeError):
        return None


def _matching_services(clean_url: str) -> list[tuple[str, Any]]:
    """`(service, pattern)` of moto's backend index whose pattern matches, in the index's order."""
    found = _SERVICES.get(clean_url)
    if found is None:
        found = [(service, pattern) for service, pattern in moto_backend_index.backend_url_patterns
                 if pattern.match(clean_url)]
        if len(_SERVICES) >= 1024:
            _SERVICES.clear()
        _SERVICES[clean_url] = found
    return found


def _handler(backend: Any, clean_url: str) -> Any:
    """The first of `backend.urls`' handlers whose URL matches, or None (moto's loop, kept per what it reads)."""
    from moto import settings

    key = (type(backend), tuple(backend.url_bases), settings.enable_iso_regions(), clean_url)
    if key not in _HANDLERS:
        if len(_HANDLERS) >= 1024:
            _HANDLERS.clear()
        _HANDLERS[key] = next((method for url, method in backend.urls.items() if re.compile(url).match(clean_url)),
                              None)
    return _HANDLERS[key]


def _process_request(self: Any, request: Any) -> Any:
    """moto 5.2.5's BotocoreStubber.process_request, its two lookups kept (see the module docstring)."""
    parsed_url, _ = moto_stubber.get_equivalent_url_in_aws_domain(request.url)
    clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"

    if moto_stubber.passthrough_url(clean_url):
        return None

    for service, _pattern in _matching_services(clean_url):
        if moto_stubber.passthrough_service(service):
            return None

        if not moto_stubber.service_whitelisted(service):
            raise moto_stubber.ServiceNotWhitelisted(service)

        import moto.backends as backends
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.core.exceptions import HTTPException

        backend_dict = backends.get_backend(service)  # type: ignore[call-overload]

        if isinstance(backend_dict, moto_stubber.BackendDict):
            if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID]:
                backend = backend_dict[DEFAULT_ACCOUNT_ID]["us-east-1"]
            else:
                backend = backend_dict[DEFAULT_ACCOUNT_ID]["aws"]
        else:
            backend = backend_dict["global"]

        method_to_execute = _handler(backend, clean_url)
        if method_to_execute is not None:
            from moto.moto_api import recorder

            normalized_request = moto_stubber.normalize_request(request)
            try:
                recorder._record_request(normalized_request)
                status, headers, body = method_to_execute(
                    normalized_request,
                    normalized_request.raw_url,
                    normalized_request.headers,
                )
            except HTTPException as e:
                status = e.code
                headers = e.get_headers()
                body = e.get_body()

            return status, headers, body

    if re.compile(r"https?://.+\.amazonaws.com/.*").match(clean_url):
        return 404, {}, "Not yet implemented"

    return None


# ------------------------------------------------------------------ moto's request from botocore's

# SHA-256 of moto 5.2.5's Request.from_primitives source, and the werkzeug whose EnvironBuilder it uses.
_FROM_PRIMITIVES_525 = "4cfb35d5fb26843afc829586edd3210e0154c686d45c4b991c862710661c3eee"
_WERKZEUG = "3.1.9"
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9._~/-]*\Z")  # nothing iri_to_uri, unquote or the WSGI encoding changes
_PLAIN_HOST = re.compile(r"(?:[a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}\Z")  # its own IDNA form, no port


def _from_primitives(cls: Any, method: str, url: str, headers: Any, body: Any = None) -> Any:
    """moto 5.2.5's `Request.from_primitives`: the environ werkzeug 3.1.9's `EnvironBuilder.get_environ` builds
    (its keys in its order) for a non-empty bytes body and a URL with neither query, fragment, port nor
    anything to quote; any other request is moto's own."""
    scheme, netloc, path, query, fragment = urlsplit(url) if isinstance(url, str) else ("", "", "", "", "")
    if (type(body) is not bytes or not body or not isinstance(method, str) or query or fragment
            or scheme not in ("http", "https") or not _PLAIN_HOST.match(netloc) or not _PLAIN_PATH.match(path)):
        return _ORIGINAL["from_primitives"].__func__(cls, method, url, headers, body)
    content_type = None
    combined: dict[str, list[str]] = {}
    names: list[str] = []
    for key, value in headers.items():
        if key.lower() == "transfer-encoding":  # moto drops it
            continue
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        if type(key) is not str or not key.isascii() or type(value) is not str or "\r" in value or "\n" in value:
            return _ORIGINAL["from_primitives"].__func__(cls, method, url, headers, body)
        names.append(key)
        lower = key.lower()
        if lower == "content-type":  # the builder's content_type: the first; both are environ keys, not headers
            content_type = value if content_type is None else content_type
        elif lower != "content-length":  # the builder's own length (the body's) replaces the header's
            combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(value)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "", "REQUEST_URI": path,
        "RAW_URI": path, "SERVER_NAME": netloc, "SERVER_PORT": "443" if scheme == "https" else "80",
        "HTTP_HOST": netloc, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.version": (1, 0), "wsgi.url_scheme": scheme,
        "wsgi.input": BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    environ["CONTENT_LENGTH"] = str(len(body))
    for key, values in combined.items():
        environ[key] = ", ".join(values)
    request = cls(environ)
    request.environ[moto_request.PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {
        moto_request.environ_key_for_header(key): key for key in names
        if moto_request.should_preserve_original_header_name(key)}
    return request


# ------------------------------------------------------------------ request ids and dates

# SHA-256 of moto 5.2.5's gen_amzn_requestid_long source.
_REQUEST_ID_525 = "e651941c2107cdc2b174be191284ea6604b1a738cd5e4ddbf7e6244060b8f01c"
_ID_POOL = string.ascii_letters + string.digits  # moto's get_random_string pool, digits included


def _random_string(source: Any, length: int) -> str:
    """`source.get_random_string(length)`: `choice(pool)` is `pool[_randbelow(62)]`, and `_randbelow(62)` draws
    `getrandbits(6)` until one is below 62; the same draws, without the calls between."""
    getrandbits, pool = source.getrandbits, _ID_POOL
    out: list[str] = []
    while len(out) < length:
        r = getrandbits(6)
        if r < 62:
            out.append(pool[r])
    return "".join(out)


def _request_id(headerdict: dict[str, Any] | None = None) -> str:
    """moto's `gen_amzn_requestid_long`, drawing as it does (see `_random_string`)."""
    from moto.moto_api._internal import mock_random

    req_id = _random_string(mock_random, 52)
    if headerdict is not None and isinstance(headerdict, dict):
        headerdict.update({"x-amzn-requestid": req_id})
    return req_id


def _draws_as_choice() -> bool:
    """Whether `_random_string` gives what moto's `get_random_string` gives, and leaves the source as it does."""
    from moto.moto_api._internal import mock_random

    ours, theirs = type(mock_random)(), type(mock_random)()
    for seed in ("kmslab", 0, 12345):
        ours.seed(seed)
        theirs.seed(seed)
        for length in (52, 20, 1):
            if _random_string(ours, length) != theirs.get_random_string(length=length):
                return False
        if ours.getstate() != theirs.getstate():
            return False
    return True


_METHOD_NAMES: dict[str, str] = {}


def _method_name(argument: Any) -> Any:
    """moto's `camelcase_to_underscores` (in call_action: the action's method name), kept per name."""
    if type(argument) is not str:
        return _ORIGINAL["camelcase_to_underscores"](argument)
    found = _METHOD_NAMES.get(argument)
    if found is None:
        if len(_METHOD_NAMES) >= 1024:
            _METHOD_NAMES.clear()
        found = _METHOD_NAMES[argument] = _ORIGINAL["camelcase_to_underscores"](argument)
    return found


_DATES: dict[datetime, str] = {}


def _http_date(timestamp: Any = None) -> str:
    """werkzeug's `http_date`, which formats whole seconds: for a UTC datetime (moto's naive `utcnow()` is UTC to
    werkzeug), formatted once per second."""
    if type(timestamp) is not datetime or timestamp.tzinfo not in (None, UTC):
        text: str = _ORIGINAL["http_date"](timestamp)
        return text
    second = timestamp.replace(microsecond=0)
    found = _DATES.get(second)
    if found is None:
        _DATES.clear()
        found = _DATES[second] = _ORIGINAL["http_date"](second)
    return found


# ------------------------------------------------------------------ the caller's access key and account

# SHA-256 of moto 5.2.5's BaseResponse.get_access_key and iam.models.get_account_id_from sources.
_GET_ACCESS_KEY_525 = "d2140f0641334d039f275681ff16e6a759b5810f02c095579110c85eeab93c5e"
_ACCOUNT_ID_525 = "83d4b96f7c5b4fc5ba728e9cd9e87bb5fbfdbe69be952769892fe63f75d77f5e"
# botocore's SigV4 Authorization header. In a header of exactly this shape, moto's access_key_regex (the *last*
# 20-character [A-Z0-9] run, bounded by neither, followed by ':' or '/', after the first 'AWS') can only match the
# access key: the scope's date has 8 digits, its region and service at most 19 characters, the signed header
# names no ':' or '/', the signature nothing after it.
_SIGV4 = re.compile(r"AWS4-HMAC-SHA256 Credential=([A-Z0-9]{20})/\d{8}/[a-z0-9-]{1,19}/[a-z0-9-]{1,19}/aws4_request, "
                    r"SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}")


def _get_access_key(self: Any) -> str:
    """moto 5.2.5's BaseResponse.get_access_key, botocore's SigV4 header read without the backtracking search."""
    if "Authorization" in self.headers:
        header = self.headers["Authorization"]
        sigv4 = _SIGV4.fullmatch(header) if self.access_key_regex is _ACCESS_KEY_REGEX else None
        if sigv4 is not None:
            return sigv4.group(1)
        match = self.access_key_regex.search(header)
        if match:
            found: str = match.group(1)
            return found

    if self.querystring.get("AWSAccessKeyId"):
        key: str = self.querystring["AWSAccessKeyId"][0]
        return key
    else:
        return "AKIAEXAMPLE"


_ACCESS_KEY_REGEX = moto_core_responses.BaseResponse.access_key_regex


def _get_account_id_from(access_key: str) -> str:
    """moto 5.2.5's get_account_id_from: every account and partition in its order, a partition's backend read from
    the account's dict when there (what AccountSpecificBackend.__getitem__ returns then), else made by it."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.utilities.utils import PARTITION_NAMES

    for account_id, account in list(moto_iam_models.iam_backends.items()):
        for partition in PARTITION_NAMES:
            backend = dict.get(account, partition)
            if backend is None:
                backend = account[partition]
            if access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


# ------------------------------------------------------------------ moto's backends by account

# SHA-256 of moto 5.2.5's BackendDict._create_account_specific_backend source.
_ENSURE_ACCOUNT_525 = "efcc193ee3ca333752f8d55b94e70a7f2cffd87da07bc1d6140265bf9231f8a6"


def _ensure_account(self: Any, account_id: str) -> None:
    """moto's `_create_account_specific_backend`, which does nothing when the account's entry exists and this
    BackendDict is listed (`in` finds an item that *is* the object first): then nothing is done, at once."""
    if type(account_id) is str and dict.__contains__(self, account_id):
        for listed in BackendDict._instances:  # type: ignore[misc]
            if listed is self:
                return
    _ORIGINAL["ensure_account"](self, account_id)


# ------------------------------------------------------------------ a KMS request's parameters

# SHA-256 of moto 5.2.5's KmsResponse._get_param source.
_KMS_GET_PARAM_525 = "b92a3b4f98e22d0bd58fddefb799f1bdc81f678189c3136c5a2c2670713bb045"
_KMS_BLOBS = ("Plaintext", "CiphertextBlob", "Message")  # what moto's _get_param base64-decodes


# The last KMS request body read, and its parameters with their blobs decoded (a pure function of the body's text,
# kept for that very str object: the same object is the same text). One slot for the process: a request asks for
# its parameters one after the other; a slot another thread has written since holds another body, which is read
# afresh. (Kept on the response instead, the write would cost bare moto's DescribeKey, which asks once, more than
# nothing; the response itself is not held, so it goes when its request is done, as it did.)
_LAST_PARAMS: tuple[str, dict[str, Any]] | None = None


def _get_kms_param(self: Any, param_name: str, if_none: Any = None) -> Any:
    """moto 5.2.5's KmsResponse._get_param, the body parsed once (see the module docstring); a body it cannot
    read as plainly as moto's does goes through moto's own, which raises what it raised."""
    global _LAST_PARAMS
    body = self.body
    last = _LAST_PARAMS
    if last is None or last[0] is not body:
        try:
            decoded = _decoded_params(body, self._kmslab_params)
        except RecursionError:  # nested deeper than copying here allows: moto's own says what it says
            decoded = None
        if decoded is None:
            return _ORIGINAL["kms_get_param"](self, param_name, if_none)
        last = _LAST_PARAMS = (body, decoded)
    decoded = last[1]
    if param_name not in decoded:  # moto's `params.get(param_name, if_none)`
        return if_none
    value = decoded[param_name]
    return _fresh(value) if type(value) is dict or type(value) is list else value  # as moto's json.loads makes it


def _decoded_params(body: Any, hook: Any) -> dict[str, Any] | None:
    """The body's parameters with the blobs decoded, as moto's `_get_param` makes them; None when moto's own would
    fail (not a JSON object, a blob not a base64 string) or the body is not a str. `hook` is what kmslab's hook
    kept, (body, json.loads(body)), if it read this body. `b64decode` of bytes is `a2b_base64` of them."""
    if type(body) is not str:
        return None
    if hook is not None and hook[0] is body and type(hook[1]) is dict:
        params = {name: _fresh(value) if type(value) is dict or type(value) is list else value
                  for name, value in hook[1].items()}
    else:
        try:
            params = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if type(params) is not dict:
            return None
    for name in _KMS_BLOBS:
        if name in params:
            value = params[name]
            if type(value) is not str:
                return None
            try:
                params[name] = binascii.a2b_base64(value.encode("utf-8"))
            except (ValueError, UnicodeEncodeError):  # binascii.Error is a ValueError
                return None
    return params


def _fresh(value: Any) -> Any:
    """A JSON value as `json.loads` would make it again: containers new, their contents too (the rest immutable)."""
    if type(value) is dict:
        return {name: _fresh(item) for name, item in value.items()}
    if type(value) is list:
        return [_fresh(item) for item in value]
    return value
