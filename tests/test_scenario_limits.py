"""Hostile and careless scenario files: a clear error in bounded time and memory, never a hang.

Each attack of issue 15 that goes through the scenario loader is here. The CLI runs in a
subprocess under a memory and CPU limit (`resource.setrlimit`), so a regression fails the test
instead of eating the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kmslab.scenario import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_REQUESTS,
    MAX_SETUP_OBJECTS,
    MAX_VALUES,
    ScenarioError,
    load_scenario,
    parse_scenario,
)

MEMORY = 1 << 30  # 1 GiB of address space: a whole CLI run of the seed scenario fits in it
CPU_SECONDS = 120


def _limited() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def run_cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "kmslab", *args], capture_output=True, preexec_fn=_limited, env=env, timeout=600
    )


BOMB = textwrap.dedent("""\
    version: 1
    name: alias-bomb
    accounts:
      "111122223333":
        users: {alice: {}}
    keys:
      demo:
        account: "111122223333"
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::111122223333:root"}
              Action: "kms:*"
              Resource: "*"
              Condition:
                StringEquals:
                  a0: &a0 [x, x, x, x, x, x, x, x, x, x]
                  a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
                  a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
                  a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
                  a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
                  a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
                  a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
                  a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
                  a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
                  a9: &a9 [*a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8]
    requests:
      - {principal: "arn:aws:iam::111122223333:user/alice", action: kms:Decrypt, key: demo}
