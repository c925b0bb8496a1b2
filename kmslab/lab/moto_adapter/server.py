"""moto's HTTP server for `kmslab serve`, with a gate in front of moto and no way around it.

moto's `ThreadedMotoServer` makes its werkzeug server inside its thread: a busy port is reported
there and `start()` then waits forever; it answers every moto service and moto's admin API
(`/moto-api/data.json` lists every secret, `/moto-api/reset` wipes the world); and it holds an
idle connection as long as the client likes. `Server` builds the same application (moto's
`DomainDispatcherApplication`) but:

- binds on the calling thread, so a busy or invalid port is an `OSError` for the caller;
- hands every request to a `gate` first (`ServeRequest` -> an answer, or None to let moto run it),
  naming the moto backend that would answer it, worked out by moto's own dispatcher;
- never lets a request reach moto's admin API or instance metadata (answered 404 here);
- closes a connection idle for `IDLE_TIMEOUT` seconds and refuses bodies over `MAX_BODY` bytes;
- closes a connection whose request has not fully arrived `REQUEST_DEADLINE` seconds after its
  first byte was awaited (a client trickling one byte every few seconds never goes idle);
- serves at most `MAX_CONNECTIONS` connections at once and closes any beyond them at once
  (werkzeug's threaded server would start a thread for every connection it is offered).
"""

from __future__ import annotations

import io
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

IDLE_TIMEOUT = 5.0  # seconds a connection may stay silent (werkzeug's handler then closes it)
MAX_BODY = 1 << 20  # bytes: far above any KMS, IAM or STS request (a key policy is at most 32 KB)
CLOSED = ("moto_api", "instance_metadata")  # moto's own endpoints: never served
REQUEST_DEADLINE = 30.0  # seconds to receive one whole request (line, headers and body)
MAX_CONNECTIONS = 64  # open connections served at once; far above a workshop's clients on one machine
_Request = socket.socket | tuple[bytes, socket.socket]  # what socketserver hands process_request (TCP: a socket)


class _DeadlineSocketIO(socket.SocketIO):
    """A connection's raw input that gives up once the current request's deadline has passed.

    Checked on every receive from the socket, so a request trickling in a byte at a time is cut off
    even inside one `readline` of the buffered reader above it."""

    def __init__(self, connection: socket.socket) -> None:
        super().__init__(connection, "rb")
        self._connection = connection
        self.deadline = time.monotonic() + REQUEST_DEADLINE

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request deadline passed")
        self._connection.settimeout(min(IDLE_TIMEOUT, remaining))
        return super().readinto(buffer) or 0


@dataclass(frozen=True)
class ServeRequest:
    """One HTTP request as it reached the server, before moto sees it."""

    method: str
    url: str  # as the client addressed it: http://HOST[:PORT]/PATH[?QUERY]
    path: str
    headers: Mapping[str, str]
    body: bytes
    backend: str | None  # the moto backend that would answer it ("kms", "iam", "sts", "s3", ...)


@dataclass(frozen=True)
class Answer:
    """What the gate answers instead of moto."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


Gate = Callable[[ServeRequest], Answer | None]

_NOT_FOUND = Answer(404, (("Content-Type", "text/plain"),), b"Not Found\n")
_TOO_LARGE = Answer(413, (("Content-Type", "application/json"),),
                    b'{"__type":"RequestEntityTooLargeException","message":"Request entity too large"}')


class _GatedApp:
    """The WSGI application: the gate, then moto's dispatcher."""

    def __init__(self, gate: Gate | None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.gate = gate
        self.moto = DomainDispatcherApplication(create_backend_app)

    def backend(self, environ: dict[str, Any], path: str) -> str | None:
        """The moto backend moto's dispatcher would hand this request to (its `get_application`)."""
        from moto.moto_server.werkzeug_app import DEFAULT_SERVICE_REGION

        if path.startswith("/moto-api") or path == "/favicon.ico":
            return "moto_api"
        if path.startswith(("/latest/meta-data/", "/latest/api/")):
            return "instance_metadata"
        with self.moto.lock:
            host = self.moto.infer_service_region_host(environ, path)
            if host is None:
                service, region = DEFAULT_SERVICE_REGION
                host = f"{service}.{region}.amazonaws.com"
            found = self.moto.get_backend_for_host(host)
        return str(found) if found else None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        answer = self._gate(environ)
        if answer is None:
            return self.moto(environ, start_response)
        start_response(f"{answer.status} {_REASONS.get(answer.status, 'Error')}",
                       [*answer.headers, ("Content-Length", str(len(answer.body)))])
        return [answer.body]

    def _gate(self, environ: dict[str, Any]) -> Answer | None:
        path = environ.get("PATH_INFO", "") or "/"
        if isinstance(path, bytes):
            path = path.decode("utf-8", "replace")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return _TOO_LARGE
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        try:
            backend = self.backend(environ, path)
        except Exception:  # noqa: BLE001 - a request moto's dispatcher cannot place is served by nobody
            backend = None
        environ["wsgi.input"] = io.BytesIO(body)
        if backend in CLOSED:
            return _NOT_FOUND
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(name):
                headers[name.replace("_", "-").lower()] = environ[name]
        query = environ.get("QUERY_STRING", "")
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        url = f"http://{host}{path}" + (f"?{query}" if query else "")
        if self.gate is None:
            return None
        return self.gate(ServeRequest(environ.get("REQUEST_METHOD", "GET"), url, path, headers, body, backend))


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 413: "Request Entity Too Large",
            500: "Internal Server Error"}


