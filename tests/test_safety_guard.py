"""Nothing leaves the machine, whatever the learner did before the lab: issue 15, first section.

Each attack runs in a fresh Python process (a client made before `import kmslab` needs one), with
a real-looking environment and the socket recorder of tests/test_safety.py: a lookup or connection
beyond loopback fails the test, whatever the guard's error says.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kmslab.lab.safety import is_loopback


def _load_test_safety():
    """tests/test_safety.py's real-looking environment and socket recorder (pytest's importlib mode: by path)."""
    spec = importlib.util.spec_from_file_location("kmslab_tests_safety", Path(__file__).with_name("test_safety.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SAFETY = _load_test_safety()
ROOT, real_looking_environment = _SAFETY.ROOT, _SAFETY.real_looking_environment


def run_attack(tmp_path: Path, code: str, **extra_env: str) -> tuple[dict, list[list[str]]]:
    """Run `code` in a child with a real-looking environment; (its JSON result, every socket attempt)."""
    env = real_looking_environment(tmp_path)
    env.update(extra_env)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    log = tmp_path / "sockets.log"
    attempts = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
    return json.loads(proc.stdout.strip().splitlines()[-1]), attempts


def beyond_loopback(attempts: list[list[str]]) -> list[list[str]]:
    return [a for a in attempts if not is_loopback(a[2])]


EARLY_CLIENT = '''
    import json, boto3
    early_kms = boto3.client("kms")                    # before import kmslab: real credentials, no moto stubber
    early_session = boto3.Session()
    import kmslab
    from kmslab.lab.safety import OutsideLabError
    result = {}
    lab = kmslab.Lab()
    lab.create_user("u")
    try:
        early_kms.list_keys()
        result["early"] = "sent"
    except OutsideLabError as exc:
        result["early"] = str(exc)
    creds = lab.credentials("u")
    lab.stop()
    try:  # lab credentials, on a session made before the lab, after it stopped
        early_session.client("kms", **creds).list_keys()
        result["after_stop"] = "sent"
    except OutsideLabError as exc:
        result["after_stop"] = str(exc)
    print(json.dumps(result))
'''


def test_a_client_made_before_the_lab_never_reaches_the_network(tmp_path):
    result, attempts = run_attack(tmp_path, EARLY_CLIENT)
    assert "would have left this machine while a lab runs" in result["early"]
    assert "credentials of a lab that has stopped" in result["after_stop"]
    assert beyond_loopback(attempts) == []


def test_a_client_made_before_the_lab_with_a_hostile_endpoint_is_refused(tmp_path):
    result, attempts = run_attack(tmp_path, EARLY_CLIENT, AWS_ENDPOINT_URL="https://kms.evil-example.com")
    assert "kms.evil-example.com" in result["early"]
    assert beyond_loopback(attempts) == []


def test_keys_a_learner_makes_inside_a_lab_stay_inside_after_it_stops(tmp_path):
    code = '''
        import json, boto3, kmslab
        from kmslab.lab.safety import OutsideLabError
        lab = kmslab.Lab()
        lab.create_user("u")
        key = lab.client("iam").create_access_key(UserName="u")["AccessKey"]  # made by the learner, not by the lab
        lab.stop()
        try:
            boto3.client("kms", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                         aws_secret_access_key=key["SecretAccessKey"]).list_keys()
            print(json.dumps({"sent": True}))
        except OutsideLabError as exc:
            print(json.dumps({"sent": False, "error": str(exc)}))
    '''
    result, attempts = run_attack(tmp_path, code)
    assert result["sent"] is False
    assert beyond_loopback(attempts) == []


HOSTILE_CONFIG = """[default]
region = eu-west-1
endpoint_url = https://kms.evil-example.com
use_fips_endpoint = true
credential_process = /bin/sh -c 'touch {marker}; echo {{}}'
[profile real-admin]
endpoint_url = https://kms.evil-example.com
use_fips_endpoint = true
credential_process = /bin/sh -c 'touch {marker}; echo {{}}'
"""


@pytest.mark.parametrize("broken", [False, True])
def test_a_hostile_aws_folder_is_never_read_and_the_lab_works(tmp_path, broken):
    """~/.aws with endpoint_url, use_fips_endpoint, credential_process (or a broken file): never opened."""
    home = tmp_path / "hostile-home"
    marker = tmp_path / "credential-process-ran"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text("[default\n\x00broken" if broken else HOSTILE_CONFIG.format(marker=marker))
    (home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = AKIA" + "J7QW2PLM4XN8RT3V\n"
                                               "credential_process = /bin/sh -c 'touch " + str(marker) + "'\n")
    code = f'''
        import json, os, sys
        opened = []
        aws_dir = os.path.realpath({str(home / ".aws")!r})
        def audit(event, args):
            if event == "open" and isinstance(args[0], (str, bytes)):
                path = os.fsdecode(args[0])
                if os.path.realpath(path).startswith(aws_dir):
                    opened.append(path)
        import kmslab
        for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"):
            os.environ.pop(name, None)  # botocore would read ~/.aws/config and ~/.aws/credentials
        sys.addaudithook(audit)
        with kmslab.Lab() as lab:
            lab.create_user("kms-test-2", managed_policies=["AdministratorAccess"])
            lab.create_key("demo")
            allowed = lab.request("kms-test-2", "kms:Encrypt", "demo").decision
            listed = len(lab.client("kms", as_="kms-test-2").list_keys()["Keys"])
        print(json.dumps({{"opened": opened, "allowed": allowed, "listed": listed}}))
    '''
    result, attempts = run_attack(tmp_path, code, HOME=str(home))
    assert result["opened"] == []
    assert result["allowed"] == "allowed" and result["listed"] == 1
    assert not marker.exists()
    assert beyond_loopback(attempts) == []


RESTORE = '''
    import json, os
    import kmslab
    before = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    lab = kmslab.Lab()
    during = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    lab.stop()
    after_stop = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    try:
        with kmslab.Lab():
            raise ValueError("a learner's mistake")
    except ValueError:
        pass
    after_exception = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    print(json.dumps({"before": before, "during": during, "after_stop": after_stop,
                      "after_exception": after_exception}))
'''


@pytest.mark.parametrize("region", ["eu-central-1", None])
def test_every_aws_variable_comes_back_exactly(tmp_path, region):
    extra = {"AWS_USE_FIPS_ENDPOINT": "true", "AWS_MAX_ATTEMPTS": "7"}
    code = RESTORE if region else "import os\nos.environ.pop('AWS_DEFAULT_REGION', None)\n" + textwrap.dedent(RESTORE)
    result, _ = run_attack(tmp_path, code, **extra, **({"AWS_DEFAULT_REGION": region} if region else {}))
    before = result["before"]
    assert before.get("AWS_DEFAULT_REGION") == region and before["AWS_USE_FIPS_ENDPOINT"] == "true"
    assert result["after_stop"] == before
    assert result["after_exception"] == before
    during = result["during"]
    assert during["AWS_DEFAULT_REGION"] == "us-east-1"
    assert "AWS_USE_FIPS_ENDPOINT" not in during and "AWS_PROFILE" not in during
    assert during["AWS_ACCESS_KEY_ID"] != before["AWS_ACCESS_KEY_ID"]
