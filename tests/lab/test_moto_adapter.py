"""The moto adapter: the one place that knows moto's internals, and what it relies on is there."""

from __future__ import annotations

import ast
import base64
from pathlib import Path

from kmslab.lab import Lab, moto_adapter

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "kmslab" / "lab" / "moto_adapter"


def test_the_installed_moto_has_every_internal_kmslab_relies_on():
    import moto

    missing = moto_adapter.missing_internals()
    assert missing == [], (
        f"moto {moto.__version__} lacks internals that kmslab/lab/moto_adapter relies on (checked against moto "
        f"{', '.join(moto_adapter.CHECKED_VERSIONS)}): {', '.join(missing)}. Read kmslab/lab/moto_adapter/ "
        "and adapt it, or pin moto to a checked version.")


def test_a_missing_internal_is_named(monkeypatch):
    monkeypatch.setattr(moto_adapter, "INTERNALS", (*moto_adapter.INTERNALS, ("moto.kms.models", "KmsBackend.nope"),
                                                    ("moto.no_such_module", "x")))
    monkeypatch.setattr(moto_adapter, "INSTANCE_ATTRIBUTES", (*moto_adapter.INSTANCE_ATTRIBUTES,
                                                             ("moto.kms.models", "Key", ("policy", "aliasez"))))
    assert moto_adapter.missing_internals() == ["moto.kms.models.KmsBackend.nope", "moto.no_such_module.x",
                                                "moto.kms.models.Key.aliasez"]


def _moto_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "moto"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "moto":
            found.append(node.module or "")
    return found


def test_only_the_adapter_imports_moto():
    outside = {str(p.relative_to(ROOT)): _moto_imports(p) for p in sorted((ROOT / "kmslab").rglob("*.py"))
               if ADAPTER not in p.parents}
    assert {p: names for p, names in outside.items() if names} == {}
    assert _moto_imports(ADAPTER / "hooks.py")  # the check sees imports where they are


def test_probes_import_nothing_from_kmslab():
    """The benchmarks' bare-moto baseline loads probes.py stand-alone, as it loads calls.py."""
    tree = ast.parse((ADAPTER / "probes.py").read_text(encoding="utf-8"))
    froms = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert [n.module for n in froms if n.level > 0 or (n.module or "").startswith("kmslab")] == []


def test_the_key_id_in_a_ciphertext():
    with Lab() as lab:
        lab.create_key("k")
        blob = lab.client("kms").encrypt(KeyId=lab.key_arn("k"), Plaintext=b"x")["CiphertextBlob"]
        assert moto_adapter.key_id_in_ciphertext(base64.b64encode(blob).decode()) == lab.key_id("k")
    assert moto_adapter.key_id_in_ciphertext(base64.b64encode(b"short").decode()) is None
    assert moto_adapter.key_id_in_ciphertext("not base64!") is None
    assert moto_adapter.key_id_in_ciphertext(None) is None


def test_the_key_id_in_a_ciphertext_is_the_one_moto_reads():
    """Any blob, as text or bytes: the key id moto's own `_deserialize_ciphertext_blob` reads from it, or None where
    moto's raises (not base64, not ASCII, shorter than moto's header, a key id that is not UTF-8)."""
    import struct

    from moto.kms.utils import HEADER_LEN, _deserialize_ciphertext_blob

    def moto_reads(blob):
        try:
            return _deserialize_ciphertext_blob(base64.b64decode(blob)).key_id
        except (ValueError, struct.error):
            return None

    key_id = b"1234abcd-12ab-34cd-56ef-1234567890ab"
    raws = [key_id + bytes(28) + b"ciphertext", key_id + bytes(28), key_id + bytes(27), b"", b"short",
            b"\xff" * 36 + bytes(28), "mrk-é".encode() + bytes(60), bytes(range(256))]
    texts = [base64.b64encode(raw).decode() for raw in raws]
    blobs = [*texts, *(t.encode() for t in texts), *(t[:-1] for t in texts if t), *(t + "!" for t in texts),
             " " + texts[0], texts[0].replace("A", "-"), "not base64!", "é" + texts[0], "====", "A", bytearray(b"QUJD")]
    assert any(moto_reads(b) is None for b in blobs) and any(moto_reads(b) is not None for b in blobs)
    assert len(raws[1]) == HEADER_LEN
    for blob in blobs:
        assert moto_adapter.key_id_in_ciphertext(blob) == moto_reads(blob), blob


