"""`kmslab serve`'s gate over loopback: only the scenario's principals, only as AWS would let them.

Each test is an attack from issue 15 against a server on 127.0.0.1 in this process (the same
Server and gate `python -m kmslab serve` runs; tests/test_serve_cli.py runs the command itself).
AWS's answers: https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from kmslab.lab.moto_adapter import server as server_module

ACCOUNT = "111122223333"
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})



def client(lab, port, service, who="kms-test-1", **override):
    creds = {**lab.credentials(who), **override}
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", config=NO_RETRY, **creds)


def code_of(call):
    with pytest.raises(ClientError) as exc:
        call()
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


def signed_headers(lab, who, service, body: bytes, headers: dict, secret: str | None = None, port: int = 0) -> dict:
    creds = lab.credentials(who)
    request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body, headers=headers)
    SigV4Auth(Credentials(creds["aws_access_key_id"], secret or creds["aws_secret_access_key"]), service,
              lab.region).add_auth(request)
    return dict(request.headers.items())


def send(port, body: bytes, headers: dict, method="POST", path="/"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def kms_raw(lab, port, operation: str, body: bytes, who="kms-test-1"):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{operation}"}
    return send(port, body, signed_headers(lab, who, "kms", body, headers, port=port))


# ---------------------------------------------------------------- SigV4


def test_the_right_secret_is_answered_as_its_principal(served):
    lab, port = served
    assert client(lab, port, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/kms-test-1"
    assert client(lab, port, "kms").describe_key(KeyId="alias/demo")["KeyMetadata"]["KeyId"]


def test_a_wrong_secret_is_refused_as_aws_refuses_it(served):
    lab, port = served
    assert code_of(lambda: client(lab, port, "kms", aws_secret_access_key="x" * 40).list_keys()) == \
        ("InvalidSignatureException", 400)
    assert code_of(lambda: client(lab, port, "iam", aws_secret_access_key="x" * 40).list_users()) == \
        ("SignatureDoesNotMatch", 403)
    assert code_of(lambda: client(lab, port, "sts", aws_secret_access_key="x" * 40).get_caller_identity()) == \
        ("SignatureDoesNotMatch", 403)


def test_an_unknown_access_key_is_refused(served):
    lab, port = served
    unknown = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "x" * 40}
    assert code_of(lambda: client(lab, port, "kms", **unknown).list_keys()) == ("UnrecognizedClientException", 400)
    assert code_of(lambda: client(lab, port, "iam", **unknown).create_user(UserName="intruder")) == \
        ("InvalidClientTokenId", 403)
    assert "intruder" not in [u.rsplit("/", 1)[-1] for u in lab.users()]


def test_a_forged_or_missing_signature_is_refused(served):
    lab, port = served
    body = b'{"KeyId": "alias/demo"}'
    headers = signed_headers(lab, "kms-test-1", "kms", body, {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.DescribeKey"}, port=port)
    good = headers["Authorization"]
    prefix = good.split("Signature=")[0]
    cases = {
        prefix + "Signature=00": "IncompleteSignature",  # kms-test-1's key id, a signature of no shape
        prefix + "Signature=" + "0" * 64: "InvalidSignatureException",  # well-formed, wrong
        "AWS4-HMAC-SHA256 Credential=nonsense": "IncompleteSignature",
    }
    for authorization, expected in cases.items():
        status, data = send(port, body, {**headers, "Authorization": authorization})
        assert (status, json.loads(data)["__type"]) == (400, expected)
    no_auth = {k: v for k, v in headers.items() if k != "Authorization"}
    status, data = send(port, body, no_auth)
    assert (status, json.loads(data)["__type"]) == (403, "MissingAuthenticationToken")
    # The signature covers the body: the same headers with another body do not pass.
    status, data = send(port, b'{"KeyId": "alias/other"}', headers)
    assert (status, json.loads(data)["__type"]) == (400, "InvalidSignatureException")
    status, data = send(port, body, headers)
    assert status == 200, data


def test_the_lab_setup_key_is_never_served(served):
    lab, port = served
    admin = next(r for r in lab.registry.credentials.values() if r.kind == "admin")
    creds = {"aws_access_key_id": admin.access_key_id, "aws_secret_access_key": admin.secret_access_key}
    assert code_of(lambda: client(lab, port, "iam", **creds).list_users()) == ("InvalidClientTokenId", 403)


# ---------------------------------------------------------------- IAM and STS, authorized


def test_a_user_without_iam_policies_cannot_give_itself_administrator_access(served):
    lab, port = served
    iam = client(lab, port, "iam", "kms-test-1")
    policy = "arn:aws:iam::aws:policy/AdministratorAccess"
    code, status = code_of(lambda: iam.attach_user_policy(UserName="kms-test-1", PolicyArn=policy))
    assert (code, status) == ("AccessDenied", 403)
    assert lab.attached_policies("kms-test-1") == []
    assert code_of(lambda: client(lab, port, "kms", "kms-test-1").list_keys())[0] == "AccessDeniedException"
    assert code_of(lambda: iam.create_user(UserName="made-by-kms-test-1"))[0] == "AccessDenied"


def test_iam_policies_decide_iam_actions(served):
    lab, port = served
    iam = client(lab, port, "iam", "kms-test-2")  # AdministratorAccess: "Action": "*"
    iam.create_user(UserName="made-by-kms-test-2")
    try:
        assert f"arn:aws:iam::{ACCOUNT}:user/made-by-kms-test-2" in lab.users()
    finally:
        iam.delete_user(UserName="made-by-kms-test-2")
    with lab.probe():  # an explicit Deny in an identity policy wins, for IAM actions too
        lab.put_inline_policy("kms-test-2", "no-iam-writes", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]})
        message = ""
        with pytest.raises(ClientError) as exc:
            iam.create_user(UserName="denied")
        message = exc.value.response["Error"]["Message"]
        lab.delete_inline_policy("kms-test-2", "no-iam-writes")
    assert "with an explicit deny in an identity-based policy" in message


def test_assume_role_needs_the_trust_policy(served):
    lab, port = served
    trust_user = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                  "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/kms-test-1"}}]}
    named = lab.create_role("trusts-kms-test-1", trust_policy=trust_user)
    account = lab.create_role("trusts-the-account")  # trusts arn:aws:iam::ACCOUNT:root
    try:
        sts1, sts2 = client(lab, port, "sts", "kms-test-1"), client(lab, port, "sts", "kms-test-2")
        # Named directly in the trust policy: no identity policy needed.
        creds = sts1.assume_role(RoleArn=named, RoleSessionName="session")["Credentials"]
        # Trust names the account: the caller's identity policies decide.
        assert code_of(lambda: sts1.assume_role(RoleArn=account, RoleSessionName="session"))[0] == "AccessDenied"
        sts2.assume_role(RoleArn=account, RoleSessionName="session")
        # Not named at all: refused, whatever the identity policies say.
        assert code_of(lambda: sts2.assume_role(RoleArn=named, RoleSessionName="session"))[0] == "AccessDenied"
        # The session's keys are served, signed with their own secret.
        session = client(lab, port, "sts", aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        assert session.get_caller_identity()["Arn"].endswith(":assumed-role/trusts-kms-test-1/session")
    finally:
        for name in ("trusts-kms-test-1", "trusts-the-account"):
            lab.admin("iam").delete_role(RoleName=name)


# ---------------------------------------------------------------- closed doors


def test_services_the_lab_does_not_serve_are_closed(served):
    lab, port = served
    s3 = client(lab, port, "s3", "kms-test-2")
    assert code_of(s3.list_buckets) == ("404", 404)
    unsigned = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name=lab.region,
                            aws_access_key_id="x", aws_secret_access_key="y", config=NO_RETRY)
    assert code_of(lambda: unsigned.create_bucket(Bucket="b"))[1] == 404
    status, _ = send(port, b"", {}, method="GET", path="/b")
    assert status == 404


def test_the_moto_admin_api_is_closed(served):
    lab, port = served
    status, data = send(port, b"", {}, method="GET", path="/moto-api/data.json")
    assert status == 404 and b"secret_access_key" not in data
    assert send(port, b"", {}, method="POST", path="/moto-api/reset")[0] == 404
    assert send(port, b"", {}, method="GET", path="/moto-api/")[0] == 404
    # The world is still there.
    assert client(lab, port, "kms").describe_key(KeyId="alias/demo")["KeyMetadata"]["Enabled"]


# ---------------------------------------------------------------- malformed KMS bodies

MALFORMED = [
    ("DescribeKey", b"{not json", "SerializationException"),  # JSONDecodeError
    ("DescribeKey", b"[1, 2]", "SerializationException"),  # AttributeError (.get on a list)
    ("DescribeKey", b"null", "SerializationException"),
    ("DescribeKey", b'{"KeyId": 5}', "SerializationException"),
    ("NoSuchOperation", b"{}", "UnknownOperationException"),  # UnknownActionError
    ("Decrypt", b'{"CiphertextBlob": "!!!not base64"}', "SerializationException"),  # binascii.Error
    ("DescribeKey", b'{"KeyId": "\xff\xfe"}', "SerializationException"),  # UnicodeDecodeError
    ("DescribeKey", b"[" * 100_000 + b"]" * 100_000, "SerializationException"),  # RecursionError
    ("Encrypt", b'{"KeyId": "alias/demo", "Plaintext": "aGk=", "EncryptionContext": {"a": 1}}',
     "SerializationException"),
    ("CreateAlias", b'{"AliasName": "alias/x", "TargetKeyId": ["a"]}', "SerializationException"),
    ("DescribeKey", b"{}", "ValidationException"),
]


@pytest.mark.parametrize(("operation", "body", "expected"), MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_kms_bodies_get_aws_400s(served, operation, body, expected):
    lab, port = served
    status, data = kms_raw(lab, port, operation, body)
    assert status == 400, data[:200]
    assert json.loads(data)["__type"] == expected


def test_an_empty_body_is_an_empty_object(served):
    lab, port = served
    status, data = kms_raw(lab, port, "ListAliases", b"", who="kms-test-2")
    assert status == 200 and "Aliases" in json.loads(data)


def test_in_process_clients_get_the_same_errors_from_the_same_hook(served):
    """The hook serves in-process clients too: a malformed body sent by one is AWS's 400, not a crash."""
    lab, _ = served
    kms = lab.client("kms", as_="kms-test-1")

    def tamper(request, **_):
        request.data = b"[1, 2]"

    kms.meta.events.register_first("before-sign.kms.DescribeKey", tamper)
    try:
        assert code_of(lambda: kms.describe_key(KeyId="alias/demo"))[0] == "SerializationException"
    finally:
        kms.meta.events.unregister("before-sign.kms.DescribeKey", tamper)
    assert kms.describe_key(KeyId="alias/demo")["KeyMetadata"]["KeyId"]


