"""`python -m kmslab serve` as a command: a clear refusal for a bad port, private profiles removed on exit.

Every server here listens on 127.0.0.1 and stops by itself (`--seconds`) if a test fails to stop it.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parent.parent / "kmslab" / "scenarios" / "seed-without-root.yaml"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def _serve(*args: str, seconds: int = 60) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kmslab", "serve", str(SEED), *args, "--seconds", str(seconds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())


def _folder_of(proc: subprocess.Popen[str]) -> Path:
    lines: list[str] = []
    while not any("Press Ctrl-C" in line for line in lines):
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line, "serve exited early:\n" + "".join(lines) + proc.stderr.read()  # type: ignore[union-attr]
        lines.append(line)
    config = next(line.split("AWS_CONFIG_FILE=")[1].split()[0] for line in lines if "AWS_CONFIG_FILE=" in line)
    return Path(config).parent


def test_a_busy_port_is_refused_at_once():
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "kmslab", "serve", str(SEED), "--port", str(port),
                               "--seconds", "30"], capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr and "kmslab serving" not in proc.stdout


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_that_is_no_tcp_port_is_refused(port):
    proc = subprocess.run([sys.executable, "-m", "kmslab", "serve", str(SEED), "--port", port, "--seconds", "30"],
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"--port {port}" in proc.stderr and "1 to 65535" in proc.stderr
    assert "Traceback" not in proc.stderr and "kmslab serving" not in proc.stdout


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_private_profiles_folder_is_removed_on_exit(stop):
    proc = _serve("--port", "0")
    try:
        folder = _folder_of(proc)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for name in ("config", "credentials"):
            assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
        assert "aws_secret_access_key" in (folder / "credentials").read_text()
    finally:
        proc.send_signal(stop)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, err
    assert "kmslab server stopped." in out and "Traceback" not in err
    assert not folder.exists()


def test_port_zero_serves_on_the_port_it_announces():
    proc = _serve("--port", "0")
    try:
        folder = _folder_of(proc)
        endpoint = next(line.split("endpoint_url = ")[1].strip()
                        for line in (folder / "config").read_text().splitlines() if "endpoint_url" in line)
        host, port = endpoint.removeprefix("http://").split(":")
        assert host == "127.0.0.1" and 0 < int(port) < 65536
        with socket.create_connection((host, int(port)), timeout=30):
            pass
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
