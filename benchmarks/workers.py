"""The benchmark bodies. Each runs in a fresh process started by `benchmarks.run`:

    python -m benchmarks.workers CASE --out RESULT.json [--n N]

and writes its raw measurements (seconds unless a name says otherwise) as JSON to
RESULT.json. Nothing here prints timings or judges them; `benchmarks.run` does.

The *bare* cases are baselines and must not import kmslab: they run plain moto
(`mock_aws()`) with plain boto3 clients. `matrix-bare` makes the same requests as the
lab's access matrix, prepared and undone the same way, by loading kmslab/lab/calls.py
as a stand-alone file (it imports nothing from kmslab): the plans are shared, not copied.
Where the lab denies a request, its engine answers before moto's operation runs; so that
both sides do the same work, `matrix-bare` sends those requests for a key that does not
exist (`--cells`: the lab's denied cells), and moto answers NotFoundException at its key
lookup, before the operation. Every bare case runs moto with the lab's cost-only patches
(kmslab/lab/moto_adapter/speedups.py, loaded stand-alone: lazy key pairs, a cheap action lookup),
so that a ratio measures what the lab adds to moto, not what the lab saves moto.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import importlib.util
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "kmslab" / "scenarios"
SEED = SCENARIOS / "seed-without-root.yaml"
NOTEBOOKS = ROOT / "notebooks"
ACCOUNT = "111122223333"
REGION = "ap-northeast-1"  # the seed scenario's region
PLAINTEXT = b"kmslab: the quick brown fox"  # what the lab's Encrypt plan sends

perf = time.perf_counter


@contextlib.contextmanager
def _quiet() -> Any:
    """Swallow stray output (ipywidgets' Output.clear_output writes ANSI codes outside a kernel)."""
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        yield


def _bare_env() -> None:
    """Fake credentials for plain boto3 under moto (no kmslab to install them)."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS",
                 "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="bench-not-a-real-key", AWS_SECRET_ACCESS_KEY="bench-not-a-real-secret",
                      AWS_DEFAULT_REGION=REGION)


def _seed_policy() -> dict[str, Any]:
    return {
        "Id": "key-consolepolicy-1", "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Allow access for Key Administrators", "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/kms-test-1",
                                  f"arn:aws:iam::{ACCOUNT}:user/manabusakai"]},
            "Action": "kms:*", "Resource": "*",
        }],
    }


# ---------------------------------------------------------------- widget toggle


def toggle(n: int) -> dict[str, Any]:
    """KeyPolicyExperiment on the seed scenario: set_root_statement(True/False) alternating, each timed
    (wall clock, and the CPU time of this thread: what a busy machine's other processes add is not in it)."""
    from kmslab.runner import lab_from_scenario
    from kmslab.widgets.experiment import KeyPolicyExperiment

    lab = lab_from_scenario(SEED)
    with _quiet():
        exp = KeyPolicyExperiment(lab, "demo")
        cells = len(exp.outcomes)
        for i in range(4):  # warm-up: first renders, first requests of each kind
            exp.set_root_statement(i % 2 == 0)
        samples, cpu = [], []
        logged = lab.events_total  # every KMS request the lab handles is logged: the requests a toggle makes
        for i in range(n):
            on = i % 2 == 0
            t0, c0 = perf(), time.thread_time()
            exp.set_root_statement(on)
            samples.append(perf() - t0)
            cpu.append(time.thread_time() - c0)
            # Not a timing check: proof that each toggle changed the key and re-ran every request.
            if exp.error_view.value or not exp.flipped() or len(exp.outcomes) != cells:
                raise RuntimeError("a toggle did not re-render the table as expected")
        requests = (lab.events_total - logged) / n
    lab.stop()
    return {"samples": samples, "cpu": cpu, "cells": cells, "principals": len(exp.principals),
            "actions": len(exp.actions), "requests": requests}


# ---------------------------------------------------------------- one KMS call

KMS_OPS = ("Encrypt", "Decrypt", "DescribeKey")


def _time_ops(calls: dict[str, Callable[[int], Any]], rounds: int, warmup: int = 30) -> dict[str, list[float]]:
    """Round-robin over the operations so that drift in the machine hits each of them alike.
    Call `i` of an operation gets `i`: warm-up calls first, then the timed ones."""
    for i in range(warmup):
        for call in calls.values():
            call(i)
    out: dict[str, list[float]] = {op: [] for op in calls}
    for i in range(warmup, warmup + rounds):
        for op, call in calls.items():
            t0 = perf()
            call(i)
            out[op].append(perf() - t0)
    return out


def _distinct_calls(kms: Any, arn: str, others: list[tuple[str, str]], calls: int) -> dict[str, Callable[[int], Any]]:
    """Every call different from every other: Encrypt a new plaintext, Decrypt a new ciphertext,
    DescribeKey another key (each of `others`, (ARN, alias), described once before by its alias, so that
    the lab knows the key but has never decided this request): no decision is found in a memo."""
    plaintexts = [PLAINTEXT + f" #{i}".encode() for i in range(calls)]
    # The ciphertexts to decrypt come from other plaintexts: an Encrypt timed later is then the first
    # request with its body (the lab checks a body it has seen before from a cache).
    blobs = [kms.encrypt(KeyId=arn, Plaintext=PLAINTEXT + f" decrypt #{i}".encode())["CiphertextBlob"]
             for i in range(calls)]
    for _, alias in others:
        kms.describe_key(KeyId=alias)
    return {
        "Encrypt": lambda i: kms.encrypt(KeyId=arn, Plaintext=plaintexts[i]),
        "Decrypt": lambda i: kms.decrypt(CiphertextBlob=blobs[i], KeyId=arn),
        "DescribeKey": lambda i: kms.describe_key(KeyId=others[i][0]),
    }


def _repeated_calls(kms: Any, arn: str) -> dict[str, Callable[[int], Any]]:
    """The same call again and again: after the first, the lab finds its decision in the memo."""
    blob = kms.encrypt(KeyId=arn, Plaintext=PLAINTEXT)["CiphertextBlob"]
    return {
        "Encrypt": lambda i: kms.encrypt(KeyId=arn, Plaintext=PLAINTEXT),
        "Decrypt": lambda i: kms.decrypt(CiphertextBlob=blob, KeyId=arn),
        "DescribeKey": lambda i: kms.describe_key(KeyId=arn),
    }


def _kms_call_samples(kms: Any, arn: str, others: list[tuple[str, str]], n: int) -> dict[str, Any]:
    distinct = _time_ops(_distinct_calls(kms, arn, others, n + 30), n)
    repeated = _time_ops(_repeated_calls(kms, arn), n)
    return {"samples": distinct, "repeated": repeated}


def kms_call_lab(n: int) -> dict[str, Any]:
    """kms-test-1 (allowed by the seed key policy) with its own client from lab.client(); the other
    keys for DescribeKey have the seed key's policy too."""
    from kmslab.runner import lab_from_scenario

    lab = lab_from_scenario(SEED)
    names = [f"describe-{i}" for i in range(n + 30)]
    for name in names:
        lab.create_key(name, policy=_seed_policy(), created_by="kms-test-1")
    kms = lab.client("kms", as_="kms-test-1")
    result = _kms_call_samples(kms, lab.key_arn("demo"), [(lab.key_arn(k), f"alias/{k}") for k in names], n)
    outcomes = set(lab.events()["outcome"])
    if outcomes != {"allowed"}:
        raise RuntimeError(f"expected every call to be allowed, got {outcomes}")
    lab.stop()
    return result


def kms_call_bare(n: int) -> dict[str, Any]:
    """The same calls on bare moto: mock_aws(), a plain boto3 client, keys with the seed's policy."""
    import boto3
    from moto import mock_aws

    _bare_env()
    as_the_lab = _lab_speedups()
    with mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        as_the_lab(kms)
        arn = kms.create_key(Policy=json.dumps(_seed_policy()))["KeyMetadata"]["Arn"]
        others = []
        for _ in range(n + 30):
            other = kms.create_key(Policy=json.dumps(_seed_policy()))["KeyMetadata"]
            kms.create_alias(AliasName=f"alias/{other['KeyId']}", TargetKeyId=other["KeyId"])
            others.append((other["Arn"], f"alias/{other['KeyId']}"))
        result = _kms_call_samples(kms, arn, others, n)
    assert "kmslab" not in sys.modules, "the baseline must not import kmslab"
    return result


# ---------------------------------------------------------------- access matrix

# 20 actions the lab supports (kmslab/lab/calls.py PLANS), all on a key. Left out:
# ReEncryptTo (a ReEncrypt like the ReEncryptFrom cell, the other way round), CreateGrant and RevokeGrant (grant
# bookkeeping: the figure should not depend on how a plan cleans up grants).
MATRIX_ACTIONS = (
    "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
    "kms:ListKeyPolicies", "kms:ListGrants", "kms:ListResourceTags", "kms:GetKeyRotationStatus",
    "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:ScheduleKeyDeletion", "kms:DisableKey",
    "kms:EnableKey", "kms:CreateAlias", "kms:TagResource", "kms:UpdateKeyDescription",
)
MATRIX_USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan")  # + root = 10


def _arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:root" if name == "root" else f"arn:aws:iam::{ACCOUNT}:user/{name}"


ROOT_STATEMENT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                  "Principal": {"AWS": _arn("root")}, "Action": "kms:*", "Resource": "*"}
MATRIX_KEYS: dict[str, dict[str, Any]] = {
    # The default key policy: IAM policies decide.
    "default": {"created_by": None, "policy": {"Version": "2012-10-17", "Id": "key-default-1",
                                               "Statement": [ROOT_STATEMENT]}},
    # No root statement (the seed's lesson): only the named principals.
    "named": {"created_by": "alice", "policy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Key administrators", "Effect": "Allow", "Principal": {"AWS": [_arn("alice"), _arn("grace")]},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Key users", "Effect": "Allow", "Principal": {"AWS": [_arn("bob"), _arn("carol")]},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*"},
    ]}},
    # Root statement, key administrators, a conditional user statement and an explicit deny.
    "mixed": {"created_by": None, "policy": {"Version": "2012-10-17", "Statement": [
        ROOT_STATEMENT,
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": _arn("dave")},
         "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                    "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
         "Resource": "*"},
        {"Sid": "Use from the office", "Effect": "Allow", "Principal": {"AWS": [_arn("ivan"), _arn("erin")]},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
                       "StringEquals": {"kms:CallerAccount": ACCOUNT}}},
        # Not "kms:*": moto's own key policy check (moto/kms/policy_validator.py) would then deny
        # DescribeKey to every caller, the setup administrator included.
        {"Sid": "Never heidi", "Effect": "Deny", "Principal": {"AWS": _arn("heidi")},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Put*",
                    "kms:ScheduleKeyDeletion", "kms:Disable*"], "Resource": "*"},
    ]}},
}


