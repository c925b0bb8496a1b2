"""`python -m kmslab run|check|explain|serve` on real scenario files."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kmslab.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "kmslab" / "scenarios").glob("*.yaml"))
SEED = ROOT / "kmslab" / "scenarios" / "seed-without-root.yaml"


def test_every_shipped_scenario_checks_clean(capsys):
    assert len(SCENARIOS) >= 12
    assert main(["check", *map(str, SCENARIOS)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("check: ") and out[-1].endswith(" 0 failed")


def test_check_reports_each_mismatch_and_exits_1(tmp_path, capsys):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(SEED.read_text().replace(
        'action: kms:Decrypt, key: demo, expect: denied}', 'action: kms:Decrypt, key: demo, expect: allowed}', 1))
    assert main(["check", str(wrong)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"{wrong}:") and "kms-test-2 kms:Decrypt on demo: expected allowed, got denied" in out[0]
    assert out[1] == "check: 4 passed, 1 failed"


def test_run_json_is_the_documented_shape(capsys):
    assert main(["run", str(SEED), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert isinstance(results, list) and len(results) == 5
    denied = results[2]
    assert set(denied) == {"principal", "action", "key", "decision", "error", "message", "reason", "statements"}
    assert (denied["principal"], denied["action"], denied["key"], denied["decision"], denied["error"]) == (
        "arn:aws:iam::111122223333:user/kms-test-2", "kms:Decrypt", "demo", "denied", "AccessDeniedException")
    assert denied["message"].startswith("User: arn:aws:iam::111122223333:user/kms-test-2 is not authorized")


def test_run_json_with_several_files_maps_paths(capsys):
    other = ROOT / "kmslab" / "scenarios" / "seed-with-root.yaml"
    assert main(["run", str(SEED), str(other), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert set(results) == {str(SEED), str(other)}


def test_run_prints_a_readable_table(capsys):
    assert main(["run", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "Key policy without the root statement" in out and "DENIED" in out


def test_run_never_prints_a_title_s_control_characters_raw(tmp_path, capsys):
    """A title that would set the terminal's title (OSC) or ring its bell is printed escaped (issue 15)."""
    text = SEED.read_text()
    assert "\ntitle:" in text
    hostile = tmp_path / "osc.yaml"
    hostile.write_text(re.sub(r"\ntitle:.*", lambda _: '\ntitle: "\\e]0;pwned\\a"', text, count=1))
    assert main(["run", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "pwned" in out


def test_explain_prints_the_decision_path(capsys):
    assert main(["explain", str(SEED), "--principal", "arn:aws:iam::111122223333:user/kms-test-2",
                 "--action", "kms:Decrypt", "--key", "demo"]) == 0
    out = capsys.readouterr().out
    assert "decision: DENIED (AccessDeniedException)" in out
    assert "key policy names the caller" in out and "key policy allows the account" in out  # engine.words
    assert "\ndecided at: " in out
    assert "because no resource-based policy allows the kms:Decrypt action" in out
    assert "\nAWS says: An error occurred (AccessDeniedException) when calling the Decrypt operation: User: " \
           "arn:aws:iam::111122223333:user/kms-test-2 is not authorized" in out


@pytest.mark.parametrize("command", [
    ["run", str(SEED)],
    ["check", str(SEED)],
    ["explain", str(SEED), "--principal", "kms-test-2", "--action", "Decrypt", "--key", "demo"],
])
def test_the_cli_imports_neither_pandas_nor_ipywidgets(command):
    """run/check/explain start fast: pandas and the widgets (ipywidgets, IPython) are for notebooks only."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "kmslab", *command], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "kmslab.cli" in imported and "kmslab.lab" in imported  # the importtime report is what we think it is
    heavy = sorted(name for name in imported
                   if name.split(".")[0] in {"pandas", "numpy", "ipywidgets", "IPython"} or name == "kmslab.widgets")
    assert heavy == []


def test_the_cli_table_is_laid_out_as_pandas_lays_it_out():
    """`run` prints its table without pandas, in the layout it always had (pandas' to_string)."""
    import pandas as pd

    from kmslab.cli import TABLE_COLUMNS, text_table

    rows = [("arn:aws:iam::111122223333:user/kms-test-1", "kms:Encrypt", "demo", "allowed", "", "named\tdirectly"),
            ("arn:aws:iam::111122223333:root", "kms:DescribeKey", "-", "DENIED", "AccessDeniedException", "no\nroot"),
            ("r", "kms:ListKeys", "-", "ERROR", "NotFoundException", "x" * 300)]
    expected = pd.DataFrame([dict(zip(TABLE_COLUMNS, row, strict=True)) for row in rows]).to_string(index=False)
    assert text_table(TABLE_COLUMNS, rows) == expected
    assert text_table(TABLE_COLUMNS, []) == pd.DataFrame([]).to_string(index=False)


@pytest.mark.parametrize("text, expected", [
    ("version: 1\nname: x\naccounts: [\n", "yaml"),
    ("version: 2\nname: x\n", "version"),
    ("version: 1\nname: x\nacounts: {}\n", "acounts"),
    ('version: 1\nname: x\naccounts: {"111122223333": {users: {a: {}}}}\nkeys: {k: {account: "111122223333"}}\n'
     'requests:\n  - {principal: "arn:aws:iam::111122223333:user/a", action: kms:Decryt, key: k}\n', "kms:Decrypt"),
])
def test_malformed_files_give_one_clear_line_and_exit_2(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    proc = subprocess.run([sys.executable, "-m", "kmslab", "check", str(path)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert str(path) in proc.stderr and expected.lower() in proc.stderr.lower()


def test_key_that_aws_refuses_to_create_is_a_clear_error(tmp_path):
    path = tmp_path / "refused.yaml"
    path.write_text(SEED.read_text().replace("user/manabusakai\n          Action", "user/nobody\n          Action"))
    proc = subprocess.run([sys.executable, "-m", "kmslab", "run", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "key 'demo'" in proc.stderr and "MalformedPolicyDocumentException" in proc.stderr


def test_missing_file_is_a_clear_error(capsys):
    assert main(["check", "/nonexistent/kmslab.yaml"]) == 2
    assert "/nonexistent/kmslab.yaml" in capsys.readouterr().err


def test_serve_answers_any_client_with_the_written_profiles(tmp_path):
    import socket

    import boto3
    from botocore.exceptions import ClientError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen([sys.executable, "-m", "kmslab", "serve", str(SEED), "--port", str(port),
                             "--seconds", "60"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=tmp_path)
    try:
        lines = []
        while not any("Press Ctrl-C" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "serve exited early:\n" + "".join(lines)
            lines.append(line)
        folder = next(line.split("AWS_CONFIG_FILE=")[1].split()[0] for line in lines if "AWS_CONFIG_FILE=" in line)
        folder = str(Path(folder).parent)
        assert not folder.startswith(str(Path.home() / ".aws"))
        os.environ["AWS_CONFIG_FILE"] = f"{folder}/config"
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = f"{folder}/credentials"
        try:
            kms2 = boto3.Session(profile_name="kms-test-2").client("kms", endpoint_url=f"http://127.0.0.1:{port}")
            kms1 = boto3.Session(profile_name="kms-test-1").client("kms", endpoint_url=f"http://127.0.0.1:{port}")
        finally:
            del os.environ["AWS_CONFIG_FILE"], os.environ["AWS_SHARED_CREDENTIALS_FILE"]
        # ListAliases has no key resource: kms-test-2's AdministratorAccess decides (allowed).
        assert any(a["AliasName"] == "alias/demo" for a in kms2.list_aliases()["Aliases"])
        # kms-test-1 is named in the key policy.
        arn = kms1.describe_key(KeyId="alias/demo")["KeyMetadata"]["Arn"]
        assert arn.startswith("arn:aws:kms:ap-northeast-1:111122223333:key/")
        with pytest.raises(ClientError) as exc:
            kms2.describe_key(KeyId=arn)
        assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0
    assert "kmslab server stopped." in out and "Traceback" not in out