def test_asymmetric_keys_sign_verify_and_show_their_public_key():
    """moto's key pairs are made when first used (a speed-up): what they answer is unchanged."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    with Lab() as lab:
        lab.create_key("signer", key_spec="RSA_2048", key_usage="SIGN_VERIFY")
        kms, arn = lab.client("kms"), lab.key_arn("signer")
        signature = kms.sign(KeyId=arn, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
        assert kms.verify(KeyId=arn, Message=b"m", Signature=signature,
                          SigningAlgorithm="RSASSA_PSS_SHA_256")["SignatureValid"]
        public = serialization.load_der_public_key(kms.get_public_key(KeyId=arn)["PublicKey"])
        public.verify(signature, b"m", padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                  salt_length=padding.PSS.MAX_LENGTH), hashes.SHA256())


def test_seeded_ids_repeat():
    def ids() -> tuple[str, str]:
        moto_adapter.seed_ids("kmslab:test")
        with Lab() as lab:
            lab.create_key("k")
            return lab.key_id("k"), lab.create_grant("k", "root", ["Decrypt"])

    first = ids()
    assert ids() == first
    moto_adapter.seed_ids("kmslab:other")
    with Lab() as lab:
        lab.create_key("k")
        assert lab.key_id("k") != first[0]


def test_moto_parses_the_same_service_models_through_the_shared_session():
    """The shared loader changes where models come from, never what moto parses (extras included)."""
    import moto.core.utils

    from kmslab.lab.moto_adapter import speedups

    with Lab():
        shared = moto.core.utils.create_loader()
        assert isinstance(shared, speedups._SharedLoader)
        for service in ("kms", "iam", "sts", "s3", "ec2"):  # s3 and ec2 carry moto-extras
            for model in ("service-2", "paginators-1"):
                own = speedups._ORIGINAL["create_loader"]().load_service_model(service, model)
                assert shared.load_service_model(service, model) == own, (service, model)
        assert speedups._plain_botocore_model("kms", "service-2")
        assert not speedups._plain_botocore_model("s3", "service-2")


def _action_responses():
    """KmsResponses as moto's setup_class leaves them: the action in the query string (a list or a value), in
    either spelling of the target header, or nowhere (moto then asks the request's method and path)."""
    from moto.core.request import Request
    from moto.kms.responses import KmsResponse

    shapes = [({"Action": ["ListKeys"]}, {}), ({"Action": "Decrypt"}, {"X-Amz-Target": "TrentService.Encrypt"}),
              ({"Action": [""]}, {"x-amz-target": "TrentService.DescribeKey"}), ({}, {"X-Amz-Target": "Encrypt"}),
              ({}, {"X-Amz-Target": ""}), ({"Action": []}, {}), ({}, {})]
    for querystring, headers in shapes:
        response = KmsResponse()
        response.querystring, response.headers = querystring, headers
        response.normalized_request = Request.from_values(path="/", method="POST")
        response.uri_match = None
        yield response


def test_the_operation_is_the_action_moto_finds_and_moto_is_told_it_again():
    """The hook's operation is moto's own `_get_action` answer, and moto's second question (call_action) gets the
    same answer, for every shape of request, before or without the hook's question; a request gets its own."""
    from moto.core.responses import BaseResponse
    from moto.kms.responses import KmsResponse

    from kmslab.lab.moto_adapter.hooks import KmsRequest

    with Lab():
        assert KmsResponse._get_action is not BaseResponse._get_action  # answered from the hook's note
        for asked, unasked, theirs in zip(_action_responses(), _action_responses(), _action_responses(), strict=True):
            found = BaseResponse._get_action(theirs)
            assert KmsRequest(asked).operation == found and asked._get_action() == found
            assert unasked._get_action() == found and KmsRequest(asked).operation == found
        first, second = KmsResponse(), KmsResponse()
        first.querystring, first.headers = {}, {"X-Amz-Target": "TrentService.Encrypt"}
        second.querystring, second.headers = {}, {"X-Amz-Target": "TrentService.Decrypt"}
        assert [KmsRequest(first).operation, second._get_action(), first._get_action(),
                KmsRequest(second).operation] == ["Encrypt", "Decrypt", "Encrypt", "Decrypt"]


def test_the_key_id_in_a_ciphertext_bytes_is_the_one_moto_reads():
    """`key_id_in_blob` (operations/regions.py's decrypt reads with it): moto's own `_deserialize_ciphertext_blob`
    key id, or None where moto's raises, for bytes and for anything else."""
    from moto.kms.utils import _deserialize_ciphertext_blob

    from kmslab.lab.moto_adapter.world import key_id_in_blob

    def moto_reads(raw):
        try:
            return _deserialize_ciphertext_blob(raw).key_id
        except Exception:  # noqa: BLE001 - any exception of moto's is "no key id"
            return None

    key_id = b"1234abcd-12ab-34cd-56ef-1234567890ab"
    raws = [key_id + bytes(28) + b"ciphertext", key_id + bytes(28), key_id + bytes(27), b"", b"\xff" * 64,
            "mrk-é".encode() + bytes(60), bytes(range(256))]
    for raw in [*raws, *(bytearray(r) for r in raws), *(memoryview(r) for r in raws), "text" * 20, None, 5]:
        assert key_id_in_blob(raw) == moto_reads(raw), raw