def _matrix_world() -> Any:
    """10 principals (root + 9 users with every kind of identity policy) and 3 keys, built through the lab."""
    from kmslab.lab import Lab

    lab = Lab(account=ACCOUNT, region=REGION)
    kms_any = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    lab.create_policy("kms-read-only", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}]})
    lab.create_policy("crypto-boundary", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]})
    lab.create_group("crypto", inline_policies={"kms-all": kms_any})
    lab.create_user("alice")
    lab.create_user("bob", managed_policies=["AdministratorAccess"])
    lab.create_user("carol", inline_policies={"use": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]}})
    lab.create_user("dave", managed_policies=["kms-read-only"])
    lab.create_user("erin", groups=["crypto"])
    lab.create_user("frank", managed_policies=["AdministratorAccess"], permissions_boundary="crypto-boundary")
    lab.create_user("grace", inline_policies={"all-but-delete": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]}})
    lab.create_user("heidi", managed_policies=["AdministratorAccess"])
    lab.create_user("ivan", inline_policies={"office": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*",
         "Condition": {"Bool": {"aws:ViaAWSService": "false"}}}]}})
    for name, spec in MATRIX_KEYS.items():
        lab.create_key(name, policy=spec["policy"], created_by=spec["created_by"])
    return lab


def matrix_lab(n: int) -> dict[str, Any]:
    """lab.access_matrix(10 principals, 20 actions, 3 keys): 600 real requests, timed as a whole."""
    from kmslab.lab import hook

    lab = _matrix_world()
    principals = ["root", *MATRIX_USERS]
    keys = list(MATRIX_KEYS)
    outcomes = lab.access_matrix(principals, MATRIX_ACTIONS, keys)  # warm-up
    verdicts = {v: sum(o.decision == v for o in outcomes) for v in ("allowed", "denied", "error")}
    samples = []
    for _ in range(n):
        # Every decision fresh, as after a toggle: nothing the warm-up (or the last repetition) decided
        # is reused. Only pure, world-independent caches (parsed policies, clients) stay warm.
        hook.world_changed()
        t0 = perf()
        outcomes = lab.access_matrix(principals, MATRIX_ACTIONS, keys)
        samples.append(perf() - t0)
        if {v: sum(o.decision == v for o in outcomes) for v in verdicts} != verdicts:
            raise RuntimeError("the access matrix changed between runs: the world is not restored")
    denied = [[o.principal, o.action, o.key] for o in outcomes if o.decision == "denied"]
    lab.stop()
    return {"samples": samples, "requests": len(outcomes), "verdicts": verdicts, "denied": denied}


