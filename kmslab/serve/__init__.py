"""`kmslab serve FILE`: a scenario's world on 127.0.0.1 for the AWS CLI or any SDK.

What it guarantees (see README, "Safety"):
- it listens on 127.0.0.1 only; a busy or invalid port is refused at once (exit status 2);
- it answers KMS, IAM and STS only, and only requests signed (SigV4) with the secret of one of the
  scenario's principals (or of keys they made inside it); moto's admin API is closed;
- KMS requests are decided by kmslab's engine (key policy, IAM policies, grants), IAM and STS
  requests by the caller's identity policies (AssumeRole: and the role's trust policy);
- the profiles it writes live in a private temporary folder (0700, files 0600) removed on exit,
  Ctrl-C or SIGTERM; idle connections are closed after a few seconds.
"""

from __future__ import annotations

import configparser
import io
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..engine import words

HOST = "127.0.0.1"


class ServeError(RuntimeError):
    """serve cannot start (a busy or invalid port); the message says why."""


def _ini(parser: configparser.ConfigParser) -> str:
    buffer = io.StringIO()
    parser.write(buffer)
    return buffer.getvalue()


def profile_name(arn: str, home_account: str) -> str:
    name = "root" if arn.endswith(":root") else arn.rsplit("/", 1)[-1]
    account = arn.split(":")[4]
    return name if account == home_account else f"{name}@{account}"


def write_profiles(lab: Any, folder: Path, endpoint: str) -> list[str]:
    """The AWS CLI config and credentials of every principal of the lab, in `folder` (files 0600)."""
    config, creds = configparser.ConfigParser(interpolation=None), configparser.ConfigParser(interpolation=None)
    names = []
    for arn in lab.principals():
        name = profile_name(arn, lab.account)
        c = lab.credentials(arn)
        creds[name] = {k: v for k, v in c.items() if k.startswith("aws_")}
        config[f"profile {name}"] = {"region": lab.region, "endpoint_url": endpoint, "output": "json"}
        names.append(name)
    for filename, parser in (("config", config), ("credentials", creds)):
        fd = os.open(folder / filename, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(_ini(parser))
    return names


@contextmanager
def private_folder() -> Iterator[Path]:
    """A temporary folder only this user can read (mkdtemp makes it 0700), removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="kmslab-serve-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class _Stop(Exception):
    """SIGTERM or SIGHUP: stop as Ctrl-C does."""


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP end the server like Ctrl-C (so the profiles folder is removed)."""
    def handler(signum: int, frame: Any) -> None:
        raise _Stop(signum)

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def serve(file: str, port: int, seconds: float = 0) -> int:
    """Serve the scenario `file` on 127.0.0.1:`port` until Ctrl-C, SIGTERM or `seconds` (tests) pass."""
    from ..lab.moto_adapter import Server
    from ..runner import lab_from_scenario
    from .gate import gate

    if not 0 <= port <= 65535:
        raise ServeError(f"--port {port}: a TCP port is a number from 1 to 65535 (0: any free port)")
    lab = lab_from_scenario(file)
    try:
        try:
            server = Server(HOST, port, gate)
        except OSError as exc:
            raise ServeError(words.cli_text("cannot-listen", address=f"{HOST}:{port}", error=exc.strerror or exc)
                             + (words.cli_text("port-in-use")
                                if "in use" in str(exc.strerror or exc) else "")) from None
        with private_folder() as folder, _stop_on_signals():
            endpoint = f"http://{HOST}:{server.address[1]}"
            names = write_profiles(lab, folder, endpoint)
            server.start()
            try:
                print(words.cli_text("serving", file=_printable(file), endpoint=endpoint, profiles=", ".join(names)))
                print(words.cli_text("try")
                      + f"\n  AWS_CONFIG_FILE={folder}/config AWS_SHARED_CREDENTIALS_FILE={folder}/credentials \\\n"
                      f"    aws --profile {names[0]} --endpoint-url {endpoint} kms list-keys")
                print(words.cli_text("press-ctrl-c"), flush=True)
                threading.Event().wait(seconds if seconds else None)
            except (KeyboardInterrupt, _Stop):
                pass
            finally:
                server.stop()
    finally:
        lab.stop()
    print(words.cli_text("stopped"), flush=True)
    return 0


def _printable(text: str) -> str:
    """A file name as the terminal may show it: control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


__all__ = ["HOST", "ServeError", "private_folder", "profile_name", "serve", "write_profiles"]
