"""The moto speedups change what moto costs, never what it answers (kmslab/lab/moto_adapter/speedups.py)."""

from __future__ import annotations

import inspect

import pytest
from moto.core import utils as moto_core_utils
from moto.iam.responses import IamResponse
from moto.kms.responses import KmsResponse
from moto.sts.responses import TokenResponse

from kmslab.lab import Lab
from kmslab.lab.moto_adapter import speedups


@pytest.mark.parametrize("cls", [KmsResponse, IamResponse, TokenResponse])
def test_function_names_answer_in_as_moto_lists_them(cls):
    """`name in FunctionNames(cls)` is `name in moto's list` for every name the class has, and others."""
    with Lab():  # kmslab's own operations are installed on KmsResponse
        listed = moto_core_utils.method_names_from_class(cls)  # moto's own function, unpatched
        names = speedups.FunctionNames(cls)
        assert listed and all(name in names for name in listed)
        others = [n for n in dir(cls) if n not in listed] + ["no_such_action", "mro", "__name__", "", "_"]
        assert not any(name in names for name in others)
        assert list(names) == listed and len(names) == len(listed) and names[0] == listed[0]


def test_a_method_added_later_is_found():
    """Nothing is cached: a method added to the class after the first question is listed at once."""
    class Response(KmsResponse):
        pass

    names = speedups.FunctionNames(Response)
    assert "kmslab_later_action" not in names
    Response.kmslab_later_action = lambda self: None  # type: ignore[attr-defined]
    assert "kmslab_later_action" in names
    del Response.kmslab_later_action
    assert "kmslab_later_action" not in names


def test_moto_call_action_uses_the_patch_and_still_answers():
    import moto.core.responses

    with Lab() as lab:
        assert moto.core.responses.method_names_from_class is speedups._method_names_from_class
        assert inspect.isfunction(speedups._ORIGINAL["method_names_from_class"])
        lab.create_key("k")
        kms = lab.client("kms")
        assert kms.describe_key(KeyId=lab.key_arn("k"))["KeyMetadata"]["Arn"] == lab.key_arn("k")


def _requests():
    """AWSRequests of many shapes: bodies, URLs, headers (repeated, spaced), query strings, contexts."""
    import io

    from botocore.awsrequest import AWSRequest

    urls = ["https://kms.ap-northeast-1.amazonaws.com/", "https://kms.us-east-1.amazonaws.com:8443/a b/?x=1&a=2",
            "http://localhost:5000/", "https://[::1]:443/", "https://KMS.Example.com/path//x/../y"]
    bodies = [b'{"KeyId": "k"}', b"", None, {"Action": "ListKeys", "b": "2"}, "text body", io.BytesIO(b"stream")]
    for i, (url, body) in enumerate((u, b) for u in urls for b in bodies):
        headers = {"X-Amz-Target": "TrentService.Decrypt", "Content-Type": "application/x-amz-json-1.1",
                   "User-Agent": "Boto3/1.0", "X-Spaced": "  a   b  ", "Expect": "100-continue"}
        request = AWSRequest(method="POST" if i % 3 else "GET", url=url, data=body, headers=headers,
                             params={"q": "1 2"} if i % 4 == 0 else None)
        if i % 5 == 0:
            request.headers.add_header("X-Repeated", "one")
            request.headers.add_header("x-repeated", "two")
        if i % 6 == 1:
            request.context["payload_signing_enabled"] = False
        if i % 7 == 2:
            request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
        if i % 8 == 3:
            request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32"}}
        yield request


