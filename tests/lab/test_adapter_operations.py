"""The adapter's own operations (kmslab/lab/moto_adapter/operations) never shadow one moto implements."""

from __future__ import annotations

from moto.kms.responses import KmsResponse

from kmslab.lab.moto_adapter import operations


def test_installed_operations_are_the_registered_ones_moto_lacks(lab):
    """After a Lab has started, each registered operation is answered by moto or by the adapter, never both."""
    installed = operations.implemented_by_adapter()
    assert installed <= set(operations.OPERATIONS)
    for name, method in operations.OPERATIONS.items():
        assert operations.innermost(name) is method or name not in installed
        if name in installed and getattr(KmsResponse, name) is not method:  # wrapped (DryRun): by an @around
            assert name in operations.AROUND


def test_registering_an_operation_uses_moto_method_naming():
    assert operations._snake("GenerateDataKeyPairWithoutPlaintext") == "generate_data_key_pair_without_plaintext"
    assert operations._snake("ConnectCustomKeyStore") == "connect_custom_key_store"


def _response(account: str, region: str, body: str = "{}") -> KmsResponse:
    response = KmsResponse()
    response.current_account, response.region, response.body = account, region, body
    return response


def test_the_backend_is_the_one_moto_gives_the_request():
    """`operations.backend(response)` is `response.kms_backend` (moto's own lookup) for any account and region, a
    new one included, and a new mock's backend once a lab has stopped and another started."""
    from kmslab.lab import Lab

    places = [("111122223333", "ap-northeast-1"), ("444455556666", "ap-northeast-1"), ("111122223333", "eu-west-1"),
              ("999988887777", "us-east-2")]
    before = {}
    for _ in range(2):  # two labs: two mocks
        with Lab(accounts=["111122223333", "444455556666"], region="ap-northeast-1") as lab:
            lab.create_key("k")
            for account, region in places * 2:
                response = _response(account, region)
                assert operations.backend(response) is response.kms_backend
                assert before.get((account, region)) is not response.kms_backend
            assert lab.key_id("k") in operations.backend(_response(lab.account, lab.region)).keys
            before = {place: _response(*place).kms_backend for place in places}


def test_one_parameter_is_the_one_params_reads():
    bodies = ['{"DryRun": true, "KeyId": "k"}', '{"DryRun": false}', "{}", "", "[1]", '{"EncryptionContext": {}}']
    for body in bodies:
        for kept in (None, (body, {"DryRun": "kept"}), ((body + " ")[:-1], {"DryRun": "another body"})):
            response = _response("111122223333", "ap-northeast-1", body)
            response._kmslab_params = kept  # what the hook kept for this body (or for another body object)
            for name in ("DryRun", "KeyId", "EncryptionContext", "Missing"):
                assert operations.param(response, name) == operations.params(response).get(name)


def _outcome(function, *args):
    try:
        return "answer", function(*args)
    except Exception as exc:  # noqa: BLE001 - the same exception, type and text, is what is compared
        return type(exc), str(exc)


def _moto_finds(response, ref):
    """What find_key promises: moto's own validation of the KeyId, then moto's describe_key."""
    response._validate_key_id(ref)
    return response.kms_backend.describe_key(ref)


def test_find_key_finds_what_moto_finds():
    """Every form of KeyId, known or not, well-formed or not: the same key or the same exception as moto's own;
    asked twice in one request, the same again. A multi-Region key's type is brought up to date as moto's does."""
    from kmslab.lab import Lab
    from kmslab.lab.moto_adapter.operations.data_key_pairs import find_key

    with Lab(region="ap-northeast-1") as lab:
        lab.create_key("k")
        lab.create_key("mrk", multi_region=True)
        kms = lab.client("kms")
        replica = kms.replicate_key(KeyId=lab.key_id("mrk"), ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
        refs = [lab.key_id("k"), lab.key_arn("k"), "alias/k", lab.key_arn("k").replace(f"key/{lab.key_id('k')}",
                "alias/k"), lab.key_id("mrk"), lab.key_arn("mrk"), "alias/none", "12345678-1234-1234-1234-123456789012",
                "not-a-key", "", "arn:aws:kms:ap-northeast-1:111122223333:key/none", lab.key_id("k").lower(),
                lab.key_id("k").upper()]
        for region, place_refs in (("ap-northeast-1", refs), ("eu-west-1", [replica["KeyId"], replica["Arn"]])):
            response = _response(lab.account, region)
            for ref in place_refs * 2:
                assert _outcome(find_key, response, ref) == _outcome(_moto_finds, _response(lab.account, region), ref)
        backend = _response(lab.account, "eu-west-1").kms_backend
        backend.keys[replica["KeyId"]].multi_region_configuration["MultiRegionKeyType"] = "PRIMARY"  # stale
        assert find_key(_response(lab.account, "eu-west-1"), replica["KeyId"]).multi_region_configuration[
            "MultiRegionKeyType"] == "REPLICA"


def test_no_operation_changes_the_parameters_it_reads(monkeypatch):
    """`params` hands every @around of a request the same parse (read-only: a Mapping, not a copy each): after every
    KMS request of every action the lab plans, on keys of each kind, the parse kept for the request's body is
    still that body's."""
    import json

    from kmslab.lab import Lab, calls
    from kmslab.lab.moto_adapter import hooks
    from kmslab.lab.moto_adapter.operations.dry_run import DRY_RUN_OPERATIONS

    checked = []

    def call_action(response):
        answer = moto_own(response)
        kept = response._kmslab_params
        if kept is not None:
            checked.append(response._kmslab_operation)
            assert kept[1] == json.loads(kept[0]), response._kmslab_operation
        return answer

    with Lab(region="us-east-1") as lab:
        moto_own = hooks._ORIGINAL["call_action"]
        monkeypatch.setitem(hooks._ORIGINAL, "call_action", call_action)
        lab.create_user("admin", managed_policies=["AdministratorAccess"])
        kinds = (("sym", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("rsa", "RSA_2048", "SIGN_VERIFY"),
                 ("rsa-enc", "RSA_2048", "ENCRYPT_DECRYPT"), ("hmac", "HMAC_256", "GENERATE_VERIFY_MAC"),
                 ("ecdh", "ECC_NIST_P256", "KEY_AGREEMENT"))
        for name, spec, usage in kinds:
            lab.create_key(name, key_spec=spec, key_usage=usage)
            for action in calls.PLANS:
                lab.request("admin", action, name)
                if action.split(":")[1] in DRY_RUN_OPERATIONS:
                    lab.request("admin", action, name, parameters={"DryRun": True})
    read = {"Encrypt", "Decrypt", "ReEncrypt", "Sign", "CreateGrant", "GenerateMac", "DeriveSharedSecret"}
    assert read <= set(checked)