# ---------------------------------------------------------------- the server itself


def test_idle_connections_are_closed(served):
    lab, port = served
    stalled = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(20)]
    try:
        for sock in stalled:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # a request that never ends
        for sock in stalled:
            received = [sock.recv(4096) for _ in range(2)]  # whatever it says, then the end: closed by the server
            assert b"" in received
    finally:
        for sock in stalled:
            sock.close()
    assert client(lab, port, "kms").describe_key(KeyId="alias/demo")  # still serving


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's table of listening sockets")
def test_it_listens_on_loopback_only(served):
    _, port = served
    listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    ours = [local for _, local, _, state, *_ in listening if state == "0A" and int(local.split(":")[1], 16) == port]
    assert ours == ["0100007F:" + f"{port:04X}"]  # 127.0.0.1, nothing else


def test_concurrent_clients_get_the_answers_of_a_single_thread(served):
    """Ten clients at once, each as its own principal: the same answers as one by one, no 5xx, no cross-talk."""
    lab, port = served
    principals = ["kms-test-1", "kms-test-2", "manabusakai", "root"]
    rounds = 20
    work = [(principals[i % len(principals)], i) for i in range(10)]

    def run(who: str) -> list[tuple[str, str]]:
        kms, sts = client(lab, port, "kms", who), client(lab, port, "sts", who)
        out = []
        for n in range(rounds):
            if n % 4 == 0:
                out.append(("whoami", sts.get_caller_identity()["Arn"]))
                continue
            try:
                kms.describe_key(KeyId="alias/demo")
                out.append(("DescribeKey", "allowed"))
            except ClientError as exc:
                status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
                assert status < 500
                out.append(("DescribeKey", exc.response["Error"]["Code"] + ":" + exc.response["Error"]["Message"]))
        return out

    alone = {who: run(who) for who in principals}
    results: dict[int, list[tuple[str, str]]] = {}
    errors: list[BaseException] = []

    def worker(who: str, i: int) -> None:
        try:
            results[i] = run(who)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=item) for item in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(results) == len(work)
    for who, i in work:
        assert results[i] == alone[who]
        assert all(arn.endswith(f":user/{who}") or (who == "root" and arn.endswith(":root"))
                   for kind, arn in results[i] if kind == "whoami")
    assert len({tuple(v) for v in alone.values()}) == len(principals)  # the principals do differ