def test_the_faster_signer_signs_exactly_as_botocore(monkeypatch):
    import datetime

    import botocore.auth
    from botocore.auth import SigV4Auth
    from botocore.credentials import Credentials

    monkeypatch.setattr(botocore.auth, "get_current_datetime",
                        lambda: datetime.datetime(2026, 12, 4, 12, 0, 0))
    compared = 0
    for creds in (Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                  Credentials("ASIAEXAMPLE", "secret", token="session-token")):
        for region, service in (("ap-northeast-1", "kms"), ("us-east-1", "sts")):
            for plain, fast in zip(_requests(), _requests(), strict=True):
                SigV4Auth(creds, service, region).add_auth(plain)
                speedups.FasterSigV4Auth(creds, service, region).add_auth(fast)
                assert dict(fast.headers.items()) == dict(plain.headers.items())
                compared += 1
    assert compared == 4 * 30


def test_a_lab_client_signs_with_the_faster_signer(monkeypatch):
    calls = []
    original = speedups.FasterSigV4Auth.add_auth
    monkeypatch.setattr(speedups.FasterSigV4Auth, "add_auth", lambda self, r: (calls.append(r), original(self, r)))
    with Lab() as lab:
        lab.create_key("k")
        lab.client("kms").describe_key(KeyId=lab.key_arn("k"))
        lab.client("iam").list_users()
    assert len(calls) >= 3


URLS = ["https://kms.ap-northeast-1.amazonaws.com/", "https://iam.amazonaws.com/", "https://sts.amazonaws.com/",
        "https://s3.amazonaws.com/bucket/key", "https://kms.cn-north-1.amazonaws.com.cn/", "https://example.com/",
        "http://localhost:5000/", "https://kms.us-isob-east-1.sc2s.sgov.gov/", "https://ec2.us-east-1.amazonaws.com/"]


@pytest.mark.parametrize("iso", ["false", "true"])
def test_the_request_path_finds_what_moto_finds(monkeypatch, iso):
    """The kept lookups answer as moto's loops do, for every URL and every setting they read."""
    import re

    import moto.backend_index as backend_index
    import moto.backends as backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.base_backend import BackendDict

    monkeypatch.setenv("MOTO_ENABLE_ISO_REGIONS", iso)
    with Lab():
        import moto.core.botocore_stubber as stubber

        assert stubber.BotocoreStubber.process_request is speedups._process_request
        for url in URLS:
            expected = [(s, p) for s, p in backend_index.backend_url_patterns if p.match(url)]
            assert speedups._matching_services(url) == expected
            for service, _ in expected:
                found = backends.get_backend(service)
                if isinstance(found, BackendDict):
                    accounts = found[DEFAULT_ACCOUNT_ID]
                    backend = accounts["us-east-1"] if "us-east-1" in accounts else accounts["aws"]
                else:
                    backend = found["global"]
                moto_own = next((m for u, m in backend.urls.items() if re.compile(u).match(url)), None)
                assert speedups._handler(backend, url) == moto_own, (url, service)


def test_another_moto_runs_its_own_request_path():
    speedups.apply_speedups()
    def process_request(self, request):  # not moto 5.2.5's source
        return None

    assert speedups._source_hash(process_request) != speedups._PROCESS_REQUEST_525
    assert speedups._source_hash(speedups._ORIGINAL["process_request"]) == speedups._PROCESS_REQUEST_525


def _prepared_requests():
    """What botocore hands moto: the shapes above, signed and prepared, and a lab's own KMS, IAM and STS requests."""
    from botocore.auth import SigV4Auth
    from botocore.credentials import Credentials

    creds = Credentials("AKIDEXAMPLE", "secret")
    for request in _requests():
        SigV4Auth(creds, "kms", "ap-northeast-1").add_auth(request)
        yield request.prepare()
    import moto.core.botocore_stubber as stubber

    seen = []
    original = stubber.BotocoreStubber.process_request
    stubber.BotocoreStubber.process_request = lambda self, request: (seen.append(request), original(self, request))[1]
    try:
        with Lab() as lab:
            lab.create_key("k")
            kms = lab.client("kms")
            blob = kms.encrypt(KeyId=lab.key_arn("k"), Plaintext=b"\x00\xff text")["CiphertextBlob"]
            kms.decrypt(CiphertextBlob=blob, EncryptionContext={})
            kms.list_keys()
            lab.client("iam").list_users()
            lab.client("sts").get_caller_identity()
    finally:
        stubber.BotocoreStubber.process_request = original
    assert len(seen) >= 6
    yield from seen