def _handler_class() -> type:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class Handler(MotoRequestHandler):
        """moto's request handler, with a socket timeout: an idle or stalled connection is closed."""

        timeout = IDLE_TIMEOUT

        def setup(self) -> None:
            super().setup()
            self.rfile.close()  # the plain reader setup() made: ours replaces it
            self.raw_input = _DeadlineSocketIO(self.connection)
            self.rfile = io.BufferedReader(self.raw_input)

        def handle_one_request(self) -> None:
            # Each request on a kept-alive connection gets its own deadline; the TimeoutError a passed
            # deadline raises is handled as a timed-out read (http.server closes the connection).
            self.raw_input.deadline = time.monotonic() + REQUEST_DEADLINE
            super().handle_one_request()

        def log_request(self, *args: Any, **kwargs: Any) -> None:  # no line per request on the terminal
            pass

        def log_error(self, format: str, *args: Any) -> None:
            if not format.startswith("Request timed out"):  # an idle connection closed: expected, not news
                super().log_error(format, *args)

    return Handler


def role_trust_policy(role_arn: str) -> str | None:
    """The trust policy (AssumeRolePolicyDocument) of the role `role_arn`, or None if there is no such role."""
    from moto.iam.models import iam_backends

    parts = role_arn.split(":")
    if len(parts) != 6 or parts[4] not in iam_backends:
        return None
    backend = iam_backends[parts[4]]["aws"]
    role = next((r for r in list(backend.roles.values()) if r.arn == role_arn), None)
    return None if role is None else str(role.assume_role_policy_document)


class Server:
    """moto's HTTP server on `host:port` behind `gate`; binds at construction (OSError if it cannot)."""

    def __init__(self, host: str, port: int, gate: Gate | None = None) -> None:
        from werkzeug.serving import ThreadedWSGIServer, make_server

        if not 0 <= port < 65536:
            raise OSError(f"port {port} is not a TCP port (1-65535)")
        # Bound here, not by werkzeug: werkzeug prints a busy port's error and calls sys.exit(1).
        with socket.create_server((host, port)) as listening:
            server = make_server(host, port, _GatedApp(gate), threaded=True,
                                 request_handler=_handler_class(), fd=listening.fileno())
        if not isinstance(server, ThreadedWSGIServer):  # what threaded=True makes; the slots below need it
            raise TypeError(f"werkzeug made a {type(server).__name__}, not a ThreadedWSGIServer")
        self._server = server
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        # Per-instance overrides (make_server builds the server, so it cannot be a subclass of ours).
        self._server.process_request = self._process_request  # type: ignore[method-assign]
        self._server.process_request_thread = self._process_request_thread  # type: ignore[method-assign]
        self._thread: threading.Thread | None = None

    def _process_request(self, request: _Request, client_address: Any) -> None:
        """Start a thread for the connection if a slot is free; otherwise close it at once."""
        if not self._slots.acquire(blocking=False):
            self._server.shutdown_request(request)
            return
        type(self._server).process_request(self._server, request, client_address)  # a thread per connection

    def _process_request_thread(self, request: _Request, client_address: Any) -> None:
        try:
            type(self._server).process_request_thread(self._server, request, client_address)  # handles, closes
        finally:
            self._slots.release()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Serve in a thread that, like every request thread it starts, blocks SIGINT, SIGTERM and SIGHUP:
        the kernel then delivers them to the main thread, which is the one Python runs handlers in (a
        signal landing in a server thread would wait until the main thread next woke)."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="kmslab-serve", daemon=True)
        blocked = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            self._thread.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