def test_a_role_session_profile_needs_its_own_session_token(served):
    lab, port = served
    role = lab.create_role("session-role")
    try:
        creds = lab.credentials(role)
        sts = client(lab, port, "sts", **creds)
        assert sts.get_caller_identity()["Arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/session-role/")
        forged = client(lab, port, "sts", **{**creds, "aws_session_token": "forged"})
        assert code_of(forged.get_caller_identity) == ("InvalidClientTokenId", 403)
    finally:
        lab.admin("iam").delete_role(RoleName="session-role")


# ---------------------------------------------------------------- the signature check itself


def _signed(secret="s" * 40, body=b"{}", extra=None):
    from kmslab.serve import sigv4

    request = AWSRequest(method="POST", url="http://127.0.0.1:1/", data=body,
                         headers={"X-Amz-Target": "TrentService.ListKeys", **(extra or {})})
    SigV4Auth(Credentials("AKIAEXAMPLE", secret), "kms", "us-east-1").add_auth(request)
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    headers["host"] = "127.0.0.1:1"
    return sigv4, headers


def test_sigv4_accepts_botocore_signatures_and_nothing_else():
    sigv4, headers = _signed()
    scope = sigv4.parse_authorization(headers)
    sigv4.verify("POST", "http://127.0.0.1:1/", headers, b"{}", scope, "s" * 40)
    problems = {
        "another secret": lambda: sigv4.verify("POST", "http://127.0.0.1:1/", headers, b"{}", scope, "t" * 40),
        "another body": lambda: sigv4.verify("POST", "http://127.0.0.1:1/", headers, b'{"a":1}', scope, "s" * 40),
        "another target": lambda: sigv4.verify("POST", "http://127.0.0.1:1/",
                                               {**headers, "x-amz-target": "TrentService.CreateKey"},
                                               b"{}", scope, "s" * 40),
        "another method": lambda: sigv4.verify("GET", "http://127.0.0.1:1/", headers, b"{}", scope, "s" * 40),
    }
    for what, check in problems.items():
        with pytest.raises(sigv4.SignatureProblem) as exc:
            check()
        assert exc.value.kind == "mismatch", what