def _environ(request):
    """A Request's environ as comparable values: the body read out, the request itself by its type."""
    environ = dict(request.environ)
    body = environ.pop("wsgi.input").getvalue()
    assert type(environ.pop("werkzeug.request")) is type(request)
    return list(environ.items()), body


def test_moto_requests_are_built_as_moto_builds_them(monkeypatch):
    """The fast path writes werkzeug's environ key for key, in order; what it does not take is moto's own."""
    import moto.core.request as moto_request

    speedups.apply_speedups()
    assert moto_request.Request.from_primitives.__func__ is speedups._from_primitives
    own = speedups._ORIGINAL["from_primitives"]
    fallbacks = []
    monkeypatch.setitem(speedups._ORIGINAL, "from_primitives",
                        classmethod(lambda cls, *a: (fallbacks.append(a), own.__func__(cls, *a))[1]))
    fast = slow = 0
    for request in list(_prepared_requests()):
        body = request.body if not hasattr(request.body, "read") else request.body.read()
        args = (request.method, request.url, request.headers, body)
        before = len(fallbacks)
        ours, theirs = moto_request.Request.from_primitives(*args), own.__func__(moto_request.Request, *args)
        assert _environ(ours) == _environ(theirs), request.url
        assert (ours.data, ours.form, list(ours.headers), ours.raw_url, ours.values) == (
            theirs.data, theirs.form, list(theirs.headers), theirs.raw_url, theirs.values)
        slow += len(fallbacks) - before
        fast += len(fallbacks) == before
    assert fast >= 5 and slow >= 5  # both paths were compared


def test_a_request_the_fast_path_does_not_take_is_moto_own(monkeypatch):
    import moto.core.request as moto_request

    speedups.apply_speedups()
    calls = []
    own = speedups._ORIGINAL["from_primitives"]
    monkeypatch.setitem(speedups._ORIGINAL, "from_primitives",
                        classmethod(lambda cls, *a: (calls.append(a), own.__func__(cls, *a))[1]))
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    for url, body, extra in [("https://kms.us-east-1.amazonaws.com/?a=1", b"{}", {}),
                             ("https://kms.us-east-1.amazonaws.com:8443/", b"{}", {}),
                             ("https://KMS.us-east-1.amazonaws.com/", b"{}", {}),
                             ("https://kms.us-east-1.amazonaws.com/a%20b", b"{}", {}),
                             ("https://kms.us-east-1.amazonaws.com/", b"", {}),
                             ("https://kms.us-east-1.amazonaws.com/", "{}", {}),
                             ("https://kms.us-east-1.amazonaws.com/", b"{}", {"X-Bad": "a\nb"})]:
        try:
            moto_request.Request.from_primitives("POST", url, {**headers, **extra}, body)
        except ValueError:  # werkzeug refuses a header value with a newline: so does moto's own path
            assert extra
    assert len(calls) == 7
    assert moto_request.Request.from_primitives("POST", "https://kms.us-east-1.amazonaws.com/", headers, b"{}")
    assert len(calls) == 7


def test_request_ids_are_drawn_as_moto_draws_them():
    """Seeded, moto's ids repeat: the same request ids, and the same ids after them (key ids, grant ids)."""
    import moto.core.responses as moto_responses
    from moto.moto_api._internal import mock_random
    from moto.utilities.aws_headers import gen_amzn_requestid_long

    speedups.apply_speedups()
    assert moto_responses.gen_amzn_requestid_long is speedups._request_id
    for seed in ("kmslab-seed", 7):
        mock_random.seed(seed)
        theirs = [gen_amzn_requestid_long({}) for _ in range(50)], str(mock_random.uuid4())
        mock_random.seed(seed)
        headers = {}
        ours = [speedups._request_id(headers) for _ in range(50)], str(mock_random.uuid4())
        assert ours == theirs and headers == {"x-amzn-requestid": ours[0][-1]}
        assert all(len(i) == 52 for i in ours[0])