def _load_standalone(name: str, path: Path) -> Any:
    """A kmslab file that imports nothing from kmslab, as a stand-alone module."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _load_calls() -> Any:
    """kmslab/lab/calls.py (the plans) and kmslab/lab/moto_adapter/probes.py (the KeyStore they prepare and
    undo through), stand-alone; the KeyStore class is attached to the calls module as `_KeyStore`."""
    calls = _load_standalone("_bench_kmslab_calls", ROOT / "kmslab" / "lab" / "calls.py")
    probes_path = ROOT / "kmslab" / "lab" / "moto_adapter" / "probes.py"
    if probes_path.exists():
        calls._KeyStore = _load_standalone("_bench_kmslab_probes", probes_path).KeyStore
    return calls


def _lab_speedups() -> Callable[[Any], Any]:
    """moto patched as in the lab, for what it costs only (kmslab/lab/moto_adapter/speedups.py, stand-alone);
    returns what to do to each boto3 client the baseline makes (sign as the lab's clients sign).
    Equal work: the ReEncrypt cells make a scratch key, and bare moto would make an RSA-2048 pair for
    each (50-300 ms) that the lab never makes, look every action up with `inspect.getmembers`
    (~60 us a request) where the lab does not, and sign each request in twice the time the lab's
    clients take (the same signature); the figures would then measure costs the lab has cut, not
    what the lab adds."""
    path = ROOT / "kmslab" / "lab" / "moto_adapter" / "speedups.py"
    if not path.exists():
        return lambda client: client
    speedups = _load_standalone("_bench_kmslab_speedups", path)
    speedups.apply_speedups()
    return getattr(speedups, "sign_faster", lambda client: client)


@functools.cache  # once: the baseline should spend no more per request than the lab does
def _fields_of(cls: Any) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def _call_input(calls: Any, admin: Any, backend: Any, key_id: str, caller_arn: str, ciphertexts: dict) -> Any:
    """calls.CallInput for bare moto, whichever way the plans prepare: through an admin boto3 client
    (`admin`, `key_arn`) or on moto's backend directly (`backend`, `key_id`), as the lab passes them."""
    fields = _fields_of(calls.CallInput)
    kwargs: dict[str, Any] = {"key_ref": key_id, "caller_arn": caller_arn}
    if "admin" in fields:
        kwargs.update(admin=admin, key_arn=key_id)
    if "backend" in fields:
        kwargs.update(backend=backend, key_id=key_id)
    if "store" in fields:  # the moto adapter's KeyStore over moto's backend, as the lab passes it
        kwargs.update(store=calls._KeyStore(backend), key_id=key_id)
    if "ciphertexts" in fields:
        kwargs["ciphertexts"] = ciphertexts  # the lab keeps one cache for its lifetime
    return calls.CallInput(**kwargs)


MISSING_KEY_ID = "00000000-0000-4000-8000-000000000000"  # well-formed, and no key of the benchmark's
KEY_PARAMS = ("KeyId", "SourceKeyId", "TargetKeyId")


def _skip_operation(params: dict[str, Any], key_id: str) -> dict[str, Any]:
    """The request's parameters naming a key that does not exist instead of `key_id`: moto stops at
    its key lookup (NotFoundException; a KeyError from the few operations that look the key up
    unguarded), so the request costs the round trip and no operation."""
    return {k: MISSING_KEY_ID if k in KEY_PARAMS and v == key_id else v for k, v in params.items()}


def matrix_bare(n: int, cells: list[list[str]] | None = None) -> dict[str, Any]:
    """The same 600 requests on bare moto: same plans (preparation, call, undo), a client per principal.
    `cells`: the (principal ARN, action, key) the lab denies; for them moto's operation is skipped."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.kms.models import kms_backends

    calls = _load_calls()
    _bare_env()
    as_the_lab = _lab_speedups()
    principals = ["root", *MATRIX_USERS]
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        admin = session.client("kms", region_name=REGION)
        as_the_lab(admin)
        keys = {}
        for name, spec in MATRIX_KEYS.items():
            meta = admin.create_key(Policy=json.dumps(spec["policy"]), KeySpec="SYMMETRIC_DEFAULT",
                                    KeyUsage="ENCRYPT_DECRYPT", Description=f"kmslab key {name}")["KeyMetadata"]
            admin.create_alias(AliasName=f"alias/{name}", TargetKeyId=meta["KeyId"])
            # The key id, not the ARN: the lab's hook hands moto the bare id too, because several
            # moto operations (ScheduleKeyDeletion, ...) fail on an ARN.
            keys[name] = meta["KeyId"]
        backend = kms_backends[meta["Arn"].split(":")[4]][REGION]
        clients = {p: session.client("kms", region_name=REGION, aws_access_key_id=f"AKIABENCH{i:011d}",
                                     aws_secret_access_key="bench-not-a-real-secret")
                   for i, p in enumerate(principals)}
        for client in clients.values():
            as_the_lab(client)
        ciphertexts: dict[Any, bytes] = {}
        denied = {tuple(cell) for cell in cells or ()}
        skipped = 0

        def matrix() -> int:
            nonlocal skipped
            count = skipped = 0
            for p in principals:
                for action in MATRIX_ACTIONS:
                    for name, key_id in keys.items():
                        plan = calls.PLANS[action](_call_input(calls, admin, backend, key_id, _arn(p), ciphertexts))
                        params, skip = plan.params, (_arn(p), action, name) in denied
                        if skip:
                            params, skipped = _skip_operation(params, key_id), skipped + 1
                        try:
                            getattr(clients[p], plan.operation)(**params)
                        except ClientError:
                            pass
                        except KeyError:  # moto's ListGrants & co. look the missing key up unguarded
                            if not skip:
                                raise
                        finally:
                            for undo in plan.undo:
                                with contextlib.suppress(ClientError):
                                    undo()
                        count += 1
            return count

        matrix()  # warm-up
        samples = []
        for _ in range(n):
            t0 = perf()
            count = matrix()
            samples.append(perf() - t0)
    assert "kmslab" not in sys.modules, "the baseline must not import kmslab"
    if len(denied) != skipped:
        raise RuntimeError(f"{len(denied)} denied cells given, {skipped} matched a request of the matrix")
    return {"samples": samples, "requests": count, "skipped": skipped}


# ---------------------------------------------------------------- engine throughput


def _engine_caches() -> list[Any]:
    """Every functools cache of the engine that holds what it derived from policies, requests and
    patterns. Left warm: the process-wide tables loaded once (maxsize 1, e.g. the action catalog)."""
    found = []
    for name, module in list(sys.modules.items()):
        if name.startswith("kmslab.engine") and module is not None:
            for value in vars(module).values():
                params = getattr(value, "cache_parameters", None)
                if callable(params) and params().get("maxsize") != 1 and value not in found:
                    found.append(value)
    return found


def _fresh(value: Any) -> Any:
    """A new copy of an engine Request (Caller, Key, Grant, Policy...): nothing derived on it yet.
    A Policy is parsed again from its text (with the parse cache cleared, a new object)."""
    from kmslab.engine import Policy

    if isinstance(value, Policy):
        return Policy.parse(value.text, name=value.name, kind=value.kind)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: _fresh(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init})
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(value)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value


def engine(n: int) -> dict[str, Any]:
    """Capture every engine Request the shipped scenarios make through the lab, then time authorize():
    warm (the same Request objects decided again: every cache full) and cold (each decision on fresh
    Request objects, with every engine cache cleared: the first decision on its policies)."""
    from kmslab.engine import authorize
    from kmslab.lab import hook
    from kmslab.runner import run_scenario

    corpus: list[Any] = []

    def capture(request: Any) -> Any:
        corpus.append(request)
        return authorize(request)

    files = sorted(SCENARIOS.glob("*.yaml"))
    hook.authorize = capture  # the hook calls the engine by this module-level name
    try:
        with _quiet():
            for path in files:
                run_scenario(path)
    finally:
        hook.authorize = authorize
    if not corpus:
        raise RuntimeError("no engine requests captured: did the hook stop calling kmslab.lab.hook.authorize?")
    verdicts = [authorize(request).allowed for request in corpus]  # warm-up (the caches fill as in a session)
    warm = []
    passes = max(1, int(2000 / len(corpus)))  # ~2000 decisions per timed batch
    for _ in range(n):
        t0 = perf()
        for _ in range(passes):
            for request in corpus:
                authorize(request)
        warm.append(passes * len(corpus) / (perf() - t0))
    caches = _engine_caches()
    cold = []
    for _ in range(n):
        spent = 0.0
        for request, verdict in zip(corpus, verdicts, strict=True):
            for cache in caches:
                cache.cache_clear()
            fresh = _fresh(request)
            t0 = perf()
            decision = authorize(fresh)
            spent += perf() - t0
            if decision.allowed != verdict:
                raise RuntimeError(f"a fresh copy of a request was decided differently: {request}")
        cold.append(len(corpus) / spent)
    return {"samples": warm, "cold": cold, "corpus": len(corpus), "scenarios": len(files), "caches": len(caches)}


# ---------------------------------------------------------------- seed scenario build


def seed_build(n: int) -> dict[str, Any]:
    """lab_from_scenario(seed) in this fresh process: import first, then the build (the budgeted part)."""
    t0 = perf()
    from kmslab.runner import lab_from_scenario

    t1 = perf()
    lab = lab_from_scenario(SEED)
    t2 = perf()
    ok = lab.key_names() == ["demo"] and len(lab.principals()) == 4
    lab.stop()
    if not ok:
        raise RuntimeError("the seed scenario did not build the expected world")
    return {"import": t1 - t0, "build": t2 - t1}


# ---------------------------------------------------------------- notebooks


def _execute(nb: Any) -> tuple[float, list[str]]:
    """Run every cell in a fresh kernel (kernel start included): seconds, and the errors cells raised.

    A raising cell does not stop the run (allow_errors): the other figures stay measurable,
    and the errors are reported, so `make bench-check` fails on them.
    """
    from nbclient import NotebookClient

    t0 = perf()
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    elapsed = perf() - t0
    errors = [f"cell {i}: {o.get('ename')}: {o.get('evalue')}" for i, c in enumerate(nb.cells)
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    return elapsed, errors


def notebooks(n: int) -> dict[str, Any]:
    """Every notebook top to bottom, each in a fresh kernel (kernel start included)."""
    import nbformat

    times, errors = {}, {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        times[path.name], raised = _execute(nbformat.read(path, as_version=4))
        if raised:
            errors[path.name] = raised
    return {"notebooks": times, "errors": errors}


_RSS_CELL = "import resource as _r, json as _j; print('KMSLAB-RSS', _j.dumps(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss))"


def _rss(nb: Any) -> list[float]:
    """Every peak RSS the probe cells printed, in MB (Linux reports ru_maxrss in KiB)."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            for line in o.get("text", "").splitlines() if o.get("output_type") == "stream" else []:
                if line.startswith("KMSLAB-RSS "):
                    out.append(int(line.split()[1]) / 1024)
    return out


def memory(n: int) -> dict[str, Any]:
    """The whole course in ONE kernel (a probe cell after each notebook), then a baseline kernel."""
    import nbformat

    course = nbformat.v4.new_notebook()
    names = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        course.cells += [c for c in nbformat.read(path, as_version=4).cells]
        course.cells.append(nbformat.v4.new_code_cell(_RSS_CELL))
        names.append(path.name)
    course_time, raised = _execute(course)
    peaks = _rss(course)
    baseline = nbformat.v4.new_notebook()
    baseline.cells = [nbformat.v4.new_code_cell("import pandas, ipywidgets"), nbformat.v4.new_code_cell(_RSS_CELL)]
    _, baseline_raised = _execute(baseline)
    errors = {"the course in one kernel": raised} if raised else {}
    if baseline_raised:
        errors["baseline kernel"] = baseline_raised
    return {"course_mb": peaks[-1], "after_each_mb": dict(zip(names, peaks, strict=True)),
            "baseline_mb": _rss(baseline)[-1], "course_seconds": course_time, "errors": errors}


CASES: dict[str, Callable[[int], dict[str, Any]]] = {
    "toggle": toggle, "kms-call-lab": kms_call_lab, "kms-call-bare": kms_call_bare,
    "matrix-lab": matrix_lab, "matrix-bare": matrix_bare, "engine": engine, "seed-build": seed_build,
    "notebooks": notebooks, "memory": memory,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--n", type=int, default=1, help="samples to take inside this process")
    parser.add_argument("--cells", type=Path, help="matrix-bare: JSON list of the cells the lab denies")
    args = parser.parse_args()
    if args.cells is not None:
        result = CASES[args.case](args.n, json.loads(args.cells.read_text()))  # type: ignore[call-arg]
    else:
        result = CASES[args.case](args.n)
    result["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