""")


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, "utf-8")
    assert path.stat().st_size < 1300  # the "1 KB" bomb
    return path


def test_an_alias_bomb_is_refused_by_the_loader(bomb: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(bomb)
    assert f"expands to more than {MAX_VALUES:,} values (the limit)" in str(err.value)
    assert err.value.line is not None and err.value.line >= 17  # inside the Condition


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["run", "--json"],
        ["check"],
        ["explain", "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "kms:Decrypt", "--key", "demo"],
        ["serve", "--port", "0", "--seconds", "1"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_the_cli_refuses_an_alias_bomb_within_bounded_memory(bomb: Path, command: list[str]) -> None:
    result = run_cli(command[0], str(bomb), *command[1:])
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode not in (0, -9), stderr  # -9: killed (memory); SIGXCPU: CPU limit
    assert "the limit" in stderr and "Traceback" not in stderr, stderr


def test_the_playground_refuses_an_alias_bomb(bomb: Path) -> None:
    from kmslab import Lab
    from kmslab.widgets.playground import Playground

    with Lab() as lab:
        playground = Playground(lab)
        assert playground.load(bomb) is False
        assert "the limit" in playground.file_status.value


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_at_once() -> None:
    with pytest.raises(ScenarioError, match=f"larger than {MAX_FILE_BYTES:,} bytes"):
        load_scenario("/dev/zero")
    result = run_cli("run", "/dev/zero")
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode not in (0, -9) and "MemoryError" not in stderr and "Traceback" not in stderr, stderr
    assert f"larger than {MAX_FILE_BYTES:,} bytes (the limit)" in stderr


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("version: 1\nname: big\n" + "#" * MAX_FILE_BYTES + "\n", "utf-8")
    with pytest.raises(ScenarioError, match="the limit"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="the limit"):
        parse_scenario(path.read_text("utf-8"))


HEAD = 'version: 1\nname: limits\naccounts:\n  "111122223333":\n'


def policy_file(document: str) -> str:
    return HEAD + f"    policies:\n      P: {document}\n"


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    ok = "[" * (MAX_DEPTH - 6) + "]" * (MAX_DEPTH - 6)  # the file's own mappings hold the policy 6 deep
    parse_scenario(policy_file("{Statement: " + ok + "}"))
    for depth in (MAX_DEPTH + 1, 5_000, 100_000):
        deep = "[" * depth + "]" * depth
        with pytest.raises(ScenarioError, match="nest|depth") as err:
            parse_scenario(policy_file("{Statement: " + deep + "}"))
        assert "Traceback" not in str(err.value)


def test_nesting_made_by_aliases_counts_too() -> None:
    levels = ["    policies:", "      P:", "        l0: &l0 {a: [x]}"]
    levels += [f"        l{i}: &l{i} {{a: [*l{i - 1}]}}" for i in range(1, MAX_DEPTH)]
    with pytest.raises(ScenarioError, match=f"nests deeper than {MAX_DEPTH} levels"):
        parse_scenario(HEAD + "\n".join(levels) + "\n")


def test_a_json_policy_string_nested_too_deeply_is_refused() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ScenarioError, match="nests deeper than"):
        parse_scenario(policy_file(json.dumps('{"Statement": ' + deep + "}")))
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(ScenarioError, match=f"nests deeper than {MAX_DEPTH} levels"):
        parse_scenario(policy_file(json.dumps('{"Statement": ' + deep + "}")))


def test_an_anchor_that_refers_to_itself_is_refused() -> None:
    with pytest.raises(ScenarioError, match="refers to itself"):
        parse_scenario(policy_file("&p {a: *p}"))


def test_more_aliases_than_the_limit_are_refused() -> None:
    aliases = ", ".join(["*x"] * (MAX_ALIASES + 1))
    with pytest.raises(ScenarioError, match=f"more than {MAX_ALIASES:,} times"):
        parse_scenario(policy_file("{Statement: [&x a, " + aliases + "]}"))
    parse_scenario(policy_file("{Statement: [&x a, " + ", ".join(["*x"] * 10) + "]}"))


def test_more_requests_than_the_limit_are_refused() -> None:
    request = '  - {principal: "arn:aws:iam::111122223333:root", action: kms:ListKeys}\n'
    with pytest.raises(ScenarioError, match=f"{MAX_REQUESTS + 1:,} requests: more than {MAX_REQUESTS:,}"):
        parse_scenario(HEAD + "    users: {}\nrequests:\n" + request * (MAX_REQUESTS + 1))
    # Omitted requests stand for every principal x the standard actions x every key.
    users = "".join(f"      u{i}: {{}}\n" for i in range(60))
    keys = "".join(f'  k{i}: {{account: "111122223333"}}\n' for i in range(30))
    with pytest.raises(ScenarioError, match="omits requests:"):
        parse_scenario(HEAD + "    users:\n" + users + "keys:\n" + keys)


def test_more_setup_objects_than_the_limit_are_refused() -> None:
    users = "".join(f"      u{i}: {{}}\n" for i in range(MAX_SETUP_OBJECTS + 1))
    with pytest.raises(ScenarioError, match=f"more than {MAX_SETUP_OBJECTS:,} \\(the limit\\)"):
        parse_scenario(HEAD + "    users:\n" + users + "requests: []\n")


DUPLICATE = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*"}]}'


def test_a_json_policy_string_with_a_duplicate_key_is_refused() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(policy_file(json.dumps(DUPLICATE)), source="d.yaml")
    assert "duplicate key 'Effect'" in err.value.message and err.value.line == 6


def test_a_json_file_with_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"version": 1, "name": "dup", "name": "again", "accounts": {"111122223333": {}}}', "utf-8")
    with pytest.raises(ScenarioError, match="duplicate key 'name'"):
        load_scenario(path)
    policy = '{"version": 1, "name": "dup", "accounts": {"111122223333": {"policies": {"P": ' + DUPLICATE + "}}}}"
    path.write_text(policy, "utf-8")
    with pytest.raises(ScenarioError, match="duplicate key 'Effect'"):
        load_scenario(path)


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nname: x\x00\naccounts: {}\n",  # raw NUL: YAML refuses it
        "version: 1\nname: x\x1b[31m\naccounts: {}\n",  # raw ESC
        'version: 1\nname: "x\\e[31m\\0"\naccounts: {"111122223333": {}}\n',  # escaped in YAML, raw in the value
        'version: 1\nname: x\naccounts: {"111122223333": {users: {"a\\e[2J": {}}}}\n',
        'version: 1\nname: x\naccounts: {"111122223333": {policies: '
        '{P: "{\\"\\\\u001b[2J\\": 1, \\"\\\\u001b[2J\\": 2}"}}}\n',
    ],
    ids=["raw-nul", "raw-esc", "escaped-in-name", "escaped-in-user-name", "escaped-in-json-policy"],
)
def test_control_characters_never_reach_the_terminal_raw(tmp_path: Path, text: str) -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="c.yaml")
    assert not {"\x00", "\x1b"} & set(str(err.value)), repr(str(err.value))
    path = tmp_path / "control.yaml"
    path.write_bytes(text.encode("utf-8"))
    result = run_cli("check", str(path))
    assert result.returncode != 0
    assert b"\x00" not in result.stderr + result.stdout and b"\x1b" not in result.stderr + result.stdout
    assert b"\\x1b" in result.stderr or b"U+00" in result.stderr, result.stderr  # said, escaped


def test_a_path_with_control_characters_is_escaped_in_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "no\x1b[31mfile.yaml")
    assert "\x1b" not in str(err.value) and "\\x1b" in str(err.value)


def test_the_limits_hold_with_the_pure_python_yaml_parser_too(tmp_path: Path) -> None:
    """Without libyaml (a PyYAML built without it) the loader falls back to PyYAML's own parser."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, "utf-8")
    deep = tmp_path / "deep.yaml"
    deep.write_text(policy_file("{Statement: " + "[" * 100_000 + "]" * 100_000 + "}"), "utf-8")
    code = textwrap.dedent(f"""
        import yaml
        del yaml.CSafeLoader
        from kmslab.scenario import ScenarioError, load_scenario, shipped_scenarios
        from kmslab.scenario.reader import _Loader
        assert _Loader.__mro__[1] is yaml.SafeLoader
        for path in shipped_scenarios().values():
            load_scenario(path)
        for path in ({str(bomb)!r}, {str(deep)!r}):
            try:
                load_scenario(path)
            except ScenarioError as exc:
                print(exc)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=_limited,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"more than {MAX_VALUES:,} values (the limit)" in result.stdout
    assert f"nests deeper than {MAX_DEPTH} levels (the limit)" in result.stdout