def test_dates_are_formatted_as_werkzeug_formats_them():
    import datetime

    import werkzeug.http

    speedups.apply_speedups()
    utc, tokyo = datetime.UTC, datetime.timezone(datetime.timedelta(hours=9))
    for value in [datetime.datetime(2026, 12, 4, 12, 0, 0, 999_999), datetime.datetime(2026, 12, 4, 12, 0, 1),
                  datetime.datetime(2026, 12, 4, 12, 0, 1, 5, tzinfo=utc), datetime.datetime(2026, 1, 1, tzinfo=tokyo),
                  datetime.date(2026, 2, 3), 1_764_849_600.5, None]:
        assert speedups._http_date(value) == werkzeug.http.http_date(value)
        assert speedups._http_date(value) == werkzeug.http.http_date(value)  # and again, from the kept second


AUTHORIZATIONS = [
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261204/ap-northeast-1/kms/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0123456789" * 6 + "abcd",
    "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20261204/us-east-1/sts/aws4_request, "
    "SignedHeaders=host, Signature=" + "1" * 64,
    # shapes the fast path must leave to moto's regex (each differs from botocore's in one way)
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261204/12345678901234567890/kms/aws4_request, "
    "SignedHeaders=host, Signature=" + "a" * 64,
    "AWS4-HMAC-SHA256 Credential=akiaiosfodnn7example/20261204/us-east-1/kms/aws4_request, "
    "SignedHeaders=host, Signature=" + "a" * 64,
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261204/us-east-1/kms/aws4_request, "
    "SignedHeaders=host, Signature=" + "a" * 64 + " AKIAI44QH8DHBEXAMPLE/",
    "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\n/20261204/us-east-1/kms/aws4_request",
    "Bearer token", "",
]


@pytest.mark.parametrize("authorization", AUTHORIZATIONS)
def test_the_access_key_is_the_one_moto_finds(authorization):
    from moto.core.responses import BaseResponse

    speedups.apply_speedups()
    assert BaseResponse.get_access_key is speedups._get_access_key

    class Response(BaseResponse):
        pass

    response = Response()
    response.headers, response.querystring = {"Authorization": authorization}, {}
    theirs = speedups._ORIGINAL["get_access_key"](response)
    assert speedups._get_access_key(response) == theirs
    assert (speedups._SIGV4.fullmatch(authorization) is not None) == (AUTHORIZATIONS.index(authorization) < 2)


def test_the_account_is_the_one_moto_finds():
    """Known and unknown access keys: the same account, and the same backends made on the way."""
    import moto.iam.models as iam_models

    with Lab(accounts=["111122223333", "444455556666"]) as lab:
        assert iam_models.get_account_id_from is speedups._get_account_id_from
        iam = lab.client("iam", as_="arn:aws:iam::444455556666:root")
        iam.create_user(UserName="u")
        key = iam.create_access_key(UserName="u")["AccessKey"]["AccessKeyId"]
        for access_key in ("AKIAI44QH8DHBEXAMPLE", key, lab._record("root").access_key_id):
            ours = speedups._get_account_id_from(access_key)
            made = {a: sorted(dict.keys(b)) for a, b in iam_models.iam_backends.items()}
            # moto's own makes nothing more: every backend it would have made on the way, ours made too
            assert speedups._ORIGINAL["get_account_id_from"](access_key) == ours
            assert {a: sorted(dict.keys(b)) for a, b in iam_models.iam_backends.items()} == made
        assert speedups._get_account_id_from(key) == "444455556666"


