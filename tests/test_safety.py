"""Nothing reaches real AWS, whatever credentials the learner's environment holds.

Every notebook and the CLI run in child processes whose environment looks like a real
AWS user's (access key, profile, ~/.aws/credentials, a real endpoint URL), with a
`sitecustomize` that records every socket connection and name lookup. The only
addresses allowed are loopback ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest

from kmslab.lab import Lab, LabError
from kmslab.lab.safety import OutsideLabError, is_loopback

ROOT = Path(__file__).resolve().parents[1]

GUARD = textwrap.dedent('''
    import os, socket
    _log = os.environ.get("KMSLAB_SOCKET_LOG")
    if _log:
        def _record(kind, host, port):
            with open(_log, "a") as fh:
                fh.write(f"{os.getpid()} {kind} {host} {port}\\n")
        _connect, _connect_ex, _gai = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
        def connect(self, address):
            if isinstance(address, tuple):
                _record("connect", address[0], address[1])
            return _connect(self, address)
        def connect_ex(self, address):
            if isinstance(address, tuple):
                _record("connect", address[0], address[1])
            return _connect_ex(self, address)
        def getaddrinfo(host, port, *args, **kwargs):
            _record("lookup", host, port)
            return _gai(host, port, *args, **kwargs)
        socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
''')

RUN_EVERYTHING = textwrap.dedent('''
    import subprocess, sys, glob, socket
    import nbformat
    from nbclient import NotebookClient
    # Self-check: the guard records connections here and inside kernels (a loopback probe each).
    probe = "\\n".join(["import socket", "try:", "    socket.create_connection(('127.0.0.1', 9), timeout=1)",
                        "except OSError:", "    pass"])
    exec(probe)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    for path in sorted(glob.glob("notebooks/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
        print("notebook", path)
    scenarios = sorted(glob.glob("kmslab/scenarios/*.yaml"))
    subprocess.run([sys.executable, "-m", "kmslab", "check", *scenarios], check=True)
    subprocess.run([sys.executable, "-m", "kmslab", "run", "--json", scenarios[0]], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "kmslab", "explain", "kmslab/scenarios/seed-without-root.yaml",
                    "--principal", "arn:aws:iam::111122223333:user/kms-test-2", "--action", "Decrypt", "--key", "demo"],
                   check=True, capture_output=True)
''')


def real_looking_environment(tmp_path: Path) -> dict[str, str]:
    key_id = "AKIA" + "J7QW2PLM4XN8RT3V"  # shaped like a real key id; never a real one
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {'s' * 40}\n"
        f"[real-admin]\naws_access_key_id = {key_id}\naws_secret_access_key = {'s' * 40}\n")
    (home / ".aws" / "config").write_text("[default]\nregion = us-east-1\n[profile real-admin]\nregion = us-east-1\n")
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "HOME": str(home), "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": "s" * 40,
        "AWS_SESSION_TOKEN": "t" * 100, "AWS_PROFILE": "real-admin", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": "https://kms.us-east-1.amazonaws.com", "PYTHONPATH": str(guard),
        "KMSLAB_SOCKET_LOG": str(tmp_path / "sockets.log"), "JUPYTER_PLATFORM_DIRS": "1",
    })
    return env


@pytest.mark.slow
def test_notebooks_and_cli_never_connect_beyond_loopback(tmp_path):
    env = real_looking_environment(tmp_path)
    proc = subprocess.run([sys.executable, "-c", RUN_EVERYTHING], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.stdout.count("notebook ") == len(list((ROOT / "notebooks").glob("*.ipynb")))
    log = (tmp_path / "sockets.log").read_text().splitlines() if (tmp_path / "sockets.log").exists() else []
    attempts = [line.split() for line in log]
    probes = {a[0] for a in attempts if a[1:] == ["connect", "127.0.0.1", "9"]}
    assert len(probes) >= 2, "the socket guard is not active in the runner and in kernels"
    outside = [a for a in attempts if not is_loopback(a[2])]
    print(f"\nsocket guard: {len(attempts)} connection attempts or lookups, {len(outside)} beyond loopback")
    assert outside == []


def test_the_lab_hides_real_credentials_and_restores_them(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA" + "J7QW2PLM4XN8RT3V")
    monkeypatch.setenv("AWS_PROFILE", "real-admin")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://kms.us-east-1.amazonaws.com")
    lab = Lab()
    try:
        assert os.environ["AWS_ACCESS_KEY_ID"] != "AKIA" + "J7QW2PLM4XN8RT3V"  # a fake key stands in
        assert "AWS_PROFILE" not in os.environ and "AWS_ENDPOINT_URL" not in os.environ
        # A plain boto3 client inside the lab reaches only the lab: the fake default key is not a lab principal.
        with pytest.raises(Exception) as exc:
            boto3.client("kms").list_keys()
        assert "UnrecognizedClientException" in str(exc.value)
    finally:
        lab.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIA" + "J7QW2PLM4XN8RT3V"
    assert os.environ["AWS_PROFILE"] == "real-admin"


def test_clients_of_a_stopped_lab_fail_closed():
    lab = Lab()
    lab.create_user("u")
    client, creds = lab.client("kms", as_="u"), lab.credentials("u")
    lab.stop()
    with pytest.raises(LabError, match="stopped lab"):
        client.list_keys()
    with pytest.raises(OutsideLabError, match="not sent"):
        boto3.client("kms", **creds).list_keys()


def test_a_custom_endpoint_outside_the_machine_is_refused_inside_a_lab():
    with Lab() as lab, pytest.raises(OutsideLabError, match="kms.example.com"):
        boto3.client("kms", endpoint_url="https://kms.example.com", **lab.credentials("root")).list_keys()


@pytest.mark.parametrize("endpoint", [
    "https://kms.example.com",
    "https://kms.example.com:443",
    "https://user@kms.example.com",
    "https://kms.example.com?kms.us-east-1.amazonaws.com",
    "https://kms.example.com#.amazonaws.com",
])
def test_the_guards_fast_path_never_mistakes_another_host_for_aws(endpoint):
    """Only a bare *.amazonaws.com host skips urlsplit; a port, user or query goes the careful way."""
    with Lab() as lab, pytest.raises(OutsideLabError, match="kms.example.com"):
        boto3.client("kms", endpoint_url=endpoint, **lab.credentials("root")).list_keys()