def test_sigv4_refuses_a_payload_hash_that_is_not_the_body_s():
    sigv4, headers = _signed(extra={"X-Amz-Content-SHA256": "0" * 64})
    with pytest.raises(sigv4.SignatureProblem) as exc:
        sigv4.verify("POST", "http://127.0.0.1:1/", headers, b"{}", sigv4.parse_authorization(headers), "s" * 40)
    assert exc.value.kind == "mismatch"


def test_sigv4_refuses_an_old_signature():
    """A request replayed more than 15 minutes later: RequestExpired in AWS's common errors."""
    from datetime import UTC, datetime, timedelta

    sigv4, headers = _signed()
    later = datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) + timedelta(minutes=16)
    with pytest.raises(sigv4.SignatureProblem) as exc:
        sigv4.verify("POST", "http://127.0.0.1:1/", headers, b"{}", sigv4.parse_authorization(headers), "s" * 40,
                     now=later)
    assert exc.value.kind == "expired"


def test_a_request_trickling_in_is_closed_at_its_deadline(served, monkeypatch):
    """A client sending a byte now and then never goes idle: the whole request must arrive within a deadline."""
    monkeypatch.setattr(server_module, "REQUEST_DEADLINE", 1.0)
    lab, port = served
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        closed = False
        for _ in range(40):  # up to ~12 s of trickling, one header byte each 0.3 s (idle timeout: 5 s)
            try:
                sock.sendall(b"X")
            except OSError:
                closed = True
                break
            sock.settimeout(0.3)
            try:
                if sock.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
        assert closed, "the server kept a trickling request open past its deadline"
    finally:
        sock.close()
    assert client(lab, port, "kms").describe_key(KeyId="alias/demo")  # still serving


def test_connections_beyond_the_cap_are_closed_and_the_slots_come_back(served):
    lab, port = served
    cap = server_module.MAX_CONNECTIONS
    held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(cap)]
    try:
        for sock in held:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # each holds a slot until it times out
        extra = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            extra.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert extra.recv(4096) == b""  # closed at once, unanswered
        except ConnectionResetError:
            pass
        finally:
            extra.close()
    finally:
        for sock in held:
            sock.close()
    for _ in range(50):  # the held connections' threads end as their sockets close
        try:
            assert client(lab, port, "kms").describe_key(KeyId="alias/demo")
            break
        except Exception:
            time.sleep(0.1)
    else:
        raise AssertionError("the server did not serve again after the held connections closed")