def test_method_names_are_the_ones_moto_makes():
    import moto.core.responses as moto_responses
    from moto.core.utils import camelcase_to_underscores

    speedups.apply_speedups()
    assert moto_responses.camelcase_to_underscores is speedups._method_name
    for name in ["Decrypt", "ReEncrypt", "GenerateDataKeyPairWithoutPlaintext", "GetKeyLastUsage", "ListAliases",
                 "theNewAttribute", "ABCThing", "a b", "", None, "X"]:
        assert speedups._method_name(name) == camelcase_to_underscores(name)
        assert speedups._method_name(name) == camelcase_to_underscores(name)  # and again, kept


def test_backends_by_account_are_moto_own():
    """An account's backends: the same object as moto's lookup gives, made by moto's own code when missing."""
    from moto.core.base_backend import BackendDict
    from moto.kms.models import kms_backends

    with Lab() as lab:
        assert BackendDict._create_account_specific_backend is speedups._ensure_account
        lab.create_key("k")  # the account's KMS backend exists
        known = dict.__getitem__(kms_backends, lab.account)
        assert kms_backends[lab.account] is known and kms_backends[lab.account][lab.region] is known[lab.region]
        assert "999988887777" not in dict.keys(kms_backends)
        made = kms_backends["999988887777"]  # moto's own path: made and listed as moto makes them
        assert made.account_id == "999988887777" and kms_backends["999988887777"] is made
        assert sum(listed is kms_backends for listed in BackendDict._instances) == 1


# KMS request bodies of many shapes, good and bad, for moto's KmsResponse._get_param.
KMS_BODIES = [
    '{"KeyId": "k", "Plaintext": "aGVsbG8=", "EncryptionContext": {"a": "b"}, "GrantTokens": ["t1", "t2"]}',
    '{"CiphertextBlob": "AAECAw==", "Message": "", "Nested": {"a": [1, {"b": null}]}, "N": 1.5, "B": true}',
    '{"Tags": [{"TagKey": "k", "TagValue": "v"}], "Policy": "{\\"Version\\": \\"2012-10-17\\"}", "DryRun": false}',
    '{"a": 1, "a": 2, "KeyId": null}', "{}", "[]", '"text"', "[1, 2]", "not json", "", " ", "{",
    '{"Plaintext": 5}', '{"Plaintext": "***"}', '{"Plaintext": "aGk"}', '{"Message": "\\ud800"}',
    '{"Plaintext": null}', '{"CiphertextBlob": ["AA=="]}', '{"KeyId": "\\u00e9\\/x"}', "[" * 5000 + "]" * 5000,
]
KMS_NAMES = ["KeyId", "Plaintext", "CiphertextBlob", "Message", "EncryptionContext", "GrantTokens", "Nested", "N",
             "B", "Tags", "Policy", "DryRun", "a", "Missing"]


def _outcome(function, *args):
    try:
        return "answer", function(*args)
    except Exception as exc:  # noqa: BLE001 - the same exception, type and text, is what is compared
        return type(exc), str(exc)


def _kms_response(body, kept=None):
    response = KmsResponse()
    response.body = body
    if kept is not None:
        response._kmslab_params = kept
    return response


@pytest.mark.parametrize("body", KMS_BODIES)
def test_kms_params_are_what_moto_gives(body):
    """Every parameter, or its default, or the exception moto raises for the body: the same as moto's own gives."""
    speedups.apply_speedups()
    assert KmsResponse._get_param is speedups._get_kms_param
    moto_own = speedups._ORIGINAL["kms_get_param"]
    default = object()
    ours, theirs = _kms_response(body), _kms_response(body)
    for name in KMS_NAMES * 2:  # twice: the second time from what was kept
        for if_none in (None, default, {}):
            assert _outcome(ours._get_param, name, if_none) == _outcome(moto_own, theirs, name, if_none)
            got = _outcome(ours._get_param, name, if_none)[1]
            if got is if_none:
                assert _outcome(moto_own, theirs, name, if_none)[1] is if_none  # the caller's own object


def test_kms_param_containers_are_fresh():
    """A container moto's json.loads would make anew is made anew: changing one answer changes no later one."""
    speedups.apply_speedups()
    response = _kms_response(KMS_BODIES[1])
    first = response._get_param("Nested")
    first["a"][1]["b"] = "changed"
    first["new"] = 1
    assert response._get_param("Nested") == {"a": [1, {"b": None}]}
    assert response._get_param("Nested") is not response._get_param("Nested")


def test_kms_params_follow_the_body():
    """A new body (kmslab's hook swaps a key ARN for its id) is read afresh, never the old one's parameters."""
    speedups.apply_speedups()
    response = _kms_response('{"KeyId": "arn:aws:kms:us-east-1:111122223333:key/k"}')
    assert response._get_param("KeyId") == "arn:aws:kms:us-east-1:111122223333:key/k"
    response.body = '{"KeyId": "k"}'
    assert response._get_param("KeyId") == "k"
    response.body = "not json"
    assert _outcome(response._get_param, "KeyId") == _outcome(speedups._ORIGINAL["kms_get_param"], response, "KeyId")


@pytest.mark.parametrize("body", [b for b in KMS_BODIES if b.startswith("{") and b.endswith("}") and len(b) > 1])
def test_kms_params_from_the_hook_are_the_body_own(body, monkeypatch):
    """When kmslab's hook kept its parse of this very body, that parse is used (no json.loads) with the same answers;
    the hook's dict is never handed to moto nor changed. A parse kept for another body object is not used."""
    import json

    speedups.apply_speedups()
    moto_own, loads = speedups._ORIGINAL["kms_get_param"], json.loads
    parsed = loads(body)
    snapshot = json.dumps(parsed)
    ours, parses = _kms_response(body, (body, parsed)), []
    monkeypatch.setattr(json, "loads", lambda *a, **k: parses.append(a) or loads(*a, **k))
    answers = {name: _outcome(ours._get_param, name) for name in KMS_NAMES}
    monkeypatch.undo()
    for name, answer in answers.items():
        assert answer == _outcome(moto_own, _kms_response(body), name)
        assert not isinstance(answer[1], dict | list) or all(answer[1] is not value for value in parsed.values())
    if all(kind == "answer" for kind, _ in answers.values()):
        assert parses == []  # a body moto's own refuses is moto's own to refuse (it parses)
    assert json.dumps(parsed) == snapshot
    copy = (body + " ")[:-1]  # the same text, another object: the hook kept its parse for that one
    other = _kms_response(body, (copy, {"KeyId": "not this"}))
    assert copy is not body
    assert _outcome(other._get_param, "KeyId") == _outcome(moto_own, _kms_response(body), "KeyId")


def test_kms_params_of_requests_asked_in_turn_are_each_their_own():
    """Two requests asking in turn (threads of `kmslab serve`, or a request made while another is read): each
    gets its own body's parameters, whichever asked last."""
    speedups.apply_speedups()
    first = _kms_response('{"KeyId": "first", "Plaintext": "MQ=="}')
    second = _kms_response('{"KeyId": "second", "Plaintext": "Mg=="}')
    same_text = _kms_response((first.body + " ")[:-1])  # another request with an equal body
    for _ in range(3):
        assert (first._get_param("KeyId"), second._get_param("KeyId"), first._get_param("Plaintext")) == \
            ("first", "second", b"1")
        assert same_text._get_param("KeyId") == "first" and second._get_param("Plaintext") == b"2"


def test_another_moto_gets_its_own_kms_params():
    speedups.apply_speedups()

    def _get_param(self, param_name, if_none=None):  # not moto 5.2.5's source
        return if_none

    assert speedups._source_hash(_get_param) != speedups._KMS_GET_PARAM_525
    assert speedups._source_hash(speedups._ORIGINAL["kms_get_param"]) == speedups._KMS_GET_PARAM_525
